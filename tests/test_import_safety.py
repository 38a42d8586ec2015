"""Imports against hostile files and bad days: a decompression budget checked before parsing, row and cell
budgets enforced while streaming, the job run by the tick (never in the web worker), a job whose worker died
reclaimed, and the uploaded file (full 身份证 numbers in plaintext) deleted once the job is finished."""

from __future__ import annotations

import datetime
import io
import threading
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from gongzhi.places import jobs
from gongzhi.places.imports import PLACE_COLUMNS, create_import, run_import
from gongzhi.places.models import ImportJob, ImportStatus, Place

from .xlsx import xlsx

ROWS = [
    ["小区", "新苑", "N1", "G1", "专管型", None, "青年路8号"],
    ["楼栋", "1号楼", "N1-1", "N1", None, None, None],
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(kind, upload, place, user, capture):
    with capture(execute=True):
        job = create_import(kind=kind, upload=upload, place=place, by=user)
    job.refresh_from_db()
    return job


def _rezip(upload: SimpleUploadedFile, extra: dict[str, bytes] | None = None,
           pad: dict[str, int] | None = None) -> SimpleUploadedFile:
    """The same workbook with entries added, or an entry padded with whitespace (which compresses ~1000×)."""
    src = zipfile.ZipFile(io.BytesIO(upload.read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if pad and info.filename in pad:
                # whitespace after the XML declaration's element: XML parsers skip it, memory does not
                head, sep, tail = data.partition(b"?>")
                data = head + sep + b" " * pad[info.filename] + tail
            dst.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return SimpleUploadedFile("bomb.xlsx", out.getvalue())


# ---------------------------------------------------------------- budgets


def test_a_decompression_bomb_is_refused_before_parsing(tree, community_staff, settings,
                                                          django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    bomb = _rezip(xlsx(PLACE_COLUMNS, ROWS), pad={"xl/worksheets/sheet1.xml": 4 * 1024 * 1024})
    assert len(bomb) < 100_000
    before = Place.objects.count()
    job = _upload("places", bomb, tree["community"], community_staff, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.INVALID
    assert "解压后" in job.errors[0]["message"]
    assert Place.objects.count() == before


def test_an_entry_that_compresses_too_well_is_refused(tree, community_staff, settings,
                                                      django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_RATIO = 50
    bomb = _rezip(xlsx(PLACE_COLUMNS, ROWS), pad={"xl/worksheets/sheet1.xml": 3 * 1024 * 1024})
    job = _upload("places", bomb, tree["community"], community_staff, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.INVALID
    assert "压缩比" in job.errors[0]["message"]


def test_oversized_shared_strings_are_refused(tree, community_staff, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_SHARED_STRINGS_BYTES = 100_000
    strings = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + (
        b"<si><t>x</t></si>" * 20_000) + b"</sst>"
    bomb = _rezip(xlsx(PLACE_COLUMNS, ROWS), extra={"xl/sharedStrings.xml": strings})
    job = _upload("places", bomb, tree["community"], community_staff, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.INVALID
    assert "共享字符串" in job.errors[0]["message"]


def test_too_many_rows_are_refused_while_streaming(tree, community_staff, settings,
                                                   django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_ROWS = 50
    rows = [["户", str(n), f"X-{n}", "C1-1-1", None, 80, None] for n in range(60)]
    job = _upload("places", xlsx(PLACE_COLUMNS, rows), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.INVALID
    assert "行数超过上限" in job.errors[0]["message"]
    assert not Place.objects.filter(code="X-1").exists()


def test_too_many_cells_are_refused_while_streaming(tree, community_staff, settings,
                                                    django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_CELLS = 300
    wide = [["户", str(n), f"X-{n}", "C1-1-1", None, 80, None] + ["多余"] * 40 for n in range(10)]
    job = _upload("places", xlsx(PLACE_COLUMNS, wide), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.INVALID
    assert "单元格数超过上限" in job.errors[0]["message"]


def test_a_file_within_the_budgets_still_imports(tree, community_staff, django_capture_on_commit_callbacks):
    job = _upload("places", xlsx(PLACE_COLUMNS, ROWS), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE and job.written_rows == 2


# ---------------------------------------------------------------- out of the web worker


def test_an_upload_waits_for_the_tick_and_starts_no_thread(tree, community_staff, settings,
                                                           django_capture_on_commit_callbacks):
    settings.IMPORTS_INLINE = False
    job = _upload("places", xlsx(PLACE_COLUMNS, ROWS), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    assert not [t for t in threading.enumerate() if t.name.startswith("import-")]
    assert job.status == ImportStatus.PENDING
    call_command("tick", once=True, stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.written_rows == 2
    assert Place.objects.filter(code="N1-1").exists()


def test_the_worker_takes_each_pending_job_once(tree, community_staff, settings,
                                                django_capture_on_commit_callbacks):
    settings.IMPORTS_INLINE = False
    job = _upload("places", xlsx(PLACE_COLUMNS, ROWS), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    assert jobs.run_pending_imports() == 1
    assert jobs.run_pending_imports() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 1


# ---------------------------------------------------------------- stale jobs


def _stale(job: ImportJob, status: str, attempts: int, minutes: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, attempts=attempts, heartbeat_at=timezone.now() - datetime.timedelta(minutes=minutes))


@pytest.mark.parametrize("status", [ImportStatus.VALIDATING, ImportStatus.WRITING])
def test_a_job_whose_worker_died_is_queued_again_then_runs(tree, community_staff, settings, status,
                                                           django_capture_on_commit_callbacks):
    settings.IMPORTS_INLINE = False
    job = _upload("places", xlsx(PLACE_COLUMNS, ROWS), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    _stale(job, status, attempts=1, minutes=settings.IMPORT_STALE_MINUTES + 1)
    call_command("tick", once=True, stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 2
    assert Place.objects.filter(code="N1-1").count() == 1


def test_a_job_that_keeps_killing_its_worker_is_marked_failed_with_the_reason(
        tree, community_staff, settings, django_capture_on_commit_callbacks):
    settings.IMPORTS_INLINE = False
    job = _upload("places", xlsx(PLACE_COLUMNS, ROWS), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    _stale(job, ImportStatus.WRITING, attempts=settings.IMPORT_MAX_ATTEMPTS, minutes=settings.IMPORT_STALE_MINUTES + 1)
    assert jobs.reclaim_stale_imports() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.finished
    assert "中断" in job.message and "重新上传" in job.message
    assert not Place.objects.filter(code="N1-1").exists()
    assert jobs.reclaim_stale_imports() == 0


def test_a_live_job_is_left_alone(tree, community_staff, settings, django_capture_on_commit_callbacks):
    settings.IMPORTS_INLINE = False
    job = _upload("places", xlsx(PLACE_COLUMNS, ROWS), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    _stale(job, ImportStatus.VALIDATING, attempts=1, minutes=settings.IMPORT_STALE_MINUTES - 1)
    assert jobs.reclaim_stale_imports() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATING


def test_a_reclaimed_worker_that_wakes_up_writes_nothing(tree, community_staff, settings, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    """The worker was only slow: the tick gave its job away; when it resumes it must stop, not write twice."""
    settings.IMPORTS_INLINE = False
    job = _upload("places", xlsx(PLACE_COLUMNS, ROWS), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    from gongzhi.places import imports

    original = imports.IMPORTERS["places"].validate

    def slow(rows, job, user, progress):
        # meanwhile the tick decided this worker was dead and queued the job again
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.PENDING)
        return original(rows, job, user, progress)

    import dataclasses
    monkeypatch.setitem(imports.IMPORTERS, "places", dataclasses.replace(imports.IMPORTERS["places"], validate=slow))
    jobs.run_pending_imports()
    assert not Place.objects.filter(code="N1-1").exists()
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.PENDING


# ---------------------------------------------------------------- the uploaded file


def _stored(job: ImportJob) -> bool:
    return any(default_storage.listdir(d)[1] for d in _dirs())


def _dirs():
    top = "imports"
    if not default_storage.exists(top):
        return []
    out = []
    for y in default_storage.listdir(top)[0]:
        for m in default_storage.listdir(f"{top}/{y}")[0]:
            out.append(f"{top}/{y}/{m}")
    return out


@pytest.mark.parametrize("name, make", [
    ("good", lambda: xlsx(PLACE_COLUMNS, ROWS)),
    ("invalid rows", lambda: xlsx(PLACE_COLUMNS, [["户", "", "", "", None, None, None]])),
    ("not excel", lambda: SimpleUploadedFile("x.xlsx", b"PK not really a zip")),
    ("bomb", lambda: _rezip(xlsx(PLACE_COLUMNS, ROWS), pad={"xl/worksheets/sheet1.xml": 3 * 1024 * 1024})),
])
def test_the_uploaded_file_is_deleted_when_the_job_finishes(tree, community_staff, settings, name, make,
                                                            django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    job = _upload("places", make(), tree["community"], community_staff, django_capture_on_commit_callbacks)
    assert job.finished
    assert not job.file
    assert not _stored(job)


def test_a_failed_job_deletes_its_file(tree, community_staff, settings, monkeypatch,
                                       django_capture_on_commit_callbacks):
    import dataclasses

    from gongzhi.places import imports

    def boom(rows):
        raise RuntimeError("disk full")

    monkeypatch.setitem(imports.IMPORTERS, "places", dataclasses.replace(imports.IMPORTERS["places"], write=boom))
    job = _upload("places", xlsx(PLACE_COLUMNS, ROWS), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.FAILED and not job.file and not _stored(job)


def test_files_are_kept_for_the_retention_period_then_purged_by_the_tick(
        tree, community_staff, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_FILE_RETENTION_DAYS = 3
    job = _upload("places", xlsx(PLACE_COLUMNS, ROWS), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE and job.file and _stored(job)
    assert jobs.purge_import_files() == 0
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=3, minutes=1))
    call_command("tick", once=True, stdout=io.StringIO())
    job.refresh_from_db()
    assert not job.file and not _stored(job)


def test_a_rerun_of_a_finished_job_does_nothing_even_without_its_file(tree, community_staff,
                                                                      django_capture_on_commit_callbacks):
    job = _upload("places", xlsx(PLACE_COLUMNS, ROWS), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    places = Place.objects.count()
    assert run_import(job.pk).status == ImportStatus.DONE
    assert Place.objects.count() == places
