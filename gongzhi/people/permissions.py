import rules

from gongzhi.core.permissions import manages_place_of
from gongzhi.core.roles import STAFF_ROLES
from gongzhi.core.scope import user_roles

rules.add_perm("people.create_person", rules.is_superuser | manages_place_of)
rules.add_perm("people.update_person", rules.is_superuser | manages_place_of)
rules.add_perm("people.create_organisation", rules.is_superuser | manages_place_of)
rules.add_perm("people.update_organisation", rules.is_superuser | manages_place_of)
rules.add_perm("people.appoint_position", rules.is_superuser | manages_place_of)
rules.add_perm("people.end_position", rules.is_superuser | manages_place_of)
rules.add_perm("people.add_household_member", rules.is_superuser | manages_place_of)


@rules.predicate
def is_staff_self(user, target) -> bool:
    """API 令牌: staff (not residents or volunteers) issue them for themselves."""

    return target is not None and target.pk == user.pk and bool(user_roles(user) & STAFF_ROLES)


@rules.predicate
def owns_token(user, token) -> bool:
    return token is not None and token.user_id == user.pk


rules.add_perm("people.issue_api_token", rules.is_superuser | is_staff_self)
rules.add_perm("people.revoke_api_token", rules.is_superuser | owns_token)
