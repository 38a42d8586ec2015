"""Every state change of the requests app: one function per verb, each in one transaction, checking the
actor's right with ``core.permissions.require`` on the locked row, writing one audit Event.

By subject (docs/workorders.md):

- ``transitions`` — ``TRANSITIONS`` (the only list of allowed moves), ``StateConflict``/``InvalidTransition``,
  the prechecks of every user move;
- ``moves`` — ``allowed_moves(req, user)``: what the pages and the API offer;
- ``intake`` — filing; ``qr`` — the QR sheets and filing from a phone without an account; ``lifecycle`` — the moves people make; ``whistles`` — 吹哨报到;
- ``ticks`` — the platform's moves (超时, 督办升级, 抢单超时, 关闭), called by ``jobs.py`` as SYSTEM;
- ``deadlines`` — 时限; ``recipients`` — who is told; ``routing`` — routing rules and duty rosters;
- ``catalogue`` — categories, service levels, 诉求参数, the holiday calendar.

The public names are re-exported here: ``from gongzhi.workorders import actions; actions.dispatch_request``."""

from .catalogue import (
    CATEGORY_CODE,
    CATEGORY_FIELDS,
    SETTINGS_BOUNDS,
    WHOLE_SETTINGS,
    create_category,
    remove_holiday,
    set_category_active,
    set_holiday,
    update_category,
    update_service_level,
    update_service_settings,
)
from .deadlines import due_at, service_level
from .intake import clean_intake, file_request, next_number
from .lifecycle import (
    accept_request,
    dispatch_request,
    follow_up_request,
    grab_request,
    merge_request,
    rate_request,
    reject_request,
    reopen_request,
    resolve_request,
    return_request,
    start_request,
)
from .locating import ASSIGNABLE_KINDS, assign_place, precheck_assign_place
from .moves import USER_MOVES, allowed_moves
from .privacy import reveal_contact_phone, set_request_public
from .qr import file_request_by_phone, print_qr_sheets
from .recipients import (
    ESCALATION_ROLES,
    dispatchers_of,
    escalation_users,
    handlers_of,
    nearest_dispatchers,
    reporter_users,
    users_over,
    users_with_posts,
)
from .routing import (
    RULE_PLACE_KINDS,
    add_duty,
    create_routing_rule,
    delete_routing_rule,
    next_on_duty,
    remove_duty,
    route,
    set_duty,
    update_routing_rule,
)
from .ticks import OVERDUE_FLAGS, close_request, escalate_request, expire_pool_request, mark_overdue
from .transitions import (
    MOVE_VERBS,
    PRECHECKS,
    TRANSITIONS,
    VERB_LABELS,
    InvalidTransition,
    StateConflict,
    check_transition,
    precheck,
)
from .whistles import acknowledge_whistle, mark_whistle_overdue, report_whistle, whistle_request

__all__ = [
    "ASSIGNABLE_KINDS", "CATEGORY_CODE", "CATEGORY_FIELDS", "assign_place", "precheck_assign_place", "ESCALATION_ROLES", "MOVE_VERBS", "OVERDUE_FLAGS", "PRECHECKS",
    "RULE_PLACE_KINDS", "SETTINGS_BOUNDS", "TRANSITIONS", "USER_MOVES", "VERB_LABELS", "WHOLE_SETTINGS",
    "InvalidTransition", "StateConflict", "accept_request", "acknowledge_whistle", "add_duty", "allowed_moves",
    "check_transition", "clean_intake", "close_request", "create_category", "create_routing_rule",
    "delete_routing_rule", "dispatch_request", "dispatchers_of", "due_at", "escalate_request", "escalation_users",
    "expire_pool_request", "file_request", "file_request_by_phone", "follow_up_request", "grab_request", "handlers_of", "mark_overdue",
    "mark_whistle_overdue", "merge_request", "nearest_dispatchers", "next_number", "next_on_duty", "precheck", "print_qr_sheets", "rate_request",
    "reject_request", "remove_duty", "remove_holiday", "reopen_request", "report_whistle", "reporter_users",
    "resolve_request", "return_request", "reveal_contact_phone", "route", "service_level", "set_category_active", "set_duty", "set_request_public",
    "set_holiday", "start_request", "update_category", "update_routing_rule", "update_service_level",
    "update_service_settings", "users_over", "users_with_posts", "whistle_request",
]
