"""Sign in with a username or a phone number; the lockout counts failures per account, however it was typed."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.validators import clean_phone

from .models import ApiToken


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = account_for(username)
        if user is None:
            get_user_model()().set_password(password)  # same work either way: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user with their Person in the same query: ``Person.scope_version`` is what
        ``core.scope.user_scopes`` checks its session-cached scopes against, on every request."""
        User = get_user_model()
        try:
            user = User._default_manager.select_related("person").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def normal_phone(value: str) -> str | None:
    """The phone number ``value`` spells (+86 or 0086, spaces, dashes, parentheses), or None if it is none."""
    try:
        return clean_phone((value or "").replace("(", " ").replace(")", " ").replace("（", " ").replace("）", " "))
    except ValidationError:
        return None


def account_for(value: str):
    """The account a sign-in name means: the username as typed, else the one account whose person has this
    phone number. A number shared by several accounts signs nobody in: they must use their usernames."""
    User = get_user_model()
    user = User.objects.filter(username=value).first()
    if user is not None:
        return user
    phone = normal_phone(value)
    if phone is None:
        return None
    users = list(User.objects.filter(person__phone=phone)[:2])
    return users[0] if len(users) == 1 else None


def lockout_key(request, credentials) -> str | None:
    """django-axes' key for a sign-in attempt (``AXES_USERNAME_CALLABLE``): the account's username whichever
    way it was named (username or any spelling of its phone), else the normalised phone, else the name as
    typed, trimmed and lower-cased. So every spelling of one account is one lockout."""
    value = (credentials or {}).get("username")
    if value is None:
        return None
    user = account_for(value)
    if user is not None:
        return user.get_username()
    return normal_phone(value) or value.strip().lower()


class AccountLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with two limits: ``AXES_FAILURE_LIMIT`` failures of one account from one address,
    or ``AXES_ACCOUNT_FAILURE_LIMIT`` of one account from any number of addresses (a guesser spreading over
    many IPs). Needs ``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]``."""

    def get_failures(self, request, credentials=None) -> int:
        by_address, by_account = (
            q.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for q in self.get_user_attempts(request, credentials))
        if by_account >= settings.AXES_ACCOUNT_FAILURE_LIMIT:
            return max(by_address, get_failure_limit(request, credentials))
        return by_address


class ReadOnlyToken(PermissionDenied):
    """A 只读 token sent to change something (403, never a fall-through to another way of signing in)."""

    message = _("此 API 令牌为只读，不能修改数据：请签发“读写”令牌")

    def __init__(self):
        super().__init__(str(self.message))


def user_for_api_key(key: str, *, write: bool = False):
    """The active account an API token (``people.ApiToken``) belongs to, or None (no such key, revoked, expired,
    account stopped); marks the token used. With ``write`` (the request changes something) a 只读 token raises
    :class:`ReadOnlyToken`. The one look-up behind every way a key arrives: ``Authorization: Bearer``,
    ``X-Api-Token`` and Open311's ``api_key``."""
    if not key:
        return None
    row = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if row is None or not row.user.is_active or row.expired():
        return None
    if write and not row.can_write:
        raise ReadOnlyToken()
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user
