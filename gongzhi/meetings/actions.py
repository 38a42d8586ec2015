"""Every state change of joint meetings: one function per verb, one transaction, the right checked with
``core.permissions.require`` on the locked row, one audit Event (``events.Verb``), notices after commit.

The rules they enforce and where (docs/meetings.md): the 议事日 (``rules.meeting_day`` with the working-day
calendar), the quorum before a resolution (``rules.quorum_met``), a resolution's owner and deadline, sign-in only
by the people of member and invited organisations, minutes locked once final. An action item's request is filed
and dispatched through the requests' own actions (``workorders.actions.file_request`` and ``dispatch_request``),
by the acting staff member, with the item's due date as its deadline."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.calendar import WorkCalendar
from gongzhi.core.models import Event
from gongzhi.core.permissions import require, user_of
from gongzhi.core.roles import MANAGING_ROLES, Role
from gongzhi.notices.actions import notify
from gongzhi.people.models import Organisation, Person, Position
from gongzhi.places.models import Kind, Place
from gongzhi.workorders import actions as workorders
from gongzhi.workorders.models import OPEN_STATUSES as OPEN_REQUEST_STATUSES
from gongzhi.workorders.models import Category, Channel, Request, Status

from . import rules
from .events import Verb
from .minutes import minutes_content
from .models import (
    ActionItem,
    Attendance,
    AttendanceMethod,
    ItemStatus,
    Meeting,
    MeetingInvitee,
    MeetingSeries,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Quorum,
    Resolution,
    SeriesMember,
    Topic,
    TopicKind,
    TopicSource,
    TopicStatus,
    item_state,
)
from .models.meeting import LOCATION_MAX, NAME_MAX, PERSON_NAME_MAX, REASON_MAX, TEXT_MAX, TITLE_MAX

SERIES_PLACE_KINDS = frozenset({Kind.COMMUNITY, Kind.COMPOUND})


class MeetingConflict(ValidationError):
    """The meeting's (or topic's, minutes') state does not allow this now: the API answers 409 naming ``status``."""

    def __init__(self, message: str):
        super().__init__({"status": message}, code="conflict")


# ---------------------------------------------------------------- small shared helpers


def _record(by, verb: str, target, *, place, summary: str = "", before=None, after=None) -> None:
    Event.record(by, verb, target, place=place, summary=summary, before=before, after=after)


def _text(value, *, field: str, limit: int, required: bool = True, label: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(l)s") % {"l": label}})
    if len(value) > limit:
        raise ValidationError({field: _("%(l)s不能超过%(n)s个字") % {"l": label, "n": limit}})
    return value


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("series", "place").get(pk=meeting.pk)


def link_of(meeting: Meeting) -> str:
    return f"/meetings/{meeting.pk}/"


def local_day(meeting: Meeting) -> datetime.date:
    return timezone.localtime(meeting.starts_at).date()


def _aware(day: datetime.date, t: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, t))


def organisers_over(place: Place) -> list:
    """The community (else street) staff posted over ``place``: who hears of proposals."""
    users = workorders.users_over(place, {Role.COMMUNITY_STAFF})
    return users or workorders.users_over(place, MANAGING_ROLES)


def called_users(meeting: Meeting) -> list:
    """Who is called to the meeting: each member's delegates (all its post holders when it named none) and the
    post holders of the invited organisations."""
    users: list = []
    for member in meeting.series.members.prefetch_related("delegates__person__user"):
        delegates = [p.person.user for p in member.delegates.all() if p.person.user_id and p.is_active()]
        users += delegates or workorders.users_with_posts([member.organisation_id])
    users += workorders.users_with_posts(meeting.invited_organisation_ids())
    return users


def minutes_locked(meeting: Meeting) -> bool:
    """The record is locked while the last version of the minutes is final (a correction reopens it)."""
    last = meeting.minutes.order_by("-version").first()
    return last is not None and last.is_final


def _check_record_open(meeting: Meeting, field: str) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingConflict(_("会议已取消"))
    if minutes_locked(meeting):
        raise ValidationError({field: _("会议纪要已定稿，会议记录不能再修改；如需更正，请新建更正版本并说明理由")})


# ---------------------------------------------------------------- series and meetings


def create_series(*, by, place: Place, name: str, day_of_month: int = 10, start_time: datetime.time | None = None,
                  duration_minutes: int = 120, location: str = "", quorum: str = Quorum.ALL,
                  members: Sequence[Organisation] = (), delegates: Sequence[Position] = (),
                  months_ahead: int = 3) -> MeetingSeries:
    """建立联席会议制度: the series, its member organisations and their delegates."""
    name = _text(name, field="name", limit=NAME_MAX, label=_("名称"))
    location = _text(location, field="location", limit=LOCATION_MAX, required=False, label=_("地点"))
    if place is None or place.kind not in SERIES_PLACE_KINDS:
        raise ValidationError({"place": _("联席会议制度须建在社区或小区")})
    if not isinstance(day_of_month, int) or not 1 <= day_of_month <= 31:
        raise ValidationError({"day_of_month": _("每月议事日应为1到31之间的整数")})
    if not isinstance(duration_minutes, int) or not 15 <= duration_minutes <= 600:
        raise ValidationError({"duration_minutes": _("时长应为15到600分钟")})
    if not isinstance(months_ahead, int) or not 1 <= months_ahead <= 12:
        raise ValidationError({"months_ahead": _("提前生成月数应为1到12")})
    if quorum not in Quorum.values:
        raise ValidationError({"quorum": _("到会规则无效")})
    members = list(dict.fromkeys(members))
    if not members:
        raise ValidationError({"members": _("请选择至少一个成员单位")})
    member_ids = {m.pk for m in members}
    for d in delegates:
        if d.organisation_id not in member_ids or not d.is_active():
            raise ValidationError({"delegates": _("参会代表须是成员单位的在岗人员：%(p)s") % {"p": d}})
    with transaction.atomic():
        require(by, "meetings.create_series", place)
        series = MeetingSeries.objects.create(
            name=name, place=place, day_of_month=day_of_month, start_time=start_time or datetime.time(9, 30),
            duration_minutes=duration_minutes, location=location, quorum=quorum, months_ahead=months_ahead,
            created_by=user_of(by))
        rows = {m.pk: SeriesMember.objects.create(series=series, organisation=m) for m in members}
        for d in delegates:
            rows[d.organisation_id].delegates.add(d)
        _record(by, Verb.CREATE_SERIES, series, place=place, summary=name,
                after={"day_of_month": day_of_month, "quorum": quorum, "members": sorted(member_ids)})
    return series


def set_delegates(member: SeriesMember, *, positions: Sequence[Position], by) -> SeriesMember:
    """指定参会代表: the posts of a member organisation called to its meetings (none: all its post holders)."""
    with transaction.atomic():
        member = SeriesMember.objects.select_for_update(of=("self",)).select_related(
            "series__place", "organisation").get(pk=member.pk)
        require(by, "meetings.set_delegates", member.series)
        for p in positions:
            if p.organisation_id != member.organisation_id or not p.is_active():
                raise ValidationError({"positions": _("参会代表须是%(o)s的在岗人员：%(p)s") % {
                    "o": member.organisation.name, "p": p}})
        before = sorted(member.delegates.values_list("pk", flat=True))
        after = sorted({p.pk for p in positions})
        if before == after:
            return member
        member.delegates.set(after)
        _record(by, Verb.SET_DELEGATES, member.series, place=member.series.place, summary=member.organisation.name,
                before={"delegates": before}, after={"delegates": after})
    return member


def _next_number(series: MeetingSeries) -> int:
    return (series.meetings.aggregate(n=Max("number"))["n"] or 0) + 1


def generate_meetings(series: MeetingSeries, *, by, today: datetime.date | None = None) -> list[Meeting]:
    """生成例会: the regular meetings of the coming ``months_ahead`` months on their 议事日 (``rules.meeting_day``:
    the fixed day, or the next working day). One meeting per series and month, however often it runs; nothing
    new, no Event."""
    today = today or timezone.localdate()
    with transaction.atomic():
        series = MeetingSeries.objects.select_for_update().select_related("place").get(pk=series.pk)
        require(by, "meetings.generate_meetings", series)
        if not series.active:
            return []
        calendar = WorkCalendar.load(today)
        have = set(series.meetings.filter(period__isnull=False).values_list("period", flat=True))
        made = []
        for year, month in rules.months_from(today, series.months_ahead + 1):  # this month and the next N
            period = datetime.date(year, month, 1)
            day = rules.meeting_day(year, month, series.day_of_month, calendar.is_workday)
            if period in have or day < today:
                continue
            number = _next_number(series)
            starts = _aware(day, series.start_time)
            made.append(Meeting.objects.create(
                series=series, place=series.place, number=number, title=_("第%(n)s次%(s)s") % {
                    "n": number, "s": series.name}, period=period, starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=series.duration_minutes), location=series.location))
        if made:
            _record(by, Verb.GENERATE_MEETINGS, series, place=series.place,
                    summary=_("生成例会 %(n)s 次") % {"n": len(made)},
                    after={"meetings": [m.pk for m in made], "days": [local_day(m).isoformat() for m in made]})
    return made


def schedule_meeting(series: MeetingSeries, *, by, starts_at: datetime.datetime, location: str = "",
                     title: str = "", duration_minutes: int | None = None) -> Meeting:
    """安排临时会议: an extra sitting of the series, outside the fixed day."""
    location = _text(location, field="location", limit=LOCATION_MAX, required=False, label=_("地点"))
    title = _text(title, field="title", limit=TITLE_MAX, required=False, label=_("会议名称"))
    if not isinstance(starts_at, datetime.datetime):
        raise ValidationError({"starts_at": _("请填写会议时间")})
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if timezone.localtime(starts_at).date() < timezone.localdate():
        raise ValidationError({"starts_at": _("会议时间不能早于今天")})
    with transaction.atomic():
        series = MeetingSeries.objects.select_for_update().select_related("place").get(pk=series.pk)
        require(by, "meetings.schedule_meeting", series)
        number = _next_number(series)
        minutes = duration_minutes or series.duration_minutes
        meeting = Meeting.objects.create(
            series=series, place=series.place, number=number, adhoc=True, starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=minutes), location=location or series.location,
            title=title or _("第%(n)s次%(s)s（临时会议）") % {"n": number, "s": series.name})
        _record(by, Verb.SCHEDULE_MEETING, meeting, place=series.place, summary=meeting.title,
                after={"starts_at": starts_at.isoformat(), "adhoc": True})
    return meeting


def invite_organisation(meeting: Meeting, *, organisation: Organisation | None, by) -> MeetingInvitee:
    """邀请列席单位: a department, a utility, a bus company … called to this meeting."""
    if organisation is None:
        raise ValidationError({"organisation": _("请选择列席单位")})
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        require(by, "meetings.invite_organisation", meeting)
        if not meeting.is_open:
            raise MeetingConflict(_("会议已召开或已取消，不能再邀请"))
        if organisation.pk in meeting.member_organisation_ids() or organisation.pk in meeting.invited_organisation_ids():
            raise ValidationError({"organisation": _("%(o)s已是本次会议的成员单位或列席单位") % {"o": organisation}})
        row = MeetingInvitee.objects.create(meeting=meeting, organisation=organisation)
        _record(by, Verb.INVITE_ORGANISATION, meeting, place=meeting.place, summary=organisation.name,
                after={"organisation": organisation.pk})
        if meeting.status == MeetingStatus.PUBLISHED:
            notify(workorders.users_with_posts([organisation.pk]), verb=Verb.INVITE_ORGANISATION,
                   text=_("邀请贵单位列席%(m)s（%(t)s，%(p)s）") % {
                       "m": meeting.title, "t": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                       "p": meeting.location}, link=link_of(meeting))
    return row


# ---------------------------------------------------------------- the agenda


def _check_kind(kind: str) -> None:
    if kind not in TopicKind.values:
        raise ValidationError({"kind": _("请选择议题类型（迫切事、疑难事或重大事）")})


def _next_position(meeting: Meeting) -> int:
    return (meeting.topics.aggregate(n=Max("position"))["n"] or 0) + 1


def _covers(series_place: Place, place: Place) -> bool:
    return place.path.startswith(series_place.path)


def compound_of(place: Place) -> Place:
    """The compound a place lies in (itself when it is one), else the place itself (a community-wide matter)."""
    if place.kind == Kind.COMPOUND:
        return place
    return next((a for a in place.ancestors() if a.kind == Kind.COMPOUND), place)


def add_topic(meeting: Meeting, *, by, kind: str, title: str, description: str = "",
              request: Request | None = None, place: Place | None = None) -> Topic:
    """增加议题 (staff), or 提交联席会 from a request: added after the agenda was published, it is marked late."""
    _check_kind(kind)
    title = _text(title, field="title", limit=TITLE_MAX, label=_("议题"))
    description = _text(description, field="description", limit=TEXT_MAX, required=False, label=_("情况说明"))
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        require(by, "meetings.add_topic", meeting)
        if not meeting.is_open:
            raise MeetingConflict(_("会议已召开或已取消，不能再增加议题"))
        if request is not None:
            if not Request.objects.visible_to(by).filter(pk=request.pk).exists() and by.is_authenticated:
                raise ValidationError({"request": _("诉求不存在或无权查看")})
            if not _covers(meeting.place, request.place):
                raise ValidationError({"request": _("该诉求不在本联席会议的范围内")})
            if meeting.topics.filter(request=request).exists():
                raise ValidationError({"request": _("该诉求已在本次会议议程中")})
            place = compound_of(request.place)
        place = place or meeting.place
        if not _covers(meeting.place, place):
            raise ValidationError({"place": _("议题所涉区域不在本联席会议的范围内")})
        topic = Topic.objects.create(
            meeting=meeting, place=place, kind=kind, title=title, description=description,
            source=TopicSource.REQUEST if request is not None else TopicSource.STAFF, request=request,
            late=meeting.status == MeetingStatus.PUBLISHED, position=_next_position(meeting),
            proposed_by=user_of(by))
        _record(by, Verb.ADD_TOPIC, topic, place=place, summary=f"{topic.get_kind_display()}：{title}",
                after={"meeting": meeting.pk, "kind": kind, "request": request.pk if request else None,
                       "late": topic.late})
    return topic


# a request that one click brings to the next meeting: late, escalated, or reopened by its resident
def needs_meeting(req: Request) -> bool:
    return req.status in OPEN_REQUEST_STATUSES and (
        req.is_overdue() or req.response_overdue or req.resolution_overdue or req.escalation_level > 0
        or req.status == Status.REOPENED or req.reopen_count > 0)


def next_meetings_for(place: Place):
    """The open meetings, soonest first, of every series whose place contains ``place``."""
    prefixes = [place.path[: i] for i in range(4, len(place.path) + 1, 4)]
    return (Meeting.objects.filter(place__path__in=prefixes, status__in=[MeetingStatus.SCHEDULED,
                                                                         MeetingStatus.PUBLISHED],
                                   starts_at__gte=timezone.now() - datetime.timedelta(hours=12))
            .select_related("series").order_by("starts_at", "pk"))


def meeting_for_request(req: Request, user) -> Meeting | None:
    """The meeting 提交联席会 would put ``req`` on for ``user`` (None: the button is not offered): the request
    needs it (``needs_meeting``), ``user`` organises the meeting, and the request is not on it already."""
    if not getattr(user, "is_authenticated", False) or not needs_meeting(req):
        return None
    for meeting in next_meetings_for(req.place)[:5]:
        if user.has_perm("meetings.add_topic", meeting) and not meeting.topics.filter(request=req).exists():
            return meeting
    return None


def topic_from_request(req: Request, *, by, kind: str = TopicKind.URGENT, meeting: Meeting | None = None,
                       title: str = "") -> Topic:
    """提交联席会: put an overdue, escalated or reopened request on the next meeting's agenda."""
    if not needs_meeting(req):
        raise ValidationError({"request": _("只有超时、督办升级或重办的未办结诉求可以提交联席会")})
    meeting = meeting or meeting_for_request(req, by)
    if meeting is None:
        raise ValidationError({"meeting": _("没有可提交的联席会议（请先安排会议）")})
    where = compound_of(req.place).name
    title = title or _("%(w)s%(c)s问题（诉求%(n)s）") % {"w": where, "c": req.category.name, "n": req.number}
    return add_topic(meeting, by=by, kind=kind, title=title[:TITLE_MAX], request=req)


def may_flag(req: Request, user) -> bool:
    """The grid's own eyes may suggest any open request for the joint meeting (建议上会): grid workers and
    building heads over its place, once while their suggestion waits."""
    return (getattr(user, "is_authenticated", False) and req.status in OPEN_REQUEST_STATUSES
            and user.has_perm("meetings.flag_request", req)
            and not Topic.objects.filter(request=req, status=TopicStatus.PROPOSED).exists())


def flag_request(req: Request, *, by, kind: str = TopicKind.DIFFICULT, reason: str = "") -> Topic:
    """建议上会: a grid worker (or building head) suggests a request for the joint meeting, with why; it waits
    with the residents' proposals until the community puts it on an agenda or declines it (with a reason the
    grid worker sees)."""
    _check_kind(kind)
    reason = _text(reason, field="reason", limit=TEXT_MAX, label=_("建议理由"))
    with transaction.atomic():
        req = Request.objects.select_for_update(of=("self",)).select_related("place", "category").get(pk=req.pk)
        require(by, "meetings.flag_request", req)
        if req.status not in OPEN_REQUEST_STATUSES:
            raise ValidationError({"request": _("只有未办结的诉求可以建议上会")})
        if Topic.objects.filter(request=req, status=TopicStatus.PROPOSED).exists():
            raise MeetingConflict(_("这条诉求已经建议上会，正等待社区审议"))
        place = compound_of(req.place)
        title = _("%(w)s%(c)s问题（诉求%(n)s）") % {"w": place.name, "c": req.category.name, "n": req.number}
        topic = Topic.objects.create(place=place, kind=kind, title=title[:TITLE_MAX], description=reason,
                                     source=TopicSource.FLAG, status=TopicStatus.PROPOSED, request=req,
                                     proposed_by=user_of(by))
        _record(by, Verb.FLAG_REQUEST, topic, place=place, summary=f"{topic.get_kind_display()}：{title}",
                after={"kind": kind, "request": req.pk, "status": topic.status})
        notify(organisers_over(place), verb=Verb.FLAG_REQUEST,
               text=_("网格建议将%(p)s的诉求提交联席会：%(t)s，待审议") % {"p": place.name, "t": title[:40]},
               link="/meetings/proposals/")
    return topic


def propose_topic(*, by, place: Place | None, kind: str, title: str, description: str = "") -> Topic:
    """居民提议议题: a resident proposes a topic for their compound; the community accepts it onto an agenda or
    declines it with a reason the resident sees."""
    _check_kind(kind)
    title = _text(title, field="title", limit=TITLE_MAX, label=_("议题"))
    description = _text(description, field="description", limit=TEXT_MAX, required=False, label=_("情况说明"))
    if place is None or place.kind not in SERIES_PLACE_KINDS:
        raise ValidationError({"place": _("请选择所在小区")})
    with transaction.atomic():
        require(by, "meetings.propose_topic", place)
        topic = Topic.objects.create(place=place, kind=kind, title=title, description=description,
                                     source=TopicSource.PROPOSAL, status=TopicStatus.PROPOSED,
                                     proposed_by=user_of(by))
        _record(by, Verb.PROPOSE_TOPIC, topic, place=place, summary=f"{topic.get_kind_display()}：{title}",
                after={"kind": kind, "status": topic.status})
        notify(organisers_over(place), verb=Verb.PROPOSE_TOPIC,
               text=_("%(p)s居民提出议题建议：%(t)s，待审议") % {"p": place.name, "t": title[:40]},
               link="/meetings/proposals/")
    return topic


def _lock_topic(topic: Topic) -> Topic:
    return Topic.objects.select_for_update(of=("self",)).select_related("place", "meeting").get(pk=topic.pk)


def accept_proposal(topic: Topic, *, meeting: Meeting | None, by, kind: str | None = None) -> Topic:
    """采纳议题建议: onto an open meeting of a series over the topic's place; the resident is told."""
    if meeting is None:
        raise ValidationError({"meeting": _("请选择列入哪次会议")})
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        topic = _lock_topic(topic)
        require(by, "meetings.accept_proposal", topic)
        require(by, "meetings.accept_proposal", meeting)
        if topic.status != TopicStatus.PROPOSED:
            raise MeetingConflict(_("该议题建议已处理"))
        if not meeting.is_open:
            raise ValidationError({"meeting": _("该会议已召开或已取消")})
        if not _covers(meeting.place, topic.place):
            raise ValidationError({"meeting": _("该会议不在议题所在小区的范围内")})
        if kind:
            _check_kind(kind)
            topic.kind = kind
        topic.meeting, topic.status = meeting, TopicStatus.ON_AGENDA
        topic.late = meeting.status == MeetingStatus.PUBLISHED
        topic.position = _next_position(meeting)
        topic.save(update_fields=["meeting", "status", "kind", "late", "position", "updated_at"])
        _record(by, Verb.ACCEPT_PROPOSAL, topic, place=topic.place, summary=meeting.title,
                before={"status": TopicStatus.PROPOSED}, after={"status": topic.status, "meeting": meeting.pk})
        if topic.proposed_by_id:
            notify([topic.proposed_by], verb=Verb.ACCEPT_PROPOSAL, text=_("您提出的议题“%(t)s”已列入%(m)s（%(d)s）议程") % {
                "t": topic.title[:30], "m": meeting.title, "d": local_day(meeting).isoformat()},
                link="/meetings/proposals/")
    return topic


def decline_proposal(topic: Topic, *, reason: str, by) -> Topic:
    """不予采纳: with a reason the resident sees."""
    reason = _text(reason, field="reason", limit=REASON_MAX, label=_("理由"))
    with transaction.atomic():
        topic = _lock_topic(topic)
        require(by, "meetings.decline_proposal", topic)
        if topic.status != TopicStatus.PROPOSED:
            raise MeetingConflict(_("该议题建议已处理"))
        topic.status, topic.decline_reason = TopicStatus.DECLINED, reason
        topic.save(update_fields=["status", "decline_reason", "updated_at"])
        _record(by, Verb.DECLINE_PROPOSAL, topic, place=topic.place, summary=reason,
                before={"status": TopicStatus.PROPOSED}, after={"status": topic.status})
        if topic.proposed_by_id:
            notify([topic.proposed_by], verb=Verb.DECLINE_PROPOSAL,
                   text=_("您提出的议题“%(t)s”暂不列入议程：%(r)s") % {"t": topic.title[:30], "r": reason},
                   link="/meetings/proposals/")
    return topic


def publish_agenda(meeting: Meeting, *, by) -> Meeting:
    """发布议程: members' delegates and the invited organisations are told; topics added later are marked late."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        require(by, "meetings.publish_agenda", meeting)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise MeetingConflict(_("议程已发布，或会议已召开或取消"))
        topics = meeting.topics.count()
        if not topics:
            raise ValidationError({"topics": _("议程中还没有议题")})
        meeting.status, meeting.published_at = MeetingStatus.PUBLISHED, timezone.now()
        meeting.save(update_fields=["status", "published_at", "updated_at"])
        _record(by, Verb.PUBLISH_AGENDA, meeting, place=meeting.place, summary=_("议题 %(n)s 项") % {"n": topics},
                before={"status": MeetingStatus.SCHEDULED}, after={"status": meeting.status, "topics": topics})
        notify(called_users(meeting), verb=Verb.PUBLISH_AGENDA, text=_("%(m)s议程已发布：%(t)s在%(p)s召开，议题%(n)s项") % {
            "m": meeting.title, "t": timezone.localtime(meeting.starts_at).strftime("%m-%d %H:%M"),
            "p": meeting.location or _("（地点待定）"), "n": topics}, link=link_of(meeting))
    return meeting


# ---------------------------------------------------------------- the sitting


def posts_for(person: Person, org_ids: set[int]) -> list[int]:
    return sorted(set(Position.objects.active().filter(person=person, organisation_id__in=org_ids)
                      .values_list("organisation_id", flat=True)))


def sign_in(meeting: Meeting, *, by, person: Person | None = None, organisation: Organisation | None = None,
            code: str | None = None) -> Attendance:
    """会议签到: a delegate signs themselves in with the code shown in the room (or its QR link), or an organiser
    records an attendee's account. Only people holding a post in a member or invited organisation; for which
    organisation they attend is recorded: the one given, else every called organisation they hold a post in
    (一肩挑: the secretary who is also the director attends for both)."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        require(by, "meetings.sign_in", meeting)
        if not meeting.is_open:
            raise MeetingConflict(_("会议已结束或已取消，不能签到"))
        if person is None:  # one's own sign-in: with the room's code
            person = Person.objects.filter(user=user_of(by)).first()
            if person is None:
                raise PermissionDenied
            if (code or "").strip() != meeting.signin_code:
                raise ValidationError({"code": _("签到码不正确，请查看会场显示的签到码")})
            method = AttendanceMethod.CODE
        else:
            if not by.has_perm("meetings.hold_meeting", meeting):  # recording someone else: organisers only
                raise PermissionDenied
            method = AttendanceMethod.RECORDED
        called = set(meeting.member_organisation_ids()) | set(meeting.invited_organisation_ids())
        posts = posts_for(person, called)
        if not posts:
            raise ValidationError({"person": _("%(p)s不是本次会议成员单位或列席单位的在岗人员，不能签到") % {"p": person.name}})
        if organisation is not None:
            if organisation.pk not in posts:
                raise ValidationError({"organisation": _("%(p)s不在%(o)s任职") % {"p": person.name, "o": organisation}})
            posts = [organisation.pk]
        have = set(meeting.attendances.filter(person=person).values_list("organisation_id", flat=True))
        new = [org_id for org_id in posts if org_id not in have]
        if not new:  # signed in already: nothing changes, nothing recorded
            return meeting.attendances.filter(person=person, organisation_id__in=posts).order_by("pk")[0]
        rows = [Attendance.objects.create(meeting=meeting, person=person, organisation_id=org_id, method=method,
                                          recorded_by=user_of(by)) for org_id in new]
        names = "、".join(Organisation.objects.filter(pk__in=new).order_by("pk").values_list("name", flat=True))
        _record(by, Verb.SIGN_IN, meeting, place=meeting.place, summary=f"{person.name}（{names}）",
                after={"person": person.pk, "organisations": new, "method": method})
    return rows[0]


def present_organisations(meeting: Meeting) -> set[int]:
    return set(meeting.attendances.values_list("organisation_id", flat=True))


def quorum_state(meeting: Meeting) -> tuple[bool, list[Organisation]]:
    """(quorate?, the member organisations not present) by the series' rule (``rules.quorum_met``)."""
    members = meeting.member_organisation_ids()
    present = present_organisations(meeting)
    missing = rules.missing_members(members, present)
    return (rules.quorum_met(meeting.series.quorum, members, present),
            list(Organisation.objects.filter(pk__in=missing).order_by("pk")))


def note_topic(topic: Topic, *, notes: str, by) -> Topic:
    """记录议题讨论: the discussion of a topic, until the minutes are final."""
    notes = _text(notes, field="notes", limit=TEXT_MAX, required=False, label=_("讨论情况"))
    with transaction.atomic():
        topic = _lock_topic(topic)
        if topic.meeting is None:
            raise MeetingConflict(_("议题尚未列入会议"))
        require(by, "meetings.note_topic", topic.meeting)
        _check_record_open(topic.meeting, "notes")
        if notes == topic.notes:
            return topic
        before = {"notes": topic.notes[:100]}
        topic.notes = notes
        topic.save(update_fields=["notes", "updated_at"])
        _record(by, Verb.NOTE_TOPIC, topic, place=topic.place, summary=notes[:100], before=before,
                after={"notes": notes[:100]})
    return topic


@dataclass
class ItemSpec:
    """One 督办事项 of a resolution: its text; ``spawn`` files a request in ``category`` (dispatched to the owner,
    due on the due date); ``link`` names existing requests that carry it."""

    text: str
    spawn: bool = True
    category: Category | None = None
    owner: Organisation | None = None
    due_date: datetime.date | None = None
    link: Sequence[Request] = field(default_factory=list)


def _end_of(day: datetime.date) -> datetime.datetime:
    return _aware(day, datetime.time(23, 59))


def record_resolution(meeting: Meeting, *, by, text: str, owner: Organisation | None,
                      due_date: datetime.date | None, topic: Topic | None = None, items: Sequence[ItemSpec] = (),
                      place: Place | None = None) -> Resolution:
    """记录决议: what was decided, the responsible organisation (a member or invited one) and the deadline (not
    before the meeting), once the quorum is met; each action item spawns a request filed and dispatched to its
    owner by the acting staff member (deadline = its due date), or links existing requests."""
    text = _text(text, field="text", limit=TEXT_MAX, label=_("决议内容"))
    if owner is None:
        raise ValidationError({"owner": _("请选择责任单位")})
    if not isinstance(due_date, datetime.date):
        raise ValidationError({"due_date": _("请填写完成时限")})
    if not items:
        items = [ItemSpec(text=text[:TITLE_MAX * 2], spawn=False)]
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        require(by, "meetings.record_resolution", meeting)
        _check_record_open(meeting, "text")
        if due_date < local_day(meeting):
            raise ValidationError({"due_date": _("完成时限不能早于会议日期（%(d)s）") % {"d": local_day(meeting).isoformat()}})
        called = set(meeting.member_organisation_ids()) | set(meeting.invited_organisation_ids())
        if owner.pk not in called:
            raise ValidationError({"owner": _("责任单位须是本次会议的成员单位或列席单位")})
        quorate, missing = quorum_state(meeting)
        if not quorate:
            raise ValidationError({"quorum": _("未达到到会规则（%(r)s），不能形成决议。未到会：%(m)s") % {
                "r": meeting.series.get_quorum_display(), "m": "、".join(o.name for o in missing) or "—"}})
        if topic is not None and topic.meeting_id != meeting.pk:
            raise ValidationError({"topic": _("议题不属于本次会议")})
        place = place or (topic.place if topic is not None else meeting.place)
        number = (meeting.resolutions.aggregate(n=Max("number"))["n"] or 0) + 1
        resolution = Resolution.objects.create(meeting=meeting, topic=topic, place=place, number=number, text=text,
                                               owner=owner, due_date=due_date, recorded_by=user_of(by))
        spawned, linked = [], []
        for spec in items:
            item_text = _text(spec.text, field="items", limit=TITLE_MAX * 2, label=_("督办事项"))
            item_owner = spec.owner or owner
            item_due = spec.due_date or due_date
            if item_due < local_day(meeting):
                raise ValidationError({"due_date": _("督办事项的完成时限不能早于会议日期")})
            item = ActionItem.objects.create(resolution=resolution, text=item_text, owner=item_owner, due_date=item_due)
            for req in spec.link:
                _link(item, req, by)
                linked.append(req.pk)
            if spec.spawn:
                if spec.category is None:
                    raise ValidationError({"category": _("派发工单须选择诉求类别")})
                req = workorders.file_request(
                    by=by, category=spec.category, place=place, channel=Channel.WALK_IN, public=False,
                    description=_("【%(m)s决议%(n)s】%(t)s") % {"m": meeting.title, "n": number, "t": item_text},
                    resolution_due_at=_end_of(item_due))
                req = workorders.dispatch_request(req, to=item_owner, by=by,
                                                  note=_("联席会议决议，%(d)s前完成") % {"d": item_due.isoformat()})
                item.requests.add(req)
                spawned.append(req.pk)
        _record(by, Verb.RECORD_RESOLUTION, resolution, place=place, summary=f"{owner.name}：{text[:80]}",
                after={"meeting": meeting.pk, "owner": owner.pk, "due_date": due_date.isoformat(),
                       "items": len(items), "spawned": spawned, "linked": linked})
    return resolution


def _link(item: ActionItem, req: Request, by) -> None:
    if by.is_authenticated and not Request.objects.visible_to(by).filter(pk=req.pk).exists():
        raise ValidationError({"request": _("诉求不存在或无权查看")})
    item.requests.add(req)


def link_request(item: ActionItem, *, request: Request | None, by) -> ActionItem:
    """关联诉求: an existing request carries (part of) the action item; its status follows."""
    if request is None:
        raise ValidationError({"request": _("请填写诉求编号")})
    with transaction.atomic():
        item = ActionItem.objects.select_for_update(of=("self",)).select_related(
            "resolution__meeting__place", "resolution__place").get(pk=item.pk)
        meeting = item.resolution.meeting
        require(by, "meetings.link_request", meeting)
        _check_record_open(meeting, "request")
        if item.requests.filter(pk=request.pk).exists():
            return item
        _link(item, request, by)
        _record(by, Verb.LINK_REQUEST, item.resolution, place=item.resolution.place,
                summary=f"{item.text[:60]} ↔ {request.number}", after={"item": item.pk, "request": request.pk})
    return item


def hold_meeting(meeting: Meeting, *, by) -> Meeting:
    """会议结束: the sitting is over; minutes can be finalised."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        require(by, "meetings.hold_meeting", meeting)
        if not meeting.is_open:
            raise MeetingConflict(_("会议已结束或已取消"))
        before = {"status": meeting.status}
        meeting.status, meeting.held_at = MeetingStatus.HELD, timezone.now()
        meeting.save(update_fields=["status", "held_at", "updated_at"])
        _record(by, Verb.HOLD_MEETING, meeting, place=meeting.place, before=before,
                after={"status": meeting.status, "attendances": meeting.attendances.count(),
                       "resolutions": meeting.resolutions.count()})
    return meeting


def cancel_meeting(meeting: Meeting, *, by, reason: str) -> Meeting:
    """取消会议: before it is held and before any resolution; the people called are told when the agenda was out.
    Overdue items it carried go back to the tick, which puts them on the next meeting."""
    reason = _text(reason, field="reason", limit=REASON_MAX, label=_("取消理由"))
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        require(by, "meetings.cancel_meeting", meeting)
        if not meeting.is_open:
            raise MeetingConflict(_("会议已结束或已取消"))
        if meeting.resolutions.exists():
            raise MeetingConflict(_("已形成决议的会议不能取消"))
        before = {"status": meeting.status}
        published = meeting.status == MeetingStatus.PUBLISHED
        meeting.status = MeetingStatus.CANCELLED
        meeting.save(update_fields=["status", "updated_at"])
        released = list(meeting.topics.filter(carried_from__isnull=False).values_list("carried_from_id", flat=True))
        meeting.topics.filter(carried_from__isnull=False).update(carried_from=None)
        _record(by, Verb.CANCEL_MEETING, meeting, place=meeting.place, summary=reason, before=before,
                after={"status": meeting.status, "reason": reason, "released_items": released})
        if published:
            notify(called_users(meeting), verb=Verb.CANCEL_MEETING, text=_("%(m)s（%(t)s）取消：%(r)s") % {
                "m": meeting.title, "t": timezone.localtime(meeting.starts_at).strftime("%m-%d %H:%M"), "r": reason},
                link=link_of(meeting))
    return meeting


# ---------------------------------------------------------------- action items → the next agenda (the tick)


def carry_over_item(item: ActionItem, *, by, today: datetime.date | None = None) -> Topic:
    """逾期事项上会: an overdue action item goes onto the next open meeting of its series, once (the topic's
    one-to-one ``carried_from`` is the claim). Raises MeetingConflict when it is not due (done, not overdue,
    carried already, or no next meeting)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        item = ActionItem.objects.select_for_update(of=("self",)).select_related(
            "resolution__meeting__series", "resolution__place", "owner").get(pk=item.pk)
        require(by, "meetings.carry_over_item", item.resolution.meeting)
        if Topic.objects.filter(carried_from=item).exists():
            raise MeetingConflict(_("该督办事项已提交会议"))
        status, _at = item_state(item.due_date, list(item.requests.all()), today)
        if status != ItemStatus.OVERDUE:
            raise MeetingConflict(_("该督办事项未逾期"))
        source = item.resolution.meeting
        nxt = (source.series.meetings.filter(status__in=[MeetingStatus.SCHEDULED, MeetingStatus.PUBLISHED],
                                             starts_at__gt=max(timezone.now(), source.starts_at))
               .exclude(pk=source.pk).order_by("starts_at", "pk").first())
        if nxt is None:
            raise MeetingConflict(_("没有下一次会议"))
        topic = Topic.objects.create(
            meeting=nxt, place=item.resolution.place, kind=TopicKind.DIFFICULT, source=TopicSource.CARRIED,
            title=(_("逾期督办：%(t)s") % {"t": item.text})[:TITLE_MAX],
            description=_("%(m)s决议%(n)s，责任单位%(o)s，应于%(d)s前完成，至今未办结") % {
                "m": source.title, "n": item.resolution.number, "o": item.owner.name, "d": item.due_date.isoformat()},
            carried_from=item, late=nxt.status == MeetingStatus.PUBLISHED, position=_next_position(nxt))
        _record(by, Verb.CARRY_OVER_ITEM, topic, place=topic.place, summary=topic.title,
                after={"item": item.pk, "meeting": nxt.pk})
    return topic


# ---------------------------------------------------------------- minutes


def _latest_minutes(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.select_for_update().filter(meeting=meeting).order_by("-version").first()


def edit_minutes(meeting: Meeting, *, by, host: str = "", recorder: str = "", summary: str = "") -> Minutes:
    """编辑会议纪要: the draft's host, recorder and overview (the first edit opens version 1). Refused once final."""
    host = _text(host, field="host", limit=PERSON_NAME_MAX, required=False, label=_("主持人"))
    recorder = _text(recorder, field="recorder", limit=PERSON_NAME_MAX, required=False, label=_("记录人"))
    summary = _text(summary, field="summary", limit=TEXT_MAX * 2, required=False, label=_("会议概况"))
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        require(by, "meetings.edit_minutes", meeting)
        if meeting.status == MeetingStatus.CANCELLED:
            raise MeetingConflict(_("会议已取消"))
        minutes = _latest_minutes(meeting)
        if minutes is not None and minutes.is_final:
            raise ValidationError({"summary": _("会议纪要已定稿，不能修改；如需更正，请新建更正版本并说明理由")})
        before = {} if minutes is None else {"host": minutes.host, "recorder": minutes.recorder}
        if minutes is None:
            minutes = Minutes(meeting=meeting, version=1)
        minutes.host, minutes.recorder, minutes.summary = host, recorder, summary
        minutes.save()
        _record(by, Verb.EDIT_MINUTES, meeting, place=meeting.place, summary=f"v{minutes.version}",
                before=before, after={"version": minutes.version, "host": host, "recorder": recorder})
    return minutes


def finalise_minutes(meeting: Meeting, *, by) -> Minutes:
    """纪要定稿: after the meeting, the record as it stands is stored in the version and locked."""
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        require(by, "meetings.finalise_minutes", meeting)
        if meeting.status != MeetingStatus.HELD:
            raise MeetingConflict(_("会议结束后才能定稿纪要"))
        minutes = _latest_minutes(meeting)
        if minutes is None:
            raise ValidationError({"summary": _("请先填写会议纪要（主持人、记录人、会议概况）")})
        if minutes.is_final:
            raise MeetingConflict(_("会议纪要已定稿"))
        if not minutes.host or not minutes.recorder:
            raise ValidationError({"host" if not minutes.host else "recorder": _("定稿前请填写主持人和记录人")})
        minutes.content = minutes_content(meeting, minutes)
        minutes.status, minutes.finalised_at, minutes.finalised_by = (MinutesStatus.FINAL, timezone.now(),
                                                                      user_of(by))
        minutes.save(update_fields=["content", "status", "finalised_at", "finalised_by", "updated_at"])
        _record(by, Verb.FINALISE_MINUTES, meeting, place=meeting.place, summary=f"v{minutes.version}",
                before={"status": MinutesStatus.DRAFT}, after={"status": minutes.status, "version": minutes.version})
    return minutes


def correct_minutes(meeting: Meeting, *, by, reason: str) -> Minutes:
    """更正会议纪要: a new draft version with its reason; the final versions before it are kept as they were."""
    reason = _text(reason, field="reason", limit=REASON_MAX, label=_("更正理由"))
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        require(by, "meetings.correct_minutes", meeting)
        last = _latest_minutes(meeting)
        if last is None or not last.is_final:
            raise MeetingConflict(_("只有已定稿的纪要才能更正（草稿可直接修改）"))
        minutes = Minutes.objects.create(meeting=meeting, version=last.version + 1, host=last.host,
                                         recorder=last.recorder, summary=last.summary, correction_reason=reason)
        _record(by, Verb.CORRECT_MINUTES, meeting, place=meeting.place, summary=reason,
                after={"version": minutes.version, "reason": reason})
    return minutes
