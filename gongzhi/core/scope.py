"""Region scoping: who may see which part of the tree.

An account's scopes are its active Positions (role × place subtree) plus, for residents, the
households they belong to. Every scoped model filters with :func:`in_scopes`; views and the API
start from ``Model.objects.visible_to(user)`` and never from ``.objects.all()``.

Caching. :func:`user_scopes` loads the scopes with one query and keeps them on the user object for the
rest of the request (or job). Inside a request handled by :class:`ScopeSessionMiddleware` they are also
kept in the signed-in user's session, as plain JSON, under the key (local date, person id,
``Person.scope_version``). Every change that can alter someone's scopes — a post appointed or ended,
a household membership written, a place moved — bumps ``scope_version`` in the same transaction
(:func:`bump_scope_versions`), so the next request sees a different key and reloads; the date in the key
makes posts that start or end by the calendar take effect at midnight. The version is read from the
database on every request (with the user, ``UsernameOrPhoneBackend.get_user`` selects the person), so a
stale or replayed session can never outlive a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .roles import DATA_ROLES, Role

_CACHE_ATTR = "_gongzhi_scopes"
SESSION_SCOPES_KEY = "_gz_scopes"

# the current request's session (set by ScopeSessionMiddleware); None outside requests
_session: ContextVar = ContextVar("gongzhi_scope_session", default=None)


@dataclass(frozen=True)
class Scope:
    role: str
    place_id: int
    path: str
    organisation_id: int | None = None
    place_name: str = ""


# ---------------------------------------------------------------- loading

# Where scopes come from. ``gongzhi.people`` (persons, posts, homes) registers itself here from its
# AppConfig.ready(), so core names no model of a layer above it.


@dataclass(frozen=True)
class ScopeSource:
    # (title, place_id, path, organisation_id, place_name) of active posts ("" title for a home) of the
    # person with ``person_id=…``, or of the account ``user=…``: posts first, then along the tree
    load_rows: Callable[..., list[tuple]]
    # (person pk, scope_version) of an account, or None when it has no Person
    person_key: Callable[[Any], tuple[int, int] | None]
    role_of_title: Callable[[str], str]
    # bump the scope version of these persons and, with under_path, of everyone posted or living there
    bump: Callable[..., int]


_source: ScopeSource | None = None
_ROW_FORMAT = 2  # part of the session key: rows cached in an older shape are not used


def register_source(source: ScopeSource) -> None:
    global _source
    _source = source


def _require_source() -> ScopeSource:
    if _source is None:
        raise RuntimeError("no scope source registered (is gongzhi.people in INSTALLED_APPS?)")
    return _source


def _to_scopes(rows: Iterable) -> tuple[Scope, ...]:
    role_of_title = _require_source().role_of_title
    return tuple(Scope(role_of_title(title) if title else Role.RESIDENT, place_id, path, org_id, name)
                 for title, place_id, path, org_id, name in rows)


def _session_for(user):
    """The current request's session when it belongs to ``user``, else None."""
    session = _session.get()
    if session is None:
        return None
    return session if session.get(SESSION_KEY) == user._meta.pk.value_to_string(user) else None


def _from_session(user, session) -> tuple[Scope, ...]:
    source = _require_source()
    person = source.person_key(user)  # the person is selected with the user by UsernameOrPhoneBackend.get_user
    if person is None:
        return ()  # scopes come only from a Person's posts and homes
    key = [timezone.localdate().isoformat(), person[0], person[1], _ROW_FORMAT]
    entry = session.get(SESSION_SCOPES_KEY)
    if isinstance(entry, dict) and entry.get("key") == key:
        return _to_scopes(entry["rows"])
    rows = source.load_rows(person_id=person[0])
    session[SESSION_SCOPES_KEY] = {"key": key, "rows": [list(r) for r in rows]}
    return _to_scopes(rows)


def user_scopes(user) -> tuple[Scope, ...]:
    if user is None or not user.is_authenticated:
        return ()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    session = _session_for(user)
    if session is not None:
        result = _from_session(user, session)
    else:
        result = _to_scopes(_require_source().load_rows(user=user))
    setattr(user, _CACHE_ATTR, result)
    return result


def forget_scopes(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    session = _session_for(user)
    if session is not None:
        session.pop(SESSION_SCOPES_KEY, None)


@contextmanager
def scope_session(session) -> Iterator[None]:
    """Let :func:`user_scopes` keep the session owner's scopes in ``session`` while the block runs."""
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)


class ScopeSessionMiddleware:
    """Binds ``request.session`` for :func:`user_scopes` (after SessionMiddleware/AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None:
            return self.get_response(request)
        with scope_session(session):
            return self.get_response(request)


def bump_scope_versions(person_ids: Iterable[int] = (), *, under_path: str | None = None) -> int:
    """Invalidate session-cached scopes: the given persons, plus — with ``under_path`` — everyone holding a
    post or a home in that subtree. Call it inside the transaction that makes the change (a move of a
    place, a post, a household membership). The registered source does it (one UPDATE per batch)."""
    return _require_source().bump(person_ids, under_path=under_path)


# ---------------------------------------------------------------- using scopes


def user_roles(user) -> set[str]:
    return {s.role for s in user_scopes(user)}


def scope_organisations(user) -> list[int]:
    """The organisations ``user`` holds a post in (from the cached scopes), sorted, each once."""
    return sorted({s.organisation_id for s in user_scopes(user) if s.organisation_id})


def scope_paths(user, roles: Iterable[str] | None = None) -> list[str]:
    """The user's scope roots for the given roles, with nested roots folded into their ancestors."""
    wanted = set(roles) if roles is not None else None
    paths = sorted({s.path for s in user_scopes(user) if wanted is None or s.role in wanted})
    folded: list[str] = []
    for path in paths:  # sorted: an ancestor comes before its descendants
        if not folded or not path.startswith(folded[-1]):
            folded.append(path)
    return folded


def prefix_q(paths: Iterable[str], field: str = "") -> Q:
    """A Q matching rows whose ``field`` (a Place FK; "" for Place itself) lies under one of ``paths``."""
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    paths = list(paths)
    if not paths:
        return Q(pk__in=[])  # matches nothing
    return Q(*[(lookup, path) for path in paths], _connector=Q.OR)


def in_scopes(user, field: str = "place", roles: Iterable[str] | None = None) -> Q:
    """A Q matching rows whose ``field`` (a Place FK; "" for Place itself) lies in the user's subtrees."""
    return prefix_q(scope_paths(user, roles), field)


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
