"""Every change to a 支部先议 matter or a 民主听证 hearing: one function per verb, one transaction, the actor's
right checked with ``core.permissions.require`` on the locked row, one audit Event.

支部先议 (seed 004): 业委会提议 (``propose_matter``) → 党支部审议 (``approve_matter``, or ``return_matter`` with a
written opinion, after which the committee may ``revise_matter`` and resubmit) → 业委会决议 (``resolve_matter``:
the members present and their votes; more than half of the sitting members present, more than half of those
present in favour) → 物业公司执行 (``execute_matter``: a work order in the requests' lifecycle, dispatched to the
company and accepted by it; the matter's execution status follows that request).

``TRANSITIONS`` is the only list of the moves a matter may make; each move has one precheck (the right, the
table, the rest of the state) that the verb runs on the locked row and :func:`allowed_moves` runs on the row a
page shows, so what is offered is exactly what the verbs accept. Hearings have the same pair
(``HEARING_MOVES``, :func:`allowed_hearing_moves`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gongzhi.assembly.models import Vote, VoteKind, VoteStatus
from gongzhi.assembly.uploads import check_upload
from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM, require, user_of
from gongzhi.core.scope import user_scopes
from gongzhi.notices.actions import notify
from gongzhi.people.models import Person, Position
from gongzhi.places.models import Kind, Place
from gongzhi.workorders import actions as workorders
from gongzhi.workorders.models import Category, Channel, Urgency

from .matters_events import MatterVerb as Verb
from .matters_permissions import branch_of, committee_of, company_of, manages_compound, sits_on_committee
from .models.matter import (
    OPINION_MAX,
    PRICE_MAX_DIGITS,
    SUPPLIER_MAX,
    TERMS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Bid,
    CommitteeBallot,
    Hearing,
    HearingMember,
    HearingStatus,
    Matter,
    MatterKind,
    MatterReview,
    MatterStatus,
    MemberGroup,
    Opinion,
    OpinionChoice,
    VoteChoice,
)

M = MatterStatus
PRICE_LIMIT = Decimal(10) ** (PRICE_MAX_DIGITS - 2)  # 10 000 000 000 元: beyond the column
MIN_BIDS = 3  # 现场竞标: at least three suppliers before a decision

# 支部先议状态流转 — the only place a matter's moves are listed: move → (from statuses, to statuses)
TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "revise": (frozenset({M.RETURNED}), frozenset({M.PROPOSED})),      # 业委会 修改后重新提议
    "approve": (frozenset({M.PROPOSED}), frozenset({M.APPROVED})),     # 党支部 审议通过
    "return": (frozenset({M.PROPOSED}), frozenset({M.RETURNED})),      # 党支部 退回（附书面意见）
    "resolve": (frozenset({M.APPROVED}), frozenset({M.RESOLVED, M.NOT_PASSED})),  # 业委会 决议
    "execute": (frozenset({M.RESOLVED}), frozenset({M.EXECUTING})),    # 物业公司 执行
    "link_vote": (frozenset({M.PROPOSED, M.RETURNED, M.APPROVED, M.RESOLVED}), frozenset()),  # 关联业主大会表决
}
PERMS: dict[str, str] = {
    "revise": "meetings.revise_matter", "approve": "meetings.approve_matter", "return": "meetings.return_matter",
    "resolve": "meetings.resolve_matter", "execute": "meetings.execute_matter",
    "link_vote": "meetings.link_matter_vote",
}
MOVE_LABELS = {"revise": _lazy("修改后重新提议"), "approve": _lazy("审议通过"), "return": _lazy("退回"),
               "resolve": _lazy("决议"), "execute": _lazy("执行"), "link_vote": _lazy("关联业主大会表决")}
MOVES: tuple[str, ...] = tuple(TRANSITIONS)


class StateConflict(ValidationError):
    """The matter's (or hearing's) state does not allow this now: the API answers 409 naming ``status``."""

    def __init__(self, message: str, *, field: str = "status"):
        super().__init__({field: message}, code="conflict")


def _lock(matter: Matter) -> Matter:
    return (Matter.objects.select_for_update(of=("self",))
            .select_related("compound", "committee", "branch", "owners_vote", "request").get(pk=matter.pk))


def _vote_passed(vote: Vote | None) -> bool:
    return bool(vote is not None and vote.status == VoteStatus.CLOSED and vote.result
                and vote.result.get("question", {}).get("passed"))


# ---------------------------------------------------------------- prechecks: may ``by`` make the move now?


def _check_table(move: str, matter: Matter) -> None:
    allowed, _targets = TRANSITIONS[move]
    if matter.status not in allowed:
        raise StateConflict(_("当前状态“%(s)s”下不能%(m)s") % {"s": MatterStatus(matter.status).label,
                                                             "m": MOVE_LABELS[move]})


def precheck(move: str, matter: Matter, by) -> None:
    """Raise PermissionDenied (not this body's step) or StateConflict (not now) unless ``by`` may make ``move``."""
    require(by, PERMS[move], matter)
    _check_table(move, matter)
    if move == "execute":
        if company_of(matter.compound) is None:
            raise StateConflict(_("本小区当前没有物业服务企业，无法交付执行"))
        if matter.needs_owners_vote and not _vote_passed(matter.owners_vote):
            raise StateConflict(_("本事项须经业主大会表决通过后才能执行（民法典第278条）"), field="owners_vote")


def allowed_moves(matter: Matter, user) -> frozenset[str]:
    """The moves (:data:`MOVES`) ``user`` may make on ``matter`` now (its input is checked by the verb)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    allowed = set()
    for move in MOVES:
        try:
            precheck(move, matter, user)
        except (PermissionDenied, ValidationError):
            continue
        allowed.add(move)
    return frozenset(allowed)


def refusals(matter: Matter, user) -> dict[str, str]:
    """Why ``user`` cannot yet make a move that is their body's step and the matter's state allows by the table
    (e.g. execute before the owners' vote passed) — not the moves of other states."""
    out = {}
    for move in MOVES:
        if matter.status not in TRANSITIONS[move][0]:
            continue
        try:
            precheck(move, matter, user)
        except PermissionDenied:
            continue
        except ValidationError as exc:
            out[move] = "；".join(exc.messages)
    return out


def may_propose(user, compound: Place) -> bool:
    return bool(user.is_authenticated and user.has_perm("meetings.propose_matter", compound))


def proposable_compounds(user) -> list[Place]:
    """The compounds whose committee ``user`` sits on (where they may propose a matter)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(Place.objects.filter(kind=Kind.COMPOUND).order_by("path"))
    orgs = {s.organisation_id for s in user_scopes(user) if s.organisation_id}
    return list(Place.objects.filter(kind=Kind.COMPOUND, organisations__pk__in=orgs,
                                     organisations__kind__in=("owners_committee", "pmc")).distinct().order_by("path"))


# ---------------------------------------------------------------- input


def _text(errors: dict, field: str, value, *, limit: int, required: bool = True, empty: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = empty or _("此项不能为空")
    elif len(value) > limit:
        errors[field] = _("不能超过%(n)s个字（当前%(m)s个）") % {"n": limit, "m": len(value)}
    return value


def clean_amount(value, field: str, *, required: bool) -> Decimal | None:
    """A sum of money in 元: positive, two decimals at most, below :data:`PRICE_LIMIT`."""
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("请填写金额")})
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请填写正确的金额（元）")}) from None
    if not amount.is_finite() or amount <= 0 or amount >= PRICE_LIMIT:
        raise ValidationError({field: _("金额须大于0且小于100亿元")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("金额最多保留两位小数")})
    return amount.quantize(Decimal("0.01"))


def _clean_matter(*, title, description, kind, estimated_cost) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {
        "title": _text(errors, "title", title, limit=TITLE_MAX, empty=_("请填写事项名称")),
        "description": _text(errors, "description", description, limit=TEXT_MAX, empty=_("请填写事项内容与实施方案")),
    }
    if kind not in MatterKind.values:
        errors["kind"] = _("请选择事项类别")
    try:
        cleaned["estimated_cost"] = clean_amount(estimated_cost, "estimated_cost", required=False)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _users_of(org_ids) -> list:
    return workorders.users_with_posts([o for o in org_ids if o])


def _link(matter: Matter) -> str:
    return reverse("meetings:matter_detail", args=[matter.pk])


# ---------------------------------------------------------------- 支部先议: the four steps


def propose_matter(compound: Place, *, by, title: str, description: str, kind: str = MatterKind.MAJOR_AFFAIR,
                   estimated_cost=None, needs_owners_vote: bool = False) -> Matter:
    """第一步 业委会提议: the compound's committee puts a matter to its party branch."""
    if compound is None or getattr(compound, "kind", None) != Kind.COMPOUND:
        raise ValidationError({"compound": _("请选择小区")})
    cleaned = _clean_matter(title=title, description=description, kind=kind, estimated_cost=estimated_cost)
    with transaction.atomic():
        require(by, "meetings.propose_matter", compound)
        committee = committee_of(compound)
        if committee is None:
            raise ValidationError({"compound": _("本小区尚未成立业主委员会或物业管理委员会")})
        branch = branch_of(compound)
        if branch is None:
            raise ValidationError({"compound": _("本小区没有可审议的党支部（小区或网格党支部）")})
        matter = Matter.objects.create(compound=compound, committee=committee, branch=branch, kind=kind,
                                       needs_owners_vote=bool(needs_owners_vote), proposed_by=user_of(by),
                                       proposed_at=timezone.now(), **cleaned)
        Event.record(by, Verb.PROPOSE_MATTER, matter, place=compound, summary=matter.title,
                     after={"status": matter.status, "kind": kind, "committee": committee.pk, "branch": branch.pk,
                            "needs_owners_vote": matter.needs_owners_vote,
                            "estimated_cost": str(matter.estimated_cost) if matter.estimated_cost else None})
        notify(_users_of([branch.pk]), verb=Verb.PROPOSE_MATTER,
               text=_("%(c)s业委会提议“%(t)s”，请党支部审议") % {"c": compound.name, "t": matter.title},
               link=_link(matter))
    return matter


def revise_matter(matter: Matter, *, by, title: str, description: str, kind: str | None = None,
                  estimated_cost=None, needs_owners_vote: bool | None = None) -> Matter:
    """退回后修改 — the committee revises a returned matter and puts it to the branch again (a new round)."""
    with transaction.atomic():
        matter = _lock(matter)
        precheck("revise", matter, by)
        cleaned = _clean_matter(title=title, description=description, kind=kind or matter.kind,
                                estimated_cost=estimated_cost)
        before = {"status": matter.status, "title": matter.title, "round": matter.round}
        for field, value in cleaned.items():
            setattr(matter, field, value)
        matter.kind = kind or matter.kind
        if needs_owners_vote is not None:
            matter.needs_owners_vote = bool(needs_owners_vote)
        matter.status, matter.round, matter.proposed_at = M.PROPOSED, matter.round + 1, timezone.now()
        matter.save()
        Event.record(by, Verb.REVISE_MATTER, matter, place=matter.compound,
                     summary=_("第%(r)s轮提议：%(t)s") % {"r": matter.round, "t": matter.title}, before=before,
                     after={"status": matter.status, "title": matter.title, "round": matter.round})
        notify(_users_of([matter.branch_id]), verb=Verb.REVISE_MATTER,
               text=_("%(c)s业委会已修改“%(t)s”，请党支部再次审议") % {"c": matter.compound.name, "t": matter.title},
               link=_link(matter))
    return matter


def _review(matter: Matter, *, by, approved: bool, opinion: str) -> Matter:
    move = "approve" if approved else "return"
    errors: dict[str, str] = {}
    opinion = _text(errors, "opinion", opinion, limit=OPINION_MAX, required=not approved,
                    empty=_("退回须填写书面审议意见"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        matter = _lock(matter)
        precheck(move, matter, by)
        before = {"status": matter.status}
        MatterReview.objects.create(matter=matter, round=matter.round, approved=approved, opinion=opinion,
                                    reviewed_by=user_of(by), at=timezone.now())
        matter.status = M.APPROVED if approved else M.RETURNED
        matter.save(update_fields=["status", "updated_at"])
        verb = Verb.APPROVE_MATTER if approved else Verb.RETURN_MATTER
        Event.record(by, verb, matter, place=matter.compound, summary=opinion or matter.title, before=before,
                     after={"status": matter.status, "round": matter.round})
        text = (_("党支部已审议通过“%(t)s”，请业委会召开会议决议") if approved
                else _("党支部退回“%(t)s”，请查看审议意见后修改")) % {"t": matter.title}
        notify(_users_of([matter.committee_id]), verb=verb, text=text, link=_link(matter))
    return matter


def approve_matter(matter: Matter, *, by, opinion: str = "") -> Matter:
    """第二步 党支部审议通过 (with an optional opinion)."""
    return _review(matter, by=by, approved=True, opinion=opinion)


def return_matter(matter: Matter, *, by, opinion: str) -> Matter:
    """第二步 党支部退回, with a written opinion the committee revises the matter by."""
    return _review(matter, by=by, approved=False, opinion=opinion)


def sitting_members(committee_id: int, on: datetime.date | None = None) -> list[Person]:
    """The committee's sitting members: the people holding an active post in it (each once)."""
    person_ids = Position.objects.active(on).filter(organisation_id=committee_id).values("person_id")
    return list(Person.objects.filter(pk__in=person_ids).order_by("pk"))


def resolve_matter(matter: Matter, *, by, ballots: Mapping[int, str], note: str = "") -> Matter:
    """第三步 业委会决议: ``ballots`` maps each member present (a Person's pk) to 赞成/反对/弃权. More than half of
    the sitting members must be present (the committee's quorum); the matter passes with more than half of those
    present in favour, else it is recorded as not passed."""
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, limit=TEXT_MAX, required=False)
    if not isinstance(ballots, Mapping) or not ballots:
        errors["ballots"] = _("请登记出席委员及其表决意见")
    elif any(choice not in VoteChoice.values for choice in ballots.values()):
        errors["ballots"] = _("表决意见只能是赞成、反对或弃权")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        matter = _lock(matter)
        precheck("resolve", matter, by)
        sitting = {p.pk: p for p in sitting_members(matter.committee_id)}
        strangers = [pk for pk in ballots if pk not in sitting]
        if strangers:
            names = ", ".join(p.name for p in Person.objects.filter(pk__in=strangers)) or str(strangers)
            raise ValidationError({"ballots": _("%(n)s 不是本届在任委员，不能参加表决") % {"n": names}})
        present = len(ballots)
        if present * 2 <= len(sitting):
            raise ValidationError({"ballots": _(
                "出席委员%(p)s人，未超过在任委员%(s)s人的半数，会议不能形成决议") % {"p": present, "s": len(sitting)}})
        counts = {c: sum(1 for v in ballots.values() if v == c) for c in VoteChoice.values}
        passed = counts[VoteChoice.FOR] * 2 > present
        CommitteeBallot.objects.bulk_create([CommitteeBallot(matter=matter, person_id=pk, choice=choice)
                                             for pk, choice in sorted(ballots.items())])
        before = {"status": matter.status}
        matter.status = M.RESOLVED if passed else M.NOT_PASSED
        matter.resolved_at = timezone.now()
        matter.sitting_members, matter.present_members = len(sitting), present
        matter.votes_for = counts[VoteChoice.FOR]
        matter.votes_against = counts[VoteChoice.AGAINST]
        matter.votes_abstain = counts[VoteChoice.ABSTAIN]
        matter.resolution_note = note
        matter.save()
        summary = _("在任%(s)s人，出席%(p)s人；赞成%(y)s、反对%(n)s、弃权%(a)s：%(r)s") % {
            "s": len(sitting), "p": present, "y": counts["for"], "n": counts["against"], "a": counts["abstain"],
            "r": _("通过") if passed else _("未通过")}
        Event.record(by, Verb.RESOLVE_MATTER, matter, place=matter.compound, summary=summary, before=before,
                     after={"status": matter.status, "sitting": len(sitting), "present": present, **counts})
        if passed:
            company = company_of(matter.compound)
            notify(_users_of([company.pk if company else None]), verb=Verb.RESOLVE_MATTER,
                   text=_("%(c)s业委会已决议“%(t)s”，请物业公司组织执行") % {"c": matter.compound.name,
                                                                 "t": matter.title},
                   link=_link(matter))
    return matter


def execution_category() -> Category | None:
    """The category of a matter's work order: 公共设施 if active, else the first active company category."""
    categories = Category.objects.filter(active=True, handler_kind="property_company").order_by("sort", "pk")
    return categories.filter(code="public_facility").first() or categories.first()


def execute_matter(matter: Matter, *, by, category: Category | None = None, note: str = "") -> Matter:
    """第四步 物业公司执行: a work order in the requests' lifecycle, filed for the compound, dispatched to the
    company managing it and accepted by it (the actor); the matter's execution status follows that request."""
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, limit=500, required=False)
    if category is not None and (not category.active or category.handler_kind != "property_company"):
        errors["category"] = _("请选择物业承办的诉求类别")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        matter = _lock(matter)
        precheck("execute", matter, by)
        company = company_of(matter.compound)
        assert company is not None  # the precheck refuses a compound without one
        category = category or execution_category()
        if category is None:
            raise ValidationError({"category": _("没有可用的物业承办类别")})
        description = _("【支部先议】%(t)s（业委会决议：%(d)s）") % {
            "t": matter.title, "d": timezone.localtime(matter.resolved_at).strftime("%Y-%m-%d")}
        detail = (matter.resolution_note or matter.description).strip()
        if note:
            detail = f"{note}\n{detail}"
        # the work order is the platform's on the committee's resolution: filed and dispatched as SYSTEM,
        # accepted by the company's own person (``by``) through the request's lifecycle
        req = workorders.file_request(by=SYSTEM, category=category, description=f"{description}\n{detail}"[:1000],
                                      place=matter.compound, urgency=Urgency.COMPLEX, channel=Channel.WALK_IN,
                                      public=True)
        req = workorders.dispatch_request(req, to=company, by=SYSTEM)
        req = workorders.accept_request(req, by=by)
        before = {"status": matter.status}
        matter.status, matter.company, matter.request = M.EXECUTING, company, req
        matter.execution_started_at = timezone.now()
        matter.save(update_fields=["status", "company", "request", "execution_started_at", "updated_at"])
        Event.record(by, Verb.EXECUTE_MATTER, matter, place=matter.compound,
                     summary=_("%(co)s 执行，工单 %(n)s") % {"co": company.name, "n": req.number}, before=before,
                     after={"status": matter.status, "company": company.pk, "request": req.pk})
        notify(_users_of([matter.committee_id]), verb=Verb.EXECUTE_MATTER,
               text=_("%(co)s已接单执行“%(t)s”（工单 %(n)s）") % {"co": company.name, "t": matter.title,
                                                          "n": req.number},
               link=_link(matter))
    return matter


def _check_vote_for(vote: Vote | None, compound: Place) -> Vote:
    if vote is None or vote.compound_id != compound.pk:
        raise ValidationError({"owners_vote": _("请选择本小区的业主大会表决")})
    if vote.kind != VoteKind.QUESTION or vote.status == VoteStatus.CANCELLED:
        raise ValidationError({"owners_vote": _("只能关联未取消的表决事项（不能关联选举）")})
    return vote


def link_matter_vote(matter: Matter, *, vote: Vote | None, by) -> Matter:
    """关联业主大会表决 — a matter the owners must decide (民法典第278条) links to their vote."""
    with transaction.atomic():
        matter = _lock(matter)
        precheck("link_vote", matter, by)
        vote = _check_vote_for(vote, matter.compound)
        before = {"owners_vote": matter.owners_vote_id}
        matter.owners_vote, matter.needs_owners_vote = vote, True
        matter.save(update_fields=["owners_vote", "needs_owners_vote", "updated_at"])
        Event.record(by, Verb.LINK_MATTER_VOTE, matter, place=matter.compound, summary=vote.title, before=before,
                     after={"owners_vote": vote.pk})
    return matter


# ---------------------------------------------------------------- 民主听证


def _lock_hearing(hearing: Hearing) -> Hearing:
    return (Hearing.objects.select_for_update(of=("self",)).select_related("compound", "owners_vote", "matter")
            .get(pk=hearing.pk))


def _households_of(compound: Place):
    return Place.objects.filter(kind=Kind.HOUSEHOLD, path__startswith=compound.path)


def _homes_of(by) -> list[str]:
    return [s.path for s in user_scopes(by) if s.role == "resident"] if user_of(by) is not None else []


def _check_open(hearing: Hearing) -> None:
    if hearing.status == HearingStatus.DECIDED:
        raise StateConflict(_("听证已形成决定，不能再修改"))


def _check_opened(hearing: Hearing) -> None:
    if hearing.status != HearingStatus.OPENED:
        raise StateConflict(_("须先现场开标") if hearing.status == HearingStatus.PREPARING
                            else _("听证已形成决定，不能再修改"))


def _check_open_bids(hearing: Hearing) -> None:
    if hearing.status != HearingStatus.PREPARING:
        raise StateConflict(_("已开标"))
    if not hearing.bids.exists():
        raise StateConflict(_("还没有供应商报价，不能开标"), field="bids")


def _check_decide(hearing: Hearing) -> None:
    _check_opened(hearing)
    n = hearing.bids.count()
    if n < MIN_BIDS:
        raise StateConflict(_("至少须有%(m)s家供应商报价才能形成决定（现有%(n)s家）") % {"m": MIN_BIDS, "n": n},
                            field="bids")
    if hearing.needs_owners_vote and hearing.owners_vote_id is None:
        raise StateConflict(_("本事项须经业主大会表决（民法典第278条），请先关联业主大会表决，才能形成最终决定"),
                            field="owners_vote")


def _check_opinion(hearing: Hearing, by) -> None:
    _check_open(hearing)
    if not (manages_compound(by, hearing) or sits_on_committee(by, hearing) or getattr(by, "is_superuser", False)
            or by is SYSTEM):
        homes = [h for h in _homes_of(by) if h.startswith(hearing.compound.path)]
        if not homes:
            raise PermissionDenied
        if not (set(homes) - set(hearing.opinions.values_list("household__path", flat=True))):
            raise StateConflict(_("您家已提交过意见"), field="household")


# move → (permission, state check); the verb runs both on the locked hearing
HEARING_CHECKS: dict[str, tuple[str, Callable[[Hearing], None]]] = {
    "add_member": ("meetings.add_hearing_member", _check_open),
    "submit_bid": ("meetings.submit_bid", _check_open),
    "open_bids": ("meetings.open_bids", _check_open_bids),
    "link_vote": ("meetings.link_hearing_vote", _check_open),
    "decide": ("meetings.decide_hearing", _check_decide),
}
HEARING_MOVES: tuple[str, ...] = (*HEARING_CHECKS, "submit_opinion")


def hearing_precheck(move: str, hearing: Hearing, by) -> None:
    if move == "submit_opinion":
        require(by, "meetings.submit_opinion", hearing)
        _check_opinion(hearing, by)
        return
    perm, check = HEARING_CHECKS[move]
    require(by, perm, hearing)
    check(hearing)


def allowed_hearing_moves(hearing: Hearing, user) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    allowed = set()
    for move in HEARING_MOVES:
        try:
            hearing_precheck(move, hearing, user)
        except (PermissionDenied, ValidationError):
            continue
        allowed.add(move)
    return frozenset(allowed)


def hearing_refusals(hearing: Hearing, user) -> dict[str, str]:
    out = {}
    for move in HEARING_MOVES:
        try:
            hearing_precheck(move, hearing, user)
        except PermissionDenied:
            continue
        except ValidationError as exc:
            out[move] = "；".join(exc.messages)
    return out


def create_hearing(compound: Place, *, by, subject: str, held_at: datetime.datetime, venue: str = "",
                   description: str = "", matter: Matter | None = None, needs_owners_vote: bool = False) -> Hearing:
    """召开民主听证 — the community or the compound's committee calls a hearing (on a matter, or on its own)."""
    errors: dict[str, str] = {}
    if compound is None or getattr(compound, "kind", None) != Kind.COMPOUND:
        errors["compound"] = _("请选择小区")
    subject = _text(errors, "subject", subject, limit=TITLE_MAX, empty=_("请填写听证事项"))
    venue = _text(errors, "venue", venue, limit=TITLE_MAX, required=False)
    description = _text(errors, "description", description, limit=TEXT_MAX, required=False)
    if not isinstance(held_at, datetime.datetime):
        errors["held_at"] = _("请填写听证时间")
    if matter is not None and compound is not None and matter.compound_id != compound.pk:
        errors["matter"] = _("关联事项须是本小区的事项")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        require(by, "meetings.create_hearing", compound)
        hearing = Hearing.objects.create(compound=compound, matter=matter, subject=subject, venue=venue,
                                         description=description, held_at=held_at,
                                         needs_owners_vote=bool(needs_owners_vote), created_by=user_of(by))
        Event.record(by, Verb.CREATE_HEARING, hearing, place=compound, summary=subject,
                     after={"matter": matter.pk if matter else None, "needs_owners_vote": hearing.needs_owners_vote,
                            "held_at": held_at.isoformat()})
    return hearing


def add_hearing_member(hearing: Hearing, *, person: Person | None, group: str, by) -> HearingMember:
    """听证小组 — owner representatives, committee members, party members, technical experts, the company."""
    errors: dict[str, str] = {}
    if person is None:
        errors["person"] = _("请选择人员")
    if group not in MemberGroup.values:
        errors["group"] = _("请选择在听证小组中的身份")
    if errors:
        raise ValidationError(errors)
    assert person is not None
    with transaction.atomic():
        hearing = _lock_hearing(hearing)
        hearing_precheck("add_member", hearing, by)
        if hearing.members.filter(person=person).exists():
            raise ValidationError({"person": _("%(p)s 已在听证小组中") % {"p": person.name}})
        member = HearingMember.objects.create(hearing=hearing, person=person, group=group)
        Event.record(by, Verb.ADD_HEARING_MEMBER, hearing, place=hearing.compound,
                     summary=f"{person.name}（{MemberGroup(group).label}）", after={"person": person.pk, "group": group})
    return member


def submit_bid(hearing: Hearing, *, supplier: str, price, terms: str = "", attachment=None, by) -> Bid:
    """登记供应商报价 — sealed until the bids are opened at the hearing; a bid made on the spot is open at once."""
    errors: dict[str, str] = {}
    supplier = _text(errors, "supplier", supplier, limit=SUPPLIER_MAX, empty=_("请填写供应商名称"))
    terms = _text(errors, "terms", terms, limit=TERMS_MAX, required=False)
    amount: Decimal | None = None
    try:
        amount = clean_amount(price, "price", required=True)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    check_upload(attachment, "attachment")
    assert amount is not None
    with transaction.atomic():
        hearing = _lock_hearing(hearing)
        hearing_precheck("submit_bid", hearing, by)
        if hearing.bids.filter(supplier=supplier).exists():
            raise ValidationError({"supplier": _("%(s)s 已登记过报价") % {"s": supplier}})
        bid = Bid.objects.create(hearing=hearing, supplier=supplier, price=amount, terms=terms,
                                 attachment=attachment or "", submitted_at=timezone.now(), submitted_by=user_of(by))
        # the price is not in the audit row while the bids are sealed
        after = {"supplier": supplier, "attachment": bool(attachment)}
        if hearing.status == HearingStatus.OPENED:
            after["price"] = str(amount)
        Event.record(by, Verb.SUBMIT_BID, hearing, place=hearing.compound, summary=supplier, after=after)
    return bid


def open_bids(hearing: Hearing, *, by) -> Hearing:
    """现场开标 — at the hearing, every sealed bid is opened in front of the group."""
    with transaction.atomic():
        hearing = _lock_hearing(hearing)
        hearing_precheck("open_bids", hearing, by)
        bids = list(hearing.bids.order_by("price", "pk"))
        hearing.status, hearing.bids_opened_at = HearingStatus.OPENED, timezone.now()
        hearing.save(update_fields=["status", "bids_opened_at", "updated_at"])
        Event.record(by, Verb.OPEN_BIDS, hearing, place=hearing.compound, public=True,
                     summary=_("开标：%(n)s家供应商") % {"n": len(bids)}, before={"status": HearingStatus.PREPARING},
                     after={"status": hearing.status, "bids": {b.supplier: str(b.price) for b in bids}})
    return hearing


def submit_opinion(hearing: Hearing, *, household: Place | None, choice: str, by) -> Opinion:
    """业主意见征询 — one answer per household: an owner for their own home, an organiser entering a paper form."""
    errors: dict[str, str] = {}
    if household is None or household.kind != Kind.HOUSEHOLD:
        errors["household"] = _("请选择户")
    if choice not in OpinionChoice.values:
        errors["choice"] = _("请选择同意、不同意或弃权")
    if errors:
        raise ValidationError(errors)
    assert household is not None
    with transaction.atomic():
        hearing = _lock_hearing(hearing)  # two answers for one household queue here; the constraint backs it up
        require(by, "meetings.submit_opinion", hearing)
        _check_open(hearing)
        if not household.path.startswith(hearing.compound.path):
            raise ValidationError({"household": _("该户不在本小区")})
        organiser = by is SYSTEM or getattr(by, "is_superuser", False) or manages_compound(by, hearing) or (
            sits_on_committee(by, hearing))
        if not organiser and household.path not in _homes_of(by):
            raise PermissionDenied
        if hearing.opinions.filter(household=household).exists():
            raise ValidationError({"household": _("该户已提交过意见，每户只能提交一次")})
        try:
            with transaction.atomic():
                opinion = Opinion.objects.create(hearing=hearing, household=household, choice=choice,
                                                 cast_by=user_of(by), created_at=timezone.now())
        except IntegrityError:
            raise ValidationError({"household": _("该户已提交过意见，每户只能提交一次")}) from None
        # which household answered is kept on the row; how it answered is not in the audit trail
        Event.record(by, Verb.SUBMIT_OPINION, hearing, place=hearing.compound,
                     summary=_("收到一户意见") if not organiser else _("录入一户书面意见"),
                     after={"household": household.pk, "entered_by_organiser": bool(organiser)})
    return opinion


def poll_result(hearing: Hearing) -> dict:
    """The owners' poll: answers per choice and the turnout over the compound's households."""
    counts = dict(hearing.opinions.values_list("choice").annotate(n=Count("pk")).values_list("choice", "n"))
    households = _households_of(hearing.compound).count()
    answered = sum(counts.values())
    rows = [{"choice": c.value, "label": c.label, "count": counts.get(c.value, 0),
             "percent": round(100 * counts.get(c.value, 0) / answered, 1) if answered else 0.0}
            for c in OpinionChoice]
    return {"rows": rows, "answered": answered, "households": households,
            "turnout": round(100 * answered / households, 1) if households else 0.0}


def link_hearing_vote(hearing: Hearing, *, vote: Vote | None, by) -> Hearing:
    """关联业主大会表决 — where the Civil Code asks the owners themselves (e.g. the maintenance fund)."""
    with transaction.atomic():
        hearing = _lock_hearing(hearing)
        hearing_precheck("link_vote", hearing, by)
        vote = _check_vote_for(vote, hearing.compound)
        before = {"owners_vote": hearing.owners_vote_id}
        hearing.owners_vote = vote
        hearing.save(update_fields=["owners_vote", "updated_at"])
        Event.record(by, Verb.LINK_HEARING_VOTE, hearing, place=hearing.compound, summary=vote.title, before=before,
                     after={"owners_vote": vote.pk})
    return hearing


def decide_hearing(hearing: Hearing, *, bid: Bid | None, decision: str, record: str, by) -> Hearing:
    """形成听证决定 — after at least three bids were opened; with the owners' vote where the law asks for one."""
    errors: dict[str, str] = {}
    decision = _text(errors, "decision", decision, limit=TEXT_MAX, empty=_("请填写听证决定"))
    record = _text(errors, "record", record, limit=TEXT_MAX * 5, empty=_("请填写听证记录"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        hearing = _lock_hearing(hearing)
        hearing_precheck("decide", hearing, by)
        if bid is None or bid.hearing_id != hearing.pk:
            raise ValidationError({"bid": _("请选择本次听证的一家供应商")})
        hearing.status, hearing.decided_bid, hearing.decision, hearing.record = (
            HearingStatus.DECIDED, bid, decision, record)
        hearing.decided_at = timezone.now()
        hearing.save(update_fields=["status", "decided_bid", "decision", "record", "decided_at", "updated_at"])
        result = poll_result(hearing)
        Event.record(by, Verb.DECIDE_HEARING, hearing, place=hearing.compound, public=True,
                     summary=_("选定 %(s)s（%(p)s元）") % {"s": bid.supplier, "p": bid.price},
                     before={"status": HearingStatus.OPENED},
                     after={"status": hearing.status, "bid": bid.pk, "answered": result["answered"],
                            "households": result["households"]})
        notify(_users_of([o.pk for o in [committee_of(hearing.compound)] if o]), verb=Verb.DECIDE_HEARING,
               text=_("民主听证“%(s)s”已形成决定：选定%(b)s") % {"s": hearing.subject, "b": bid.supplier},
               link=reverse("meetings:hearing_detail", args=[hearing.pk]))
    return hearing
