"""One ballot per owner head, never silently replaced. A head that voted by one channel (online, paper,
proxy) and gets another ballot — by any channel, in any order — keeps exactly one ballot: the later one is
held (a BallotConflict), the owners are told, the count waits until an organiser settles it by the vote's
rule (default: the first valid ballot stands), and the receipt check shows the state and its history."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from gongzhi.assembly import actions
from gongzhi.assembly.models import (
    Ballot,
    BallotConflict,
    BallotLog,
    BallotRule,
    Channel,
    PaperEntry,
    Vote,
    VoteStatus,
)
from gongzhi.core.models import Event
from gongzhi.notices.models import Notification

from .conftest import make_closed, make_open, open_vote

CHANNELS = ("online", "paper", "proxy")
CHOICE = {"online": "yes", "paper": "no", "proxy": "abstain"}  # each channel says something different


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # proxies' authorisations


@pytest.fixture
def vote(estate, compound_staff, media):
    v = open_vote(estate, compound_staff)
    actions.announce_vote(v, by=compound_staff)
    return make_open(v)


_serials = itertools.count(1)


def submit(channel: str, vote: Vote, estate, staff, second, *, unit="301", owner="E", ack=True, choice=None):
    """One ballot for ``unit`` through ``channel``: the owner online, two clerks on paper, a clerk for a proxy."""
    choice = choice or CHOICE[channel]
    place = estate["units"][unit]
    if channel == "online":
        return actions.cast_ballot(vote, by=estate["owners"][owner], choice=choice)
    if channel == "paper":
        serial = f"P-{next(_serials)}"
        actions.enter_paper_ballot(vote, serial=serial, unit=place, choice=choice, by=staff, acknowledge_conflict=ack)
        return actions.enter_paper_ballot(vote, serial=serial, unit=place, choice=choice, by=second,
                                          acknowledge_conflict=ack)
    return actions.cast_proxy_ballot(vote, unit=place, proxy=estate["owners"]["F"].person, choice=choice, by=staff,
                                     authorisation=SimpleUploadedFile("weituo.pdf", b"%PDF-1.4"),
                                     acknowledge_conflict=ack)


def head(vote, unit="301", estate=None):
    return vote.roll.get(unit=estate["units"][unit]).owner_key


ORDERS = [p for n in (2, 3) for p in itertools.permutations(CHANNELS, n)] + [
    ("paper", "paper"), ("proxy", "proxy"), ("paper", "online", "online")]


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_one_ballot_per_head_in_every_order(order, vote, estate, compound_staff, second_staff, street_staff):
    key = head(vote, estate=estate)
    for channel in order:
        submit(channel, vote, estate, compound_staff, second_staff)
    ballot = Ballot.objects.get(vote=vote, owner_key=key)  # exactly one
    assert (ballot.channel, ballot.choice) == (order[0], CHOICE[order[0]])  # the first stands, untouched
    held = list(BallotConflict.objects.filter(vote=vote, owner_key=key).order_by("pk"))
    assert [h.channel for h in held] == list(order[1:])
    assert all(h.state == BallotConflict.State.OPEN and h.ballot_id == ballot.pk for h in held)
    assert Event.objects.filter(target_id=str(vote.pk), verb="assembly.ballot_conflict").count() == len(order) - 1
    told = Notification.objects.filter(user=estate["owners"]["E"], verb="assembly.ballot_conflict")
    assert told.count() == len(order) - 1
    assert list(ballot.log.values_list("kind", flat=True)) == ["cast"] + ["conflict"] * (len(order) - 1)

    make_closed(vote)
    with pytest.raises(ValidationError) as exc:  # the count waits for the settlement
        actions.tally_vote(vote, by=compound_staff)
    assert "按规则处理" in exc.value.messages[0]
    for h in held:
        actions.resolve_ballot_conflict(vote, conflict=h.pk, by=street_staff, reason="核对后以第一张为准")
    ballot.refresh_from_db()
    assert (ballot.channel, ballot.choice) == (order[0], CHOICE[order[0]])
    assert set(BallotConflict.objects.filter(vote=vote).values_list("state", flat=True)) == {"kept"}
    assert Notification.objects.filter(user=estate["owners"]["E"],
                                       verb="assembly.resolve_ballot_conflict").count() == len(order) - 1
    actions.tally_vote(vote, by=compound_staff)
    result = Vote.objects.get(pk=vote.pk).result["question"]
    assert result["participating_heads"] == 1
    assert {"online": result["yes_heads"], "paper": result["no_heads"],
            "proxy": result["abstain_heads"]}[order[0]] == 1


@pytest.mark.parametrize(("rule", "first", "second", "stands"), [
    (BallotRule.FIRST, "online", "paper", "online"),
    (BallotRule.FIRST, "paper", "online", "paper"),
    (BallotRule.LAST, "online", "proxy", "proxy"),
    (BallotRule.LAST, "proxy", "online", "online"),
    (BallotRule.WRITTEN, "online", "paper", "paper"),
    (BallotRule.WRITTEN, "paper", "online", "paper"),
    (BallotRule.WRITTEN, "paper", "proxy", "paper"),
])
def test_the_settlement_follows_the_votes_rule(rule, first, second, stands, vote, estate, compound_staff,
                                               second_staff, street_staff, client):
    Vote.objects.filter(pk=vote.pk).update(ballot_rule=rule)
    vote.refresh_from_db()
    receipt = submit(first, vote, estate, compound_staff, second_staff)
    receipt = getattr(receipt, "receipt", None) or Ballot.objects.get(vote=vote).receipt
    submit(second, vote, estate, compound_staff, second_staff)
    held = BallotConflict.objects.get(vote=vote)
    before = Event.objects.count()
    actions.resolve_ballot_conflict(vote, conflict=held.pk, by=street_staff, reason="按议事规则")
    assert Event.objects.count() == before + 1
    event = Event.objects.latest("pk")
    assert event.verb == "assembly.resolve_ballot_conflict" and event.after["rule"] == rule
    ballot = Ballot.objects.get(vote=vote)
    assert (ballot.channel, ballot.choice) == (stands, CHOICE[stands])
    assert ballot.receipt == receipt  # the owner's receipt keeps telling the story
    text = Notification.objects.filter(user=estate["owners"]["E"], verb="assembly.resolve_ballot_conflict").get().text
    assert ("改以" in text) is (stands != first)
    page = client.get(f"/public/votes/{vote.pk}/?receipt={receipt}").content.decode()
    assert 'data-testid="receipt-received"' in page and 'data-testid="receipt-pending"' not in page
    history = page.split('data-testid="ballot-log"')[1].split("</ol>")[0]
    assert "收到同一业主的另一张选票" in history
    assert ("改以另一张选票为准" in history) is (stands != first)
    check = page.split("核验我的选票")[1]
    assert not any(label in check for label in ("同意", "反对", "弃权"))  # never how


def test_a_first_ballot_the_organiser_finds_invalid_gives_way(vote, estate, compound_staff, second_staff,
                                                              street_staff):
    submit("proxy", vote, estate, compound_staff, second_staff)
    submit("online", vote, estate, compound_staff, second_staff)
    held = BallotConflict.objects.get(vote=vote)
    with pytest.raises(ValidationError) as exc:
        actions.resolve_ballot_conflict(vote, conflict=held.pk, by=street_staff, reason=" ", invalid=True)
    assert "reason" in exc.value.message_dict
    actions.resolve_ballot_conflict(vote, conflict=held.pk, by=street_staff, reason="委托书签名非业主本人",
                                    invalid=True)
    ballot = Ballot.objects.get(vote=vote)
    assert (ballot.channel, ballot.choice) == ("online", "yes")
    assert BallotConflict.objects.get(pk=held.pk).state == "replaced"
    with pytest.raises(ValidationError):  # settled once
        actions.resolve_ballot_conflict(vote, conflict=held.pk, by=street_staff, reason="再次")


def test_the_oldest_held_ballot_of_a_head_is_settled_first(vote, estate, compound_staff, second_staff, street_staff):
    for channel in ("online", "paper", "proxy"):
        submit(channel, vote, estate, compound_staff, second_staff)
    older, newer = BallotConflict.objects.filter(vote=vote).order_by("pk")
    with pytest.raises(ValidationError) as exc:
        actions.resolve_ballot_conflict(vote, conflict=newer.pk, by=street_staff, reason="核对")
    assert "更早" in exc.value.messages[0]


@pytest.mark.parametrize("channel", ["paper", "proxy"])
def test_a_clerk_must_see_that_the_head_voted_before_recording(channel, vote, estate, compound_staff,
                                                               second_staff):
    submit("online", vote, estate, compound_staff, second_staff)
    rows = (Ballot.objects.count(), BallotConflict.objects.count(), PaperEntry.objects.count(), Event.objects.count())
    with pytest.raises(ValidationError) as exc:
        submit(channel, vote, estate, compound_staff, second_staff, ack=False)
    message = exc.value.message_dict["acknowledge_conflict"][0]
    assert "已于" in message and "线上" in message and "由组织方按本表决规则处理" in message
    assert (Ballot.objects.count(), BallotConflict.objects.count(), PaperEntry.objects.count(),
            Event.objects.count()) == rows
    assert Ballot.objects.get(vote=vote).choice == "yes"


def test_the_second_clerk_sees_it_too(vote, estate, compound_staff, second_staff):
    """The first entry came before the owner voted online; the confirming clerk must see the online ballot."""
    unit = estate["units"]["301"]
    actions.enter_paper_ballot(vote, serial="S-1", unit=unit, choice="no", by=compound_staff)
    actions.cast_ballot(vote, by=estate["owners"]["E"], choice="yes")
    with pytest.raises(ValidationError) as exc:
        actions.enter_paper_ballot(vote, serial="S-1", unit=unit, choice="no", by=second_staff)
    assert "acknowledge_conflict" in exc.value.message_dict
    entry = actions.enter_paper_ballot(vote, serial="S-1", unit=unit, choice="no", by=second_staff,
                                       acknowledge_conflict=True)
    assert entry.state == PaperEntry.State.CONFIRMED and entry.held is not None
    assert Ballot.objects.get(vote=vote).choice == "yes"


def test_co_owners_are_all_told(vote, estate, compound_staff, second_staff):
    """202 is co-owned by C (who represents it) and D: both learn that a second ballot came in."""
    submit("online", vote, estate, compound_staff, second_staff, unit="202", owner="C")
    submit("paper", vote, estate, compound_staff, second_staff, unit="202")
    told = set(Notification.objects.filter(verb="assembly.ballot_conflict").values_list("user__username", flat=True))
    assert told == {"owner_c", "owner_d"}


def test_a_ballot_recorded_by_staff_is_told_to_the_owners(vote, estate, compound_staff, second_staff):
    submit("proxy", vote, estate, compound_staff, second_staff)
    note = Notification.objects.get(user=estate["owners"]["E"], verb="assembly.cast_ballot")
    assert Ballot.objects.get(vote=vote).receipt in note.text and "委托" in note.text


def test_the_owner_still_changes_their_own_online_ballot(vote, estate, compound_staff, second_staff):
    first = submit("online", vote, estate, compound_staff, second_staff)
    again = submit("online", vote, estate, compound_staff, second_staff, choice="no")
    assert first.pk == again.pk and again.held is None
    assert Ballot.objects.get(vote=vote).choice == "no" and not BallotConflict.objects.exists()
    assert list(again.log.values_list("kind", flat=True)) == [BallotLog.Kind.CAST, BallotLog.Kind.CHANGED]


def test_a_held_paper_ballot_waits_while_the_owner_changes_their_online_one(vote, estate, compound_staff,
                                                                           second_staff):
    submit("online", vote, estate, compound_staff, second_staff)
    submit("paper", vote, estate, compound_staff, second_staff)
    changed = submit("online", vote, estate, compound_staff, second_staff, choice="abstain")
    assert changed.held is None and Ballot.objects.get(vote=vote).choice == "abstain"
    assert BallotConflict.objects.get().state == "open"
    assert list(changed.log.values_list("kind", flat=True)) == ["cast", "conflict", "changed"]


# ---------------------------------------------------------------- the pages: the issue's story


def test_the_issue_story_on_the_pages(client, vote, estate, compound_staff, second_staff, street_staff):
    """E votes 同意 online and keeps the receipt; two clerks enter a paper 反对 for 301: each sees that the unit
    voted online before confirming; E's ballot stays 同意, E is told, the receipt check says what happened."""
    owner = estate["owners"]["E"]
    client.force_login(owner)
    key = actions.heads_of(owner, vote)[0]
    r = client.post(f"/votes/{vote.pk}/cast/", {"owner_key": key, "h0-choice": "yes"})
    assert r.status_code == 302
    receipt = Ballot.objects.get(vote=vote).receipt
    unit = estate["units"]["301"]

    client.force_login(compound_staff)
    page = client.get(f"/votes/{vote.pk}/paper/").content.decode()
    picker = page.split('name="unit"')[1].split("</select>")[0]
    assert "selected" not in picker and "— 请选择户 —" in picker  # no default unit
    assert "HP-301 · " in picker and "（已投票：线上）" in picker.split("HP-301")[1].split("</option>")[0]
    form = {"serial": "Z-7", "unit": unit.pk, "choice": "no"}
    r = client.post(f"/votes/{vote.pk}/paper/", form)
    assert r.status_code == 400
    html = r.content.decode()
    assert "该户已于" in html and "通过线上投票" in html and 'type="checkbox" name="acknowledge_conflict"' in html
    assert not PaperEntry.objects.exists()
    r = client.post(f"/votes/{vote.pk}/paper/", {**form, "acknowledge_conflict": "on"})
    assert r.status_code == 302

    client.force_login(second_staff)
    r = client.post(f"/votes/{vote.pk}/paper/", form)
    assert r.status_code == 400 and "通过线上投票" in r.content.decode()  # the second clerk sees it too
    r = client.post(f"/votes/{vote.pk}/paper/", {**form, "acknowledge_conflict": "on"}, follow=True)
    html = r.content.decode()
    assert "两次录入一致，选票已计入" not in html and "另一张选票记录，暂不计入" in html

    ballot = Ballot.objects.get(vote=vote)
    assert (ballot.choice, ballot.channel, ballot.receipt) == ("yes", "online", receipt)
    assert Notification.objects.filter(user=owner, verb="assembly.ballot_conflict").exists()

    client.force_login(owner)
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert 'data-testid="ballot-held"' in page and 'data-testid="ballot-rule"' in page
    assert "以第一张有效选票为准" in page
    public = client.get(f"/public/votes/{vote.pk}/?receipt={receipt}").content.decode()
    assert 'data-testid="receipt-pending"' in public and "收到同一业主的另一张选票" in public

    client.force_login(street_staff)
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert 'data-testid="ballot-conflicts"' in page and 'data-testid="resolve-conflict"' in page
    assert "反对" not in page.split('data-testid="ballot-conflicts"')[1].split("</ul>")[0]  # no contents shown
    held = BallotConflict.objects.get(vote=vote)
    r = client.post(f"/votes/{vote.pk}/resolve_conflict/", {"conflict": held.pk, "reason": ""}, follow=True)
    assert "请填写处理理由" in r.content.decode() and BallotConflict.objects.get(pk=held.pk).state == "open"
    r = client.post(f"/votes/{vote.pk}/resolve_conflict/", {"conflict": held.pk, "reason": "业主确认线上为本人所投"})
    assert r.status_code == 302 and BallotConflict.objects.get(pk=held.pk).state == "kept"
    for bad in ("x", "", "9" * 30):
        assert client.post(f"/votes/{vote.pk}/resolve_conflict/", {"conflict": bad, "reason": "r"}).status_code == 404

    client.force_login(owner)
    public = client.get(f"/public/votes/{vote.pk}/?receipt={receipt}").content.decode()
    assert 'data-testid="receipt-pending"' not in public and "原选票有效" in public


def test_the_proxy_page_warns_and_has_no_default_unit(client, vote, estate, compound_staff, second_staff):
    submit("online", vote, estate, compound_staff, second_staff)
    client.force_login(compound_staff)
    page = client.get(f"/votes/{vote.pk}/proxy/").content.decode()
    assert "selected" not in page.split('name="unit"')[1].split("</select>")[0]
    assert "selected" not in page.split('name="proxy"')[1].split("</select>")[0]
    form = {"unit": estate["units"]["301"].pk, "proxy": estate["owners"]["F"].person.pk, "choice": "no"}
    r = client.post(f"/votes/{vote.pk}/proxy/", {**form, "authorisation": SimpleUploadedFile("w.pdf", b"%PDF-1.4")})
    assert r.status_code == 400 and "通过线上投票" in r.content.decode()
    assert not BallotConflict.objects.exists()
    r = client.post(f"/votes/{vote.pk}/proxy/", {**form, "acknowledge_conflict": "on",
                                                 "authorisation": SimpleUploadedFile("w.pdf", b"%PDF-1.4")})
    assert r.status_code == 302 and BallotConflict.objects.get().channel == "proxy"


def test_the_api_says_when_an_online_ballot_is_held(client, vote, estate, compound_staff, second_staff):
    submit("paper", vote, estate, compound_staff, second_staff)
    client.force_login(estate["owners"]["E"])
    body = client.post(f"/api/votes/{vote.pk}/ballot", data={"choice": "yes"}, content_type="application/json").json()
    assert body["held"] is True and body["channel"] == "paper"
    assert Ballot.objects.get(vote=vote).choice == "no"
    assert client.get(f"/api/votes/{vote.pk}").json()["ballot_rule"] == "first"


# ---------------------------------------------------------------- two submissions at once


def _concurrent(*calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # surfaced by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


CONCURRENT = pytest.mark.skipif(
    connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME"),
    reason="threads need a database file (PostgreSQL, or SQLite with SQLITE_TEST_PATH); the in-memory test "
           "database is one connection")


@CONCURRENT
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("staff_channel", ["paper", "proxy"])
def test_two_concurrent_submissions_leave_one_ballot_and_a_recorded_conflict(staff_channel, estate, compound_staff,
                                                                            second_staff, media):
    vote = open_vote(estate, compound_staff)
    actions.announce_vote(vote, by=compound_staff)
    vote = make_open(vote)
    unit = estate["units"]["301"]
    if staff_channel == "paper":  # the first entry is in; the confirming entry races the owner's online ballot
        actions.enter_paper_ballot(vote, serial="R-1", unit=unit, choice="no", by=compound_staff)

        def staff():
            return actions.enter_paper_ballot(Vote.objects.get(pk=vote.pk), serial="R-1", unit=unit, choice="no",
                                              by=second_staff, acknowledge_conflict=True)
    else:
        def staff():
            return actions.cast_proxy_ballot(Vote.objects.get(pk=vote.pk), unit=unit,
                                             proxy=estate["owners"]["F"].person, choice="no", by=compound_staff,
                                             authorisation=SimpleUploadedFile("w.pdf", b"%PDF-1.4"),
                                             acknowledge_conflict=True)

    def owner():
        return actions.cast_ballot(Vote.objects.get(pk=vote.pk), by=estate["owners"]["E"], choice="yes")

    results, errors = _concurrent(owner, staff)
    assert errors == [] and len(results) == 2
    key = vote.roll.get(unit=unit).owner_key
    ballots = list(Ballot.objects.filter(vote=vote, owner_key=key))
    assert len(ballots) == 1  # one ballot per head
    held = BallotConflict.objects.filter(vote=vote, owner_key=key)
    assert held.count() == 1 and held.get().channel != ballots[0].channel  # the other one recorded, held
    assert Notification.objects.filter(user=estate["owners"]["E"], verb="assembly.ballot_conflict").count() == 1
    assert Event.objects.filter(verb="assembly.ballot_conflict").count() == 1


@CONCURRENT
@pytest.mark.django_db(transaction=True)
def test_a_clerk_who_did_not_see_the_race_is_stopped_not_overwriting(estate, compound_staff, second_staff, media):
    """The proxy clerk's page showed no ballot for 301; the owner's online ballot lands at the same moment:
    whichever commits second is either held (the owner's) or refused with the warning (the clerk's) —
    never a second counted ballot."""
    vote = make_open(actions.announce_vote(open_vote(estate, compound_staff), by=compound_staff))
    unit = estate["units"]["301"]
    results, errors = _concurrent(
        lambda: actions.cast_ballot(Vote.objects.get(pk=vote.pk), by=estate["owners"]["E"], choice="yes"),
        lambda: actions.cast_proxy_ballot(Vote.objects.get(pk=vote.pk), unit=unit,
                                          proxy=estate["owners"]["F"].person, choice="no", by=compound_staff,
                                          authorisation=SimpleUploadedFile("w.pdf", b"%PDF-1.4")))
    assert Ballot.objects.filter(vote=vote).count() == 1
    ballot = Ballot.objects.get(vote=vote)
    if ballot.channel == Channel.PROXY:  # the proxy won the race: the owner's online ballot is held
        assert errors == [] and BallotConflict.objects.get().channel == "online"
    else:  # the owner won: the clerk is shown the online ballot, nothing of theirs written
        assert len(errors) == 1 and "acknowledge_conflict" in errors[0].message_dict
        assert not BallotConflict.objects.exists()
    assert VoteStatus.ANNOUNCED == Vote.objects.get(pk=vote.pk).status
