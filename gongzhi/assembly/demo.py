"""Demo records of owners' votes (``seed_demo``): 尚书苑 has an open vote on renewing the property company
(the demo resident can vote); 青年路小区 a finished 业委会 re-election of 7 (seed 004). Registered as a
demo step in ``shell.py``."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.people.models import HouseholdMember, Relation

from . import actions as votes
from .models import Ballot, BallotLog, Vote
from .rules import Matter


def _shift(vote, *, opened_days_ago: float, closes_in_days: float) -> None:
    """Demo history: place an announced vote's window around today (the notice period already served)."""
    now = timezone.now()
    Vote.objects.filter(pk=vote.pk).update(
        announced_at=now - datetime.timedelta(days=opened_days_ago + vote.notice_days),
        opens_at=now - datetime.timedelta(days=opened_days_ago),
        closes_at=now + datetime.timedelta(days=closes_in_days))
    vote.refresh_from_db()


def seed_votes(street) -> None:
    """``street``: the demo street's ``DemoStreet``."""
    rng, compounds = street.rng, street.compounds
    User = get_user_model()
    community = User.objects.get(username="community")
    now = timezone.now()
    renew = votes.create_vote(compound=compounds[0], kind="question", matter=Matter.HIRE_MANAGER,
                              title="关于续聘西安万科物业服务有限公司的表决",
                              question="尚书苑物业服务合同将于年底到期。是否同意续聘西安万科物业服务有限公司，服务标准和收费标准不变，合同期三年？",
                              opens_at=now + datetime.timedelta(days=16), closes_at=now + datetime.timedelta(days=30),
                              by=community)
    votes.announce_vote(renew, by=community)
    _shift(renew, opened_days_ago=3, closes_in_days=11)
    election = votes.create_vote(compound=compounds[1], kind="election", matter=Matter.ELECT_COMMITTEE, seats=7,
                                 title="青年路小区第二届业主委员会换届选举",
                                 question="选举第二届业主委员会委员7名，任期五年。每张选票最多选择7人。",
                                 opens_at=now + datetime.timedelta(days=16),
                                 closes_at=now + datetime.timedelta(days=30), by=community)
    owners = list(HouseholdMember.objects.current().filter(place__path__startswith=compounds[1].path,
                                                           relation=Relation.OWNER, is_representative=True)
                  .select_related("person").order_by("pk"))
    party = [m.person for m in owners if m.person.is_party_member][:5]
    others = [m.person for m in owners if not m.person.is_party_member][:4]
    for person in party + others:
        c = votes.nominate_candidate(election, person=person, by=community,
                                     nominated_by="party_branch" if person.is_party_member else "owners")
        votes.vet_candidate(c, approved=True, reason="", by=community)
    votes.announce_vote(election, by=community)
    _shift(election, opened_days_ago=10, closes_in_days=1)
    candidates = list(election.candidates.order_by("pk").values_list("pk", flat=True))

    ballots = []
    for entry in election.roll.exclude(developer_unsold=True).values_list("owner_key", flat=True).distinct():
        if rng.random() < 0.82:
            ballots.append(Ballot(vote=election, owner_key=entry, channel="paper",
                                  candidates=sorted(rng.sample(candidates[:7], 6) + rng.sample(candidates[7:], 1))))
    Ballot.objects.bulk_create(ballots)  # demo history: paper ballots already counted in by two clerks
    BallotLog.objects.bulk_create(BallotLog(ballot=b, kind=BallotLog.Kind.CAST, channel=b.channel) for b in ballots)

    Vote.objects.filter(pk=election.pk).update(closes_at=now - datetime.timedelta(hours=1))
    election.refresh_from_db()
    votes.tally_vote(election, by=community)
