"""The moves of a request a person makes: 派单, 抢单, 接单, 开始处理, 办结, 退回, 驳回, 合并, 评单, 重办, 回访.

Each verb runs in one transaction: it locks the request, runs its precheck (``transitions.precheck``: the
actor's right, the transition table, the rest of the state) on the locked row, writes one public audit Event
(the resident's timeline) and notifies (inbox rows now, outside channels after commit)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.permissions import require
from gongzhi.notices.actions import notify
from gongzhi.people.models import Organisation, Person, Position

from ..events import Verb
from ..models import (
    COMMENT_MAX,
    FOLLOW_UP_MAX,
    REASON_MAX,
    RESULT_NOTE_MAX,
    Attachment,
    Request,
    ServiceSettings,
)
from ..photos import check_photos
from .cleaning import clean_reason, whole_number
from .deadlines import due_at, service_level
from .recipients import dispatchers_of, handlers_of, reporter_users
from .routing import next_on_duty
from .transitions import (
    S,
    StateConflict,
    link_of,
    lock_request,
    person_of,
    precheck,
    record,
    save_photos,
)

REDISPATCH_FROM = frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED})  # 改派: a reason is required


def dispatch_request(req: Request, *, to: Organisation, by, assignee: Person | None = None,
                     mode: str = "direct", note: str = "") -> Request:
    """派单 (or re-dispatch with a reason): to an organisation; to a person, round-robin or a grab pool."""
    if mode not in ("direct", "round_robin", "pool"):
        raise ValidationError({"mode": _("派单方式无效")})
    if len(note) > REASON_MAX:
        raise ValidationError({"note": _("说明不能超过%(n)s个字") % {"n": REASON_MAX}})
    with transaction.atomic():
        req = lock_request(req)
        precheck("dispatch", req, by)
        if req.status in REDISPATCH_FROM and not note.strip():
            raise ValidationError({"note": _("改派须说明理由")})
        if assignee is not None and not Position.objects.active().filter(person=assignee, organisation=to).exists():
            raise ValidationError({"assignee": _("承办人不是该组织的在岗人员")})
        if mode == "round_robin":
            assignee = next_on_duty(to)
            if assignee is None:
                raise ValidationError({"mode": _("该组织没有在岗值班人员，无法轮派")})
        settings_row = ServiceSettings.current()
        now = timezone.now()
        level = service_level(req.category, req.urgency)
        before = {"status": req.status, "handler": req.handler_id, "assignee": req.assignee_id}
        req.status = S.DISPATCHED
        req.handler = to
        req.assignee = assignee if mode != "pool" else None
        req.pool_until = now + datetime.timedelta(minutes=settings_row.grab_minutes) if mode == "pool" else None
        req.dispatched_at = now
        req.accepted_at = None
        req.response_due_at = due_at(now, level.response_value, level.response_unit)
        req.reason = note.strip()
        req.save(update_fields=["status", "handler", "assignee", "pool_until", "dispatched_at", "accepted_at",
                                "response_due_at", "reason", "updated_at"])
        after = {"status": req.status, "handler": to.pk, "assignee": req.assignee_id, "mode": mode}
        summary = _("派给 %(org)s") % {"org": to.name}
        if req.assignee is not None:
            summary += f" · {req.assignee.name}"
        if mode == "pool":
            summary += _("（抢单池）")
        if note:
            summary += f"：{note.strip()}"
        record(by, Verb.DISPATCH_REQUEST, req, summary=summary, before=before, after=after)
        notify(handlers_of(req), verb=Verb.DISPATCH_REQUEST, text=_("诉求 %(n)s 已派给您，请在时限内接单") % {
            "n": req.number}, link=link_of(req))
        notify(reporter_users(req), verb=Verb.DISPATCH_REQUEST, text=_("您的诉求 %(n)s 已派单") % {
            "n": req.number}, link=link_of(req))
    return req


def grab_request(req: Request, *, by) -> Request:
    """抢单 — the first of the organisation's people to claim a pooled request gets it."""
    with transaction.atomic():
        req = lock_request(req)
        precheck("grab", req, by)
        person = person_of(by)
        assert person is not None  # the precheck refuses an actor without a person
        claimed = Request.objects.filter(pk=req.pk, assignee__isnull=True, status=S.DISPATCHED).update(
            assignee=person, pool_until=None)
        if not claimed:
            raise StateConflict(_("已被他人抢单"))
        req.refresh_from_db()
        record(by, Verb.GRAB_REQUEST, req, summary=_("%(p)s 抢单") % {"p": person.name},
               after={"assignee": person.pk})
    return req


# ---------------------------------------------------------------- handling


def accept_request(req: Request, *, by) -> Request:
    """接单."""
    with transaction.atomic():
        req = lock_request(req)
        precheck("accept", req, by)
        now = timezone.now()
        before = {"status": req.status}
        req.status = S.ACCEPTED
        req.accepted_at = now
        req.first_accepted_at = req.first_accepted_at or now
        if req.response_due_at is not None and now > req.response_due_at:
            req.response_overdue = True  # late, even if no tick ran in between (sticky: counts in 三率)
        if req.assignee_id is None:
            req.assignee = person_of(by)
        req.save(update_fields=["status", "accepted_at", "first_accepted_at", "response_overdue", "assignee",
                                "updated_at"])
        org = req.handler.name if req.handler is not None else ""
        record(by, Verb.ACCEPT_REQUEST, req, summary=_("%(org)s 已接单") % {"org": org},
               before=before, after={"status": req.status})
        notify(reporter_users(req), verb=Verb.ACCEPT_REQUEST, text=_("您的诉求 %(n)s 已接单") % {
            "n": req.number}, link=link_of(req))
    return req


def start_request(req: Request, *, by) -> Request:
    """开始处理."""
    with transaction.atomic():
        req = lock_request(req)
        precheck("start", req, by)
        req.status = S.IN_PROGRESS
        req.save(update_fields=["status", "updated_at"])
        record(by, Verb.START_REQUEST, req, summary=_("开始处理"), before={"status": S.ACCEPTED},
               after={"status": req.status})
    return req


def resolve_request(req: Request, *, by, result_note: str, photos: Sequence = ()) -> Request:
    """办结 — with what was done and photos of the result."""
    result_note = (result_note or "").strip()
    if not result_note:
        raise ValidationError({"result_note": _("请填写办理结果")})
    if len(result_note) > RESULT_NOTE_MAX:
        raise ValidationError({"result_note": _("办理结果不能超过%(n)s个字") % {"n": RESULT_NOTE_MAX}})
    check_photos(photos, field="photos")
    with transaction.atomic():
        req = lock_request(req)
        precheck("resolve", req, by)
        now = timezone.now()
        before = {"status": req.status}
        req.status = S.RESOLVED
        req.resolved_at = now
        req.first_resolved_at = req.first_resolved_at or now
        req.result_note = result_note
        req.rating = None
        req.rated_at = None
        if req.resolution_due_at is not None and now > req.resolution_due_at:
            req.resolution_overdue = True
        req.save(update_fields=["status", "resolved_at", "first_resolved_at", "result_note", "rating", "rated_at",
                                "resolution_overdue", "updated_at"])
        save_photos(req, photos, Attachment.Stage.RESULT, by)
        record(by, Verb.RESOLVE_REQUEST, req, summary=result_note[:100], before=before,
               after={"status": req.status})
        notify(reporter_users(req), verb=Verb.RESOLVE_REQUEST, text=_("您的诉求 %(n)s 已办结，请评价") % {
            "n": req.number}, link=link_of(req))
    return req


def return_request(req: Request, *, by, reason: str) -> Request:
    """退回 — the handler sends it back to the dispatcher (not theirs, wrong place…)."""
    reason = clean_reason(reason)
    with transaction.atomic():
        req = lock_request(req)
        precheck("return", req, by)
        before = {"status": req.status, "handler": req.handler_id}
        req.status, req.reason, req.assignee, req.pool_until = S.RETURNED, reason, None, None
        req.save(update_fields=["status", "reason", "assignee", "pool_until", "updated_at"])
        record(by, Verb.RETURN_REQUEST, req, summary=_("退回：%(r)s") % {"r": reason}, before=before,
               after={"status": req.status})
        notify(dispatchers_of(req), verb=Verb.RETURN_REQUEST, text=_("诉求 %(n)s 被退回：%(r)s") % {
            "n": req.number, "r": reason}, link=link_of(req))
    return req


def reject_request(req: Request, *, by, reason: str) -> Request:
    """驳回 — out of scope; the reason is shown to the resident."""
    reason = clean_reason(reason)
    with transaction.atomic():
        req = lock_request(req)
        precheck("reject", req, by)
        before = {"status": req.status}
        req.status, req.reason, req.closed_at = S.REJECTED, reason, timezone.now()
        req.save(update_fields=["status", "reason", "closed_at", "updated_at"])
        record(by, Verb.REJECT_REQUEST, req, summary=_("驳回：%(r)s") % {"r": reason}, before=before,
               after={"status": req.status})
        notify(reporter_users(req), verb=Verb.REJECT_REQUEST, text=_("您的诉求 %(n)s 未受理：%(r)s") % {
            "n": req.number, "r": reason}, link=link_of(req))
    return req


def merge_request(req: Request, *, into: Request, by) -> Request:
    """合并 — a duplicate follows the original."""
    if into.pk == req.pk:
        raise ValidationError({"into": _("不能与自身合并")})
    with transaction.atomic():
        locked = {r.pk: r for r in Request.objects.select_for_update(of=("self",)).filter(pk__in=[req.pk, into.pk])
                  .select_related("place").order_by("pk")}
        req, into = locked[req.pk], locked[into.pk]
        precheck("merge", req, by)
        require(by, "workorders.merge_request", into)
        if into.status in (S.MERGED, S.REJECTED):
            raise ValidationError({"into": _("目标诉求已合并或已驳回")})
        before = {"status": req.status}
        req.status, req.merged_into, req.closed_at = S.MERGED, into, timezone.now()
        req.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
        record(by, Verb.MERGE_REQUEST, req, summary=_("与 %(n)s 合并办理") % {"n": into.number}, before=before,
               after={"status": req.status, "merged_into": into.pk})
        notify(reporter_users(req), verb=Verb.MERGE_REQUEST, text=_("您的诉求 %(n)s 已与 %(m)s 合并办理") % {
            "n": req.number, "m": into.number}, link=link_of(into))
    return req


# ---------------------------------------------------------------- the resident's judgement, the follow-up call


def rate_request(req: Request, *, by, rating: object, comment: str = "") -> Request:
    """评单 — 1 to 5, by the resident who filed it."""
    score = whole_number(rating)
    if score is None or not 1 <= score <= 5:
        raise ValidationError({"rating": _("评分必须是1到5之间的整数")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("评价不能超过%(n)s个字") % {"n": COMMENT_MAX}})
    with transaction.atomic():
        req = lock_request(req)
        precheck("rate", req, by)
        before = {"status": req.status}
        req.status, req.rating, req.rating_comment, req.rated_at = S.RATED, score, comment, timezone.now()
        if req.first_rating is None:
            req.first_rating = score
        req.save(update_fields=["status", "rating", "rating_comment", "rated_at", "first_rating", "updated_at"])
        record(by, Verb.RATE_REQUEST, req, summary=_("评分 %(r)s 分%(c)s") % {
            "r": score, "c": f"：{comment}" if comment else ""}, before=before,
            after={"status": req.status, "rating": score})
        notify(handlers_of(req), verb=Verb.RATE_REQUEST, text=_("诉求 %(n)s 获评 %(r)s 分") % {
            "n": req.number, "r": score}, link=link_of(req))
    return req


def reopen_request(req: Request, *, by, reason: str) -> Request:
    """重办 — the resident is not satisfied, within the reopen window; back to the same handler."""
    reason = clean_reason(reason)
    with transaction.atomic():
        req = lock_request(req)
        precheck("reopen", req, by)
        now = timezone.now()
        level = service_level(req.category, req.urgency)
        before = {"status": req.status, "rating": req.rating}
        req.status = S.REOPENED
        req.reopen_count = F("reopen_count") + 1
        req.reason = reason
        req.dispatched_at = now
        req.accepted_at = None
        req.response_due_at = due_at(now, level.response_value, level.response_unit)
        req.resolution_due_at = due_at(now, level.resolution_value, level.resolution_unit)
        req.save(update_fields=["status", "reopen_count", "reason", "dispatched_at", "accepted_at",
                                "response_due_at", "resolution_due_at", "updated_at"])
        req.refresh_from_db(fields=["reopen_count"])
        record(by, Verb.REOPEN_REQUEST, req, summary=_("申请重办：%(r)s") % {"r": reason}, before=before,
               after={"status": req.status, "reopen_count": req.reopen_count})
        notify(handlers_of(req) + dispatchers_of(req), verb=Verb.REOPEN_REQUEST,
               text=_("诉求 %(n)s 被居民要求重办：%(r)s") % {"n": req.number, "r": reason}, link=link_of(req))
    return req


def follow_up_request(req: Request, *, by, note: str) -> Request:
    """回访 — staff call the resident after resolution and record what they said."""
    note = clean_reason(note, field="note", limit=FOLLOW_UP_MAX)
    with transaction.atomic():
        req = lock_request(req)
        precheck("follow_up", req, by)
        req.followed_up_at, req.follow_up_note = timezone.now(), note
        req.save(update_fields=["followed_up_at", "follow_up_note", "updated_at"])
        record(by, Verb.FOLLOW_UP_REQUEST, req, summary=_("回访：%(n)s") % {"n": note})
    return req
