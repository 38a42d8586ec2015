"""Scoped reads of matters and hearings: the list's filters and 待办 (what waits for the user's own body)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from gongzhi.core.scope import scope_organisations
from gongzhi.people.models import ManagementAssignment

from .models.matter import Hearing, HearingStatus, Matter, MatterStatus


def waiting_q(user) -> Q:
    """Matters whose next step is the user's body's: the branch reviews, the committee revises or resolves,
    the company managing the compound executes."""
    orgs = scope_organisations(user)
    if not orgs:
        return Q(pk__in=[])
    today = timezone.localdate()
    managed = ManagementAssignment.objects.filter(company_id__in=orgs, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)).values("place_id")
    return (Q(branch_id__in=orgs, status=MatterStatus.PROPOSED)
            | Q(committee_id__in=orgs, status__in=[MatterStatus.RETURNED, MatterStatus.APPROVED])
            | Q(compound__in=managed, status=MatterStatus.RESOLVED))


def matter_list(user, *, compound_id: int | None = None, status: str = "", waiting: bool = False):
    qs = Matter.objects.visible_to(user).select_related("compound", "request")
    if compound_id:
        qs = qs.filter(compound_id=compound_id)
    if status == "-":
        return qs.none()
    if status in MatterStatus.values:
        qs = qs.filter(status=status)
    if waiting:
        qs = qs.filter(waiting_q(user))
    return qs.order_by("-proposed_at", "-pk")


def waiting_count(user) -> int:
    return matter_list(user, waiting=True).count()


def hearing_list(user, *, compound_id: int | None = None, status: str = ""):
    qs = Hearing.objects.visible_to(user).select_related("compound")
    if compound_id:
        qs = qs.filter(compound_id=compound_id)
    if status == "-":
        return qs.none()
    if status in HearingStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-held_at", "-pk")
