"""Trees of another shape: a street as the root (no district above it) and a compound directly under its
community (no grid). Routing, filing, dispatch targets and the 三率 groups find the levels by kind."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.permissions import SYSTEM
from gongzhi.people import actions as people_actions
from gongzhi.people.models import ManagementAssignment, OrgKind
from gongzhi.people.roles import Title
from gongzhi.places import actions as place_actions
from gongzhi.places.models import Kind
from gongzhi.workorders import actions
from gongzhi.workorders.models import Category
from gongzhi.workorders.queries import dispatch_targets_at, rates

from ..conftest import make_account


@pytest.fixture
def shallow(db, utilities):
    mk = place_actions.create_place
    t = {}
    t["street"] = mk(parent=None, kind=Kind.STREET, name="北院门街道", code="610103002", by=SYSTEM)
    t["community"] = mk(parent=t["street"], kind=Kind.COMMUNITY, name="西羊市社区", code="610103002001", by=SYSTEM)
    t["compound"] = mk(parent=t["community"], kind=Kind.COMPOUND, name="化觉巷小区", code="HJ", by=SYSTEM)
    t["building"] = mk(parent=t["compound"], kind=Kind.BUILDING, name="3号楼", code="HJ-3", by=SYSTEM)
    t["household"] = mk(parent=t["building"], kind=Kind.HOUSEHOLD, name="301", code="HJ-3-301",
                        registered_area=Decimal("66.00"), by=SYSTEM)
    org = people_actions.create_organisation
    t["office"] = org(kind=OrgKind.OFFICE, name="西羊市社区居委会", place=t["community"], by=SYSTEM)
    t["street_office"] = org(kind=OrgKind.OFFICE, name="北院门街道办事处", place=t["street"], by=SYSTEM)
    t["company"] = org(kind=OrgKind.PROPERTY_COMPANY, name="鼓楼物业", place=t["street"],
                       uscc="91610104MA6U03X03G", by=SYSTEM)
    ManagementAssignment.objects.create(company=t["company"], place=t["compound"], start_date=datetime.date(2024, 1, 1))
    t["resident"] = make_account("hj_resident", place=t["household"], home=t["household"])
    t["officer"] = make_account("byj_street", place=t["street"],
                                posts=[(t["office"], Title.STREET_SECRETARY, t["street"])])
    return t


def test_routing_finds_the_compounds_company_and_the_community_office(shallow, utilities):
    req = actions.file_request(by=shallow["resident"], category=utilities, description="水管漏水",
                               place=shallow["household"])
    assert req.handler is None or req.handler == shallow["company"]
    assert actions.route(utilities, shallow["household"]) == shallow["company"]
    dispute = Category.objects.get(code="neighbour_dispute")
    assert actions.route(dispute, shallow["household"]) == shallow["office"]
    assert actions.route(dispute, shallow["street"]) == shallow["street_office"]


def test_a_resident_files_for_the_common_parts_above_their_home_only(shallow, utilities):
    resident = shallow["resident"]
    for where in ("household", "building", "compound"):
        req = actions.file_request(by=resident, category=utilities, description="公共区域", place=shallow[where])
        assert req.place == shallow[where]
    for where in ("community", "street"):
        with pytest.raises(Exception):  # noqa: B017 — refused as PermissionDenied or a validation error
            actions.file_request(by=resident, category=utilities, description="越界", place=shallow[where])


def test_dispatch_targets_include_the_community_office(shallow):
    targets = set(dispatch_targets_at(shallow["household"]))
    assert {shallow["office"], shallow["company"], shallow["street_office"]} <= targets


def test_rates_group_by_the_community_and_a_gridless_compound(shallow, utilities, tree):
    """The conftest tree (district root) and this one (street root) in one database: each tree's own depths."""
    actions.file_request(by=shallow["resident"], category=utilities, description="漏水", place=shallow["household"])
    month = timezone.localdate().replace(day=1)
    by_community = rates(shallow["officer"], month=month, by="community")
    assert [(r.key, r.label, r.total, r.households) for r in by_community] == [
        (shallow["community"].path, "西羊市社区", 1, 1)]
    by_grid = rates(shallow["officer"], month=month, by="grid")
    assert [(r.key, r.label, r.households) for r in by_grid] == [(shallow["compound"].path, "化觉巷小区", 1)]
