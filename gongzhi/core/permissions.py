"""Shared rules predicates: rights come from Position × Place subtree."""

import rules

from .roles import MANAGING_ROLES, PII_ROLES
from .scope import covers


def _path_of(obj) -> str | None:
    if obj is None:
        return None
    path = getattr(obj, "path", None)
    if path is not None:
        return path
    place = getattr(obj, "place", None)
    return getattr(place, "path", None)


@rules.predicate
def manages_place_of(user, obj) -> bool:
    path = _path_of(obj)
    return path is not None and covers(user, path, MANAGING_ROLES)


@rules.predicate
def may_reveal_pii_of(user, obj) -> bool:
    path = _path_of(obj)
    return path is not None and covers(user, path, PII_ROLES)


@rules.predicate
def is_street_staff(user) -> bool:
    from .roles import Role
    from .scope import user_roles

    return Role.STREET_STAFF in user_roles(user)


rules.add_perm("core.view_audit", rules.is_superuser | is_street_staff)
rules.add_perm("core.reveal_pii", rules.is_superuser | may_reveal_pii_of)
