"""Votes over the API: list and read what one may see, cast one's own ballot, read the public result."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api_pagination import LimitOffsetPagination
from gongzhi.core.params import Id

from . import actions
from .models import BallotChoice, Vote, VoteKind

router = Router(tags=["assembly 业主表决"])


class VoteOut(Schema):
    id: int
    compound_id: int
    kind: VoteKind
    matter: str
    title: str
    question: str
    status: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    seats: int | None
    ballot_rule: str = Field(description="同一业主多渠道投票时的处理规则：first（以第一张有效选票为准）、"
                                         "written（书面选票优先）或 last（以最后一张有效选票为准）")
    result: dict | None


class VoteDetailOut(VoteOut):
    allowed_moves: list[str] = Field(
        description="当前用户现在可以进行的操作（actions.MOVES 之一，如 cast、announce、tally），与页面按钮一致")

    @staticmethod
    def resolve_allowed_moves(obj: Vote, context) -> list[str]:
        moves = actions.allowed_moves(obj, context["request"].user)
        return [m for m in actions.MOVES if m in moves]


class BallotIn(Schema):
    owner_key: str | None = Field(None, description="代表的业主（多个时必填）")
    choice: BallotChoice | None = None
    candidates: list[Id] = Field([], max_length=100)


class ReceiptOut(Schema):
    vote_id: int
    receipt: str
    channel: str = Field(description="本户现在记录的选票的渠道（online / paper / proxy）")
    held: bool = Field(False, description="本户已有其他渠道的选票：这次的选票已记录但暂不计入，由组织方按本表决规则处理")


@router.get("", response=list[VoteOut], summary="表决列表")
@paginate(LimitOffsetPagination)
def list_votes(request):
    return Vote.objects.visible_to(request.user).order_by("-opens_at", "pk")


@router.get("/{int:pk}", response=VoteDetailOut, summary="表决详情与结果")
def get_vote(request, pk: Id):
    return get_object_or_404(Vote.objects.visible_to(request.user), pk=pk)


@router.post("/{int:pk}/ballot", response={200: ReceiptOut}, summary="投票（截止前可修改，以最后一次为准）")
def cast(request, pk: Id, payload: BallotIn):
    vote = get_object_or_404(Vote.objects.visible_to(request.user), pk=pk)
    ballot = actions.cast_ballot(vote, by=request.user, owner_key=payload.owner_key,
                                 choice=payload.choice or "", candidates=payload.candidates)
    return {"vote_id": vote.pk, "receipt": ballot.receipt, "channel": ballot.channel, "held": ballot.held is not None}
