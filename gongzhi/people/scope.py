"""Where scopes come from: active posts (Position) and current homes (HouseholdMember) of a Person.

Registered with :mod:`gongzhi.core.scope` from ``PeopleConfig.ready()``; core keeps ``Scope``, the cache
and the Q builders (``prefix_q``, ``in_scopes``), and never imports this module."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import CharField, F, IntegerField, Q, Value
from django.utils import timezone

from gongzhi.core.scope import ScopeSource, register_source

from .models import HouseholdMember, Person, Position
from .roles import role_of_title

_BUMP_BATCH = 5000


def load_rows(*, person_id: int | None = None, user=None) -> list[tuple[str, int, str, int | None, str]]:
    """(title, place_id, path, organisation_id, place name) of active posts and current homes; title ""
    for a home. One query: the two sets as UNION ALL (default orderings cleared: the order is fixed here)."""
    who = {"person_id": person_id} if person_id is not None else {"person__user": user}
    today = timezone.localdate()
    posts = (Position.objects.active(today).filter(**who).order_by()
             .values_list("title", "place_id", "place__path", "organisation_id", "place__name"))
    homes = (HouseholdMember.objects.current(today).filter(**who).order_by()
             .annotate(gz_title=Value("", output_field=CharField()), gz_org=Value(None, output_field=IntegerField()))
             .values_list("gz_title", "place_id", "place__path", "gz_org", "place__name"))
    rows = list(posts.union(homes, all=True))
    rows.sort(key=lambda r: (r[0] == "", r[2], r[0], r[3] or 0))  # posts first, then along the tree
    return rows


def person_key(user) -> tuple[int, int] | None:
    try:
        person = user.person
    except Person.DoesNotExist:
        return None
    return person.pk, person.scope_version


def bump(person_ids: Iterable[int] = (), *, under_path: str | None = None) -> int:
    """One UPDATE (per batch of ``_BUMP_BATCH`` ids: databases cap the number of query parameters)."""
    ids = sorted({pk for pk in person_ids if pk is not None})
    batches = [ids[i:i + _BUMP_BATCH] for i in range(0, len(ids), _BUMP_BATCH)] or [[]]
    bumped = 0
    for i, batch in enumerate(batches):
        q = Q(pk__in=batch)
        if under_path is not None and i == 0:
            q |= Q(pk__in=Position.objects.filter(place__path__startswith=under_path).values("person_id"))
            q |= Q(pk__in=HouseholdMember.objects.filter(place__path__startswith=under_path).values("person_id"))
        elif not batch:
            continue
        bumped += Person.objects.filter(q).update(scope_version=F("scope_version") + 1)
    return bumped


def register() -> None:
    register_source(ScopeSource(load_rows=load_rows, person_key=person_key, role_of_title=role_of_title, bump=bump))
