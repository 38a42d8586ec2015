"""The platform's own moves, made by the tick (``jobs.py``) as :data:`~gongzhi.core.permissions.SYSTEM`:
超时 flags, 督办升级, 抢单超时 and 关闭. Each is a verb like the others — one transaction, the row locked,
the transition table (or the flag's own rule) consulted, one audit Event, the same people told — and raises
StateConflict (or InvalidTransition) when the row no longer allows it, so a tick step skips such a row."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.permissions import SYSTEM, require
from gongzhi.notices.actions import notify

from ..events import Verb
from ..models import AWAITING_RESPONSE, UNRESOLVED, Escalation, Request
from .recipients import dispatchers_of, escalation_users
from .transitions import S, StateConflict, check_transition, link_of, lock_request, record

# 超时 flags: flag → (its deadline's field, the statuses in which that deadline runs)
OVERDUE_FLAGS: dict[str, tuple[str, frozenset[str]]] = {
    "response_overdue": ("response_due_at", AWAITING_RESPONSE),
    "resolution_overdue": ("resolution_due_at", UNRESOLVED),
}


def mark_overdue(req: Request, *, flag: str, why: str, by=SYSTEM, now: datetime.datetime | None = None) -> Request:
    """超时 — flag a request past its response or resolution deadline (once: the flag is sticky and counts in
    三率). StateConflict when its status no longer runs that deadline, it is not due, or it is flagged."""
    if flag not in OVERDUE_FLAGS:
        raise ValueError(flag)
    due_field, statuses = OVERDUE_FLAGS[flag]
    now = now or timezone.now()
    with transaction.atomic():
        req = lock_request(req)
        require(by, "workorders.mark_overdue", req)
        due = getattr(req, due_field)
        if req.status not in statuses:
            raise StateConflict(_("当前状态“%(s)s”下不计此时限") % {"s": S(req.status).label})
        if getattr(req, flag):
            raise StateConflict(_("已标记超时"))
        if due is None or due >= now:
            raise StateConflict(_("尚未超过时限"))
        setattr(req, flag, True)
        req.save(update_fields=[flag, "updated_at"])
        record(by, Verb.MARK_OVERDUE, req, summary=why, after={flag: True})
    return req


def escalate_request(req: Request, *, to_level: int, why: str, by=SYSTEM) -> bool:
    """督办升级 one rung (grid → community → street); False when it is on that rung or above already."""
    with transaction.atomic():
        req = lock_request(req)
        require(by, "workorders.escalate_request", req)
        if req.escalation_level >= to_level or to_level > Escalation.STREET:
            return False
        # conditional on the rung it was read on, so two ticks cannot both move it
        if not Request.objects.filter(pk=req.pk, escalation_level=req.escalation_level).update(
                escalation_level=to_level, updated_at=timezone.now()):
            return False
        before = req.escalation_level
        req.escalation_level = to_level
        label = Escalation(to_level).label
        record(by, Verb.ESCALATE_REQUEST, req, summary=_("升级至%(l)s督办：%(w)s") % {"l": label, "w": why},
               before={"escalation_level": before}, after={"escalation_level": to_level})
        notify(escalation_users(req, to_level), verb=Verb.ESCALATE_REQUEST,
               text=_("督办：诉求 %(n)s %(w)s，已升级至%(l)s") % {"n": req.number, "w": why, "l": label},
               link=link_of(req))
    return True


def expire_pool_request(req: Request, *, by=SYSTEM, now: datetime.datetime | None = None) -> Request:
    """抢单超时 — nobody claimed the pooled request in time: back to the dispatcher (``expire_pool`` in the
    table). InvalidTransition when it is no longer dispatched; StateConflict when it was claimed, left the
    pool, or its time is not up."""
    now = now or timezone.now()
    with transaction.atomic():
        req = lock_request(req)
        require(by, "workorders.expire_pool_request", req)
        target = check_transition("expire_pool", req.status)
        if req.pool_until is None or req.assignee_id is not None:
            raise StateConflict(_("该诉求不在抢单池中"))
        if req.pool_until >= now:
            raise StateConflict(_("抢单时间未到"))
        before = {"status": req.status}
        req.status, req.pool_until, req.reason = target, None, _("抢单超时无人接单")
        req.save(update_fields=["status", "pool_until", "reason", "updated_at"])
        record(by, Verb.EXPIRE_POOL, req, summary=_("抢单超时无人接单，退回派单"), before=before,
               after={"status": req.status})
        notify(dispatchers_of(req), verb=Verb.EXPIRE_POOL, text=_("诉求 %(n)s 抢单超时，请重新派单") % {
            "n": req.number}, link=link_of(req))
    return req


def close_request(req: Request, *, by=SYSTEM, unrated: bool = False) -> Request:
    """关闭 — after rating, or unrated after the window (never assumed satisfied)."""
    with transaction.atomic():
        req = lock_request(req)
        require(by, "workorders.close_request", req)
        before = {"status": req.status}
        req.status = check_transition("close", req.status)
        req.closed_at = timezone.now()
        req.unrated = unrated or req.rating is None
        req.save(update_fields=["status", "closed_at", "unrated", "updated_at"])
        record(by, Verb.CLOSE_REQUEST, req, summary=_("未评价，自动关闭") if req.unrated else _("关闭"),
               before=before, after={"status": req.status, "unrated": req.unrated})
    return req
