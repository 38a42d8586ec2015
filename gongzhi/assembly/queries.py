"""Scoped reads of votes: the list's ``?state=`` filter and the 工作台's counts of the same rows."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from .models import Vote, VoteStatus

# ?state=… on the vote list: 草稿待公告, 公告期, 投票中, 已截止待计票
VOTE_STATES = ("draft", "notice", "open", "ended")


def vote_state_q(state: str, now) -> Q:
    """The window states of ``Vote.window_state`` as a filter."""
    announced = Q(status=VoteStatus.ANNOUNCED)
    if state == "draft":
        return Q(status=VoteStatus.DRAFT)
    if state == "notice":
        return announced & Q(opens_at__gt=now)
    if state == "open":
        return announced & Q(opens_at__lte=now, closes_at__gt=now)
    if state == "ended":
        return announced & Q(closes_at__lte=now)
    raise ValueError(state)


def votes_for(user, *, state: str = "", now=None):
    """The votes ``user`` sees, newest first; ``state`` one of :data:`VOTE_STATES`."""
    now = now or timezone.now()
    qs = Vote.objects.visible_to(user).select_related("compound").order_by("-opens_at", "-pk")
    if state in VOTE_STATES:
        qs = qs.filter(vote_state_q(state, now))
    return qs


def vote_todo_counts(user, states, *, now=None) -> dict[str, int]:
    """How many of the list's rows each state filter keeps, in one query."""
    now = now or timezone.now()
    return votes_for(user, now=now).order_by().aggregate(
        **{state: Count("pk", filter=vote_state_q(state, now)) for state in states})
