"""Sign in with a username or a phone number."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.core.validators import clean_phone

from .models import ApiToken


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        User = get_user_model()
        user = User.objects.filter(username=username).first() or self._by_phone(username)
        if user is None:
            User().set_password(password)  # same work either way: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    @staticmethod
    def _by_phone(value: str):
        """The one account whose person has this phone number (typed with +86, spaces or dashes is fine).
        A number shared by several accounts signs nobody in: they must use their usernames."""

        try:
            phone = clean_phone(value)
        except ValidationError:
            return None
        users = list(get_user_model().objects.filter(person__phone=phone)[:2])
        return users[0] if len(users) == 1 else None

    def get_user(self, user_id):
        """The session's user with their Person in the same query: ``Person.scope_version`` is what
        ``core.scope.user_scopes`` checks its session-cached scopes against, on every request."""
        User = get_user_model()
        try:
            user = User._default_manager.select_related("person").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def user_for_api_key(key: str):
    """The active account an API token (``people.ApiToken``) belongs to, or None; marks the token used.
    The one look-up behind every way a key arrives: ``Authorization: Bearer``, ``X-Api-Token`` and Open311's
    ``api_key``."""
    if not key:
        return None
    row = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user
