"""Places in context (位置标签): "尚书苑 2号楼 1单元 101" instead of a bare "101", and for staff the full path
("莲湖区 / 青年路街道 / 莲湖路第一社区 / 第1网格 / 尚书苑 / 2号楼 / 1单元 / 101") on hover.

One helper for every list, export and notification:

- :func:`attach_labels` reads the ancestors of a page of places in **one** query and keeps each place's
  :class:`PlaceLabel` on the instance (``place.context_label`` then costs nothing);
- :func:`label_of` gives one place's label (the cached one, or one query);
- :func:`label_for` is what a reader sees: the short label, or at a coarser precision (``upto``, e.g. the
  compound only); :func:`is_staff_viewer` says who gets the full path as a title;
- the template tag ``{% place_label place %}`` (``places/templatetags/place_labels.py``) renders it.

The short label starts at the compound (小区) when the place lies in one; a grid reads "社区 网格"; a place
above that reads its own name. Levels are found by kind among the ancestors, never by path length (trees
of any depth: a household directly under its building reads "尚书苑 2号楼 101").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TypeVar

from gongzhi.core.permissions import is_staff

from .models import STEP, Kind, Place

FULL_SEPARATOR = " / "
SHORT_SEPARATOR = " "
_CACHE = "_context_label"
T = TypeVar("T")


@dataclass(frozen=True)
class PlaceLabel:
    """A place's names from the root down: ``chain`` is ((kind, name), …), the place itself last."""

    chain: tuple[tuple[str, str], ...]

    @property
    def short(self) -> str:
        return self.upto(None)

    @property
    def full(self) -> str:
        return FULL_SEPARATOR.join(name for _kind, name in self.chain)

    def upto(self, kind: str | None) -> str:
        """The short label, cut below ``kind`` (``Kind.COMPOUND``: "尚书苑" for any place inside it). A place
        above ``kind`` keeps its own short label."""
        chain = list(self.chain)
        if kind is not None:
            for i, (k, _name) in enumerate(chain):
                if k == kind:
                    chain = chain[: i + 1]
                    break
        kinds = [k for k, _n in chain]
        if Kind.COMPOUND in kinds:
            start = kinds.index(Kind.COMPOUND)
        elif kinds and kinds[-1] == Kind.GRID and Kind.COMMUNITY in kinds:
            start = kinds.index(Kind.COMMUNITY)
        else:
            start = len(chain) - 1
        return SHORT_SEPARATOR.join(name for _k, name in chain[max(start, 0):])

    def __str__(self) -> str:
        return self.short


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path), STEP)]


def _fields(p) -> tuple[str, str, str]:
    if isinstance(p, Mapping):  # a list's rows read with .values() (the household page)
        return p["path"], p.get("kind", ""), p["name"]
    return p.path, p.kind, p.name


def _cached(p):
    return p.get("label") if isinstance(p, Mapping) else getattr(p, _CACHE, None)


def _keep(p, label: PlaceLabel) -> None:
    if isinstance(p, MutableMapping):
        p["label"] = label
    else:
        setattr(p, _CACHE, label)


def attach_labels(places: Iterable, *, known: dict[str, tuple[str, str]] | None = None) -> list:
    """Give every place in ``places`` its :class:`PlaceLabel`, reading all their ancestors in one query.
    A place is a ``Place`` (the label is kept on it) or a row dict with ``path`` and ``name`` (kept under
    ``"label"``); ``None`` entries are skipped. ``known`` (path → (kind, name)) carries ancestors already
    read across calls (see :func:`labelled`). Returns the places as a list."""
    items = [p for p in places if p is not None]
    todo = [p for p in items if _cached(p) is None]
    if not todo:
        return items
    known = {} if known is None else known
    for p in todo:
        path, kind, name = _fields(p)
        known.setdefault(path, (kind, name))
    missing = {prefix for p in todo for prefix in _prefixes(_fields(p)[0])} - set(known)
    if missing:
        known.update({path: (kind, name) for path, kind, name in
                      Place.objects.filter(path__in=sorted(missing)).values_list("path", "kind", "name")})
    for p in todo:
        path, kind, name = _fields(p)
        chain = tuple(known[prefix] for prefix in _prefixes(path) if prefix in known) + ((kind, name),)
        _keep(p, PlaceLabel(chain))
    return items


def labelled(rows: Iterable[T], place_of: Callable[[T], object], *, chunk: int = 1000) -> Iterator[T]:
    """``rows`` again, each row's place (``place_of(row)``) labelled: one query per ``chunk`` rows at most,
    and only for ancestors not read before (an export of 50,000 requests reads each compound once)."""
    known: dict[str, tuple[str, str]] = {}
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            attach_labels([place_of(r) for r in batch], known=known)
            yield from batch
            batch = []
    if batch:
        attach_labels([place_of(r) for r in batch], known=known)
        yield from batch


def label_of(place) -> PlaceLabel:
    """``place``'s label: kept from :func:`attach_labels`, else read now (one query)."""
    label = _cached(place)
    if label is None:
        attach_labels([place])
        label = _cached(place)
    return label


def is_staff_viewer(user) -> bool:
    """Who sees the full path as a title: the superuser and anyone holding a staff post."""
    return is_staff(user)


def label_for(place, viewer=None, *, upto: str | None = None) -> str:
    """What a reader sees of ``place`` in a list, an export or a notification (the short label, or cut at
    ``upto``). ``viewer`` is accepted for the callers that choose a precision per reader; the text itself
    does not depend on who reads it (the full path is only the staff's title, see :func:`title_for`)."""
    if place is None:
        return ""
    return label_of(place).upto(upto)


def title_for(place, viewer) -> str:
    """The hover title: the full path for staff, nothing for others."""
    if place is None or not is_staff_viewer(viewer):
        return ""
    return label_of(place).full


def path_labels(places: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(path, name) pairs (e.g. an audit Event's snapshot) → (short label, full path), one query for all;
    a pair without a path stays its name. Registered with ``core.registry.place_labeller``."""
    rows: list[dict | None] = [{"path": path, "name": name} if path else None for path, name in places]
    attach_labels(rows)
    out = []
    for row, (_path, name) in zip(rows, places, strict=True):
        label: PlaceLabel | None = row["label"] if row is not None else None
        out.append((label.short, label.full) if label is not None else (name, name))
    return out
