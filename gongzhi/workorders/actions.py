"""Every move of a request. One function per verb; each runs in one transaction, locks the request,
checks the transition table and the actor's right on the locked row, writes one audit Event (the
resident's timeline) and notifies after commit."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.calendar import WorkCalendar
from gongzhi.core.models import Event
from gongzhi.core.permissions import require as _require
from gongzhi.core.roles import Role
from gongzhi.core.utils import changed_fields, plain
from gongzhi.notices.actions import notify
from gongzhi.people.models import Organisation, OrgKind, Person, Position
from gongzhi.places.models import Kind, Place

from .events import Verb
from .models import (
    Attachment,
    Category,
    Channel,
    DailyCounter,
    Duty,
    Escalation,
    HandlerKind,
    Request,
    RoutingRule,
    ServiceLevel,
    ServiceSettings,
    Status,
    TimeUnit,
    Urgency,
    Whistle,
)
from .photos import check_photos, without_metadata

MAX_DESCRIPTION = 1000
MAX_REASON = 300

S = Status
# 诉求状态流转 — the only place allowed moves are listed: verb → (from statuses, to status)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "dispatch": (frozenset({S.SUBMITTED, S.RETURNED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED}),
                 S.DISPATCHED),
    "grab": (frozenset({S.DISPATCHED}), S.DISPATCHED),
    "accept": (frozenset({S.DISPATCHED, S.REOPENED}), S.ACCEPTED),
    "start": (frozenset({S.ACCEPTED}), S.IN_PROGRESS),
    "resolve": (frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.RESOLVED),
    "return": (frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED}), S.RETURNED),
    "reject": (frozenset({S.SUBMITTED, S.RETURNED}), S.REJECTED),
    "merge": (frozenset({S.SUBMITTED, S.RETURNED, S.DISPATCHED}), S.MERGED),
    "rate": (frozenset({S.RESOLVED}), S.RATED),
    "reopen": (frozenset({S.RESOLVED, S.RATED}), S.REOPENED),
    "close": (frozenset({S.RESOLVED, S.RATED}), S.CLOSED),
}


class StateConflict(ValidationError):
    """The request's current state does not allow this now (the API answers 409, naming ``status``)."""

    def __init__(self, message: str, *, code: str = "conflict"):
        super().__init__({"status": message}, code=code)


class InvalidTransition(StateConflict):
    """A move the transition table does not allow from the request's current status."""

    def __init__(self, verb: str, status: str):
        super().__init__(_("当前状态“%(status)s”下不能%(verb)s") % {
            "status": Status(status).label, "verb": VERB_LABELS[verb]}, code="invalid_transition")


VERB_LABELS = {"dispatch": _("派单"), "grab": _("抢单"), "accept": _("接单"), "start": _("开始处理"),
               "resolve": _("办结"), "return": _("退回"), "reject": _("驳回"), "merge": _("合并"),
               "rate": _("评单"), "reopen": _("重办"), "close": _("关闭")}


def check_transition(verb: str, status: str) -> str:
    allowed, target = TRANSITIONS[verb]
    if status not in allowed:
        raise InvalidTransition(verb, status)
    return target


def _lock(req: Request) -> Request:
    return Request.objects.select_for_update(of=("self",)).select_related("place", "reporter", "assignee", "handler").get(
        pk=req.pk)


def _record(by, verb: str, req: Request, *, summary: str = "", before=None, after=None) -> None:
    Event.record(by, verb, req, place=req.place, summary=summary, before=before, after=after, public=True)


def _link(req: Request) -> str:
    return f"/requests/{req.pk}/"


# ---------------------------------------------------------------- deadlines


def due_at(start: datetime.datetime, value: Decimal, unit: str, calendar: WorkCalendar | None = None):
    calendar = calendar or WorkCalendar.load(timezone.localdate(start))
    if unit == TimeUnit.HOURS:
        return start + datetime.timedelta(hours=float(value))
    if unit == TimeUnit.WORKING_HOURS:
        return calendar.add_working_hours(start, float(value))
    return calendar.add_working_days(start, int(value))


def service_level(category: Category, urgency: str) -> ServiceLevel:
    level = ServiceLevel.objects.filter(category=category, urgency=urgency).first()
    if level is None:
        raise ValidationError({"urgency": _("“%(c)s”没有设置“%(u)s”的时限，请联系街道配置服务目录") % {
            "c": category.name, "u": Urgency(urgency).label}})
    return level


# ---------------------------------------------------------------- intake


def next_number(day: datetime.date) -> str:
    """GZ-YYYYMMDD-NNNN, unique: the day's counter row is incremented under a lock."""
    try:
        with transaction.atomic():
            DailyCounter.objects.get_or_create(day=day)
    except IntegrityError:  # a concurrent first request of the day created it
        pass
    counter = DailyCounter.objects.select_for_update().get(day=day)
    counter.value = F("value") + 1
    counter.save(update_fields=["value"])
    counter.refresh_from_db(fields=["value"])
    return f"GZ-{day:%Y%m%d}-{counter.value:04d}"


def clean_intake(*, category, description: str, place, urgency: str) -> dict:
    errors = {}
    if category is None or not getattr(category, "active", False):
        errors["category"] = _("请选择诉求类别")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("请描述遇到的问题")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("问题描述不能超过%(n)s个字（当前%(m)s个）") % {"n": MAX_DESCRIPTION,
                                                                      "m": len(description)}
    if place is None:
        errors["place"] = _("请选择位置")
    if urgency not in Urgency.values:
        errors["urgency"] = _("紧急程度无效")
    if errors:
        raise ValidationError(errors)
    return {"description": description}


def file_request(
    *, by, category: Category | None, description: str, place: Place | None, urgency: str = Urgency.NORMAL,
    channel: str = Channel.APP, reporter: Person | None = None, contact_name: str = "", contact_phone: str = "",
    anonymous: bool = False, address: str = "", photos: Sequence = (),
) -> Request:
    """居民下单 — or staff filing on a resident's behalf, or a grid worker's patrol finding."""
    cleaned = clean_intake(category=category, description=description, place=place, urgency=urgency)
    check_photos(photos, field="photos")
    if channel not in Channel.values:
        raise ValidationError({"channel": _("来源无效")})
    if len(address) > 200:
        raise ValidationError({"address": _("地址不能超过200个字")})
    assert category is not None and place is not None
    level = service_level(category, urgency)
    with transaction.atomic():
        _require(by, "workorders.file_request", place)
        if reporter is None and by is not None and channel == Channel.APP:
            reporter = Person.objects.filter(user=by).first()
        now = timezone.now()
        req = Request.objects.create(
            number=next_number(timezone.localdate(now)), category=category, urgency=urgency,
            description=cleaned["description"], place=place, address=address, reporter=reporter,
            contact_name=contact_name or (reporter.name if reporter else ""),
            contact_phone=contact_phone or (reporter.phone if reporter else ""),
            anonymous=anonymous, channel=channel, filed_by=by if by is not None and by.is_authenticated else None,
            resolution_due_at=due_at(now, level.resolution_value, level.resolution_unit),
        )
        _save_photos(req, photos, Attachment.Stage.INTAKE, by)
        _record(by, Verb.FILE_REQUEST, req, summary=f"{category.name}：{req.description[:60]}",
                after={"status": req.status, "category": category.code, "channel": channel})
        notify(dispatchers_of(req), verb=Verb.FILE_REQUEST, text=_("新诉求 %(n)s（%(c)s）待派单") % {
            "n": req.number, "c": category.name}, link=_link(req))
    return req


def _save_photos(req: Request, photos: Sequence, stage: str, by) -> None:
    for f in photos:
        Attachment.objects.create(request=req, stage=stage, file=without_metadata(f),  # no GPS of the home
                                  uploaded_by=by if by is not None and by.is_authenticated else None)


# ---------------------------------------------------------------- who is told


def _users_with_posts(org_ids: Sequence[int]) -> list:
    from django.contrib.auth import get_user_model

    user_ids = Position.objects.active().filter(organisation_id__in=org_ids, person__user__isnull=False).values(
        "person__user_id")
    return list(get_user_model().objects.filter(pk__in=user_ids))


def _users_over(place: Place, roles) -> list:
    """Active post holders with one of ``roles`` whose scope contains ``place``."""
    from django.contrib.auth import get_user_model

    from gongzhi.people.roles import TITLE_ROLES

    titles = [t for t, r in TITLE_ROLES.items() if r in roles]
    prefixes = [place.path[: i] for i in range(4, len(place.path) + 1, 4)]
    user_ids = Position.objects.active().filter(title__in=titles, place__path__in=prefixes,
                                                person__user__isnull=False).values("person__user_id")
    return list(get_user_model().objects.filter(pk__in=user_ids))


def dispatchers_of(req: Request) -> list:
    return _users_over(req.place, {Role.COMMUNITY_STAFF, Role.STREET_STAFF})


def handlers_of(req: Request) -> list:
    if req.assignee is not None and req.assignee.user_id:
        return [req.assignee.user]
    return _users_with_posts([req.handler_id]) if req.handler_id else []


def reporter_users(req: Request) -> list:
    users = []
    if req.reporter is not None and req.reporter.user_id:
        users.append(req.reporter.user)
    elif req.filed_by_id:
        users.append(req.filed_by)
    return users


# ---------------------------------------------------------------- dispatch


def route(category: Category, place: Place) -> Organisation | None:
    """The organisation routing rules (deepest place, category-specific first) or defaults pick."""
    from .models import HandlerKind

    prefixes = [place.path[: i] for i in range(4, len(place.path) + 1, 4)]
    rules = list(RoutingRule.objects.filter(place__path__in=prefixes).select_related("place", "organisation"))
    rules.sort(key=lambda r: (r.category_id == category.pk, len(r.place.path)), reverse=True)
    for rule in rules:
        if rule.category_id in (None, category.pk):
            return rule.organisation
    kind = category.handler_kind
    if kind == HandlerKind.DEPARTMENT and category.department_id:
        return category.department
    # the place and the places above it, by kind (a tree may start at a street; a compound may sit directly
    # under its community): never a fixed path depth
    line = {p.kind: p for p in [*place.ancestors(), place]}
    if kind == HandlerKind.PROPERTY_COMPANY and Kind.COMPOUND in line:
        from gongzhi.people.models import ManagementAssignment

        assignment = (ManagementAssignment.objects.filter(place=line[Kind.COMPOUND], end_date__isnull=True)
                      .select_related("company").order_by("-start_date").first())
        if assignment:
            return assignment.company
    anchor = line.get(Kind.STREET) if kind == HandlerKind.STREET else (
        line.get(Kind.COMMUNITY) or line.get(Kind.STREET))  # the community office, else the street's
    if anchor is None:
        return None
    return Organisation.objects.filter(place=anchor, kind=OrgKind.OFFICE).order_by("pk").first()


def dispatch_request(req: Request, *, to: Organisation, by, assignee: Person | None = None,
                     mode: str = "direct", note: str = "") -> Request:
    """派单 (or re-dispatch with a reason): to an organisation; to a person, round-robin or a grab pool."""
    if mode not in ("direct", "round_robin", "pool"):
        raise ValidationError({"mode": _("派单方式无效")})
    if len(note) > MAX_REASON:
        raise ValidationError({"note": _("说明不能超过%(n)s个字") % {"n": MAX_REASON}})
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.dispatch_request", req)
        redispatch = req.status in (S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED)
        check_transition("dispatch", req.status)
        if redispatch and not note.strip():
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
        _record(by, Verb.DISPATCH_REQUEST, req, summary=summary, before=before, after=after)
        notify(handlers_of(req), verb=Verb.DISPATCH_REQUEST, text=_("诉求 %(n)s 已派给您，请在时限内接单") % {
            "n": req.number}, link=_link(req))
        notify(reporter_users(req), verb=Verb.DISPATCH_REQUEST, text=_("您的诉求 %(n)s 已派单") % {
            "n": req.number}, link=_link(req))
    return req


def next_on_duty(org: Organisation) -> Person | None:
    """Round-robin: the on-duty person assigned longest ago (never first), locked so two dispatches differ.
    Only people who still hold a post in the organisation take turns: a roster row outlives an ended post."""
    serving = Position.objects.active().filter(organisation=org).values("person_id")
    duty = (Duty.objects.select_for_update().filter(organisation=org, on_duty=True, person_id__in=serving)
            .order_by(F("last_assigned_at").asc(nulls_first=True), "pk").first())
    if duty is None:
        return None
    duty.last_assigned_at = timezone.now()
    duty.save(update_fields=["last_assigned_at"])
    return duty.person


def grab_request(req: Request, *, by) -> Request:
    """抢单 — the first of the organisation's people to claim a pooled request gets it."""
    person = Person.objects.filter(user=by).first()
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.grab_request", req)
        check_transition("grab", req.status)
        if req.pool_until is None or req.assignee_id is not None:
            raise StateConflict(_("该诉求不在抢单池中"))
        if req.pool_until < timezone.now():
            raise StateConflict(_("抢单时间已过"))
        if person is None:
            raise PermissionDenied
        claimed = Request.objects.filter(pk=req.pk, assignee__isnull=True, status=S.DISPATCHED).update(
            assignee=person, pool_until=None)
        if not claimed:
            raise StateConflict(_("已被他人抢单"))
        req.refresh_from_db()
        _record(by, Verb.GRAB_REQUEST, req, summary=_("%(p)s 抢单") % {"p": person.name},
                after={"assignee": person.pk})
    return req


# ---------------------------------------------------------------- handling


def accept_request(req: Request, *, by) -> Request:
    """接单."""
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.accept_request", req)
        check_transition("accept", req.status)
        if req.pool_until is not None and req.assignee_id is None:
            raise StateConflict(_("抢单池中的诉求请先抢单"))
        now = timezone.now()
        before = {"status": req.status}
        req.status = S.ACCEPTED
        req.accepted_at = now
        req.first_accepted_at = req.first_accepted_at or now
        if req.response_due_at is not None and now > req.response_due_at:
            req.response_overdue = True  # late, even if no tick ran in between (sticky: counts in 三率)
        if req.assignee_id is None:
            req.assignee = Person.objects.filter(user=by).first()
        req.save(update_fields=["status", "accepted_at", "first_accepted_at", "response_overdue", "assignee",
                                "updated_at"])
        org = req.handler.name if req.handler is not None else ""
        _record(by, Verb.ACCEPT_REQUEST, req, summary=_("%(org)s 已接单") % {"org": org},
                before=before, after={"status": req.status})
        notify(reporter_users(req), verb=Verb.ACCEPT_REQUEST, text=_("您的诉求 %(n)s 已接单") % {
            "n": req.number}, link=_link(req))
    return req


def start_request(req: Request, *, by) -> Request:
    """开始处理."""
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.start_request", req)
        check_transition("start", req.status)
        req.status = S.IN_PROGRESS
        req.save(update_fields=["status", "updated_at"])
        _record(by, Verb.START_REQUEST, req, summary=_("开始处理"), before={"status": S.ACCEPTED},
                after={"status": req.status})
    return req


def resolve_request(req: Request, *, by, result_note: str, photos: Sequence = ()) -> Request:
    """办结 — with what was done and photos of the result."""
    result_note = (result_note or "").strip()
    if not result_note:
        raise ValidationError({"result_note": _("请填写办理结果")})
    if len(result_note) > MAX_DESCRIPTION:
        raise ValidationError({"result_note": _("办理结果不能超过%(n)s个字") % {"n": MAX_DESCRIPTION}})
    check_photos(photos, field="photos")
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.resolve_request", req)
        check_transition("resolve", req.status)
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
        _save_photos(req, photos, Attachment.Stage.RESULT, by)
        _record(by, Verb.RESOLVE_REQUEST, req, summary=result_note[:100], before=before,
                after={"status": req.status})
        notify(reporter_users(req), verb=Verb.RESOLVE_REQUEST, text=_("您的诉求 %(n)s 已办结，请评价") % {
            "n": req.number}, link=_link(req))
    return req


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("请填写理由")})
    if len(reason) > MAX_REASON:
        raise ValidationError({field: _("理由不能超过%(n)s个字") % {"n": MAX_REASON}})
    return reason


def return_request(req: Request, *, by, reason: str) -> Request:
    """退回 — the handler sends it back to the dispatcher (not theirs, wrong place…)."""
    reason = _reason(reason)
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.return_request", req)
        check_transition("return", req.status)
        before = {"status": req.status, "handler": req.handler_id}
        req.status, req.reason, req.assignee, req.pool_until = S.RETURNED, reason, None, None
        req.save(update_fields=["status", "reason", "assignee", "pool_until", "updated_at"])
        _record(by, Verb.RETURN_REQUEST, req, summary=_("退回：%(r)s") % {"r": reason}, before=before,
                after={"status": req.status})
        notify(dispatchers_of(req), verb=Verb.RETURN_REQUEST, text=_("诉求 %(n)s 被退回：%(r)s") % {
            "n": req.number, "r": reason}, link=_link(req))
    return req


def reject_request(req: Request, *, by, reason: str) -> Request:
    """驳回 — out of scope; the reason is shown to the resident."""
    reason = _reason(reason)
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.reject_request", req)
        check_transition("reject", req.status)
        before = {"status": req.status}
        now = timezone.now()
        req.status, req.reason, req.closed_at = S.REJECTED, reason, now
        req.save(update_fields=["status", "reason", "closed_at", "updated_at"])
        _record(by, Verb.REJECT_REQUEST, req, summary=_("驳回：%(r)s") % {"r": reason}, before=before,
                after={"status": req.status})
        notify(reporter_users(req), verb=Verb.REJECT_REQUEST, text=_("您的诉求 %(n)s 未受理：%(r)s") % {
            "n": req.number, "r": reason}, link=_link(req))
    return req


def merge_request(req: Request, *, into: Request, by) -> Request:
    """合并 — a duplicate follows the original."""
    if into.pk == req.pk:
        raise ValidationError({"into": _("不能与自身合并")})
    with transaction.atomic():
        locked = {r.pk: r for r in Request.objects.select_for_update(of=("self",)).filter(pk__in=[req.pk, into.pk])
                  .select_related("place").order_by("pk")}
        req, into = locked[req.pk], locked[into.pk]
        _require(by, "workorders.merge_request", req)
        _require(by, "workorders.merge_request", into)
        check_transition("merge", req.status)
        if into.status in (S.MERGED, S.REJECTED):
            raise ValidationError({"into": _("目标诉求已合并或已驳回")})
        before = {"status": req.status}
        req.status, req.merged_into, req.closed_at = S.MERGED, into, timezone.now()
        req.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
        _record(by, Verb.MERGE_REQUEST, req, summary=_("与 %(n)s 合并办理") % {"n": into.number}, before=before,
                after={"status": req.status, "merged_into": into.pk})
        notify(reporter_users(req), verb=Verb.MERGE_REQUEST, text=_("您的诉求 %(n)s 已与 %(m)s 合并办理") % {
            "n": req.number, "m": into.number}, link=_link(into))
    return req


# ---------------------------------------------------------------- the resident's judgement


def rate_request(req: Request, *, by, rating: object, comment: str = "") -> Request:
    """评单 — 1 to 5, by the resident who filed it."""
    score = _whole_number(rating)
    if score is None or not 1 <= score <= 5:
        raise ValidationError({"rating": _("评分必须是1到5之间的整数")})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("评价不能超过500个字")})
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.rate_request", req)
        check_transition("rate", req.status)
        now = timezone.now()
        before = {"status": req.status}
        req.status, req.rating, req.rating_comment, req.rated_at = S.RATED, score, comment, now
        if req.first_rating is None:
            req.first_rating = score
        req.save(update_fields=["status", "rating", "rating_comment", "rated_at", "first_rating", "updated_at"])
        _record(by, Verb.RATE_REQUEST, req, summary=_("评分 %(r)s 分%(c)s") % {
            "r": score, "c": f"：{comment}" if comment else ""}, before=before,
            after={"status": req.status, "rating": score})
        notify(handlers_of(req), verb=Verb.RATE_REQUEST, text=_("诉求 %(n)s 获评 %(r)s 分") % {
            "n": req.number, "r": score}, link=_link(req))
    return req


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def reopen_request(req: Request, *, by, reason: str) -> Request:
    """重办 — the resident is not satisfied, within the reopen window; back to the same handler."""
    reason = _reason(reason)
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.reopen_request", req)
        check_transition("reopen", req.status)
        if not req.can_reopen():
            raise StateConflict(_("已超过可重办期限（办结后%(d)s天）") % {"d": ServiceSettings.current().reopen_days})
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
        _record(by, Verb.REOPEN_REQUEST, req, summary=_("申请重办：%(r)s") % {"r": reason}, before=before,
                after={"status": req.status, "reopen_count": req.reopen_count})
        notify(handlers_of(req) + dispatchers_of(req), verb=Verb.REOPEN_REQUEST,
               text=_("诉求 %(n)s 被居民要求重办：%(r)s") % {"n": req.number, "r": reason}, link=_link(req))
    return req


def follow_up_request(req: Request, *, by, note: str) -> Request:
    """回访 — staff call the resident after resolution and record what they said."""
    note = _reason(note, field="note")
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.follow_up_request", req)
        if req.status not in (S.RESOLVED, S.RATED, S.CLOSED):
            raise StateConflict(_("办结后才能回访"))
        req.followed_up_at, req.follow_up_note = timezone.now(), note
        req.save(update_fields=["followed_up_at", "follow_up_note", "updated_at"])
        _record(by, Verb.FOLLOW_UP_REQUEST, req, summary=_("回访：%(n)s") % {"n": note})
    return req


def close_request(req: Request, *, by=None, unrated: bool = False) -> Request:
    """关闭 — after rating, or unrated after the window (never assumed satisfied)."""
    with transaction.atomic():
        req = _lock(req)
        check_transition("close", req.status)
        before = {"status": req.status}
        req.status, req.closed_at = S.CLOSED, timezone.now()
        req.unrated = unrated or req.rating is None
        req.save(update_fields=["status", "closed_at", "unrated", "updated_at"])
        _record(by, Verb.CLOSE_REQUEST, req, summary=_("未评价，自动关闭") if req.unrated else _("关闭"),
                before=before, after={"status": req.status, "unrated": req.unrated})
    return req


# ---------------------------------------------------------------- 吹哨报到


def whistle_request(req: Request, *, department: Organisation, by, note: str) -> Whistle:
    """吹哨 — summon a department to the request; it must report in within its deadline."""
    note = _reason(note, field="note")
    if department.kind != OrgKind.DEPARTMENT:
        raise ValidationError({"department": _("只能向职能部门吹哨")})
    with transaction.atomic():
        req = _lock(req)
        _require(by, "workorders.whistle_request", req)
        if not req.is_open:
            raise StateConflict(_("已办结或关闭的诉求不能吹哨"))
        now = timezone.now()
        hours = ServiceSettings.current().whistle_ack_hours
        whistle = Whistle.objects.create(request=req, department=department, whistled_by=by, note=note,
                                         ack_due_at=due_at(now, hours, TimeUnit.WORKING_HOURS))
        _record(by, Verb.WHISTLE_REQUEST, req, summary=_("向 %(d)s 吹哨：%(n)s") % {"d": department.name, "n": note},
                after={"whistle": whistle.pk, "department": department.pk})
        notify(_users_with_posts([department.pk]), verb=Verb.WHISTLE_REQUEST,
               text=_("吹哨：诉求 %(n)s 需要贵部门报到（%(note)s）") % {"n": req.number, "note": note}, link=_link(req))
    return whistle


def acknowledge_whistle(whistle: Whistle, *, by) -> Whistle:
    """报到."""
    with transaction.atomic():
        whistle = Whistle.objects.select_for_update(of=("self",)).select_related("request__place", "department").get(pk=whistle.pk)
        _require(by, "workorders.acknowledge_whistle", whistle)
        if whistle.acknowledged_at is not None:
            return whistle
        whistle.acknowledged_at, whistle.acknowledged_by = timezone.now(), by
        whistle.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
        late = whistle.acknowledged_at > whistle.ack_due_at
        _record(by, Verb.ACKNOWLEDGE_WHISTLE, whistle.request, summary=_("%(d)s 已报到%(late)s") % {
            "d": whistle.department.name, "late": _("（超时）") if late else ""},
            after={"whistle": whistle.pk, "late": late})
        notify(dispatchers_of(whistle.request), verb=Verb.ACKNOWLEDGE_WHISTLE,
               text=_("%(d)s 已就诉求 %(n)s 报到") % {"d": whistle.department.name, "n": whistle.request.number},
               link=_link(whistle.request))
    return whistle


def report_whistle(whistle: Whistle, *, by, report: str) -> Whistle:
    """反馈处置 — the department says what it did."""
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": _("请填写处置情况")})
    if len(report) > MAX_DESCRIPTION:
        raise ValidationError({"report": _("处置情况不能超过%(n)s个字") % {"n": MAX_DESCRIPTION}})
    with transaction.atomic():
        whistle = Whistle.objects.select_for_update(of=("self",)).select_related("request__place", "department").get(pk=whistle.pk)
        _require(by, "workorders.report_whistle", whistle)
        if whistle.acknowledged_at is None:
            whistle.acknowledged_at, whistle.acknowledged_by = timezone.now(), by
        whistle.report, whistle.reported_at = report, timezone.now()
        whistle.save(update_fields=["acknowledged_at", "acknowledged_by", "report", "reported_at", "updated_at"])
        _record(by, Verb.REPORT_WHISTLE, whistle.request, summary=_("%(d)s 反馈：%(r)s") % {
            "d": whistle.department.name, "r": report[:100]}, after={"whistle": whistle.pk})
        notify(dispatchers_of(whistle.request), verb=Verb.REPORT_WHISTLE,
               text=_("%(d)s 反馈了诉求 %(n)s 的处置情况") % {"d": whistle.department.name, "n": whistle.request.number},
               link=_link(whistle.request))
    return whistle


# ---------------------------------------------------------------- escalation (system)


ESCALATION_ROLES = {
    Escalation.GRID: {Role.GRID_WORKER},
    Escalation.COMMUNITY: {Role.COMMUNITY_STAFF},
    Escalation.STREET: {Role.STREET_STAFF},
}


def escalate_request(req: Request, *, to_level: int, why: str, by=None) -> bool:
    """督办升级 one rung (grid → community → street); a conditional update so two ticks cannot both do it."""
    with transaction.atomic():
        req = _lock(req)
        if req.escalation_level >= to_level or to_level > Escalation.STREET:
            return False
        updated = Request.objects.filter(pk=req.pk, escalation_level=req.escalation_level).update(
            escalation_level=to_level, updated_at=timezone.now())
        if not updated:
            return False
        before = req.escalation_level
        req.escalation_level = to_level
        label = Escalation(to_level).label
        _record(by, Verb.ESCALATE_REQUEST, req, summary=_("升级至%(l)s督办：%(w)s") % {"l": label, "w": why},
                before={"escalation_level": before}, after={"escalation_level": to_level})
        notify(_users_over(req.place, ESCALATION_ROLES[Escalation(to_level)]), verb=Verb.ESCALATE_REQUEST,
               text=_("督办：诉求 %(n)s %(w)s，已升级至%(l)s") % {"n": req.number, "w": why, "l": label},
               link=_link(req))
    return True


# ---------------------------------------------------------------- catalogue and calendar (street staff)


def update_service_level(level: ServiceLevel, *, by, **fields) -> ServiceLevel:
    """修改服务时限."""
    for key in ("response_value", "resolution_value"):
        if key in fields and Decimal(fields[key]) < 1:
            raise ValidationError({key: _("时限至少为1")})
    for key in ("response_unit", "resolution_unit"):
        if key in fields and fields[key] not in TimeUnit.values:
            raise ValidationError({key: _("单位无效")})
    with transaction.atomic():
        _require(by, "workorders.manage_catalogue")
        level = ServiceLevel.objects.select_for_update().get(pk=level.pk)
        before, after = {}, {}
        for key, value in fields.items():
            old = getattr(level, key)
            if str(old) != str(value):
                before[key], after[key] = str(old), str(value)
                setattr(level, key, value)
        if not after:
            return level
        level.save()
        Event.record(by, Verb.UPDATE_CATALOGUE, level, summary=str(level), before=before, after=after)
    return level


CATEGORY_CODE = re.compile(r"^[a-z0-9_]+$")
CATEGORY_FIELDS = ("name", "description", "handler_kind", "department", "sort")


def _require_catalogue(by) -> None:
    _require(by, "workorders.manage_catalogue")


def _clean_category(*, name: str, handler_kind: str, department: Organisation | None, sort: object,
                    exclude_pk: int | None = None) -> dict:
    """The rules every category keeps: a unique name, a known handler kind, a department when (and only
    when) a department handles it, a sort position 0–32767."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写类别名称")
    elif len(name) > 40:
        errors["name"] = _("类别名称不能超过40个字")
    elif Category.objects.filter(name=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = _("已有同名类别")
    if handler_kind not in HandlerKind.values:
        errors["handler_kind"] = _("请选择默认承办")
    elif handler_kind == HandlerKind.DEPARTMENT:
        if department is None:
            errors["department"] = _("由职能部门承办的类别须选择承办部门")
        elif department.kind != OrgKind.DEPARTMENT:
            errors["department"] = _("所选组织不是职能部门")
    number = _whole_number(sort)
    if number is None or not 0 <= number <= 32767:
        errors["sort"] = _("排序须为0到32767之间的整数")
    if errors:
        raise ValidationError(errors)
    return {"name": name, "handler_kind": handler_kind,
            "department": department if handler_kind == HandlerKind.DEPARTMENT else None, "sort": number}


def _category_fields(category: Category) -> dict:
    return {"name": category.name, "description": category.description, "handler_kind": category.handler_kind,
            "department": category.department_id, "sort": category.sort}


def create_category(*, code: str, name: str, handler_kind: str, by, department: Organisation | None = None,
                    sort: int = 100, description: str = "") -> Category:
    """新建服务类别, with a 时限 for every urgency from the seeded Beijing 12345 defaults (edit them after)."""
    from .catalogue import LEVELS

    code = (code or "").strip()
    errors = {}
    if not code:
        errors["code"] = _("请填写类别代码")
    elif len(code) > 40 or not CATEGORY_CODE.match(code):
        errors["code"] = _("代码只能由小写字母、数字和下划线组成，不超过40个字符")
    elif Category.objects.filter(code=code).exists():
        errors["code"] = _("已有相同代码的类别")
    try:
        fields = _clean_category(name=name, handler_kind=handler_kind, department=department, sort=sort)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    description = (description or "").strip()[:200]
    with transaction.atomic():
        _require_catalogue(by)
        try:
            with transaction.atomic():  # the unique constraints decide a race between two creators
                category = Category.objects.create(code=code, description=description, **fields)
        except IntegrityError:
            raise ValidationError({"code": _("已有相同代码或名称的类别")}) from None
        ServiceLevel.objects.bulk_create([
            ServiceLevel(category=category, urgency=urgency, response_value=Decimal(rv), response_unit=ru,
                         resolution_value=Decimal(sv), resolution_unit=su)
            for urgency, (rv, ru, sv, su) in LEVELS.items()])
        Event.record(by, Verb.CREATE_CATEGORY, category, summary=category.name,
                     after={"code": code, **_category_fields(category)})
    return category


def update_category(category: Category, *, by, name: str, handler_kind: str,
                    department: Organisation | None = None, sort: int = 100, description: str = "") -> Category:
    """修改服务类别: name, default handler (kind and department), sort position, description. The code stays:
    the API and Open311 clients name categories by it."""
    fields = _clean_category(name=name, handler_kind=handler_kind, department=department, sort=sort,
                             exclude_pk=category.pk)
    fields["description"] = (description or "").strip()[:200]
    with transaction.atomic():
        _require_catalogue(by)
        category = Category.objects.select_for_update().get(pk=category.pk)
        snapshot = _category_fields(category)
        for key, value in fields.items():
            setattr(category, key, value)
        before, after = changed_fields(snapshot, _category_fields(category))
        if not after:
            return category
        try:
            with transaction.atomic():
                category.save()
        except IntegrityError:
            raise ValidationError({"name": _("已有同名类别")}) from None
        Event.record(by, Verb.UPDATE_CATEGORY, category, summary=category.name,
                     before=before, after=after)
    return category


def set_category_active(category: Category, *, active: bool, by) -> Category:
    """停用/启用服务类别: a stopped category leaves the filing forms and the service lists; the requests already
    filed under it keep it."""
    with transaction.atomic():
        _require_catalogue(by)
        category = Category.objects.select_for_update().get(pk=category.pk)
        if category.active == active:
            return category
        category.active = active
        category.save(update_fields=["active", "updated_at"])
        Event.record(by, Verb.ACTIVATE_CATEGORY if active else Verb.DEACTIVATE_CATEGORY, category,
                     summary=category.name, before={"active": not active}, after={"active": active})
    return category


# 诉求参数: field → (lowest, highest) allowed
SETTINGS_BOUNDS: dict[str, tuple[Decimal, Decimal]] = {
    "reopen_days": (Decimal(1), Decimal(365)),
    "unrated_days": (Decimal(1), Decimal(365)),
    "satisfied_min": (Decimal(1), Decimal(5)),
    "basic_satisfied_score": (Decimal(1), Decimal(5)),
    "basic_satisfied_weight": (Decimal(0), Decimal(1)),
    "grab_minutes": (Decimal(1), Decimal(1440)),
    "whistle_ack_hours": (Decimal("0.5"), Decimal(720)),
    "escalate_after_hours": (Decimal("0.5"), Decimal(720)),
}
WHOLE_SETTINGS = ("reopen_days", "unrated_days", "satisfied_min", "basic_satisfied_score", "grab_minutes")


def update_service_settings(*, by, **fields) -> ServiceSettings:
    """修改诉求参数 (the windows and the 三率 formulas' parameters), audited with before and after."""
    errors: dict[str, str] = {}
    clean: dict[str, object] = {}
    for key, value in fields.items():
        if key == "unrated_in_denominator":
            clean[key] = bool(value)
            continue
        if key not in SETTINGS_BOUNDS:
            raise ValueError(key)
        low, high = SETTINGS_BOUNDS[key]
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            number = None
        if number is None or not number.is_finite():
            errors[key] = _("请填写数字")
        elif key in WHOLE_SETTINGS and number != number.to_integral_value():
            errors[key] = _("须为整数")
        elif not low <= number <= high:
            errors[key] = _("须在%(low)s到%(high)s之间") % {"low": low, "high": high}
        else:
            clean[key] = int(number) if key in WHOLE_SETTINGS else number
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _require_catalogue(by)
        ServiceSettings.current()
        cfg = ServiceSettings.objects.select_for_update().get(pk=1)
        if clean.get("basic_satisfied_score", cfg.basic_satisfied_score) >= clean.get(  # type: ignore[operator]
                "satisfied_min", cfg.satisfied_min):
            raise ValidationError({"basic_satisfied_score": _("基本满意分须低于满意最低分")})
        before, after = {}, {}
        for key, value in clean.items():
            old = getattr(cfg, key)
            if old != value:
                before[key], after[key] = plain(old), plain(value)
                setattr(cfg, key, value)
        if not after:
            return cfg
        cfg.save()
        Event.record(by, Verb.UPDATE_SERVICE_SETTINGS, cfg, summary=str(_("诉求参数")), before=before, after=after)
    return cfg



def set_holiday(*, date: datetime.date, kind: str, name: str, by):
    """设置节假日或调休上班日 (replaces what the date had)."""
    from gongzhi.core.models import DayKind, Holiday

    if kind not in DayKind.values:
        raise ValidationError({"kind": _("类型无效")})
    with transaction.atomic():
        _require(by, "workorders.manage_catalogue")
        day, _created = Holiday.objects.update_or_create(date=date, defaults={"kind": kind, "name": name[:30]})
        Event.record(by, Verb.UPDATE_CALENDAR, day, summary=str(day), after={"date": date.isoformat(), "kind": kind})
    return day


def remove_holiday(day, *, by) -> None:
    with transaction.atomic():
        _require(by, "workorders.manage_catalogue")
        Event.record(by, Verb.UPDATE_CALENDAR, day, summary=str(day), before={"date": day.date.isoformat(),
                                                                             "kind": day.kind})
        day.delete()


# ---------------------------------------------------------------- routing rules (street and community staff)

RULE_PLACE_KINDS = ("district", "street", "community", "grid", "compound")


def _rule_fields(rule: RoutingRule) -> dict:
    return {"category": rule.category_id, "place": rule.place_id, "organisation": rule.organisation_id}


def _check_rule(*, category: Category | None, place: Place, organisation: Organisation) -> None:
    from .queries import dispatch_targets_at

    errors = {}
    if place.kind not in RULE_PLACE_KINDS:
        errors["place"] = _("派单规则的区域只能是街道、社区、网格或小区")
    elif not dispatch_targets_at(place).filter(pk=organisation.pk).exists():
        errors["organisation"] = _("“%(org)s”不能承办“%(place)s”的诉求") % {"org": organisation.name,
                                                                           "place": place.name}
    if errors:
        raise ValidationError(errors)


def _save_rule(rule: RoutingRule) -> None:
    """Save under the (category, place) constraints: a duplicate is a form error, not a 500."""
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise ValidationError({"category": _("该区域已有“%(c)s”的派单规则，请修改原规则") % {
            "c": rule.category.name if rule.category is not None else _("所有类别")}}, code="duplicate_rule") from exc


def create_routing_rule(*, category: Category | None, place: Place, organisation: Organisation, by) -> RoutingRule:
    """新建派单规则 — requests of ``category`` (None: any) in ``place``'s subtree go to ``organisation``."""
    _check_rule(category=category, place=place, organisation=organisation)
    with transaction.atomic():
        _require(by, "workorders.create_routing_rule", place)
        rule = RoutingRule(category=category, place=place, organisation=organisation)
        _save_rule(rule)
        Event.record(by, Verb.CREATE_ROUTING_RULE, rule, place=place, summary=str(rule), after=_rule_fields(rule))
    return rule


def update_routing_rule(rule: RoutingRule, *, by, **fields) -> RoutingRule:
    """修改派单规则 (category, place, organisation); both the old and the new place must be the actor's."""
    with transaction.atomic():
        rule = (RoutingRule.objects.select_for_update(of=("self",))
                .select_related("category", "place", "organisation").get(pk=rule.pk))
        _require(by, "workorders.update_routing_rule", rule)
        snapshot = _rule_fields(rule)
        for key in ("category", "place", "organisation"):
            if key in fields:
                setattr(rule, key, fields[key])
        before, after = changed_fields(snapshot, _rule_fields(rule))
        if not after:
            return rule
        _require(by, "workorders.update_routing_rule", rule.place)
        _check_rule(category=rule.category, place=rule.place, organisation=rule.organisation)
        _save_rule(rule)
        Event.record(by, Verb.UPDATE_ROUTING_RULE, rule, place=rule.place, summary=str(rule),
                     before=before, after=after)
    return rule


def delete_routing_rule(rule: RoutingRule, *, by) -> None:
    """删除派单规则."""
    with transaction.atomic():
        rule = (RoutingRule.objects.select_for_update(of=("self",))
                .select_related("category", "place", "organisation").get(pk=rule.pk))
        _require(by, "workorders.delete_routing_rule", rule)
        Event.record(by, Verb.DELETE_ROUTING_RULE, rule, place=rule.place, summary=str(rule),
                     before=_rule_fields(rule))
        rule.delete()


# ---------------------------------------------------------------- duty roster (the organisation's managers)


def add_duty(org: Organisation, *, person: Person, by) -> Duty:
    """加入值班 — one of the organisation's people (an active post in it) joins the round-robin, on duty."""
    with transaction.atomic():
        _require(by, "workorders.add_duty", org)
        if not Position.objects.active().filter(person=person, organisation=org).exists():
            raise ValidationError({"person": _("%(p)s 不是“%(o)s”的在岗人员") % {"p": person.name, "o": org.name}})
        try:
            with transaction.atomic():
                duty = Duty.objects.create(organisation=org, person=person, on_duty=True)
        except IntegrityError as exc:
            raise ValidationError({"person": _("%(p)s 已在值班表中") % {"p": person.name}},
                                  code="duplicate_duty") from exc
        Event.record(by, Verb.ADD_DUTY, duty, place=org.place, summary=str(duty),
                     after={"organisation": org.pk, "person": person.pk, "on_duty": True})
    return duty


def _lock_duty(duty: Duty) -> Duty:
    return Duty.objects.select_for_update(of=("self",)).select_related("organisation__place", "person").get(
        pk=duty.pk)


def set_duty(duty: Duty, *, on_duty: bool, by) -> Duty:
    """调整在岗 — off duty keeps the member on the roster but out of the round-robin."""
    with transaction.atomic():
        duty = _lock_duty(duty)
        _require(by, "workorders.set_duty", duty.organisation)
        if duty.on_duty == on_duty:
            return duty
        duty.on_duty = on_duty
        duty.save(update_fields=["on_duty"])
        Event.record(by, Verb.SET_DUTY, duty, place=duty.organisation.place, summary=str(duty),
                     before={"on_duty": not on_duty}, after={"on_duty": on_duty})
    return duty


def remove_duty(duty: Duty, *, by) -> None:
    """移出值班."""
    with transaction.atomic():
        duty = _lock_duty(duty)
        _require(by, "workorders.remove_duty", duty.organisation)
        Event.record(by, Verb.REMOVE_DUTY, duty, place=duty.organisation.place, summary=str(duty),
                     before={"organisation": duty.organisation_id, "person": duty.person_id,
                             "on_duty": duty.on_duty})
        duty.delete()
