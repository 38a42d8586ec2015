"""Scoped reads: the dispatcher's queue and the 三率 figures, computed from the request rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Substr
from django.utils import timezone

from gongzhi.core.pagination import TOTAL, CountLater, DeferredPaginator
from gongzhi.core.roles import MANAGING_ROLES
from gongzhi.core.scope import in_scopes, prefix_q, scope_organisations, scope_paths
from gongzhi.core.statements import Statement
from gongzhi.people.models import ManagementAssignment, Organisation, OrgKind
from gongzhi.places.labels import attach_labels, label_for
from gongzhi.places.models import STEP, Kind, Place

from .models import (
    AWAITING_RESPONSE,
    FULL_PLACE_ROLES,
    UNRESOLVED,
    Request,
    ServiceSettings,
    Status,
    Whistle,
    committee_roots,
    verified_phone_index,
    ways_of_seeing,
)


def overdue_expression(now):
    return Case(
        When(Q(status__in=AWAITING_RESPONSE, response_due_at__lt=now)
             | Q(status__in=UNRESOLVED, resolution_due_at__lt=now), then=Value(1)),
        default=Value(0), output_field=IntegerField(),
    )


QUEUE_RELATED = ("category", "place", "place__parent", "handler")  # place__parent: a household shown as its unit

# 即将超时: the deadline that counts now (response while awaiting it, else resolution) falls within this
DUE_SOON = datetime.timedelta(hours=24)
MINE_FILTERS = ("assigned", "to_accept", "to_dispatch")  # ?mine=… on the queue: 派给我的, 待我接单, 待我派单
MINE = MINE_FILTERS
DUE_FILTERS = ("overdue", "soon")  # ?due=… on the queue: 超时, 即将超时


def assigned_to_q(user) -> Q:
    """Requests handed to ``user``: named as the assignee, or handled by an organisation they hold a post in
    with nobody named yet."""
    orgs = scope_organisations(user)
    return Q(assignee__user_id=user.pk) | Q(assignee__isnull=True, handler_id__in=orgs)


def mine_q(user, mine: str) -> Q:
    """The queue's ``?mine=`` filter. ``assigned`` (派给我的): open requests handed to me
    (:func:`assigned_to_q`); ``to_accept`` (待我接单): of those, the ones waiting to be accepted;
    ``to_dispatch`` (待我派单): submitted or returned requests at a place I dispatch for."""
    if mine == "to_dispatch":
        if user.is_superuser:
            return Q(status__in=[Status.SUBMITTED, Status.RETURNED])
        return Q(status__in=[Status.SUBMITTED, Status.RETURNED]) & prefix_q(scope_paths(user, MANAGING_ROLES),
                                                                            "place")
    assigned = assigned_to_q(user)
    if mine == "to_accept":
        return assigned & Q(status__in=AWAITING_RESPONSE)
    if mine == "assigned":
        return assigned & Q(status__in=UNRESOLVED)
    raise ValueError(mine)


def due_q(due: str, now) -> Q:
    """The queue's ``?due=`` filter: ``overdue`` (超时) as ``Request.is_overdue``; ``soon`` (即将超时): not
    overdue, and the deadline that counts now falls within :data:`DUE_SOON`."""
    overdue = (Q(status__in=AWAITING_RESPONSE, response_due_at__lt=now)
               | Q(status__in=UNRESOLVED, resolution_due_at__lt=now))
    if due == "overdue":
        return overdue
    if due == "soon":
        until = now + DUE_SOON
        soon = (Q(status__in=AWAITING_RESPONSE, response_due_at__gte=now, response_due_at__lt=until)
                | Q(status__in=UNRESOLVED, resolution_due_at__gte=now, resolution_due_at__lt=until))
        return soon & ~overdue
    raise ValueError(due)


def queue(user, *, status: str = "", category: str = "", q: str = "", only_open: bool = True, mine: str = "",
          due: str = "", unlocated: bool = False, now=None):
    """The dispatcher's queue: visible requests, overdue first, then the nearest deadline.

    The filters go on the inner query, so each way of seeing (``visible_ids``) runs on them; show a page of
    it with :func:`queue_page`, which reads the rows it shows and nothing more. ``mine`` and ``due`` are
    :func:`mine_q` and :func:`due_q` (the 工作台 counts the same Q: :func:`todo_counts`)."""
    now = now or timezone.now()
    qs = Request.objects.all()
    if mine in MINE_FILTERS:
        qs = qs.filter(mine_q(user, mine))
    if due in DUE_FILTERS:
        qs = qs.filter(due_q(due, now))
    if unlocated:  # 待定位: Open311 points that fell in no compound, waiting for 指定位置
        qs = qs.filter(unlocated=True)
    if status:
        qs = qs.filter(status=status)
    elif only_open:
        qs = qs.filter(status__in=UNRESOLVED)
    if category:
        qs = qs.filter(category__code=category)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(description__icontains=q) | _by_contact_name(user, q))
    return _in_queue_order(Request.objects.filter(pk__in=qs.visible_ids(user)).select_related(*QUEUE_RELATED), now)


def _by_contact_name(user, q: str) -> Q:
    """The contact-name search, only where the searcher is shown names (docs/privacy.md): not on anonymous
    requests, and not through a 业委会 post, so a name never tells anyone whether it filed a request."""
    if user.is_superuser:
        return Q(contact_name=q)
    orgs = scope_organisations(user)
    return Q(contact_name=q, anonymous=False) & (in_scopes(user, "place", FULL_PLACE_ROLES) | Q(handler_id__in=orgs))


def _in_queue_order(qs, now):
    return qs.annotate(overdue=overdue_expression(now)).order_by(
        "-overdue", F("resolution_due_at").asc(nulls_last=True), "pk")


def _open_queue_keys(roots, afters, ints, moments, *, bottom: int, top: int):
    """Query 1 of the default queue page (open requests, no filter): the pks of rows bottom:top and the
    total — the same query as ``DeferredPaginator`` makes of :func:`queue`, from ``ways_of_seeing``."""
    *orgs, user_id = ints
    seen = Request.objects.filter(status__in=UNRESOLVED).visible_ids_of(roots, afters, orgs, user_id)
    return (_in_queue_order(Request.objects.filter(pk__in=seen), moments[0])
            .annotate(**{TOTAL: Window(Count("*"))}).values("pk", TOTAL)[bottom:top])


# compiled once per shape (number of scope roots and organisations, page): every dispatcher's first screen
_OPEN_QUEUE_KEYS = Statement(_open_queue_keys)


def _files_by_phone(user) -> bool:
    """Has a request been filed from ``user``'s proven phone (the phone-owner arm, which the compiled first
    query does not carry)? One look-up on a small partial index, only for a user with a proven phone."""
    index = verified_phone_index(user)
    return bool(index) and Request.objects.filter(phone_index=index).exists()


def queue_page(user, number, *, per_page: int = 20, now=None, **filters):
    """One page of :func:`queue`: the page's pks and the total in one query, then those rows. The default
    queue (open requests, no filter) runs its first query on a compiled :class:`Statement`."""
    now = now or timezone.now()

    def load(pks):
        return Request.objects.filter(pk__in=pks).select_related(*QUEUE_RELATED).annotate(
            overdue=overdue_expression(now))

    plain = not (filters.get("status") or filters.get("category") or filters.get("q") or filters.get("mine")
                 or filters.get("due") or filters.get("unlocated")) and filters.get("only_open", True)
    if (plain and user.is_authenticated and not user.is_superuser and not committee_roots(user)
            and not _files_by_phone(user)):
        roots, afters, orgs, user_id = ways_of_seeing(user)
        bounds = [after for after in afters if after is not None]
        if len(bounds) == len(roots):  # every root has an upper bound (a path of all "Z" has none)
            def fetch(bottom: int, top: int) -> list[tuple[int, int]]:
                rows = _OPEN_QUEUE_KEYS.rows(roots, bounds, [*orgs, user_id], [now], bottom=bottom, top=top)
                return [(r["pk"], r[TOTAL]) for r in rows]

            return DeferredPaginator(CountLater(lambda: queue(user, now=now, **filters)), per_page, load=load,
                                     fetch=fetch).get_page(number)
    return DeferredPaginator(queue(user, now=now, **filters), per_page, load=load).get_page(number)


def todo_counts(user, keys: dict[str, tuple], *, now=None) -> dict[str, int]:
    """The 工作台's request counts in one query: ``keys`` maps a name to the queue's (``mine``, ``due``[,
    ``unlocated``]) filters, and each count is the number of rows :func:`queue` lists for them (open requests,
    visible to ``user``, the same Q), so a count and the list it opens cannot disagree."""
    now = now or timezone.now()
    if not keys:
        return {}
    base = Request.objects.filter(status__in=UNRESOLVED)
    visible = Request.objects.filter(pk__in=base.visible_ids(user))
    counts = {}
    for name, (mine, due, *more) in keys.items():
        q = Q(unlocated=True) if more and more[0] else Q()
        if mine:
            q &= mine_q(user, mine)
        if due:
            q &= due_q(due, now)
        counts[name] = Count("pk", filter=q) if q else Count("pk")
    return visible.aggregate(**counts)


WHISTLE_STATES = ("waiting", "overdue", "to_report")  # ?state=… on the whistles page: 待报到, 报到超时, 待反馈


def whistle_state_q(state: str, now) -> Q:
    """``waiting``: not reported in yet (待报到); ``overdue``: not reported in and past the deadline (报到超时,
    whether or not the tick has flagged it yet); ``to_report``: reported in, outcome not yet reported (待反馈)."""
    if state == "waiting":
        return Q(acknowledged_at__isnull=True)
    if state == "overdue":
        return Q(acknowledged_at__isnull=True) & (Q(overdue=True) | Q(ack_due_at__lt=now))
    if state == "to_report":
        return Q(acknowledged_at__isnull=False, reported_at__isnull=True)
    raise ValueError(state)


def department_whistles(user, *, state: str = "", now=None):
    """吹哨报到 — the whistles to the user's departments (all for a superuser), unacknowledged first, the
    nearest deadline first; ``state`` one of :data:`WHISTLE_STATES` (the page's ``?state=`` and the 工作台's
    counts use this one function)."""
    now = now or timezone.now()
    qs = Whistle.objects.all()
    if not user.is_superuser:
        qs = qs.filter(department_id__in=scope_organisations(user))
    if state in WHISTLE_STATES:
        qs = qs.filter(whistle_state_q(state, now))
    return qs.order_by(F("acknowledged_at").asc(nulls_first=True), "ack_due_at", "pk")


def whistle_todo_counts(user, *, now=None) -> dict:
    """The 工作台's whistle counts, and the nearest report-in deadline, in one query."""
    now = now or timezone.now()
    return department_whistles(user, now=now).order_by().aggregate(
        **{state: Count("pk", filter=whistle_state_q(state, now)) for state in WHISTLE_STATES},
        next_due=Min("ack_due_at", filter=whistle_state_q("waiting", now)))


def my_requests(user, *, status: str = ""):
    """A resident's own requests, newest first (their list page and its ``?status=`` filter)."""
    qs = Request.objects.visible_to(user).select_related("category").order_by("-created_at", "-pk")
    if status in Status.values:
        qs = qs.filter(status=status)
    return qs


DISPATCHABLE_KINDS = (OrgKind.PROPERTY_COMPANY, OrgKind.OFFICE, OrgKind.DEPARTMENT, OrgKind.SOCIAL_ORGANISATION,
                      OrgKind.VOLUNTEER_TEAM)


def dispatch_targets(req: Request):
    """Who may be given this request: see :func:`dispatch_targets_at`."""
    return dispatch_targets_at(req.place)


def dispatch_targets_at(place: Place):
    """Who may be given requests at ``place``: organisations anchored on the way up to it or below its
    community, and the companies managing a compound on the way up to it or inside it."""
    path = place.path
    ancestors = [path[:i] for i in range(STEP, len(path) + 1, STEP)]
    companies = ManagementAssignment.objects.filter(
        Q(place__path__in=ancestors) | Q(place__path__startswith=path), end_date__isnull=True).values("company_id")
    # below its community: found by kind (a tree may start at a street), else below the place itself
    community = Place.objects.filter(path__in=ancestors, kind=Kind.COMMUNITY).values_list("path", flat=True).first()
    return (Organisation.objects.filter(Q(place__path__in=ancestors) | Q(place__path__startswith=community or path)
                                        | Q(pk__in=companies))
            .filter(kind__in=DISPATCHABLE_KINDS)
            .order_by("kind", "name"))


def routing_targets(user):
    """The organisations ``user`` may name in a routing rule somewhere in their dispatching subtrees (the
    union over their scope roots; the action checks the rule's own place)."""
    if user.is_superuser:
        return Organisation.objects.filter(kind__in=DISPATCHABLE_KINDS).order_by("kind", "name")
    roots = Place.objects.filter(path__in=scope_paths(user, MANAGING_ROLES))
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(pk__in=dispatch_targets_at(root).values("pk"))
    return Organisation.objects.filter(q).order_by("kind", "name")


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime(month.year, month.month, 1))
    nxt = datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, timezone.make_aware(datetime.datetime(nxt.year, nxt.month, 1))


@dataclass
class Rates:
    """三率 and companions for one group in one period. A rate is None when nothing reached its stage."""

    key: object
    label: str
    total: int = 0
    households: int = 0
    response_base: int = 0
    responded_on_time: int = 0
    resolution_base: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    rated: int = 0
    unrated: int = 0
    satisfied: int = 0
    basic_satisfied: int = 0
    first_rated: int = 0
    first_satisfied: int = 0
    reopened: int = 0
    avg_hours_to_resolve: float | None = None
    weight: Decimal = field(default=Decimal(0))
    unrated_in_denominator: bool = True

    @staticmethod
    def _ratio(num, den):
        return None if not den else Decimal(num) / Decimal(den)

    @property
    def response_rate(self):
        return self._ratio(self.responded_on_time, self.response_base)

    @property
    def resolution_rate(self):
        return self._ratio(self.resolved, self.resolution_base)

    @property
    def satisfaction_base(self) -> int:
        return self.rated + (self.unrated if self.unrated_in_denominator else 0)

    @property
    def satisfaction_rate(self):
        return self._ratio(Decimal(self.satisfied) + self.weight * self.basic_satisfied, self.satisfaction_base)

    @property
    def first_satisfaction_rate(self):
        return self._ratio(self.first_satisfied, self.first_rated)

    @property
    def reopen_rate(self):
        return self._ratio(self.reopened, self.resolved)

    @property
    def per_thousand_households(self):
        return None if not self.households else Decimal(self.total) * 1000 / self.households


GROUPINGS = ("handler", "company", "community", "grid")


def rates(user_or_qs, *, month: datetime.date, by: str = "community", now=None) -> list[Rates]:
    """三率 per group for requests filed in ``month``; ``user_or_qs`` is a user (scoped) or a queryset."""
    if by not in GROUPINGS:
        raise ValueError(by)
    now = now or timezone.now()
    cfg = ServiceSettings.current()
    start, end = month_bounds(month)
    if hasattr(user_or_qs, "model"):
        qs = user_or_qs.filter(created_at__gte=start, created_at__lt=end)
    else:
        in_month = Request.objects.filter(created_at__gte=start, created_at__lt=end)
        qs = in_month.filter(pk__in=in_month.visible_ids(user_or_qs))
    if by == "company":
        qs = qs.filter(handler__kind="property_company")
    if by in ("handler", "company"):
        qs = qs.filter(handler__isnull=False).annotate(key=F("handler_id"))
    else:
        qs = qs.annotate(key=ancestor_path("place", Kind.COMMUNITY if by == "community" else Kind.GRID))
    in_scope = ~Q(status__in=[Status.REJECTED, Status.MERGED])
    rows = qs.values("key").annotate(
        total=Count("pk"),
        response_base=Count("pk", filter=in_scope & (Q(first_accepted_at__isnull=False) | Q(response_due_at__lt=now))),
        responded_on_time=Count("pk", filter=Q(first_accepted_at__isnull=False, response_overdue=False)),
        resolution_base=Count("pk", filter=in_scope & (Q(first_resolved_at__isnull=False)
                                                       | Q(resolution_due_at__lt=now))),
        resolved=Count("pk", filter=Q(first_resolved_at__isnull=False)),
        resolved_on_time=Count("pk", filter=Q(first_resolved_at__isnull=False, resolution_overdue=False)),
        rated=Count("pk", filter=Q(rating__isnull=False)),
        unrated=Count("pk", filter=Q(unrated=True, rating__isnull=True)),
        satisfied=Count("pk", filter=Q(rating__gte=cfg.satisfied_min)),
        basic_satisfied=Count("pk", filter=Q(rating=cfg.basic_satisfied_score) & Q(
            rating__lt=cfg.satisfied_min)),
        first_rated=Count("pk", filter=Q(first_rating__isnull=False)),
        first_satisfied=Count("pk", filter=Q(first_rating__gte=cfg.satisfied_min)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0, first_resolved_at__isnull=False)),
        avg_resolve=Avg(ExpressionWrapper(F("first_resolved_at") - F("created_at"), output_field=DurationField()),
                        filter=Q(first_resolved_at__isnull=False)),
    ).order_by("key")
    rows = list(rows)
    labels, households = _labels_and_households([r["key"] for r in rows], by)
    result = []
    for r in rows:
        avg = r.pop("avg_resolve")
        key = r.pop("key")
        result.append(Rates(key=key, label=labels.get(key, str(key)), households=households.get(key, 0),
                            avg_hours_to_resolve=None if avg is None else avg.total_seconds() / 3600,
                            weight=cfg.basic_satisfied_weight, unrated_in_denominator=cfg.unrated_in_denominator,
                            **r))
    return result


# how far below a root of each kind the grouping levels lie (a tree starts at a district or at a street)
_LEVEL: dict[str, int] = {Kind.DISTRICT: 0, Kind.STREET: 1, Kind.COMMUNITY: 2, Kind.GRID: 3}


def ancestor_path(field: str, kind: str):
    """The path of the ``kind`` ancestor (community or grid) of the place in ``field``: a prefix of its path
    whose length depends on the kind of the tree's root. A compound directly under its community has no
    grid: grouped by grid, it stands for itself."""
    widths: dict[int, list[str]] = {}
    for path, root_kind in Place.objects.filter(parent__isnull=True).values_list("path", "kind"):
        widths.setdefault((_LEVEL[kind] - _LEVEL.get(root_kind, 0) + 1) * STEP, []).append(path)
    if len(widths) <= 1:
        width = next(iter(widths), (_LEVEL[kind] + 1) * STEP)
        return Substr(f"{field}__path", 1, width)
    *others, (last, _roots) = sorted(widths.items(), key=lambda item: len(item[1]))
    return Case(*[When(prefix_q(roots, field), then=Substr(f"{field}__path", 1, width)) for width, roots in others],
                default=Substr(f"{field}__path", 1, last))


def _labels_and_households(keys, by: str):
    """Names of the groups and the households they serve (so big and small compare fairly)."""
    if by in ("community", "grid"):
        # a grid reads "社区 网格" (every community has a 第1网格): the places' labels, one more query
        places = {p.path: label_for(p) for p in attach_labels(Place.objects.filter(path__in=keys))}
        counts: dict = {}
        if keys:
            # one count per group, each an index-only range of (kind, path), glued with UNION ALL
            per_key = [Place.objects.filter(kind=Kind.HOUSEHOLD, path__startswith=key).order_by()
                       .values(key=Value(key)).annotate(n=Count("*")).values_list("key", "n") for key in keys]
            for chunk in range(0, len(per_key), 200):  # SQLite allows 500 terms in one compound SELECT
                part = per_key[chunk:chunk + 200]
                counts.update(part[0].union(*part[1:], all=True))
        return places, counts
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=keys).select_related("place")}
    households: dict = {}
    for pk, org in orgs.items():
        if org.kind == "property_company":
            paths = list(ManagementAssignment.objects.filter(company=org, end_date__isnull=True)
                         .values_list("place__path", flat=True))
        else:
            paths = [org.place.path]
        households[pk] = (Place.objects.filter(kind=Kind.HOUSEHOLD).filter(prefix_q(paths)).count()
                          if paths else 0)
    return {pk: o.name for pk, o in orgs.items()}, households


@dataclass
class WhistleCounts:
    """吹哨报到 per department in a period: whistles, report-ins (on time / late), still waiting, reported."""

    department: str
    whistles: int
    acknowledged: int
    acknowledged_on_time: int
    waiting: int
    overdue: int
    reported: int


def whistle_counts(user, *, month: datetime.date) -> list[WhistleCounts]:
    start, end = month_bounds(month)
    visible = Request.objects.visible_to(user).values("pk")
    rows = (Whistle.objects.filter(request__in=visible, created_at__gte=start, created_at__lt=end)
            .values(department_name=F("department__name"))
            .annotate(whistles=Count("pk"),
                      acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
                      acknowledged_on_time=Count("pk", filter=Q(acknowledged_at__isnull=False,
                                                                acknowledged_at__lte=F("ack_due_at"))),
                      waiting=Count("pk", filter=Q(acknowledged_at__isnull=True)),
                      overdue=Count("pk", filter=Q(overdue=True)),
                      reported=Count("pk", filter=Q(reported_at__isnull=False)))
            .order_by("-whistles", "department_name"))
    return [WhistleCounts(department=r["department_name"], whistles=r["whistles"], acknowledged=r["acknowledged"],
                          acknowledged_on_time=r["acknowledged_on_time"], waiting=r["waiting"], overdue=r["overdue"],
                          reported=r["reported"]) for r in rows]
