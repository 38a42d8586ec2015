import rules
from django.db.models import Q
from django.utils import timezone

from gongzhi.core.permissions import manages_place_of
from gongzhi.core.roles import MANAGING_ROLES, STAFF_ROLES
from gongzhi.core.scope import covers, user_roles

rules.add_perm("people.create_person", rules.is_superuser | manages_place_of)
rules.add_perm("people.update_person", rules.is_superuser | manages_place_of)
rules.add_perm("people.create_organisation", rules.is_superuser | manages_place_of)
rules.add_perm("people.update_organisation", rules.is_superuser | manages_place_of)
rules.add_perm("people.appoint_position", rules.is_superuser | manages_place_of)
rules.add_perm("people.end_position", rules.is_superuser | manages_place_of)
rules.add_perm("people.add_household_member", rules.is_superuser | manages_place_of)
rules.add_perm("people.update_household_member", rules.is_superuser | manages_place_of)
rules.add_perm("people.end_household_member", rules.is_superuser | manages_place_of)


@rules.predicate
def manages_account_of(user, person) -> bool:
    """登录账号: the manager's scope (street or community staff) covers every place the person is tied to — their
    own place, every current home and every post not yet ended — so nobody takes over an account that reaches
    beyond their own scope. Accounts of superusers and admin staff are for superusers only."""
    if person is None or not hasattr(person, "homes"):
        return False
    account = person.user
    if account is not None and (account.is_superuser or account.is_staff):
        return False
    paths = {person.place.path}
    paths |= set(person.homes.current().values_list("place__path", flat=True))
    paths |= set(person.positions.filter(Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate()))
                 .values_list("place__path", flat=True))
    return all(covers(user, path, MANAGING_ROLES) for path in paths)


rules.add_perm("people.manage_account", rules.is_superuser | manages_account_of)


@rules.predicate
def is_staff_self(user, target) -> bool:
    """API 令牌: staff (not residents or volunteers) issue them for themselves."""

    return target is not None and target.pk == user.pk and bool(user_roles(user) & STAFF_ROLES)


@rules.predicate
def owns_token(user, token) -> bool:
    return token is not None and token.user_id == user.pk


rules.add_perm("people.issue_api_token", rules.is_superuser | is_staff_self)
rules.add_perm("people.revoke_api_token", rules.is_superuser | owns_token)
