"""The import worker's periodic steps, run by ``manage.py tick`` (and ``manage.py run_imports``). Like the
work-order steps each handles at most ``limit`` rows, returns how many it changed, and is safe to run twice or
in two processes at once: rows are claimed with ``select_for_update(skip_locked=True)``."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import imports
from .models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)


def run_pending_imports(now=None, limit: int = 1) -> int:
    """排队中 → run: claim the oldest pending jobs one by one and run each (validate, then write all or none)."""
    done = 0
    for _i in range(limit):
        claimed = imports.claim()
        if claimed is None:
            break
        imports.run_claimed(*claimed)
        done += 1
    return done


def reclaim_stale_imports(now=None, limit: int = 50) -> int:
    """校验中 / 写入中 with no heartbeat for IMPORT_STALE_MINUTES: its worker died (kill -9, a reload). Nothing of
    it was written (the write is one transaction, and a live writer holds the row locked, so it is skipped
    here): queue it again, or after IMPORT_MAX_ATTEMPTS runs mark it failed with the reason."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.IMPORT_STALE_MINUTES)
    failed: list[int] = []
    with transaction.atomic():
        stale = list(ImportJob.objects.filter(status__in=(ImportStatus.VALIDATING, ImportStatus.WRITING),
                                              heartbeat_at__lt=cutoff)
                     .select_for_update(skip_locked=True).order_by("pk").only("pk", "attempts")[:limit])
        for job in stale:
            if job.attempts < settings.IMPORT_MAX_ATTEMPTS:
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportStatus.PENDING, processed_rows=0, heartbeat_at=None,
                    message=_("处理进程中断，未写入任何数据，已重新排队"))
            else:
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportStatus.FAILED, finished_at=now, heartbeat_at=None,
                    message=_("处理进程多次中断（已尝试 %(n)s 次），未写入任何数据；请检查文件后重新上传") % {
                        "n": job.attempts})
                failed.append(job.pk)
            logger.warning("import %s: worker gone since before %s, attempt %s", job.pk, cutoff, job.attempts)
    for pk in failed:
        imports.discard_file(pk)
    return len(stale)


def purge_import_files(now=None, limit: int = 200) -> int:
    """Delete the uploaded files of jobs finished more than IMPORT_FILE_RETENTION_DAYS ago (those a crash
    left behind too, when the retention is 0)."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    due = (ImportJob.objects.exclude(file="").filter(
        status__in=(ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.FAILED), finished_at__lte=before)
        .order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(imports.discard_file(pk) for pk in list(due))


# reclaim first, so a job queued again is run in the same round
STEPS = [reclaim_stale_imports, run_pending_imports, purge_import_files]
