"""SIGKILL in the middle of an import: the worker is a real ``manage.py run_imports`` process, killed with -9
while it validates and while it writes. Nothing of the file is in the database, the job is reclaimed by the
tick once its heartbeat is stale, and the re-run writes every row exactly once.

PostgreSQL only: the worker process must see the test's committed rows (the SQLite test database is in memory)."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from gongzhi.places import jobs
from gongzhi.places.imports import PLACE_COLUMNS, create_import
from gongzhi.places.models import ImportJob, ImportStatus, Kind, Place

from .xlsx import xlsx

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs PostgreSQL")
ROOT = Path(__file__).resolve().parent.parent


def _rows(units: int = 16, per: int = 500) -> list[list]:
    rows = [["小区", "大苑", "K1", "G1", None, None, None], ["楼栋", "1号楼", "K1-1", "K1", None, None, None]]
    for u in range(1, units + 1):
        rows.append(["单元", f"{u}单元", f"K1-1-{u}", "K1-1", None, None, None])
        rows += [["户", str(n), f"K1-1-{u}-{n}", f"K1-1-{u}", None, 80, None] for n in range(1, per)]
    return rows


def _worker(tmp_path) -> subprocess.Popen:
    db = django_settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path), "IMPORTS_INLINE": "0"}
    return subprocess.Popen([sys.executable, "manage.py", "run_imports", "--once"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_when(proc: subprocess.Popen, job: ImportJob, ready, timeout: float = 120) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if ready(job):
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            job.refresh_from_db()
            return job
        if proc.poll() is not None:
            pytest.fail(f"the worker finished before it could be killed: {job.status}")
        time.sleep(0.01)
    proc.kill()
    pytest.fail("the worker never reached the point to kill it at")


@pytest.mark.parametrize("moment", ["validating", "writing"])
def test_a_worker_killed_mid_import_leaves_nothing_and_the_job_reruns_once(transactional_db, tree, community_staff,
                                                                           settings, tmp_path, moment):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORTS_INLINE = False
    rows = _rows()
    job = create_import(kind="places", upload=xlsx(PLACE_COLUMNS, rows), place=tree["community"],
                        by=community_staff)
    before = Place.objects.count()
    proc = _worker(tmp_path)
    if moment == "validating":
        job = _kill_when(proc, job, lambda j: j.status == ImportStatus.VALIDATING and j.processed_rows > 0)
    else:
        job = _kill_when(proc, job, lambda j: j.status == ImportStatus.WRITING)
    # killed: the job still says it is running, nothing of the file is written
    assert job.status in (ImportStatus.VALIDATING, ImportStatus.WRITING)
    assert Place.objects.count() == before
    assert not Place.objects.filter(code="K1").exists()
    # while its heartbeat is fresh the tick leaves it alone; once stale it is queued again and re-run
    assert jobs.reclaim_stale_imports() == 0
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=settings.IMPORT_STALE_MINUTES + 1))
    assert jobs.reclaim_stale_imports() == 1
    assert jobs.run_pending_imports() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 2 and job.written_rows == len(rows)
    assert Place.objects.count() == before + len(rows)
    assert Place.objects.filter(code="K1-1-1-1", kind=Kind.HOUSEHOLD).count() == 1
    assert not job.file
