"""The roll is the snapshot taken at the announcement: an owner on it who sells afterwards still sees the
vote and votes (page and API) and keeps a working receipt; a buyer after the announcement is not on it."""

import datetime
import json

import pytest

from gongzhi.assembly import actions
from gongzhi.assembly.models import Ballot, Vote
from gongzhi.core.permissions import SYSTEM
from gongzhi.core.scope import bump_scope_versions
from gongzhi.people import actions as people_actions
from gongzhi.people.models import HouseholdMember

from ..conftest import make_account
from .conftest import make_open, open_vote


@pytest.fixture
def sold(estate, compound_staff):
    """The vote is announced; then F sells 302 to a buyer (F's ownership ends yesterday)."""
    vote = open_vote(estate, compound_staff)
    actions.announce_vote(vote, by=compound_staff)
    seller = estate["owners"]["F"]
    HouseholdMember.objects.filter(person=seller.person).update(
        end_date=datetime.date.today() - datetime.timedelta(days=1))
    buyer = make_account("buyer_f", place=estate["units"]["302"])
    people_actions.add_household_member(estate["units"]["302"], buyer.person, relation="owner", by=SYSTEM)
    bump_scope_versions([seller.person.pk, buyer.person.pk])
    return make_open(vote), seller, buyer


def test_the_seller_still_sees_the_vote_and_is_its_voter(sold):
    vote, seller, _buyer = sold
    assert Vote.objects.visible_to(seller).filter(pk=vote.pk).count() == 1  # one row, not one per roll entry
    assert actions.heads_of(seller, vote) == [vote.roll.get(unit__name="302").owner_key]


def test_the_seller_votes_on_the_page_and_the_receipt_works(client, sold):
    vote, seller, _buyer = sold
    client.force_login(seller)
    page = client.get(f"/votes/{vote.pk}/")
    assert page.status_code == 200 and 'data-testid="cast"' in page.content.decode()
    key = actions.heads_of(seller, vote)[0]
    assert client.post(f"/votes/{vote.pk}/cast/", {"owner_key": key, "h0-choice": "no"}).status_code == 302
    ballot = Ballot.objects.get(vote=vote)
    assert (ballot.owner_key, ballot.choice) == (key, "no")
    client.logout()
    public = client.get(f"/public/votes/{vote.pk}/?receipt={ballot.receipt}").content.decode()
    assert 'data-testid="receipt-received"' in public


def test_the_seller_votes_over_the_api(client, sold):
    vote, seller, _buyer = sold
    client.force_login(seller)
    assert client.get(f"/api/votes/{vote.pk}").status_code == 200
    r = client.post(f"/api/votes/{vote.pk}/ballot", data=json.dumps({"choice": "yes"}),
                    content_type="application/json")
    assert r.status_code == 200 and Ballot.objects.get(vote=vote).receipt == r.json()["receipt"]


def test_the_buyer_after_the_announcement_cannot_vote(client, sold):
    vote, _seller, buyer = sold
    assert actions.heads_of(buyer, vote) == []
    client.force_login(buyer)
    page = client.get(f"/votes/{vote.pk}/")  # the buyer lives in the compound: may read the vote
    assert page.status_code == 200 and 'data-testid="cast"' not in page.content.decode()
    r = client.post(f"/api/votes/{vote.pk}/ballot", data=json.dumps({"choice": "yes"}),
                    content_type="application/json")
    assert r.status_code == 403
    r = client.post(f"/votes/{vote.pk}/cast/", {"owner_key": "", "h0-choice": "yes"}, follow=True)
    assert "您不在本次表决的投票权登记中" in r.content.decode()
    assert not Ballot.objects.filter(vote=vote).exists()


def test_a_draft_is_not_shown_to_the_roll_of_another_vote(estate, compound_staff, sold):
    _vote, seller, _buyer = sold
    draft = open_vote(estate, compound_staff)
    assert not Vote.objects.visible_to(seller).filter(pk=draft.pk).exists()
