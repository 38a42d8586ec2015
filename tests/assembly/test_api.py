"""Votes over the API: scoped reads, one's own ballot, and a closed vote's ballots frozen."""

import json

import pytest

from gongzhi.assembly import actions
from gongzhi.assembly.models import Ballot

from ..conftest import ROLES
from .conftest import make_closed, make_open, open_vote


@pytest.fixture
def vote(estate, compound_staff):
    v = open_vote(estate, compound_staff)
    actions.announce_vote(v, by=compound_staff)
    return make_open(v)


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_owner_casts_and_changes_over_the_api(client, vote, estate):
    client.force_login(estate["owners"]["B"])
    r = post(client, f"/api/votes/{vote.pk}/ballot", {"choice": "no"})
    assert r.status_code == 200
    receipt = r.json()["receipt"]
    r = post(client, f"/api/votes/{vote.pk}/ballot", {"choice": "yes"})
    assert r.json()["receipt"] == receipt and Ballot.objects.get().choice == "yes"


def test_bad_choice_and_non_owner(client, vote, estate, community_staff):
    client.force_login(estate["owners"]["B"])
    r = post(client, f"/api/votes/{vote.pk}/ballot", {"choice": "maybe"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "choice"
    client.force_login(community_staff)
    assert post(client, f"/api/votes/{vote.pk}/ballot", {"choice": "yes"}).status_code == 403
    assert Ballot.objects.count() == 0


def test_a_closed_vote_cannot_be_changed_through_the_api(client, vote, estate, compound_staff):
    for key in "ABCEFG":
        actions.cast_ballot(vote, by=estate["owners"][key], choice="yes")
    make_closed(vote)
    actions.tally_vote(vote, by=compound_staff)
    client.force_login(estate["owners"]["B"])
    r = post(client, f"/api/votes/{vote.pk}/ballot", {"choice": "no"})
    assert r.status_code == 422 and r.json()["detail"][0]["msg"] == "表决已计票，选票不能再修改"
    assert Ballot.objects.filter(choice="no").count() == 0
    assert client.get(f"/api/votes/{vote.pk}").json()["result"]["question"]["passed"] is True


@pytest.mark.parametrize("role", ROLES)
def test_vote_api_scope(request, client, vote, role):
    client.force_login(request.getfixturevalue(role))
    sees = role in {"street_staff", "community_staff"}
    assert client.get(f"/api/votes/{vote.pk}").status_code == (200 if sees else 404)
    assert client.get("/api/votes").json()["count"] == (1 if sees else 0)
    assert post(client, f"/api/votes/{vote.pk}/ballot", {"choice": "yes"}).status_code in (403, 404)
    assert Ballot.objects.count() == 0
