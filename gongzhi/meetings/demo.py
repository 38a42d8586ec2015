"""Demo records of joint meetings (``seed_demo``, after the requests' step): each community's monthly 联席会议 for
the last year, shaped like the seeds — the 10th of each month (the next working day when it falls on a weekend or
holiday), the community party committee, the residents' committee, the compounds' property companies and owners'
committees as members, 派出所 / 住建局 / 消防 invited now and then, topics of each type (迫切事 / 疑难事 / 重大事, from
requests, residents' proposals and staff), and two or three resolutions a meeting, mostly done: each carried by a
request of the demo year filed after the meeting (its status and done date follow it), a few overdue. Minutes are
final. The year's meetings are written in bulk (the generator's way); the coming months' meetings, the overdue items
carried onto the next agenda, and the next agenda of 莲湖路第一社区 (a reopened request, a resident's proposal accepted
and one declined, a staff topic) go through the real actions.

Deterministic: the street's seeded RNG and the time of seeding.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from gongzhi.core.calendar import WorkCalendar
from gongzhi.core.permissions import SYSTEM
from gongzhi.people.models import HouseholdMember, ManagementAssignment, Organisation, OrgKind, Position
from gongzhi.places.models import Kind, Place
from gongzhi.workorders.models import Category, Request

from . import actions, jobs, rules
from .minutes import minutes_content
from .models import (
    ActionItem,
    Attendance,
    AttendanceMethod,
    Meeting,
    MeetingInvitee,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Resolution,
    Topic,
    TopicKind,
    TopicSource,
    TopicStatus,
)

HISTORY_MONTHS = 12
TOPICS = {  # kind → (title template, resolution template); {c}: the compound
    TopicKind.URGENT: [("{c}地下车库积水", "{c}物业三日内疏通车库排水沟并加装挡水板"),
                       ("{c}楼道照明损坏", "{c}物业更换楼道感应灯，社区跟踪验收"),
                       ("{c}电动车楼道充电", "{c}物业增设集中充电桩，网格员开展入户宣传")],
    TopicKind.DIFFICULT: [("{c}停车位紧张、消防通道被占", "{c}划定临时停车区，派出所联合整治占用消防通道"),
                          ("{c}外墙脱落", "{c}物业设置警戒区并报住建局评估维修方案"),
                          ("{c}物业费收缴与服务质量", "{c}业委会与物业签订服务质量承诺，按月公示")],
    TopicKind.MAJOR: [("{c}老旧电梯更换", "{c}电梯更换方案提交业主大会表决"),
                      ("{c}燃气管道改造", "{c}配合燃气公司完成管道改造入户告知"),
                      ("{c}户外活动设施提升", "{c}利用公共收益更新儿童乐园设施")],
}
DONE = ("resolved", "rated", "closed")


def _poster(org: Organisation) -> Position | None:
    return Position.objects.active().filter(organisation=org, person__user__isnull=False).select_related(
        "person").order_by("pk").first()


def _members(community: Place) -> list[Organisation]:
    party = Organisation.objects.filter(kind=OrgKind.PARTY_COMMITTEE, place=community).first()
    office = Organisation.objects.filter(kind=OrgKind.OFFICE, place=community).first()
    compounds = Place.objects.filter(kind=Kind.COMPOUND, path__startswith=community.path)
    companies = Organisation.objects.filter(pk__in=ManagementAssignment.objects.filter(
        place__in=compounds).values("company_id")).order_by("pk")
    committees = Organisation.objects.filter(place__in=compounds, kind__in=[
        OrgKind.OWNERS_COMMITTEE, OrgKind.PROPERTY_MANAGEMENT_COMMITTEE]).order_by("pk")[:3]
    return [o for o in [party, office, *companies, *committees] if o is not None]


def seed_meetings(street) -> None:
    rng = street.rng
    now = timezone.now()
    today = timezone.localdate(now)
    calendar = WorkCalendar.load(today)
    categories = list(Category.objects.filter(active=True).exclude(code__in=["neighbour_dispute", "noise"]))
    used: set[int] = set()
    for ci, community in enumerate(street.communities):
        members = _members(community)
        series = actions.create_series(
            by=SYSTEM, place=community, name=_series_name(ci), day_of_month=10, start_time=datetime.time(9, 30),
            location=f"{community.name}党群服务中心红色物业议事厅", members=members,
            delegates=[p for p in (_poster(o) for o in members) if p is not None])
        compounds = list(Place.objects.filter(kind=Kind.COMPOUND, path__startswith=community.path).order_by("path"))
        companies = {a.place_id: a.company for a in ManagementAssignment.objects.filter(place__in=compounds)
                     .select_related("company")}
        start = _add_months(today.replace(day=1), -HISTORY_MONTHS)
        for n, (year, month) in enumerate(rules.months_from(start, HISTORY_MONTHS), 1):
            day = rules.meeting_day(year, month, 10, calendar.is_workday)
            if day >= today:
                continue
            _history_meeting(series, n, day, compounds, companies, members, street, rng, used, today)
        actions.generate_meetings(series, by=SYSTEM, today=today)
    jobs.carry_over_overdue(today=today, now=now)  # this year's overdue items onto the next agendas, once
    _live(street, rng, categories)


def _series_name(ci: int) -> str:
    return ["红色物业议事厅联席会议", "四方联席会议", "物业党建联席会议"][ci % 3]


def _add_months(day: datetime.date, n: int) -> datetime.date:
    month = day.month - 1 + n
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _history_meeting(series, number, day, compounds, companies, members, street, rng, used, today) -> None:
    starts = _at(day, 9, 30)
    meeting = Meeting.objects.create(
        series=series, place=series.place, number=number, title=f"第{number}次{series.name}",
        period=day.replace(day=1), starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
        location=series.location, status=MeetingStatus.HELD, published_at=starts - datetime.timedelta(days=3),
        held_at=starts + datetime.timedelta(hours=2))
    invited = []
    if rng.random() < 0.4:
        dept = rng.choice(street.departments[:3])
        MeetingInvitee.objects.create(meeting=meeting, organisation=dept)
        invited.append(dept)
    for org in members + invited:
        post = _poster(org)
        if post is not None and (org in invited or rng.random() < 0.97 or org == members[0]):  # now and then one is absent
            Attendance.objects.create(meeting=meeting, person=post.person, organisation=org,
                                      method=AttendanceMethod.CODE, signed_in_at=starts - datetime.timedelta(minutes=5))
    kinds = [TopicKind.URGENT, TopicKind.DIFFICULT, TopicKind.MAJOR] + [rng.choice(list(TopicKind))]
    resolutions = 0
    for pos, kind in enumerate(kinds, 1):
        compound = rng.choice(compounds)
        title, decision = rng.choice(TOPICS[kind])
        source = rng.choice([TopicSource.STAFF, TopicSource.REQUEST, TopicSource.PROPOSAL])
        topic = Topic.objects.create(
            meeting=meeting, place=compound, kind=kind, title=title.format(c=compound.name), source=source,
            status=TopicStatus.ON_AGENDA, position=pos, late=pos == 4 and rng.random() < 0.3,
            notes=f"与会单位就{title.format(c=compound.name)}逐一发言，形成处理意见。")
        if pos > 3 and rng.random() < 0.5:
            continue  # the fourth topic is sometimes only heard
        resolutions += 1
        owner = companies.get(compound.pk) or members[1]
        due = day + datetime.timedelta(days=rng.choice((14, 21, 30)))
        resolution = Resolution.objects.create(meeting=meeting, topic=topic, place=compound, number=resolutions,
                                               text=decision.format(c=compound.name), owner=owner, due_date=due)
        item = ActionItem.objects.create(resolution=resolution, text=resolution.text, owner=owner, due_date=due)
        req = _carrying_request(compound, day, due, today, rng, used)
        if req is not None:
            item.requests.add(req)
    minutes = Minutes.objects.create(meeting=meeting, version=1, host=_name(members[0]), recorder=_name(members[1]),
                                     summary=f"{series.place.name}召开第{number}次{series.name}，研究小区治理重点问题。")
    minutes.content = minutes_content(meeting, minutes)
    minutes.status, minutes.finalised_at = MinutesStatus.FINAL, starts + datetime.timedelta(days=1)
    minutes.save(update_fields=["content", "status", "finalised_at"])


def _name(org: Organisation) -> str:
    post = _poster(org)
    return post.person.name if post else ""


def _carrying_request(compound, day, due, today, rng, used):
    """A request of the demo year in the compound, filed in the days after the meeting: done for most (its
    resolution closes when it was resolved), still open for some (overdue once the due date passes)."""
    window = Request.objects.filter(place__path__startswith=compound.path,
                                    created_at__date__range=(day, day + datetime.timedelta(days=12))).exclude(
        pk__in=used)
    done = rng.random() < 0.85 or due >= today
    qs = window.filter(status__in=DONE) if done else window.exclude(status__in=DONE + ("rejected", "merged"))
    req = qs.order_by("created_at", "pk").first() or window.order_by("created_at", "pk").first()
    if req is not None:
        used.add(req.pk)
    return req


def _live(street, rng, categories) -> None:
    """The next meeting of 莲湖路第一社区 through the actions: a request brought to it, a resident's proposal
    accepted, another declined with its reason."""
    community = street.communities[0]
    meeting = actions.next_meetings_for(community).first()
    if meeting is None:
        return
    office = Organisation.objects.filter(kind=OrgKind.OFFICE, place=community).first()
    staff = Position.objects.active().filter(organisation=office, person__user__isnull=False).select_related(
        "person__user").order_by("pk").first()
    by = staff.person.user if staff else SYSTEM
    for req in Request.objects.filter(place__path__startswith=community.path, status="reopened").order_by("pk")[:1]:
        if actions.needs_meeting(req) and not meeting.topics.filter(request=req).exists():
            actions.topic_from_request(req, by=by, meeting=meeting)
    compound = street.compounds[0]
    proposer = _resident_of(compound)
    if proposer is not None:
        t = actions.propose_topic(by=proposer, place=compound, kind=TopicKind.MAJOR, title="增设小区休闲座椅",
                                  description="老人散步没有地方休息，希望在中心花园增设座椅。")
        actions.accept_proposal(t, meeting=meeting, by=by)
        t2 = actions.propose_topic(by=proposer, place=compound, kind=TopicKind.URGENT, title="禁止在小区内遛狗",
                                   description="")
        actions.decline_proposal(t2, reason="属于文明养犬管理，已转社区文明养犬宣传，不列入联席会议", by=by)
    actions.add_topic(meeting, by=by, kind=TopicKind.DIFFICULT, title=f"{compound.name}非机动车停放秩序",
                      place=compound)


def _resident_of(compound: Place):
    member = (HouseholdMember.objects.filter(place__path__startswith=compound.path, person__user__isnull=False)
              .select_related("person__user").order_by("pk").first())
    return member.person.user if member else None
