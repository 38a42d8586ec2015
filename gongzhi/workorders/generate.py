"""Benchmark requests (`manage.py generate_requests --scale city|tiny [--count N]`).

On top of a places data set from :mod:`gongzhi.people.generate` (built first when missing), this writes
``count`` 诉求 (city: 5,000,000) spread over the data set's households and common areas across the last
24 months (731 local days ending now), with a realistic life for each:

- filed at a daytime-weighted clock time, more on weekdays, slowly growing over the two years; category,
  urgency, channel and place drawn from fixed weights; deadlines from the ``ServiceLevel`` table and the
  working-day calendar (weekends plus the ``Holiday`` rows);
- then simulated step by step — rejected (3 %) or merged (1.5 %) before dispatch, otherwise dispatched
  (sometimes returned and re-dispatched), accepted (7 % late), started, resolved (9 % late), rated
  (1–5, mostly 5) or closed unrated, sometimes reopened (4 %: first rating low, then a second round),
  followed up — and cut at *now*: the steps after now have not happened, so recent requests are open,
  and a few (more among the last 90 days) are stuck, overdue and escalated, as the tick would leave them;
- handled by the organisations a dispatcher would pick: the property company of the compound (one
  company per cluster of managed compounds, created here with its ``Cluster`` and
  ``ManagementAssignment`` rows, since the city set has none), else the community office; some
  illegal-building and noise cases go to the street's 城管 or 派出所 (departments created here), some
  "other" to the street office.

Numbers are GZ-YYYYMMDD-NNNN in filing order within each local day, continuing any existing
``DailyCounter``; the counters are set to the day's last number afterwards (so ``next_number`` goes on
from there), and the request id sequence is reset (ids are assigned here, in filing order).

Besides the requests: a community-staff account (``bench_<scale>_community``, 社区工作者 on the grid
worker's community, organisation = its office) — the dispatcher whose queue the bench times. Its
presence marks the set as generated: like the places generator this is idempotent (a second run reuses
what is there). Everything is written in one transaction; on PostgreSQL the rows are streamed with
``COPY``, elsewhere (the tests' SQLite) they go through ``bulk_create``.

The data are a function of the seed, the count and *now* (the 24 months end at generation time).
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.core.calendar import WorkCalendar
from gongzhi.core.models import Holiday
from gongzhi.people.generate import PASSWORD, SCALES, START, Shape
from gongzhi.people.generate import existing as existing_places
from gongzhi.people.generate import generate as generate_places
from gongzhi.people.models import ManagementAssignment, Organisation, OrgKind, Person, Position
from gongzhi.people.roles import Title
from gongzhi.places.models import STEP, Cluster, Kind, ManagementMode, Place, encode_step

from .models import (
    Category,
    DailyCounter,
    HandlerKind,
    Request,
    ServiceLevel,
    ServiceSettings,
    Status,
    TimeUnit,
)

SEED = 20261124
DAYS = 731  # ~24 months of local days, the last one being today
DEFAULT_COUNTS = {"city": 5_000_000, "tiny": 3_000}
BATCH = 5000  # bulk_create batch (non-PostgreSQL)
COPY_CHUNK = 5000  # rows per COPY write
NULL = "\\N"
H = 3600
D = 86400

# managed compounds get a company; self-managed / 准物业 ones are looked after by the community office
COMPANY_MODES = frozenset({ManagementMode.MANAGED, ManagementMode.ENTRUSTED})

# category code: (weight, ((place kind, weight), …), descriptions)
CATEGORY_MIX: dict[str, tuple[int, tuple[tuple[str, float], ...], tuple[str, ...]]] = {
    "utilities": (22, ((Kind.HOUSEHOLD, .8), (Kind.UNIT, .2)),
                  ("厨房水管漏水", "卫生间下水道堵塞", "家里突然停电，跳闸合不上", "楼道灯不亮", "暖气不热",
                   "水表井盖破损")),
    "elevator": (8, ((Kind.UNIT, .5), (Kind.BUILDING, .5)),
                 ("电梯运行时有异响", "电梯按钮失灵", "电梯经常停运，老人上下楼困难", "电梯困人")),
    "sanitation": (14, ((Kind.COMPOUND, .6), (Kind.BUILDING, .4)),
                   ("垃圾桶满溢无人清运", "楼道堆放杂物", "绿化带有积水发臭", "小区化粪池外溢")),
    "parking": (10, ((Kind.COMPOUND, 1.0),),
                ("消防通道被私家车占用", "非机动车乱停放", "地下车库积水", "小区门口车辆堵塞")),
    "safety": (5, ((Kind.BUILDING, .5), (Kind.COMPOUND, .5)),
               ("楼道电动车充电有隐患", "外墙瓷砖脱落", "消防栓没有水", "围墙有裂缝")),
    "neighbour_dispute": (7, ((Kind.HOUSEHOLD, 1.0),),
                          ("楼上漏水到我家协商不成", "邻居占用公共走廊", "宠物扰民")),
    "illegal_building": (4, ((Kind.HOUSEHOLD, .6), (Kind.COMPOUND, .4)),
                         ("一楼住户私搭乱建", "楼顶加盖阳光房", "绿地被圈占种菜")),
    "noise": (8, ((Kind.HOUSEHOLD, .8), (Kind.BUILDING, .2)),
              ("夜间装修噪音", "广场舞音响太大", "楼下商铺噪音扰民")),
    "public_facility": (10, ((Kind.COMPOUND, .8), (Kind.BUILDING, .2)),
                        ("健身器材损坏", "路灯不亮", "单元门禁损坏", "座椅断裂")),
    "service_complaint": (6, ((Kind.COMPOUND, 1.0),),
                          ("物业维修不及时", "保安态度差", "物业费公示不清")),
    "other": (6, ((Kind.HOUSEHOLD, .6), (Kind.COMPOUND, .4)),
              ("咨询办理居住证", "反映小区周边道路破损", "希望增设快递柜")),
}
URGENCY_MIX = (("normal", 80), ("urgent", 12), ("complex", 6), ("emergency", 2))
CHANNEL_MIX = (("app", 45), ("hotline", 25), ("phone", 12), ("patrol", 8), ("walk_in", 5), ("home_visit", 5))
RATING_MIX = ((5, 62), (4, 20), (3, 9), (2, 5), (1, 4))
SECOND_RATING_MIX = ((5, 45), (4, 25), (3, 15), (2, 10), (1, 5))
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
RESULTS = ("已上门维修完毕", "已更换配件，恢复正常", "已协调清运", "已现场劝导并整改", "已联系相关单位处理",
           "已张贴告示并巡查", "已调解，双方达成一致")
COMMENTS = ("处理及时，谢谢", "师傅很专业", "态度很好", "比以前快多了", "还行", "有点慢")
REJECT_REASONS = ("不属于本平台受理范围，已告知拨打12345", "信息不全，无法核实地点", "重复提交")
RETURN_REASONS = ("非本单位职责", "地点不在服务范围内")
REOPEN_REASONS = ("问题没有解决", "又坏了")
FOLLOW_UPS = ("电话回访，居民表示满意", "回访未接通", "上门回访，已解决")

# COPY / bulk_create columns, in this order; type: i int, t epoch seconds, s text, b bool.
# Not written (left NULL): reporter (no residents in the city set), filed_by, assignee, pool_until.
COLUMNS = (
    ("id", "i"), ("created_at", "t"), ("updated_at", "t"), ("number", "s"), ("category_id", "i"),
    ("urgency", "s"), ("description", "s"), ("place_id", "i"), ("address", "s"), ("contact_name", "s"),
    ("contact_phone", "s"), ("anonymous", "b"), ("channel", "s"), ("status", "s"), ("handler_id", "i"),
    ("response_due_at", "t"), ("resolution_due_at", "t"), ("dispatched_at", "t"), ("accepted_at", "t"),
    ("first_accepted_at", "t"), ("resolved_at", "t"), ("first_resolved_at", "t"), ("rated_at", "t"),
    ("closed_at", "t"), ("response_overdue", "b"), ("resolution_overdue", "b"), ("escalation_level", "i"),
    ("result_note", "s"), ("reason", "s"), ("rating", "i"), ("first_rating", "i"), ("rating_comment", "s"),
    ("unrated", "b"), ("reopen_count", "i"), ("merged_into_id", "i"), ("followed_up_at", "t"),
    ("follow_up_note", "s"), ("tick_error", "s"),
)
NAMES = tuple(c for c, _t in COLUMNS)
IX = {c: i for i, c in enumerate(NAMES)}
SUBMITTED, DISPATCHED, ACCEPTED, IN_PROGRESS, RESOLVED, RATED, CLOSED, RETURNED, REJECTED, MERGED, REOPENED = (
    s.value for s in (Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.RESOLVED,
                      Status.RATED, Status.CLOSED, Status.RETURNED, Status.REJECTED, Status.MERGED, Status.REOPENED))
UNRESOLVED = frozenset(s.value for s in (Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS,
                                          Status.RETURNED, Status.REOPENED))
AWAITING = frozenset({Status.DISPATCHED.value, Status.REOPENED.value})
WIDTHS = {"unit": 7 * STEP, "building": 6 * STEP, "compound": 5 * STEP}


@dataclass
class GeneratedRequests:
    created: bool
    scale: str
    count: int  # requests on the data set's places
    community_username: str
    community_path: str
    street_username: str
    street_path: str
    companies: int = 0
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    seconds: float = 0.0


def community_username(shape: Shape) -> str:
    return f"bench_{shape.name}_community"


def _community_path(root_path: str, shape: Shape) -> str:
    s, c, _g = shape.worker_grid
    return root_path + encode_step(s) + encode_step(c)


def existing(scale: str) -> GeneratedRequests | None:
    shape = SCALES[scale]
    places = existing_places(shape)
    if places is None or not get_user_model().objects.filter(username=community_username(shape)).exists():
        return None
    return GeneratedRequests(
        created=False, scale=scale, count=Request.objects.filter(place__path__startswith=places.root_path).count(),
        community_username=community_username(shape), community_path=_community_path(places.root_path, shape),
        street_username=shape.street_username, street_path=places.street_path,
        companies=Organisation.objects.filter(kind=OrgKind.PROPERTY_COMPANY,
                                              place__path__startswith=places.root_path).count())


# ---------------------------------------------------------------- organisations and the dispatcher


def _organisations(root_path: str, shape: Shape, say) -> dict:
    """Departments per street, a company per cluster of managed compounds (one cluster per grid), and the
    maps the row generator needs: path → place id, compound path → company, community/street → office."""
    under = Place.objects.filter(path__startswith=root_path)
    nodes = list(under.exclude(kind=Kind.HOUSEHOLD).order_by("path").values_list("pk", "kind", "path", "name",
                                                                                   "management_mode"))
    by_path = {path: pk for pk, _k, path, _n, _m in nodes}
    streets = [(pk, path, name) for pk, kind, path, name, _m in nodes if kind == Kind.STREET]
    offices = dict(Organisation.objects.filter(place__path__startswith=root_path, kind=OrgKind.OFFICE)
                   .values_list("place__path", "pk"))

    Organisation.objects.bulk_create(
        [Organisation(kind=OrgKind.DEPARTMENT, name=f"{name}{suffix}", place_id=pk)
         for pk, _path, name in streets for suffix in ("城管执法队", "派出所")])
    departments = {(path, name[-3:]): pk for path, pk, name in Organisation.objects.filter(
        place__path__startswith=root_path, kind=OrgKind.DEPARTMENT).values_list("place__path", "pk", "name")}

    # one cluster (片区) per grid with managed compounds, managed by one company anchored at the community
    grids: dict[str, list[tuple[int, str]]] = {}
    for pk, kind, path, _name, mode in nodes:
        if kind == Kind.COMPOUND and mode in COMPANY_MODES:
            grids.setdefault(path[:4 * STEP], []).append((pk, path))
    names = {path: name for _pk, _k, path, name, _m in nodes}
    clusters = Cluster.objects.bulk_create(
        [Cluster(name=f"{names[g[:3 * STEP]]}第{int(g[-STEP:], 36) + 1}片区", place_id=by_path[g]) for g in grids])
    companies = Organisation.objects.bulk_create(
        [Organisation(kind=OrgKind.PROPERTY_COMPANY, name=f"共治物业{i + 1:03d}（{cluster.name}）",
                      place_id=by_path[g[:3 * STEP]]) for i, (g, cluster) in enumerate(zip(grids, clusters, strict=True))])
    assignments = []
    company_of: dict[str, int] = {}
    for (_g, compounds), cluster, company in zip(grids.items(), clusters, companies, strict=True):
        Place.objects.filter(pk__in=[pk for pk, _p in compounds]).update(cluster=cluster)
        for pk, path in compounds:
            assignments.append(ManagementAssignment(company=company, place_id=pk, start_date=START))
            company_of[path] = company.pk
    ManagementAssignment.objects.bulk_create(assignments, batch_size=1000)
    say(f"  {len(companies):,} property companies over {len(assignments):,} managed compounds, "
        f"{len(departments):,} street departments")
    return {"by_path": by_path, "offices": offices, "company_of": company_of, "departments": departments,
            "companies": len(companies)}


def _dispatcher(root_path: str, shape: Shape) -> None:
    """社区工作者 on the grid worker's community: the dispatcher whose queue the bench reads."""
    community = Place.objects.get(path=_community_path(root_path, shape))
    office = Organisation.objects.get(place=community, kind=OrgKind.OFFICE)
    user = get_user_model().objects.create_user(username=community_username(shape), password=PASSWORD)
    person = Person.objects.create(name=f"基准社区工作者（{shape.name}）", place=community, phone="13900000002",
                                   user=user)
    Position.objects.create(person=person, organisation=office, title=Title.COMMUNITY_WORKER, place=community,
                            start_date=START)


# ---------------------------------------------------------------- the rows


def _cumulative(mix):
    total, acc = float(sum(w for _v, w in mix)), []
    running = 0.0
    for _v, w in mix:
        running += w
        acc.append(running / total)
    return [v for v, _w in mix], acc


def _allocate(count: int, weights: list[float]) -> list[int]:
    """``count`` split over days in proportion to ``weights`` exactly (largest remainders)."""
    total = sum(weights)
    shares = [count * w / total for w in weights]
    alloc = [int(s) for s in shares]
    rest = count - sum(alloc)
    for i in sorted(range(len(shares)), key=lambda i: (alloc[i] - shares[i], i))[:rest]:
        alloc[i] += 1
    return alloc


class _Rows:
    """Yields the requests as COLUMNS tuples (timestamps as epoch seconds), in filing order."""

    def __init__(self, *, count: int, now: datetime.datetime, first_id: int, maps: dict, hh_paths: list[str],
                 categories: dict[str, tuple[int, str]], levels: dict, counters: dict[datetime.date, int], cfg, seed: int,
                 days: int = DAYS):
        self.rng = random.Random(seed)
        self.n_days = days
        self.count, self.first_id, self.maps, self.hh_paths = count, first_id, maps, hh_paths
        self.now = int(now.timestamp())
        self.levels, self.counters = levels, counters
        self.reopen_days, self.unrated_days = cfg.reopen_days, cfg.unrated_days
        today = timezone.localdate(now)
        self.days = [today - datetime.timedelta(days=days - 1 - i) for i in range(days + 120)]  # + deadlines
        self.day_start = [int(timezone.make_aware(datetime.datetime.combine(d, datetime.time())).timestamp())
                          for d in self.days]
        holidays = dict(Holiday.objects.filter(date__range=(self.days[0], self.days[-1])).values_list("date", "kind"))
        self.calendar = WorkCalendar(holidays)
        workday = [self.calendar.is_workday(d) for d in self.days]
        nxt = [len(self.days) - 1] * len(self.days)
        following = len(self.days) - 1
        for i in range(len(self.days) - 1, -1, -1):
            nxt[i] = following
            if workday[i]:
                following = i
        self.next_workday = nxt
        self._wd_cache: dict[int, list[int]] = {}
        self.cats = [(categories[code][0], mix, descs) for code, (_w, mix, descs) in CATEGORY_MIX.items()]
        self.company_codes = {code for code, (_pk, kind) in categories.items() if kind == HandlerKind.PROPERTY_COMPANY}
        self.cat_cum = _cumulative([(i, w) for i, (_c, (w, _m, _d)) in enumerate(CATEGORY_MIX.items())])[1]
        self.kind_cum = [_cumulative([(Kind(k).value, w) for k, w in mix]) for _id, mix, _d in self.cats]
        self.urg_values, self.urg_cum = _cumulative(URGENCY_MIX)
        self.chan_values, self.chan_cum = _cumulative(CHANNEL_MIX)
        self.rate_values, self.rate_cum = _cumulative(RATING_MIX)
        self.rate2_values, self.rate2_cum = _cumulative(SECOND_RATING_MIX)
        self.codes = list(CATEGORY_MIX)
        # daytime-weighted filing hours (local)
        hours = [.2, .1, .1, .1, .1, .2, .5, 1, 1.3, 1.6, 1.6, 1.5, 1.2, 1.2, 1.5, 1.5, 1.5, 1.4, 1.3, 1.3, 1.2,
                 1.0, .6, .4]
        self.hour_values, self.hour_cum = _cumulative(list(enumerate(hours)))
        weights = []
        for i, d in enumerate(self.days[:days]):
            w = (0.8 + 0.4 * i / (days - 1)) * (0.85 if d.weekday() >= 5 else 1.0)
            weights.append(w)
        # today has only begun
        elapsed = max(self.now - self.day_start[days - 1], 60)
        weights[-1] *= elapsed / D
        self.per_day = _allocate(count, weights)
        self.produced_days: dict[datetime.date, int] = {}

    # ------------------------------------------------------------ deadlines
    def _day_index(self, ts: int) -> int:
        return bisect.bisect_right(self.day_start, ts) - 1

    def _add_working_days(self, ts: int, n: int) -> int:
        table = self._wd_cache.get(n)
        if table is None:
            table = []
            for i in range(len(self.days)):
                j = i
                for _k in range(n):
                    j = self.next_workday[j]
                table.append(j)
            self._wd_cache[n] = table
        i = self._day_index(ts)
        return self.day_start[table[i]] + (ts - self.day_start[i])

    def _due(self, ts: int, value: float, unit: str) -> int:
        if unit == TimeUnit.HOURS:
            return ts + int(value * H)
        if unit == TimeUnit.WORKING_DAYS:
            return self._add_working_days(ts, int(value))
        start = datetime.datetime.fromtimestamp(ts, tz=datetime.UTC)
        return int(self.calendar.add_working_hours(start, value).timestamp())

    # ------------------------------------------------------------ one request
    def _pick(self, values, cum):
        return values[bisect.bisect_left(cum, self.rng.random())]

    def _place(self, cat_index: int) -> tuple[int, str]:
        """A place of the category's kind: a random household, or its unit/building/compound."""
        path = self.hh_paths[int(self.rng.random() * len(self.hh_paths))]
        kind = self._pick(*self.kind_cum[cat_index])
        if kind == "household":
            return self.maps["households"][path], path
        return self.maps["by_path"][path[:WIDTHS[kind]]], path

    def _handler(self, code: str, path: str) -> int:
        m, r = self.maps, self.rng.random()
        street, community, compound = path[:2 * STEP], path[:3 * STEP], path[:5 * STEP]
        if code == "illegal_building" and r < .35:
            return m["departments"][(street, "执法队")]
        if code == "noise" and r < .25:
            return m["departments"][(street, "派出所")]
        if code == "other" and r < .10:
            return m["offices"][street]
        if code in self.company_codes:
            company = m["company_of"].get(compound)
            if company is not None:
                return company
        return m["offices"][community]

    def __iter__(self) -> Iterator[tuple]:
        rng = self.rng
        rid = self.first_id
        for di in range(self.n_days):
            n = self.per_day[di]
            if not n:
                continue
            day = self.days[di]
            start = self.day_start[di]
            limit = self.now - start if di == self.n_days - 1 else D
            secs = []
            for _k in range(n):
                for _try in range(20):
                    s = self._pick(self.hour_values, self.hour_cum) * H + int(rng.random() * H)
                    if s < limit:
                        break
                else:
                    s = int(rng.random() * limit)
                secs.append(s)
            secs.sort()
            offset = self.counters.get(day, 0)
            stamp = day.strftime("%Y%m%d")
            for k, s in enumerate(secs, start=1):
                yield self._request(rid, start + s, f"GZ-{stamp}-{offset + k:04d}", di)
                rid += 1
            self.produced_days[day] = offset + n

    def _request(self, rid: int, created: int, number: str, di: int) -> tuple:
        rng, now = self.rng, self.now
        rnd = rng.random
        ci = bisect.bisect_left(self.cat_cum, rnd())
        cat_id, _mix, descs = self.cats[ci]
        code = self.codes[ci]
        urgency = self._pick(self.urg_values, self.urg_cum)
        place_id, path = self._place(ci)
        resp_value, resp_unit, res_value, res_unit = self.levels[(cat_id, urgency)]
        channel = self._pick(self.chan_values, self.chan_cum)
        row: list = [None] * len(COLUMNS)
        row[IX["id"]] = rid
        row[IX["created_at"]] = created
        row[IX["number"]] = number
        row[IX["category_id"]] = cat_id
        row[IX["urgency"]] = urgency
        row[IX["description"]] = descs[int(rnd() * len(descs))]
        row[IX["place_id"]] = place_id
        row[IX["contact_name"]] = SURNAMES[int(rnd() * len(SURNAMES))] + ("先生" if rnd() < .5 else "女士")
        row[IX["contact_phone"]] = f"13{int(rnd() * 10)}{rid % 100_000_000:08d}"
        row[IX["channel"]] = channel
        row[IX["anonymous"]] = rnd() < .05
        for col in ("address", "result_note", "reason", "rating_comment", "follow_up_note", "tick_error"):
            row[IX[col]] = ""
        row[IX["response_overdue"]] = row[IX["resolution_overdue"]] = row[IX["unrated"]] = False
        row[IX["escalation_level"]] = row[IX["reopen_count"]] = 0

        # the life of the request: (time, status, {column: value}); steps after now do not happen
        res_due = self._due(created, res_value, res_unit)
        steps: list[tuple[int, str, dict]] = [(created, SUBMITTED, {"resolution_due_at": res_due})]
        age_days = (now - created) / D
        fate = rnd()
        if fate < .03 or (fate < .045 and rid - self.first_id < 1):
            t = created + int((0.5 + rnd() * 29.5) * H)
            steps.append((t, REJECTED, {"closed_at": t, "reason": REJECT_REASONS[int(rnd() * 3)]}))
        elif fate < .045:
            t = created + int((0.5 + rnd() * 11.5) * H)
            target = max(self.first_id, rid - 1 - int(rnd() * 300))
            steps.append((t, MERGED, {"closed_at": t, "merged_into_id": target}))
        else:
            self._handled(steps, created, code, path, urgency, resp_value, resp_unit, res_value, res_unit, age_days)

        status, updated = SUBMITTED, created
        for t, st, changes in steps:
            if t > now:
                break
            if st:
                status = st
            updated = t
            for col, value in changes.items():
                i = IX[col]
                if col in ("first_accepted_at", "first_resolved_at", "first_rating") and row[i] is not None:
                    continue
                if col in ("response_overdue", "resolution_overdue") and row[i]:
                    continue  # sticky
                row[i] = value
        # what the tick has done by now to a request still waiting
        if status in AWAITING and row[IX["response_due_at"]] is not None and row[IX["response_due_at"]] < now:
            row[IX["response_overdue"]] = True
        if status in UNRESOLVED and row[IX["resolution_due_at"]] < now:
            row[IX["resolution_overdue"]] = True
            row[IX["escalation_level"]] = 2 if now - row[IX["resolution_due_at"]] > D else 1
        row[IX["status"]] = status
        row[IX["updated_at"]] = updated
        if status == SUBMITTED:
            row[IX["handler_id"]] = None
        return tuple(row)

    def _handled(self, steps, created, code, path, urgency, resp_value, resp_unit, res_value, res_unit, age_days):
        rnd = self.rng.random
        rd = self.reopen_days * D
        handler = self._handler(code, path)
        fast = urgency in ("emergency", "urgent")
        t = created + int(min(self.rng.lognormvariate(0, 1.0) * (300 if fast else 1800), 36 * H))
        resp_due = self._due(t, resp_value, resp_unit)
        steps.append((t, DISPATCHED, {"handler_id": handler, "dispatched_at": t, "accepted_at": None,
                                                   "response_due_at": resp_due, "reason": ""}))
        if rnd() < .02:  # returned, then dispatched again
            t = t + max(600, int((0.1 + rnd() * 0.5) * (resp_due - t)))
            steps.append((t, RETURNED, {"reason": RETURN_REASONS[int(rnd() * 2)]}))
            t = t + int((1 + rnd() * 19) * H)
            resp_due = self._due(t, resp_value, resp_unit)
            steps.append((t, DISPATCHED, {"dispatched_at": t, "response_due_at": resp_due, "reason": ""}))
        stuck = rnd() < (.006 if age_days < 90 else .0003)
        stuck_before_accept = stuck and rnd() < .4
        if stuck_before_accept:
            return
        res_due = steps[0][2]["resolution_due_at"]
        t_acc = self._accept(steps, t, resp_due)
        started = rnd() < .7
        if stuck:  # accepted (maybe started) and never resolved
            if started:
                steps.append((t_acc + int((0.02 + rnd() * 0.2) * max(res_due - t_acc, H)), IN_PROGRESS,
                              {}))
            return
        t_res = self._resolve(steps, created, t_acc, res_due)
        if started:
            steps.append((t_acc + int((0.05 + rnd() * 0.5) * (t_res - t_acc)), IN_PROGRESS, {}))
        if rnd() < .3:
            t_follow = t_res + int((1 + rnd() * 2) * D)
            steps.append((t_follow, "", {"followed_up_at": t_follow, "follow_up_note": FOLLOW_UPS[int(rnd() * 3)]}))
        if rnd() < .04:  # reopened within the window, maybe after a low first rating
            t_reopen = t_res + int((0.3 + rnd() * 5.7) * D)
            if rnd() < .55:
                t_rate = t_res + int((0.1 + rnd() * 0.8) * (t_reopen - t_res))
                first = 1 + int(rnd() * 2)
                steps.append((t_rate, RATED, {"rating": first, "first_rating": first, "rated_at": t_rate}))
            resp_due = self._due(t_reopen, resp_value, resp_unit)
            res_due = self._due(t_reopen, res_value, res_unit)
            steps.append((t_reopen, REOPENED, {
                "reopen_count": 1, "reason": REOPEN_REASONS[int(rnd() * 2)], "dispatched_at": t_reopen,
                "accepted_at": None, "response_due_at": resp_due, "resolution_due_at": res_due}))
            t_acc = self._accept(steps, t_reopen, resp_due)
            t_res = self._resolve(steps, t_reopen, t_acc, res_due)
            values, cum = self.rate2_values, self.rate2_cum
            rated = rnd() < .7
        else:
            values, cum = self.rate_values, self.rate_cum
            rated = rnd() < .78
        if rated:
            t_rate = t_res + int((0.5 + rnd() * 119.5) * H)
            rating = self._pick(values, cum)
            comment = COMMENTS[int(rnd() * len(COMMENTS))] if rnd() < .15 else ""
            steps.append((t_rate, RATED, {"rating": rating, "first_rating": rating, "rated_at": t_rate,
                                                       "rating_comment": comment}))
            t_close = max(t_res + rd, t_rate) + int(rnd() * 2 * H)
            steps.append((t_close, CLOSED, {"closed_at": t_close}))
        else:
            t_close = t_res + self.unrated_days * D + int(rnd() * 2 * H)
            steps.append((t_close, CLOSED, {"closed_at": t_close, "unrated": True}))
        steps.sort(key=lambda s: s[0])

    def _accept(self, steps, t_dispatch: int, resp_due: int) -> int:
        rnd = self.rng.random
        window = max(resp_due - t_dispatch, 600)
        if rnd() < .07:
            t = resp_due + int((0.05 + rnd()) * window)
        else:
            t = t_dispatch + int((0.03 + rnd() * 0.8) * window)
        steps.append((t, ACCEPTED, {"accepted_at": t, "first_accepted_at": t,
                                                 "response_overdue": t > resp_due}))
        return t

    def _resolve(self, steps, t_start: int, t_acc: int, res_due: int) -> int:
        rnd = self.rng.random
        window = res_due - t_acc
        if rnd() < .09 or window < 600:
            t = max(t_acc, res_due) + int((0.05 + rnd()) * max(res_due - t_start, 2 * H))
        else:
            t = t_acc + int((0.03 + rnd() ** 2 * 0.9) * window)
        late = t > res_due
        changes = {"resolved_at": t, "first_resolved_at": t, "result_note": RESULTS[int(rnd() * len(RESULTS))],
                   "rating": None, "rated_at": None, "resolution_overdue": late}
        if late:
            changes["escalation_level"] = 2 if t - res_due > D else 1
        steps.append((t, RESOLVED, changes))
        return t


# ---------------------------------------------------------------- writing


CLOCK = [f"{h:02d}:{m:02d}:{sec:02d}+00" for h in range(24) for m in range(60) for sec in range(60)]


def _copy(rows: Iterator[tuple], say, total: int) -> int:
    """COPY text format: timestamps as UTC text, NULL as \\N; generated text holds no tab, newline or
    backslash, so nothing needs escaping."""
    times = [i for i, (_c, k) in enumerate(COLUMNS) if k == "t"]
    bools = [i for i, (_c, k) in enumerate(COLUMNS) if k == "b"]
    others = [i for i, (_c, k) in enumerate(COLUMNS) if k in "is"]
    days: dict[int, str] = {}
    epoch = datetime.date(1970, 1, 1)
    written = 0
    lines: list[str] = []
    with connection.cursor() as cursor, cursor.copy(
            f"COPY workorders_request ({', '.join(NAMES)}) FROM STDIN") as copy:
        for row in rows:
            r = list(row)
            for i in times:
                v = r[i]
                if v is None:
                    r[i] = NULL
                else:
                    day, sec = divmod(v, D)
                    text = days.get(day)
                    if text is None:
                        text = days[day] = (epoch + datetime.timedelta(days=day)).isoformat() + " "
                    r[i] = text + CLOCK[sec]
            for i in bools:
                r[i] = "t" if r[i] else "f"
            for i in others:
                if r[i] is None:
                    r[i] = NULL
            lines.append("\t".join(map(str, r)))
            written += 1
            if len(lines) == COPY_CHUNK:
                copy.write("\n".join(lines) + "\n")
                lines = []
            if written % 250_000 == 0:
                say(f"  {written:,} / {total:,} requests")
        if lines:
            copy.write("\n".join(lines) + "\n")
    return written


def _bulk(rows: Iterator[tuple], say, total: int) -> int:
    kinds = [k for _c, k in COLUMNS]
    attnames = [c for c in NAMES]
    written = 0
    while True:
        batch = []
        for row in itertools.islice(rows, BATCH):
            values = {}
            for name, kind, value in zip(attnames, kinds, row, strict=True):
                if kind == "t" and value is not None:
                    value = datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
                values[name] = value
            batch.append(Request(**values))
        if not batch:
            return written
        Request.objects.bulk_create(batch, batch_size=BATCH)
        written += len(batch)
        if written % 250_000 < len(batch) < written:
            say(f"  {written:,} / {total:,} requests")


def write_requests(maps: dict, hh_paths: list[str], *, count: int, now: datetime.datetime, seed: int = SEED,
                   days: int = DAYS, say=lambda _msg: None) -> _Rows:
    """Write ``count`` requests over the ``days`` local days ending ``now`` on the places of ``maps`` (see
    :func:`_organisations`: ``by_path``, ``offices``, ``company_of``, ``departments``, ``households``) and the
    households at ``hh_paths``; ids, numbers and the day counters go on from what is there. Returns the rows
    generator (its ``first_id``, ``days`` and ``produced_days``). Call it inside a transaction."""
    categories = {code: (pk, kind) for code, pk, kind in Category.objects.values_list("code", "pk", "handler_kind")}
    levels = {(cat, urgency): (float(rv), ru, float(sv), su) for cat, urgency, rv, ru, sv, su in
              ServiceLevel.objects.values_list("category_id", "urgency", "response_value", "response_unit",
                                               "resolution_value", "resolution_unit")}
    first_day = timezone.localdate(now) - datetime.timedelta(days=days - 1)
    counters = dict(DailyCounter.objects.filter(day__gte=first_day).values_list("day", "value"))
    first_id = (Request.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows = _Rows(count=count, now=now, first_id=first_id, maps=maps, hh_paths=hh_paths, categories=categories,
                 levels=levels, counters=counters, cfg=ServiceSettings.current(), seed=seed, days=days)
    written = (_copy if connection.vendor == "postgresql" else _bulk)(iter(rows), say, count)
    assert written == count, (written, count)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Request]):
            cursor.execute(sql)
    # next_number goes on from the generated numbers
    known = set(counters)
    DailyCounter.objects.bulk_create([DailyCounter(day=d, value=v) for d, v in rows.produced_days.items()
                                      if d not in known], batch_size=1000)
    for d, v in rows.produced_days.items():
        if d in known:
            DailyCounter.objects.filter(day=d).update(value=v)
    return rows


def generate_requests(scale: str = "city", count: int | None = None, *, progress: Callable[[str], None] | None = None,
                      now: datetime.datetime | None = None, seed: int = SEED) -> GeneratedRequests:
    """Build ``count`` requests on the data set ``scale`` unless they are already there (see the module doc)."""
    say = progress or (lambda _msg: None)
    shape = SCALES[scale]
    count = DEFAULT_COUNTS.get(scale, 1000) if count is None else count
    found = existing(scale)
    if found is not None:
        note = "" if found.count >= count else f" (fewer than the {count:,} asked for: drop the set to rebuild)"
        say(f"Requests for '{scale}' already present ({found.count:,}){note}; reusing them.")
        return found
    places = generate_places(scale, progress=say)
    t0 = time.monotonic()
    now = now or timezone.now()
    postgres = connection.vendor == "postgresql"
    say(f"Generating {count:,} requests on '{scale}' ({'COPY' if postgres else 'bulk_create'}) …")
    with transaction.atomic():
        if postgres:  # ids and numbers are assigned here: keep other writers out until the counters are set
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE workorders_request IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute("LOCK TABLE workorders_dailycounter IN SHARE ROW EXCLUSIVE MODE")
                # check each row's foreign keys as it arrives, not all at commit (no 20-million-event queue)
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        maps = _organisations(places.root_path, shape, say)
        _dispatcher(places.root_path, shape)
        households = list(Place.objects.filter(path__startswith=places.root_path, kind=Kind.HOUSEHOLD)
                          .order_by("path").values_list("path", "pk"))
        maps["households"] = dict(households)
        hh_paths = [p for p, _pk in households]
        rows = write_requests(maps, hh_paths, count=count, now=now, seed=seed, say=say)
        first_day = rows.days[0]
    if postgres and not connection.in_atomic_block:  # (inside a test's transaction VACUUM cannot run)
        t1 = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE workorders_request")
        say(f"  VACUUM ANALYZE in {time.monotonic() - t1:.1f} s")
    seconds = time.monotonic() - t0
    say(f"Done in {seconds:.1f} s: {count:,} requests from {first_day} to {timezone.localdate(now)}; dispatcher "
        f"'{community_username(shape)}' (password {PASSWORD}).")
    return GeneratedRequests(
        created=True, scale=scale, count=count, community_username=community_username(shape),
        community_path=_community_path(places.root_path, shape), street_username=shape.street_username,
        street_path=places.street_path, companies=maps["companies"], first_day=first_day,
        last_day=timezone.localdate(now), seconds=seconds)
