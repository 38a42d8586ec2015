"""Every change to a vote: one transaction, one audit Event each. How someone voted is never written to
the audit trail (only that a ballot was cast or changed, and through which channel)."""

from __future__ import annotations

import datetime
import gc
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.models import Event
from gongzhi.core.permissions import require as _require
from gongzhi.core.permissions import user_of
from gongzhi.core.roles import Role
from gongzhi.core.scope import bump_scope_versions, user_roles
from gongzhi.notices.actions import notify
from gongzhi.people.events import Verb as PeopleVerb
from gongzhi.people.models import HouseholdMember, Organisation, OrgKind, Person, Position, Relation
from gongzhi.people.roles import Title
from gongzhi.places.models import STEP, Kind, Place

from . import rules
from .events import Verb
from .models import (
    Ballot,
    BallotChoice,
    BallotConflict,
    BallotLog,
    BallotRule,
    Candidate,
    CandidateFlag,
    Channel,
    NominatedBy,
    PaperEntry,
    RollEntry,
    Vetting,
    Vote,
    VoteKind,
    VoteStatus,
)
from .permissions import STAFF
from .uploads import check_upload

DEVELOPER_KEY = "developer"


def _lock(vote: Vote) -> Vote:
    return Vote.objects.select_for_update(of=("self",)).select_related("compound").get(pk=vote.pk)


def committee_size_bounds() -> tuple[int, int]:
    return settings.COMMITTEE_MIN_SEATS, settings.COMMITTEE_MAX_SEATS


# ---------------------------------------------------------------- what one may do now
#
# Each verb on a vote starts (on the locked row) with its _check_<move>(vote, by), which raises
# PermissionDenied (not this actor's right) or ValidationError (not in this state). allowed_moves runs the
# same checks without a lock, so what the pages and the API offer is what the verbs accept.


def _check_announce(vote: Vote, by) -> None:
    _require(by, "assembly.organise_vote", vote)
    if vote.status != VoteStatus.DRAFT:
        raise ValidationError({"status": _("只有草稿可以公告")})
    if vote.opens_at < timezone.now() + datetime.timedelta(days=vote.notice_days):
        raise ValidationError({"opens_at": _("投票开始时间须在公告之日起%(d)s天以后（公告期）") % {
            "d": vote.notice_days}})
    if vote.kind == VoteKind.ELECTION:
        approved = vote.candidates.filter(vetting=Vetting.APPROVED).count()
        if vote.candidates.filter(vetting=Vetting.PENDING).exists():
            raise ValidationError({"candidates": _("还有候选人未完成资格审查")})
        if approved < (vote.seats or 0):
            raise ValidationError({"candidates": _("审查通过的候选人（%(n)s人）少于应选人数（%(s)s人）") % {
                "n": approved, "s": vote.seats}})


def _check_cancel(vote: Vote, by) -> None:
    _require(by, "assembly.organise_vote", vote)
    if vote.status not in (VoteStatus.DRAFT, VoteStatus.ANNOUNCED):
        raise ValidationError({"status": _("已计票的表决不能取消")})


def _check_correct_roll(vote: Vote, by) -> None:
    _require(by, "assembly.organise_vote", vote)
    if vote.announced_at is None:  # a draft, or a vote cancelled before it was announced: no roll yet
        raise ValidationError({"status": _("投票权登记在公告时生成，未公告的表决没有可更正的登记")})


def _check_nominate(vote: Vote, by) -> None:
    _require(by, "assembly.vet_candidate", vote)
    if vote.kind != VoteKind.ELECTION or vote.status != VoteStatus.DRAFT:
        raise ValidationError({"status": _("只能在选举公告前提名候选人")})


def _check_vet(vote: Vote, by) -> None:
    _require(by, "assembly.vet_candidate", vote)
    if vote.kind != VoteKind.ELECTION or vote.status != VoteStatus.DRAFT:
        raise ValidationError({"status": _("选举公告后不能再审查候选人")})


def _check_cast(vote: Vote, by, owner_key: str | None = None) -> str:
    """The head ``by`` votes for (``owner_key``, or their first), if they may vote for it now."""
    heads = heads_of(by, vote)
    if not heads:
        raise PermissionDenied(_("您不在本次表决的投票权登记中"))
    owner_key = owner_key or heads[0]
    if owner_key not in heads:
        raise PermissionDenied(_("您不能代表该业主投票"))
    _check_window(vote)
    return owner_key


def _check_proxy(vote: Vote, by) -> None:
    _require(by, "assembly.organise_vote", vote)
    _check_window(vote)


def _check_paper(vote: Vote, by) -> None:
    """Paper ballots are entered from the opening until the count (they may arrive at the close)."""
    _require(by, "assembly.organise_vote", vote)
    _check_window(vote, paper=True)


def _check_resolve_paper(vote: Vote, by, serial: str | None = None, *, lock: bool = False) -> list[PaperEntry]:
    """The conflicting entries of ``serial`` (any serial if None) that ``by``, who made none of them, may
    settle now."""
    _check_paper(vote, by)
    held = PaperEntry.objects.filter(vote=vote, state=PaperEntry.State.CONFLICT).order_by("pk")
    if serial is not None:
        held = held.filter(serial=serial)
    if lock:
        held = held.select_for_update()
    entries = list(held)
    if not entries:
        raise ValidationError({"serial": _("编号 %(s)s 没有待处理的不一致录入") % {"s": serial} if serial is not None
                               else _("没有待处理的不一致录入")})
    own = {e.serial for e in entries if e.entered_by_id == by.pk}
    if own and (serial is not None or own == {e.serial for e in entries}):
        raise ValidationError({"serial": _("须由未参与录入的第三人处理")})
    return entries


def _check_resolve_conflict(vote: Vote, by) -> None:
    """Ballots held because their head already had one are settled by an organiser until the count."""
    _check_paper(vote, by)
    if not vote.ballot_conflicts.filter(state=BallotConflict.State.OPEN).exists():
        raise ValidationError({"conflict": _("没有待处理的同一业主多张选票")})


def _check_tally(vote: Vote, by) -> None:
    _require(by, "assembly.organise_vote", vote)
    if vote.status == VoteStatus.CLOSED:
        raise ValidationError({"status": _("已计票")})
    if vote.status != VoteStatus.ANNOUNCED:
        raise ValidationError({"status": _("该表决不在投票阶段")})
    if timezone.now() < vote.closes_at:
        raise ValidationError({"status": _("投票截止后才能计票")})
    held = vote.paper_entries.filter(state__in=[PaperEntry.State.PENDING, PaperEntry.State.CONFLICT])
    if held.exists():
        raise ValidationError({"status": _("还有 %(n)s 张纸质选票未完成复核或存在不一致，请先处理") % {
            "n": held.values("serial").distinct().count()}})
    conflicts = vote.ballot_conflicts.filter(state=BallotConflict.State.OPEN)
    if conflicts.exists():
        raise ValidationError({"status": _("还有 %(n)s 户收到多张选票尚未按规则处理，请先处理") % {
            "n": conflicts.values("owner_key").distinct().count()}})


# move -> its check (the verb that calls it in the comment); in the order the pages show them
_CHECKS: dict[str, Callable[[Vote, Any], object]] = {
    "announce": _check_announce,    # announce_vote
    "nominate": _check_nominate,    # nominate_candidate
    "vet": _check_vet,              # vet_candidate
    "cast": _check_cast,            # cast_ballot
    "paper": _check_paper,          # enter_paper_ballot
    "resolve_paper": _check_resolve_paper,  # resolve_paper_ballot
    "proxy": _check_proxy,          # cast_proxy_ballot
    "resolve_conflict": _check_resolve_conflict,  # resolve_ballot_conflict
    "tally": _check_tally,          # tally_vote
    "correct_roll": _check_correct_roll,  # correct_roll
    "cancel": _check_cancel,        # cancel_vote
}
MOVES: tuple[str, ...] = tuple(_CHECKS)


def _assess(vote: Vote, user, moves) -> dict[str, str | None]:
    """Each move: None if ``user`` may make it now, else why not ("" when it is not their right)."""
    out: dict[str, str | None] = {}
    for move in moves:
        try:
            _CHECKS[move](vote, user)
        except PermissionDenied:
            out[move] = ""
        except ValidationError as exc:
            out[move] = "；".join(exc.messages)
        else:
            out[move] = None
    return out


def allowed_moves(vote: Vote, user) -> frozenset[str]:
    """The moves (:data:`MOVES`) ``user`` may make on ``vote`` now: exactly those whose verb would not refuse
    them for their right or the vote's state (the input — a reason, a unit, a choice — is checked by the verb)."""
    return frozenset(move for move, why in _assess(vote, user, MOVES).items() if why is None)


def refusals(vote: Vote, user, moves=MOVES) -> dict[str, str]:
    """Why the state of ``vote`` keeps ``user`` from each of ``moves`` that is their right but not possible now
    (e.g. ``{"tally": "投票截止后才能计票"}``); moves that are not their right are left out."""
    return {move: why for move, why in _assess(vote, user, moves).items() if why}


def may_create_votes(user) -> bool:
    """Whether ``user`` may put a vote to some compound (superuser, street or community staff, an owners'
    committee member): the compounds themselves are checked by create_vote."""
    return bool(user.is_superuser or user_roles(user) & (STAFF | {Role.COMMITTEE_MEMBER}))


# ---------------------------------------------------------------- setting up


def create_vote(*, compound: Place, kind: str, matter: str, title: str, question: str,
                opens_at: datetime.datetime, closes_at: datetime.datetime, by, notice_days: int = 15,
                seats: int | None = None, count_non_voters_with_majority: bool = False, attachment=None,
                tie_break: str = "heads", ballot_rule: str = BallotRule.FIRST) -> Vote:
    """发起表决 (a draft: the roll is taken when it is announced)."""
    errors: dict[str, str] = {}
    if compound is None or compound.kind != Kind.COMPOUND:
        errors["compound"] = _("请选择小区")
    if kind not in VoteKind.values:
        errors["kind"] = _("类型无效")
    if matter not in {m.value for m in rules.Matter}:
        errors["matter"] = _("请选择表决事项类别")
    if not (title or "").strip():
        errors["title"] = _("标题不能为空")
    if not (question or "").strip():
        errors["question"] = _("表决内容不能为空")
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = _("投票截止时间必须晚于开始时间")
    if ballot_rule not in BallotRule.values:
        errors["ballot_rule"] = _("请选择同一业主多渠道投票时的处理规则")
    if notice_days < 15:
        errors["notice_days"] = _("公告期不得少于15天")
    if kind == VoteKind.ELECTION:
        low, high = committee_size_bounds()
        if matter != rules.Matter.ELECT_COMMITTEE:
            errors["matter"] = _("业委会选举的事项类别应为“选举业主委员会或者更换业主委员会成员”")
        if seats is None or seats % 2 == 0 or not low <= seats <= high:
            errors["seats"] = _("业委会委员人数应为%(low)s至%(high)s人的单数") % {"low": low, "high": high}
    if errors:
        raise ValidationError(errors)
    check_upload(attachment, "attachment")
    with transaction.atomic():
        _require(by, "assembly.create_vote" if kind == VoteKind.QUESTION else "assembly.vet_candidate", compound)
        if count_non_voters_with_majority:
            # 从多 is legally contested: only the street or community, who check the compound's 议事规则,
            # may switch it on (the owners' committee may not decide how its own votes are counted)
            try:
                _require(by, "assembly.set_majority_rule", compound)
            except PermissionDenied:
                raise ValidationError({"count_non_voters_with_majority": _(
                    "只有街道或社区工作人员可以启用“从多”规则（须本小区议事规则明确规定）")}) from None
        vote = Vote.objects.create(
            compound=compound, kind=kind, matter=matter, title=title.strip(), question=question.strip(),
            opens_at=opens_at, closes_at=closes_at, notice_days=notice_days, seats=seats,
            count_non_voters_with_majority=count_non_voters_with_majority, tie_break=tie_break,
            ballot_rule=ballot_rule, attachment=attachment or "", created_by=user_of(by))
        Event.record(by, Verb.CREATE_VOTE, vote, place=compound, summary=vote.title,
                     after={"matter": matter, "kind": kind,
                            "count_non_voters_with_majority": bool(count_non_voters_with_majority),
                            "ballot_rule": ballot_rule})
    return vote


def building_of(path: str, buildings: dict[str, int]) -> int | None:
    """The id of the nearest ancestor of the place at ``path`` that is a building (``buildings``: path -> id
    of the buildings of its compound), walking up the path; None if there is none. Not a fixed depth: a
    compound may sit under a grid or directly under a community."""
    for end in range(len(path) - STEP, 0, -STEP):
        building = buildings.get(path[:end])
        if building is not None:
            return building
    return None


def _listed(names: list[str], limit: int = 10) -> str:
    """Up to ``limit`` unit names, then how many there are in all."""
    return "、".join(names[:limit]) + (_("等%(n)s户") % {"n": len(names)} if len(names) > limit else "")


def roll_for(compound: Place) -> list[RollEntry]:
    """The owners of every exclusive unit of the compound now: one owner head per distinct owner set; the
    units recorded as the developer's (``Place.developer_held``: unsold, or sold but not yet delivered) are
    one head together, whoever is recorded as their buyer. A unit with neither an owner nor that mark is
    refused, never guessed to be the developer's: an owner missing from the records is still a head."""
    households = list(Place.objects.filter(path__startswith=compound.path, kind=Kind.HOUSEHOLD).order_by("path"))
    buildings = dict(Place.objects.filter(path__startswith=compound.path, kind=Kind.BUILDING)
                     .values_list("path", "pk"))
    owners: dict[int, list[HouseholdMember]] = defaultdict(list)
    for m in (HouseholdMember.objects.current().filter(place__in=households, relation=Relation.OWNER)
              .select_related("person").order_by("pk")):
        owners[m.place_id].append(m)
    entries, missing, unowned = [], [], []
    for h in households:
        area = h.area
        label = h.name if not h.code else h.code
        if area is None or area <= 0:
            missing.append(label)
            continue
        members = owners.get(h.pk, [])
        if h.developer_held:
            entries.append(RollEntry(unit=h, building_id=building_of(h.path, buildings), owner_key=DEVELOPER_KEY,
                                     area=area, developer_unsold=True, owner_names=_("建设单位（未售出或未交付）")))
            continue
        if not members:
            unowned.append(label)
            continue
        people = sorted({m.person_id for m in members})
        representative = next((m.person for m in members if m.is_representative), members[0].person)
        entries.append(RollEntry(unit=h, building_id=building_of(h.path, buildings),
                                 owner_key="p" + "+".join(map(str, people)), area=area, representative=representative,
                                 owner_names="、".join(sorted({m.person.name for m in members}))[:200]))
    problems = []
    if missing:
        problems.append(_("以下户没有专有部分面积，无法计入表决：%(list)s。请先补录面积。") % {
            "list": _listed(missing)})
    if unowned:
        problems.append(_("以下户没有登记业主：%(list)s。请先登记业主；如属建设单位未售出或已售出未交付的房屋，"
                          "请在该户信息中勾选“建设单位未售出或未交付”。") % {"list": _listed(unowned)})
    if problems:
        raise ValidationError({"roll": problems})
    if not entries:
        raise ValidationError({"roll": _("该小区没有登记任何户")})
    return entries


def _roll_users(vote: Vote):
    """The login accounts of the owners who vote for a head on the vote's roll (one query)."""
    return get_user_model().objects.filter(
        person__pk__in=RollEntry.objects.filter(vote=vote, representative__isnull=False)
        .values("representative_id")).only("pk").order_by("pk")


def _co_owner_users(vote: Vote) -> list:
    """The login accounts of the co-owners on the roll who do not cast their head's ballot (the owner key
    lists every owner's person id; the representative votes for them all)."""
    ids: set[int] = set()
    representatives = set(vote.roll.exclude(representative=None).values_list("representative_id", flat=True))
    for key in vote.roll.filter(owner_key__contains="+").values_list("owner_key", flat=True).distinct():
        ids.update(int(x) for x in key[1:].split("+") if x.isdigit())
    ids -= representatives
    found = sorted(ids)
    users: list = []
    for start in range(0, len(found), 500):  # a bounded IN list on every database
        users.extend(get_user_model().objects.filter(person__pk__in=found[start:start + 500]).only("pk"))
    return sorted(users, key=lambda u: u.pk)


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def announce_vote(vote: Vote, *, by) -> Vote:
    """公告 — the roll snapshot is taken now; later ownership changes don't alter it."""
    with transaction.atomic():
        vote = _lock(vote)
        _check_announce(vote, by)
        now = timezone.now()
        entries = roll_for(vote.compound)
        for e in entries:
            e.vote = vote
        RollEntry.objects.bulk_create(entries, batch_size=1000)
        vote.status, vote.announced_at = VoteStatus.ANNOUNCED, now
        vote.save(update_fields=["status", "announced_at", "updated_at"])
        heads = len({e.owner_key for e in entries})
        Event.record(by, Verb.ANNOUNCE_VOTE, vote, place=vote.compound, public=True,
                     summary=_("公告：%(t)s（投票权登记 %(u)s 户、%(h)s 人）") % {"t": vote.title, "u": len(entries),
                                                                     "h": heads},
                     after={"units": len(entries), "heads": heads})
        notify(_roll_users(vote), verb=Verb.ANNOUNCE_VOTE,
               text=_("%(c)s表决公告：%(t)s。投票时间 %(o)s 至 %(e)s，请按时投票。") % {
                   "c": vote.compound.name, "t": vote.title, "o": _local(vote.opens_at), "e": _local(vote.closes_at)},
               link=reverse("assembly:detail", args=[vote.pk]))
        notify(_co_owner_users(vote), verb=Verb.ANNOUNCE_VOTE,
               text=_("%(c)s表决公告：%(t)s。投票时间 %(o)s 至 %(e)s。您与其他共有人共同投一票，由本户的代表人提交，"
                      "可在表决页查看。") % {
                   "c": vote.compound.name, "t": vote.title, "o": _local(vote.opens_at), "e": _local(vote.closes_at)},
               link=reverse("assembly:detail", args=[vote.pk]))
    return vote


def cancel_vote(vote: Vote, *, by, reason: str) -> Vote:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写理由")})
    with transaction.atomic():
        vote = _lock(vote)
        _check_cancel(vote, by)
        vote.status = VoteStatus.CANCELLED
        vote.save(update_fields=["status", "updated_at"])
        Event.record(by, Verb.CANCEL_VOTE, vote, place=vote.compound, public=True, summary=reason.strip())
    return vote


def correct_roll(vote: Vote, *, unit: Place, by, area: Decimal | None = None, reason: str) -> RollEntry:
    """更正投票权登记 — an audited correction; a tallied vote is counted again."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("更正须说明理由")})
    if area is not None and Decimal(area) <= 0:
        raise ValidationError({"area": _("面积必须大于0")})
    with transaction.atomic():
        vote = _lock(vote)
        _check_correct_roll(vote, by)
        entry = RollEntry.objects.select_for_update().filter(vote=vote, unit=unit).first()
        if entry is None:
            raise ValidationError({"unit": _("该户不在投票权登记中")})
        before = {"area": str(entry.area)}
        if area is not None:
            entry.area = Decimal(area)
        entry.save()
        Event.record(by, Verb.CORRECT_ROLL, vote, place=vote.compound, public=True,
                     summary=_("更正 %(u)s：%(r)s") % {"u": unit.name, "r": reason.strip()},
                     before=before, after={"area": str(entry.area)})
        if vote.status == VoteStatus.CLOSED:
            _store_result(vote, by=by, recount=True)
    return entry


# ---------------------------------------------------------------- candidates


def flag_person(person: Person, *, text: str, by) -> CandidateFlag:
    if not (text or "").strip():
        raise ValidationError({"text": _("请填写情况")})
    with transaction.atomic():
        flag = CandidateFlag.objects.create(person=person, text=text.strip()[:200])
        Event.record(by, Verb.FLAG_PERSON, person, summary=text.strip()[:100])
    return flag


def nominate_candidate(vote: Vote, *, person: Person, nominated_by: str, by, statement: str = "") -> Candidate:
    """提名 — self, owners or the party branch; a candidate must be an owner in the compound."""
    if nominated_by not in NominatedBy.values:
        raise ValidationError({"nominated_by": _("提名方式无效")})
    with transaction.atomic():
        vote = _lock(vote)
        _check_nominate(vote, by)
        is_owner = HouseholdMember.objects.current().filter(
            person=person, relation=Relation.OWNER, place__path__startswith=vote.compound.path).exists()
        if not is_owner:
            raise ValidationError({"person": _("候选人必须是本小区业主")})
        if vote.candidates.filter(person=person).exists():
            raise ValidationError({"person": _("该业主已被提名")})
        flags = list(CandidateFlag.objects.filter(person=person).values_list("text", flat=True))
        candidate = Candidate.objects.create(vote=vote, person=person, nominated_by=nominated_by,
                                             statement=(statement or "").strip()[:500], flags=flags)
        Event.record(by, Verb.NOMINATE_CANDIDATE, vote, place=vote.compound, public=True,
                     summary=_("提名候选人 %(p)s（%(how)s）") % {"p": person.name,
                                                          "how": NominatedBy(nominated_by).label})
    return candidate


def vet_candidate(candidate: Candidate, *, approved: bool, reason: str, by) -> Candidate:
    """资格审查 — the vetting body records its decision and reason (required when refusing)."""
    reason = (reason or "").strip()
    if not approved and not reason:
        raise ValidationError({"reason": _("审查不通过须说明理由")})
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().select_related("vote__compound", "person").get(
            pk=candidate.pk)
        _check_vet(candidate.vote, by)
        candidate.vetting = Vetting.APPROVED if approved else Vetting.REJECTED
        candidate.vetting_reason, candidate.vetted_by = reason[:300], user_of(by)
        candidate.save(update_fields=["vetting", "vetting_reason", "vetted_by", "updated_at"])
        Event.record(by, Verb.VET_CANDIDATE, candidate.vote, place=candidate.vote.compound, public=True,
                     summary=_("%(p)s：%(d)s%(r)s") % {"p": candidate.person.name,
                                                      "d": candidate.get_vetting_display(),
                                                      "r": f"（{reason}）" if reason else ""})
    return candidate


# ---------------------------------------------------------------- ballots


def heads_of(user, vote: Vote) -> list[str]:
    """The owner heads this user casts the ballot for (as owner or co-owners' representative); none for
    :data:`~gongzhi.core.permissions.SYSTEM` or an anonymous visitor."""
    user = user_of(user)
    if user is None:
        return []
    return sorted(set(vote.roll.filter(representative__user=user).values_list("owner_key", flat=True)))


def _check_content(vote: Vote, choice: str, candidates) -> tuple[str, list[int]]:
    if vote.kind == VoteKind.QUESTION:
        if choice not in BallotChoice.values:
            raise ValidationError({"choice": _("请选择同意、反对或弃权")})
        return choice, []
    ids = sorted({int(c) for c in (candidates or [])})
    allowed = set(vote.candidates.filter(vetting=Vetting.APPROVED).values_list("pk", flat=True))
    if not set(ids) <= allowed:
        raise ValidationError({"candidates": _("只能选择公布的候选人")})
    if len(ids) > (vote.seats or 0):
        raise ValidationError({"candidates": _("最多选择%(n)s人") % {"n": vote.seats}})
    return "", ids


def _check_window(vote: Vote, *, paper: bool = False) -> None:
    now = timezone.now()
    if vote.status == VoteStatus.CLOSED:
        raise ValidationError({"status": _("表决已计票，选票不能再修改")})
    if vote.status != VoteStatus.ANNOUNCED:
        raise ValidationError({"status": _("该表决不在投票阶段")})
    if now < vote.opens_at:
        raise ValidationError({"status": _("投票尚未开始（%(t)s 开始）") % {
            "t": timezone.localtime(vote.opens_at).strftime("%Y-%m-%d %H:%M")}})
    if now >= vote.closes_at and not paper:
        raise ValidationError({"status": _("投票已截止")})


def head_users(owner_key: str):
    """The login accounts of every owner of a head (the co-owners too: the key lists their person ids);
    none for the developer's head."""
    ids = [int(x) for x in owner_key[1:].split("+") if x.isdigit()] if owner_key.startswith("p") else []
    return get_user_model().objects.filter(person__pk__in=ids).only("pk").order_by("pk")


def _tell_owners(vote: Vote, owner_key: str, verb: str, text: str) -> None:
    notify(head_users(owner_key), verb=verb, text=_("%(c)s表决“%(t)s”：%(x)s") % {
        "c": vote.compound.name, "t": vote.title, "x": text}, link=reverse("assembly:detail", args=[vote.pk]))


def conflict_warning(ballot: Ballot) -> str:
    """What a clerk must see before recording another ballot for a head that already has one."""
    return _("该户已于 %(t)s 通过%(c)s投票。同一业主只计一张选票：确认录入后，这张选票将作为同一业主的另一张选票记录，"
             "暂不计入，由组织方按本表决规则处理，并通知业主。请勾选“已知晓该户已投票”后再提交。") % {
        "t": _local(ballot.created_at), "c": Channel(ballot.channel).label}


def _put_ballot(vote: Vote, owner_key: str, *, choice: str, candidates: list[int], channel: str, by,
                serial: str = "", proxy: Person | None = None, authorisation=None,
                acknowledged: bool = False) -> Ballot:
    """One ballot per head, never silently replaced. The first ballot of a head is recorded; the owner may
    change their own online ballot until the close; any other ballot for a head that already has one (another
    channel, or a second paper or proxy ballot) is held as a :class:`BallotConflict` for an organiser to
    settle by the vote's rule, and the owners are told. A clerk (paper, proxy) must have seen that the head
    voted (``acknowledged``) before such a ballot is recorded. The returned ballot's ``held`` is the
    conflict, if one was recorded."""
    ballot = Ballot.objects.select_for_update().filter(vote=vote, owner_key=owner_key).first()
    label = Channel(channel).label
    if ballot is None:
        ballot = Ballot(vote=vote, owner_key=owner_key, choice=choice, candidates=candidates, channel=channel,
                        cast_by=user_of(by), serial=serial, proxy=proxy)
        if authorisation is not None:
            ballot.authorisation = authorisation
        ballot.save()
        BallotLog.objects.create(ballot=ballot, kind=BallotLog.Kind.CAST, channel=channel)
        # the audit trail keeps that a ballot was cast or changed, never how
        Event.record(by, Verb.CAST_BALLOT, vote, place=vote.compound, summary=_("%(c)s投票") % {"c": label},
                     after={"channel": channel, "serial": serial})
        if channel != Channel.ONLINE:  # recorded by staff: the owners learn of it (and of any mistake)
            _tell_owners(vote, owner_key, Verb.CAST_BALLOT, _("已记录本户的%(c)s选票（回执码 %(r)s）。如非本户意愿，请联系组织方。") % {
                "c": label, "r": ballot.receipt})
        ballot.held = None
        return ballot
    if channel == Channel.ONLINE and ballot.channel == Channel.ONLINE:
        # the owner changes their own online ballot (until the close; the latest counts)
        ballot.choice, ballot.candidates, ballot.cast_by = choice, candidates, user_of(by)
        ballot.save(update_fields=["choice", "candidates", "cast_by", "updated_at"])
        BallotLog.objects.create(ballot=ballot, kind=BallotLog.Kind.CHANGED, channel=channel)
        Event.record(by, Verb.CHANGE_BALLOT, vote, place=vote.compound, summary=_("%(c)s投票") % {"c": label},
                     after={"channel": channel, "serial": serial})
        ballot.held = None
        return ballot
    if channel != Channel.ONLINE and not acknowledged:
        raise ValidationError({"acknowledge_conflict": conflict_warning(ballot)})
    held = BallotConflict.objects.create(
        vote=vote, ballot=ballot, owner_key=owner_key, recorded_channel=ballot.channel, channel=channel,
        choice=choice, candidates=candidates, serial=serial, proxy=proxy, authorisation=authorisation or "",
        cast_by=user_of(by))
    BallotLog.objects.create(ballot=ballot, kind=BallotLog.Kind.CONFLICT, channel=channel)
    Event.record(by, Verb.BALLOT_CONFLICT, vote, place=vote.compound,
                 summary=_("同一业主已有%(old)s选票，又收到%(new)s选票：暂不计入，待按规则处理") % {
                     "old": Channel(ballot.channel).label, "new": label},
                 after={"channel": channel, "recorded_channel": ballot.channel, "serial": serial,
                        "conflict": held.pk})
    _tell_owners(vote, owner_key, Verb.BALLOT_CONFLICT, _("本户已有%(old)s选票，又收到一张%(new)s选票。后者暂不计入，组织方将按本表决规则"
                                    "（%(rule)s）处理，结果会通知您。") % {
        "old": Channel(ballot.channel).label, "new": label, "rule": BallotRule(vote.ballot_rule).label})
    ballot.held = held
    return ballot


def cast_ballot(vote: Vote, *, by, owner_key: str | None = None, choice: str = "", candidates=None) -> Ballot:
    """业主在线投票 — may be changed until the close; the latest counts. If the head already voted on paper or
    by proxy, the online ballot is held for the organiser (``ballot.held``), never replacing that one."""
    with transaction.atomic():
        vote = _lock(vote)
        owner_key = _check_cast(vote, by, owner_key)
        choice, ids = _check_content(vote, choice, candidates)
        return _put_ballot(vote, owner_key, choice=choice, candidates=ids, channel=Channel.ONLINE, by=by)


def cast_proxy_ballot(vote: Vote, *, unit: Place, proxy: Person, authorisation, by, choice: str = "",
                      candidates=None, acknowledge_conflict: bool = False) -> Ballot:
    """委托投票 — staff record a ballot cast by a proxy holding a written authorisation."""
    if not authorisation:
        raise ValidationError({"authorisation": _("请上传委托书")})
    check_upload(authorisation, "authorisation")
    with transaction.atomic():
        vote = _lock(vote)
        _check_proxy(vote, by)
        entry = vote.roll.filter(unit=unit).first()
        if entry is None:
            raise ValidationError({"unit": _("该户不在投票权登记中")})
        choice, ids = _check_content(vote, choice, candidates)
        return _put_ballot(vote, entry.owner_key, choice=choice, candidates=ids, channel=Channel.PROXY, by=by,
                           proxy=proxy, authorisation=authorisation, acknowledged=acknowledge_conflict)


def _winner_is_recorded(rule: str, recorded_channel: str, held_channel: str) -> bool:
    """Whether the vote's rule keeps the recorded ballot (which came first) against a held one."""
    if rule == BallotRule.LAST:
        return False
    if rule == BallotRule.WRITTEN and recorded_channel == Channel.ONLINE and held_channel != Channel.ONLINE:
        return False
    return True


def resolve_ballot_conflict(vote: Vote, *, conflict: int, by, reason: str, invalid: bool = False) -> BallotConflict:
    """按规则处理同一业主的多张选票 — the organiser settles one held ballot (the oldest of its head first) by the
    vote's rule: the ballot the rule names stands, unless the organiser records why it is not a valid ballot
    (``invalid``), when the other one does. Audited, and the owners are told; the count waits for it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写处理理由（核对情况）")})
    with transaction.atomic():
        vote = _lock(vote)
        _check_resolve_conflict(vote, by)
        held = (BallotConflict.objects.select_for_update().filter(vote=vote, pk=conflict,
                                                                  state=BallotConflict.State.OPEN).first())
        if held is None:
            raise ValidationError({"conflict": _("该选票冲突不存在或已处理")})
        older = vote.ballot_conflicts.filter(owner_key=held.owner_key, state=BallotConflict.State.OPEN,
                                             created_at__lt=held.created_at)
        if older.exists():
            raise ValidationError({"conflict": _("请先处理该户更早收到的另一张选票")})
        ballot = Ballot.objects.select_for_update().get(pk=held.ballot_id)
        before = ballot.channel
        keep = _winner_is_recorded(vote.ballot_rule, ballot.channel, held.channel)
        if invalid:
            keep = not keep
        if keep:
            held.state = BallotConflict.State.KEPT
            BallotLog.objects.create(ballot=ballot, kind=BallotLog.Kind.KEPT, channel=ballot.channel)
            text = _("经组织方核对，本户原%(old)s选票有效，%(new)s选票不计入。理由：%(r)s") % {
                "old": Channel(ballot.channel).label, "new": Channel(held.channel).label, "r": reason}
        else:
            held.state = BallotConflict.State.REPLACED
            ballot.choice, ballot.candidates, ballot.channel = held.choice, held.candidates, held.channel
            ballot.serial, ballot.proxy, ballot.cast_by = held.serial, held.proxy, held.cast_by
            ballot.authorisation = held.authorisation
            ballot.save()
            BallotLog.objects.create(ballot=ballot, kind=BallotLog.Kind.REPLACED, channel=held.channel)
            text = _("经组织方核对，本户选票改以%(new)s选票为准，原%(old)s选票不再计入。理由：%(r)s。"
                     "可用回执码 %(c)s 在公示页查看记录。") % {
                "old": Channel(before).label, "new": Channel(held.channel).label, "r": reason, "c": ballot.receipt}
        held.reason, held.resolved_by, held.resolved_at = reason[:300], user_of(by), timezone.now()
        held.save(update_fields=["state", "reason", "resolved_by", "resolved_at"])
        Event.record(by, Verb.RESOLVE_BALLOT_CONFLICT, vote, place=vote.compound,
                     summary=_("同一业主的%(old)s选票与%(new)s选票：%(d)s（%(r)s）") % {
                         "old": Channel(before).label, "new": Channel(held.channel).label,
                         "d": held.get_state_display(), "r": reason},
                     after={"conflict": held.pk, "state": held.state, "invalid": bool(invalid),
                            "rule": vote.ballot_rule})
        _tell_owners(vote, held.owner_key, Verb.RESOLVE_BALLOT_CONFLICT, text)
        return held


def enter_paper_ballot(vote: Vote, *, serial: str, unit: Place, by, choice: str = "", candidates=None,
                       acknowledge_conflict: bool = False) -> PaperEntry:
    """纸质选票双人录入 — the second entry by a different person confirms a match; a mismatch holds the
    ballot (both entries in conflict) until it is resolved. If the unit's head already voted, each clerk must
    have seen it (``acknowledge_conflict``), and the confirmed paper ballot is held as another ballot of the
    head (``entry.held``) for the organiser, never replacing the recorded one."""
    serial = (serial or "").strip()
    if not serial:
        raise ValidationError({"serial": _("请填写选票编号")})
    with transaction.atomic():
        vote = _lock(vote)
        _check_paper(vote, by)
        entry = vote.roll.filter(unit=unit).first()
        if entry is None:
            raise ValidationError({"unit": _("该户不在投票权登记中")})
        choice, ids = _check_content(vote, choice, candidates)
        voted = Ballot.objects.filter(vote=vote, owner_key=entry.owner_key).first()
        if voted is not None and not acknowledge_conflict:
            raise ValidationError({"acknowledge_conflict": conflict_warning(voted)})
        entries = list(PaperEntry.objects.select_for_update().filter(vote=vote, serial=serial).order_by("pk"))
        if any(e.state in (PaperEntry.State.CONFIRMED, PaperEntry.State.RESOLVED) for e in entries):
            raise ValidationError({"serial": _("编号 %(s)s 的选票已录入确认") % {"s": serial}})
        if any(e.state == PaperEntry.State.CONFLICT for e in entries):
            raise ValidationError({"serial": _("编号 %(s)s 的两次录入不一致，须由第三人核对原件后处理") % {"s": serial}})
        pending = [e for e in entries if e.state == PaperEntry.State.PENDING]
        if pending and pending[0].entered_by_id == by.pk:
            raise ValidationError({"serial": _("复核录入须由另一名工作人员完成")})
        new = PaperEntry.objects.create(vote=vote, serial=serial, owner_key=entry.owner_key, choice=choice,
                                        candidates=ids, entered_by=user_of(by))
        new.held = None
        if not pending:
            Event.record(by, Verb.ENTER_PAPER_BALLOT, vote, place=vote.compound,
                         summary=_("录入纸质选票 %(s)s（第一次）") % {"s": serial}, after={"serial": serial})
            return new
        first = pending[0]
        if (first.owner_key, first.choice, first.candidates) == (new.owner_key, new.choice, new.candidates):
            PaperEntry.objects.filter(pk__in=[first.pk, new.pk]).update(state=PaperEntry.State.CONFIRMED)
            ballot = _put_ballot(vote, entry.owner_key, choice=choice, candidates=ids, channel=Channel.PAPER, by=by,
                                 serial=serial, acknowledged=acknowledge_conflict)
            new.state, new.held = PaperEntry.State.CONFIRMED, ballot.held
        else:
            PaperEntry.objects.filter(pk__in=[first.pk, new.pk]).update(state=PaperEntry.State.CONFLICT)
            Event.record(by, Verb.PAPER_BALLOT_CONFLICT, vote, place=vote.compound,
                         summary=_("纸质选票 %(s)s 两次录入不一致，已暂停计入") % {"s": serial},
                         after={"serial": serial})
            new.state = PaperEntry.State.CONFLICT
        return new


def resolve_paper_ballot(vote: Vote, *, serial: str, unit: Place, by, choice: str = "", candidates=None,
                         acknowledge_conflict: bool = False) -> Ballot:
    """核对原件 — a third person, who made neither entry, records what the paper says."""
    with transaction.atomic():
        vote = _lock(vote)
        entries = _check_resolve_paper(vote, by, serial, lock=True)
        entry = vote.roll.filter(unit=unit).first()
        if entry is None:
            raise ValidationError({"unit": _("该户不在投票权登记中")})
        choice, ids = _check_content(vote, choice, candidates)
        PaperEntry.objects.filter(pk__in=[e.pk for e in entries]).update(state=PaperEntry.State.RESOLVED)
        ballot = _put_ballot(vote, entry.owner_key, choice=choice, candidates=ids, channel=Channel.PAPER, by=by,
                             serial=serial, acknowledged=acknowledge_conflict)
        Event.record(by, Verb.RESOLVE_PAPER_BALLOT, vote, place=vote.compound,
                     summary=_("核对原件后处理纸质选票 %(s)s") % {"s": serial}, after={"serial": serial})
        return ballot


# ---------------------------------------------------------------- the count


def tally_vote(vote: Vote, *, by) -> Vote:
    """计票 — after the close; atomic and final: the result, the breakdown and (for elections) the new
    committee's positions are written together or not at all, and the ballots are frozen."""
    with transaction.atomic():
        vote = _lock(vote)
        _check_tally(vote, by)
        _store_result(vote, by=by)
        notify([*_roll_users(vote), *_co_owner_users(vote)], verb=Verb.TALLY_VOTE,
               text=_("%(c)s表决“%(t)s”已计票，结果已公示。") % {"c": vote.compound.name, "t": vote.title},
               link=reverse("public_votes:public", args=[vote.pk]))
    return vote


class Roll(NamedTuple):
    """A vote's roll as columns, one value per unit, in the order the rows were read."""

    unit_ids: tuple
    buildings: tuple
    owner_keys: tuple
    areas: tuple
    developer_unsold: tuple


def _units_and_ballots(vote: Vote) -> tuple[Roll, list[rules.Unit], list[tuple]]:
    """Plain rows, not model instances: a tally reads every unit of the roll and every ballot. The roll
    alone (no join: the building was stored with it), as columns; a question's ballots as (owner_key,
    choice), in the order they were cast, without the JSON ``candidates`` column (one json.loads per row),
    which an election's ballots keep."""
    rows = vote.roll.values_list("unit_id", "building_id", "owner_key", "area", "developer_unsold")
    roll = Roll(*zip(*rows, strict=True)) if rows else Roll((), (), (), (), ())
    units = list(map(rules.Unit, roll.unit_ids, roll.owner_keys, roll.areas, roll.developer_unsold))
    fields = ("owner_key", "choice", "candidates") if vote.kind == VoteKind.ELECTION else ("owner_key", "choice")
    ballots = list(vote.ballots.order_by("updated_at", "pk").values_list(*fields))
    return roll, units, ballots


def _head(owner_key: str):
    """The owner head a ballot's key stands for in rules.tally: the developer's units are one head,
    rules.DEVELOPER, and the developer's (proxy or paper) ballot is stored under DEVELOPER_KEY."""
    return rules.DEVELOPER if owner_key == DEVELOPER_KEY else owner_key


def _rule_ballots(ballots: list[tuple]) -> list[rules.Ballot]:
    """rules.Ballot(_head(owner_key), choice) of each (owner_key, choice), in order."""
    if not ballots:
        return []
    keys, choices = zip(*ballots, strict=True)
    heads = list(keys)
    position = -1
    with suppress(ValueError):  # (one ballot per key: the developer's key is there once at most)
        while True:
            position = keys.index(DEVELOPER_KEY, position + 1)
            heads[position] = rules.DEVELOPER
    return list(map(rules.Ballot, heads, choices))


def _store_result(vote: Vote, *, by, recount: bool = False) -> None:
    # A count allocates a few hundred thousand objects that all live until it ends: the collector would
    # walk them (and everything else) several times over for nothing. It runs again afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        roll, units, ballots = _units_and_ballots(vote)
        matter = vote.rule_matter
        if vote.kind == VoteKind.QUESTION:
            result = rules.tally(matter, units, _rule_ballots(ballots),
                                 count_non_voters_with_majority=vote.count_non_voters_with_majority)
            payload = {"question": _result_json(result), "buildings": _by_building(vote, roll, ballots)}
        else:
            payload = _election(vote, units, ballots, by=by)
        del roll, units, ballots
    finally:
        if collecting:
            gc.enable()
    vote.result = payload
    vote.status, vote.tallied_at = VoteStatus.CLOSED, timezone.now()
    vote.save(update_fields=["result", "status", "tallied_at", "updated_at"])
    summary = _result_summary(vote)
    Event.record(by, Verb.TALLY_VOTE, vote, place=vote.compound, public=True, summary=summary,
                 after={"recount": recount})


def _result_summary(vote: Vote) -> str:
    result = vote.result or {}
    if vote.kind == VoteKind.QUESTION:
        q = result["question"]
        return _("计票完成：%(r)s") % {"r": _("通过") if q["passed"] else _("未通过")}
    text = _("计票完成：当选 %(n)s 人") % {"n": len(result["elected"])}
    if result.get("seated") is False:
        text += _("，少于业主委员会最低人数 %(m)s 人，原业主委员会继续履职，须补选") % {"m": result["minimum_seats"]}
    elif result.get("by_election_needed"):
        text += _("，尚有空缺，须补选")
    return text


def _fraction(f: Fraction) -> str:
    return f"{f.numerator}/{f.denominator}"


def _result_json(result: rules.TallyResult) -> dict:
    return {
        "matter": str(result.matter),
        "total_area": str(result.total_area), "total_heads": result.total_heads,
        "participating_area": str(result.participating_area), "participating_heads": result.participating_heads,
        "yes_area": str(result.yes_area), "yes_heads": result.yes_heads,
        "no_area": str(result.no_area), "no_heads": result.no_heads,
        "abstain_area": str(result.abstain_area), "abstain_heads": result.abstain_heads,
        "quorum_met": result.quorum_met, "approved": result.approved, "passed": result.passed,
        "quorum_threshold": _fraction(result.quorum_threshold),
        "approval_threshold": _fraction(result.approval_threshold),
        "approval_inclusive": result.approval_inclusive,
        "checks": [{"name": c.name, "met": c.met, "explanation": c.explanation} for c in result.checks],
        "ignored_ballots": len(result.ignored_ballots),
        "count_non_voters_with_majority": result.count_non_voters_with_majority,
        "non_voter_heads": result.non_voter_heads, "non_voter_area": str(result.non_voter_area),
        "non_voters_added_to": str(result.non_voters_added_to) if result.non_voters_added_to else None,
    }


def _by_building(vote: Vote, roll: Roll, ballots: list[tuple]) -> list[dict]:
    """Per building (as on the roll: where the unit was when the vote was announced): units, area, and
    how its units voted (by unit), in the order of the buildings' paths."""
    choice_of = dict(ballots)  # a question's ballots: (owner_key, choice)
    buildings, areas = roll.buildings, roll.areas
    choices = list(map(choice_of.get, roll.owner_keys))
    rows: dict[int | None, dict] = {}
    start = 0
    # the roll is read in the order it was written (by path): mostly one run of rows per building
    for building, run in groupby(buildings):
        end = start + len(list(run))
        row = rows.get(building)
        if row is None:
            row = rows[building] = {"units": 0, "area": Decimal(0), "yes": 0, "no": 0, "abstain": 0}
        row["units"] += end - start
        row["area"] = sum(areas[start:end], row["area"])
        voted = choices[start:end]
        for choice in ("yes", "no", "abstain"):
            row[choice] += voted.count(choice)
        start = end
    named = Place.objects.filter(pk__in=[b for b in rows if b is not None]).values_list("pk", "path", "name")
    places = {pk: (path, name) for pk, path, name in named}
    return [{"building": places[b][1] if b in places else "—", "units": r["units"], "area": str(r["area"]),
             "yes": r["yes"], "no": r["no"], "abstain": r["abstain"],
             "none": r["units"] - r["yes"] - r["no"] - r["abstain"]}
            for b, r in sorted(rows.items(), key=lambda item: places[item[0]][0] if item[0] in places else "")]


def _election(vote: Vote, units: list[rules.Unit], ballots: list[tuple], *, by) -> dict:
    """Each candidate stands alone against the ordinary double majority of those who took part
    (a ballot that does not choose the candidate counts against); qualified candidates fill the seats
    in order of votes (ties: heads then area, or area then heads; an exact tie for the last seat leaves it
    open). Fewer elected than the smallest lawful committee (COMMITTEE_MIN_SEATS) seat nobody: the sitting
    committee stays in office until a by-election (补选)."""
    candidates = list(vote.candidates.filter(vetting=Vetting.APPROVED).select_related("person"))
    participation = rules.tally(rules.Matter.ELECT_COMMITTEE, units,
                                [rules.Ballot(_head(key), rules.Choice.ABSTAIN) for key, _ch, _c in ballots])
    rows: list[dict] = []
    for c in candidates:
        result = rules.tally(rules.Matter.ELECT_COMMITTEE, units, [
            rules.Ballot(_head(key), rules.Choice.YES if c.pk in chosen else rules.Choice.NO)
            for key, _ch, chosen in ballots])
        rows.append({"candidate": c.pk, "name": c.person.name, "party_member": c.person.is_party_member,
                     "yes_heads": result.yes_heads, "yes_area": str(result.yes_area), "qualified": result.passed,
                     "checks": [{"name": x.name, "met": x.met, "explanation": x.explanation} for x in result.checks]})
    key = ((lambda r: (r["yes_heads"], Decimal(r["yes_area"]))) if vote.tie_break == "heads"
           else (lambda r: (Decimal(r["yes_area"]), r["yes_heads"])))
    seats = vote.seats or 0
    ranked = sorted((r for r in rows if r["qualified"]), key=key, reverse=True)
    elected = ranked[:seats]
    tied: list[dict] = []
    if len(ranked) > seats > 0 and key(ranked[seats - 1]) == key(ranked[seats]):
        # an exact tie (same heads and same area) for the last seat(s): the rules give no way to choose,
        # so the tied candidates are not elected and their seats stay open (补选)
        last = key(ranked[seats - 1])
        tied = [r for r in ranked if key(r) == last]
        elected = [r for r in elected if key(r) != last]
    for r in rows:
        r["elected"] = r in elected
        r["tied"] = r in tied
    party = sum(1 for r in elected if r["party_member"])
    low, _high = committee_size_bounds()
    seated = len(elected) >= low
    if seated:
        _seat_committee(vote, [r["candidate"] for r in elected], by=by)
    return {
        "participation": _result_json(participation), "candidates": rows,
        "elected": [r["candidate"] for r in elected], "seats": vote.seats,
        "tied": [r["candidate"] for r in tied],
        # fewer elected than the smallest lawful committee: the sitting committee stays in office
        "seated": seated, "minimum_seats": low, "by_election_needed": len(elected) < seats,
        "party_members_elected": party,
        "party_share": f"{party}/{len(elected)}" if elected else None,
        "party_majority": bool(elected) and 2 * party >= len(elected),
    }


def _seat_committee(vote: Vote, candidate_ids: list[int], *, by) -> None:
    """The elected take office: 业委会 Positions with their term; the most-voted is 主任 until the committee
    elects its own officers. Each position created or ended is audited (people's 任职 / 离任 verbs)."""
    if not candidate_ids:
        return
    committee, _created = Organisation.objects.get_or_create(
        kind=OrgKind.OWNERS_COMMITTEE, place=vote.compound,
        defaults={"name": f"{vote.compound.name}业主委员会"})
    start = timezone.localdate()
    end = _years_later(start, vote.term_years) - datetime.timedelta(days=1)
    # the sitting committee leaves office; a seating made earlier today (a count this recount corrects)
    # never took office and is replaced
    sitting = list(Position.objects.select_for_update().filter(organisation=committee)
                   .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
                   .select_related("person", "organisation")
                   .order_by("pk"))
    changed = {p.person_id for p in sitting}
    for position in sitting:
        summary = _("%(p)s 离任（%(v)s 选举产生新一届业主委员会）") % {"p": position.person.name, "v": vote.title}
        if position.start_date >= start:
            Event.record(by, PeopleVerb.END_POSITION, position, place=vote.compound, summary=summary,
                         before={"start_date": position.start_date.isoformat()}, after={"withdrawn": True})
            position.delete()
        else:
            before = {"end_date": position.end_date.isoformat() if position.end_date else None}
            position.end_date = start - datetime.timedelta(days=1)
            position.save(update_fields=["end_date", "updated_at"])
            Event.record(by, PeopleVerb.END_POSITION, position, place=vote.compound, summary=summary,
                         before=before, after={"end_date": position.end_date.isoformat()})
    people = {c.pk: c.person for c in Candidate.objects.filter(pk__in=candidate_ids).select_related("person")}
    for i, cid in enumerate(candidate_ids):
        position = Position.objects.create(person=people[cid], organisation=committee, place=vote.compound,
                                           title=Title.COMMITTEE_DIRECTOR if i == 0 else Title.COMMITTEE_MEMBER,
                                           start_date=start, end_date=end)
        Event.record(by, PeopleVerb.APPOINT_POSITION, position, place=vote.compound,
                     summary=_("%(p)s 当选业主委员会委员（%(v)s）") % {"p": people[cid].name, "v": vote.title},
                     after={"person": people[cid].pk, "organisation": committee.pk, "title": position.title,
                            "place": vote.compound.pk, "start_date": start.isoformat(),
                            "end_date": end.isoformat()})
    bump_scope_versions(changed | {p.pk for p in people.values()})  # their rights change on the next request


def _years_later(day: datetime.date, years: int) -> datetime.date:
    """The same date ``years`` on; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
