"""Who is told: the people an action notifies (dispatchers over the place, the handling organisation's
people, the resident, the rung of the escalation ladder)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model

from gongzhi.core.roles import MANAGING_ROLES, Role
from gongzhi.people.models import Position
from gongzhi.people.roles import TITLE_ROLES
from gongzhi.places.models import Place

from ..models import Escalation, Request

# 督办: who each rung of the ladder tells
ESCALATION_ROLES = {
    Escalation.GRID: {Role.GRID_WORKER},
    Escalation.COMMUNITY: {Role.COMMUNITY_STAFF},
    Escalation.STREET: {Role.STREET_STAFF},
}


def users_with_posts(org_ids: Sequence[int]) -> list:
    """Accounts holding an active post in any of the organisations."""
    user_ids = Position.objects.active().filter(organisation_id__in=org_ids, person__user__isnull=False).values(
        "person__user_id")
    return list(get_user_model().objects.filter(pk__in=user_ids))


def users_over(place: Place, roles) -> list:
    """Active post holders with one of ``roles`` whose scope contains ``place``."""
    titles = [t for t, r in TITLE_ROLES.items() if r in roles]
    prefixes = [place.path[: i] for i in range(4, len(place.path) + 1, 4)]
    user_ids = Position.objects.active().filter(title__in=titles, place__path__in=prefixes,
                                                person__user__isnull=False).values("person__user_id")
    return list(get_user_model().objects.filter(pk__in=user_ids))


def dispatchers_of(req: Request) -> list:
    """Everyone who may dispatch the request: street and community staff over its place."""
    return users_over(req.place, MANAGING_ROLES)


def nearest_dispatchers(req: Request) -> list:
    """Who dispatches it: the street or community staff posted nearest above the place (the community's,
    when it has any; the street's only where no community staff serve). Those above are told when it is
    escalated to them (``escalation_users``), not of every request."""
    titles = [t for t, r in TITLE_ROLES.items() if r in MANAGING_ROLES]
    path = req.place.path
    prefixes = [path[: i] for i in range(4, len(path) + 1, 4)]
    rows = list(Position.objects.active().filter(title__in=titles, place__path__in=prefixes,
                                                 person__user__isnull=False)
                .values_list("person__user_id", "place__path"))
    if not rows:
        return []
    deepest = max(len(p) for _u, p in rows)
    user_ids = {u for u, p in rows if len(p) == deepest}
    return list(get_user_model().objects.filter(pk__in=user_ids).order_by("pk"))


def handlers_of(req: Request) -> list:
    if req.assignee is not None and req.assignee.user_id:
        return [req.assignee.user]
    return users_with_posts([req.handler_id]) if req.handler_id else []


def reporter_users(req: Request) -> list:
    users = []
    if req.reporter is not None and req.reporter.user_id:
        users.append(req.reporter.user)
    elif req.filed_by_id:
        users.append(req.filed_by)
    elif req.phone_index:  # filed by a verification code: the accounts that proved that phone (docs/privacy.md)
        users += get_user_model().objects.filter(person__verified_phone_index=req.phone_index,
                                                 is_active=True).order_by("pk")
    return users


def escalation_users(req: Request, level: int) -> list:
    """The staff over the request's place on rung ``level`` of the ladder."""
    return users_over(req.place, ESCALATION_ROLES[Escalation(level)])
