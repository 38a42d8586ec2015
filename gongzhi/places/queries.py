"""Scoped reads of the region tree, with counts derived from paths (never stored, so moves keep them right)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr

from gongzhi.core.roles import STAFF_ROLES
from gongzhi.core.scope import scope_paths
from gongzhi.people.models import HouseholdMember

from .models import STEP, Kind, Place


@dataclass
class Counts:
    households: int = 0
    residents: int = 0
    compounds: int = 0
    grids: int = 0


def counts_by_child(node: Place, children: list[Place]) -> dict[int, Counts]:
    """Households, residents, compounds and grids under each child of ``node`` — two queries in all."""
    width = (node.depth + 2) * STEP
    by_prefix: dict[str, Counts] = {c.path: Counts() for c in children}
    rows = (
        Place.objects.filter(path__startswith=node.path, depth__gt=node.depth)
        .filter(kind__in=[Kind.HOUSEHOLD, Kind.COMPOUND, Kind.GRID])
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix")
        .annotate(
            households=Count("pk", filter=Q(kind=Kind.HOUSEHOLD)),
            compounds=Count("pk", filter=Q(kind=Kind.COMPOUND)),
            grids=Count("pk", filter=Q(kind=Kind.GRID)),
        )
    )
    for row in rows:
        c = by_prefix.get(row["prefix"])
        if c is not None:
            c.households, c.compounds, c.grids = row["households"], row["compounds"], row["grids"]
    residents = (
        HouseholdMember.objects.current()
        .filter(place__path__startswith=node.path)
        .annotate(prefix=Substr("place__path", 1, width))
        .values("prefix")
        .annotate(n=Count("person", distinct=True))
    )
    for row in residents:
        c = by_prefix.get(row["prefix"])
        if c is not None:
            c.residents = row["n"]
    return {child.pk: by_prefix[child.path] for child in children}


def counts_of(node: Place) -> Counts:
    row = Place.objects.filter(path__startswith=node.path).aggregate(
        households=Count("pk", filter=Q(kind=Kind.HOUSEHOLD)),
        compounds=Count("pk", filter=Q(kind=Kind.COMPOUND)),
        grids=Count("pk", filter=Q(kind=Kind.GRID)),
    )
    residents = (
        HouseholdMember.objects.current().filter(place__path__startswith=node.path)
        .values("person").distinct().count()
    )
    return Counts(households=row["households"], residents=residents, compounds=row["compounds"], grids=row["grids"])


def scope_roots(user) -> list[Place]:
    """The top places a staff user may browse from."""
    if user.is_superuser:
        return list(Place.objects.filter(parent__isnull=True))
    return list(Place.objects.filter(path__in=scope_paths(user, STAFF_ROLES)))


def households_in(user, place: Place | None = None):
    """The scoped household list (a grid worker's daily list); ordered along the tree."""
    qs = Place.objects.visible_to(user).households()
    if place is not None:
        qs = qs.filter(path__startswith=place.path)
    return qs.order_by("path")
