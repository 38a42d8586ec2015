"""Seating an elected committee: five or more elected take office (the sitting committee leaves, each
position audited); fewer keep the sitting committee in office and call a by-election (补选); an exact tie
for the last seat leaves that seat open instead of choosing by candidate order."""

import datetime

from gongzhi.assembly import actions
from gongzhi.assembly.models import Vote
from gongzhi.core.models import Event
from gongzhi.people.events import Verb as PeopleVerb
from gongzhi.people.models import Position

from .conftest import make_closed, make_open, open_vote


def _election(estate, staff, chosen_by, seats=5):
    """An election with candidates A B C E F G; ``chosen_by`` maps a voter key to the candidate keys."""
    o = estate["owners"]
    vote = open_vote(estate, staff, matter="elect_committee", kind="election", seats=seats)
    ids = {}
    for key in "ABCEFG":
        c = actions.nominate_candidate(vote, person=o[key].person, nominated_by="self", by=staff)
        actions.vet_candidate(c, approved=True, reason="", by=staff)
        ids[key] = c.pk
    actions.announce_vote(vote, by=staff)
    make_open(vote)
    for voter, keys in chosen_by.items():
        actions.cast_ballot(vote, by=o[voter], candidates=[ids[k] for k in keys])
    make_closed(vote)
    actions.tally_vote(vote, by=staff)
    return Vote.objects.get(pk=vote.pk), ids


def _committee(estate):
    return Position.objects.filter(organisation__kind="owners_committee", place=estate["compound"])


def test_a_full_committee_takes_office_with_one_audit_row_per_position(estate, compound_staff):
    vote, ids = _election(estate, compound_staff, {v: "ABEFG" for v in "ABCEFG"})
    assert vote.result["seated"] is True and vote.result["by_election_needed"] is False
    posts = _committee(estate)
    assert posts.count() == 5
    appointed = Event.objects.filter(verb=PeopleVerb.APPOINT_POSITION, actor=compound_staff)
    assert sorted(int(e.target_id) for e in appointed) == sorted(posts.values_list("pk", flat=True))


def test_an_old_committee_is_ended_position_by_position(estate, compound_staff):
    _election(estate, compound_staff, {v: "ABEFG" for v in "ABCEFG"})
    old = _committee(estate)
    old.update(start_date=datetime.date(2021, 3, 1))
    old_ids = sorted(old.values_list("pk", flat=True))
    _election(estate, compound_staff, {v: "ABCEF" for v in "ABCEFG"})
    ended = Event.objects.filter(verb=PeopleVerb.END_POSITION)
    assert sorted(int(e.target_id) for e in ended) == old_ids
    assert len({e.after["end_date"] for e in ended}) == 1 and ended.count() == 5
    assert not old.filter(end_date__isnull=True).exists()


def test_fewer_than_five_elected_leave_the_sitting_committee_in_office(estate, compound_staff):
    _election(estate, compound_staff, {v: "ABEFG" for v in "ABCEFG"})
    sitting = _committee(estate)
    sitting.update(start_date=datetime.date(2021, 3, 1))
    before = sorted(sitting.values_list("pk", "end_date"))
    events = Event.objects.filter(verb__in=[PeopleVerb.APPOINT_POSITION, PeopleVerb.END_POSITION]).count()
    # only A, B and E reach a majority of heads (4 of 6 ballots each)
    vote, ids = _election(estate, compound_staff, {"A": "ABE", "B": "ABE", "C": "ABE", "E": "ABE", "F": "C",
                                                   "G": "C"})
    assert sorted(vote.result["elected"]) == sorted([ids["A"], ids["B"], ids["E"]])
    assert vote.result["seated"] is False and vote.result["by_election_needed"] is True
    assert sorted(_committee(estate).values_list("pk", "end_date")) == before  # nothing ended, nothing added
    assert Event.objects.filter(verb__in=[PeopleVerb.APPOINT_POSITION, PeopleVerb.END_POSITION]).count() == events
    assert "须补选" in Event.objects.filter(verb="assembly.tally_vote").latest("pk").summary


def test_fewer_than_five_elected_is_said_on_the_public_page(client, estate, compound_staff):
    vote, _ids = _election(estate, compound_staff, {"A": "ABE", "B": "ABE", "C": "ABE", "E": "ABE"})
    html = client.get(f"/public/votes/{vote.pk}/").content.decode()
    assert 'data-testid="by-election"' in html and "原业主委员会继续履职，须补选" in html


def test_an_exact_tie_for_the_last_seat_leaves_it_open(estate, compound_staff):
    """A B C E are each chosen by five voters; F and G by the same four voters (A B C E), so they tie on
    heads and on area for the fifth seat: neither is elected, whatever their order on the ballot."""
    chosen = {"A": "ABCFG", "B": "ABEFG", "C": "ACEFG", "E": "BCEFG", "F": "ABCE", "G": "ABCE"}
    vote, ids = _election(estate, compound_staff, chosen, seats=5)
    rows = {r["candidate"]: r for r in vote.result["candidates"]}
    assert rows[ids["F"]]["qualified"] and rows[ids["G"]]["qualified"]
    assert (rows[ids["F"]]["yes_heads"], rows[ids["F"]]["yes_area"]) == (4, "450.00")
    assert (rows[ids["G"]]["yes_heads"], rows[ids["G"]]["yes_area"]) == (4, "450.00")
    assert sorted(vote.result["tied"]) == sorted([ids["F"], ids["G"]])
    assert rows[ids["F"]]["elected"] is False and rows[ids["G"]]["elected"] is False
    assert sorted(vote.result["elected"]) == sorted(ids[k] for k in "ABCE")
    # four elected: fewer than five, so nobody takes office and the seat goes to a by-election
    assert vote.result["seated"] is False and not _committee(estate).exists()


def test_the_tie_is_shown_on_the_public_page_and_in_the_spreadsheet(client, estate, compound_staff):
    import io

    from openpyxl import load_workbook

    chosen = {"A": "ABCFG", "B": "ABEFG", "C": "ACEFG", "E": "BCEFG", "F": "ABCE", "G": "ABCE"}
    vote, _ids = _election(estate, compound_staff, chosen, seats=5)
    html = client.get(f"/public/votes/{vote.pk}/").content.decode()
    assert 'data-testid="election-tie"' in html and html.count("得票相同，未当选") == 2
    sheet = load_workbook(io.BytesIO(client.get(f"/public/votes/{vote.pk}/result.xlsx").content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert cells.count("得票相同，未当选") == 2


def test_ties_among_those_elected_do_not_matter(estate, compound_staff):
    """A B E F G all tie (every voter chose them) for five seats: all five take office."""
    vote, _ids = _election(estate, compound_staff, {v: "ABEFG" for v in "ABCEFG"}, seats=5)
    assert vote.result["tied"] == []
    assert vote.result["seated"] is True and _committee(estate).count() == 5
