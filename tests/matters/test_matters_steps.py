"""支部先议: every step is taken by its own body, in order, and nothing else is accepted.

Step × actor: on a matter in the step's own state, only the step's body succeeds; every other role is refused
with PermissionDenied and nothing is written. Step × state: the right body, in any other state, is refused with
StateConflict (a skipped or out-of-order step) and nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import Event
from gongzhi.meetings import matters_actions as actions
from gongzhi.meetings.models import CommitteeBallot, Matter, MatterReview
from gongzhi.workorders.models import Request

from ..conftest import ROLES
from .conftest import all_for, at, passed_vote, proposed

STATES = ["proposed", "returned", "approved", "resolved", "not_passed", "executing"]
# step → (the body that takes it, the one state it is taken from)
STEPS = {
    "revise": ("committee_member", "returned"),
    "approve": ("grid_worker", "proposed"),
    "return": ("grid_worker", "proposed"),
    "resolve": ("committee_member", "approved"),
    "execute": ("property_staff", "resolved"),
}


def take(step, matter, by, world):
    if step == "revise":
        return actions.revise_matter(matter, by=by, title="更换9部电梯（补充报价）", description="已补充三家报价。")
    if step == "approve":
        return actions.approve_matter(matter, by=by, opinion="同意")
    if step == "return":
        return actions.return_matter(matter, by=by, opinion="请补充方案")
    if step == "resolve":
        return actions.resolve_matter(matter, by=by, ballots=all_for(world["members"], 3))
    return actions.execute_matter(matter, by=by)


def snapshot(matter):
    matter.refresh_from_db()
    return (matter.status, matter.round, Event.objects.count(), MatterReview.objects.count(),
            CommitteeBallot.objects.count(), Request.objects.count())


@pytest.mark.parametrize("actor", ROLES)
@pytest.mark.parametrize("step", sorted(STEPS))
def test_only_the_steps_own_body_takes_it(request, steps, step, actor):
    body, state = STEPS[step]
    matter = at(steps, state)
    user = request.getfixturevalue(actor)
    before = snapshot(matter)
    if actor == body:
        after = take(step, matter, user, steps)
        assert after.status in actions.TRANSITIONS[step][1]
        assert Event.objects.filter(verb=f"meetings.{step}_matter", target_id=str(matter.pk)).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            take(step, matter, user, steps)
        assert snapshot(matter) == before


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("step", sorted(STEPS))
def test_no_step_is_skipped_or_taken_out_of_order(request, steps, step, state):
    body, own_state = STEPS[step]
    if state == own_state:
        pytest.skip("the step's own state: the test above")
    matter = at(steps, state)
    before = snapshot(matter)
    with pytest.raises(ValidationError) as exc:
        take(step, matter, request.getfixturevalue(body), steps)
    assert "status" in exc.value.message_dict
    assert snapshot(matter) == before


@pytest.mark.parametrize("actor", ROLES)
def test_only_the_compounds_committee_proposes(request, steps, actor):
    user = request.getfixturevalue(actor)
    events = Event.objects.count()
    if actor == "committee_member":
        matter = actions.propose_matter(steps["tree"]["compound"], by=user, title="儿童乐园改造", description="更新设施")
        assert (matter.status, matter.committee, matter.branch) == (
            "proposed", steps["orgs"]["committee"], steps["orgs"]["grid_branch"])
    else:
        with pytest.raises(PermissionDenied):
            actions.propose_matter(steps["tree"]["compound"], by=user, title="儿童乐园改造", description="更新设施")
        assert Matter.objects.count() == 0
        assert Event.objects.count() == events


def test_allowed_moves_match_the_verbs(request, steps):
    """What a page offers each role in each state is exactly what the verb accepts."""
    for state in STATES:
        matter = at(steps, state)
        for role in ROLES:
            offered = actions.allowed_moves(matter, request.getfixturevalue(role))
            expected = {s for s, (body, st) in STEPS.items() if body == role and st == state}
            if role in ("committee_member", "community_staff", "street_staff") and state in ("proposed", "returned", "approved",
                                                                            "resolved"):
                expected.add("link_vote")
            assert offered == expected, (state, role)
        Matter.objects.filter(pk=matter.pk).update(status="proposed")  # not reused


def test_the_whole_trail_with_a_return_and_a_second_round(steps, django_capture_on_commit_callbacks):
    committee, grid, company = steps["members"][0], steps["grid"], steps["property"]
    m = proposed(steps)
    m = actions.return_matter(m, by=grid, opinion="请补充三家供应商报价后再议")
    assert m.status == "returned"
    m = actions.revise_matter(m, by=committee, title="更换9部老旧电梯", description="已补充报价", estimated_cost="2650000")
    assert (m.status, m.round) == ("proposed", 2)
    m = actions.approve_matter(m, by=grid)
    m = actions.resolve_matter(m, by=committee, ballots={**all_for(steps["members"], 4, against=1)}, note="同意实施")
    assert (m.status, m.sitting_members, m.present_members, m.votes_for, m.votes_against) == ("resolved", 5, 4, 3, 1)
    m = actions.execute_matter(m, by=company)
    req = m.request
    assert (m.status, req.status, req.handler, req.place) == ("executing", "accepted", steps["orgs"]["company"],
                                                               steps["tree"]["compound"])
    assert m.execution_label == "已接单" and m.is_executed is False
    from gongzhi.workorders import actions as wo

    wo.resolve_request(req, by=company, result_note="电梯已更换")
    m.refresh_from_db()
    assert m.execution_label == "已办结" and m.is_executed is True
    assert Matter.objects.executed().get() == m
    assert list(m.reviews.values_list("round", "approved")) == [(1, False), (2, True)]


def test_quorum_more_than_half_of_the_sitting_members(steps):
    """Five sitting: two present is no quorum (nothing written); three is."""
    m = at(steps, "approved")
    before = snapshot(m)
    with pytest.raises(ValidationError) as exc:
        actions.resolve_matter(m, by=steps["members"][0], ballots=all_for(steps["members"], 2))
    assert "半数" in exc.value.message_dict["ballots"][0]
    assert snapshot(m) == before
    m = actions.resolve_matter(m, by=steps["members"][0], ballots=all_for(steps["members"], 3))
    assert (m.status, m.present_members) == ("resolved", 3)


@pytest.mark.parametrize(("present", "against", "abstain", "status"), [
    (3, 1, 0, "resolved"),      # 2 of 3 for
    (4, 2, 0, "not_passed"),    # 2 of 4 for: half is not more than half
    (4, 1, 1, "not_passed"),    # 2 for, 1 against, 1 abstains
    (5, 2, 0, "resolved"),      # 3 of 5
])
def test_majority_of_the_members_present(steps, present, against, abstain, status):
    m = at(steps, "approved")
    ballots = all_for(steps["members"], present, against=against + abstain)
    for pk in list(ballots)[present - abstain:]:
        ballots[pk] = "abstain"
    m = actions.resolve_matter(m, by=steps["members"][0], ballots=ballots)
    assert m.status == status
    assert (m.votes_for, m.votes_against, m.votes_abstain) == (present - against - abstain, against, abstain)


def test_only_sitting_members_vote(steps, resident):
    m = at(steps, "approved")
    ballots = {**all_for(steps["members"], 3), resident.person.pk: "for"}
    before = snapshot(m)
    with pytest.raises(ValidationError) as exc:
        actions.resolve_matter(m, by=steps["members"][0], ballots=ballots)
    assert "测试resident" in exc.value.message_dict["ballots"][0]
    assert snapshot(m) == before


def test_a_member_whose_post_ended_neither_sits_nor_acts(steps):
    from gongzhi.people.models import Position

    gone = steps["members"][4]
    Position.objects.filter(person__user=gone).update(end_date="2024-06-30")
    m = at(steps, "approved")
    assert len(actions.sitting_members(m.committee_id)) == 4
    with pytest.raises(ValidationError):
        actions.resolve_matter(m, by=steps["members"][0], ballots={gone.person.pk: "for",
                                                                   **all_for(steps["members"], 2)})
    with pytest.raises(PermissionDenied):
        actions.resolve_matter(m, by=gone, ballots=all_for(steps["members"], 3))


def test_returning_needs_a_written_opinion(steps):
    m = at(steps, "proposed")
    before = snapshot(m)
    with pytest.raises(ValidationError) as exc:
        actions.return_matter(m, by=steps["grid"], opinion="  ")
    assert list(exc.value.message_dict) == ["opinion"]
    assert snapshot(m) == before


def test_a_matter_for_the_owners_executes_only_after_their_vote_passed(steps, community_staff):
    m = at(steps, "proposed")
    Matter.objects.filter(pk=m.pk).update(needs_owners_vote=True)
    m = actions.approve_matter(m, by=steps["grid"])
    m = actions.resolve_matter(m, by=steps["members"][0], ballots=all_for(steps["members"], 3))
    before = snapshot(m)
    with pytest.raises(ValidationError) as exc:
        actions.execute_matter(m, by=steps["property"])
    assert "owners_vote" in exc.value.message_dict
    assert snapshot(m) == before
    failed = passed_vote(steps["tree"]["compound"], passed=False, title="第一次表决")
    actions.link_matter_vote(m, vote=failed, by=community_staff)
    with pytest.raises(ValidationError):
        actions.execute_matter(m, by=steps["property"])
    actions.link_matter_vote(m, vote=passed_vote(steps["tree"]["compound"]), by=steps["members"][0])
    assert actions.execute_matter(m, by=steps["property"]).status == "executing"


def test_a_vote_of_another_compound_cannot_be_linked(steps):
    m = at(steps, "proposed")
    other = passed_vote(steps["tree"]["other_compound"])
    with pytest.raises(ValidationError) as exc:
        actions.link_matter_vote(m, vote=other, by=steps["members"][0])
    assert list(exc.value.message_dict) == ["owners_vote"]
    m.refresh_from_db()
    assert m.owners_vote is None


@pytest.mark.parametrize(("field", "value"), [("title", ""), ("title", "长" * 121), ("description", " "),
                                              ("kind", "bogus"), ("estimated_cost", "-1"),
                                              ("estimated_cost", "1e30"), ("estimated_cost", "abc"),
                                              ("estimated_cost", "1.234"), ("estimated_cost", "NaN")])
def test_bad_proposals_name_the_field_and_write_nothing(steps, field, value):
    events = Event.objects.count()
    with pytest.raises(ValidationError) as exc:
        proposed(steps, **{field: value})
    assert list(exc.value.message_dict) == [field]
    assert (Matter.objects.count(), Event.objects.count()) == (0, events)
