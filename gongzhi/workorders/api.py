"""诉求 API at /api/requests: the same actions as the pages, scoped the same way.

Every endpoint starts from ``Request.objects.visible_to(user)`` (out of scope is 404, the same as "no such
request"); the action checks the right to make the move (403). A move the transition table does not allow
is 409 naming the field ``status``; any other invalid input is 422 naming the field (``gongzhi/api.py``).
"""

import datetime
import functools
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja import Status as Reply
from ninja.pagination import paginate
from pydantic import field_validator

from gongzhi.core.api_pagination import LimitOffsetPagination
from gongzhi.core.params import ID_MAX, Id, to_month
from gongzhi.core.permissions import is_staff, require
from gongzhi.people.models import OrgKind, Person
from gongzhi.places.models import Place

from . import actions, visibility
from .actions import StateConflict
from .models import Category, Channel, Request, Status, Urgency, Whistle
from .queries import dispatch_targets, queue, rates

router = Router(tags=["requests 诉求"])


def _view(obj, context) -> visibility.Shown:
    """The policy's answer for this request and the caller (docs/privacy.md), computed once per object."""
    user = context["request"].user
    cached = getattr(obj, "_shown", None)
    if cached is None or cached[0] != user.pk:
        cached = (user.pk, visibility.shown(obj, user))
        obj._shown = cached
    return cached[1]


# ---------------------------------------------------------------- schemas


class ErrorItem(Schema):
    loc: list[str]
    msg: str
    type: str = "invalid"


class ErrorOut(Schema):
    detail: list[ErrorItem]


class MessageOut(Schema):
    detail: str


class RequestRow(Schema):
    id: int
    number: str
    category: str = Field(..., description="类别代码")
    category_name: str
    urgency: Urgency
    status: Status
    status_label: str
    description: str
    place_id: int = Field(..., description="位置（按本账号可见的精度：对物业匿名时户显示为单元）")
    place_name: str
    channel: Channel
    handler_id: int | None
    handler_name: str | None
    created_at: datetime.datetime
    response_due_at: datetime.datetime | None
    resolution_due_at: datetime.datetime | None
    overdue: bool = Field(..., description="已超过响应或办结时限")
    rating: int | None
    reopen_count: int
    escalation_level: int

    @staticmethod
    def resolve_category(obj):
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj):
        return obj.category.name

    @staticmethod
    def resolve_status_label(obj):
        return str(Status(obj.status).label)

    @staticmethod
    def resolve_place_id(obj, context):
        return visibility.shown_place(obj.place, _view(obj, context).location).pk

    @staticmethod
    def resolve_place_name(obj, context):
        return visibility.location_name(obj, _view(obj, context))

    @staticmethod
    def resolve_description(obj, context):
        return obj.description if _view(obj, context).description else ""

    @staticmethod
    def resolve_handler_name(obj):
        return obj.handler.name if obj.handler_id else None

    @staticmethod
    def resolve_overdue(obj):
        overdue = getattr(obj, "overdue", None)
        return bool(overdue) if overdue is not None else obj.is_overdue()


class TimelineItem(Schema):
    at: datetime.datetime
    verb: str
    label: str
    summary: str
    actor: str | None = Field(None, description="操作人账号（对物业匿名的诉求不显示诉求人）")


class PhotoOut(Schema):
    id: int
    stage: str
    url: str


class WhistleOut(Schema):
    id: int
    request_id: int
    department_id: int
    department_name: str
    note: str
    ack_due_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    report: str
    reported_at: datetime.datetime | None
    overdue: bool

    @staticmethod
    def resolve_department_name(obj):
        return obj.department.name


class RequestDetail(RequestRow):
    address: str = Field(..., description="详细地址（仅对可见完整位置的账号）")
    location: str = Field(..., description="位置全称（按本账号可见的精度）")
    anonymous: bool
    public: bool = Field(..., description="居民选择公开：公示栏与 Open311 显示类别、描述、状态，位置到小区")
    named_to_committee: bool = Field(..., description="居民同意业委会看到其姓名")
    reporter_hidden: bool = Field(..., description="诉求人身份不向本账号显示（对物业匿名、业委会等，见 docs/privacy.md）")
    reporter_name: str | None
    contact_name: str | None
    contact_phone: str | None = Field(None, description="承办人与诉求人完整显示，其他有权账号脱敏，无权则为 null")
    phone: Literal["full", "masked", "hidden"] = Field(..., description="联系电话的显示方式")
    can_reveal_phone: bool = Field(..., description="可通过 POST /api/requests/{id}/reveal-phone 查看完整号码（留痕）")
    assignee_name: str | None
    pool_until: datetime.datetime | None
    dispatched_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    rated_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    result_note: str
    reason: str
    rating_comment: str
    merged_into: str | None = Field(None, description="合并到的诉求编号")
    followed_up_at: datetime.datetime | None
    follow_up_note: str
    photos: list[PhotoOut]
    whistles: list[WhistleOut]
    timeline: list[TimelineItem]
    allowed_moves: list[str] = Field(..., description="本账号现在可做的操作（与页面相同的判断）：dispatch 派单、grab 抢单、"
                                                      "accept 接单、start 开始处理、resolve 办结、return 退回、reject 驳回、"
                                                      "merge 合并、rate 评单、reopen 重办、follow_up 回访、whistle 吹哨")

    @staticmethod
    def resolve_address(obj, context):
        return visibility.address(obj, _view(obj, context))

    @staticmethod
    def resolve_location(obj, context):
        return visibility.location(obj, _view(obj, context))

    @staticmethod
    def resolve_reporter_hidden(obj, context):
        return not _view(obj, context).reporter

    @staticmethod
    def resolve_reporter_name(obj, context):
        return visibility.reporter_name(obj, _view(obj, context))

    @staticmethod
    def resolve_contact_name(obj, context):
        return visibility.contact_name(obj, _view(obj, context))

    @staticmethod
    def resolve_contact_phone(obj, context):
        return visibility.contact_phone(obj, _view(obj, context))

    @staticmethod
    def resolve_phone(obj, context):
        return _view(obj, context).phone

    @staticmethod
    def resolve_can_reveal_phone(obj, context):
        return _view(obj, context).can_reveal_phone

    @staticmethod
    def resolve_assignee_name(obj):
        return obj.assignee.name if obj.assignee_id else None

    @staticmethod
    def resolve_merged_into(obj):
        return obj.merged_into.number if obj.merged_into_id else None

    @staticmethod
    def resolve_photos(obj, context):
        return [{"id": p.pk, "stage": p.stage, "url": reverse("workorders:photo", args=[obj.pk, p.pk])}
                for p in visibility.photos(obj, _view(obj, context))]

    @staticmethod
    def resolve_whistles(obj):
        return list(obj.whistles.select_related("department").order_by("created_at", "pk"))

    @staticmethod
    def resolve_timeline(obj, context):
        return visibility.timeline(obj, _view(obj, context))

    @staticmethod
    def resolve_allowed_moves(obj, context):
        return sorted(actions.allowed_moves(obj, context["request"].user))


class In(Schema):
    """Request bodies: text may not hold NUL characters (PostgreSQL refuses them)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(_("不能包含空字符"))
        return value


class FileIn(In):
    category: str = Field("", description="类别代码，见 /open311/v2/services.json")
    description: str = ""
    place: Id | None = Field(None, description="位置（区域 id）")
    urgency: Urgency = Urgency.NORMAL
    channel: Channel = Channel.APP
    anonymous: bool = False
    public: bool | None = Field(None, description="是否公开；不填按默认：公共部位报修公开，户内与个人事务不公开")
    named_to_committee: bool = Field(False, description="同意业委会看到诉求人姓名")
    address: str = ""
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class DispatchIn(In):
    organisation: Id
    assignee: Id | None = None
    mode: Literal["direct", "round_robin", "pool"] = "direct"
    note: str = ""


class ResolveIn(In):
    result_note: str = ""


class ReasonIn(In):
    reason: str = ""


class MergeIn(In):
    into: Id | str = Field(..., description="目标诉求的 id 或编号")


class RateIn(In):
    rating: int = Field(..., description="1–5 分（超出范围时 422 说明）")
    comment: str = ""


class NoteIn(In):
    note: str = ""


class WhistleIn(In):
    department: Id
    note: str = ""


class ReportIn(In):
    report: str = ""


class RatesOut(Schema):
    key: str
    label: str
    total: int
    households: int
    per_thousand_households: float | None
    response_base: int
    responded_on_time: int
    response_rate: float | None = Field(..., description="响应率 = responded_on_time / response_base")
    resolution_base: int
    resolved: int
    resolved_on_time: int
    resolution_rate: float | None = Field(..., description="解决率 = resolved / resolution_base")
    on_time_resolution_rate: float | None = Field(..., description="按时办结 = resolved_on_time / resolved")
    rated: int
    unrated: int
    satisfied: int
    basic_satisfied: int
    satisfaction_base: int
    satisfaction_rate: float | None = Field(..., description="满意率 = (satisfied + 权重×basic_satisfied) / "
                                                            "satisfaction_base")
    first_rated: int
    first_satisfied: int
    first_satisfaction_rate: float | None
    reopened: int
    reopen_rate: float | None
    avg_hours_to_resolve: float | None


MOVE = {200: RequestDetail, 403: MessageOut, 404: MessageOut, 409: ErrorOut, 422: ErrorOut}
WHISTLE_MOVE = {200: WhistleOut, 403: MessageOut, 404: MessageOut, 422: ErrorOut}


# ---------------------------------------------------------------- helpers


def conflict_on_invalid_transition(view):
    """StateConflict (an illegal transition, or a state that forbids the move now) → 409 {"detail": [{"loc": ["body", "status"], ...}]}; other errors pass on."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except StateConflict as exc:
            detail = [{"loc": ["body", field], "msg": str(e.message % e.params if e.params else e.message),
                       "type": e.code or "invalid_transition"}
                      for field, errors in exc.error_dict.items() for e in errors]
            return Reply(409, {"detail": detail})

    return wrapper


def _visible(request):
    return Request.objects.visible_to(request.user).select_related(
        "category", "place", "handler", "reporter", "assignee", "merged_into")


def _get(request, pk: Id) -> Request:
    return get_object_or_404(_visible(request), pk=pk)


def _get_whistle(request, pk: Id) -> Whistle:
    """A whistle of a visible request (out of scope: 404 before any right is checked)."""
    return get_object_or_404(Whistle.objects.filter(request__in=Request.objects.visible_to(request.user))
                             .select_related("department"), pk=pk)


def _detail(request, req: Request) -> Request:
    """The request fresh from the database, with what the move changed (RequestDetail hides the reporter from
    those it is hidden from). Should a move take the request out of the mover's scope, the action's copy."""
    return _visible(request).filter(pk=req.pk).first() or req


def _filing_place(request, pk: Id | None) -> Place | None:
    """The place to file at: none → the action says so (422); one the user can neither see nor file at → 404."""
    if pk is None:
        return None
    place = Place.objects.filter(pk=pk).first()
    if place is None:
        raise ValidationError({"place": _("位置不存在")})
    if not (Place.objects.visible_to(request.user).filter(pk=place.pk).exists()
            or request.user.has_perm("workorders.file_request", place)):
        raise Http404
    return place


def _file(request, payload: FileIn, photos=()) -> Request:
    return actions.file_request(
        by=request.user, category=Category.objects.filter(code=payload.category, active=True).first(),
        description=payload.description, place=_filing_place(request, payload.place), urgency=payload.urgency,
        channel=payload.channel, anonymous=payload.anonymous, address=payload.address,
        contact_name=payload.contact_name, contact_phone=payload.contact_phone, photos=photos,
        public=payload.public, named_to_committee=payload.named_to_committee)


def _dispatch_targets(req: Request):
    return dispatch_targets(req)


def _ratio(num, den) -> float | None:
    return None if not den else num / den


# ---------------------------------------------------------------- reads


@router.get("", response=list[RequestRow], summary="诉求列表（超时优先，按范围）")
@paginate(LimitOffsetPagination)
def list_requests(request, status: Status | None = None, category: str = "", q: str = "", only_open: bool = False,
                  mine: Literal["", "assigned", "to_accept"] = ""):
    """``mine``: ``assigned`` 派给我的 (named as assignee, or to my organisation with nobody named),
    ``to_accept`` 待我接单 (of those, waiting to be accepted)."""
    # NUL never reaches here: RejectNulMiddleware answers 422 first
    return queue(request.user, status=status or "", category=category, q=q.strip(), only_open=only_open, mine=mine)


@router.get("/stats", response={200: list[RatesOut], 403: MessageOut, 422: ErrorOut},
            summary="三率（响应率、解决率、满意率）及其计数")
def request_stats(request, month: str = "", by: Literal["handler", "company", "community", "grid"] = "community"):
    if not is_staff(request.user):
        raise PermissionDenied
    try:
        start = to_month(month) if month else timezone.localdate().replace(day=1)
    except ValueError as exc:  # malformed, or a year the platform does not deal in (1, 9999)
        return Reply(422, {"detail": [{"loc": ["query", "month"], "msg": str(exc), "type": "invalid"}]})
    out = []
    for r in rates(request.user, month=start, by=by):
        out.append({
            **{f: getattr(r, f) for f in ("label", "total", "households", "response_base", "responded_on_time",
                                          "resolution_base", "resolved", "resolved_on_time", "rated", "unrated",
                                          "satisfied", "basic_satisfied", "satisfaction_base", "first_rated",
                                          "first_satisfied", "reopened", "avg_hours_to_resolve")},
            "key": str(r.key),
            **{f: None if getattr(r, f) is None else float(getattr(r, f))
               for f in ("response_rate", "resolution_rate", "satisfaction_rate", "first_satisfaction_rate",
                         "reopen_rate", "per_thousand_households")},
            "on_time_resolution_rate": _ratio(r.resolved_on_time, r.resolved),
        })
    return out


@router.get("/{int:pk}", response={200: RequestDetail, 404: MessageOut}, summary="诉求详情（含进展时间线）")
def get_request(request, pk: Id):
    return _detail(request, _get(request, pk))


class PhoneOut(Schema):
    contact_phone: str


@router.post("/{int:pk}/reveal-phone", response={200: PhoneOut, 403: MessageOut, 404: MessageOut},
             summary="查看完整联系电话（留痕；仅派单人、网格员与承办单位人员）")
def reveal_phone(request, pk: Id):
    return {"contact_phone": actions.reveal_contact_phone(_get(request, pk), by=request.user)}


# ---------------------------------------------------------------- intake


@router.post("", response={201: RequestDetail, 403: MessageOut, 404: MessageOut, 422: ErrorOut},
             summary="下单（JSON）")
def file_request(request, payload: FileIn):
    return Reply(201, _detail(request, _file(request, payload)))


@router.post("/file", response={201: RequestDetail, 403: MessageOut, 404: MessageOut, 422: ErrorOut},
             summary="下单（multipart 表单，可附现场照片，最多5张）")
def file_request_with_photos(request, payload: Form[FileIn], photos: File[list[UploadedFile]] = None):  # type: ignore[assignment]  # ninja reads the annotation
    return Reply(201, _detail(request, _file(request, payload, photos or ())))


# ---------------------------------------------------------------- moves


# dispatch, merge and whistle name other objects: the right is checked first (the action checks it again on
# the locked row), so those without it learn nothing about those objects

@router.post("/{int:pk}/dispatch", response=MOVE, summary="派单 / 改派")
@conflict_on_invalid_transition
def dispatch_request(request, pk: Id, payload: DispatchIn):
    req = _get(request, pk)
    require(request.user, "workorders.dispatch_request", req)
    org = _dispatch_targets(req).filter(pk=payload.organisation).first()
    if org is None:
        raise ValidationError({"organisation": _("不能派给该组织")})
    assignee = None
    if payload.assignee is not None:
        assignee = Person.objects.filter(pk=payload.assignee).first()
        if assignee is None:
            raise ValidationError({"assignee": _("承办人不是该组织的在岗人员")})
    actions.dispatch_request(req, to=org, by=request.user, assignee=assignee, mode=payload.mode, note=payload.note)
    return _detail(request, req)


@router.post("/{int:pk}/grab", response=MOVE, summary="抢单")
@conflict_on_invalid_transition
def grab_request(request, pk: Id):
    return _detail(request, actions.grab_request(_get(request, pk), by=request.user))


@router.post("/{int:pk}/accept", response=MOVE, summary="接单")
@conflict_on_invalid_transition
def accept_request(request, pk: Id):
    return _detail(request, actions.accept_request(_get(request, pk), by=request.user))


@router.post("/{int:pk}/start", response=MOVE, summary="开始处理")
@conflict_on_invalid_transition
def start_request(request, pk: Id):
    return _detail(request, actions.start_request(_get(request, pk), by=request.user))


@router.post("/{int:pk}/resolve", response=MOVE, summary="办结")
@conflict_on_invalid_transition
def resolve_request(request, pk: Id, payload: ResolveIn):
    return _detail(request, actions.resolve_request(_get(request, pk), by=request.user,
                                                    result_note=payload.result_note))


@router.post("/{int:pk}/return", response=MOVE, summary="退回")
@conflict_on_invalid_transition
def return_request(request, pk: Id, payload: ReasonIn):
    return _detail(request, actions.return_request(_get(request, pk), by=request.user, reason=payload.reason))


@router.post("/{int:pk}/reject", response=MOVE, summary="驳回")
@conflict_on_invalid_transition
def reject_request(request, pk: Id, payload: ReasonIn):
    return _detail(request, actions.reject_request(_get(request, pk), by=request.user, reason=payload.reason))


@router.post("/{int:pk}/merge", response=MOVE, summary="合并（重复诉求并入另一条）")
@conflict_on_invalid_transition
def merge_request(request, pk: Id, payload: MergeIn):
    req = _get(request, pk)
    require(request.user, "workorders.merge_request", req)
    visible = Request.objects.visible_to(request.user)
    into = payload.into
    if isinstance(into, str) and into.strip().isdigit():
        into = int(into.strip()) if int(into.strip()) <= ID_MAX else 0  # no row has an id beyond ID_MAX
    if isinstance(into, int):
        target = visible.filter(pk=into).first()
    else:
        target = visible.filter(number=str(into).strip()).first()
    if target is None:
        raise ValidationError({"into": _("找不到该诉求")})
    actions.merge_request(req, into=target, by=request.user)
    return _detail(request, req)


@router.post("/{int:pk}/rate", response=MOVE, summary="评单（1–5分，诉求人）")
@conflict_on_invalid_transition
def rate_request(request, pk: Id, payload: RateIn):
    return _detail(request, actions.rate_request(_get(request, pk), by=request.user, rating=payload.rating,
                                                 comment=payload.comment))


@router.post("/{int:pk}/reopen", response=MOVE, summary="重办（诉求人）")
@conflict_on_invalid_transition
def reopen_request(request, pk: Id, payload: ReasonIn):
    return _detail(request, actions.reopen_request(_get(request, pk), by=request.user, reason=payload.reason))


@router.post("/{int:pk}/follow-up", response=MOVE, summary="回访")
@conflict_on_invalid_transition
def follow_up_request(request, pk: Id, payload: NoteIn):
    return _detail(request, actions.follow_up_request(_get(request, pk), by=request.user, note=payload.note))


# ---------------------------------------------------------------- 吹哨报到


@router.post("/{int:pk}/whistle", response={201: WhistleOut, 403: MessageOut, 404: MessageOut, 422: ErrorOut},
             summary="吹哨（召集职能部门）")
def whistle_request(request, pk: Id, payload: WhistleIn):
    req = _get(request, pk)
    require(request.user, "workorders.whistle_request", req)
    department = _dispatch_targets(req).filter(kind=OrgKind.DEPARTMENT, pk=payload.department).first()
    if department is None:
        raise ValidationError({"department": _("只能向该诉求所在区域的职能部门吹哨")})
    whistle = actions.whistle_request(req, department=department, by=request.user, note=payload.note)
    return Reply(201, _get_whistle(request, whistle.pk))


@router.post("/whistles/{int:pk}/acknowledge", response=WHISTLE_MOVE, summary="报到")
def acknowledge_whistle(request, pk: Id):
    whistle = actions.acknowledge_whistle(_get_whistle(request, pk), by=request.user)
    return _get_whistle(request, whistle.pk)


@router.post("/whistles/{int:pk}/report", response=WHISTLE_MOVE, summary="反馈处置情况")
def report_whistle(request, pk: Id, payload: ReportIn):
    whistle = actions.report_whistle(_get_whistle(request, pk), by=request.user, report=payload.report)
    return _get_whistle(request, whistle.pk)

