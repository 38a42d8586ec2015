"""Periodic steps run by ``manage.py tick``. Each handles at most ``limit`` due rows, returns how many
it changed (the loop sleeps when all return 0), and is idempotent: rows are claimed with ``select_for_update(skip_locked=True)`` and
changed with conditional updates, so a second tick (or two at once) changes nothing more."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.calendar import WorkCalendar
from gongzhi.core.models import Event
from gongzhi.notices.actions import notify

from . import actions
from .events import Verb
from .models import AWAITING_RESPONSE, UNRESOLVED, Escalation, Request, ServiceSettings, Status, Whistle

logger = logging.getLogger(__name__)


def _claim(qs, limit):
    # list(): evaluating the queryset is what takes the locks
    return list(qs.select_for_update(skip_locked=True).order_by("pk")[:limit])


def _mark_overdue(*, statuses, due_field: str, flag: str, why: str, now, limit: int) -> int:
    """Flag requests past ``due_field`` (once: the flag is the claim) and escalate them to the community."""
    now = now or timezone.now()
    with transaction.atomic():
        due = _claim(Request.objects.filter(status__in=statuses, **{f"{due_field}__lt": now, flag: False}), limit)
        changed = 0
        for req in due:
            if Request.objects.filter(pk=req.pk, **{flag: False}).update(**{flag: True}):
                changed += 1
                Event.record(None, Verb.MARK_OVERDUE, req, place=req.place, public=True, summary=why,
                             after={flag: True})
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
            return actions.escalate_request(req, to_level=level, why=why)
    except Exception as exc:  # job boundary: record the failure on the row
        logger.exception("escalate %s", req.pk)
        Request.objects.filter(pk=req.pk).update(tick_error=str(exc)[:300])
        return False


def mark_whistles_overdue(now=None, limit: int = 200) -> int:
    """报到超时: a whistled department that has not reported in → flag, tell the street."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(Whistle.objects.select_for_update(skip_locked=True)
                   .filter(acknowledged_at__isnull=True, ack_due_at__lt=now, overdue=False)
                   .order_by("pk")[:limit])
        changed = 0
        for w in due:
            if Whistle.objects.filter(pk=w.pk, overdue=False).update(overdue=True):
                changed += 1
                req = Request.objects.select_related("place").get(pk=w.request_id)
                Event.record(None, Verb.WHISTLE_OVERDUE, req, place=req.place, public=True,
                             summary=_("%(d)s 超过报到时限") % {"d": w.department.name},
                             after={"whistle": w.pk})
                notify(actions._users_over(req.place, actions.ESCALATION_ROLES[Escalation.STREET]),
                       verb=Verb.WHISTLE_OVERDUE, text=_("%(d)s 未按时就诉求 %(n)s 报到") % {
                           "d": w.department.name, "n": req.number}, link=f"/requests/{req.pk}/")
    return changed


def expire_grab_pool(now=None, limit: int = 200) -> int:
    """抢单超时: nobody claimed it → back to the dispatcher."""
    now = now or timezone.now()
    with transaction.atomic():
        due = _claim(Request.objects.filter(status=Status.DISPATCHED, assignee__isnull=True,
                                            pool_until__lt=now), limit)
        changed = 0
        for req in due:
            if Request.objects.filter(pk=req.pk, status=Status.DISPATCHED, assignee__isnull=True).update(
                    status=Status.RETURNED, pool_until=None, reason=_("抢单超时无人接单")):
                changed += 1
                Event.record(None, Verb.EXPIRE_POOL, req, place=req.place, public=True,
                             summary=_("抢单超时无人接单，退回派单"), before={"status": Status.DISPATCHED},
                             after={"status": Status.RETURNED})
                notify(actions.dispatchers_of(req), verb=Verb.EXPIRE_POOL,
                       text=_("诉求 %(n)s 抢单超时，请重新派单") % {"n": req.number}, link=f"/requests/{req.pk}/")
    return changed


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
                with transaction.atomic():
                    actions.close_request(req, unrated=req.status == Status.RESOLVED)
                    changed += 1
            except Exception as exc:  # job boundary: keep the failure on the row, do not retry in a loop
                logger.exception("close %s", req.pk)
                Request.objects.filter(pk=req.pk).update(tick_error=str(exc)[:300])
    return changed


STEPS = [mark_response_overdue, mark_resolution_overdue, escalate_to_street, mark_whistles_overdue,
         expire_grab_pool, close_finished]
