"""The new-vote form offers each role only what its submit accepts: the owners' committee puts questions to
its compound (no election kind, no 从多 switch); the street and community also run elections. The rule for a
head with ballots by several channels is chosen here and shown on the vote's pages."""

import datetime
import re

from django.utils import timezone

from gongzhi.assembly.models import BallotRule, Vote


def _options(html: str, name: str) -> list[str]:
    select = html.split(f'name="{name}"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"', select)


def _post(estate, **over):
    now = timezone.localtime()
    return {"compound": estate["compound"].pk, "kind": "question", "matter": "hire_manager", "title": "续聘物业",
            "question": "是否续聘？", "notice_days": 15, "ballot_rule": "first",
            "opens_at": (now + datetime.timedelta(days=16)).strftime("%Y-%m-%d %H:%M"),
            "closes_at": (now + datetime.timedelta(days=30)).strftime("%Y-%m-%d %H:%M"), **over}


def test_the_committee_is_offered_questions_only(client, estate, estate_committee):
    client.force_login(estate_committee)
    html = client.get("/votes/new/").content.decode()
    assert _options(html, "kind") == ["question"]
    assert "elect_committee" not in _options(html, "matter")
    assert 'name="seats"' not in html and 'name="count_non_voters_with_majority"' not in html
    assert _options(html, "ballot_rule") == list(BallotRule.values)


def test_a_forged_election_from_the_committee_is_a_form_error_not_a_403(client, estate, estate_committee):
    client.force_login(estate_committee)
    r = client.post("/votes/new/", _post(estate, kind="election", matter="elect_committee", seats=5))
    errors = re.findall(r'id="id_(\w+)-error">([^<]*)<', r.content.decode())
    assert r.status_code == 200
    assert [(field, "election 不在可用的选项中" in text) for field, text in errors][0] == ("kind", True)
    assert not Vote.objects.exists()
    r = client.post("/votes/new/", _post(estate, count_non_voters_with_majority="on"))
    assert r.status_code == 302  # the switch it was not shown is not read
    assert Vote.objects.get().count_non_voters_with_majority is False


def test_staff_are_offered_elections_and_the_majority_switch(client, estate, compound_staff):
    client.force_login(compound_staff)
    html = client.get("/votes/new/").content.decode()
    assert _options(html, "kind") == ["question", "election"]
    assert 'name="seats"' in html and 'name="count_non_voters_with_majority"' in html


def test_the_chosen_ballot_rule_is_kept_and_shown(client, estate, compound_staff):
    client.force_login(compound_staff)
    r = client.post("/votes/new/", _post(estate, ballot_rule="written"))
    assert r.status_code == 302
    vote = Vote.objects.get()
    assert vote.ballot_rule == BallotRule.WRITTEN
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert "书面选票（纸质或委托）优先于线上投票" in page.split('data-testid="ballot-rule"')[1].split("</p>")[0]
    r = client.post("/votes/new/", _post(estate, ballot_rule="coin"))
    assert r.status_code == 200 and Vote.objects.count() == 1
