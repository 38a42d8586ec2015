"""The roll keeps each unit's building, found by the place kinds (not by a fixed path depth): the tally's
by-building breakdown reads it from the roll, and a unit moved after the announcement stays in the
building it was in. Also: owners see the votes of their compound wherever the compound sits in the tree."""

from __future__ import annotations

import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from gongzhi.assembly import actions
from gongzhi.assembly.models import RollEntry, Vote, VoteStatus
from gongzhi.core.permissions import SYSTEM
from gongzhi.places import actions as place_actions
from gongzhi.places.models import Kind

from ..conftest import make_account
from .conftest import make_closed, make_open, open_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def shallow(tree):
    """A compound directly under a community (no grid), so its buildings sit one level higher than in the
    usual tree; 2号楼's households hang directly under the building (no 单元)."""
    mk = place_actions.create_place
    compound = mk(parent=tree["community"], kind=Kind.COMPOUND, name="东湖苑", code="DH", by=SYSTEM)
    b1 = mk(parent=compound, kind=Kind.BUILDING, name="1号楼", code="DH-1", by=SYSTEM)
    b2 = mk(parent=compound, kind=Kind.BUILDING, name="2号楼", code="DH-2", by=SYSTEM)
    entrance = mk(parent=b1, kind=Kind.UNIT, name="1单元", code="DH-1-1", by=SYSTEM)
    homes = {
        "101": mk(parent=entrance, kind=Kind.HOUSEHOLD, name="101", code="DH-101", registered_area=Decimal("90.00"),
                  by=SYSTEM),
        "102": mk(parent=entrance, kind=Kind.HOUSEHOLD, name="102", code="DH-102", registered_area=Decimal("60.00"),
                  developer_held=True, by=SYSTEM),
        "201": mk(parent=b2, kind=Kind.HOUSEHOLD, name="201", code="DH-201", registered_area=Decimal("100.00"),
                  by=SYSTEM),
        "202": mk(parent=b2, kind=Kind.HOUSEHOLD, name="202", code="DH-202", registered_area=Decimal("110.50"),
                  by=SYSTEM),
    }
    owners = {name: make_account(f"dh_{name}", place=homes[name], home=homes[name]) for name in ("101", "201", "202")}
    return {"compound": compound, "buildings": (b1, b2), "homes": homes, "owners": owners}  # 102: developer's


def announced(shallow):
    vote = open_vote(shallow, SYSTEM)
    actions.announce_vote(vote, by=SYSTEM)
    return make_open(vote)


def test_the_roll_keeps_each_units_building_whatever_the_depth(shallow):
    vote = announced(shallow)
    b1, b2 = shallow["buildings"]
    got = dict(RollEntry.objects.filter(vote=vote).values_list("unit__name", "building_id"))
    assert got == {"101": b1.pk, "102": b1.pk, "201": b2.pk, "202": b2.pk}


def test_by_building_breakdown_of_a_compound_under_a_community(shallow):
    vote = announced(shallow)
    owners = shallow["owners"]
    actions.cast_ballot(vote, by=owners["101"], choice="yes")
    actions.cast_ballot(vote, by=owners["202"], choice="no")
    make_closed(vote)
    actions.tally_vote(vote, by=SYSTEM)
    vote.refresh_from_db()
    assert vote.result["buildings"] == [
        {"building": "1号楼", "units": 2, "area": "150.00", "yes": 1, "no": 0, "abstain": 0, "none": 1},
        {"building": "2号楼", "units": 2, "area": "210.50", "yes": 0, "no": 1, "abstain": 0, "none": 1},
    ]
    q = vote.result["question"]
    assert (q["total_heads"], q["total_area"], q["yes_heads"], q["no_area"]) == (4, "360.50", 1, "110.50")


def test_a_unit_moved_after_the_announcement_stays_in_its_building_for_the_vote(shallow):
    vote = announced(shallow)
    b1, b2 = shallow["buildings"]
    place_actions.move_place(shallow["homes"]["102"], new_parent=b2, by=SYSTEM)  # 1号楼 102 is now under 2号楼
    actions.cast_ballot(vote, by=shallow["owners"]["201"], choice="abstain")
    make_closed(vote)
    actions.tally_vote(vote, by=SYSTEM)
    vote.refresh_from_db()
    assert [(b["building"], b["units"], b["area"], b["abstain"]) for b in vote.result["buildings"]] == [
        ("1号楼", 2, "150.00", 0), ("2号楼", 2, "210.50", 1)]


def test_existing_rolls_get_their_buildings_from_the_place_kinds(shallow, estate):
    """The data migration that added the column: the nearest ancestor of kind building, at any depth."""
    fill = importlib.import_module("gongzhi.assembly.migrations.0002_rollentry_building").fill_buildings
    deep, shallow_vote = open_vote(estate, SYSTEM), announced(shallow)
    actions.announce_vote(deep, by=SYSTEM)
    before = dict(RollEntry.objects.values_list("pk", "building_id"))
    assert None not in before.values() and len(before) == 4 + 8
    RollEntry.objects.update(building=None)
    fill(apps, SimpleNamespace(connection=connection))
    assert dict(RollEntry.objects.values_list("pk", "building_id")) == before
    b1, _b2 = shallow["buildings"]
    assert RollEntry.objects.get(vote=shallow_vote, unit=shallow["homes"]["102"]).building_id == b1.pk


def test_owners_see_the_votes_of_their_compound_wherever_it_sits(shallow, estate):
    vote = announced(shallow)
    other = open_vote(estate, SYSTEM)
    actions.announce_vote(other, by=SYSTEM)
    owner = shallow["owners"]["101"]
    assert list(Vote.objects.visible_to(owner)) == [vote]
    Vote.objects.filter(pk=vote.pk).update(status=VoteStatus.DRAFT)
    assert list(Vote.objects.visible_to(owner)) == []  # a draft is not shown to owners
    assert list(Vote.objects.visible_to(estate["owners"]["A"])) == [other]
