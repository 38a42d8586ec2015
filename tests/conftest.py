"""A tiny street and one account per role (the cast every test uses).

district → street → community → grid → compound → building → unit → household (×2),
plus other_community with its own grid, compound and household, staffed by `outsider`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from gongzhi.core.permissions import SYSTEM
from gongzhi.people import actions as people_actions
from gongzhi.people.models import OrgKind, Person, Position, Relation
from gongzhi.people.roles import Title
from gongzhi.places import actions as place_actions
from gongzhi.places.models import Kind

pytest_plugins = ["tests.capture"]  # captured_events, captured_notifications

PASSWORD = "Test-pass-2026"
START = datetime.date(2024, 1, 1)


@pytest.fixture(autouse=True)
def _chinese():
    """Each test starts in the default language; a request through LocaleMiddleware must not leak."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.IMPORTS_INLINE = True
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast fixtures
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def _id(n: int) -> str:
    from stdnum.cn import ric

    body = f"610100{1950 + n % 50}0{1 + n % 9}1{n % 9}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def tree(db):
    mk = place_actions.create_place
    t = {}
    t["district"] = mk(parent=None, kind=Kind.DISTRICT, name="莲湖区", code="610104", by=SYSTEM)
    t["street"] = mk(parent=t["district"], kind=Kind.STREET, name="青年路街道", code="610104001", by=SYSTEM)
    t["community"] = mk(parent=t["street"], kind=Kind.COMMUNITY, name="莲湖路第一社区", code="610104001001", by=SYSTEM)
    t["grid"] = mk(parent=t["community"], kind=Kind.GRID, name="第1网格", code="G1", by=SYSTEM)
    t["grid2"] = mk(parent=t["community"], kind=Kind.GRID, name="第2网格", code="G2", by=SYSTEM)
    t["compound"] = mk(parent=t["grid"], kind=Kind.COMPOUND, name="尚书苑", code="C1", management_mode="managed", by=SYSTEM)
    t["building"] = mk(parent=t["compound"], kind=Kind.BUILDING, name="1号楼", code="C1-1", by=SYSTEM)
    t["unit"] = mk(parent=t["building"], kind=Kind.UNIT, name="1单元", code="C1-1-1", by=SYSTEM)
    t["household"] = mk(parent=t["unit"], kind=Kind.HOUSEHOLD, name="101", code="C1-1-1-101",
                        registered_area=Decimal("89.50"), by=SYSTEM)
    t["household2"] = mk(parent=t["unit"], kind=Kind.HOUSEHOLD, name="102", code="C1-1-1-102",
                         registered_area=Decimal("120.00"), by=SYSTEM)
    t["compound2"] = mk(parent=t["grid2"], kind=Kind.COMPOUND, name="莲湖花园", code="C2", by=SYSTEM)
    t["other_community"] = mk(parent=t["street"], kind=Kind.COMMUNITY, name="莲湖路第二社区", code="610104001002",
                              by=SYSTEM)
    t["other_grid"] = mk(parent=t["other_community"], kind=Kind.GRID, name="第1网格", code="OG1", by=SYSTEM)
    t["other_compound"] = mk(parent=t["other_grid"], kind=Kind.COMPOUND, name="安定苑", code="OC1", by=SYSTEM)
    t["other_building"] = mk(parent=t["other_compound"], kind=Kind.BUILDING, name="1号楼", code="OC1-1", by=SYSTEM)
    t["other_household"] = mk(parent=t["other_building"], kind=Kind.HOUSEHOLD, name="201", code="OC1-1-201",
                              registered_area=Decimal("75.00"), by=SYSTEM)
    return t


@pytest.fixture
def orgs(tree):
    mk = people_actions.create_organisation
    o = {}
    o["street_party"] = mk(kind=OrgKind.PARTY_COMMITTEE, name="青年路街道党工委", place=tree["street"], by=SYSTEM)
    o["community_party"] = mk(kind=OrgKind.PARTY_COMMITTEE, name="第一社区党委", place=tree["community"],
                              parent=o["street_party"], by=SYSTEM)
    o["community_office"] = mk(kind=OrgKind.OFFICE, name="第一社区居委会", place=tree["community"], by=SYSTEM)
    o["grid_branch"] = mk(kind=OrgKind.PARTY_BRANCH, name="第1网格党支部", place=tree["grid"],
                          parent=o["community_party"], by=SYSTEM)
    o["company"] = mk(kind=OrgKind.PROPERTY_COMPANY, name="万科物业", place=tree["street"],
                      uscc="91110000600037341L", by=SYSTEM)
    o["committee"] = mk(kind=OrgKind.OWNERS_COMMITTEE, name="尚书苑业委会", place=tree["compound"], by=SYSTEM)
    o["police"] = mk(kind=OrgKind.DEPARTMENT, name="青年路派出所", place=tree["street"], by=SYSTEM)
    o["volunteers"] = mk(kind=OrgKind.VOLUNTEER_TEAM, name="志愿服务队", place=tree["community"], by=SYSTEM)
    o["other_office"] = mk(kind=OrgKind.OFFICE, name="第二社区居委会", place=tree["other_community"], by=SYSTEM)
    return o


_counter = iter(range(1, 1_000_000))


def make_account(username, *, place, posts=(), home=None, relation=Relation.OWNER, party=False):
    """A person with a login, holding ``posts`` [(org, title, place)] and optionally living in ``home``."""
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    n = next(_counter)
    person = people_actions.create_person(by=SYSTEM, name=f"测试{username}", place=home or place, id_number=_id(n),
                                          phone=f"166{n:08d}", is_party_member=party)  # 166…: no test types one
    Person.objects.filter(pk=person.pk).update(user=user)
    for org, title, scope in posts:
        Position.objects.create(person=person, organisation=org, title=title, place=scope, start_date=START)
    if home is not None:
        people_actions.add_household_member(home, person, relation=relation, by=SYSTEM)
    user.refresh_from_db()
    return user


@pytest.fixture
def street_staff(tree, orgs):
    return make_account("street", place=tree["street"],
                        posts=[(orgs["street_party"], Title.STREET_SECRETARY, tree["street"])])


@pytest.fixture
def community_staff(tree, orgs):
    return make_account("community", place=tree["community"], posts=[
        (orgs["community_party"], Title.COMMUNITY_SECRETARY, tree["community"]),
        (orgs["community_office"], Title.COMMUNITY_DIRECTOR, tree["community"]),  # 一肩挑
    ])


@pytest.fixture
def grid_worker(tree, orgs):
    return make_account("grid", place=tree["grid"], posts=[
        (orgs["community_office"], Title.GRID_LEADER, tree["grid"]),
        (orgs["grid_branch"], Title.BRANCH_SECRETARY, tree["grid"]),
    ])


@pytest.fixture
def building_head(tree, orgs):
    return make_account("building", place=tree["building"],
                        posts=[(orgs["community_office"], Title.BUILDING_HEAD, tree["building"])])


@pytest.fixture
def property_staff(tree, orgs):
    return make_account("property", place=tree["compound"],
                        posts=[(orgs["company"], Title.PROJECT_MANAGER, tree["compound"])])


@pytest.fixture
def committee_member(tree, orgs):
    return make_account("committee", place=tree["compound"], home=tree["household2"],
                        posts=[(orgs["committee"], Title.COMMITTEE_DIRECTOR, tree["compound"])])


@pytest.fixture
def department_liaison(tree, orgs):
    return make_account("department", place=tree["street"],
                        posts=[(orgs["police"], Title.DEPARTMENT_LIAISON, tree["street"])])


@pytest.fixture
def resident(tree, orgs):
    return make_account("resident", place=tree["household"], home=tree["household"])


@pytest.fixture
def volunteer(tree, orgs):
    return make_account("volunteer", place=tree["community"],
                        posts=[(orgs["volunteers"], Title.VOLUNTEER, tree["community"])])


@pytest.fixture
def outsider(tree, orgs):
    """Community staff of the other community: sees nothing of the first."""
    return make_account("outsider", place=tree["other_community"],
                        posts=[(orgs["other_office"], Title.COMMUNITY_DIRECTOR, tree["other_community"])])


@pytest.fixture
def other_resident(tree, orgs):
    return make_account("other_resident", place=tree["other_household"], home=tree["other_household"])


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", password=PASSWORD, email="")


ROLES = ["street_staff", "community_staff", "grid_worker", "building_head", "property_staff", "committee_member",
         "department_liaison", "resident", "volunteer", "outsider"]
