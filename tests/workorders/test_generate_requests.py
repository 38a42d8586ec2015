"""The request generator at tiny scale: exact counts, numbers consistent with the daily counters, a
realistic mix, and 三率 over the generated month equal to a count by hand (SQLite and PostgreSQL)."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from gongzhi.core.roles import Role
from gongzhi.core.scope import user_roles
from gongzhi.people.models import ManagementAssignment, Organisation, OrgKind
from gongzhi.places.models import Kind, Place
from gongzhi.workorders import actions
from gongzhi.workorders.generate import generate_requests
from gongzhi.workorders.models import Category, DailyCounter, Request, ServiceSettings, Status
from gongzhi.workorders.queries import month_bounds, rates

pytestmark = pytest.mark.django_db

COUNT = 1500
OPEN = {Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.RETURNED, Status.REOPENED}


def test_counts_numbers_and_counters():
    result = generate_requests("tiny", COUNT)
    assert result.created and result.count == COUNT
    reqs = Request.objects.all()
    assert reqs.count() == COUNT
    assert reqs.filter(place__path__startswith=result.street_path).count() == COUNT
    # GZ-YYYYMMDD-NNNN: the local filing day, 0001… in filing order, the day's counter at the last one
    by_day = defaultdict(list)
    for number, created in reqs.order_by("created_at", "pk").values_list("number", "created_at"):
        day = timezone.localtime(created).date()
        assert number.startswith(f"GZ-{day:%Y%m%d}-")
        by_day[day].append(int(number.rsplit("-", 1)[1]))
    counters = dict(DailyCounter.objects.values_list("day", "value"))
    assert {d: len(v) for d, v in by_day.items()} == {d: v for d, v in counters.items() if d in by_day}
    assert all(seq == list(range(1, len(seq) + 1)) for seq in by_day.values())
    assert len(set(reqs.values_list("number", flat=True))) == COUNT
    # ~24 months up to today
    first, last = min(by_day), max(by_day)
    assert (last - first).days >= 700 and last <= timezone.localdate()
    # ids follow filing order, and the next filing goes on from both sequences
    assert list(reqs.order_by("pk").values_list("pk", flat=True)) == list(
        reqs.order_by("created_at", "pk").values_list("pk", flat=True))
    staff = get_user_model().objects.get(username=result.community_username)
    assert user_roles(staff) == {Role.COMMUNITY_STAFF}
    compound = Place.objects.filter(path__startswith=result.community_path, kind=Kind.COMPOUND).first()
    new = actions.file_request(by=staff, category=Category.objects.get(code="utilities"), description="新诉求",
                               place=compound, channel="phone")
    today = timezone.localdate()
    assert new.number == f"GZ-{today:%Y%m%d}-{counters.get(today, 0) + 1:04d}"
    assert new.pk > max(reqs.exclude(pk=new.pk).values_list("pk", flat=True))


def test_realistic_mix_and_handlers():
    generate_requests("tiny", COUNT)
    statuses = Counter(Request.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == COUNT
    assert statuses[Status.CLOSED] > 0.8 * COUNT  # most are done
    assert statuses[Status.REJECTED] > 0 and statuses[Status.MERGED] > 0
    assert sum(statuses[s] for s in OPEN) > 0
    assert Request.objects.filter(reopen_count__gt=0).exists()
    assert Request.objects.filter(rating__isnull=False).exists() and Request.objects.filter(unrated=True).exists()
    assert Request.objects.filter(resolution_overdue=True).exists()
    # not yet dispatched, rejected or merged: no handler; everything else has one
    no_handler = Request.objects.filter(handler__isnull=True)
    assert set(no_handler.values_list("status", flat=True)) <= {Status.SUBMITTED, Status.REJECTED, Status.MERGED}
    kinds = set(Organisation.objects.filter(handled_requests__isnull=False).values_list("kind", flat=True))
    assert kinds == {OrgKind.PROPERTY_COMPANY, OrgKind.OFFICE, OrgKind.DEPARTMENT}
    # a company only handles requests in the compounds it manages
    for company in Organisation.objects.filter(kind=OrgKind.PROPERTY_COMPANY):
        managed = list(ManagementAssignment.objects.filter(company=company).values_list("place__path", flat=True))
        for path in Request.objects.filter(handler=company).values_list("place__path", flat=True):
            assert any(path.startswith(m) for m in managed)
    # timestamps in order along the life of a request
    for r in Request.objects.exclude(first_resolved_at=None):
        assert r.created_at <= r.dispatched_at and r.first_accepted_at <= r.first_resolved_at
        assert r.response_overdue == (r.first_accepted_at > r.response_due_at) or r.reopen_count


def test_idempotent_command():
    out = StringIO()
    call_command("generate_requests", "--scale", "tiny", "--count", "200", stdout=out)
    assert "200 requests" in out.getvalue()
    call_command("generate_requests", "--scale", "tiny", "--count", "200", stdout=out)
    assert "already present (200)" in out.getvalue()
    assert Request.objects.count() == 200


def _previous_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def test_rates_equal_a_hand_count():
    result = generate_requests("tiny", COUNT)
    street = get_user_model().objects.get(username=result.street_username)
    now = timezone.now()
    month = _previous_month(timezone.localdate(now))
    rows = rates(street, month=month, by="community", now=now)
    start, end = month_bounds(month)
    in_month = Request.objects.filter(created_at__gte=start, created_at__lt=end)
    assert [r.key for r in rows] == sorted({p[:12] for p in in_month.values_list("place__path", flat=True)})
    assert sum(r.total for r in rows) == in_month.count() > 0

    row = next(r for r in rows if r.key == result.community_path)  # the dispatcher's community
    cfg = ServiceSettings.current()
    reqs = list(in_month.filter(place__path__startswith=row.key))
    counted = [r for r in reqs if r.status not in (Status.REJECTED, Status.MERGED)]
    assert row.label == Place.objects.get(path=row.key).name
    assert row.households == Place.objects.filter(kind=Kind.HOUSEHOLD, path__startswith=row.key).count() == 192
    assert row.total == len(reqs)
    assert row.response_base == sum(1 for r in counted if r.first_accepted_at or r.response_due_at
                                    and r.response_due_at < now)
    assert row.responded_on_time == sum(1 for r in reqs if r.first_accepted_at and not r.response_overdue)
    assert row.resolution_base == sum(1 for r in counted if r.first_resolved_at or r.resolution_due_at < now)
    assert row.resolved == sum(1 for r in reqs if r.first_resolved_at)
    assert row.resolved_on_time == sum(1 for r in reqs if r.first_resolved_at and not r.resolution_overdue)
    ratings = [r.rating for r in reqs if r.rating is not None]
    assert row.rated == len(ratings)
    assert row.unrated == sum(1 for r in reqs if r.unrated and r.rating is None)
    assert row.satisfied == sum(1 for x in ratings if x >= cfg.satisfied_min)
    assert row.basic_satisfied == sum(1 for x in ratings if x == cfg.basic_satisfied_score < cfg.satisfied_min)
    firsts = [r.first_rating for r in reqs if r.first_rating is not None]
    assert (row.first_rated, row.first_satisfied) == (len(firsts), sum(1 for x in firsts if x >= cfg.satisfied_min))
    assert row.reopened == sum(1 for r in reqs if r.reopen_count and r.first_resolved_at)
    hours = [(r.first_resolved_at - r.created_at).total_seconds() / 3600 for r in reqs if r.first_resolved_at]
    assert row.avg_hours_to_resolve == pytest.approx(sum(hours) / len(hours), abs=1e-6)
    # and the rates themselves
    assert row.resolution_rate == Decimal(row.resolved) / Decimal(row.resolution_base)
    assert row.satisfaction_rate == Decimal(row.satisfied) / Decimal(row.rated + row.unrated)
    assert row.per_thousand_households == Decimal(row.total) * 1000 / 192
