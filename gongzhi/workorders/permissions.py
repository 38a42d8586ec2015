"""Who may move a request: dispatchers (community/street staff over the place), the handling
organisation's people, the resident who filed it, a whistled department's liaisons."""

import rules

from gongzhi.core.permissions import is_street_staff
from gongzhi.core.roles import MANAGING_ROLES, Role
from gongzhi.core.scope import covers, user_roles, user_scopes
from gongzhi.people.models import Position
from gongzhi.people.roles import Title

from . import visibility
from .models import COMMON_PART_KINDS, PLACE_ROLES, verified_phone_index
from .queries import DISPATCHABLE_KINDS


@rules.predicate
def is_dispatcher(user, req) -> bool:
    return req is not None and covers(user, req.place.path, MANAGING_ROLES)


@rules.predicate
def is_handler(user, req) -> bool:
    if req is None or req.handler_id is None:
        return False
    if req.assignee_id is not None and req.assignee.user_id == user.pk:
        return True
    return any(s.organisation_id == req.handler_id for s in user_scopes(user))


@rules.predicate
def may_reveal_contact(user, req) -> bool:
    """The policy's answer (docs/privacy.md): dispatchers and grid workers over the place, the handling
    organisation's people — never a post holder of the company when it is anonymous towards it."""
    return req is not None and visibility.shown(req, user).can_reveal_phone


@rules.predicate
def is_reporter(user, req) -> bool:
    if req is None:
        return False
    if req.reporter_id is not None:
        return req.reporter.user_id == user.pk
    if req.phone_index:  # filed by a verification code, without an account: the phone's owner (docs/privacy.md)
        return user.is_authenticated and req.phone_index == verified_phone_index(user)
    return req.filed_by_id == user.pk


@rules.predicate
def may_file_at(user, place) -> bool:
    """Residents file for their own household (or anywhere public in their compound); staff within scope."""
    if place is None:
        return False
    if covers(user, place.path, PLACE_ROLES):
        return True
    homes = [s.path for s in user_scopes(user) if s.role == Role.RESIDENT]
    if any(place.path.startswith(h) for h in homes):
        return True
    # the common parts above a home: its unit, building or compound (by kind; depths vary between trees)
    return place.kind in COMMON_PART_KINDS and any(h.startswith(place.path) for h in homes)


@rules.predicate
def in_whistled_department(user, whistle) -> bool:
    return whistle is not None and any(s.organisation_id == whistle.department_id for s in user_scopes(user))


su = rules.is_superuser
rules.add_perm("workorders.file_request", su | may_file_at)
rules.add_perm("workorders.dispatch_request", su | is_dispatcher)
rules.add_perm("workorders.reject_request", su | is_dispatcher)
rules.add_perm("workorders.merge_request", su | is_dispatcher)
rules.add_perm("workorders.whistle_request", su | is_dispatcher)
rules.add_perm("workorders.follow_up_request", su | is_dispatcher)
rules.add_perm("workorders.assign_place", su | is_dispatcher)  # 待定位 → 指定位置 (Open311 by location)
rules.add_perm("workorders.grab_request", su | is_handler)
rules.add_perm("workorders.accept_request", su | is_handler)
rules.add_perm("workorders.start_request", su | is_handler)
rules.add_perm("workorders.resolve_request", su | is_handler)
rules.add_perm("workorders.return_request", su | is_handler)
rules.add_perm("workorders.rate_request", is_reporter)
rules.add_perm("workorders.reopen_request", is_reporter)
rules.add_perm("workorders.set_request_public", is_reporter)  # the reporter's own choice (docs/privacy.md)
rules.add_perm("workorders.acknowledge_whistle", su | in_whistled_department)
rules.add_perm("workorders.report_whistle", su | in_whistled_department)
rules.add_perm("workorders.manage_catalogue", su | is_street_staff)
rules.add_perm("workorders.reveal_contact_phone", may_reveal_contact)


@rules.predicate
def routes_at(user, obj) -> bool:
    """派单规则: street and community staff over the rule's place (without one: holding such a post)."""
    if obj is None:
        return bool(user_roles(user) & MANAGING_ROLES)
    path = getattr(obj, "path", None)
    if path is None:
        path = obj.place.path
    return covers(user, path, MANAGING_ROLES)


# 值班: the posts that lead an organisation's own people (a company's project manager, a community's
# secretary or director, a department's liaison)
DUTY_MANAGER_TITLES = frozenset({Title.STREET_SECRETARY, Title.COMMUNITY_SECRETARY, Title.COMMUNITY_DIRECTOR,
                                 Title.PROJECT_MANAGER, Title.DEPARTMENT_LIAISON})


@rules.predicate
def manages_duty_of(user, org) -> bool:
    """值班: the organisation's managers, and street/community staff over the place it is anchored at."""
    if org is None or org.kind not in DISPATCHABLE_KINDS:
        return False
    if covers(user, org.place.path, MANAGING_ROLES):
        return True
    if not any(s.organisation_id == org.pk for s in user_scopes(user)):
        return False
    return Position.objects.active().filter(person__user=user, organisation=org,
                                            title__in=DUTY_MANAGER_TITLES).exists()


@rules.predicate
def prints_qr_sheets_at(user, place) -> bool:
    """楼栋二维码: street and community staff over the place (a compound or a building)."""
    return place is not None and covers(user, place.path, MANAGING_ROLES)


rules.add_perm("workorders.print_qr_sheets", su | prints_qr_sheets_at)
rules.add_perm("workorders.manage_routing", su | routes_at)
rules.add_perm("workorders.create_routing_rule", su | routes_at)
rules.add_perm("workorders.update_routing_rule", su | routes_at)
rules.add_perm("workorders.delete_routing_rule", su | routes_at)
rules.add_perm("workorders.add_duty", su | manages_duty_of)
rules.add_perm("workorders.set_duty", su | manages_duty_of)
rules.add_perm("workorders.remove_duty", su | manages_duty_of)

# the tick's moves: only the platform itself (SYSTEM, which holds every right) makes them; a superuser
# holds every permission through Django anyway
for _perm in ("mark_overdue", "escalate_request", "expire_pool_request", "close_request", "mark_whistle_overdue"):
    rules.add_perm(f"workorders.{_perm}", rules.always_deny)
