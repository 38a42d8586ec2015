"""业委会 election: nomination, vetting, a multi-seat ballot, seats filled by votes, positions created."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.assembly import actions
from gongzhi.assembly.models import Candidate, Vetting
from gongzhi.people.models import Position

from .conftest import make_closed, make_open, open_vote


def test_seats_must_be_odd_between_5_and_11(estate, compound_staff):
    for seats in (4, 13, 3, None):
        with pytest.raises(ValidationError) as exc:
            open_vote(estate, compound_staff, matter="elect_committee", kind="election", seats=seats)
        assert "seats" in exc.value.message_dict


def test_a_candidate_must_be_an_owner(estate, compound_staff, resident):
    vote = open_vote(estate, compound_staff, matter="elect_committee", kind="election", seats=5)
    with pytest.raises(ValidationError) as exc:
        actions.nominate_candidate(vote, person=resident.person, nominated_by="self", by=compound_staff)
    assert exc.value.message_dict["person"] == ["候选人必须是本小区业主"]


def test_vetting_sees_flags_and_needs_a_reason_to_refuse(estate, compound_staff):
    vote = open_vote(estate, compound_staff, matter="elect_committee", kind="election", seats=5)
    g = estate["owners"]["G"].person
    actions.flag_person(g, text="欠缴物业费14个月", by=compound_staff)
    c = actions.nominate_candidate(vote, person=g, nominated_by="owners", by=compound_staff)
    assert c.flags == ["欠缴物业费14个月"]
    with pytest.raises(ValidationError):
        actions.vet_candidate(c, approved=False, reason="", by=compound_staff)
    actions.vet_candidate(c, approved=False, reason="长期欠缴物业费", by=compound_staff)
    assert Candidate.objects.get(pk=c.pk).vetting == Vetting.REJECTED


def test_too_few_elected_keeps_the_sitting_committee_and_calls_a_by_election(estate, compound_staff):
    o = estate["owners"]
    vote = open_vote(estate, compound_staff, matter="elect_committee", kind="election", seats=5)
    cands = {}
    for key in ("A", "B", "C", "E", "F", "G"):
        cands[key] = actions.nominate_candidate(vote, person=o[key].person, nominated_by="self", by=compound_staff)
        actions.vet_candidate(cands[key], approved=True, reason="", by=compound_staff)
    actions.announce_vote(vote, by=compound_staff)
    make_open(vote)
    ids = {k: c.pk for k, c in cands.items()}
    ballots = {"A": "ABCEF", "B": "ABCE", "C": "ABC", "E": "ABE", "F": "ABG", "G": "AG"}
    for voter, chosen in ballots.items():
        actions.cast_ballot(vote, by=o[voter], candidates=[ids[k] for k in chosen])
    with pytest.raises(ValidationError):
        actions.cast_ballot(vote, by=o["A"], candidates=list(ids.values()))  # 6 > 5 seats
    make_closed(vote)
    actions.tally_vote(vote, by=compound_staff)
    vote.refresh_from_db()
    rows = {r["name"]: r for r in vote.result["candidates"]}
    # 6 of 7 heads took part; a candidate needs > 3 heads and > half the participating area
    assert rows["测试owner_a"]["yes_heads"] == 6 and rows["测试owner_a"]["elected"] is True
    assert rows["测试owner_b"]["yes_heads"] == 5 and rows["测试owner_b"]["elected"] is True
    assert rows["测试owner_c"]["yes_heads"] == 3 and rows["测试owner_c"]["qualified"] is False
    assert rows["测试owner_g"]["yes_heads"] == 2 and rows["测试owner_g"]["elected"] is False
    elected = vote.result["elected"]
    assert elected == [ids["A"], ids["B"]]
    # 2 elected are fewer than the smallest lawful committee (5): nobody takes office, a 补选 is needed
    assert vote.result["seated"] is False and vote.result["by_election_needed"] is True
    assert not Position.objects.filter(organisation__kind="owners_committee", place=estate["compound"]).exists()
    assert vote.result["party_members_elected"] == 1  # B


def _elect(estate, compound_staff, seats=5):
    o = estate["owners"]
    vote = open_vote(estate, compound_staff, matter="elect_committee", kind="election", seats=seats)
    ids = {}
    for key in ("A", "B", "C", "E", "F", "G"):
        c = actions.nominate_candidate(vote, person=o[key].person, nominated_by="self", by=compound_staff)
        actions.vet_candidate(c, approved=True, reason="", by=compound_staff)
        ids[key] = c.pk
    actions.announce_vote(vote, by=compound_staff)
    make_open(vote)
    for voter in "ABCEFG":
        actions.cast_ballot(vote, by=o[voter], candidates=[ids[k] for k in "ABEFG"])
    make_closed(vote)
    actions.tally_vote(vote, by=compound_staff)
    return vote


def test_a_recount_replaces_the_seating_instead_of_doubling_it(estate, compound_staff):
    from decimal import Decimal

    vote = _elect(estate, compound_staff)
    posts = Position.objects.filter(organisation__kind="owners_committee", place=estate["compound"])
    assert posts.count() == 5
    actions.correct_roll(vote, unit=estate["units"]["402"], area=Decimal("100"), reason="测绘更正", by=compound_staff)
    assert posts.count() == 5 and posts.filter(title="committee_director").count() == 1


def test_a_new_election_ends_the_previous_committee(estate, compound_staff):
    import datetime

    _elect(estate, compound_staff)
    posts = Position.objects.filter(organisation__kind="owners_committee", place=estate["compound"])
    posts.update(start_date=datetime.date(2021, 3, 1))  # the first committee took office years ago
    _elect(estate, compound_staff)
    assert posts.filter(start_date=datetime.date(2021, 3, 1), end_date__isnull=False).count() == 5
    assert posts.active().count() == 5


def test_terms_from_a_leap_day():
    import datetime

    from gongzhi.assembly.actions import _years_later

    assert _years_later(datetime.date(2028, 2, 29), 5) == datetime.date(2033, 2, 28)
    assert _years_later(datetime.date(2028, 3, 1), 5) == datetime.date(2033, 3, 1)
