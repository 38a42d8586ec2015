"""`make bench`, requests: 5,000,000 generated 诉求 at city scale, ORM vs hand-written SQL, and filing under load.

Runs against the bench database (``DATABASE_URL``, default ``gongzhi_bench``; created when missing):

0. migrate; the city places (``manage.py generate --scale city``) and the requests
   (``manage.py generate_requests --scale city``: 5,000,000 over 24 months, a community-staff dispatcher) are
   generated unless present; VACUUM ANALYZE.
1. **queue** — the dispatcher's page, as ``workorders.views.request_list`` shows it to community staff:
   ``queries.queue(user)`` (visible open requests, overdue first, then the nearest resolution deadline)
   ``queries.queue_page(user, 1)``: query 1 takes the page's pks and the total (``COUNT(*) OVER ()``) from the
   visible open requests (``visible_ids``: a UNION with one arm per way of seeing), query 2 loads those 20
   rows with their category, place and handler; model instances built, scopes from the session as on every
   request but the first of the day (the user is loaded outside the timed region, as the auth middleware
   does). Against one hand-written psycopg query returning the same 20 rows (request, category, place,
   handler columns) and the total: the same UNION of the ways of seeing (each arm on its own index), read
   once, counted, the top 20 sorted and joined. Goal: ORM/SQL median ≤ 2.0. For information: Django's
   two-query ``Paginator`` over ``queue()``, and the single-OR shape of ``visible_to`` written out by hand
   (what the UNION saves).
2. **rates** — 三率 for a whole street for last month: ``queries.rates(street officer, month=…,
   by="community")`` (settings row, the aggregate, labels and households: 4 queries) against one raw SQL
   statement computing the same numbers (counts, households, average hours, the rates). Goal ≤ 1.5.
3. **filing** — 300 residents (accounts of one community, made once and kept: ``bench_city_resident_NNN``)
   sign in and file one request each at the same moment against the project's gunicorn on 127.0.0.1
   (``BENCH_GUNICORN_WORKERS`` × ``BENCH_GUNICORN_THREADS``), with the login and the form's CSRF token, as a
   browser does: plain threads and ``http.client``, one client per resident, every socket and wait bounded.
   Then: exactly 300 new requests, 300 distinct numbers, one per resident and the one each client was sent
   to, no errors. The requests, their inbox rows, sessions and axes log rows are deleted afterwards (and any
   left by an interrupted run before), so reruns start alike; the audit Events stay (append-only).

Rows and numbers are asserted identical between ORM and SQL before timing. Prints median / p95 per
scenario and PASS/FAIL per goal; exit status 1 when a goal is missed. Runs on its own
(``python bench/requests_bench.py``), from ``make bench`` (``BENCHES``) or as ``requests_bench.main()``.
The SQL side uses the app's connection settings (client-side binding, no automatic PREPARE). Results and
the analysis of the misses: docs/bench.md, "Requests".

``BENCH_QUEUE_REPEAT`` (default 100), ``BENCH_RATES_REPEAT`` (20), ``BENCH_RESIDENTS`` (300),
``BENCH_SKIP`` (comma-separated: queue, rates, filing).
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import app_connection, ensure_database, pct  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi_bench")
os.environ.setdefault("DEBUG", "0")

QUEUE_GOAL = 2.0
RATES_GOAL = 1.5
QUEUE_REPEAT = int(os.environ.get("BENCH_QUEUE_REPEAT", "100"))
RATES_REPEAT = int(os.environ.get("BENCH_RATES_REPEAT", "20"))
RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "300"))
SKIP = {s.strip() for s in os.environ.get("BENCH_SKIP", "").split(",") if s.strip()}
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "4"))
PAGE_SIZE = 20
SOCKET_TIMEOUT = 120.0  # seconds, any one HTTP exchange
PHASE_TIMEOUT = 300.0  # seconds, all sign-ins / all filings
RESIDENT_PREFIX = "bench_city_resident_"

# (seconds, count, rows)
Timed = Callable[[], tuple[float, int, list]]






def measure(scenarios: dict[str, Timed], repeat: int, warmup: int) -> dict[str, list[float]]:
    """Interleaved runs (load on the machine hits every scenario alike); milliseconds."""
    times: dict[str, list[float]] = {k: [] for k in scenarios}
    for i in range(warmup + repeat):
        for name, fn in scenarios.items():
            elapsed, _n, _rows = fn()
            if i >= warmup:
                times[name].append(elapsed * 1000)
    return times


def stat(times: dict[str, list[float]], name: str) -> tuple[float, float]:
    return statistics.median(times[name]), pct(times[name], 0.95)


def ratio(times, orm_name: str, sql_name: str) -> tuple[float, float]:
    (om, op), (sm, sp) = stat(times, orm_name), stat(times, sql_name)
    return om / sm, op / sp


def previous_month(day: datetime.date) -> datetime.date:
    first = day.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


class Report:
    def __init__(self):
        self.goals: list[tuple[str, bool]] = []

    def table(self, title: str, labels: dict[str, str], times: dict[str, list[float]]) -> None:
        print(title)
        for name, label in labels.items():
            if name in times:
                med, p95 = stat(times, name)
                print(f"  {label:<78}{med:>10.3f}{p95:>10.3f}")

    def goal(self, label: str, value: float, p95: float, goal: float) -> None:
        ok = value <= goal
        self.goals.append((label, ok))
        print(f"{label:<44} median {value:5.2f} (p95 {p95:5.2f})  goal ≤ {goal:.1f}  {'PASS' if ok else 'FAIL'}")

    def check(self, label: str, ok: bool, detail: str) -> None:
        self.goals.append((label, ok))
        print(f"{label:<44} {detail}  {'PASS' if ok else 'FAIL'}")


# ====================================================================== setup


def setup():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.workorders.generate import generate_requests
    from gongzhi.workorders.models import ServiceSettings

    print(f"Database: {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']}")
    call_command("migrate", verbosity=0, interactive=False)
    data = generate_requests("city", progress=print)
    ServiceSettings.current()  # rates() would create it on its first call: not inside the timing
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        for table in ("workorders_request", "places_place", "people_position", "people_person",
                      "people_organisation", "people_householdmember", "people_managementassignment",
                      "workorders_whistle", "auth_user"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"VACUUM ANALYZE in {time.monotonic() - t0:.1f} s")
    return data


def session_helpers():
    from django.contrib.auth import SESSION_KEY, get_user_model

    from gongzhi.core.scope import SESSION_SCOPES_KEY, scope_session, user_scopes

    User = get_user_model()

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

    return load_user, stored_session


def session_scopes(blob: str, user_id: int, roles) -> tuple[list[str], list[int]]:
    """From the session's JSON: the folded scope paths of ``roles`` and every post's organisation —
    what ``core.scope.in_scopes`` and ``Request.objects.visible_to`` take from the cached scopes."""
    from gongzhi.core.roles import Role
    from gongzhi.core.scope import SESSION_SCOPES_KEY
    from gongzhi.people.roles import role_of_title

    rows = json.loads(blob)[SESSION_SCOPES_KEY]["rows"]
    paths = sorted({path for title, _pid, path, _org, _name in rows
                    if (role_of_title(title) if title else Role.RESIDENT) in roles})
    folded: list[str] = []
    for p in paths:
        if not folded or not p.startswith(folded[-1]):
            folded.append(p)
    return folded, [org for _t, _p, _path, org, _name in rows if org]


def visibility_sql(alias: str, place_alias: str, paths: list[str], orgs: list[int], user_id: int) -> tuple[str, dict]:
    """``Request.objects.visible_to(user)`` by hand: place in a scope subtree, filed or reported by the
    user, handled by one of the user's organisations, or whistled to one of them (named parameters)."""
    params: dict = {f"scope{i}": p + "%" for i, p in enumerate(paths)}
    scope = " OR ".join(f"{place_alias}.path LIKE %(scope{i})s" for i in range(len(paths))) or "false"
    sql = (f"({scope} OR {alias}.reporter_id IN (SELECT id FROM people_person WHERE user_id = %(uid)s)"
           f" OR {alias}.filed_by_id = %(uid)s OR {alias}.handler_id = ANY(%(orgs)s)"
           f" OR {alias}.id IN (SELECT request_id FROM workorders_whistle WHERE department_id = ANY(%(orgs)s)))")
    return sql, {**params, "uid": user_id, "orgs": orgs}


# ====================================================================== 1. the dispatcher's queue


def bench_queue(data, pg, report: Report) -> None:
    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator
    from django.utils import timezone

    from gongzhi.core.scope import scope_session
    from gongzhi.people.models import Organisation
    from gongzhi.places.models import Place
    from gongzhi.workorders.models import AWAITING_RESPONSE, PLACE_ROLES, UNRESOLVED, Category, Request
    from gongzhi.workorders.queries import queue, queue_page

    load_user, stored_session = session_helpers()
    uid = get_user_model().objects.get(username=data.community_username).pk
    blob = stored_session(uid)
    now = timezone.now()  # one instant for both sides: deadlines pass while the bench runs

    models = (Request, Category, Place, Organisation)
    fields = {m: [f.attname for f in m._meta.concrete_fields] for m in models}
    widths = [len(fields[m]) for m in models]

    def orm_rows(objs) -> list[tuple]:
        out = []
        for o in objs:
            row = tuple(getattr(o, f) for f in fields[Request])
            row += tuple(getattr(o.category, f) for f in fields[Category])
            row += tuple(getattr(o.place, f) for f in fields[Place])
            row += (tuple(getattr(o.handler, f) for f in fields[Organisation]) if o.handler is not None
                    else (None,) * widths[3])
            out.append(row)
        return out

    # ------------------------------------------------------------ ORM, as the view runs it
    def orm(paginator=None) -> Timed:
        def run():
            user = load_user(uid)  # a fresh user each request: no per-object scope cache
            t = time.perf_counter()
            with scope_session(json.loads(blob)):
                if paginator is None:  # as request_list runs it
                    page = queue_page(user, 1, per_page=PAGE_SIZE, now=now)
                else:
                    page = paginator(queue(user, now=now), PAGE_SIZE).get_page(1)
                objs = list(page.object_list)  # the template iterates the page
                count = page.paginator.count
            return time.perf_counter() - t, count, objs
        return run

    # ------------------------------------------------------------ hand-written SQL
    def cols(alias: str, model) -> str:
        return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)

    select = ", ".join([cols("r", Request), cols("c", Category), cols("p", Place), cols("o", Organisation)])
    unresolved = sorted(str(s) for s in UNRESOLVED)
    awaiting = sorted(str(s) for s in AWAITING_RESPONSE)
    overdue = ("CASE WHEN (r.status = ANY(%(awaiting)s) AND r.response_due_at < %(now)s)"
               " OR (r.status = ANY(%(unresolved)s) AND r.resolution_due_at < %(now)s) THEN 1 ELSE 0 END")

    joins = ("JOIN workorders_category c ON c.id = r.category_id JOIN places_place p ON p.id = r.place_id "
             "LEFT JOIN people_organisation o ON o.id = r.handler_id")

    def sql() -> Timed:
        """By hand: the visible open requests as a UNION of the ways of seeing one (each arm on its own
        index, the status filter in every arm), read once, counted, the top 20 sorted and joined."""
        def run():
            t = time.perf_counter()
            paths, orgs = session_scopes(blob, uid, PLACE_ROLES)
            params = {"now": now, "awaiting": awaiting, "unresolved": unresolved, "uid": uid, "orgs": orgs,
                      **{f"scope{i}": p + "%" for i, p in enumerate(paths)}}
            open_ = "r.status = ANY(%(unresolved)s)"
            arms = [f"SELECT r.id FROM places_place p JOIN workorders_request r ON r.place_id = p.id "
                    f"WHERE p.path LIKE %(scope{i})s AND {open_}" for i in range(len(paths))]
            arms += [f"SELECT r.id FROM people_person pe JOIN workorders_request r ON r.reporter_id = pe.id "
                     f"WHERE pe.user_id = %(uid)s AND {open_}",
                     f"SELECT r.id FROM workorders_request r WHERE r.filed_by_id = %(uid)s AND {open_}",
                     f"SELECT r.id FROM workorders_request r WHERE r.handler_id = ANY(%(orgs)s) AND {open_}",
                     f"SELECT w.request_id FROM workorders_whistle w JOIN workorders_request r ON r.id = w.request_id "
                     f"WHERE w.department_id = ANY(%(orgs)s) AND {open_}"]
            q = (f"WITH v AS ({' UNION '.join(arms)}), "
                 f"top AS (SELECT r.id, {overdue} AS overdue, r.resolution_due_at FROM v "
                 f"JOIN workorders_request r ON r.id = v.id "
                 f"ORDER BY 2 DESC, r.resolution_due_at ASC NULLS LAST, r.id LIMIT {PAGE_SIZE}) "
                 f"SELECT {select}, (SELECT count(*) FROM v) FROM top JOIN workorders_request r ON r.id = top.id "
                 f"{joins} ORDER BY top.overdue DESC, top.resolution_due_at ASC NULLS LAST, top.id")
            rows = pg.execute(q, params).fetchall()
            return time.perf_counter() - t, (rows[0][-1] if rows else 0), [r[:-1] for r in rows]
        return run

    def sql_same_shape() -> Timed:
        """The ORM's query written out: the same OR over the joined place, the same (SELECT count(*) …)."""
        def run():
            t = time.perf_counter()
            paths, orgs = session_scopes(blob, uid, PLACE_ROLES)
            visible, vparams = visibility_sql("r", "p", paths, orgs, uid)
            params = {"now": now, "awaiting": awaiting, "unresolved": unresolved, **vparams}
            where = f"r.status = ANY(%(unresolved)s) AND {visible}"
            q = (f"SELECT {select}, (SELECT count(*) FROM workorders_request r "
                 f"JOIN places_place p ON p.id = r.place_id WHERE {where}) "
                 f"FROM workorders_request r {joins} WHERE {where} "
                 f"ORDER BY {overdue} DESC, r.resolution_due_at ASC NULLS LAST, r.id LIMIT {PAGE_SIZE}")
            rows = pg.execute(q, params).fetchall()
            return time.perf_counter() - t, (rows[0][-1] if rows else 0), [r[:-1] for r in rows]
        return run

    scenarios = {"orm": orm(), "sql": sql(), "orm_paginator": orm(Paginator), "sql_same_shape": sql_same_shape()}

    # same answers first
    _t, expected, objs = scenarios["orm"]()
    ref = orm_rows(objs)
    for name, fn in scenarios.items():
        _t, n, got = fn()
        rows = orm_rows(got) if name.startswith("orm") else [tuple(r) for r in got]
        assert n == expected, ("queue", name, n, expected)
        assert rows == ref, f"queue {name}: rows differ from the ORM's"
    assert len(ref) == min(PAGE_SIZE, expected) and expected > PAGE_SIZE, expected
    number = fields[Request].index("number")
    n_overdue = Request.objects.filter(pk__in=[r[0] for r in ref]).overdue(now).count()
    print(f"queue: rows identical in all scenarios — {expected:,} open requests visible, page 1 = {len(ref)} "
          f"({ref[0][number]} … {ref[-1][number]}, {n_overdue} of them overdue)")

    times = measure(scenarios, QUEUE_REPEAT, 20)
    labels = {
        "orm": "ORM: scopes from session + queue_page() p.1 (statement: pks + COUNT OVER; then 20 rows)",
        "sql": "SQL psycopg: UNION of the ways of seeing, read once, counted, top 20 (1 query)",
        "orm_paginator": "ORM: Django's Paginator over queue() (COUNT + page: 2 queries)",
        "sql_same_shape": "SQL psycopg: visible_to's shape written out (OR over the join, count subquery)",
    }
    print()
    print(f"{'dispatcher queue':<80}{'median ms':>10}{'p95 ms':>10}")
    report.table(f"community staff '{data.community_username}' — {expected:,} open requests in scope, "
                 f"{QUEUE_REPEAT} runs each", labels, times)
    r, r95 = ratio(times, "orm", "sql")
    report.goal("queue ratio orm/sql", r, r95, QUEUE_GOAL)
    for orm_name, sql_name in (("orm_paginator", "sql"), ("orm", "sql_same_shape")):
        r, r95 = ratio(times, orm_name, sql_name)
        print(f"  (information) {orm_name}/{sql_name:<13} median {r:5.2f} (p95 {r95:5.2f})")
    print()


# ====================================================================== 2. 三率 for a street


def bench_rates(data, pg, report: Report) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gongzhi.core.scope import scope_session
    from gongzhi.places.models import STEP
    from gongzhi.workorders.models import PLACE_ROLES, Status
    from gongzhi.workorders.queries import month_bounds, rates

    load_user, stored_session = session_helpers()
    uid = get_user_model().objects.get(username=data.street_username).pk
    blob = stored_session(uid)
    now = timezone.now()
    month = previous_month(timezone.localdate(now))
    start, end = month_bounds(month)
    width = 3 * STEP

    def orm() -> Timed:
        def run():
            user = load_user(uid)
            t = time.perf_counter()
            with scope_session(json.loads(blob)):
                rows = rates(user, month=month, by="community", now=now)
            return time.perf_counter() - t, len(rows), rows
        return run

    out_of_scope = [str(Status.REJECTED), str(Status.MERGED)]

    def sql() -> Timed:
        """By hand, one statement: the month's visible requests aggregated per community with the settings
        row joined in; the communities' names and households read from the scope's subtrees (index-only
        ranges), the rates divided in SQL. (Groups outside the scope subtrees — requests seen only as
        handler, filer, reporter or whistled department — would need their own household count: there are
        none here, and the comparison with the ORM would show it.)"""
        def run():
            t = time.perf_counter()
            paths, orgs = session_scopes(blob, uid, PLACE_ROLES)
            visible, vparams = visibility_sql("r", "p", paths, orgs, uid)
            subtrees = " OR ".join(f"x.path LIKE %(scope{i})s" for i in range(len(paths))) or "false"
            # one grouped pass over the month's visible requests, the subtrees' households and the
            # communities' names together (no join of grouped sets, whose estimates would explode)
            q = f"""
            WITH cfg AS (SELECT satisfied_min, basic_satisfied_score, basic_satisfied_weight, unrated_in_denominator
                           FROM workorders_servicesettings WHERE id = 1),
            g AS (
              SELECT u.key, max(u.name) AS name, count(*) FILTER (WHERE u.src = 'h') AS households,
                count(*) FILTER (WHERE u.src = 'r') AS total,
                count(*) FILTER (WHERE u.status <> ALL(%(out)s)
                                 AND (u.first_accepted_at IS NOT NULL OR u.response_due_at < %(now)s)) AS response_base,
                count(*) FILTER (WHERE u.first_accepted_at IS NOT NULL AND NOT u.response_overdue) AS responded,
                count(*) FILTER (WHERE u.status <> ALL(%(out)s)
                                 AND (u.first_resolved_at IS NOT NULL OR u.resolution_due_at < %(now)s)) AS resolution_base,
                count(*) FILTER (WHERE u.first_resolved_at IS NOT NULL) AS resolved,
                count(*) FILTER (WHERE u.first_resolved_at IS NOT NULL AND NOT u.resolution_overdue) AS on_time,
                count(*) FILTER (WHERE u.rating IS NOT NULL) AS rated,
                count(*) FILTER (WHERE u.unrated AND u.rating IS NULL) AS unrated,
                count(*) FILTER (WHERE u.rating >= cfg.satisfied_min) AS satisfied,
                count(*) FILTER (WHERE u.rating = cfg.basic_satisfied_score AND u.rating < cfg.satisfied_min) AS basic,
                count(*) FILTER (WHERE u.first_rating IS NOT NULL) AS first_rated,
                count(*) FILTER (WHERE u.first_rating >= cfg.satisfied_min) AS first_satisfied,
                count(*) FILTER (WHERE u.reopen_count > 0 AND u.first_resolved_at IS NOT NULL) AS reopened,
                extract(epoch FROM avg(u.first_resolved_at - u.created_at)
                        FILTER (WHERE u.first_resolved_at IS NOT NULL)) / 3600 AS avg_hours
              FROM (
                SELECT 'r' AS src, substr(p.path, 1, {width}) AS key, NULL::text AS name, r.status,
                       r.first_accepted_at, r.response_due_at, r.response_overdue, r.first_resolved_at,
                       r.resolution_due_at, r.resolution_overdue, r.rating, r.unrated, r.first_rating, r.reopen_count,
                       r.created_at
                  FROM workorders_request r JOIN places_place p ON p.id = r.place_id
                 WHERE r.created_at >= %(start)s AND r.created_at < %(end)s AND {visible}
                UNION ALL
                SELECT 'h', substr(x.path, 1, {width}), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       NULL, NULL, NULL
                  FROM places_place x WHERE x.kind = 'household' AND ({subtrees})
                UNION ALL
                SELECT 'c', x.path, x.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
                  FROM places_place x WHERE x.kind = 'community' AND ({subtrees})
              ) u CROSS JOIN cfg
              GROUP BY u.key)
            SELECT g.key, coalesce(g.name, g.key), g.households, g.total, g.response_base, g.responded,
                   g.resolution_base, g.resolved, g.on_time, g.rated, g.unrated, g.satisfied, g.basic, g.first_rated,
                   g.first_satisfied, g.reopened, g.avg_hours,
                   g.responded::numeric / nullif(g.response_base, 0),
                   g.resolved::numeric / nullif(g.resolution_base, 0),
                   (g.satisfied + cfg.basic_satisfied_weight * g.basic)
                     / nullif(g.rated + CASE WHEN cfg.unrated_in_denominator THEN g.unrated ELSE 0 END, 0)
              FROM g CROSS JOIN cfg WHERE g.total > 0
             ORDER BY g.key"""
            params = {"out": out_of_scope, "now": now, "start": start, "end": end, **vparams}
            rows = pg.execute(q, params).fetchall()
            return time.perf_counter() - t, len(rows), rows
        return run

    def as_tuple(r) -> tuple:
        return (r.key, r.label, r.households, r.total, r.response_base, r.responded_on_time, r.resolution_base,
                r.resolved, r.resolved_on_time, r.rated, r.unrated, r.satisfied, r.basic_satisfied, r.first_rated,
                r.first_satisfied, r.reopened)

    def close(a, b) -> bool:
        if a is None or b is None:
            return a is None and b is None
        return abs(Decimal(str(a)) - Decimal(str(b))) < Decimal("1e-9")

    scenarios = {"orm": orm(), "sql": sql()}
    _t, n, objs = scenarios["orm"]()
    _t, m, rows = scenarios["sql"]()
    assert n == m > 0, (n, m)
    for o, s in zip(objs, rows, strict=True):
        assert as_tuple(o) == tuple(s[:16]), (as_tuple(o), s[:16])
        assert close(o.avg_hours_to_resolve, s[16]), (o.avg_hours_to_resolve, s[16])
        for a, b in ((o.response_rate, s[17]), (o.resolution_rate, s[18]), (o.satisfaction_rate, s[19])):
            assert close(a, b), (a, b)
    total = sum(o.total for o in objs)
    first = objs[0]
    print(f"rates: numbers identical — {month:%Y-%m}, {n} communities, {total:,} requests; e.g. {first.label}: "
          f"response {first.response_rate:.1%}, resolution {first.resolution_rate:.1%}, "
          f"satisfaction {first.satisfaction_rate:.1%}")

    times = measure(scenarios, RATES_REPEAT, 3)
    labels = {"orm": "ORM: rates(street officer, month, by=community) (4 queries)",
              "sql": "SQL psycopg: one aggregate with labels, households and rates"}
    print()
    print(f"{'三率, a street for a month':<80}{'median ms':>10}{'p95 ms':>10}")
    report.table(f"street officer '{data.street_username}' — {total:,} requests in {month:%Y-%m}, "
                 f"{RATES_REPEAT} runs each", labels, times)
    r, r95 = ratio(times, "orm", "sql")
    report.goal("rates ratio orm/sql", r, r95, RATES_GOAL)
    print()


# ====================================================================== 3. 300 residents filing at once


def residents(data, n: int) -> list[tuple[int, int]]:
    """(user id, household id) of ``n`` resident accounts in the dispatcher's community, made once."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from gongzhi.people.generate import PASSWORD, START
    from gongzhi.people.models import HouseholdMember, Person, Relation
    from gongzhi.places.models import Kind, Place

    User = get_user_model()
    names = [f"{RESIDENT_PREFIX}{i:03d}" for i in range(1, n + 1)]
    have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    missing = [u for u in names if u not in have]
    if missing:
        households = list(Place.objects.filter(path__startswith=data.community_path, kind=Kind.HOUSEHOLD)
                          .order_by("path").values_list("pk", flat=True))
        step = max(1, len(households) // n)
        password = make_password(PASSWORD)  # hashed once: 300 hashes would take minutes
        with transaction.atomic():
            for name in missing:
                i = int(name[len(RESIDENT_PREFIX):])
                home = households[((i - 1) * step) % len(households)]
                user = User.objects.create(username=name, password=password)
                person = Person.objects.create(name=f"基准居民{i:03d}", place_id=home, phone=f"1370000{i:04d}",
                                               user=user)
                HouseholdMember.objects.create(place_id=home, person=person, relation=Relation.OWNER,
                                               start_date=START)
        print(f"filing: {len(missing)} resident accounts created")
    return list(HouseholdMember.objects.filter(person__user__username__in=names)
                .order_by("person__user__username").values_list("person__user_id", "place_id"))


def clean_filings(user_ids: list[int], session_keys=()) -> int:
    """Delete what filing left: the requests (and their inbox rows), the sessions, axes' log rows."""
    from django.contrib.sessions.models import Session

    from gongzhi.notices.models import Notification
    from gongzhi.workorders.models import Request

    pks = list(Request.objects.filter(filed_by_id__in=user_ids).values_list("pk", flat=True))
    Notification.objects.filter(link__in=[f"/requests/{pk}/" for pk in pks]).delete()
    Request.objects.filter(pk__in=pks).delete()
    if session_keys:
        Session.objects.filter(session_key__in=list(session_keys)).delete()
    try:
        from axes.models import AccessAttempt, AccessLog

        AccessLog.objects.filter(username__startswith=RESIDENT_PREFIX).delete()
        AccessAttempt.objects.filter(username__startswith=RESIDENT_PREFIX).delete()
    except ImportError:  # pragma: no cover
        pass
    return len(pks)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The project's gunicorn on 127.0.0.1, pointed at the bench database; stopped by its own pid."""

    def __init__(self, url: str):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="gongzhi-bench-gunicorn-", suffix=".log", delete=False)
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
               "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "gongzhi.wsgi", "-b", f"127.0.0.1:{self.port}",
             "--workers", str(WORKERS), "--threads", str(THREADS), "--timeout", "120", "--backlog", "1024",
             "--graceful-timeout", "10"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log.name}")
            try:
                status, _h, _b = request(self.port, "GET", "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def request(port: int, method: str, path: str, *, body: dict | None = None, cookies: dict | None = None,
            timeout: float = SOCKET_TIMEOUT) -> tuple[int, dict, str]:
    """One HTTP exchange on a fresh loopback connection; returns (status, headers, body), collects cookies."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Host": f"127.0.0.1:{port}"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        if cookies is not None:
            for value in resp.headers.get_all("Set-Cookie") or []:
                name, _eq, rest = value.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, dict(resp.headers), text
    finally:
        conn.close()


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client(threading.Thread):
    """One resident: sign in, wait for everyone, open the form, file once."""

    def __init__(self, port: int, username: str, home: int, barrier: threading.Barrier, n: int):
        super().__init__(daemon=True)
        self.port, self.username, self.home, self.barrier, self.n = port, username, home, barrier, n
        self.cookies: dict[str, str] = {}
        self.login_ms = self.form_ms = self.post_ms = 0.0
        self.location = ""
        self.error = ""

    def run(self):
        from gongzhi.people.generate import PASSWORD

        try:
            t = time.perf_counter()
            status, _h, html = request(self.port, "GET", "/accounts/login/", cookies=self.cookies)
            token = CSRF_FIELD.search(html)
            if status != 200 or token is None:
                raise RuntimeError(f"login page {status}")
            status, headers, _b = request(self.port, "POST", "/accounts/login/", cookies=self.cookies, body={
                "csrfmiddlewaretoken": token.group(1), "username": self.username, "password": PASSWORD})
            if status != 302 or "sessionid" not in self.cookies:
                raise RuntimeError(f"login {status}")
            self.login_ms = (time.perf_counter() - t) * 1000
        except Exception as exc:  # noqa: BLE001 — every failure is counted, not raised
            self.error = f"login: {exc}"
        try:
            self.barrier.wait(timeout=PHASE_TIMEOUT)
        except threading.BrokenBarrierError:
            self.error = self.error or "barrier broken"
        if self.error:
            return
        try:
            t = time.perf_counter()
            status, _h, html = request(self.port, "GET", "/requests/new/", cookies=self.cookies)
            token = CSRF_FIELD.search(html)
            if status != 200 or token is None or f'value="{self.home}"' not in html:
                raise RuntimeError(f"form {status}")
            self.form_ms = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            status, headers, _b = request(self.port, "POST", "/requests/new/", cookies=self.cookies, body={
                "csrfmiddlewaretoken": token.group(1), "category": "utilities", "urgency": "normal",
                "description": f"基准压测：第{self.n}户厨房水管漏水", "place": str(self.home), "address": ""})
            self.post_ms = (time.perf_counter() - t) * 1000
            location = headers.get("Location", "")
            if status != 302 or not re.fullmatch(r"/requests/\d+/", location):
                raise RuntimeError(f"file {status} {location!r}")
            self.location = location
        except Exception as exc:  # noqa: BLE001
            self.error = f"file: {exc}"


def bench_filing(data, url: str, report: Report) -> None:
    from django.db.models import Count
    from django.utils import timezone

    from gongzhi.workorders.models import DailyCounter, Request

    homes = residents(data, RESIDENTS)
    assert len(homes) == RESIDENTS, len(homes)
    user_ids = [u for u, _h in homes]
    left = clean_filings(user_ids)
    if left:
        print(f"filing: removed {left} requests left by an interrupted run")
    usernames = {u: f"{RESIDENT_PREFIX}{i:03d}" for i, (u, _h) in enumerate(homes, start=1)}
    server = Server(url)
    clients: list[Client] = []
    started = timezone.now()
    try:
        server.wait_ready()
        barrier = threading.Barrier(RESIDENTS + 1)
        clients = [Client(server.port, usernames[u], home, barrier, i) for i, (u, home) in enumerate(homes, 1)]
        t0 = time.monotonic()
        for c in clients:
            c.start()
        try:
            barrier.wait(timeout=PHASE_TIMEOUT)  # everyone signed in (or failed)
        except threading.BrokenBarrierError:
            pass
        t_login = time.monotonic() - t0
        t1 = time.monotonic()
        deadline = t1 + PHASE_TIMEOUT
        for c in clients:
            c.join(timeout=max(0.0, deadline - time.monotonic()))
        t_file = time.monotonic() - t1
        hung = sum(c.is_alive() for c in clients)
    finally:
        server.stop()

    errors = [c.error for c in clients if c.error] + ["client still running"] * hung
    filed = Request.objects.filter(filed_by_id__in=user_ids, created_at__gte=started)
    n_rows = filed.count()
    numbers = set(filed.values_list("number", flat=True))
    per_user = dict(filed.values("filed_by_id").annotate(n=Count("pk")).values_list("filed_by_id", "n"))
    sent_to = {c.location for c in clients if c.location}
    row_links = {f"/requests/{pk}/" for pk in filed.values_list("pk", flat=True)}
    today = timezone.localdate()
    counter = DailyCounter.objects.filter(day=today).values_list("value", flat=True).first() or 0
    top = max((int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith(f"GZ-{today:%Y%m%d}-")), default=0)
    post = [c.post_ms for c in clients if c.location]
    login = [c.login_ms for c in clients if c.login_ms]

    print(f"{'filing under load':<80}{'median ms':>10}{'p95 ms':>10}")
    print(f"{RESIDENTS} residents, gunicorn {WORKERS} workers × {THREADS} threads on 127.0.0.1:{server.port}; "
          f"sign-in phase {t_login:.1f} s, filing phase {t_file:.1f} s "
          f"({len(post) / t_file if t_file else 0:.0f} requests/s)")
    for label, values in (("sign in (GET form + POST, one PBKDF2 hash each; all at once)", login),
                          ("open the form (GET /requests/new/)", [c.form_ms for c in clients if c.form_ms]),
                          ("file (POST /requests/new/ → 302), all at the same moment", post)):
        if values:
            print(f"  {label:<78}{statistics.median(values):>10.1f}{pct(values, 0.95):>10.1f}")
    if errors:
        print(f"  errors ({len(errors)}): " + "; ".join(sorted(set(errors))[:5]) + f" — gunicorn log: {server.log.name}")
    else:
        os.unlink(server.log.name)
    ok_rows = n_rows == RESIDENTS and len(numbers) == RESIDENTS
    ok_each = len(per_user) == RESIDENTS and set(per_user.values()) == {1} and sent_to == row_links
    report.check("filing: requests / distinct numbers", ok_rows,
                 f"{n_rows} / {len(numbers)} of {RESIDENTS} (counter {counter}, highest today {top})")
    report.check("filing: one per resident, as redirected", ok_each and counter >= top,
                 f"{len(per_user)} residents, {len(sent_to)} redirects = rows: {sent_to == row_links}")
    report.check("filing: errors", not errors, f"{len(errors)}")
    removed = clean_filings(user_ids, {c.cookies.get("sessionid") for c in clients if c.cookies.get("sessionid")})
    print(f"  cleaned up: {removed} requests, their inbox rows and sessions (audit events stay)")
    print()


# ====================================================================== main


def main() -> int:
    url = os.environ["DATABASE_URL"]
    ensure_database(url)
    data = setup()

    report = Report()
    print()
    print(f"Requests data set: {data.count:,} requests, {data.companies:,} property companies. Page size "
          f"{PAGE_SIZE}.")
    # the app's connection settings (as bench/run.py): Django binds parameters on the client (ClientCursor)
    # and never prepares. With psycopg's automatic PREPARE (after a query's 5th run) PostgreSQL switches to
    # a generic plan and the two sides are no longer planned alike (measured: the rates SQL dropped from
    # ~530 to ~305 ms mid-run, on an index scan the plan for the literal values does not choose).
    with app_connection(url) as pg:
        if "queue" not in SKIP:
            bench_queue(data, pg, report)
        if "rates" not in SKIP:
            bench_rates(data, pg, report)
    if "filing" not in SKIP:
        bench_filing(data, url, report)
    failed = [label for label, ok in report.goals if not ok]
    print("FAIL: " + ", ".join(failed) if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
