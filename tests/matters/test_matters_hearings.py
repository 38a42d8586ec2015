"""民主听证: the group, sealed bids opened at the hearing, at least three bids before a decision, one opinion per
household (also when two arrive at once), and no final decision without the owners' vote the law requires."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from gongzhi.core.models import Event
from gongzhi.meetings import matters_actions as actions
from gongzhi.meetings.models import Bid, Hearing, HearingMember, Opinion

from .conftest import passed_vote, with_bids


def counts():
    return (Event.objects.count(), Bid.objects.count(), Opinion.objects.count(), HearingMember.objects.count(),
            list(Hearing.objects.values_list("status", flat=True)))


def test_a_hearing_with_fewer_than_three_bids_cannot_be_decided(hearing, community_staff):
    with_bids(hearing, community_staff, n=2)
    bid = hearing.bids.first()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        actions.decide_hearing(hearing, bid=bid, decision="选定供应商1", record="听证记录", by=community_staff)
    assert "bids" in exc.value.message_dict and "3家" in exc.value.message_dict["bids"][0]
    assert counts() == before
    assert "decide" not in actions.allowed_hearing_moves(hearing, community_staff)
    # a third supplier bids on the spot: now it can be decided
    actions.submit_bid(hearing, supplier="供应商3", price="301000", by=community_staff)
    assert "decide" in actions.allowed_hearing_moves(hearing, community_staff)
    decided = actions.decide_hearing(hearing, bid=bid, decision="选定供应商1", record="记录", by=community_staff)
    assert (decided.status, decided.decided_bid) == ("decided", bid)


def test_bids_must_be_opened_before_a_decision(hearing, community_staff):
    with_bids(hearing, community_staff, n=3, open_=False)
    with pytest.raises(ValidationError) as exc:
        actions.decide_hearing(hearing, bid=hearing.bids.first(), decision="d", record="r", by=community_staff)
    assert "status" in exc.value.message_dict


def test_sealed_prices_stay_out_of_the_audit_trail_until_opened(hearing, community_staff):
    actions.submit_bid(hearing, supplier="甲电梯公司", price="299000.50", by=community_staff)
    assert "price" not in Event.objects.get(verb="meetings.submit_bid").after
    actions.open_bids(hearing, by=community_staff)
    assert Event.objects.get(verb="meetings.open_bids").after["bids"] == {"甲电梯公司": "299000.50"}


def test_needs_owners_vote_refuses_a_final_decision_without_the_vote(hearing, community_staff, steps):
    Hearing.objects.filter(pk=hearing.pk).update(needs_owners_vote=True)
    hearing.refresh_from_db()
    with_bids(hearing, community_staff)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        actions.decide_hearing(hearing, bid=hearing.bids.first(), decision="使用维修资金", record="r", by=community_staff)
    assert list(exc.value.message_dict) == ["owners_vote"]
    assert counts() == before
    actions.link_hearing_vote(hearing, vote=passed_vote(steps["tree"]["compound"]), by=community_staff)
    hearing.refresh_from_db()
    assert actions.decide_hearing(hearing, bid=hearing.bids.first(), decision="使用维修资金", record="r",
                                  by=community_staff).status == "decided"


def test_one_opinion_per_household(hearing, resident, community_staff, tree):
    actions.submit_opinion(hearing, household=tree["household"], choice="agree", by=resident)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        actions.submit_opinion(hearing, household=tree["household"], choice="disagree", by=resident)
    assert list(exc.value.message_dict) == ["household"]
    with pytest.raises(ValidationError):  # nor entered again on paper by the community
        actions.submit_opinion(hearing, household=tree["household"], choice="disagree", by=community_staff)
    assert counts() == before
    assert Opinion.objects.get().choice == "agree"
    assert "submit_opinion" not in actions.allowed_hearing_moves(hearing, resident)


def test_the_result_shows_turnout_over_the_compounds_households(hearing, resident, committee_member, tree):
    actions.submit_opinion(hearing, household=tree["household"], choice="agree", by=resident)
    actions.submit_opinion(hearing, household=tree["household2"], choice="abstain", by=committee_member)
    result = actions.poll_result(hearing)
    assert (result["answered"], result["households"], result["turnout"]) == (2, 2, 100.0)
    assert [(r["choice"], r["count"]) for r in result["rows"]] == [("agree", 1), ("disagree", 0), ("abstain", 1)]


def test_an_owner_answers_only_for_their_own_home(hearing, resident, other_resident, tree):
    before = counts()
    with pytest.raises(PermissionDenied):
        actions.submit_opinion(hearing, household=tree["household2"], choice="agree", by=resident)
    with pytest.raises(PermissionDenied):
        actions.submit_opinion(hearing, household=tree["other_household"], choice="agree", by=other_resident)
    with pytest.raises(ValidationError) as exc:  # a household of another compound, by an organiser
        actions.submit_opinion(hearing, household=tree["other_household"], choice="agree",
                               by=hearing.created_by)
    assert list(exc.value.message_dict) == ["household"]
    assert counts() == before


CONCURRENT = pytest.mark.skipif(
    connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME"),
    reason="threads need a database file (PostgreSQL, or SQLite with SQLITE_TEST_PATH)")


@CONCURRENT
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_opinions_for_one_household_leave_one(hearing, resident, community_staff, tree):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run(by, choice):
        try:
            barrier.wait()
            results.append(actions.submit_opinion(hearing, household=tree["household"], choice=choice, by=by))
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=args) for args in ((resident, "agree"),
                                                                    (community_staff, "disagree"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(results), len(errors)) == (1, 1)
    assert list(errors[0].message_dict) == ["household"]
    assert Opinion.objects.filter(hearing=hearing).count() == 1
    assert Event.objects.filter(verb="meetings.submit_opinion").count() == 1


@pytest.mark.parametrize(("field", "value"), [("supplier", ""), ("supplier", "长" * 121), ("price", ""),
                                              ("price", "0"), ("price", "-5"), ("price", "abc"),
                                              ("price", "99999999999"), ("price", "1.005"), ("terms", "长" * 2001)])
def test_bad_bids_name_the_field_and_write_nothing(hearing, community_staff, field, value):
    data = {"supplier": "甲电梯公司", "price": "298000", "terms": ""}
    data[field] = value
    before = counts()
    with pytest.raises(ValidationError) as exc:
        actions.submit_bid(hearing, by=community_staff, **data)
    assert list(exc.value.message_dict) == [field]
    assert counts() == before


def test_attachments_are_checked_by_their_first_bytes(hearing, community_staff):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        actions.submit_bid(hearing, supplier="甲", price="1000", by=community_staff,
                           attachment=SimpleUploadedFile("offer.pdf", b"MZ\x90\x00 not a pdf"))
    assert list(exc.value.message_dict) == ["attachment"]
    assert counts() == before
    bid = actions.submit_bid(hearing, supplier="甲", price=Decimal("1000"), by=community_staff,
                             attachment=SimpleUploadedFile("offer.pdf", b"%PDF-1.4 offer"))
    assert bid.attachment.name.endswith(".pdf")


def test_one_supplier_bids_once_and_a_member_joins_once(hearing, community_staff, resident):
    actions.submit_bid(hearing, supplier="甲", price="1000", by=community_staff)
    with pytest.raises(ValidationError) as exc:
        actions.submit_bid(hearing, supplier="甲", price="900", by=community_staff)
    assert list(exc.value.message_dict) == ["supplier"]
    actions.add_hearing_member(hearing, person=resident.person, group="owner_rep", by=community_staff)
    with pytest.raises(ValidationError) as exc:
        actions.add_hearing_member(hearing, person=resident.person, group="expert", by=community_staff)
    assert list(exc.value.message_dict) == ["person"]


@pytest.mark.parametrize("actor", ["resident", "property_staff", "grid_worker", "building_head", "outsider",
                                   "department_liaison", "volunteer"])
def test_only_organisers_run_the_hearing(request, hearing, actor):
    user = request.getfixturevalue(actor)
    before = counts()
    for call in (lambda: actions.submit_bid(hearing, supplier="甲", price="1", by=user),
                 lambda: actions.open_bids(hearing, by=user),
                 lambda: actions.add_hearing_member(hearing, person=user.person, group="expert", by=user),
                 lambda: actions.create_hearing(hearing.compound, by=user, subject="x", held_at=hearing.held_at)):
        with pytest.raises(PermissionDenied):
            call()
    assert counts() == before


def test_a_decided_hearing_is_closed(hearing, community_staff, resident, tree):
    with_bids(hearing, community_staff)
    actions.decide_hearing(hearing, bid=hearing.bids.first(), decision="d", record="r", by=community_staff)
    before = counts()
    for call in (lambda: actions.submit_bid(hearing, supplier="晚到", price="1", by=community_staff),
                 lambda: actions.submit_opinion(hearing, household=tree["household"], choice="agree", by=resident)):
        with pytest.raises(ValidationError):
            call()
    assert counts() == before
