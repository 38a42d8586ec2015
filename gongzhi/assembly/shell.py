"""What owners' votes add to the shell (see :mod:`gongzhi.core.registry`): the menu, the open votes on an
owner's home page, the compound's public board, and the demo step."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry
from gongzhi.core.registry import Todo
from gongzhi.core.roles import Role
from gongzhi.core.scope import user_roles

from .actions import heads_of, may_create_votes
from .demo import seed_votes
from .models import ORGANISER_ROLES, Vote, VoteStatus
from .queries import vote_todo_counts


def open_votes_card(request):
    user = request.user
    if Role.RESIDENT not in user_roles(user):
        return None
    votes = [v for v in Vote.objects.visible_to(user).filter(status="announced").select_related("compound")
             if v.is_open()]
    for v in votes:  # a co-owner whose representative votes is not asked to vote; one who voted is not asked again
        heads = heads_of(user, v)
        v.votes_here = bool(heads)
        v.voted = bool(heads) and not set(heads) - set(v.ballots.filter(owner_key__in=heads)
                                                       .values_list("owner_key", flat=True))
    return {"open_votes": votes} if votes else None


def votes_todo_card(request):
    """待办 · 表决 (organisers: street and community staff, the owners' committee): drafts to announce, votes
    open now, and votes past their close still to be counted (red) — the list's own ``?state=`` filters,
    counted in one query."""
    user = request.user
    if not (user.is_superuser or user_roles(user) & ORGANISER_ROLES):
        return None
    rows = [("draft", _t("草稿待公告"), ""), ("open", _t("投票中"), ""), ("ended", _t("已截止，待计票"), "danger")]
    counts = vote_todo_counts(user, [state for state, _label, _tone in rows])
    url = reverse("assembly:list")
    return {"title": _t("表决"), "more": url,
            "todos": [Todo(state, label, counts[state], f"{url}?state={state}", tone) for state, label, tone in rows]}


def public_votes(compound) -> list:
    """公示: the compound's announced and counted votes (the same rows as its public votes page)."""
    return list(Vote.objects.filter(compound=compound, status__in=[VoteStatus.ANNOUNCED, VoteStatus.CLOSED])
                .order_by("-opens_at")[:20])


def register() -> None:
    registry.menu("votes", group="work", label=_("表决"), url_name="assembly:list", order=40,
                  visible=lambda user: user.is_authenticated, active_prefixes=("/votes/",))
    registry.home_card("votes_todo", context=votes_todo_card, order=30, section="todo")
    registry.shortcut("new_vote", label=_("发起表决"), url_name="assembly:new", order=40, visible=may_create_votes)
    registry.target_link("assembly.vote", url=lambda pk: reverse("assembly:detail", args=[pk]))
    registry.home_card("open_votes", template="assembly/card_open_votes.html", context=open_votes_card, order=25)
    registry.public_item("votes", title=_("业主大会表决"), template="assembly/_public_board_votes.html",
                         items=public_votes, order=20)
    registry.demo_step("votes", run=seed_votes, order=30)
