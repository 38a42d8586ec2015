"""Votes over the database: roll snapshot, ballots, paper double entry, proxies, the tally."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.assembly import actions
from gongzhi.assembly.models import Ballot, PaperEntry, RollEntry, Vote, VoteStatus
from gongzhi.core.models import Event
from gongzhi.people.models import HouseholdMember

from .conftest import make_closed, make_open, open_vote


@pytest.fixture
def vote(estate, compound_staff):
    v = open_vote(estate, compound_staff)
    actions.announce_vote(v, by=compound_staff)
    return make_open(v)


def test_the_roll_counts_heads_and_area_by_the_law(vote):
    roll = {e.unit.name: e for e in RollEntry.objects.filter(vote=vote).select_related("unit")}
    assert len(roll) == 8
    assert roll["101"].owner_key == roll["102"].owner_key  # one owner of two units: one head
    assert roll["402"].developer_unsold is True and roll["402"].owner_key == "developer"
    assert roll["202"].representative.name == "测试owner_c"  # co-owners vote through their representative
    assert len({e.owner_key for e in roll.values()}) == 7
    assert sum(e.area for e in roll.values()) == Decimal("760")


def test_announcement_needs_the_notice_period(estate, compound_staff):
    now = timezone.now()
    v = actions.create_vote(compound=estate["compound"], kind="question", matter="hire_manager", title="x",
                            question="y", opens_at=now + datetime.timedelta(days=3),
                            closes_at=now + datetime.timedelta(days=10), by=compound_staff)
    with pytest.raises(ValidationError) as exc:
        actions.announce_vote(v, by=compound_staff)
    assert "15天" in exc.value.message_dict["opens_at"][0]
    assert RollEntry.objects.filter(vote=v).count() == 0


def test_later_ownership_changes_do_not_alter_the_roll(vote, estate):
    HouseholdMember.objects.filter(place=estate["units"]["301"]).delete()
    assert RollEntry.objects.get(vote=vote, unit=estate["units"]["301"]).owner_key != "developer"


def test_owner_votes_changes_and_the_latest_counts(vote, estate):
    a = estate["owners"]["A"]
    first = actions.cast_ballot(vote, by=a, choice="no")
    second = actions.cast_ballot(vote, by=a, choice="yes")
    assert first.pk == second.pk and first.receipt == second.receipt
    assert Ballot.objects.get(vote=vote).choice == "yes"
    verbs = list(Event.objects.filter(target_id=str(vote.pk), verb__in=["assembly.cast_ballot",
                                                                         "assembly.change_ballot"])
                 .order_by("at", "pk").values_list("verb", "after"))
    assert [v for v, _a in verbs] == ["assembly.cast_ballot", "assembly.change_ballot"]
    assert all("choice" not in a and "yes" not in str(a) for _v, a in verbs)  # how one voted is never logged


def test_non_owner_cannot_vote(vote, estate, resident):
    with pytest.raises(PermissionDenied):
        actions.cast_ballot(vote, by=resident, choice="yes")
    with pytest.raises(PermissionDenied):  # the co-owner who is not the representative
        actions.cast_ballot(vote, by=estate["owners"]["D"], choice="yes")
    assert Ballot.objects.count() == 0


def test_ballot_outside_the_window_is_refused(vote, estate):
    Vote.objects.filter(pk=vote.pk).update(opens_at=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        actions.cast_ballot(vote, by=estate["owners"]["A"], choice="yes")
    assert "投票尚未开始" in exc.value.message_dict["status"][0]
    make_closed(vote)
    with pytest.raises(ValidationError) as exc:
        actions.cast_ballot(vote, by=estate["owners"]["A"], choice="yes")
    assert exc.value.message_dict["status"] == ["投票已截止"]
    assert Ballot.objects.count() == 0


def test_paper_double_entry(vote, estate, compound_staff, second_staff, community_staff):
    unit = estate["units"]["301"]
    actions.enter_paper_ballot(vote, serial="P-001", unit=unit, choice="yes", by=compound_staff)
    assert Ballot.objects.count() == 0  # one entry is not enough
    with pytest.raises(ValidationError) as exc:
        actions.enter_paper_ballot(vote, serial="P-001", unit=unit, choice="yes", by=compound_staff)
    assert "另一名工作人员" in exc.value.message_dict["serial"][0]
    actions.enter_paper_ballot(vote, serial="P-001", unit=unit, choice="yes", by=second_staff)
    assert Ballot.objects.get().channel == "paper"


def test_paper_mismatch_holds_the_ballot_until_a_third_person_resolves(vote, estate, compound_staff,
                                                                        second_staff, community_staff):
    unit = estate["units"]["301"]
    actions.enter_paper_ballot(vote, serial="P-002", unit=unit, choice="yes", by=compound_staff)
    held = actions.enter_paper_ballot(vote, serial="P-002", unit=unit, choice="no", by=second_staff)
    assert held.state == PaperEntry.State.CONFLICT and Ballot.objects.count() == 0
    make_closed(vote)
    with pytest.raises(ValidationError) as exc:
        actions.tally_vote(vote, by=compound_staff)
    assert "纸质选票" in exc.value.message_dict["status"][0]
    assert Vote.objects.get(pk=vote.pk).result is None
    with pytest.raises(ValidationError):
        actions.resolve_paper_ballot(vote, serial="P-002", unit=unit, choice="no", by=second_staff)
    actions.resolve_paper_ballot(vote, serial="P-002", unit=unit, choice="no", by=community_staff)
    assert Ballot.objects.get().choice == "no"
    actions.tally_vote(vote, by=compound_staff)


def test_tally_is_final_and_matches_the_rule(vote, estate, compound_staff):
    o = estate["owners"]
    for key, choice in [("A", "yes"), ("B", "yes"), ("C", "yes"), ("E", "no"), ("F", "abstain")]:
        actions.cast_ballot(vote, by=o[key], choice=choice)
    make_closed(vote)
    actions.tally_vote(vote, by=compound_staff)
    vote.refresh_from_db()
    q = vote.result["question"]
    # heads: 7 (A, B, C+D, E, F, G, developer); participating 5 ≥ 2/3·7; area 90+60+100+120+80+70 = 520 of 760
    assert (q["total_heads"], q["participating_heads"], q["total_area"], q["participating_area"]) == (
        7, 5, "760.00", "520.00")
    # yes: 3 heads (A, B, C) with 370 m² > 1/2 of 520 and 3 > 5/2
    assert (q["yes_heads"], q["yes_area"], q["passed"]) == (3, "370.00", True)
    assert [b["building"] for b in vote.result["buildings"]] == ["1号楼", "2号楼"]
    with pytest.raises(ValidationError) as exc:
        actions.cast_ballot(vote, by=o["G"], choice="no")
    assert exc.value.message_dict["status"] == ["表决已计票，选票不能再修改"]
    with pytest.raises(ValidationError):
        actions.tally_vote(vote, by=compound_staff)


def test_an_interrupted_tally_leaves_no_result(vote, estate, compound_staff, monkeypatch):
    actions.cast_ballot(vote, by=estate["owners"]["A"], choice="yes")
    make_closed(vote)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(actions, "_by_building", crash)
    events = Event.objects.count()
    with pytest.raises(KeyboardInterrupt):
        actions.tally_vote(vote, by=compound_staff)
    vote.refresh_from_db()
    assert (vote.status, vote.result, vote.tallied_at) == (VoteStatus.ANNOUNCED, None, None)
    assert Event.objects.count() == events


def test_roll_correction_recounts_a_closed_vote(vote, estate, compound_staff):
    actions.cast_ballot(vote, by=estate["owners"]["A"], choice="yes")
    make_closed(vote)
    actions.tally_vote(vote, by=compound_staff)
    actions.correct_roll(vote, unit=estate["units"]["402"], area=Decimal("30"), reason="测绘更正", by=compound_staff)
    vote.refresh_from_db()
    assert vote.result["question"]["total_area"] == "660.00"
    assert Event.objects.filter(verb="assembly.correct_roll").count() == 1


def test_only_organisers_run_votes(estate, grid_worker, outsider, resident):
    now = timezone.now()
    for user in (grid_worker, outsider, resident):
        with pytest.raises(PermissionDenied):
            actions.create_vote(compound=estate["compound"], kind="question", matter="hire_manager", title="x",
                                question="y", opens_at=now + datetime.timedelta(days=16),
                                closes_at=now + datetime.timedelta(days=20), by=user)
    assert Vote.objects.count() == 0
