"""Joint meetings over the API (/api/meetings): series, meetings, topics and resolutions one may see (scoped by
``visible_to``, out of scope 404); adding a topic, recording a resolution and signing in call the same actions as
the pages. A state that forbids the move is 409 naming ``status``; other bad input 422 naming the field."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api_pagination import LimitOffsetPagination
from gongzhi.core.params import Day, Id
from gongzhi.people.models import Organisation
from gongzhi.workorders.models import Category, Request

from . import actions
from .models import Meeting, MeetingSeries, Resolution, Topic, TopicKind
from .models.meeting import TEXT_MAX, TITLE_MAX
from .queries import resolution_rows, with_items

router = Router(tags=["meetings 联席会议"])


class SeriesOut(Schema):
    id: int
    name: str
    place_id: int
    day_of_month: int
    start_time: datetime.time
    location: str
    quorum: str
    members: list[int] = Field(description="成员单位（组织 id）")

    @staticmethod
    def resolve_members(obj: MeetingSeries) -> list[int]:
        return [m.organisation_id for m in obj.members.all()]


class MeetingOut(Schema):
    id: int
    series_id: int
    place_id: int
    number: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    location: str
    adhoc: bool
    status: str


class TopicOut(Schema):
    id: int
    meeting_id: int | None
    kind: str
    title: str
    source: str
    status: str
    late: bool
    request_id: int | None


class ItemOut(Schema):
    id: int
    text: str
    owner_id: int
    due_date: datetime.date
    status: str = Field(description="由承办诉求推导：pending 待落实 / in_progress 办理中 / overdue 逾期 / done 已办结")
    requests: list[str]


class ResolutionOut(Schema):
    id: int
    meeting_id: int
    number: int
    text: str
    owner_id: int
    due_date: datetime.date
    status: str
    done_at: datetime.datetime | None
    items: list[ItemOut]


class ErrorOut(Schema):
    detail: list[dict]


class MessageOut(Schema):
    detail: str


class TopicIn(Schema):
    kind: TopicKind
    title: str = Field(max_length=TITLE_MAX)
    description: str = Field("", max_length=TEXT_MAX)
    request: Id | None = Field(None, description="来自哪条诉求（可选）")


class ResolutionIn(Schema):
    text: str = Field(max_length=TEXT_MAX)
    owner: Id | None = Field(None, description="责任单位（组织 id，须为成员单位或列席单位）")
    due_date: Day | None = Field(None, description="完成时限，不早于会议日期")
    topic: Id | None = None
    spawn: bool = Field(False, description="派发工单给责任单位（时限为完成时限）")
    category: Id | None = Field(None, description="派发工单的诉求类别")
    requests: list[str] = Field([], description="关联已有诉求编号")


def _resolution_out(row) -> dict:
    r = row.resolution
    return {"id": r.pk, "meeting_id": r.meeting_id, "number": r.number, "text": r.text, "owner_id": r.owner_id,
            "due_date": r.due_date, "status": row.status, "done_at": row.done_at,
            "items": [{"id": i.item.pk, "text": i.item.text, "owner_id": i.item.owner_id, "due_date": i.item.due_date,
                       "status": i.status, "requests": [q.number for q in i.requests]} for i in row.items]}


def _conflict(exc: actions.MeetingConflict):
    return 409, {"detail": [{"loc": ["body", "status"], "msg": m, "type": "conflict"} for m in exc.messages]}


@router.get("/series", response=list[SeriesOut], summary="联席会议制度列表")
@paginate(LimitOffsetPagination)
def list_series(request):
    return MeetingSeries.objects.visible_to(request.user).prefetch_related("members").order_by("pk")


@router.get("/series/{int:pk}", response=SeriesOut, summary="联席会议制度")
def get_series(request, pk: int):
    return get_object_or_404(MeetingSeries.objects.visible_to(request.user).prefetch_related("members"), pk=pk)


@router.get("", response=list[MeetingOut], summary="会议列表")
@paginate(LimitOffsetPagination)
def list_meetings(request):
    return Meeting.objects.visible_to(request.user).order_by("-starts_at", "-pk")


@router.get("/resolutions", response=list[ResolutionOut], summary="决议列表（状态由承办诉求推导）")
@paginate(LimitOffsetPagination)
def list_resolutions(request):
    meetings = Meeting.objects.visible_to(request.user)
    return [_resolution_out(r) for r in resolution_rows(with_items(
        Resolution.objects.filter(meeting__in=meetings).order_by("-meeting__starts_at", "number")[:500]))]


@router.get("/resolutions/{int:pk}", response=ResolutionOut, summary="决议")
def get_resolution(request, pk: int):
    qs = with_items(Resolution.objects.filter(meeting__in=Meeting.objects.visible_to(request.user), pk=pk))
    rows = resolution_rows(qs)
    if not rows:
        raise Http404
    return _resolution_out(rows[0])


@router.get("/{int:pk}", response=MeetingOut, summary="会议")
def get_meeting(request, pk: int):
    return get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)


@router.get("/{int:pk}/topics", response=list[TopicOut], summary="会议议程")
def list_topics(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    return list(Topic.objects.filter(meeting=meeting, status="on_agenda").order_by("position", "pk"))


@router.post("/{int:pk}/topics", response={201: TopicOut, 409: ErrorOut, 422: ErrorOut}, summary="增加议题")
def add_topic(request, pk: int, payload: TopicIn):
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    req = None
    if payload.request is not None:
        req = get_object_or_404(Request.objects.visible_to(request.user), pk=payload.request)
    try:
        topic = actions.add_topic(meeting, by=request.user, kind=payload.kind, title=payload.title,
                                  description=payload.description, request=req)
    except actions.MeetingConflict as exc:
        return _conflict(exc)
    return 201, topic


@router.post("/{int:pk}/resolutions", response={201: ResolutionOut, 409: ErrorOut, 422: ErrorOut},
             summary="记录决议（须达到到会规则）")
def add_resolution(request, pk: int, payload: ResolutionIn):
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    owner = Organisation.objects.filter(pk=payload.owner).first() if payload.owner else None
    topic = meeting.topics.filter(pk=payload.topic).first() if payload.topic else None
    category = Category.objects.filter(pk=payload.category, active=True).first() if payload.category else None
    linked = list(Request.objects.visible_to(request.user).filter(number__in=payload.requests))
    if len(linked) != len(set(payload.requests)):
        raise ValidationError({"requests": _("诉求编号不存在或无权查看")})
    try:
        resolution = actions.record_resolution(
            meeting, by=request.user, text=payload.text, owner=owner, due_date=payload.due_date, topic=topic,
            items=[actions.ItemSpec(text=payload.text[:240], spawn=payload.spawn, category=category, link=linked)])
    except actions.MeetingConflict as exc:
        return _conflict(exc)
    return 201, _resolution_out(resolution_rows(with_items(Resolution.objects.filter(pk=resolution.pk)))[0])


class SignInIn(Schema):
    code: str = Field(max_length=12, description="会场显示的签到码")
    organisation: Id | None = Field(None, description="代表的单位（在多个参会单位任职时必填）")


class AttendanceOut(Schema):
    meeting_id: int
    person_id: int
    organisation_id: int
    method: str
    signed_in_at: datetime.datetime


@router.post("/{int:pk}/sign-in", response={200: AttendanceOut, 403: MessageOut, 409: ErrorOut, 422: ErrorOut},
             summary="会议签到（成员单位或列席单位的人员，凭签到码）")
def sign_in(request, pk: int, payload: SignInIn):
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    org = Organisation.objects.filter(pk=payload.organisation).first() if payload.organisation else None
    try:
        return actions.sign_in(meeting, by=request.user, code=payload.code, organisation=org)
    except actions.MeetingConflict as exc:
        return _conflict(exc)
