"""Vote pages: an owner votes and gets a receipt; the public page checks it without revealing the choice;
paper double entry; organiser moves; who sees what."""

import pytest

from gongzhi.assembly import actions
from gongzhi.assembly.models import Ballot, Vote, VoteStatus

from ..conftest import ROLES
from .conftest import make_closed, make_open, open_vote


@pytest.fixture
def vote(estate, compound_staff):
    v = open_vote(estate, compound_staff)
    actions.announce_vote(v, by=compound_staff)
    return make_open(v)


def test_owner_votes_on_the_page_and_checks_the_receipt_publicly(client, vote, estate, compound_staff):
    owner = estate["owners"]["B"]
    client.force_login(owner)
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert 'data-testid="cast"' in page
    key = actions.heads_of(owner, vote)[0]
    r = client.post(f"/votes/{vote.pk}/cast/", {"owner_key": key, "h0-choice": "yes"})
    assert r.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.receipt in client.get(f"/votes/{vote.pk}/").content.decode()
    client.logout()
    public = client.get(f"/public/votes/{vote.pk}/?receipt={ballot.receipt.lower()}").content.decode()
    # the vote is still open: received, not yet counted
    assert "已收到，待计票" in public and "已计入" not in public
    assert "同意" not in public.split("核验我的选票")[1]
    assert "没有找到" in client.get(f"/public/votes/{vote.pk}/?receipt=FFFFFF").content.decode()


def test_bad_ballot_is_a_clear_error(client, vote, estate):
    owner = estate["owners"]["B"]
    client.force_login(owner)
    key = actions.heads_of(owner, vote)[0]
    r = client.post(f"/votes/{vote.pk}/cast/", {"owner_key": key, "h0-choice": "maybe"})
    assert r.status_code == 400 and Ballot.objects.count() == 0


def test_non_owner_gets_a_reason_and_writes_nothing(client, vote, estate, resident):
    client.force_login(estate["owners"]["D"])  # co-owner who is not the representative
    r = client.post(f"/votes/{vote.pk}/cast/", {"owner_key": "p1", "h0-choice": "yes"}, follow=True)
    assert r.status_code == 200 and Ballot.objects.count() == 0


def test_paper_double_entry_through_the_page(client, vote, estate, compound_staff, second_staff):
    unit = estate["units"]["401"]
    client.force_login(compound_staff)
    r = client.post(f"/votes/{vote.pk}/paper/", {"serial": "P-9", "unit": unit.pk, "choice": "no"}, follow=True)
    assert "等待另一名工作人员复核录入" in r.content.decode()
    r = client.post(f"/votes/{vote.pk}/paper/", {"serial": "P-9", "unit": unit.pk, "choice": "no"})
    assert r.status_code == 400 and "复核录入须由另一名工作人员完成" in r.content.decode()
    client.force_login(second_staff)
    r = client.post(f"/votes/{vote.pk}/paper/", {"serial": "P-9", "unit": unit.pk, "choice": "no"}, follow=True)
    assert "两次录入一致" in r.content.decode()
    assert Ballot.objects.get().choice == "no"
    entry = r.content.decode().split('data-testid="paper-entry"')[1].split("</li>")[0]
    # the clerk by name, not by account
    assert f"· {second_staff.person.name} ·" in entry and f"· {second_staff.username} ·" not in entry


def test_tally_page_and_public_result(client, vote, estate, compound_staff):
    for key in "ABCEFG":
        actions.cast_ballot(vote, by=estate["owners"][key], choice="yes")
    make_closed(vote)
    client.force_login(compound_staff)
    assert client.post(f"/votes/{vote.pk}/tally/").status_code == 302
    assert Vote.objects.get(pk=vote.pk).status == VoteStatus.CLOSED
    client.logout()
    html = client.get(f"/public/votes/{vote.pk}/").content.decode()
    assert "表决通过" in html and "参与表决面积" in html and "1号楼" in html
    r = client.get(f"/public/votes/{vote.pk}/result.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_drafts_are_not_public(client, estate, compound_staff):
    draft = open_vote(estate, compound_staff)
    assert client.get(f"/public/votes/{draft.pk}/").status_code == 404
    assert client.get(f"/public/votes/{draft.pk}/result.xlsx").status_code == 404


def test_create_vote_page_validates(client, estate, compound_staff):
    client.force_login(compound_staff)
    r = client.post("/votes/new/", {"compound": estate["compound"].pk, "kind": "question", "matter": "rebuild",
                                    "title": "", "question": "q", "opens_at": "2027-01-20T09:00",
                                    "closes_at": "2027-01-10T09:00", "notice_days": "10"})
    html = r.content.decode()
    assert "标题不能为空" in html and "公告期不得少于15天" in html
    assert Vote.objects.count() == 0


SEES = {"street_staff", "community_staff", "grid_worker"}


@pytest.mark.parametrize("role", ROLES)
def test_vote_pages_scope(request, client, vote, estate, role):
    # the estate lies in the first community's second grid
    user = request.getfixturevalue(role)
    client.force_login(user)
    r = client.get(f"/votes/{vote.pk}/")
    expected = 200 if role in {"street_staff", "community_staff"} else 404
    assert r.status_code == expected
    assert (vote.title in client.get("/votes/").content.decode()) is (expected == 200)
    r = client.post(f"/votes/{vote.pk}/tally/")
    assert r.status_code in (302, 403, 404)
    assert Vote.objects.get(pk=vote.pk).status == VoteStatus.ANNOUNCED
    r = client.get(f"/votes/{vote.pk}/paper/")
    assert r.status_code == (200 if expected == 200 else 404)


def test_owners_see_their_compounds_votes(client, vote, estate, resident):
    client.force_login(estate["owners"]["G"])
    assert client.get(f"/votes/{vote.pk}/").status_code == 200
    assert client.get(f"/votes/{vote.pk}/paper/").status_code == 403
    client.force_login(resident)  # lives in another compound
    assert client.get(f"/votes/{vote.pk}/").status_code == 404


def test_proxy_ballot_needs_an_authorisation(client, vote, estate, compound_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(compound_staff)
    unit, proxy = estate["units"]["401"], estate["owners"]["F"].person
    r = client.post(f"/votes/{vote.pk}/proxy/", {"unit": unit.pk, "proxy": proxy.pk, "choice": "yes"})
    assert r.status_code == 400 and "请上传委托书" in r.content.decode()
    assert Ballot.objects.count() == 0
    r = client.post(f"/votes/{vote.pk}/proxy/", {"unit": unit.pk, "proxy": proxy.pk, "choice": "yes",
                                                 "authorisation": SimpleUploadedFile("weituo.pdf", b"%PDF-1.4")})
    assert r.status_code == 302
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.proxy, ballot.choice) == ("proxy", proxy, "yes")


def test_compound_public_page_lists_announced_votes_only(client, vote, estate, compound_staff):
    draft = open_vote(estate, compound_staff)
    html = client.get(f"/public/votes/compound/{estate['compound'].pk}/").content.decode()
    assert f"/public/votes/{vote.pk}/" in html and f"/public/votes/{draft.pk}/" not in html
    assert client.get(f"/public/votes/{vote.pk}/attachment/").status_code == 404
