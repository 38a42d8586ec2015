"""支部先议 and 民主听证: the foundation's cast, with 尚书苑's committee of five (the committee_member fixture is its
director), the 第1网格党支部 (the grid_worker is its secretary) as the compound's branch, and 万科物业 managing it
(property_staff is its project manager)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.assembly.models import Vote, VoteStatus
from gongzhi.core.permissions import SYSTEM
from gongzhi.meetings import matters_actions as actions
from gongzhi.people.models import ManagementAssignment, Position
from gongzhi.people.roles import Title
from gongzhi.workorders.catalogue import seed_catalogue
from gongzhi.workorders.models import Category, ServiceLevel

from ..conftest import START, make_account


@pytest.fixture
def catalogue(db):
    seed_catalogue(Category, ServiceLevel)  # flushed by transactional tests


@pytest.fixture
def company(tree, orgs, catalogue):
    ManagementAssignment.objects.create(company=orgs["company"], place=tree["compound"],
                                        start_date=datetime.date(2024, 1, 1))
    return orgs["company"]


@pytest.fixture
def members(tree, orgs, committee_member):
    """The committee's four other sitting members (five in all), with a login each."""
    out = []
    for i in range(4):
        user = make_account(f"member{i}", place=tree["compound"],
                            posts=[(orgs["committee"], Title.COMMITTEE_MEMBER, tree["compound"])])
        out.append(user)
    return [committee_member, *out]


@pytest.fixture
def world(tree, orgs, members, company, grid_worker, property_staff, community_staff):
    return {"tree": tree, "orgs": orgs, "members": members}


def proposed(world, **kw):
    fields = {"title": "更换9部老旧电梯", "description": "1-9号楼电梯使用超过20年，拟整体更换。",
              "kind": "major_spending", "estimated_cost": "2700000"}
    fields.update(kw)
    return actions.propose_matter(world["tree"]["compound"], by=world["members"][0], **fields)


def all_for(members, n=3, against=0):
    """``n`` members present: the first ``n - against`` for, the rest against."""
    return {m.person.pk: ("for" if i < n - against else "against") for i, m in enumerate(members[:n])}


def at(world, status):
    """A matter brought to ``status`` through the real steps."""
    m = proposed(world)
    if status == "proposed":
        return m
    grid = world["grid"]
    if status == "returned":
        return actions.return_matter(m, by=grid, opinion="请补充三家报价")
    m = actions.approve_matter(m, by=grid)
    if status == "approved":
        return m
    if status == "not_passed":
        return actions.resolve_matter(m, by=world["members"][0], ballots=all_for(world["members"], 3, against=2))
    m = actions.resolve_matter(m, by=world["members"][0], ballots=all_for(world["members"], 3))
    if status == "resolved":
        return m
    return actions.execute_matter(m, by=world["property"])


@pytest.fixture
def steps(world, grid_worker, property_staff):
    world["grid"] = grid_worker
    world["property"] = property_staff
    return world


def passed_vote(compound, *, passed=True, title="使用维修资金更换电梯"):
    """A counted owners' vote of the compound (its count is assembly's business, tests/assembly)."""
    now = timezone.now()
    return Vote.objects.create(compound=compound, matter="use_maintenance_fund", title=title, question=title,
                               opens_at=now - datetime.timedelta(days=20), closes_at=now - datetime.timedelta(days=1),
                               status=VoteStatus.CLOSED, result={"question": {"passed": passed}})


@pytest.fixture
def hearing(steps, community_staff):
    tree = steps["tree"]
    return actions.create_hearing(tree["compound"], by=community_staff, subject="9部电梯更换民主听证会",
                                  held_at=timezone.now(), venue="邻里中心红色议事厅")


def with_bids(hearing, by, n=3, open_=True):
    for i in range(n):
        actions.submit_bid(hearing, supplier=f"供应商{i + 1}", price=Decimal("298000.00") + i * 1000,
                           terms="质保5年", by=by)
    if open_:
        actions.open_bids(hearing, by=by)
    hearing.refresh_from_db()
    return hearing


__all__ = ["SYSTEM", "START", "Position"]
