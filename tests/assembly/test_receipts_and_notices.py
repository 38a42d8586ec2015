"""After the close an owner still sees their own ballot's receipt (and their own choice, never anyone
else's) with a link to check it; owners on the roll are told when a vote is announced and counted."""

import pytest

from gongzhi.assembly import actions
from gongzhi.assembly.models import Vote, VoteStatus
from gongzhi.notices.models import Notification

from .conftest import make_closed, make_open, open_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def vote(estate, compound_staff):
    v = open_vote(estate, compound_staff)
    actions.announce_vote(v, by=compound_staff)
    return make_open(v)


def test_after_the_close_the_owner_still_sees_the_receipt(client, vote, estate, compound_staff):
    b = actions.cast_ballot(vote, by=estate["owners"]["B"], owner_key=actions.heads_of(estate["owners"]["B"], vote)[0],
                            choice="no")
    e = actions.cast_ballot(vote, by=estate["owners"]["E"], owner_key=actions.heads_of(estate["owners"]["E"], vote)[0],
                            choice="yes")
    make_closed(vote)
    client.force_login(estate["owners"]["B"])
    for state in ("closed", "tallied"):
        page = client.get(f"/votes/{vote.pk}/").content.decode()
        assert 'data-testid="my-receipt"' in page and b.receipt in page, state
        assert f"?receipt={b.receipt}" in page
        mine = page.split('data-testid="my-receipt"')[1].split("</section>")[0]
        assert "反对" in mine and "同意" not in mine  # B's own choice
        assert e.receipt not in page  # never someone else's ballot
        assert 'data-testid="cast"' not in page
        if state == "closed":
            actions.tally_vote(vote, by=compound_staff)
    assert Vote.objects.get(pk=vote.pk).status == VoteStatus.CLOSED
    public = client.get(f"/public/votes/{vote.pk}/?receipt={b.receipt}").content.decode()
    assert 'data-testid="receipt-ok"' in public


def test_an_owner_who_did_not_vote_is_told_so_and_others_see_nothing(client, vote, estate):
    make_closed(vote)
    client.force_login(estate["owners"]["F"])
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert 'data-testid="my-receipt"' in page and "本次表决您没有投票" in page
    client.force_login(estate["owners"]["D"])  # co-owner, not the representative: no head of their own
    assert 'data-testid="my-receipt"' not in client.get(f"/votes/{vote.pk}/").content.decode()


def test_a_co_owner_is_told_who_votes_for_the_unit_and_how_to_change_it(client, vote, estate):
    client.force_login(estate["owners"]["D"])
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert 'data-testid="cast"' not in page
    note = page.split('data-testid="represented-by"')[1].split("</p>")[0]
    assert "HP-202" in note and estate["owners"]["C"].person.name in note and "代表投票" in note
    assert "更换代表人" in note
    card = client.get("/").content.decode().split('data-testid="open-vote"')[1].split("</a>")[0]
    assert "本户由代表人投票" in card and "请点此投票" not in card
    client.force_login(estate["owners"]["C"])  # the representative votes and gets no such note
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert 'data-testid="represented-by"' not in page and 'data-testid="cast"' in page
    assert "请点此投票" in client.get("/").content.decode().split('data-testid="open-vote"')[1].split("</a>")[0]


def test_the_home_card_no_longer_asks_an_owner_who_voted(client, vote, estate):
    owner = estate["owners"]["B"]
    client.force_login(owner)
    card = client.get("/").content.decode().split('data-testid="open-vote"')[1].split("</a>")[0]
    assert "请点此投票" in card and "您已投票" not in card
    actions.cast_ballot(vote, by=owner, owner_key=actions.heads_of(owner, vote)[0], choice="yes")
    card = client.get("/").content.decode().split('data-testid="open-vote"')[1].split("</a>")[0]
    assert "您已投票" in card and "请点此投票" not in card


def test_no_receipt_section_while_voting_is_open(client, vote, estate):
    client.force_login(estate["owners"]["B"])
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert 'data-testid="my-receipt"' not in page and 'data-testid="cast"' in page


def test_each_owner_with_an_account_is_told_once_on_announce_and_tally(estate, compound_staff):
    owners = estate["owners"]
    expected = {owners[k].pk for k in "ABCDEFG"}  # D co-owns 202 (C represents it) and is told too; 402: developer
    vote = open_vote(estate, compound_staff)
    assert not Notification.objects.exists()
    actions.announce_vote(vote, by=compound_staff)
    sent = list(Notification.objects.filter(verb="assembly.announce_vote"))
    assert sorted(n.user_id for n in sent) == sorted(expected)  # one each (A owns two units: still one)
    assert all(vote.title in n.text and "投票时间" in n.text and n.link == f"/votes/{vote.pk}/" for n in sent)
    co_owner = next(n for n in sent if n.user_id == owners["D"].pk)
    assert "由本户的代表人提交" in co_owner.text
    assert "代表人" not in next(n for n in sent if n.user_id == owners["C"].pk).text
    assert Notification.objects.count() == len(expected)
    make_closed(vote)
    actions.tally_vote(vote, by=compound_staff)
    told = list(Notification.objects.filter(verb="assembly.tally_vote"))
    assert sorted(n.user_id for n in told) == sorted(expected)
    assert all(n.link == f"/public/votes/{vote.pk}/" for n in told)
    assert compound_staff.pk not in {n.user_id for n in Notification.objects.all()}


def test_a_refused_announcement_tells_nobody(estate, compound_staff):
    from gongzhi.places.models import Place

    Place.objects.filter(pk=estate["units"]["402"].pk).update(developer_held=False)
    vote = open_vote(estate, compound_staff)
    with pytest.raises(Exception, match="没有登记业主"):
        actions.announce_vote(vote, by=compound_staff)
    assert not Notification.objects.exists()


def test_the_organiser_can_cancel_from_the_page_with_a_reason(client, vote, estate, compound_staff):
    client.force_login(estate["owners"]["B"])
    assert 'data-testid="cancel"' not in client.get(f"/votes/{vote.pk}/").content.decode()
    assert client.post(f"/votes/{vote.pk}/cancel/", {"reason": "x"}).status_code == 403
    client.force_login(compound_staff)
    assert 'data-testid="cancel"' in client.get(f"/votes/{vote.pk}/").content.decode()
    r = client.post(f"/votes/{vote.pk}/cancel/", {"reason": ""}, follow=True)
    assert "请填写理由" in r.content.decode()
    assert Vote.objects.get(pk=vote.pk).status == VoteStatus.ANNOUNCED
    r = client.post(f"/votes/{vote.pk}/cancel/", {"reason": "物业合同已另行续签"}, follow=True)
    assert "表决已取消" in r.content.decode()
    assert Vote.objects.get(pk=vote.pk).status == VoteStatus.CANCELLED
