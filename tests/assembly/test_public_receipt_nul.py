"""The anonymous 公示 page's receipt check: a NUL in the receipt is a 400 page, not a database error."""

from gongzhi.assembly import actions

from .conftest import make_open, open_vote


def test_a_receipt_with_nul_is_a_400_page(client, estate, compound_staff):
    vote = open_vote(estate, compound_staff)
    actions.announce_vote(vote, by=compound_staff)
    vote = make_open(vote)
    assert client.get(f"/public/votes/{vote.pk}/?receipt=ab").status_code == 200
    r = client.get(f"/public/votes/{vote.pk}/?receipt=a%00b")
    assert r.status_code == 400 and "不能包含空字符（\\0）" in r.content.decode()
