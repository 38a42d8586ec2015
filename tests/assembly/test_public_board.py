"""A compound's public board (/public/<pk>/, site) shows what assembly publishes there: its announced votes."""

from gongzhi.assembly import actions

from .conftest import open_vote


def test_public_board_lists_announced_votes_and_no_names(client, estate, community_staff):
    draft = open_vote(estate, community_staff)
    response = client.get(f"/public/{estate['compound'].pk}/")
    assert response.status_code == 200 and draft.title not in response.content.decode()  # a draft is not public
    actions.announce_vote(draft, by=community_staff)
    page = client.get(f"/public/{estate['compound'].pk}/").content.decode()
    assert draft.title in page
    for owner in estate["owners"].values():
        assert owner.person.name not in page
    assert client.get(f"/public/{estate['units']['101'].pk}/").status_code == 404  # a compound's board only
