"""民法典 第278条 vote counting: a pure function, so no database here (no `db` fixture)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.assembly.rules import (
    DEVELOPER,
    SPECIAL_MATTERS,
    Ballot,
    Choice,
    Matter,
    Unit,
    tally,
    unit_area,
)

D = Decimal
YES, NO, ABSTAIN = Choice.YES, Choice.NO, Choice.ABSTAIN


def roll(*areas, owners=None):
    """One unit per area; owner ids o0, o1, … unless given."""
    owners = owners or [f"o{i}" for i in range(len(areas))]
    return [Unit(f"u{i}", owner, D(str(area))) for i, (owner, area) in enumerate(zip(owners, areas, strict=True))]


def votes(**choices):
    return [Ballot(owner, choice) for owner, choice in choices.items()]


# ---------------------------------------------------------------------------------------------------------
# Property: tally() agrees with an independent computation in fractions.Fraction
# ---------------------------------------------------------------------------------------------------------

def oracle(matter, units, ballots, count_non_voters_with_majority):
    """Written separately from rules.py: per-owner dict first, last ballot found by scanning backwards,
    thresholds decided by Fraction division (not cross-multiplication)."""
    owner_area: dict = {}
    for u in units:
        key = DEVELOPER if u.developer_unsold else u.owner_id
        owner_area[key] = owner_area.get(key, Fraction(0)) + Fraction(u.area)

    counted: dict = {}
    for b in reversed(ballots):
        if b.owner_id in owner_area and b.owner_id not in counted:
            counted[b.owner_id] = b.choice
    ignored = [i for i, b in enumerate(ballots) if b.owner_id not in owner_area]
    superseded = [i for i, b in enumerate(ballots)
                  if b.owner_id in owner_area and any(c.owner_id == b.owner_id for c in ballots[i + 1:])]

    side_area = {c: sum((owner_area[o] for o, v in counted.items() if v == c), Fraction(0)) for c in Choice}
    side_heads = {c: sum(1 for v in counted.values() if v == c) for c in Choice}
    absent = [o for o in owner_area if o not in counted]
    absent_area = sum((owner_area[o] for o in absent), Fraction(0))

    total_area, total_heads = sum(owner_area.values()), len(owner_area)
    # the quorum (第278条第二款 "参与表决") counts the owners who actually voted, 从多 or not
    part_area, part_heads = sum(side_area.values()), sum(side_heads.values())
    quorum = part_area / total_area >= Fraction(2, 3) and Fraction(part_heads, total_heads) >= Fraction(2, 3)
    # 从多 moves the non-voters to the side with more area, for the approval step only
    added = None
    yes_area, yes_heads, base_area, base_heads = side_area[YES], side_heads[YES], part_area, part_heads
    if count_non_voters_with_majority and absent and side_area[YES] != side_area[NO]:
        added = YES if side_area[YES] > side_area[NO] else NO
        base_area, base_heads = base_area + absent_area, base_heads + len(absent)
        if added is YES:
            yes_area, yes_heads = yes_area + absent_area, yes_heads + len(absent)
    if base_heads == 0:
        approved = False
    elif matter in (Matter.RAISE_MAINTENANCE_FUND, Matter.REBUILD, Matter.CHANGE_COMMON_USE):
        approved = yes_area / base_area >= Fraction(3, 4) and Fraction(yes_heads, base_heads) >= Fraction(3, 4)
    else:
        approved = yes_area / base_area > Fraction(1, 2) and Fraction(yes_heads, base_heads) > Fraction(1, 2)
    return {
        "total_area": total_area, "total_heads": total_heads,
        "participating_area": part_area, "participating_heads": part_heads,
        "yes_area": side_area[YES], "yes_heads": side_heads[YES],
        "no_area": side_area[NO], "no_heads": side_heads[NO],
        "abstain_area": side_area[ABSTAIN], "abstain_heads": side_heads[ABSTAIN],
        "quorum_met": quorum, "approved": approved, "passed": quorum and approved,
        "ignored": ignored, "superseded": superseded, "added": added,
        "non_voter_heads": len(absent), "non_voter_area": absent_area,
    }


# small integer areas make exact ties and exact 2/3, 3/4, 1/2 ratios frequent; cents make odd ones
areas = st.one_of(st.integers(1, 4).map(Decimal), st.integers(1, 50_000).map(lambda n: Decimal(n).scaleb(-2)))
owner_ids = st.integers(0, 7)
unit_specs = st.lists(st.tuples(owner_ids, areas, st.booleans()), min_size=1, max_size=25)
# owners, the developer, and ids that own nothing (a string "3" is not the int 3)
voter_ids = st.one_of(owner_ids, st.just(DEVELOPER), st.sampled_from(["3", "stranger", 99]))
ballot_specs = st.lists(st.tuples(voter_ids, st.sampled_from(list(Choice))), max_size=40)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matter=st.sampled_from(list(Matter)), unit_specs=unit_specs, ballot_specs=ballot_specs,
       majority=st.booleans())
def test_tally_matches_independent_fraction_computation(matter, unit_specs, ballot_specs, majority):
    units = [Unit(f"unit-{i}", owner, area, developer_unsold=dev) for i, (owner, area, dev) in enumerate(unit_specs)]
    ballots = [Ballot(owner, choice) for owner, choice in ballot_specs]
    result = tally(matter, iter(units), iter(ballots), count_non_voters_with_majority=majority)
    want = oracle(matter, units, ballots, majority)

    for field in ("total_area", "participating_area", "yes_area", "no_area", "abstain_area", "non_voter_area"):
        assert isinstance(getattr(result, field), Decimal)
        assert Fraction(getattr(result, field)) == want[field], field
    for field in ("total_heads", "participating_heads", "yes_heads", "no_heads", "abstain_heads",
                  "non_voter_heads", "quorum_met", "approved", "passed"):
        assert getattr(result, field) == want[field], field
    assert [n.position for n in result.ignored_ballots] == want["ignored"]
    assert [n.position for n in result.superseded_ballots] == want["superseded"]
    assert all(ballots[n.position] is n.ballot for n in result.ignored_ballots + result.superseded_ballots)
    assert result.non_voters_added_to == want["added"]
    assert result.non_voters_counted_with_majority == (want["added"] is not None)
    assert result.count_non_voters_with_majority is majority
    assert result.yes_heads + result.no_heads + result.abstain_heads == result.participating_heads
    assert [c.name for c in result.checks] == ["quorum_area", "quorum_heads", "approval_area", "approval_heads"]
    assert result.quorum_met == (result.checks[0].met and result.checks[1].met)
    assert result.approved == (result.checks[2].met and result.checks[3].met)
    assert all(("✓" if c.met else "✗") in c.explanation for c in result.checks)


# ---------------------------------------------------------------------------------------------------------
# Quorum: ≥ 2/3 of all area AND ≥ 2/3 of all heads, bound included
# ---------------------------------------------------------------------------------------------------------

def test_exactly_two_thirds_of_area_and_heads_meets_quorum():
    result = tally(Matter.HIRE_MANAGER, roll(10, 10, 10), votes(o0=YES, o1=YES))
    assert result.participating_area == D(20) and result.total_area == D(30)
    assert (result.participating_heads, result.total_heads) == (2, 3)
    assert result.quorum_met and result.passed
    assert result.check("quorum_area").explanation.startswith("参与表决面积 66.67% ≥ 2/3 ✓")
    assert result.check("quorum_heads").explanation.startswith("参与表决人数 66.67% ≥ 2/3 ✓")


def test_area_just_below_two_thirds_fails_quorum():
    units = roll("100.00", "99.99", "100.01")
    low = tally(Matter.HIRE_MANAGER, units, votes(o0=YES, o1=YES))  # 199.99 / 300.00, 2 of 3 heads
    assert not low.check("quorum_area").met and low.check("quorum_heads").met
    assert not low.quorum_met and not low.passed and low.approved
    assert low.check("quorum_area").explanation.startswith("参与表决面积 66.66% ≥ 2/3 ✗")
    high = tally(Matter.HIRE_MANAGER, units, votes(o0=YES, o2=YES))  # 200.01 / 300.00
    assert high.quorum_met and high.passed


def test_heads_just_below_two_thirds_fails_quorum():
    # 100 owners: 66 of them hold 90% of the area and vote; 66/100 < 2/3 ≤ 67/100
    areas = [D(15)] * 66 + [D(3)] * 34  # the 66 hold 990 of 1092 ㎡
    units = roll(*areas)
    ballots66 = [Ballot(f"o{i}", YES) for i in range(66)]
    low = tally(Matter.ELECT_COMMITTEE, units, ballots66)
    assert low.check("quorum_area").met and not low.check("quorum_heads").met
    assert not low.quorum_met and not low.passed
    high = tally(Matter.ELECT_COMMITTEE, units, ballots66 + [Ballot("o66", YES)])
    assert high.quorum_met and high.passed


# ---------------------------------------------------------------------------------------------------------
# Approval thresholds
# ---------------------------------------------------------------------------------------------------------

def test_exactly_three_quarters_passes_raise_maintenance_fund():
    result = tally(Matter.RAISE_MAINTENANCE_FUND, roll(25, 25, 25, 25), votes(o0=YES, o1=YES, o2=YES, o3=NO))
    assert result.approval_threshold == Fraction(3, 4) and result.approval_inclusive
    assert result.passed
    assert result.check("approval_area").explanation.startswith("同意面积 75.00% ≥ 3/4 ✓")


def test_just_below_three_quarters_fails_raise_maintenance_fund():
    result = tally(Matter.RAISE_MAINTENANCE_FUND, roll("25.00", "25.00", "24.99", "25.01"),
                   votes(o0=YES, o1=YES, o2=YES, o3=NO))
    assert result.check("approval_heads").met and not result.check("approval_area").met
    assert result.quorum_met and not result.passed


@pytest.mark.parametrize("matter", sorted(SPECIAL_MATTERS))
def test_special_matters_need_three_quarters(matter):
    two_thirds = tally(matter, roll(10, 10, 10), votes(o0=YES, o1=YES, o2=NO))
    assert not two_thirds.passed
    assert tally(Matter.OTHER_MAJOR, roll(10, 10, 10), votes(o0=YES, o1=YES, o2=NO)).passed


@pytest.mark.parametrize("matter", [m for m in Matter if m not in SPECIAL_MATTERS])
def test_exactly_half_fails_an_ordinary_vote(matter):
    result = tally(matter, roll(25, 25, 25, 25), votes(o0=YES, o1=YES, o2=NO, o3=NO))
    assert result.approval_threshold == Fraction(1, 2) and not result.approval_inclusive
    assert result.quorum_met and not result.approved and not result.passed
    assert result.check("approval_area").explanation.startswith("同意面积 50.00% > 1/2 ✗")
    assert result.check("approval_heads").explanation.startswith("同意人数 50.00% > 1/2 ✗")
    more = tally(matter, roll("25.00", "25.01", "25.00", "24.99"), votes(o0=YES, o1=YES, o2=NO, o3=YES))
    assert more.passed


def test_matter_classification_follows_article_278():
    assert {m.value for m in SPECIAL_MATTERS} == {"raise_maintenance_fund", "rebuild", "change_common_use"}
    assert len(Matter) == 9
    assert Matter.CHANGE_COMMON_USE.label == "改变共有部分的用途或者利用共有部分从事经营活动"
    assert tally("rebuild", roll(1), votes(o0=YES)).matter is Matter.REBUILD


def test_abstentions_count_toward_quorum_but_not_approval():
    units = roll(10, 10, 10)
    with_abstention = tally(Matter.HIRE_MANAGER, units, votes(o0=YES, o1=ABSTAIN))
    assert with_abstention.quorum_met
    assert (with_abstention.abstain_heads, with_abstention.abstain_area) == (1, D(10))
    assert not with_abstention.approved  # 1 of 2 participating is not more than half
    without = tally(Matter.HIRE_MANAGER, units, votes(o0=YES))
    assert not without.quorum_met and without.approved


@pytest.mark.parametrize(("yes", "no", "area_met", "heads_met"), [
    (["o0"], ["o1", "o2", "o3"], True, False),  # the big owner alone: 85% of area, 1 of 4 heads
    (["o1", "o2", "o3"], ["o0"], False, True),  # the three small owners: 3 of 4 heads, 15% of area
])
def test_approval_needs_both_area_and_heads(yes, no, area_met, heads_met):
    units = roll(85, 5, 5, 5)
    ballots = [Ballot(o, YES) for o in yes] + [Ballot(o, NO) for o in no]
    for matter in (Matter.HIRE_MANAGER, Matter.REBUILD):
        result = tally(matter, units, ballots)
        assert result.quorum_met
        assert (result.check("approval_area").met, result.check("approval_heads").met) == (area_met, heads_met)
        assert not result.approved and not result.passed


@pytest.mark.parametrize(("voters", "area_met", "heads_met"), [
    (["o0"], True, False),  # 70% of area, 1 of 4 heads
    (["o1", "o2", "o3"], False, True),  # 3 of 4 heads, 30% of area
])
def test_quorum_needs_both_area_and_heads(voters, area_met, heads_met):
    result = tally(Matter.HIRE_MANAGER, roll(70, 10, 10, 10), [Ballot(o, YES) for o in voters])
    assert (result.check("quorum_area").met, result.check("quorum_heads").met) == (area_met, heads_met)
    assert not result.quorum_met and result.approved and not result.passed


# ---------------------------------------------------------------------------------------------------------
# Counting heads and area (司法解释 第8、9条)
# ---------------------------------------------------------------------------------------------------------

def test_owner_of_three_units_is_one_head_with_all_their_area():
    units = roll(50, 30, 20, 40, 60, owners=["wang", "wang", "wang", "li", "zhao"])
    result = tally(Matter.HIRE_MANAGER, units, votes(wang=YES, li=NO))
    assert (result.total_heads, result.total_area) == (3, D(200))
    assert (result.yes_heads, result.yes_area) == (1, D(100))
    assert (result.participating_heads, result.participating_area) == (2, D(140))
    assert (result.check("quorum_heads").numerator, result.check("quorum_heads").denominator) == (2, 3)
    assert result.quorum_met  # 2 of 3 heads (not 4 of 5), 140 of 200 ㎡
    assert not result.approved  # wang's 100 ㎡ is 71% of the area but 1 of 2 heads is not more than half


def test_developer_unsold_units_are_one_head():
    units = [Unit(f"dev-{i}", f"whatever-{i}", D("80.00"), developer_unsold=True) for i in range(5)]
    units += roll(100, 100, 100)
    result = tally(Matter.HIRE_MANAGER, units, [Ballot(DEVELOPER, NO), Ballot("whatever-0", YES)])
    assert (result.total_heads, result.total_area) == (4, D("700.00"))
    assert (result.no_heads, result.no_area) == (1, D("400.00"))
    assert [n.ballot.owner_id for n in result.ignored_ballots] == ["whatever-0"]  # not an owner head
    assert repr(DEVELOPER) == "DEVELOPER"


def test_developer_sentinel_as_owner_id_joins_the_developer_head():
    units = [Unit("a", "x", D(10), developer_unsold=True), Unit("b", DEVELOPER, D(5)), Unit("c", "li", D(15))]
    result = tally(Matter.HIRE_MANAGER, units, [])
    assert result.total_heads == 2 and result.non_voter_area == D(30)


def test_non_owner_ballot_is_ignored_and_reported():
    result = tally(Matter.HIRE_MANAGER, roll(10, 10, 10), [Ballot("o0", YES), Ballot("tenant", NO), Ballot("o1", YES)])
    assert (result.yes_heads, result.no_heads, result.participating_heads) == (2, 0, 2)
    [note] = result.ignored_ballots
    assert note.position == 1 and note.ballot == Ballot("tenant", NO) and "不是" in note.reason
    assert result.superseded_ballots == ()


def test_last_ballot_of_an_owner_wins():
    ballots = [Ballot("o0", YES), Ballot("o1", YES), Ballot("o0", ABSTAIN), Ballot("o0", NO)]
    result = tally(Matter.HIRE_MANAGER, roll(10, 10, 10), ballots)
    assert (result.yes_heads, result.no_heads, result.abstain_heads) == (1, 1, 0)
    assert [(n.position, n.ballot.choice) for n in result.superseded_ballots] == [(0, YES), (2, ABSTAIN)]
    assert "序号 2" in result.superseded_ballots[0].reason and "序号 3" in result.superseded_ballots[1].reason


def test_ballot_choice_accepts_strings_and_rejects_others():
    assert Ballot("o0", "abstain").choice is ABSTAIN
    with pytest.raises(ValueError):
        Ballot("o0", "maybe")


# ---------------------------------------------------------------------------------------------------------
# 从多 (off by default)
# ---------------------------------------------------------------------------------------------------------

def test_non_voters_not_counted_by_default():
    result = tally(Matter.HIRE_MANAGER, roll(10, 10, 10, 10), votes(o0=YES))
    assert not result.count_non_voters_with_majority and not result.non_voters_counted_with_majority
    assert result.non_voters_added_to is None and (result.non_voter_heads, result.non_voter_area) == (3, D(30))
    assert not result.quorum_met


def test_non_voters_follow_the_majority_when_switched_on():
    units = roll(10, 10, 10, 10, 10)
    voted = votes(o0=YES, o1=YES, o2=NO, o3=ABSTAIN)  # 4 of 5 took part: quorate on real participation
    result = tally(Matter.HIRE_MANAGER, units, voted, count_non_voters_with_majority=True)
    assert result.non_voters_added_to is YES and result.non_voters_counted_with_majority
    # the figures stay those of the real ballots
    assert (result.yes_heads, result.yes_area, result.participating_heads) == (2, D(20), 4)
    # only the approval step counts the non-voter (o4) with the yes side: 3 of 5, 30 of 50 ㎡
    approval = result.check("approval_heads")
    assert (approval.numerator, approval.denominator) == (3, 5)
    assert result.check("approval_area").numerator == D(30)
    assert result.passed
    assert "从多" in approval.explanation and "从多" not in result.check("quorum_area").explanation
    assert not tally(Matter.HIRE_MANAGER, units, voted).approved  # 2 of 4 is not more than half
    against = tally(Matter.HIRE_MANAGER, units, votes(o0=NO, o1=YES, o2=NO, o3=YES, o4=NO),
                    count_non_voters_with_majority=True)
    assert against.non_voters_added_to is None  # nobody left out: nothing to add


def test_majority_rule_never_makes_a_vote_quorate():
    """第278条第二款: "参与表决" is taking part. 1 of 5 owners voting yes is not a quorum, even when the
    compound's rules count the 4 non-voters with the majority."""
    units = roll(10, 10, 10, 10, 10)
    result = tally(Matter.HIRE_MANAGER, units, votes(o0=YES), count_non_voters_with_majority=True)
    assert result.non_voters_added_to is YES
    assert (result.participating_heads, result.participating_area) == (1, D(10))
    assert not result.quorum_met and not result.passed
    assert result.check("quorum_heads").explanation.startswith("参与表决人数 20.00% ≥ 2/3 ✗")
    assert result.approved  # the approval step alone would pass: it is the quorum that fails


def test_majority_rule_adds_non_voters_to_no_in_the_approval_only():
    units = roll(10, 10, 10, 10, 10, 10)
    result = tally(Matter.HIRE_MANAGER, units, votes(o0=YES, o1=YES, o2=NO, o3=NO, o4=NO),
                   count_non_voters_with_majority=True)
    assert result.non_voters_added_to is NO and result.quorum_met
    assert (result.no_heads, result.participating_heads) == (3, 5)
    assert (result.check("approval_heads").numerator, result.check("approval_heads").denominator) == (2, 6)
    assert not result.passed


def test_non_voters_not_added_on_a_tie():
    units = roll(10, 10, 10, 10)
    result = tally(Matter.HIRE_MANAGER, units, votes(o0=YES, o1=NO, o2=ABSTAIN), count_non_voters_with_majority=True)
    assert result.count_non_voters_with_majority and result.non_voters_added_to is None
    assert (result.participating_heads, result.non_voter_heads) == (3, 1)
    assert "从多" not in result.check("quorum_area").explanation


# ---------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------

def test_no_units_is_an_error():
    with pytest.raises(ValueError, match="units 为空"):
        tally(Matter.HIRE_MANAGER, [], [])


@pytest.mark.parametrize("area", [D(0), D("-1.5"), D("NaN"), D("Infinity")])
def test_area_must_be_positive(area):
    with pytest.raises(ValueError, match="面积必须大于 0"):
        tally(Matter.HIRE_MANAGER, [Unit("101", "wang", area)], [])


def test_float_area_is_refused():
    with pytest.raises(TypeError, match="浮点数"):
        tally(Matter.HIRE_MANAGER, [Unit("101", "wang", 89.5)], [])  # type: ignore[arg-type]


def test_duplicate_unit_ids_are_an_error():
    units = [Unit("101", "wang", D(1)), Unit("102", "li", D(1)), Unit("101", "zhao", D(1))]
    with pytest.raises(ValueError, match="专有部分编号重复：'101'"):
        tally(Matter.HIRE_MANAGER, units, [])


def test_no_ballots_fails_quorum_without_dividing_by_zero():
    result = tally(Matter.HIRE_MANAGER, roll(10), [])
    assert not result.quorum_met and not result.approved and not result.passed
    assert "无人参与表决" in result.check("approval_area").explanation


def test_percentages_are_rounded_for_display_only():
    result = tally(Matter.HIRE_MANAGER, roll("68.20", "31.80"), votes(o0=YES, o1=YES))
    assert result.check("approval_area").explanation.startswith("同意面积 100.00% > 1/2 ✓")
    one = tally(Matter.HIRE_MANAGER, roll("68.20", "31.80", owners=["a", "b"]), votes(a=YES))
    assert one.check("quorum_area").explanation.startswith("参与表决面积 68.20% ≥ 2/3 ✓")
    tiny = tally(Matter.HIRE_MANAGER, roll("0.01", "199.99"), votes(o0=YES))  # 0.005% rounds half up
    assert tiny.check("quorum_area").explanation.startswith("参与表决面积 0.01% ≥ 2/3 ✗")


def test_unit_area_prefers_registered_then_surveyed_then_contract():
    assert unit_area(D("89.50"), D("90.00"), D("91.00")) == D("89.50")
    assert unit_area(None, D("90.00"), D("91.00")) == D("90.00")
    assert unit_area(None, None, D("91.00")) == D("91.00")
    with pytest.raises(ValueError, match="面积缺失"):
        unit_area(None, None, None)
    with pytest.raises(TypeError):
        unit_area(89.5, None, None)  # type: ignore[arg-type]
