"""Region scoping: who may see which part of the tree.

An account's scopes are its active Positions (role × place subtree) plus, for residents, the
households they belong to. Every scoped model filters with :func:`in_scopes`; views and the API
start from ``Model.objects.visible_to(user)`` and never from ``.objects.all()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .roles import DATA_ROLES, Role

_CACHE_ATTR = "_gongzhi_scopes"


@dataclass(frozen=True)
class Scope:
    role: str
    place_id: int
    path: str
    organisation_id: int | None = None


def user_scopes(user) -> tuple[Scope, ...]:
    if user is None or not user.is_authenticated:
        return ()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from gongzhi.people.models import HouseholdMember, Position
    from gongzhi.people.roles import role_of_title

    today = timezone.localdate()
    scopes: list[Scope] = []
    positions = Position.objects.active(today).filter(person__user=user)
    for title, place_id, path, org_id in positions.values_list("title", "place_id", "place__path", "organisation_id"):
        scopes.append(Scope(role_of_title(title), place_id, path, org_id))
    homes = HouseholdMember.objects.current(today).filter(person__user=user)
    for place_id, path in homes.values_list("place_id", "place__path"):
        scopes.append(Scope(Role.RESIDENT, place_id, path))
    result = tuple(scopes)
    setattr(user, _CACHE_ATTR, result)
    return result


def forget_scopes(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user) -> set[str]:
    return {s.role for s in user_scopes(user)}


def scope_paths(user, roles: Iterable[str] | None = None) -> list[str]:
    """The user's scope roots for the given roles, with nested roots folded into their ancestors."""
    wanted = set(roles) if roles is not None else None
    paths = sorted({s.path for s in user_scopes(user) if wanted is None or s.role in wanted})
    folded: list[str] = []
    for path in paths:  # sorted: an ancestor comes before its descendants
        if not folded or not path.startswith(folded[-1]):
            folded.append(path)
    return folded


def in_scopes(user, field: str = "place", roles: Iterable[str] | None = None) -> Q:
    """A Q matching rows whose ``field`` (a Place FK; "" for Place itself) lies in the user's subtrees."""
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    q = Q(pk__in=[])  # matches nothing
    for path in scope_paths(user, roles):
        q |= Q(**{lookup: path})
    return q


def covers(user, path: str, roles: Iterable[str] | None = None) -> bool:
    """Does one of the user's scopes (with one of ``roles``) contain the place at ``path``?"""
    if user.is_superuser:
        return True
    return any(path.startswith(p) for p in scope_paths(user, roles))


class ScopedQuerySet(models.QuerySet):
    """Base for querysets of models that belong to a place through ``scope_field``."""

    scope_field = "place"
    scope_roles: frozenset[str] = DATA_ROLES

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(in_scopes(user, self.scope_field, self.scope_roles))
