"""Shared rules predicates (rights come from Position × Place subtree), and the one check every action makes.

Every action takes the actor as ``by``: a signed-in user, or :data:`SYSTEM` for the platform itself (the
``tick`` loop, ``seed_demo``, an operator's management command). :func:`require` is the only way an action
checks a right; ``by=None`` is refused, so "no actor" can never mean "every right"."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied

from .roles import MANAGING_ROLES, PII_ROLES, STAFF_ROLES, Role
from .scope import covers, user_roles


class SystemActor:
    """The platform acting on its own (定时任务、初始化): every right, no user; audited with no actor."""

    is_authenticated = False
    is_active = True
    is_superuser = False
    pk = None

    def has_perm(self, perm: str, obj=None) -> bool:  # noqa: ARG002
        return True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def require(by, perm: str, obj=None) -> None:
    """Raise PermissionDenied unless ``by`` holds ``perm`` (on ``obj``); :data:`SYSTEM` holds every right."""
    if by is SYSTEM:
        return
    if by is None:
        raise TypeError("an action needs its actor: a user, or SYSTEM for the platform itself")
    if not by.has_perm(perm, obj):
        raise PermissionDenied


def user_of(by):
    """The signed-in user behind ``by`` (for ``filed_by``, ``uploaded_by`` …), None for SYSTEM or anonymous."""
    return by if by is not None and by is not SYSTEM and getattr(by, "is_authenticated", False) else None


def is_staff(user) -> bool:
    """工作人员: a superuser or anyone holding a staff role (everyone but residents and volunteers)."""
    return bool(user is not None and user.is_authenticated
                and (user.is_superuser or user_roles(user) & STAFF_ROLES))


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
    return Role.STREET_STAFF in user_roles(user)


rules.add_perm("core.view_audit", rules.is_superuser | is_street_staff)
rules.add_perm("core.reveal_pii", rules.is_superuser | may_reveal_pii_of)
