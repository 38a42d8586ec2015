"""Scoped reads of the region tree, with counts derived from paths (never stored, so moves keep them right)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr

from gongzhi.core.roles import STAFF_ROLES
from gongzhi.core.scope import scope_paths
from gongzhi.people.models import HouseholdMember

from .models import ALPHABET, STEP, Kind, Place


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


def _path_after(path: str) -> str | None:
    """The smallest path-alphabet string above every path that starts with ``path`` (None: no bound)."""
    keep = path.rstrip(ALPHABET[-1])
    if not keep:
        return None
    return keep[:-1] + ALPHABET[ALPHABET.index(keep[-1]) + 1]


def subtree_ranges(paths: list[str]) -> Q:
    """``path >= root AND path < after(root)`` for each root: the same rows as ``path LIKE 'root%'`` (paths
    use only ``ALPHABET``: digits, then capital letters, the same order in C and the usual locale
    collations), in a form the plain btree index on ``path`` serves in ``ORDER BY path`` order.

    Without it PostgreSQL may read a ``LIKE``-filtered, path-ordered, limited list along that index from
    the first row of the table; whether it does depends on ANALYZE's random sample (on the city data set a
    grid worker's first page took 90 ms instead of 0.1 ms after about one ANALYZE in four)."""
    if not paths:
        return Q(pk__in=[])
    ranges = []
    for root in paths:
        after = _path_after(root)
        ranges.append(Q(path__gte=root, path__lt=after) if after is not None else Q(path__gte=root))
    return Q(*ranges, _connector=Q.OR)


# What the household list shows (and links by): reading only these keeps the page light.
HOUSEHOLD_LIST_FIELDS = ("id", "name", "code", "path")


def households_in(user, place: Place | None = None):
    """The scoped household list (a grid worker's daily list); ordered along the tree.

    ``visible_to`` decides what is visible; the ranges of all the user's scope roots (a superset, so they
    never hide a visible row) let the page be read along the path index (see :func:`subtree_ranges`)."""
    qs = Place.objects.visible_to(user).households()
    if place is not None:
        qs = qs.filter(path__startswith=place.path).filter(subtree_ranges([place.path]))
    if user.is_authenticated and not user.is_superuser:
        qs = qs.filter(subtree_ranges(scope_paths(user)))
    return qs.order_by("path").only(*HOUSEHOLD_LIST_FIELDS)
