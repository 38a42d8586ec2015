"""Scoped reads of joint meetings: resolution and item states (derived from their requests), the meetings
list's counts per community and month, the public board's rows, the 待办 counts."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from gongzhi.core.roles import MANAGING_ROLES
from gongzhi.core.scope import in_scopes
from gongzhi.places.models import Kind, Place
from gongzhi.workorders.models import Request

from .models import (
    DONE_REQUEST_STATUSES,
    ActionItem,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Resolution,
    Topic,
    TopicStatus,
    item_state,
    resolution_state,
)
from .models.meeting import DROPPED_REQUEST_STATUSES


@dataclass
class ItemRow:
    item: ActionItem
    status: str
    done_at: datetime.datetime | None
    requests: list

    @property
    def status_label(self) -> str:
        return str(ItemStatus(self.status).label)


@dataclass
class ResolutionRow:
    resolution: Resolution
    status: str
    done_at: datetime.datetime | None
    items: list[ItemRow] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(ItemStatus(self.status).label)

    @property
    def days_to_close(self) -> int | None:
        if self.done_at is None:
            return None
        start = timezone.localtime(self.resolution.meeting.starts_at).date()
        return max((timezone.localtime(self.done_at).date() - start).days, 0)


def with_items(resolutions):
    """The queryset with its items and their requests (two queries, whatever the number of rows)."""
    return resolutions.select_related("owner", "meeting", "place").prefetch_related(
        Prefetch("items", queryset=ActionItem.objects.select_related("owner").prefetch_related(
            Prefetch("requests", queryset=Request.objects.only("pk", "number", "status", "resolved_at")))))


def resolution_rows(resolutions, today: datetime.date | None = None) -> list[ResolutionRow]:
    """Each resolution with its derived status: items follow their requests, the resolution its items."""
    today = today or timezone.localdate()
    rows = []
    for r in resolutions:
        items = []
        for item in r.items.all():
            reqs = list(item.requests.all())
            status, done_at = item_state(item.due_date, reqs, today)
            items.append(ItemRow(item, status, done_at, reqs))
        status, done_at = resolution_state([(i.status, i.done_at) for i in items])
        rows.append(ResolutionRow(r, status, done_at, items))
    return rows


def overdue_items_to_carry(today: datetime.date, now: datetime.datetime):
    """Action items past their due date, not done, not yet carried to a meeting, whose series has a next open
    meeting: what the tick's carry-over step claims (served by ``meetings_item_due``)."""
    carrying = Request.objects.filter(meeting_items=OuterRef("pk")).exclude(status__in=DROPPED_REQUEST_STATUSES)
    unfinished = carrying.exclude(status__in=DONE_REQUEST_STATUSES)
    next_meeting = Meeting.objects.filter(series=OuterRef("resolution__meeting__series"),
                                          status__in=[MeetingStatus.SCHEDULED, MeetingStatus.PUBLISHED],
                                          starts_at__gt=now).exclude(pk=OuterRef("resolution__meeting"))
    return (ActionItem.objects.filter(due_date__lt=today, carried_topic__isnull=True)
            .filter(Exists(unfinished) | ~Exists(carrying)).filter(Exists(next_meeting)))


# ---------------------------------------------------------------- the meetings list's counts


@dataclass
class MonthFigures:
    community: str
    month: datetime.date
    held: int = 0
    topics: int = 0
    resolutions: int = 0
    done: int = 0
    days: list[int] = field(default_factory=list)

    @property
    def closure_rate(self) -> float | None:
        return round(100 * self.done / self.resolutions, 1) if self.resolutions else None

    @property
    def average_days(self) -> float | None:
        return round(sum(self.days) / len(self.days), 1) if self.days else None


def community_of(place: Place, by_path: dict[str, Place]) -> Place:
    if place.kind == Kind.COMMUNITY:
        return place
    for i in range(len(place.path) - 4, 0, -4):
        a = by_path.get(place.path[:i])
        if a is not None and a.kind == Kind.COMMUNITY:
            return a
    return place


def month_figures(meetings) -> list[MonthFigures]:
    """Held meetings, topics, resolutions, closure rate and average days to close, per community and month, of
    the given (already scoped and filtered) meetings."""
    held = list(meetings.filter(status=MeetingStatus.HELD).select_related("place")
                .annotate(n_topics=Count("topics", filter=Q(topics__status=TopicStatus.ON_AGENDA), distinct=True)))
    paths = {m.place.path[:i] for m in held for i in range(4, len(m.place.path) + 1, 4)}
    by_path = {p.path: p for p in Place.objects.filter(path__in=paths)}
    rows = resolution_rows(with_items(Resolution.objects.filter(meeting__in=[m.pk for m in held])))
    by_meeting = defaultdict(list)
    for row in rows:
        by_meeting[row.resolution.meeting_id].append(row)
    figures: dict[tuple[str, datetime.date], MonthFigures] = {}
    for m in held:
        community = community_of(m.place, by_path)
        month = timezone.localtime(m.starts_at).date().replace(day=1)
        fig = figures.setdefault((community.path, month), MonthFigures(community.name, month))
        fig.held += 1
        fig.topics += m.n_topics
        for row in by_meeting[m.pk]:
            fig.resolutions += 1
            if row.status == ItemStatus.DONE:
                fig.done += 1
                if row.days_to_close is not None:
                    fig.days.append(row.days_to_close)
    return sorted(figures.values(), key=lambda f: (f.month, f.community), reverse=True)


# ---------------------------------------------------------------- the compound's public board


@dataclass
class PublicMeeting:
    meeting: Meeting
    rows: list[ResolutionRow]

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if r.status == ItemStatus.DONE)


def public_resolutions(compound: Place, limit: int = 12) -> list[PublicMeeting]:
    """公示: the held meetings' resolutions about this compound (its own, and the community-wide ones above it),
    newest meeting first, each with its derived status and done date. No names, no phones, no requests."""
    above = [compound.path[:i] for i in range(4, len(compound.path), 4)]
    about = Q(place__path__startswith=compound.path) | Q(place__path__in=above)
    resolutions = with_items(Resolution.objects.filter(about, meeting__status=MeetingStatus.HELD)
                             .order_by("-meeting__starts_at", "meeting_id", "number"))
    grouped: dict[int, PublicMeeting] = {}
    for row in resolution_rows(resolutions):
        m = row.resolution.meeting
        if m.pk not in grouped:
            if len(grouped) == limit:
                break
            grouped[m.pk] = PublicMeeting(m, [])
        grouped[m.pk].rows.append(row)
    return list(grouped.values())


# ---------------------------------------------------------------- 待办


def overdue_items(user, today: datetime.date | None = None) -> list[ItemRow]:
    """The action items of the meetings one sees past their due date and not done (derived, like everywhere)."""
    today = today or timezone.localdate()
    items = (ActionItem.objects.filter(resolution__meeting__in=Meeting.objects.visible_to(user), due_date__lt=today)
             .select_related("owner", "resolution__meeting").order_by("due_date", "pk")
             .prefetch_related(Prefetch("requests", queryset=Request.objects.only("pk", "number", "status",
                                                                                   "resolved_at"))))
    rows = []
    for item in items[:1000]:
        reqs = list(item.requests.all())
        status, done_at = item_state(item.due_date, reqs, today)
        if status == ItemStatus.OVERDUE:
            rows.append(ItemRow(item, status, done_at, reqs))
    return rows


def proposals_waiting(user):
    """Residents' proposals one may decide on: in one's organising scope (street and community staff)."""
    qs = Topic.objects.filter(status=TopicStatus.PROPOSED, meeting__isnull=True)
    return qs if user.is_superuser else qs.filter(in_scopes(user, "place", MANAGING_ROLES))


UPCOMING_DAYS = 14


def upcoming(user, days: int = UPCOMING_DAYS):
    """The open meetings one sees in the next fortnight (the list's ``?soon=1``)."""
    now = timezone.now()
    return Meeting.objects.visible_to(user).filter(
        status__in=[MeetingStatus.SCHEDULED, MeetingStatus.PUBLISHED], starts_at__gte=now - datetime.timedelta(hours=12),
        starts_at__lte=now + datetime.timedelta(days=days))
