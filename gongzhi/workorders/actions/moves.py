"""What a user may do to a request now: the one answer the pages, the API and the verbs share.

``allowed_moves`` runs the verbs' own prechecks (``transitions.PRECHECKS``: the right, the transition table,
the rest of the state) on the request as it is, so a move it lists succeeds when attempted (given valid
input) and a move it leaves out is refused with PermissionDenied or StateConflict."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from ..models import Request
from .transitions import PRECHECKS, StateConflict

USER_MOVES: tuple[str, ...] = tuple(PRECHECKS)


def allowed_moves(req: Request, user) -> frozenset[str]:
    """The moves (``dispatch``, ``accept``, ``whistle`` …) ``user`` may make on ``req`` now."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    allowed = set()
    for move, check in PRECHECKS.items():
        try:
            check(req, user)
        except (PermissionDenied, StateConflict):
            continue
        allowed.add(move)
    return frozenset(allowed)
