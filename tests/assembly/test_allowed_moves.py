"""allowed_moves(vote, user): for every role and votes in every state, each move it offers is accepted by
its verb and each move it withholds is refused; the pages show exactly the buttons of the offered moves."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from gongzhi.assembly import actions
from gongzhi.assembly.models import BallotConflict, Candidate, PaperEntry, Vote, VoteKind
from gongzhi.core.permissions import SYSTEM

from ..conftest import ROLES
from .conftest import make_closed, make_open, open_vote

STATES = ["draft", "draft_early", "notice", "open", "conflict", "two_ballots", "ended", "ended_held", "counted", "cancelled",
          "election_draft", "election_pending", "election_open", "election_counted"]
CAST = [*ROLES, "compound_staff", "second_staff", "estate_committee", "superuser", "owner_a", "owner_d", "owner_g"]


def build(state: str, estate, staff, second) -> Vote:
    """A vote of 和平苑 in ``state`` (set up by the platform, paper ballots by the two community workers),
    as read from the database."""
    vote = _setup(state, estate, staff, second)
    return Vote.objects.select_related("compound").get(pk=vote.pk)


def _setup(state: str, estate, staff, second) -> Vote:
    election = state.startswith("election")
    vote = open_vote(estate, SYSTEM, kind="election" if election else "question",
                     matter="elect_committee" if election else "hire_manager", seats=5 if election else None)
    owners = estate["owners"]
    if election:
        for letter in "ABCEF":
            c = actions.nominate_candidate(vote, person=owners[letter].person, nominated_by="self", by=SYSTEM)
            if state != "election_pending" or letter != "F":
                actions.vet_candidate(c, approved=True, reason="", by=SYSTEM)
    if state in ("draft", "election_draft", "election_pending"):
        return vote
    if state == "draft_early":  # opens before the notice period could end: cannot be announced
        now = timezone.now()
        Vote.objects.filter(pk=vote.pk).update(opens_at=now + datetime.timedelta(days=1),
                                               closes_at=now + datetime.timedelta(days=2))
        vote.refresh_from_db()
        return vote
    if state == "cancelled":
        return actions.cancel_vote(vote, by=SYSTEM, reason="业主大会延期")
    actions.announce_vote(vote, by=SYSTEM)
    if state == "notice":
        return vote
    unit = estate["units"]["401"]
    paper = {"candidates": [vote.candidates.first().pk]} if election else {"choice": "yes"}
    if state in ("open", "conflict", "two_ballots", "election_open"):
        make_open(vote)
        if state == "two_ballots":  # G voted online, then a proxy ballot came for 401: held for the organiser
            actions.cast_ballot(vote, by=owners["G"], choice="yes")
            actions.cast_proxy_ballot(vote, unit=unit, proxy=owners["F"].person, choice="no", by=staff,
                                      authorisation=SimpleUploadedFile("weituo.pdf", b"%PDF-1.4"),
                                      acknowledge_conflict=True)
        if state == "conflict":
            actions.enter_paper_ballot(vote, serial="C-1", unit=unit, choice="yes", by=staff)
            actions.enter_paper_ballot(vote, serial="C-1", unit=unit, choice="no", by=second)
        return vote
    make_closed(vote)
    if state == "ended_held":
        actions.enter_paper_ballot(vote, serial="H-1", unit=unit, by=staff, **paper)
    if state in ("counted", "election_counted"):
        actions.tally_vote(vote, by=SYSTEM)
    return vote


def _content(vote: Vote) -> dict:
    if vote.kind == VoteKind.ELECTION:
        return {"candidates": list(vote.candidates.filter(vetting="approved").values_list("pk", flat=True)[:1])}
    return {"choice": "yes"}


def _vet(vote: Vote, user, estate):
    candidate = vote.candidates.first() or Candidate.objects.create(
        vote=vote, person=estate["owners"]["G"].person, nominated_by="self")
    return actions.vet_candidate(candidate, approved=True, reason="", by=user)


def _resolve(vote: Vote, user, estate):
    held = PaperEntry.objects.filter(vote=vote, state=PaperEntry.State.CONFLICT).first()
    return actions.resolve_paper_ballot(vote, serial=held.serial if held else "C-9", unit=estate["units"]["401"],
                                        by=user, **_content(vote))


def _resolve_conflict(vote: Vote, user, estate):
    held = BallotConflict.objects.filter(vote=vote, state=BallotConflict.State.OPEN).first()
    return actions.resolve_ballot_conflict(vote, conflict=held.pk if held else 0, reason="核对委托书", by=user)


VERBS = {
    "announce": lambda vote, user, estate: actions.announce_vote(vote, by=user),
    "cancel": lambda vote, user, estate: actions.cancel_vote(vote, by=user, reason="方案有误"),
    "tally": lambda vote, user, estate: actions.tally_vote(vote, by=user),
    "correct_roll": lambda vote, user, estate: actions.correct_roll(
        vote, unit=estate["units"]["301"], area=Decimal("81"), reason="测绘更正", by=user),
    "nominate": lambda vote, user, estate: actions.nominate_candidate(
        vote, person=estate["owners"]["G"].person, nominated_by="self", by=user),
    "vet": _vet,
    "cast": lambda vote, user, estate: actions.cast_ballot(vote, by=user, **_content(vote)),
    "paper": lambda vote, user, estate: actions.enter_paper_ballot(
        vote, serial="T-1", unit=estate["units"]["301"], by=user, acknowledge_conflict=True, **_content(vote)),
    "resolve_paper": _resolve,
    "resolve_conflict": _resolve_conflict,
    "proxy": lambda vote, user, estate: actions.cast_proxy_ballot(
        vote, unit=estate["units"]["301"], proxy=estate["owners"]["F"].person, by=user,
        authorisation=SimpleUploadedFile("weituo.pdf", b"%PDF-1.4"), acknowledge_conflict=True, **_content(vote)),
}


class _Undo(Exception):
    pass


def accepted(move: str, vote: Vote, user, estate) -> bool:
    """Whether the verb of ``move`` accepts it now (with good input); undone either way, so every attempt
    meets the vote as it was. Anything but a refusal (ValidationError, PermissionDenied) fails the test."""
    try:
        with transaction.atomic():
            VERBS[move](Vote.objects.get(pk=vote.pk), user, estate)
            raise _Undo
    except _Undo:
        return True
    except (ValidationError, PermissionDenied):
        return False


@pytest.fixture
def cast(request, estate, compound_staff, second_staff, estate_committee, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # proxies' authorisations
    people = {name: request.getfixturevalue(name) for name in CAST if not name.startswith("owner_")}
    people["owner_a"], people["owner_d"] = estate["owners"]["A"], estate["owners"]["D"]  # D: co-owner, not voting
    people["owner_g"] = estate["owners"]["G"]
    return people


def test_every_move_has_a_verb():
    assert set(VERBS) == set(actions.MOVES)


@pytest.mark.parametrize("state", STATES)
def test_offered_moves_succeed_and_withheld_moves_are_refused(state, estate, cast, compound_staff, second_staff):
    vote = build(state, estate, compound_staff, second_staff)
    for name, user in cast.items():
        moves = actions.allowed_moves(Vote.objects.get(pk=vote.pk), user)
        assert moves <= set(actions.MOVES)
        for move in actions.MOVES:
            assert accepted(move, vote, user, estate) is (move in moves), (state, name, move, sorted(moves))


EXPECTED = {  # (state, who): the moves, so that every move is offered somewhere and the rights are the law's
    ("draft", "compound_staff"): {"announce", "cancel"},
    ("draft", "estate_committee"): {"announce", "cancel"},
    ("draft_early", "compound_staff"): {"cancel"},
    ("notice", "compound_staff"): {"correct_roll", "cancel"},
    ("notice", "owner_a"): set(),
    ("open", "compound_staff"): {"paper", "proxy", "correct_roll", "cancel"},
    ("open", "owner_a"): {"cast"},
    ("open", "owner_d"): set(),
    ("conflict", "compound_staff"): {"paper", "proxy", "correct_roll", "cancel"},
    ("conflict", "community_staff"): {"paper", "resolve_paper", "proxy", "correct_roll", "cancel"},
    ("two_ballots", "compound_staff"): {"paper", "proxy", "resolve_conflict", "correct_roll", "cancel"},
    ("two_ballots", "owner_g"): {"cast"},
    ("ended", "compound_staff"): {"paper", "tally", "correct_roll", "cancel"},
    ("ended_held", "compound_staff"): {"paper", "correct_roll", "cancel"},
    ("counted", "compound_staff"): {"correct_roll"},
    ("counted", "owner_a"): set(),
    ("election_draft", "street_staff"): {"announce", "nominate", "vet", "cancel"},
    ("election_draft", "estate_committee"): set(),  # the sitting committee does not run its own election
    ("election_pending", "compound_staff"): {"nominate", "vet", "cancel"},
    ("election_open", "owner_a"): {"cast"},
    ("election_counted", "superuser"): {"correct_roll"},
}


@pytest.mark.parametrize(("state", "who"), list(EXPECTED))
def test_what_each_role_may_do(state, who, estate, cast, compound_staff, second_staff):
    vote = build(state, estate, compound_staff, second_staff)
    assert actions.allowed_moves(vote, cast[who]) == EXPECTED[state, who]


def test_every_move_is_offered_in_some_state():
    assert set().union(*EXPECTED.values()) == set(actions.MOVES)


def test_the_reason_an_organiser_cannot_move_yet(estate, compound_staff, second_staff, resident):
    vote = build("ended_held", estate, compound_staff, second_staff)
    assert "纸质选票" in actions.refusals(vote, compound_staff)["tally"]
    assert actions.refusals(vote, resident) == {}  # not their right: no reason to give


# ---------------------------------------------------------------- the pages ask the same


DETAIL_BUTTONS = {"announce": "announce", "cancel": "cancel", "tally": "tally", "paper": "paper", "proxy": "proxy",
                  "nominate": "nominate", "vet": "vet", "cast": "cast", "resolve_conflict": "resolve-conflict"}
PAPER_BUTTONS = {"paper": "enter-paper", "resolve_paper": "resolve-paper"}


def _testids(html: str, known) -> set[str]:
    return set(re.findall(r'data-testid="([\w-]+)"', html)) & set(known)


@pytest.mark.parametrize("state", STATES)
def test_each_role_sees_exactly_the_buttons_of_its_moves(state, client, estate, cast, compound_staff, second_staff):
    vote = build(state, estate, compound_staff, second_staff)
    for name, user in cast.items():
        moves = actions.allowed_moves(vote, user)
        client.force_login(user)
        r = client.get(f"/votes/{vote.pk}/")
        if r.status_code == 404:
            assert moves == set(), (state, name)  # a vote one cannot see offers nothing
            continue
        assert r.status_code == 200
        shown = _testids(r.content.decode(), DETAIL_BUTTONS.values())
        assert shown == {DETAIL_BUTTONS[m] for m in moves if m in DETAIL_BUTTONS}, (state, name, sorted(moves))
        paper = client.get(f"/votes/{vote.pk}/paper/")
        proxy = client.get(f"/votes/{vote.pk}/proxy/")
        if paper.status_code == 403:
            assert not moves & {"paper", "resolve_paper", "proxy"} and proxy.status_code == 403
            continue
        shown = _testids(paper.content.decode(), PAPER_BUTTONS.values())
        assert shown == {PAPER_BUTTONS[m] for m in moves if m in PAPER_BUTTONS}, (state, name, sorted(moves))
        assert ('data-testid="save"' in proxy.content.decode()) is ("proxy" in moves), (state, name)


def test_the_api_detail_lists_the_moves(client, estate, compound_staff, second_staff):
    vote = build("open", estate, compound_staff, second_staff)
    client.force_login(estate["owners"]["A"])
    assert client.get(f"/api/votes/{vote.pk}").json()["allowed_moves"] == ["cast"]
    client.force_login(compound_staff)
    assert client.get(f"/api/votes/{vote.pk}").json()["allowed_moves"] == ["paper", "proxy", "correct_roll", "cancel"]
    assert "allowed_moves" not in client.get("/api/votes").json()["items"][0]
