"""The developer's units (unsold, or sold but not yet delivered: 司法解释第九条) are recorded on the household,
never guessed from a missing owner: a unit with neither an owner nor the mark stops the announcement."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.assembly import actions
from gongzhi.assembly.models import RollEntry, Vote, VoteStatus
from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.places import actions as place_actions
from gongzhi.places.models import Kind, Place

from .conftest import open_vote

pytestmark = pytest.mark.django_db


def test_an_ownerless_unit_not_marked_is_refused_with_its_name(estate, compound_staff):
    Place.objects.filter(pk=estate["units"]["402"].pk).update(developer_held=False)
    vote = open_vote(estate, compound_staff)
    with pytest.raises(ValidationError) as exc:
        actions.announce_vote(vote, by=compound_staff)
    text = "；".join(exc.value.messages)
    assert "以下户没有登记业主" in text and "HP-402" in text and "建设单位未售出或未交付" in text
    vote.refresh_from_db()
    assert vote.status == VoteStatus.DRAFT and not RollEntry.objects.filter(vote=vote).exists()
    assert not Event.objects.filter(verb="assembly.announce_vote").exists()


def test_the_refusal_lists_ten_units_and_the_count(estate, compound_staff):
    building = estate["units"]["401"].parent
    for i in range(12):
        place_actions.create_place(parent=building, kind=Kind.HOUSEHOLD, name=f"5{i:02d}", code=f"HP-5{i:02d}",
                                   registered_area="50", by=SYSTEM)
    vote = open_vote(estate, compound_staff)
    with pytest.raises(ValidationError) as exc:
        actions.announce_vote(vote, by=compound_staff)
    text = "；".join(exc.value.messages)
    assert "HP-509" in text and "HP-510" not in text and "等12户" in text


def test_a_marked_unit_with_a_recorded_buyer_counts_with_the_developer(estate, compound_staff):
    """401 is sold to G but not yet delivered: with 402 it is the developer's one head, G is on no roll."""
    place_actions.update_place(estate["units"]["401"], developer_held=True, by=SYSTEM)
    vote = open_vote(estate, compound_staff)
    actions.announce_vote(vote, by=compound_staff)
    roll = {e.unit.name: e for e in RollEntry.objects.filter(vote=vote).select_related("unit")}
    assert roll["401"].owner_key == roll["402"].owner_key == actions.DEVELOPER_KEY
    assert roll["401"].developer_unsold and roll["401"].representative is None
    assert actions.heads_of(estate["owners"]["G"], vote) == []
    assert Vote.objects.get(pk=vote.pk).status == VoteStatus.ANNOUNCED
    assert len({e.owner_key for e in roll.values()}) == 6  # A, B, C+D, E, F, the developer


def test_the_mark_is_only_for_households(estate):
    with pytest.raises(ValidationError) as exc:
        place_actions.update_place(estate["compound"], developer_held=True, by=SYSTEM)
    assert "developer_held" in exc.value.message_dict
    assert not Place.objects.get(pk=estate["compound"].pk).developer_held


def test_the_household_edit_page_shows_and_keeps_the_mark(client, estate, tree, orgs):
    from ..conftest import make_account

    staff = make_account("hp_editor", place=tree["community"], posts=[
        (orgs["community_office"], "community_worker", tree["community"])])
    client.force_login(staff)
    unit = estate["units"]["301"]
    page = client.get(f"/places/{unit.pk}/edit/").content.decode()
    assert 'name="developer_held"' in page
    assert 'name="developer_held"' not in client.get(f"/places/{estate['compound'].pk}/edit/").content.decode()
    r = client.post(f"/places/{unit.pk}/edit/", {"name": "301", "code": "HP-301", "registered_area": "80",
                                                 "developer_held": "on"})
    assert r.status_code == 302
    assert Place.objects.get(pk=unit.pk).developer_held
    assert Event.objects.filter(verb="places.update_place", after__developer_held=True).exists()
    page = client.get(f"/places/{unit.pk}/edit/").content.decode()
    assert "checked" in page.split('name="developer_held"')[0].rsplit("<input", 1)[1] + \
        page.split('name="developer_held"')[1].split(">", 1)[0]
