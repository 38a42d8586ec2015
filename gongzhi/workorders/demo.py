"""Demo records of requests (``seed_demo``): a street's year of 诉求, so lists, rankings and 三率 look like a
real street on first start. Registered as a demo step in ``shell.py``.

- **The year** (``HISTORY_COUNT`` requests over ``HISTORY_DAYS`` days ending now) comes from the city
  generator's bulk path (:func:`gongzhi.workorders.generate.write_requests`) on the demo street's own
  places and organisations: spread over the 11 compounds' households, units, buildings and common areas,
  the categories, urgencies and channels by the generator's weights, handled by each compound's property
  company, the community offices, 派出所 and 城管; rejected, merged, returned, late, reopened, rated 1–5 or
  closed unrated, followed up, and the recent ones still open or overdue. The derived fields
  (deadlines, overdue flags, escalation, first/last times, day counters) are the generator's.
  Then, in bulk as well: the reporter of a request filed at a household (a member of it), 吹哨报到 for
  some 城管/派出所/消防 cases, and each request's timeline (the audit Events its actions would have written,
  by the people who hold those posts).
- **The live set** (``DEMO_REQUESTS``): a request at every stage, moved through the real actions now,
  spread over compounds and filed by the demo accounts (the resident, the committee director, community
  and grid staff on residents' behalf), so the demo accounts have work in their queues and inboxes.

Deterministic: the street's seeded RNG, the generator's seed, and the time of seeding (the year ends now).
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.people.models import (
    HouseholdMember,
    ManagementAssignment,
    Organisation,
    OrgKind,
    Position,
    Relation,
)
from gongzhi.people.roles import Title
from gongzhi.places.models import STEP, Kind, Place

from . import actions
from .events import Verb
from .generate import write_requests
from .models import Category, Channel, Duty, Request, ServiceSettings, Status, Whistle

HISTORY_DAYS = 365
# ~0.5 requests per household a year (2,900 households): about four a day, as a street office's platform sees
HISTORY_COUNT = 1500
HISTORY_SEED = 20261203

DEMO_REQUESTS = [  # category, description, stage, compound index (DemoStreet.compounds), filer
    ("utilities", "厨房水管漏水，楼下已经渗水", "rated", 0, "resident"),
    ("elevator", "2单元电梯经常停在半层，老人不敢坐", "resolved", 0, "committee"),
    ("sanitation", "楼道堆放杂物很久没人清理", "accepted", 1, "community"),
    ("parking", "消防通道被私家车长期占用", "dispatched", 2, "community"),
    ("noise", "楼上深夜装修噪音", "submitted", 0, "resident"),
    ("safety", "电动车在楼道充电，有火灾隐患", "whistled", 0, "grid"),
    ("public_facility", "小区路灯坏了三盏", "resolved", 3, "community"),
    ("neighbour_dispute", "楼上空调外机滴水到我家窗台", "rated", 0, "resident"),
    ("utilities", "卫生间下水道堵塞", "submitted", 4, "community"),
    ("service_complaint", "保安夜间不在岗", "dispatched", 1, "committee"),
]
FILED_BY_STAFF = {"community": Channel.PHONE, "grid": Channel.PATROL}

# 吹哨: which department a category's hard cases summon, and how often (of the handled ones)
WHISTLES = {"illegal_building": ("城管", .35), "noise": ("派出所", .12), "parking": ("派出所", .12),
            "safety": ("消防", .30)}
WHISTLE_NOTES = {"城管": "违建需执法中队现场认定并拆除", "派出所": "需派出所民警到场劝导", "消防": "存在消防隐患，需消防救援大队检查"}
WHISTLE_REPORTS = {"城管": "已现场认定，责令限期自行拆除", "派出所": "已到场劝导，当事人承诺整改",
                   "消防": "已现场检查，下达整改通知书"}
# 办理结果 by category, instead of the generator's generic ones
RESULTS = {
    "utilities": ("已上门更换水管接头，不再渗漏", "已疏通下水管道", "已更换空气开关，恢复供电", "已联系供热公司排气，暖气恢复"),
    "elevator": ("维保单位已到场检修，电梯恢复运行", "已更换楼层按钮", "已完成年检整改"),
    "sanitation": ("已组织清运垃圾", "已清理楼道杂物并张贴告示", "已清掏化粪池"),
    "parking": ("已劝离占道车辆，施划禁停标线", "已规范非机动车停放", "已抽排地库积水"),
    "safety": ("已清理楼道电动车并劝导", "已拆除空鼓外墙砖并设置围挡", "已检修消防栓"),
    "neighbour_dispute": ("已调解，双方达成一致", "已上门协商，漏水已维修", "已劝导宠物主人文明养犬"),
    "illegal_building": ("已责令限期拆除", "已配合执法中队拆除违建", "已恢复绿地"),
    "noise": ("已上门劝导，装修时间已调整", "已与广场舞队协商降低音量", "已联系商户整改"),
    "public_facility": ("已更换健身器材", "已更换路灯灯泡", "已维修单元门禁", "已更换座椅"),
    "service_complaint": ("已约谈项目经理并整改", "已加强夜间巡逻", "已在公示栏公开物业费收支"),
    "other": ("已告知办理流程", "已转交相关部门处理", "已向街道反映，纳入计划"),
}
OWN_CATEGORIES = ("utilities", "neighbour_dispute", "noise", "other")
REPORTED_CHANNELS = (Channel.APP, Channel.HOTLINE, Channel.PHONE, Channel.WALK_IN, Channel.HOME_VISIT)


def seed_requests(street) -> None:
    """``street``: the demo street's ``DemoStreet``."""
    for company in street.companies:
        for position in Position.objects.filter(organisation=company).select_related("person"):
            Duty.objects.get_or_create(organisation=company, person=position.person)
    seed_history(street)
    seed_live(street)


# ---------------------------------------------------------------- the year, in bulk


def _maps(street) -> dict:
    """What the generator's rows need of the demo street (see ``generate._organisations``)."""
    under = Place.objects.filter(path__startswith=street.street.path)
    offices = dict(Organisation.objects.filter(kind=OrgKind.OFFICE, place__path__startswith=street.street.path)
                   .values_list("place__path", "pk"))
    company_of = dict(ManagementAssignment.objects.filter(place__path__startswith=street.street.path,
                                                          end_date__isnull=True)
                      .values_list("place__path", "company_id"))
    police, _housing, fire, enforcement, _hotline = street.departments
    return {
        "by_path": dict(under.exclude(kind=Kind.HOUSEHOLD).values_list("path", "pk")),
        "households": dict(under.filter(kind=Kind.HOUSEHOLD).values_list("path", "pk")),
        "offices": offices, "company_of": company_of,
        "departments": {(street.street.path, "执法队"): enforcement.pk, (street.street.path, "派出所"): police.pk},
        "by_name": {"城管": enforcement.pk, "派出所": police.pk, "消防": fire.pk},
    }


def _people(street) -> dict:
    """Who acts in the history: the user holding each organisation's first post, the community secretaries
    (dispatchers) by community path, the project managers by compound path."""
    org_user: dict[int, int] = {}
    dispatcher: dict[str, int] = {}
    manager: dict[str, int] = {}
    for org_id, user_id, title, path in (Position.objects.filter(person__user__isnull=False)
                                         .order_by("pk").values_list("organisation_id", "person__user_id", "title",
                                                                     "place__path")):
        org_user.setdefault(org_id, user_id)
        if title == Title.COMMUNITY_SECRETARY:
            dispatcher.setdefault(path, user_id)
        if title == Title.PROJECT_MANAGER:
            manager.setdefault(path, user_id)
    return {"org_user": org_user, "dispatcher": dispatcher, "manager": manager}


def seed_history(street, *, count: int = HISTORY_COUNT, days: int = HISTORY_DAYS, now=None) -> int:
    """A year of requests on the demo street, written in bulk with their reporters, whistles and timelines."""
    now = now or timezone.now()
    maps = _maps(street)
    hh_paths = sorted(maps["households"])
    rows = write_requests(maps, hh_paths, count=count, now=now, seed=HISTORY_SEED, days=days)
    history = Request.objects.filter(pk__gte=rows.first_id)
    # 诉求人: a request filed at a household by its resident (not a patrol's finding) names a member of it
    member = HouseholdMember.objects.filter(place_id=OuterRef("place_id"), relation=Relation.OWNER,
                                            is_representative=True).order_by("pk")
    reported = history.filter(place__kind=Kind.HOUSEHOLD, channel__in=REPORTED_CHANNELS)
    reported.update(reporter_id=Subquery(member.values("person_id")[:1]))
    reported.update(contact_name=Subquery(member.values("person__name")[:1]),
                    contact_phone=Subquery(member.values("person__phone")[:1]))
    _results(history)
    _own_history(street, history)
    rng = random.Random(HISTORY_SEED)
    whistles = _whistles(history, maps, rng, now)
    _timelines(street, history, whistles, now)
    return count


def _results(history) -> None:
    """办理结果 that fit the category (the generator's are generic)."""
    codes = dict(Category.objects.values_list("pk", "code"))
    groups: dict[tuple[int, int], list[int]] = {}
    for pk, category_id in history.exclude(result_note="").values_list("pk", "category_id"):
        notes = RESULTS.get(codes[category_id])
        if notes:
            groups.setdefault((category_id, pk % len(notes)), []).append(pk)
    for (category_id, k), pks in sorted(groups.items()):
        note = RESULTS[codes[category_id]][k]
        for i in range(0, len(pks), 500):
            Request.objects.filter(pk__in=pks[i:i + 500]).update(result_note=note)


def _own_history(street, history) -> None:
    """The demo resident's household has its own past requests (filed online, handled and rated)."""
    member = HouseholdMember.objects.filter(person__user__username="resident").select_related("person").first()
    if member is None:
        return
    compound = member.place.path[:5 * STEP]
    pks = list(history.filter(place__kind=Kind.HOUSEHOLD, place__path__startswith=compound, channel=Channel.APP,
                              status=Status.CLOSED, rating__isnull=False, category__code__in=OWN_CATEGORIES)
               .order_by("pk").values_list("pk", flat=True)[:4])
    Request.objects.filter(pk__in=pks).update(place=member.place, reporter=member.person,
                                              filed_by=member.person.user_id, contact_name=member.person.name,
                                              contact_phone=member.person.phone)


def _whistles(history, maps, rng: random.Random, now) -> list[Whistle]:
    """吹哨报到 on some of the year's hard cases: summoned within hours of dispatch, most reporting in within
    the 2-hour limit, each with its 处置情况 before the request was resolved."""
    codes = dict(Category.objects.values_list("pk", "code"))
    hours = float(ServiceSettings.current().whistle_ack_hours)
    made = []
    for pk, category_id, dispatched_at, resolved_at in (
            history.filter(dispatched_at__isnull=False).order_by("pk")
            .values_list("pk", "category_id", "dispatched_at", "first_resolved_at")):
        rule = WHISTLES.get(codes[category_id])
        if rule is None or rng.random() >= rule[1]:
            continue
        kind = rule[0]
        at = dispatched_at + datetime.timedelta(minutes=rng.randrange(20, 300))
        if at > now:
            continue
        due = at + datetime.timedelta(hours=hours)
        ack = at + datetime.timedelta(minutes=rng.choice((25, 40, 60, 75, 90, 100, 110, 150, 200)))
        acknowledged = ack if ack <= now else None
        reported_at = None
        if acknowledged is not None:
            end = resolved_at if resolved_at is not None else now
            reported_at = min(ack + datetime.timedelta(hours=rng.randrange(2, 48)), end)
            if reported_at <= ack:
                reported_at = None
        made.append(Whistle(
            request_id=pk, department_id=maps["by_name"][kind], note=WHISTLE_NOTES[kind], ack_due_at=due,
            acknowledged_at=acknowledged, report=WHISTLE_REPORTS[kind] if reported_at else "",
            reported_at=reported_at, overdue=(acknowledged or now) > due, created_at=at, updated_at=reported_at or at))
    Whistle.objects.bulk_create(made, batch_size=1000)
    return made


def _timelines(street, history, whistles: list[Whistle], now) -> None:
    """The Events the year's actions would have written (public: the resident's timeline), in bulk."""
    people = _people(street)
    ct = ContentType.objects.get_for_model(Request)
    cats = {pk: (code, name) for pk, code, name in Category.objects.values_list("pk", "code", "name")}
    orgs = dict(Organisation.objects.values_list("pk", "name"))
    reporter_user = dict(HouseholdMember.objects.filter(person__user__isnull=False)
                         .values_list("person_id", "person__user_id"))
    numbers = dict(history.values_list("pk", "number"))
    whistles_of: dict[int, list[Whistle]] = {}
    for w in whistles:
        whistles_of.setdefault(w.request_id, []).append(w)
    company_ids = {c.pk for c in street.companies}
    events: list[Event] = []
    fields = ("pk", "number", "category_id", "description", "channel", "status", "handler_id", "created_at",
              "dispatched_at", "first_accepted_at", "first_resolved_at", "accepted_at", "resolved_at", "reopen_count", "rated_at", "rating", "rating_comment",
              "closed_at", "unrated", "reason", "result_note", "merged_into_id", "followed_up_at", "follow_up_note",
              "reporter_id", "place__path", "place__name")
    for r in history.order_by("pk").values(*fields):
        path = r["place__path"]
        # the demo tree's fixed shape: district / street / community / grid / compound / …
        community, compound = path[:3 * STEP], path[:5 * STEP]

        def add(verb, at, actor, summary, before=None, after=None, r=r):
            events.append(Event(actor_id=actor, verb=str(verb), target_type=ct, target_id=str(r["pk"]),
                                target_repr=r["number"], place_path=r["place__path"],
                                place_name=r["place__name"][:100], summary=summary[:300], before=before or {},
                                after=after or {}, at=at, public=True))

        code, name = cats[r["category_id"]]
        dispatcher = people["dispatcher"].get(community)
        handler = r["handler_id"]
        handler_user = (people["manager"].get(compound) if handler in company_ids else None) \
            or people["org_user"].get(handler)
        add(Verb.FILE_REQUEST, r["created_at"], reporter_user.get(r["reporter_id"]), f"{name}：{r['description'][:60]}",
            after={"status": Status.SUBMITTED, "category": code, "channel": r["channel"]})
        reopened = r["reopen_count"] > 0 and r["first_accepted_at"] is not None
        # a reopened request's dispatched_at is its reopening: the first dispatch came before the first accept
        dispatched = (r["created_at"] + (r["first_accepted_at"] - r["created_at"]) / 3 if reopened
                      else r["dispatched_at"])
        if dispatched is not None and handler is not None:
            add(Verb.DISPATCH_REQUEST, dispatched, dispatcher, f"派给 {orgs.get(handler, '')}",
                before={"status": Status.SUBMITTED, "handler": None, "assignee": None},
                after={"status": Status.DISPATCHED, "handler": handler, "assignee": None, "mode": "direct"})
        for w in whistles_of.get(r["pk"], ()):
            department = orgs[w.department_id]
            add(Verb.WHISTLE_REQUEST, w.created_at, dispatcher, f"向 {department} 吹哨：{w.note}",
                after={"department": w.department_id})
            if w.acknowledged_at is not None:
                late = w.acknowledged_at > w.ack_due_at
                add(Verb.ACKNOWLEDGE_WHISTLE, w.acknowledged_at, people["org_user"].get(w.department_id),
                    f"{department} 已报到{'（超时）' if late else ''}", after={"late": late})
            if w.reported_at is not None:
                add(Verb.REPORT_WHISTLE, w.reported_at, people["org_user"].get(w.department_id),
                    f"{department} 反馈：{w.report}")
        if r["first_accepted_at"] is not None:
            add(Verb.ACCEPT_REQUEST, r["first_accepted_at"], handler_user, f"{orgs.get(handler, '')} 已接单",
                before={"status": Status.DISPATCHED}, after={"status": Status.ACCEPTED})
        if r["first_resolved_at"] is not None:
            add(Verb.RESOLVE_REQUEST, r["first_resolved_at"], handler_user, r["result_note"][:100] or "已办结",
                before={"status": Status.IN_PROGRESS}, after={"status": Status.RESOLVED})
        if reopened and r["dispatched_at"] is not None:
            add(Verb.REOPEN_REQUEST, r["dispatched_at"], reporter_user.get(r["reporter_id"]), f"申请重办：{r['reason']}",
                before={"status": Status.RESOLVED}, after={"status": Status.REOPENED, "reopen_count": 1})
            if r["accepted_at"] is not None and r["accepted_at"] != r["first_accepted_at"]:
                add(Verb.ACCEPT_REQUEST, r["accepted_at"], handler_user, f"{orgs.get(handler, '')} 已接单",
                    before={"status": Status.REOPENED}, after={"status": Status.ACCEPTED})
            if r["resolved_at"] is not None and r["resolved_at"] != r["first_resolved_at"]:
                add(Verb.RESOLVE_REQUEST, r["resolved_at"], handler_user, r["result_note"][:100] or "已办结",
                    before={"status": Status.IN_PROGRESS}, after={"status": Status.RESOLVED})
        if r["rated_at"] is not None and r["rating"] is not None:
            comment = f"：{r['rating_comment']}" if r["rating_comment"] else ""
            add(Verb.RATE_REQUEST, r["rated_at"], reporter_user.get(r["reporter_id"]), f"评分 {r['rating']} 分{comment}",
                before={"status": Status.RESOLVED}, after={"status": Status.RATED, "rating": r["rating"]})
        if r["followed_up_at"] is not None and r["followed_up_at"] <= now:
            add(Verb.FOLLOW_UP_REQUEST, r["followed_up_at"], dispatcher, f"回访：{r['follow_up_note']}")
        if r["status"] == Status.CLOSED and r["closed_at"] is not None:
            add(Verb.CLOSE_REQUEST, r["closed_at"], None, "未评价，自动关闭" if r["unrated"] else "关闭",
                after={"status": Status.CLOSED, "unrated": r["unrated"]})
        elif r["status"] == Status.REJECTED:
            add(Verb.REJECT_REQUEST, r["closed_at"], dispatcher, f"驳回：{r['reason']}",
                before={"status": Status.SUBMITTED}, after={"status": Status.REJECTED})
        elif r["status"] == Status.MERGED:
            add(Verb.MERGE_REQUEST, r["closed_at"], dispatcher, f"与 {numbers.get(r['merged_into_id'], '')} 合并办理",
                before={"status": Status.SUBMITTED}, after={"status": Status.MERGED, "merged_into": r["merged_into_id"]})
    Event.objects.bulk_create(events, batch_size=2000)


# ---------------------------------------------------------------- the live set, through the actions


def seed_live(street) -> None:
    """A request at every stage, through the real actions (their timelines, notices and audit trail)."""
    rng, compounds, companies, police = street.rng, street.compounds, street.companies, street.departments[0]
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=("community", "property", "resident",
                                                                      "committee", "grid"))}
    community, manager = users["community"], users["property"]
    managers = _people(street)["manager"]
    homes = {name: HouseholdMember.objects.filter(person__user=users[name]).select_related("place").first()
             for name in ("resident", "committee")}
    for name, member in homes.items():
        assert member is not None, f"the demo {name} lives in a household"
    for code, text, stage, ci, filer_name in DEMO_REQUESTS:
        filer = users[filer_name]
        if filer_name in homes:
            place = homes[filer_name].place  # type: ignore[union-attr]
            channel = Channel.APP
        else:
            place = _common_place(compounds[ci], code, rng)
            channel = FILED_BY_STAFF[filer_name]
        req = actions.file_request(by=filer, category=Category.objects.get(code=code), description=text,
                                   place=place, urgency="urgent" if code == "elevator" else "normal", channel=channel,
                                   contact_name="" if filer_name in homes else f"{rng.choice('王李张刘陈杨')}女士")
        if stage == "submitted":
            continue
        target = actions.route(req.category, req.place) or companies[0]
        req = actions.dispatch_request(req, to=target, by=community)
        if stage == "whistled":
            actions.whistle_request(req, department=police, by=community, note="电动车违规充电需派出所协助劝导")
            continue
        if stage == "dispatched":
            continue
        handler_user = community
        if target.kind == OrgKind.PROPERTY_COMPANY:  # the project manager of the request's compound
            compound_path = req.place.path[:5 * STEP]
            handler_user = manager if compound_path == compounds[0].path else User.objects.get(
                pk=managers[compound_path])
        req = actions.accept_request(req, by=handler_user)
        if stage == "accepted":
            continue
        req = actions.resolve_request(req, by=handler_user, result_note="已处理完毕，现场已恢复")
        if stage == "rated":
            actions.rate_request(req, by=filer, rating=rng.choice((4, 5, 5)), comment="处理及时")


def _common_place(compound: Place, code: str, rng: random.Random) -> Place:
    """Where a staff-filed demo request is: a building of the compound for building matters, else the
    compound's common area."""
    if code in ("sanitation", "utilities", "elevator"):
        buildings = list(Place.objects.filter(parent=compound, kind=Kind.BUILDING).order_by("path"))
        if buildings:
            return rng.choice(buildings)
    return compound
