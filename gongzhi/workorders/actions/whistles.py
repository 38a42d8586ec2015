"""吹哨报到 — a community or street summons a department to a request; the department reports in
(``acknowledge_whistle``) within ``whistle_ack_hours`` working hours and says what it did. A late report-in
is flagged by the tick (``mark_whistle_overdue``) and the street told."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.permissions import SYSTEM, require, user_of
from gongzhi.notices.actions import notify
from gongzhi.people.models import Organisation, OrgKind

from ..events import Verb
from ..models import REPORT_MAX, WHISTLE_NOTE_MAX, Escalation, Request, ServiceSettings, TimeUnit, Whistle
from .cleaning import clean_reason
from .deadlines import due_at
from .recipients import dispatchers_of, escalation_users, users_with_posts
from .transitions import StateConflict, link_of, lock_request, precheck, record


def _lock_whistle(whistle: Whistle) -> Whistle:
    return (Whistle.objects.select_for_update(of=("self",)).select_related("request__place", "department")
            .get(pk=whistle.pk))


def whistle_request(req: Request, *, department: Organisation, by, note: str) -> Whistle:
    """吹哨 — summon a department to the request; it must report in within its deadline."""
    note = clean_reason(note, field="note", limit=WHISTLE_NOTE_MAX)
    if department.kind != OrgKind.DEPARTMENT:
        raise ValidationError({"department": _("只能向职能部门吹哨")})
    with transaction.atomic():
        req = lock_request(req)
        precheck("whistle", req, by)
        now = timezone.now()
        hours = ServiceSettings.current().whistle_ack_hours
        whistle = Whistle.objects.create(request=req, department=department, whistled_by=user_of(by), note=note,
                                         ack_due_at=due_at(now, hours, TimeUnit.WORKING_HOURS))
        record(by, Verb.WHISTLE_REQUEST, req, summary=_("向 %(d)s 吹哨：%(n)s") % {"d": department.name, "n": note},
               after={"whistle": whistle.pk, "department": department.pk})
        notify(users_with_posts([department.pk]), verb=Verb.WHISTLE_REQUEST,
               text=_("吹哨：诉求 %(n)s 需要贵部门报到（%(note)s）") % {"n": req.number, "note": note},
               link=link_of(req))
    return whistle


def acknowledge_whistle(whistle: Whistle, *, by) -> Whistle:
    """报到."""
    with transaction.atomic():
        whistle = _lock_whistle(whistle)
        require(by, "workorders.acknowledge_whistle", whistle)
        if whistle.acknowledged_at is not None:
            return whistle
        whistle.acknowledged_at, whistle.acknowledged_by = timezone.now(), user_of(by)
        whistle.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
        late = whistle.acknowledged_at > whistle.ack_due_at
        record(by, Verb.ACKNOWLEDGE_WHISTLE, whistle.request, summary=_("%(d)s 已报到%(late)s") % {
            "d": whistle.department.name, "late": _("（超时）") if late else ""},
            after={"whistle": whistle.pk, "late": late})
        notify(dispatchers_of(whistle.request), verb=Verb.ACKNOWLEDGE_WHISTLE,
               text=_("%(d)s 已就诉求 %(n)s 报到") % {"d": whistle.department.name, "n": whistle.request.number},
               link=link_of(whistle.request))
    return whistle


def report_whistle(whistle: Whistle, *, by, report: str) -> Whistle:
    """反馈处置 — the department says what it did."""
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": _("请填写处置情况")})
    if len(report) > REPORT_MAX:
        raise ValidationError({"report": _("处置情况不能超过%(n)s个字") % {"n": REPORT_MAX}})
    with transaction.atomic():
        whistle = _lock_whistle(whistle)
        require(by, "workorders.report_whistle", whistle)
        if whistle.acknowledged_at is None:
            whistle.acknowledged_at, whistle.acknowledged_by = timezone.now(), user_of(by)
        whistle.report, whistle.reported_at = report, timezone.now()
        whistle.save(update_fields=["acknowledged_at", "acknowledged_by", "report", "reported_at", "updated_at"])
        record(by, Verb.REPORT_WHISTLE, whistle.request, summary=_("%(d)s 反馈：%(r)s") % {
            "d": whistle.department.name, "r": report[:100]}, after={"whistle": whistle.pk})
        notify(dispatchers_of(whistle.request), verb=Verb.REPORT_WHISTLE,
               text=_("%(d)s 反馈了诉求 %(n)s 的处置情况") % {"d": whistle.department.name, "n": whistle.request.number},
               link=link_of(whistle.request))
    return whistle


def mark_whistle_overdue(whistle: Whistle, *, by=SYSTEM, now: datetime.datetime | None = None) -> Whistle:
    """报到超时 (the tick) — the department has not reported in by the deadline: flag it, tell the street.
    StateConflict when it has reported in, is flagged already, or is not due yet."""
    now = now or timezone.now()
    with transaction.atomic():
        whistle = _lock_whistle(whistle)
        require(by, "workorders.mark_whistle_overdue", whistle)
        if whistle.acknowledged_at is not None:
            raise StateConflict(_("已报到"))
        if whistle.overdue:
            raise StateConflict(_("已标记报到超时"))
        if whistle.ack_due_at >= now:
            raise StateConflict(_("尚未超过报到时限"))
        whistle.overdue = True
        whistle.save(update_fields=["overdue", "updated_at"])
        req = whistle.request
        record(by, Verb.WHISTLE_OVERDUE, req, summary=_("%(d)s 超过报到时限") % {"d": whistle.department.name},
               after={"whistle": whistle.pk})
        notify(escalation_users(req, Escalation.STREET), verb=Verb.WHISTLE_OVERDUE,
               text=_("%(d)s 未按时就诉求 %(n)s 报到") % {"d": whistle.department.name, "n": req.number},
               link=link_of(req))
    return whistle
