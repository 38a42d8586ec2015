"""A compound of 8 exclusive units for votes: A owns 101+102, B 201, C+D co-own 202 (C represents),
E 301, F 302, G 401; 402 is the developer's unsold unit (recorded as such: developer_held). Areas differ
so area and heads disagree."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.assembly import actions
from gongzhi.assembly.models import Vote
from gongzhi.core.permissions import SYSTEM
from gongzhi.people import actions as people_actions
from gongzhi.people.models import HouseholdMember, OrgKind
from gongzhi.people.roles import Title
from gongzhi.places import actions as place_actions
from gongzhi.places.models import Kind

from ..conftest import make_account

UNITS = [("101", "90"), ("102", "60"), ("201", "100"), ("202", "120"), ("301", "80"), ("302", "70"),
         ("401", "110"), ("402", "130")]


@pytest.fixture
def estate(tree):
    mk = place_actions.create_place
    compound = mk(parent=tree["grid2"], kind=Kind.COMPOUND, name="和平苑", code="HP", by=SYSTEM)
    building = mk(parent=compound, kind=Kind.BUILDING, name="1号楼", code="HP-1", by=SYSTEM)
    building2 = mk(parent=compound, kind=Kind.BUILDING, name="2号楼", code="HP-2", by=SYSTEM)
    units = {}
    for name, area in UNITS:
        parent = building if name[0] in "12" else building2
        units[name] = mk(parent=parent, kind=Kind.HOUSEHOLD, name=name, code=f"HP-{name}",
                         registered_area=Decimal(area), developer_held=name == "402", by=SYSTEM)
    owners = {
        "A": make_account("owner_a", place=units["101"], home=units["101"]),
        "B": make_account("owner_b", place=units["201"], home=units["201"], party=True),
        "C": make_account("owner_c", place=units["202"], home=units["202"]),
        "D": make_account("owner_d", place=units["202"], home=units["202"]),
        "E": make_account("owner_e", place=units["301"], home=units["301"], party=True),
        "F": make_account("owner_f", place=units["302"], home=units["302"]),
        "G": make_account("owner_g", place=units["401"], home=units["401"]),
    }
    people_actions.add_household_member(units["102"], owners["A"].person, relation="owner", by=SYSTEM)
    HouseholdMember.objects.filter(person=owners["C"].person).update(is_representative=True, share="0.5")
    HouseholdMember.objects.filter(person=owners["D"].person).update(share="0.5")
    return {"compound": compound, "units": units, "owners": owners}


@pytest.fixture
def compound_staff(tree, orgs, estate):
    return make_account("hp_staff", place=tree["community"], posts=[
        (orgs["community_office"], "community_worker", tree["community"])])


@pytest.fixture
def second_staff(tree, orgs, estate):
    return make_account("hp_staff2", place=tree["community"], posts=[
        (orgs["community_office"], "community_worker", tree["community"])])


def open_vote(estate, by, *, matter="hire_manager", kind="question", seats=None):
    """A vote announced 16 days ago would be open now: announce it, then move its window to now."""
    now = timezone.now()
    vote = actions.create_vote(compound=estate["compound"], kind=kind, matter=matter, title="续聘物业",
                               question="是否续聘万科物业？", opens_at=now + datetime.timedelta(days=16),
                               closes_at=now + datetime.timedelta(days=30), by=by, seats=seats)
    return vote


@pytest.fixture
def estate_committee(estate):
    """A member of 和平苑's own owners' committee (organises its questions, not its elections)."""
    committee = people_actions.create_organisation(kind=OrgKind.OWNERS_COMMITTEE, name="和平苑业主委员会",
                                                   place=estate["compound"], by=SYSTEM)
    return make_account("hp_committee", place=estate["compound"],
                        posts=[(committee, Title.COMMITTEE_MEMBER, estate["compound"])])


def make_open(vote):
    now = timezone.now()
    Vote.objects.filter(pk=vote.pk).update(opens_at=now - datetime.timedelta(hours=1),
                                           closes_at=now + datetime.timedelta(days=1))
    vote.refresh_from_db()
    return vote


def make_closed(vote):
    now = timezone.now()
    Vote.objects.filter(pk=vote.pk).update(opens_at=now - datetime.timedelta(days=1),
                                           closes_at=now - datetime.timedelta(minutes=1))
    vote.refresh_from_db()
    return vote
