"""支部先议 matters and 民主听证 hearings over the API (mounted at /api/matters): scoped reads (``visible_to``; out
of scope is 404), each step of a matter calling the same action as its page, and an owner's poll answer.
A step the state does not allow is 409 naming the field; bad input 422; another body's step 403."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api_pagination import LimitOffsetPagination
from gongzhi.core.params import Id
from gongzhi.places.models import Kind, Place
from gongzhi.workorders.models import Category

from . import matters_actions as actions
from .models.matter import (
    OPINION_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Hearing,
    Matter,
    MatterKind,
    OpinionChoice,
    VoteChoice,
)

router = Router(tags=["meetings 支部先议与民主听证"])


class MatterOut(Schema):
    id: int
    compound_id: int
    committee_id: int
    branch_id: int
    company_id: int | None
    kind: str
    title: str
    description: str
    estimated_cost: Decimal | None
    needs_owners_vote: bool
    owners_vote_id: int | None
    status: str
    round: int
    proposed_at: datetime.datetime
    resolved_at: datetime.datetime | None
    sitting_members: int | None
    present_members: int | None
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    request_id: int | None
    execution_status: str | None = Field(None, description="执行工单的状态（随工单变化）")

    @staticmethod
    def resolve_execution_status(obj: Matter) -> str | None:
        return obj.request.status if obj.request is not None else None


class MatterDetailOut(MatterOut):
    allowed_moves: list[str] = Field(description="当前用户现在可以进行的操作，与页面一致（revise、approve、return、"
                                                 "resolve、execute、link_vote）")
    reviews: list[dict]

    @staticmethod
    def resolve_allowed_moves(obj: Matter, context) -> list[str]:
        moves = actions.allowed_moves(obj, context["request"].user)
        return [m for m in actions.MOVES if m in moves]

    @staticmethod
    def resolve_reviews(obj: Matter) -> list[dict]:
        return [{"round": r.round, "approved": r.approved, "opinion": r.opinion, "at": r.at.isoformat()}
                for r in obj.reviews.all()]


class MatterIn(Schema):
    compound: Id
    kind: MatterKind = MatterKind.MAJOR_AFFAIR
    title: str = Field(max_length=TITLE_MAX)
    description: str = Field(max_length=TEXT_MAX)
    estimated_cost: Decimal | None = Field(None, gt=0, lt=10**10, decimal_places=2)
    needs_owners_vote: bool = False


class ReviseIn(Schema):
    title: str = Field(max_length=TITLE_MAX)
    description: str = Field(max_length=TEXT_MAX)
    kind: MatterKind | None = None
    estimated_cost: Decimal | None = Field(None, gt=0, lt=10**10, decimal_places=2)
    needs_owners_vote: bool | None = None


class ReviewIn(Schema):
    opinion: str = Field("", max_length=OPINION_MAX)


class BallotIn(Schema):
    person: Id
    choice: VoteChoice


class ResolveIn(Schema):
    ballots: list[BallotIn] = Field(description="出席委员及其表决意见（未列出的在任委员视为未出席）", max_length=100)
    note: str = Field("", max_length=TEXT_MAX)


class ExecuteIn(Schema):
    category: Id | None = Field(None, description="工单类别（物业承办），默认“公共设施”")
    note: str = Field("", max_length=500)


class HearingOut(Schema):
    id: int
    compound_id: int
    matter_id: int | None
    subject: str
    venue: str
    held_at: datetime.datetime
    status: str
    needs_owners_vote: bool
    owners_vote_id: int | None
    decision: str
    decided_at: datetime.datetime | None
    decided_bid_id: int | None


class HearingDetailOut(HearingOut):
    bids: list[dict] = Field(description="供应商报价；开标前不含价格")
    poll: dict = Field(description="业主意见征询结果：各意见户数与参与率（占本小区户数）")
    allowed_moves: list[str]

    @staticmethod
    def resolve_bids(obj: Hearing) -> list[dict]:
        opened = obj.bids_opened_at is not None
        return [{"id": b.pk, "supplier": b.supplier, "price": str(b.price) if opened else None, "terms": b.terms}
                for b in obj.bids.all()]

    @staticmethod
    def resolve_poll(obj: Hearing) -> dict:
        result = actions.poll_result(obj)
        return {"answered": result["answered"], "households": result["households"], "turnout": result["turnout"],
                "counts": {r["choice"]: r["count"] for r in result["rows"]}}

    @staticmethod
    def resolve_allowed_moves(obj: Hearing, context) -> list[str]:
        moves = actions.allowed_hearing_moves(obj, context["request"].user)
        return [m for m in actions.HEARING_MOVES if m in moves]


class OpinionIn(Schema):
    household: Id
    choice: OpinionChoice


class OpinionOut(Schema):
    hearing_id: int
    household_id: int
    choice: str


def _matter(request, pk: int) -> Matter:
    return get_object_or_404(Matter.objects.visible_to(request.user).select_related("request"), pk=pk)


def _conflict(request, exc: actions.StateConflict):
    detail = [{"loc": ["body", field], "msg": str(m), "type": "conflict"}
              for field, messages in exc.message_dict.items() for m in messages]
    return JsonResponse({"detail": detail}, status=409, json_dumps_params={"ensure_ascii": False})


def _step(request, call):
    try:
        return call()
    except actions.StateConflict as exc:
        return _conflict(request, exc)


@router.get("", response=list[MatterOut], summary="支部先议事项列表")
@paginate(LimitOffsetPagination)
def list_matters(request):
    return Matter.objects.visible_to(request.user).select_related("request").order_by("-proposed_at", "-pk")


@router.post("", response={201: MatterDetailOut}, summary="业委会提议（第一步）")
def propose(request, payload: MatterIn):
    compound = get_object_or_404(Place.objects.visible_to(request.user), pk=payload.compound, kind=Kind.COMPOUND)
    matter = actions.propose_matter(compound, by=request.user, title=payload.title, description=payload.description,
                                    kind=payload.kind, estimated_cost=payload.estimated_cost,
                                    needs_owners_vote=payload.needs_owners_vote)
    return 201, matter


@router.get("/hearings", response=list[HearingOut], summary="民主听证会列表")
@paginate(LimitOffsetPagination)
def list_hearings(request):
    return Hearing.objects.visible_to(request.user).order_by("-held_at", "-pk")


@router.get("/hearings/{int:pk}", response=HearingDetailOut, summary="民主听证会：报价、业主意见与决定")
def get_hearing(request, pk: int):
    return get_object_or_404(Hearing.objects.visible_to(request.user).select_related("compound"), pk=pk)


@router.post("/hearings/{int:pk}/opinions", response={201: OpinionOut, 409: dict},
             summary="提交业主意见（每户一次）")
def opinion(request, pk: int, payload: OpinionIn):
    hearing = get_object_or_404(Hearing.objects.visible_to(request.user).select_related("compound"), pk=pk)
    household = Place.objects.filter(pk=payload.household, kind=Kind.HOUSEHOLD).first()

    def call():
        o = actions.submit_opinion(hearing, household=household, choice=payload.choice, by=request.user)
        return 201, {"hearing_id": hearing.pk, "household_id": o.household_id, "choice": o.choice}

    return _step(request, call)


@router.get("/{int:pk}", response=MatterDetailOut, summary="支部先议事项：全过程")
def get_matter(request, pk: int):
    return _matter(request, pk)


@router.post("/{int:pk}/approve", response={200: MatterDetailOut, 409: dict}, summary="党支部审议通过（第二步）")
def approve(request, pk: int, payload: ReviewIn):
    matter = _matter(request, pk)
    return _step(request, lambda: actions.approve_matter(matter, by=request.user, opinion=payload.opinion))


@router.post("/{int:pk}/return", response={200: MatterDetailOut, 409: dict}, summary="党支部退回（附书面意见）")
def return_(request, pk: int, payload: ReviewIn):
    matter = _matter(request, pk)
    return _step(request, lambda: actions.return_matter(matter, by=request.user, opinion=payload.opinion))


@router.post("/{int:pk}/revise", response={200: MatterDetailOut, 409: dict}, summary="业委会修改后重新提议")
def revise(request, pk: int, payload: ReviseIn):
    matter = _matter(request, pk)
    return _step(request, lambda: actions.revise_matter(
        matter, by=request.user, title=payload.title, description=payload.description, kind=payload.kind,
        estimated_cost=payload.estimated_cost, needs_owners_vote=payload.needs_owners_vote))


@router.post("/{int:pk}/resolve", response={200: MatterDetailOut, 409: dict}, summary="业委会决议（第三步）")
def resolve(request, pk: int, payload: ResolveIn):
    matter = _matter(request, pk)
    ballots: dict[int, str] = {}
    for b in payload.ballots:
        if b.person in ballots:
            raise ValidationError({"ballots": "同一委员只能表决一次"})
        ballots[b.person] = b.choice
    return _step(request, lambda: actions.resolve_matter(matter, by=request.user, ballots=ballots, note=payload.note))


@router.post("/{int:pk}/execute", response={200: MatterDetailOut, 409: dict}, summary="物业公司执行（第四步）")
def execute(request, pk: int, payload: ExecuteIn):
    matter = _matter(request, pk)
    category = None
    if payload.category is not None:
        category = Category.objects.filter(pk=payload.category).first()
        if category is None:
            raise ValidationError({"category": "请选择物业承办的诉求类别"})
    return _step(request, lambda: actions.execute_matter(matter, by=request.user, category=category,
                                                         note=payload.note))
