"""`make load`: a bounded loopback load test — 100 residents filing requests and 10 dispatchers dispatching them,
against the project's gunicorn on 127.0.0.1, for ``LOAD_SECONDS`` (default 120).

1. a fresh database: SQLite in a temporary directory by default, or PostgreSQL when ``LOAD_URL`` names one (the
   database is dropped and created again: give it a name of its own, e.g. ``gongzhi_load``); migrate, seed the
   demo street (``manage.py seed_demo``);
2. 100 resident accounts on the demo street's households (owners who had none), each with a 读写 API token, and 10
   street dispatchers (the demo ``street`` account's posts) with theirs;
3. gunicorn (``LOAD_WORKERS`` × ``LOAD_THREADS``, default 2 × 8) on a free port; every filer loops
   ``POST /api/requests`` (JSON, its own household), every dispatcher loops ``GET /api/requests?status=submitted``
   then ``POST /api/requests/{id}/dispatch`` to an organisation serving the place (two dispatchers racing for
   one request: the second gets 409, which is counted, not an error); every socket bounded;
4. then, in the database: every 201 answer's request exists exactly once with the id and number it was
   answered with, no request was written that was not answered 201, and no number repeats.

Prints answers by status, throughput and p50 / p95 latency per kind. Exit status 1 on any 5xx, any connection
error or timeout, or any request lost or duplicated. Not part of ``make test``.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECONDS = float(os.environ.get("LOAD_SECONDS", "120"))
FILERS = int(os.environ.get("LOAD_FILERS", "100"))
DISPATCHERS = int(os.environ.get("LOAD_DISPATCHERS", "10"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))
THREADS = int(os.environ.get("LOAD_THREADS", "8"))
TIMEOUT = 60.0
URL = os.environ.get("LOAD_URL", "")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fresh_database(tmp: Path) -> dict[str, str]:
    """The environment for the app: a new SQLite file, or the PostgreSQL database of LOAD_URL dropped and made."""
    env = {"GONGZHI_DEV": "1", "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
           "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING", "MEDIA_ROOT": str(tmp / "media")}
    if not URL:
        env["SQLITE_PATH"] = str(tmp / "load.sqlite3")
        os.environ.pop("DATABASE_URL", None)
        return env
    import psycopg

    parts = urlsplit(URL)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"LOAD_URL must be a postgres:// URL, not {URL!r}")
    name = parts.path.lstrip("/")
    if not name or name in {"postgres", "template0", "template1"}:
        sys.exit(f"LOAD_URL must name a database of its own (it is dropped and created): {URL!r}")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = URL
    return env


def manage(*args: str) -> None:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def accounts() -> tuple[list[tuple[str, int]], list[str], dict[int, int], int]:
    """(filer key, household id) ×FILERS, dispatcher keys ×DISPATCHERS, household → an organisation to dispatch
    to, and the highest request id before the run."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections, transaction
    from django.utils import timezone

    from gongzhi.people.models import ApiToken, HouseholdMember, Person, Position, Relation
    from gongzhi.workorders.models import Request
    from gongzhi.workorders.queries import dispatch_targets_at

    User = get_user_model()
    expires = timezone.now() + datetime.timedelta(days=1)
    filers, dispatchers, targets = [], [], {}
    with transaction.atomic():
        owners = list(HouseholdMember.objects.filter(relation=Relation.OWNER, person__user__isnull=True,
                                                     end_date__isnull=True)
                      .select_related("person", "place").order_by("place__path")[:FILERS * 5:5])
        if len(owners) < FILERS:
            sys.exit(f"the demo street has only {len(owners)} owners without an account, {FILERS} needed")
        for i, m in enumerate(owners):
            user = User.objects.create_user(username=f"load_resident_{i:03d}", password=None)
            Person.objects.filter(pk=m.person_id).update(user=user)
            _t, key = ApiToken.issue(user, "load", scope=ApiToken.Scope.WRITE, expires_at=expires)
            filers.append((key, m.place_id))
            if m.place_id not in targets:
                org = dispatch_targets_at(m.place).first()
                if org is None:
                    sys.exit(f"no organisation to dispatch to at {m.place}")
                targets[m.place_id] = org.pk
        street = User.objects.get(username="street")
        posts = list(Position.objects.filter(person__user=street, end_date__isnull=True))
        for i in range(DISPATCHERS):
            user = User.objects.create_user(username=f"load_dispatcher_{i:02d}", password=None)
            person = Person.objects.create(name=f"压测派单员{i:02d}", user=user, place=posts[0].place)
            for p in posts:
                Position.objects.create(person=person, organisation=p.organisation, title=p.title, place=p.place)
            _t, key = ApiToken.issue(user, "load", scope=ApiToken.Scope.WRITE, expires_at=expires)
            dispatchers.append(key)
        last = Request.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connections.close_all()
    return filers, dispatchers, targets, last


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection to the server; reconnects after an error."""

    def __init__(self, port: int, key: str):
        self.port, self.key, self.conn = port, key, None

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw[:200]
        return resp.status, payload


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.status: Counter[tuple[str, object]] = Counter()
        self.latency: dict[str, list[float]] = {"file": [], "list": [], "dispatch": []}
        self.accepted: list[tuple[int, str]] = []
        self.samples: list[str] = []

    def add(self, kind: str, status: object, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.status[(kind, status)] += 1
            self.latency[kind].append(seconds)
            if detail and len(self.samples) < 10:
                self.samples.append(f"{kind} {status}: {detail[:200]}")


def timed(stats: Stats, kind: str, client: Client, method: str, path: str, body=None):
    start = time.perf_counter()
    try:
        status, payload = client.call(method, path, body)
    except (OSError, http.client.HTTPException) as exc:
        stats.add(kind, type(exc).__name__, time.perf_counter() - start, str(exc))
        return None, None
    stats.add(kind, status, time.perf_counter() - start, str(payload) if status >= 500 else "")
    return status, payload


def filer(port: int, key: str, place: int, deadline: float, stats: Stats, start: threading.Barrier) -> None:
    client = Client(port, key)
    start.wait()
    n = 0
    while time.monotonic() < deadline:
        n += 1
        status, payload = timed(stats, "file", client, "POST", "/api/requests",
                                {"category": "utilities", "description": f"压测：水管漏水 {n}", "place": place})
        if status == 201 and isinstance(payload, dict):
            with stats.lock:
                stats.accepted.append((payload["id"], payload["number"]))


def dispatcher(port: int, key: str, targets: dict[int, int], deadline: float, stats: Stats,
               start: threading.Barrier, seed: int) -> None:
    client = Client(port, key)
    rng = random.Random(seed)
    start.wait()
    while time.monotonic() < deadline:
        status, payload = timed(stats, "list", client, "GET", "/api/requests?status=submitted&limit=20")
        rows = payload.get("items", []) if status == 200 and isinstance(payload, dict) else []
        rows = [r for r in rows if r.get("place_id") in targets]
        if not rows:
            time.sleep(0.05)
            continue
        row = rng.choice(rows)
        timed(stats, "dispatch", client, "POST", f"/api/requests/{row['id']}/dispatch",
              {"organisation": targets[row["place_id"]], "note": "压测派单"})


def verify(accepted: list[tuple[int, str]], before: int) -> list[str]:
    from django.db import connections

    from gongzhi.workorders.models import Request

    problems = []
    ids = [i for i, _n in accepted]
    numbers = [n for _i, n in accepted]
    if len(set(ids)) != len(ids):
        problems.append(f"{len(ids) - len(set(ids))} ids answered twice")
    if len(set(numbers)) != len(numbers):
        problems.append(f"{len(numbers) - len(set(numbers))} numbers answered twice")
    stored = dict(Request.objects.filter(pk__gt=before).values_list("pk", "number"))
    lost = [i for i, n in accepted if stored.get(i) != n]
    if lost:
        problems.append(f"{len(lost)} accepted requests missing or with another number, e.g. {lost[:5]}")
    unanswered = set(stored) - set(ids)
    if unanswered:
        problems.append(f"{len(unanswered)} requests written that were not answered 201, e.g. {sorted(unanswered)[:5]}")
    if len(set(stored.values())) != len(stored):
        problems.append("request numbers repeat in the database")
    connections.close_all()
    return problems


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="gongzhi-load-"))
    vendor = "PostgreSQL" if URL else "SQLite"
    env = fresh_database(tmp)
    os.environ.update(env)
    t0 = time.monotonic()
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo")
    filers, dispatchers, targets, before = accounts()
    print(f"{vendor}: fresh database migrated and seeded, {len(filers)} filers and {len(dispatchers)} dispatchers "
          f"with write tokens ({time.monotonic() - t0:.0f} s)")

    port = free_port()
    log = open(tmp / "gunicorn.log", "wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "gongzhi.wsgi", "-b", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--threads", str(THREADS), "--timeout", "120", "--backlog", "2048",
         "--graceful-timeout", "10", "--keep-alive", "30"],
        cwd=ROOT, env={**os.environ}, stdout=log, stderr=subprocess.STDOUT)
    try:
        ready = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                print(f"gunicorn exited ({server.returncode}); see {log.name}")
                return 1
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > ready:
                print(f"gunicorn not ready after 60 s; see {log.name}")
                return 1
            time.sleep(0.2)

        stats = Stats()
        start = threading.Barrier(len(filers) + len(dispatchers) + 1)
        deadline_box: list[float] = []
        threads = []

        for key, place in filers:
            threads.append(threading.Thread(target=lambda k=key, p=place: filer(port, k, p, deadline_box[0], stats,
                                                                               start), daemon=True))
        for i, key in enumerate(dispatchers):
            threads.append(threading.Thread(target=lambda k=key, s=i: dispatcher(port, k, targets, deadline_box[0],
                                                                                stats, start, s), daemon=True))
        deadline_box.append(time.monotonic() + SECONDS + 1)
        for t in threads:
            t.start()
        start.wait()
        began = time.monotonic()
        print(f"running {SECONDS:.0f} s against gunicorn {WORKERS}×{THREADS} on 127.0.0.1:{port} …", flush=True)
        for t in threads:
            t.join(timeout=SECONDS + TIMEOUT + 30)
        elapsed = time.monotonic() - began
        stuck = sum(t.is_alive() for t in threads)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
        log.close()

    problems = verify(stats.accepted, before)
    print(f"\n{vendor}, {elapsed:.1f} s, {len(filers)} filers + {len(dispatchers)} dispatchers")
    print("answers by status:")
    for (kind, status), n in sorted(stats.status.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        print(f"  {kind:9} {status!s:22} {n:7d}")
    total = sum(stats.status.values())
    filed = len(stats.accepted)
    dispatched = stats.status[("dispatch", 200)]
    print(f"throughput: {filed / elapsed:.1f} filings/s, {dispatched / elapsed:.1f} dispatches/s, "
          f"{total / elapsed:.1f} requests/s in all")
    for kind, values in stats.latency.items():
        print(f"latency {kind:9} p50 {pct(values, 0.5) * 1000:7.0f} ms   p95 {pct(values, 0.95) * 1000:7.0f} ms"
              f"   ({len(values)})")
    errors = {k: n for k, n in stats.status.items() if not isinstance(k[1], int) or k[1] >= 500}
    if errors:
        problems.append(f"{sum(errors.values())} server errors or failed connections: {errors}")
    if stuck:
        problems.append(f"{stuck} client threads still waiting at the end")
    if filed == 0:
        problems.append("no request was accepted")
    for s in stats.samples:
        print("  e.g. " + s)
    if problems:
        print("FAIL: " + "; ".join(problems) + f" (gunicorn log: {log.name})")
        return 1
    print(f"PASS: all {filed} accepted requests exist exactly once with their numbers; no 5xx, no lost connection")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
