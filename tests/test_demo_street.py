"""The demo street looks like a street: a year of requests over every compound, category, channel and
outcome, with timelines, whistles and 三率 for every company; realistic people; the demo accounts sign in."""

from __future__ import annotations

import datetime
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone
from stdnum.cn import ric

from gongzhi.core.models import Event
from gongzhi.people.models import Organisation, OrgKind, Person
from gongzhi.places.models import STEP, Kind, Place
from gongzhi.site import demo
from gongzhi.workorders import demo as requests_demo
from gongzhi.workorders.events import Verb
from gongzhi.workorders.models import Request, Status, Whistle
from gongzhi.workorders.queries import rates


def test_the_demo_street(db):
    """One seeding (about 15 s) read by every check below, in order."""
    street()
    for check in CHECKS:
        check()


def street():
    from gongzhi.workorders.catalogue import seed_catalogue
    from gongzhi.workorders.models import Category, ServiceLevel

    seed_catalogue(Category, ServiceLevel)  # (flushed by live-server tests that ran before)
    result = demo.seed_demo()
    assert result.created is True
    assert (result.households, Place.objects.filter(kind=Kind.COMPOUND).count()) == (2928, 11)


def _a_year_of_requests_spread_over_the_street():
    # the work orders of the 支部先议 matters (meetings/matters_demo.py) are counted in tests/meetings
    requests = Request.objects.exclude(description__startswith="【支部先议】")
    assert requests.count() == requests_demo.HISTORY_COUNT + len(requests_demo.DEMO_REQUESTS)
    compounds = {p.path: p.name for p in Place.objects.filter(kind=Kind.COMPOUND)}
    per_compound = Counter(compounds[path[:5 * STEP]] for path in requests.values_list("place__path", flat=True))
    assert set(per_compound) == set(compounds.values()) and len(compounds) == 11
    # no compound holds the street's requests alone, none is empty: roughly in proportion to its households
    assert max(per_compound.values()) < 0.2 * requests.count() and min(per_compound.values()) >= 30
    assert len(set(requests.values_list("category__code", flat=True))) == 11
    assert {"app", "hotline", "phone", "patrol", "walk_in", "home_visit"} <= set(
        requests.values_list("channel", flat=True))
    statuses = Counter(requests.values_list("status", flat=True))
    assert {Status.CLOSED, Status.RATED, Status.RESOLVED, Status.REJECTED, Status.MERGED, Status.SUBMITTED,
            Status.DISPATCHED, Status.ACCEPTED} <= set(statuses)
    assert statuses[Status.CLOSED] > requests.count() / 2  # most of a year's requests are done with
    assert set(requests.exclude(rating=None).values_list("rating", flat=True)) == {1, 2, 3, 4, 5}
    assert requests.filter(reopen_count__gt=0).count() >= 20
    assert requests.filter(resolution_overdue=True).exists() and requests.filter(response_overdue=True).exists()
    first = requests.order_by("created_at").first().created_at
    assert timezone.now() - first > datetime.timedelta(days=330)
    handlers = set(requests.exclude(handler=None).values_list("handler__kind", flat=True))
    assert {OrgKind.PROPERTY_COMPANY, OrgKind.OFFICE, OrgKind.DEPARTMENT} <= handlers


def _the_derived_fields_agree_with_the_times():
    done = Request.objects.filter(reopen_count=0, first_resolved_at__isnull=False)
    assert done.count() > 1000
    for r in done.only("first_resolved_at", "resolution_due_at", "resolution_overdue", "first_accepted_at",
                       "created_at", "closed_at", "status", "dispatched_at"):
        assert r.resolution_overdue is (r.first_resolved_at > r.resolution_due_at)
        assert r.created_at <= r.dispatched_at <= r.first_accepted_at <= r.first_resolved_at
        assert (r.closed_at is not None) is (r.status == Status.CLOSED)
    # the day counters go on from the year's numbers: a request filed now gets the next one
    today = Request.objects.filter(number__startswith=f"GZ-{timezone.localdate():%Y%m%d}-").order_by("number")
    numbers = [int(n[-4:]) for n in today.values_list("number", flat=True)]
    assert numbers == list(range(1, len(numbers) + 1))


def _every_request_has_its_timeline_by_the_people_who_acted():
    ct = ContentType.objects.get_for_model(Request)
    filed = set(Event.objects.filter(target_type=ct, verb=Verb.FILE_REQUEST).values_list("target_id", flat=True))
    assert filed == {str(pk) for pk in Request.objects.values_list("pk", flat=True)}
    dispatches = Event.objects.filter(target_type=ct, verb=Verb.DISPATCH_REQUEST)
    assert dispatches.count() >= Request.objects.exclude(handler=None).count()
    # dispatched by a community secretary (named), never by "the system" — but for the work order of a 支部先议
    # matter, which the platform dispatches to the company on the committee's resolution (tests/meetings)
    matter_orders = [str(pk) for pk in Request.objects.filter(description__startswith="【支部先议】")
                     .values_list("pk", flat=True)]
    assert not dispatches.filter(actor=None).exclude(target_id__in=matter_orders).exists()
    names = set(Person.objects.filter(user__in=dispatches.values("actor")).values_list("name", flat=True))
    assert "王秀英" in names and len(names) == 3
    rated = Request.objects.filter(rated_at__isnull=False).count()
    assert Event.objects.filter(target_type=ct, verb=Verb.RATE_REQUEST).count() >= rated


def _whistles_summon_the_departments():
    whistles = Whistle.objects.select_related("department")
    assert whistles.count() >= 40
    assert {w.department.name for w in whistles} >= {"青年路派出所", "青年路街道城市管理执法中队", "莲湖区消防救援大队"}
    assert whistles.filter(overdue=True).exists() and whistles.filter(overdue=False).exists()
    assert not whistles.filter(acknowledged_at__lt=F("created_at")).exists()




def _every_company_has_its_three_rates_last_month():
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    rows = rates(Request.objects.all(), month=last_month, by="company")
    assert {r.label for r in rows} == set(Organisation.objects.filter(kind=OrgKind.PROPERTY_COMPANY)
                                          .values_list("name", flat=True))
    assert all(r.total >= 3 and r.response_rate is not None and r.resolution_rate is not None for r in rows)
    assert len({r.satisfaction_rate for r in rows}) > 3  # they differ: a ranking worth reading


def _the_demo_accounts_sign_in_and_other_post_holders_cannot():
    User = get_user_model()
    for username, _description in demo.ACCOUNTS:
        assert User.objects.get(username=username).check_password(demo.DEMO_PASSWORD), username
    others = User.objects.exclude(username__in=[u for u, _d in demo.ACCOUNTS])
    assert others.exists() and not any(u.has_usable_password() for u in others)


def _the_demo_resident_has_a_history():
    mine = Request.objects.filter(reporter__user__username="resident")
    assert mine.filter(created_at__lt=timezone.now() - datetime.timedelta(days=7)).count() == 4
    assert mine.count() == 4 + 3


def _people_carry_realistic_id_numbers():
    births = []
    for person in Person.objects.order_by("pk")[:600]:
        value = person.id_number
        assert ric.calc_check_digit(value[:17] + "0") == value[17]
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        assert demo.FIRST_BIRTH <= birth <= demo.LAST_BIRTH
        assert value[:6] == demo.id_area(birth) and value[:4] == "6101"
        births.append(birth.year)
    assert min(births) < 1945 and max(births) > 1995
    assert len(set(Person.objects.values_list("id_number_index", flat=True))) == Person.objects.count()


def _a_year_of_owners_votes_counted_by_the_rules():
    """Past votes over the year, each counted by the app's tally: passed, missed the 3/4 of a special matter,
    fell short of the quorum; the open one and the election as before."""
    from gongzhi.assembly.models import Vote, VoteStatus

    closed = Vote.objects.filter(status=VoteStatus.CLOSED, kind="question")
    assert closed.count() == 5
    months = {v.closes_at.date().replace(day=1) for v in closed}
    assert len(months) == 5 and min(v.closes_at for v in closed) < timezone.now() - datetime.timedelta(days=270)
    outcomes = [(v.result["question"]["quorum_met"], v.result["question"]["passed"]) for v in closed]
    assert (True, True) in outcomes and (True, False) in outcomes and (False, False) in outcomes
    assert all(v.tallied_at and v.tallied_at > v.closes_at for v in closed)
    assert Vote.objects.filter(status=VoteStatus.ANNOUNCED).count() == 1


def _seeding_twice_builds_nothing_more():
    before = Request.objects.count()
    assert demo.seed_demo().created is False
    assert Request.objects.count() == before


def _a_year_of_monthly_meetings_per_community():
    """Each community's series: about a year of held meetings on the 议事日, topics of each type, resolutions mostly
    done (their requests resolved), a few overdue and carried to the next agenda once; the coming months planned."""
    from gongzhi.meetings.models import (
        Meeting,
        MeetingSeries,
        MeetingStatus,
        Minutes,
        Resolution,
        Topic,
        TopicSource,
    )
    from gongzhi.meetings.queries import resolution_rows, with_items

    series = list(MeetingSeries.objects.select_related("place"))
    assert sorted(s.place.code for s in series) == sorted(demo.COMMUNITY_CODES)
    for s in series:
        held = Meeting.objects.filter(series=s, status=MeetingStatus.HELD)
        assert 11 <= held.count() <= 12, s.name
        assert Meeting.objects.filter(series=s, status=MeetingStatus.SCHEDULED).count() >= 3
        assert set(Topic.objects.filter(meeting__in=held).values_list("kind", flat=True)) == {
            "urgent", "difficult", "major"}
        assert Minutes.objects.filter(meeting__in=held, status="final").count() == held.count()
    rows = resolution_rows(with_items(Resolution.objects.all()))
    statuses = Counter(r.status for r in rows)
    assert statuses["done"] > 0.6 * len(rows) and statuses["overdue"] >= 1, statuses
    carried = Topic.objects.filter(source=TopicSource.CARRIED)
    assert carried.exists()
    assert carried.count() == carried.values("carried_from").distinct().count()
    assert Topic.objects.filter(source=TopicSource.PROPOSAL, status="declined").exclude(decline_reason="").exists()


CHECKS = [_a_year_of_requests_spread_over_the_street, _the_derived_fields_agree_with_the_times, _every_request_has_its_timeline_by_the_people_who_acted, _whistles_summon_the_departments, _every_company_has_its_three_rates_last_month, _the_demo_accounts_sign_in_and_other_post_holders_cannot, _the_demo_resident_has_a_history, _people_carry_realistic_id_numbers, _a_year_of_owners_votes_counted_by_the_rules, _a_year_of_monthly_meetings_per_community, _seeding_twice_builds_nothing_more]
