"""Periodic steps run by ``manage.py tick``. Each handles at most ``limit`` due rows, returns how many
it changed (the loop sleeps when all return 0), and is idempotent: it claims due rows with
``select_for_update(skip_locked=True)`` and hands each to an action (``actions.ticks``, ``actions.whistles``)
as SYSTEM. The action locks the row and checks that its state still allows the move; a row that no longer
does (StateConflict or InvalidTransition) is skipped, counting nothing and recording nothing, so a second
tick (or two at once) changes nothing more."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.calendar import WorkCalendar
from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM

from . import actions
from .actions import StateConflict
from .events import Verb
from .models import AWAITING_RESPONSE, UNRESOLVED, Escalation, Request, ServiceSettings, Status, Whistle

logger = logging.getLogger(__name__)


def _claim(qs, limit):
    # list(): evaluating the queryset is what takes the locks
    return list(qs.select_for_update(skip_locked=True).order_by("pk")[:limit])


def _attempt(action, *args, **kwargs) -> bool:
    """Run one tick action in a savepoint; False (nothing written) when the row's state no longer allows it."""
    try:
        with transaction.atomic():
            action(*args, **kwargs)
    except StateConflict:
        return False
    return True


def _mark_overdue(*, statuses, due_field: str, flag: str, why: str, now, limit: int) -> int:
    """Flag requests past ``due_field`` (once: the flag is the claim) and escalate them to the community."""
    now = now or timezone.now()
    with transaction.atomic():
        due = _claim(Request.objects.filter(status__in=statuses, **{f"{due_field}__lt": now, flag: False}), limit)
        changed = 0
        for req in due:
            if _attempt(actions.mark_overdue, req, flag=flag, why=why, by=SYSTEM, now=now):
                changed += 1
                _safe_escalate(req, Escalation.COMMUNITY, why)
    return changed


def mark_response_overdue(now=None, limit: int = 200) -> int:
    """响应超时: dispatched but not accepted in time → flag, tell the community (escalate to it)."""
    return _mark_overdue(statuses=AWAITING_RESPONSE, due_field="response_due_at", flag="response_overdue",
                         why=_("超过响应时限未接单"), now=now, limit=limit)


def mark_resolution_overdue(now=None, limit: int = 200) -> int:
    """办结超时: not resolved in time → flag, escalate to the community."""
    return _mark_overdue(statuses=UNRESOLVED, due_field="resolution_due_at", flag="resolution_overdue",
                         why=_("超过办结时限"), now=now, limit=limit)


def escalate_to_street(now=None, limit: int = 200) -> int:
    """Still overdue a full escalation interval after the community was told → the street."""
    now = now or timezone.now()
    hours = float(ServiceSettings.current().escalate_after_hours)
    calendar = WorkCalendar.load(timezone.localdate(now))
    with transaction.atomic():
        candidates = _claim(Request.objects.filter(escalation_level=Escalation.COMMUNITY)
                            .overdue(now), limit)
        moved = 0
        for req in candidates:
            since = (Event.objects.filter(verb=Verb.ESCALATE_REQUEST, target_id=str(req.pk))
                     .order_by("-at").values_list("at", flat=True).first())
            if since is not None and calendar.add_working_hours(since, hours) <= now:
                moved += _safe_escalate(req, Escalation.STREET, _("社区督办后仍未办结"))
    return moved


def _safe_escalate(req: Request, level: int, why: str) -> bool:
    try:
        with transaction.atomic():  # savepoint: one bad row must not sink the batch
            return actions.escalate_request(req, to_level=level, why=why, by=SYSTEM)
    except Exception as exc:  # job boundary: record the failure on the row
        logger.exception("escalate %s", req.pk)
        Request.objects.filter(pk=req.pk).update(tick_error=str(exc)[:300])
        return False


def mark_whistles_overdue(now=None, limit: int = 200) -> int:
    """报到超时: a whistled department that has not reported in → flag, tell the street."""
    now = now or timezone.now()
    with transaction.atomic():
        due = _claim(Whistle.objects.filter(acknowledged_at__isnull=True, ack_due_at__lt=now, overdue=False), limit)
        return sum(_attempt(actions.mark_whistle_overdue, w, by=SYSTEM, now=now) for w in due)


def expire_grab_pool(now=None, limit: int = 200) -> int:
    """抢单超时: nobody claimed it → back to the dispatcher."""
    now = now or timezone.now()
    with transaction.atomic():
        due = _claim(Request.objects.filter(status=Status.DISPATCHED, assignee__isnull=True,
                                            pool_until__lt=now), limit)
        return sum(_attempt(actions.expire_pool_request, req, by=SYSTEM, now=now) for req in due)


def close_finished(now=None, limit: int = 200) -> int:
    """Close rated requests after the reopen window, and unrated ones after N days (counted as unrated)."""
    now = now or timezone.now()
    cfg = ServiceSettings.current()
    rated_before = now - datetime.timedelta(days=cfg.reopen_days)
    unrated_before = now - datetime.timedelta(days=cfg.unrated_days)
    with transaction.atomic():
        due = _claim(Request.objects.filter(status=Status.RATED, resolved_at__lt=rated_before, tick_error="")
                     | Request.objects.filter(status=Status.RESOLVED, resolved_at__lt=unrated_before, tick_error=""),
                     limit)
        changed = 0
        for req in due:
            try:
                if _attempt(actions.close_request, req, by=SYSTEM, unrated=req.status == Status.RESOLVED):
                    changed += 1
            except Exception as exc:  # job boundary: keep the failure on the row, do not retry in a loop
                logger.exception("close %s", req.pk)
                Request.objects.filter(pk=req.pk).update(tick_error=str(exc)[:300])
    return changed


STEPS = [mark_response_overdue, mark_resolution_overdue, escalate_to_street, mark_whistles_overdue,
         expire_grab_pool, close_finished]
