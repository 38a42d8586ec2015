"""Demo records of owners' votes (``seed_demo``): 尚书苑 has an open vote on renewing the property company
(the demo resident can vote); 青年路小区 a finished 业委会 re-election of 7 (seed 004); and over the past year,
organised by the community over each compound,
the votes a street sees (:data:`PAST_VOTES`): the maintenance fund used for lifts and roofs, a 管理规约
revised, a charging-pile lease on common ground that missed its 3/4, a vote that fell short of the quorum,
each counted by the app's own tally. Registered as a demo step in ``shell.py``."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.people.models import HouseholdMember, Position, Relation, Title

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


# past votes: (compound index, matter, title, question, months ago it closed, turnout, share of yes among voters)
PAST_VOTES = [
    (0, Matter.USE_MAINTENANCE_FUND, "关于使用专项维修资金更换尚书苑3号楼电梯的表决",
     "3号楼两部电梯已运行二十年，经检测需整体更换。是否同意使用专项维修资金约68万元更换，按楼栋分摊？", 10, 0.86, 0.9),
    (2, Matter.MANAGEMENT_STATUTE, "关于修订《莲湖花园管理规约》的表决",
     "修订管理规约中的车辆停放、宠物饲养和装修管理条款（修订稿已在公示栏张贴）。是否同意？", 8, 0.78, 0.81),
    (4, Matter.CHANGE_COMMON_USE, "关于在糖坊街小区北侧空地建设新能源汽车充电桩并出租经营的表决",
     "拟将北侧空地约300平方米出租给充电运营企业建设充电桩，租金收益归全体业主。是否同意？", 6, 0.8, 0.62),
    (7, Matter.USE_MAINTENANCE_FUND, "关于使用专项维修资金维修安定苑屋面防水的表决",
     "安定苑1至4号楼屋面多处渗漏。是否同意使用专项维修资金约21万元进行屋面防水维修？", 4, 0.71, 0.88),
    (9, Matter.OTHER_MAJOR, "关于桃园新村增设非机动车棚的表决",
     "拟在小区东门内侧增设两处非机动车棚及充电设施，费用由公共收益列支。是否同意？", 2, 0.55, 0.93),
]


def _past(vote, closed_days_ago: float, *, days_open: int = 14) -> None:
    """Demo history: move an announced vote's whole window into the past."""
    closes = timezone.now() - datetime.timedelta(days=closed_days_ago)
    opens = closes - datetime.timedelta(days=days_open)
    Vote.objects.filter(pk=vote.pk).update(announced_at=opens - datetime.timedelta(days=vote.notice_days),
                                           opens_at=opens, closes_at=closes)
    vote.refresh_from_db()


def _organiser_of(compound):
    """A community worker over the compound (not a demo account: their own 最近操作 stays about today), the
    community's secretary where there is no one else."""
    titles = [Title.COMMUNITY_WORKER, Title.COMMUNITY_DIRECTOR, Title.COMMUNITY_SECRETARY]
    posts = sorted(Position.objects.filter(title__in=titles, end_date__isnull=True, person__user__isnull=False)
                   .select_related("place", "person__user"), key=lambda p: (titles.index(p.title), p.pk))
    over = [p.person.user for p in posts if compound.path.startswith(p.place.path)]
    for user in over:
        if not user.has_usable_password():  # the demo accounts are the ones with a password
            return user
    return over[0]


def _past_votes(rng, compounds) -> None:
    """Each vote announced, voted (online mostly, some on paper) and counted by ``tally_vote``, the
    count dated the day after its close."""
    for index, matter, title, question, months, turnout, yes in PAST_VOTES:
        now = timezone.now()
        organiser = _organiser_of(compounds[index])
        vote = votes.create_vote(compound=compounds[index], kind="question", matter=matter, title=title,
                                 question=question, opens_at=now + datetime.timedelta(days=16),
                                 closes_at=now + datetime.timedelta(days=30), by=organiser)
        votes.announce_vote(vote, by=organiser)
        closed_days_ago = months * 30.4 + rng.uniform(-5, 5)
        _past(vote, closed_days_ago)
        ballots = []
        for key in vote.roll.exclude(developer_unsold=True).values_list("owner_key", flat=True).distinct():
            if rng.random() < turnout:
                choice = "yes" if rng.random() < yes else rng.choice(["no", "no", "abstain"])
                ballots.append(Ballot(vote=vote, owner_key=key, choice=choice,
                                      channel="online" if rng.random() < 0.7 else "paper"))
        Ballot.objects.bulk_create(ballots)  # demo history: cast during the window
        BallotLog.objects.bulk_create(BallotLog(ballot=b, kind=BallotLog.Kind.CAST, channel=b.channel)
                                      for b in ballots)
        votes.tally_vote(vote, by=organiser)
        # the vote's own dates say when it was counted; its audit events keep the time of seeding (the log
        # is append-only: nothing, the demo included, rewrites it)
        Vote.objects.filter(pk=vote.pk).update(tallied_at=vote.closes_at + datetime.timedelta(hours=20))


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
    _past_votes(rng, compounds)
