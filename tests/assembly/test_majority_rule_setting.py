"""从多 on a vote: only street or community staff may switch it on (audited); the result always says so,
and the quorum is the owners who really took part."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.assembly import actions
from gongzhi.assembly.models import Vote
from gongzhi.core.models import Event

from ..conftest import make_account
from .conftest import make_closed, make_open


def _create(estate, by, majority):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    return actions.create_vote(compound=estate["compound"], kind="question", matter="hire_manager",
                               title="续聘物业", question="是否续聘？", opens_at=now + datetime.timedelta(days=16),
                               closes_at=now + datetime.timedelta(days=30), by=by,
                               count_non_voters_with_majority=majority)


@pytest.fixture
def committee_member(estate, orgs):
    from gongzhi.people.models import Organisation

    committee = Organisation.objects.create(kind="owners_committee", place=estate["compound"], name="和平苑业委会")
    return make_account("hp_committee", place=estate["compound"],
                        posts=[(committee, "committee_member", estate["compound"])])


def test_the_owners_committee_cannot_switch_it_on(estate, committee_member):
    with pytest.raises(ValidationError) as exc:
        _create(estate, committee_member, True)
    assert "count_non_voters_with_majority" in exc.value.message_dict
    assert not Vote.objects.exists()
    assert _create(estate, committee_member, False).count_non_voters_with_majority is False


def test_community_staff_switch_it_on_and_it_is_audited(estate, compound_staff):
    vote = _create(estate, compound_staff, True)
    event = Event.objects.get(verb="assembly.create_vote", target_id=str(vote.pk))
    assert event.after["count_non_voters_with_majority"] is True


def _counted(estate, staff, voters):
    vote = _create(estate, staff, True)
    actions.announce_vote(vote, by=staff)
    make_open(vote)
    for key, choice in voters.items():
        actions.cast_ballot(vote, by=estate["owners"][key], choice=choice)
    make_closed(vote)
    actions.tally_vote(vote, by=staff)
    return Vote.objects.get(pk=vote.pk)


def test_a_vote_with_few_voters_is_not_made_quorate(client, estate, compound_staff):
    vote = _counted(estate, compound_staff, {"A": "yes", "B": "yes"})
    q = vote.result["question"]
    assert q["participating_heads"] == 2 and q["quorum_met"] is False and q["passed"] is False
    assert q["non_voters_added_to"] == "yes"
    html = client.get(f"/public/votes/{vote.pk}/").content.decode()
    assert 'data-testid="majority-rule-note"' in html and "仅在计算同意比例时计入同意一方" in html


def test_the_note_shows_even_when_nobody_was_added(client, estate, compound_staff):
    vote = _counted(estate, compound_staff, {"A": "yes", "E": "no", "F": "no"})
    assert vote.result["question"]["non_voters_added_to"] is None  # 150 ㎡ yes, 80 + 70 ㎡ no: a tie
    html = client.get(f"/public/votes/{vote.pk}/").content.decode()
    assert 'data-testid="majority-rule-note"' in html
