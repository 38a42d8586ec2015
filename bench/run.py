"""`make bench`: the scoped household list at city scale, ORM vs hand-written SQL.

Runs against its own PostgreSQL database (default ``gongzhi_bench``, created when missing) so it never
touches the development data:

1. migrate, generate the city data set unless it is already there (``manage.py generate --scale city``:
   600,000 households), VACUUM ANALYZE;
2. time, interleaved, many repetitions each, what one request of the household list does as the grid
   worker (1,500 households in scope). The user is loaded outside the timed region on both sides, as the
   auth middleware does for every request (``UsernameOrPhoneBackend.get_user``: user + person, one query).
   - ``orm_cached`` (the goal): as the view runs it on every request but the first of the day — the
     session's JSON is decoded, ``user_scopes`` finds the scopes in it (key: date, person, scope_version),
     then ``household_page(user, 1)``: the page + total in one query, from the SQL the ORM compiled for
     this shape (number of scope roots, page) on the first run (``core.statements.Statement``), the rows
     as dicts (what the template reads);
   - ``sql_cached``: the same with psycopg — the session's JSON decoded, the scope paths taken from it,
     one hand-written query: the same page with the same ``(SELECT count(*) …)``, tuples;
   - for information: ``orm_fresh``/``sql_fresh``, the first request (scope query paid on both sides);
     ``orm_queryset``, ``households_in`` through ``OneQueryPaginator`` (the queryset built and compiled
     on every request); ``orm_paginator``, Django's ``Paginator`` (COUNT + page, scopes cached);
     ``sql_window``, the page with ``count(*) OVER ()`` instead (slower in the database: not used);
   and, for information, the same list for a street officer (60,000 households in scope);
3. assert the rows and counts are identical, print median / p95 and the ratios; the goal is
   ORM/SQL ≤ 2.0 for the grid worker with cached scopes. Exit status 1 when it misses it.

``BENCH_REPEAT`` (default 400) sets the repetitions for the grid worker.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import app_connection, ensure_database, pct  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi_bench")
os.environ.setdefault("DEBUG", "0")

GOAL = 2.0
REPEAT = int(os.environ.get("BENCH_REPEAT", "400"))
WARMUP = 30
STREET_REPEAT = 30
PAGE_SIZE = 20

# (seconds, count, rows) — rows are dicts or model instances (ORM) or tuples (SQL)
Timed = Callable[[], tuple[float, int, list]]






def fold(paths) -> list[str]:
    """Scope roots with nested roots folded into their ancestors (as gongzhi.core.scope.scope_paths)."""
    folded: list[str] = []
    for p in sorted(set(paths)):
        if not folded or not p.startswith(folded[-1]):
            folded.append(p)
    return folded


def path_after(path: str) -> str:
    """The next path prefix in base 36 (paths are 0-9A-Z): every path starting with ``path`` sorts below it."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    keep = path.rstrip("Z")
    return keep[:-1] + digits[digits.index(keep[-1]) + 1]


def main() -> int:
    url = os.environ["DATABASE_URL"]
    ensure_database(url)

    import django

    django.setup()

    from django.contrib.auth import SESSION_KEY, get_user_model
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.utils import timezone

    from gongzhi.core.pagination import OneQueryPaginator
    from gongzhi.core.roles import DATA_ROLES
    from gongzhi.core.scope import SESSION_SCOPES_KEY, scope_session, user_scopes
    from gongzhi.people.generate import generate
    from gongzhi.people.roles import TITLE_ROLES
    from gongzhi.places.models import Place
    from gongzhi.places.queries import household_page, households_in

    print(f"Database: {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']}")
    call_command("migrate", verbosity=0, interactive=False)
    data = generate("city", progress=print)
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        for table in ("places_place", "people_position", "people_person", "people_householdmember",
                      "people_organisation", "auth_user"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"VACUUM ANALYZE in {time.monotonic() - t0:.1f} s")

    User = get_user_model()
    from gongzhi.places.queries import HOUSEHOLD_LIST_FIELDS

    fields = list(HOUSEHOLD_LIST_FIELDS)  # what the list page reads, on both sides
    columns = ", ".join(f'"{f}"' for f in HOUSEHOLD_LIST_FIELDS)
    # the same connection settings as the app's: Django binds parameters on the client (ClientCursor) and
    # turns psycopg's automatic prepared statements off (connection poolers): ORM against SQL, nothing else
    pg = app_connection(url)

    def load_user(uid: int):
        """As the auth middleware does before any view runs (UsernameOrPhoneBackend.get_user)."""
        return User.objects.select_related("person").get(pk=uid)

    def stored_session(uid: int) -> str:
        """The user's session as stored (JSON) after a first request filled the scope cache."""
        session: dict = {SESSION_KEY: str(uid)}
        with scope_session(session):
            user_scopes(load_user(uid))
        assert SESSION_SCOPES_KEY in session
        return json.dumps(session)

    # ------------------------------------------------------------------ ORM, as the view runs it
    def orm_page(user, paginator=None):
        if paginator is None:  # as the view runs it
            page = household_page(user, 1, per_page=PAGE_SIZE)
        else:
            page = paginator(households_in(user), PAGE_SIZE).get_page(1)
        objs = list(page.object_list)  # the template iterates the page
        return page.paginator.count, objs

    def orm_cached(uid: int, paginator=None) -> Timed:
        blob = stored_session(uid)

        def run():
            user = load_user(uid)  # a fresh user object each request: no per-object cache
            t = time.perf_counter()
            with scope_session(json.loads(blob)):
                count, objs = orm_page(user, paginator)
            return time.perf_counter() - t, count, objs
        return run

    def orm_fresh(uid: int) -> Timed:
        def run():
            user = load_user(uid)
            t = time.perf_counter()
            with scope_session({SESSION_KEY: str(uid)}):  # first request: nothing cached yet
                count, objs = orm_page(user)
            return time.perf_counter() - t, count, objs
        return run

    # ------------------------------------------------------------------ hand-written SQL
    # Place.visible_to: the subtrees of the person's active posts (data roles) plus their homes
    data_titles = sorted(t for t, r in TITLE_ROLES.items() if r in DATA_ROLES)
    scope_sql = """
        SELECT pos.title, pl.path FROM people_position pos JOIN places_place pl ON pl.id = pos.place_id
         WHERE pos.person_id = %(pid)s AND pos.start_date <= %(today)s
           AND (pos.end_date IS NULL OR pos.end_date >= %(today)s)
        UNION ALL
        SELECT '', pl.path FROM people_householdmember hm JOIN places_place pl ON pl.id = hm.place_id
         WHERE hm.person_id = %(pid)s AND (hm.end_date IS NULL OR hm.end_date >= %(today)s)
    """

    def sql_page(paths: list[str], window: bool = False):
        # each subtree as an index range (the same rows as a prefix; the range keeps the plan on the path
        # index: see gongzhi.places.queries.subtree_ranges); the total in the same query, as the app asks
        ranges = " OR ".join(["(path >= %s AND path < %s)"] * len(paths)) or "false"
        params = [x for p in paths for x in (p, path_after(p))]
        where = f"kind = 'household' AND ({ranges})"
        if window:  # information: the total as a window over the filtered set
            sql = f"SELECT {columns}, count(*) OVER () FROM places_place WHERE {where} ORDER BY path LIMIT {PAGE_SIZE}"
        else:
            sql = (f"SELECT {columns}, (SELECT count(*) FROM places_place WHERE {where}) FROM places_place "
                   f"WHERE {where} ORDER BY path LIMIT {PAGE_SIZE}")
            params = params + params
        rows = pg.execute(sql, params).fetchall()
        return (rows[0][-1] if rows else 0), [r[:-1] for r in rows]

    def data_paths(rows) -> list[str]:
        return fold(path for title, path in rows if title == "" or title in data_titles)

    def sql_cached(uid: int, window: bool = False) -> Timed:
        blob = stored_session(uid)

        def run():
            t = time.perf_counter()
            entry = json.loads(blob)[SESSION_SCOPES_KEY]
            count, rows = sql_page(data_paths((r[0], r[2]) for r in entry["rows"]), window)
            return time.perf_counter() - t, count, rows
        return run

    def sql_fresh(uid: int) -> Timed:
        pid = load_user(uid).person.pk

        def run():
            t = time.perf_counter()
            found = pg.execute(scope_sql, {"pid": pid, "today": timezone.localdate()}).fetchall()
            count, rows = sql_page(data_paths(found))
            return time.perf_counter() - t, count, rows
        return run

    # ------------------------------------------------------------------ same answers, then timing
    def check(label: str, scenarios: dict[str, Timed], expected: int) -> None:
        _t, n_orm, objs = scenarios[next(iter(scenarios))]()
        orm_rows = [tuple(o[f] for f in fields) for o in objs]
        for name, fn in scenarios.items():
            _t, n, got = fn()
            rows = [tuple(o[f] for f in fields) for o in got] if name.startswith("orm") else got
            assert n == n_orm == expected, (label, name, n, n_orm, expected)
            assert rows == orm_rows, f"{label} {name}: rows differ from the ORM's"
            assert len(rows) == PAGE_SIZE
        code = fields.index("code")
        print(f"{label}: rows identical in all scenarios — count {n_orm:,}, page 1 = {len(orm_rows)} rows "
              f"({orm_rows[0][code]} … {orm_rows[-1][code]})")

    def measure(scenarios: dict[str, Timed], repeat: int, warmup: int) -> dict[str, list[float]]:
        times: dict[str, list[float]] = {k: [] for k in scenarios}
        for i in range(warmup + repeat):
            for name, fn in scenarios.items():  # interleaved: load on the machine hits all alike
                elapsed, _n, _rows = fn()
                if i >= warmup:
                    times[name].append(elapsed * 1000)
        return times

    grid_uid = User.objects.get(username=data.username).pk
    street_uid = User.objects.get(username=data.street_username).pk
    grid = {"orm_cached": orm_cached(grid_uid), "sql_cached": sql_cached(grid_uid),
            "orm_fresh": orm_fresh(grid_uid), "sql_fresh": sql_fresh(grid_uid),
            "orm_queryset": orm_cached(grid_uid, OneQueryPaginator),
            "orm_paginator": orm_cached(grid_uid, Paginator), "sql_window": sql_cached(grid_uid, window=True)}
    street = {"orm_cached": orm_cached(street_uid), "sql_cached": sql_cached(street_uid),
              "orm_fresh": orm_fresh(street_uid), "sql_fresh": sql_fresh(street_uid)}
    per_grid = data.shape.households_per_grid
    per_street = data.shape.households // data.shape.streets
    check("grid worker", grid, per_grid)
    check("street officer", street, per_street)
    t_grid = measure(grid, REPEAT, WARMUP)
    t_street = measure(street, STREET_REPEAT, 3)
    pg.close()

    # ------------------------------------------------------------------ report
    labels = {
        "orm_cached": "ORM: scopes from session + household_page (compiled statement, 1 query)",
        "orm_queryset": "ORM: the same, the queryset built and compiled per request (1 query)",
        "sql_cached": "SQL psycopg: paths from session + page with (SELECT count(*) …) (1 query)",
        "orm_fresh": "ORM, first request: scope query + page (2 queries)",
        "sql_fresh": "SQL psycopg, first request: scope query + page (2 queries)",
        "orm_paginator": "ORM as before: scopes cached + Django Paginator (COUNT + page)",
        "sql_window": "SQL psycopg: paths from session + page with count(*) OVER () (1 query)",
    }

    def stat(times, name):
        return statistics.median(times[name]), pct(times[name], 0.95)

    total = Place.objects.count()
    print()
    print(f"City data set: {data.households:,} households, {total:,} places. Page size {PAGE_SIZE}; "
          f"grid worker {REPEAT} runs each (+{WARMUP} warm-up), street officer {STREET_REPEAT}.")
    print(f"{'scenario':<76}{'median ms':>10}{'p95 ms':>10}")
    print(f"grid worker '{data.username}' — {per_grid:,} households in scope")
    for name in grid:
        med, p95 = stat(t_grid, name)
        print(f"  {labels[name]:<74}{med:>10.3f}{p95:>10.3f}")
    print(f"street officer '{data.street_username}' (last street) — {per_street:,} households in scope")
    for name in street:
        med, p95 = stat(t_street, name)
        print(f"  {labels[name]:<74}{med:>10.3f}{p95:>10.3f}")
    print()

    def ratio(times, orm_name, sql_name):
        (om, op), (sm, sp) = stat(times, orm_name), stat(times, sql_name)
        return om / sm, op / sp

    r, r95 = ratio(t_grid, "orm_cached", "sql_cached")
    ok = r <= GOAL
    print(f"grid worker ratio orm_cached/sql_cached     median {r:5.2f} (p95 {r95:5.2f})  goal ≤ {GOAL:.1f}  "
          f"{'PASS' if ok else 'FAIL'}")
    for (orm_name, sql_name, who, times) in (("orm_fresh", "sql_fresh", "grid worker", t_grid),
                                             ("orm_queryset", "sql_cached", "grid worker", t_grid),
                                             ("orm_paginator", "sql_cached", "grid worker", t_grid),
                                             ("orm_cached", "sql_window", "grid worker", t_grid),
                                             ("orm_cached", "sql_cached", "street officer", t_street),
                                             ("orm_fresh", "sql_fresh", "street officer", t_street)):
        r, r95 = ratio(times, orm_name, sql_name)
        print(f"{who} ratio {orm_name}/{sql_name:<11} median {r:5.2f} (p95 {r95:5.2f})  (information only)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
