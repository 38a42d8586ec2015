"""Benchmark data sets (`manage.py generate --scale city|tiny`).

A regular city: 1 district → streets → communities → grids → compounds → buildings → units →
households, every level a fixed number of children, so the counts are exact and the data set is the
same on every run (areas and management modes come from a fixed random seed). Paths are computed
here, not by ``places.actions.create_place``: on PostgreSQL the rows are streamed with ``COPY``, on
other databases they go through ``bulk_create`` in large batches. Primary keys are assigned here too
(parents before children) and the id sequence is reset afterwards.

Besides the tree: an office Organisation for each street and community, one grid-worker account
(User + Person + Position ``grid_worker`` on one grid in the middle of the city, organisation = that
community's office) and one street officer on the last street, so scoped queries can be timed as real
staff users with a small and a large scope.

Idempotent: a data set is recognised by its district code (``BENCH-CITY``/``BENCH-TINY``) and never
built twice. City and tiny can live side by side (separate roots, codes and usernames).
"""

from __future__ import annotations

import datetime
import io
import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.people.models import Organisation, OrgKind, Person, Position
from gongzhi.people.roles import Title
from gongzhi.places.actions import next_child_paths
from gongzhi.places.models import Kind, ManagementMode, Place, encode_step

SEED = 20261125
PASSWORD = "Gongzhi@2026"
START = datetime.date(2024, 1, 1)
BATCH = 5000  # rows per bulk_create batch (non-PostgreSQL)
NULL = "\\N"  # COPY text format


@dataclass(frozen=True)
class Shape:
    """How many children each level has (the same everywhere: exact, predictable counts)."""

    name: str
    streets: int  # under the district
    communities: int  # per street
    grids: int  # per community
    compounds: int  # per grid
    buildings: int  # per compound
    units: int  # per building
    floors: int  # per unit
    doors: int  # households per floor

    @property
    def counts(self) -> dict[str, int]:
        n: dict[str, int] = {Kind.DISTRICT: 1}
        n[Kind.STREET] = self.streets
        n[Kind.COMMUNITY] = n[Kind.STREET] * self.communities
        n[Kind.GRID] = n[Kind.COMMUNITY] * self.grids
        n[Kind.COMPOUND] = n[Kind.GRID] * self.compounds
        n[Kind.BUILDING] = n[Kind.COMPOUND] * self.buildings
        n[Kind.UNIT] = n[Kind.BUILDING] * self.units
        n[Kind.HOUSEHOLD] = n[Kind.UNIT] * self.floors * self.doors
        return n

    @property
    def households(self) -> int:
        return self.counts[Kind.HOUSEHOLD]

    @property
    def households_per_grid(self) -> int:
        return self.compounds * self.buildings * self.units * self.floors * self.doors

    @property
    def places(self) -> int:
        return sum(self.counts.values())

    @property
    def worker_grid(self) -> tuple[int, int, int]:
        """(street, community, grid) indexes of the grid worker's grid: one in the middle of the city."""
        return self.streets // 2, self.communities // 2, self.grids // 2

    @property
    def staff_street(self) -> int:
        """Index of the street-staff account's street: the last one (worst case for path-ordered pages)."""
        return self.streets - 1

    @property
    def code(self) -> str:
        return f"BENCH-{self.name.upper()}"

    @property
    def username(self) -> str:
        return f"bench_{self.name}_grid"

    @property
    def street_username(self) -> str:
        return f"bench_{self.name}_street"


SCALES: dict[str, Shape] = {
    # 2 × 2 × 2 × 3 × 2 × 4 × 2 = 384 households
    "tiny": Shape("tiny", streets=1, communities=2, grids=2, compounds=2, buildings=3, units=2, floors=4, doors=2),
    # 10 streets × 8 communities × 5 grids × 5 compounds × 5 buildings × 2 units × 15 floors × 2 = 600,000
    "city": Shape("city", streets=10, communities=8, grids=5, compounds=5, buildings=5, units=2, floors=15, doors=2),
}


@dataclass
class Generated:
    created: bool
    shape: Shape
    root_path: str
    grid_id: int
    grid_path: str
    username: str
    households: int
    places: int
    street_path: str = ""
    street_username: str = ""
    seconds: float = 0.0


# The Place columns written (the NOT NULL ones plus parent and area); the rest stay NULL (or take their
# database default: developer_held is false).
COLUMNS = ("id", "created_at", "updated_at", "kind", "name", "code", "parent_id", "path", "depth",
           "management_mode", "registered_area", "address")
MODES = [ManagementMode.MANAGED] * 6 + [ManagementMode.ENTRUSTED, ManagementMode.SELF_MANAGED,
                                         ManagementMode.QUASI_MANAGED]


def _rows(shape: Shape, root_path: str, first_id: int) -> Iterator[tuple]:
    """Every place of the data set, depth first (parents first, path order), as COLUMNS tuples minus the
    timestamps: (id, kind, name, code, parent_id, path, depth, management_mode, registered_area, address)."""
    rng = random.Random(SEED)
    ids = itertools.count(first_id)
    d_id = next(ids)
    base = shape.code
    yield (d_id, Kind.DISTRICT.value, f"共治基准区（{shape.name}）", base, None, root_path, 0, "", None, "")
    for s in range(shape.streets):
        s_path, s_id, s_code = root_path + encode_step(s), next(ids), f"B{shape.name.upper()}-S{s + 1:02d}"
        yield (s_id, Kind.STREET.value, f"第{s + 1}街道", s_code, d_id, s_path, 1, "", None, "")
        for c in range(shape.communities):
            c_path, c_id, c_code = s_path + encode_step(c), next(ids), f"{s_code}C{c + 1:02d}"
            yield (c_id, Kind.COMMUNITY.value, f"第{s + 1}街道第{c + 1}社区", c_code, s_id, c_path, 2, "", None, "")
            for g in range(shape.grids):
                g_path, g_id, g_code = c_path + encode_step(g), next(ids), f"{c_code}G{g + 1}"
                yield (g_id, Kind.GRID.value, f"第{g + 1}网格", g_code, c_id, g_path, 3, "", None, "")
                for k in range(shape.compounds):
                    k_path, k_id, k_code = g_path + encode_step(k), next(ids), f"{g_code}K{k + 1}"
                    address = f"第{s + 1}街道{rng.randrange(1, 500)}号"
                    yield (k_id, Kind.COMPOUND.value, f"{c_code}-{g + 1}-{k + 1}小区", k_code, g_id, k_path, 4,
                           rng.choice(MODES).value, None, address)
                    for b in range(shape.buildings):
                        b_path, b_id, b_code = k_path + encode_step(b), next(ids), f"{k_code}-B{b + 1:02d}"
                        yield (b_id, Kind.BUILDING.value, f"{b + 1}号楼", b_code, k_id, b_path, 5, "", None, "")
                        for u in range(shape.units):
                            u_path, u_id, u_code = b_path + encode_step(u), next(ids), f"{b_code}-U{u + 1}"
                            yield (u_id, Kind.UNIT.value, f"{u + 1}单元", u_code, b_id, u_path, 6, "", None, "")
                            h = 0
                            for f in range(1, shape.floors + 1):
                                for door in range(1, shape.doors + 1):
                                    room = f"{f}{door:02d}"
                                    area = Decimal(rng.randrange(5500, 14500)) / 100
                                    yield (next(ids), Kind.HOUSEHOLD.value, room, f"{u_code}-{room}", u_id,
                                           u_path + encode_step(h), 7, "", area, "")
                                    h += 1


def _copy_rows(rows: Iterator[tuple], now: datetime.datetime, progress: Callable[[str], None], total: int) -> int:
    """Stream rows into places_place with PostgreSQL COPY (text format)."""
    stamp = now.isoformat()
    cols = ", ".join(COLUMNS)
    written = 0
    buf = io.StringIO()
    with connection.cursor() as cursor, cursor.copy(f"COPY places_place ({cols}) FROM STDIN") as copy:
        for r in rows:
            pk, kind, name, code, parent_id, path, depth, mode, area, address = r
            # generated text never holds tabs, newlines or backslashes: no escaping needed
            buf.write(f"{pk}\t{stamp}\t{stamp}\t{kind}\t{name}\t{code}\t"
                      f"{NULL if parent_id is None else parent_id}\t{path}\t{depth}\t{mode}\t"
                      f"{NULL if area is None else area}\t{address}\n")
            written += 1
            if written % 20000 == 0:
                copy.write(buf.getvalue())
                buf = io.StringIO()
            if written % 100_000 == 0:
                progress(f"  {written:,} / {total:,} places")
        copy.write(buf.getvalue())
    return written


def _bulk_rows(rows: Iterator[tuple], now: datetime.datetime, progress: Callable[[str], None], total: int) -> int:
    written = 0
    while True:
        batch = [
            Place(pk=pk, created_at=now, updated_at=now, kind=kind, name=name, code=code, parent_id=parent_id,
                  path=path, depth=depth, management_mode=mode, registered_area=area, address=address)
            for pk, kind, name, code, parent_id, path, depth, mode, area, address in itertools.islice(rows, BATCH)
        ]
        if not batch:
            return written
        Place.objects.bulk_create(batch, batch_size=BATCH)
        before, written = written, written + len(batch)
        if written // 100_000 != before // 100_000:
            progress(f"  {written:,} / {total:,} places")


def existing(shape: Shape) -> Generated | None:
    root = Place.objects.filter(code=shape.code, depth=0).first()
    if root is None:
        return None
    s, c, g = shape.worker_grid
    grid_path = root.path + encode_step(s) + encode_step(c) + encode_step(g)
    grid = Place.objects.get(path=grid_path)
    under = Place.objects.filter(path__startswith=root.path)
    return Generated(created=False, shape=shape, root_path=root.path, grid_id=grid.pk, grid_path=grid.path,
                     username=shape.username, households=under.filter(kind=Kind.HOUSEHOLD).count(),
                     places=under.count(), street_path=root.path + encode_step(shape.staff_street),
                     street_username=shape.street_username)


def generate(scale: str = "tiny", progress: Callable[[str], None] | None = None) -> Generated:
    """Build the data set ``scale`` (see SCALES) unless it is already there."""
    shape = SCALES[scale]
    say = progress or (lambda _msg: None)
    found = existing(shape)
    if found is not None:
        say(f"Data set '{scale}' already present ({found.households:,} households); reusing it.")
        return found
    t0 = time.monotonic()
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        if postgres:  # ids are assigned here: keep other writers out until the sequence is reset
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE places_place IN SHARE ROW EXCLUSIVE MODE")
        root_path = next_child_paths(None, 1)[0]
        first_id = (Place.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        total = shape.places
        say(f"Generating '{scale}': {total:,} places, {shape.households:,} households "
            f"({'COPY' if postgres else 'bulk_create'}) …")
        now = timezone.now()
        rows = _rows(shape, root_path, first_id)
        written = (_copy_rows if postgres else _bulk_rows)(rows, now, say, total)
        assert written == total, (written, total)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Place]):
                cursor.execute(sql)
        say(f"  places written in {time.monotonic() - t0:.1f} s")

        # an office for each street and community
        levels = Place.objects.filter(path__startswith=root_path, kind__in=[Kind.STREET, Kind.COMMUNITY])
        Organisation.objects.bulk_create(
            [Organisation(kind=OrgKind.OFFICE, place_id=pk,
                          name=f"{name}{'办事处' if kind == Kind.STREET else '居委会'}")
             for pk, name, kind in levels.order_by("path").values_list("pk", "name", "kind")],
            batch_size=1000)

        # the grid worker
        s, c, g = shape.worker_grid
        community = Place.objects.get(path=root_path + encode_step(s) + encode_step(c))
        grid = Place.objects.get(path=community.path + encode_step(g))
        office = Organisation.objects.get(place=community, kind=OrgKind.OFFICE)
        user = get_user_model().objects.create_user(username=shape.username, password=PASSWORD)
        person = Person.objects.create(name=f"基准网格员（{shape.name}）", place=grid, phone="13900000000",
                                       user=user)
        Position.objects.create(person=person, organisation=office, title=Title.GRID_WORKER, place=grid,
                                start_date=START)

        # a street officer on the last street (a large scope: one street's households)
        street = Place.objects.get(path=root_path + encode_step(shape.staff_street))
        user = get_user_model().objects.create_user(username=shape.street_username, password=PASSWORD)
        person = Person.objects.create(name=f"基准街道干部（{shape.name}）", place=street, phone="13900000001",
                                       user=user)
        street_office = Organisation.objects.get(place=street, kind=OrgKind.OFFICE)
        Position.objects.create(person=person, organisation=street_office, title=Title.STREET_OFFICER,
                                place=street, start_date=START)
    seconds = time.monotonic() - t0
    say(f"Done in {seconds:.1f} s: grid worker '{shape.username}' (password {PASSWORD}) on {grid.name} "
        f"of {community.name}, {shape.households_per_grid:,} households in scope; street officer "
        f"'{shape.street_username}' on {street.name}, {shape.households // shape.streets:,} households.")
    return Generated(created=True, shape=shape, root_path=root_path, grid_id=grid.pk, grid_path=grid.path,
                     username=shape.username, households=shape.households, places=total,
                     street_path=street.path, street_username=shape.street_username, seconds=seconds)
