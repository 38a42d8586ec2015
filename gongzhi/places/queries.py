"""Scoped reads of the region tree, with counts derived from paths (never stored, so moves keep them right)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr

from gongzhi.core.pagination import CountLater, OneQueryPaginator, with_total
from gongzhi.core.registry import registry
from gongzhi.core.roles import STAFF_ROLES
from gongzhi.core.scope import scope_paths
from gongzhi.core.statements import Statement

from .models import ALPHABET, STEP, VISIBLE_ROLES, Kind, Place


@dataclass
class Counts:
    """The tree's own counts, plus the figures other apps register (``core.registry.subtree_figure``, e.g.
    ``residents`` from people), read as attributes too: ``counts.residents``."""

    households: int = 0
    compounds: int = 0
    grids: int = 0
    figures: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        """Every count by name, registered figures included (0 where none was counted)."""
        return {"households": self.households, "compounds": self.compounds, "grids": self.grids,
                **{f.key: self.figures.get(f.key, 0) for f in registry.subtree_figures}}

    def __getattr__(self, name: str) -> int:
        if name.startswith("__") or name == "figures":
            raise AttributeError(name)
        if name in (keys := {f.key for f in registry.subtree_figures}):
            return self.figures.get(name, 0)
        raise AttributeError(f"{name!r}: not a count (registered figures: {sorted(keys)})")


def counts_by_child(node: Place, children: list[Place]) -> dict[int, Counts]:
    """Households, compounds and grids under each child of ``node`` in one query, and one grouped query
    per registered figure (residents)."""
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
    for figure in registry.subtree_figures:  # one grouped query each
        for prefix, n in figure.count(node.path, width).items():
            c = by_prefix.get(prefix)
            if c is not None:
                c.figures[figure.key] = n
    return {child.pk: by_prefix[child.path] for child in children}


def counts_of(node: Place) -> Counts:
    row = Place.objects.filter(path__startswith=node.path).aggregate(
        households=Count("pk", filter=Q(kind=Kind.HOUSEHOLD)),
        compounds=Count("pk", filter=Q(kind=Kind.COMPOUND)),
        grids=Count("pk", filter=Q(kind=Kind.GRID)),
    )
    return Counts(households=row["households"], compounds=row["compounds"], grids=row["grids"],
                  figures={f.key: f.count(node.path, None) for f in registry.subtree_figures})


def scope_roots(user) -> list[Place]:
    """The top places a staff user may browse from."""
    if user.is_superuser:
        return list(Place.objects.filter(parent__isnull=True))
    return list(Place.objects.filter(path__in=scope_paths(user, STAFF_ROLES)))


def path_after(path: str) -> str | None:
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
    return _ranges(paths, [path_after(root) for root in paths])


def path_range(root: str, after: str | None, field: str = "") -> Q:
    """The subtree of ``root`` as a range on the path (of the Place in ``field``; "" for Place itself)."""
    path = f"{field}__path" if field else "path"
    return Q(**{f"{path}__gte": root, f"{path}__lt": after}) if after is not None else Q(**{f"{path}__gte": root})


def _ranges(roots, afters) -> Q:
    if not roots:
        return Q(pk__in=[])
    return Q(*[path_range(root, after) for root, after in zip(roots, afters, strict=True)], _connector=Q.OR)


# What the household list shows (and links by): reading only these keeps the page light.
HOUSEHOLD_LIST_FIELDS = ("id", "name", "code", "path")


def _households(*where: Q):
    return Place.objects.filter(*where, kind=Kind.HOUSEHOLD).order_by("path").values(*HOUSEHOLD_LIST_FIELDS)


def households_in(user, place: Place | None = None):
    """The scoped household list (a grid worker's daily list), ordered along the tree: rows of
    ``HOUSEHOLD_LIST_FIELDS`` as dicts (the page shows four columns; no model instances to build).

    The rows of ``Place.objects.visible_to(user).households()`` (a test keeps the two equal), written as
    index ranges of the same scope roots (see :func:`subtree_ranges`): one condition per root that the path
    index serves in ``ORDER BY path`` order, instead of a ``LIKE`` per root and the ranges on top."""
    if not user.is_authenticated:
        return _households().none()
    where = [] if user.is_superuser else [subtree_ranges(scope_paths(user, VISIBLE_ROLES))]
    if place is not None:
        where.append(subtree_ranges([place.path]))
    return _households(*where)


# More ways a search of the household list matches a household: each ``match(q, user) -> Q`` on Place (a
# subquery of place ids), limited to what ``user`` may read that way. ``gongzhi.people`` registers "a member's
# name is q" — only where the user reads the household register, so a name typed by a department's liaison
# (who sees places, not the register) finds nothing.
HOUSEHOLD_SEARCHES: list[Callable[[str, object], Q]] = []


# the household page of ``len(roots)`` scope roots, rows bottom:top with the total: compiled once per shape
_HOUSEHOLD_PAGE = Statement(lambda roots, afters, *, bottom, top:
                            with_total(_households(_ranges(roots, afters)))[bottom:top])


def household_page(user, number, *, q: str = "", per_page: int = 20):
    """A page of :func:`households_in` and the total, in one query. Without a search, the page's SQL is
    compiled once per number of scope roots and page (:class:`~gongzhi.core.statements.Statement`): the
    list is every grid worker's daily page, and building the queryset cost as much as running it."""
    roots = [] if user.is_superuser or not user.is_authenticated else scope_paths(user, VISIBLE_ROLES)
    afters = [after for after in map(path_after, roots) if after is not None]
    if q or not roots or len(afters) != len(roots):  # a root without an upper bound: the plain queryset
        qs = households_in(user)
        if q:
            # other apps' matches (people: a member's name) as subqueries, not joins: no duplicate rows, so
            # no DISTINCT and the page keeps its one query
            qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q)
                           | Q(*[match(q, user) for match in HOUSEHOLD_SEARCHES], _connector=Q.OR))
        return OneQueryPaginator(qs, per_page).get_page(number)

    def fetch(bottom: int, top: int) -> list[dict]:
        return _HOUSEHOLD_PAGE.rows(roots, afters, bottom=bottom, top=top)

    return OneQueryPaginator(CountLater(lambda: households_in(user)), per_page, fetch=fetch).get_page(number)
