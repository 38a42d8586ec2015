"""诉求状态流转: ``TRANSITIONS``, the only list of allowed moves, its errors, and the precheck of every move a
user makes — the actor's right (``require``), the table, and what else the state must allow.

A verb (``lifecycle``, ``whistles``) runs its precheck on the locked row; ``moves.allowed_moves`` runs the same
prechecks on the row a page or the API shows, so what is offered is exactly what the verb accepts. The small
helpers every verb of the package shares (lock, audit, text limits) live here too."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.models import Event
from gongzhi.core.permissions import require, user_of
from gongzhi.people.models import Person

from ..events import Verb
from ..models import Attachment, Request, ServiceSettings, Status
from ..photos import without_metadata

S = Status
# 诉求状态流转 — the only place allowed moves are listed: verb → (from statuses, to status)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "dispatch": (frozenset({S.SUBMITTED, S.RETURNED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED}),
                 S.DISPATCHED),
    "grab": (frozenset({S.DISPATCHED}), S.DISPATCHED),
    "accept": (frozenset({S.DISPATCHED, S.REOPENED}), S.ACCEPTED),
    "start": (frozenset({S.ACCEPTED}), S.IN_PROGRESS),
    "resolve": (frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.RESOLVED),
    "return": (frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED}), S.RETURNED),
    "reject": (frozenset({S.SUBMITTED, S.RETURNED}), S.REJECTED),
    "merge": (frozenset({S.SUBMITTED, S.RETURNED, S.DISPATCHED}), S.MERGED),
    "rate": (frozenset({S.RESOLVED}), S.RATED),
    "reopen": (frozenset({S.RESOLVED, S.RATED}), S.REOPENED),
    "close": (frozenset({S.RESOLVED, S.RATED}), S.CLOSED),
    "expire_pool": (frozenset({S.DISPATCHED}), S.RETURNED),  # the tick: nobody claimed it from the pool
}

# the audit verb of each move; its (lazy) label names the move in messages, in the reader's language
MOVE_VERBS: dict[str, Verb] = {
    "dispatch": Verb.DISPATCH_REQUEST, "grab": Verb.GRAB_REQUEST, "accept": Verb.ACCEPT_REQUEST,
    "start": Verb.START_REQUEST, "resolve": Verb.RESOLVE_REQUEST, "return": Verb.RETURN_REQUEST,
    "reject": Verb.REJECT_REQUEST, "merge": Verb.MERGE_REQUEST, "rate": Verb.RATE_REQUEST,
    "reopen": Verb.REOPEN_REQUEST, "close": Verb.CLOSE_REQUEST, "expire_pool": Verb.EXPIRE_POOL,
}
VERB_LABELS = {move: verb.label for move, verb in MOVE_VERBS.items()}


class StateConflict(ValidationError):
    """The request's current state does not allow this now (the API answers 409, naming ``status``)."""

    def __init__(self, message: str, *, code: str = "conflict"):
        super().__init__({"status": message}, code=code)


class InvalidTransition(StateConflict):
    """A move the transition table does not allow from the request's current status."""

    def __init__(self, verb: str, status: str):
        super().__init__(_("当前状态“%(status)s”下不能%(verb)s") % {
            "status": Status(status).label, "verb": VERB_LABELS[verb]}, code="invalid_transition")


def check_transition(verb: str, status: str) -> str:
    allowed, target = TRANSITIONS[verb]
    if status not in allowed:
        raise InvalidTransition(verb, status)
    return target


# ---------------------------------------------------------------- shared by the verbs of this package


def lock_request(req: Request) -> Request:
    return Request.objects.select_for_update(of=("self",)).select_related("place", "reporter", "assignee", "handler").get(
        pk=req.pk)


def record(by, verb: str, req: Request, *, summary: str = "", before=None, after=None) -> None:
    Event.record(by, verb, req, place=req.place, summary=summary, before=before, after=after, public=True)


def link_of(req: Request) -> str:
    return f"/requests/{req.pk}/"


def save_photos(req: Request, photos: Sequence, stage: str, by) -> None:
    for f in photos:
        Attachment.objects.create(request=req, stage=stage, file=without_metadata(f),  # no GPS of the home
                                  uploaded_by=user_of(by))


def person_of(by) -> Person | None:
    user = user_of(by)
    return Person.objects.filter(user=user).first() if user is not None else None


# ---------------------------------------------------------------- prechecks: may ``by`` make the move now?
# Each raises PermissionDenied (no right) or StateConflict (the state forbids it); the verb runs it on the
# locked row, allowed_moves runs it on the row it shows.


def _precheck_dispatch(req: Request, by) -> None:
    require(by, "workorders.dispatch_request", req)
    check_transition("dispatch", req.status)


def _precheck_grab(req: Request, by) -> None:
    require(by, "workorders.grab_request", req)
    check_transition("grab", req.status)
    if req.pool_until is None or req.assignee_id is not None:
        raise StateConflict(_("该诉求不在抢单池中"))
    if req.pool_until < timezone.now():
        raise StateConflict(_("抢单时间已过"))
    if person_of(by) is None:
        raise PermissionDenied


def _precheck_accept(req: Request, by) -> None:
    require(by, "workorders.accept_request", req)
    check_transition("accept", req.status)
    if req.pool_until is not None and req.assignee_id is None:
        raise StateConflict(_("抢单池中的诉求请先抢单"))


def _precheck(verb: str, perm: str) -> Callable[[Request, object], None]:
    def check(req: Request, by) -> None:
        require(by, perm, req)
        check_transition(verb, req.status)

    check.__name__ = f"_precheck_{verb}"
    return check


_precheck_start = _precheck("start", "workorders.start_request")
_precheck_resolve = _precheck("resolve", "workorders.resolve_request")
_precheck_return = _precheck("return", "workorders.return_request")
_precheck_reject = _precheck("reject", "workorders.reject_request")
_precheck_merge = _precheck("merge", "workorders.merge_request")
_precheck_rate = _precheck("rate", "workorders.rate_request")


def _precheck_reopen(req: Request, by) -> None:
    require(by, "workorders.reopen_request", req)
    check_transition("reopen", req.status)
    if not req.can_reopen():
        raise StateConflict(_("已超过可重办期限（办结后%(d)s天）") % {"d": ServiceSettings.current().reopen_days})


FOLLOW_UP_STATUSES = frozenset({S.RESOLVED, S.RATED, S.CLOSED})


def _precheck_follow_up(req: Request, by) -> None:
    require(by, "workorders.follow_up_request", req)
    if req.status not in FOLLOW_UP_STATUSES:
        raise StateConflict(_("办结后才能回访"))


def _precheck_whistle(req: Request, by) -> None:
    require(by, "workorders.whistle_request", req)
    if not req.is_open:
        raise StateConflict(_("已办结或关闭的诉求不能吹哨"))


# the moves a user makes on a request, each with its precheck (the tick's moves are not here: only SYSTEM makes them)
PRECHECKS: dict[str, Callable[[Request, object], None]] = {
    "dispatch": _precheck_dispatch, "grab": _precheck_grab, "accept": _precheck_accept,
    "start": _precheck_start, "resolve": _precheck_resolve, "return": _precheck_return,
    "reject": _precheck_reject, "merge": _precheck_merge, "rate": _precheck_rate, "reopen": _precheck_reopen,
    "follow_up": _precheck_follow_up, "whistle": _precheck_whistle,
}


def precheck(move: str, req: Request, by) -> None:
    """Raise PermissionDenied or StateConflict unless ``by`` may make ``move`` on ``req`` as it is now."""
    PRECHECKS[move](req, by)

