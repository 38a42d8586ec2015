"""``visible_ids`` (the UNION the queue and the 三率 run on) must see exactly what ``visible_to`` sees, for
every role and with filters on the inner query; the queue's deferred page must show the queue's order."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.utils import timezone

from gongzhi.core.pagination import DeferredPaginator
from gongzhi.workorders import actions
from gongzhi.workorders.models import UNRESOLVED, Request, Status
from gongzhi.workorders.queries import queue, queue_page

from ..conftest import ROLES


@pytest.fixture
def spread(tree, orgs, resident, other_resident, community_staff, street_staff, outsider, utilities, managed):
    """Requests reaching each way of seeing: a home, a compound outside the grid, another community, one
    dispatched to the company, one whistled to the police, one filed by staff for nobody, one rejected."""
    file = actions.file_request
    reqs = {
        "home": file(by=resident, category=utilities, description="水管漏水", place=tree["household"]),
        "compound2": file(by=community_staff, category=utilities, description="路灯不亮", place=tree["compound2"],
                          contact_name="王阿姨"),
        "other": file(by=other_resident, category=utilities, description="楼道堵塞", place=tree["other_household"]),
        "dispatched": file(by=outsider, category=utilities, description="电梯异响", place=tree["other_compound"]),
        "whistled": file(by=outsider, category=utilities, description="占道经营", place=tree["other_building"]),
        "rejected": file(by=resident, category=utilities, description="不属于物业", place=tree["household"]),
        "street": file(by=street_staff, category=utilities, description="街道巡查", place=tree["street"]),
    }
    actions.dispatch_request(reqs["dispatched"], to=managed, by=outsider)
    actions.whistle_request(reqs["whistled"], department=orgs["police"], by=outsider, note="请派出所到场")
    actions.reject_request(reqs["rejected"], by=community_staff, reason="属于个人纠纷")
    return reqs


def _ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def _parity(user) -> None:
    every = Request.objects.all()
    assert _ids(every.filter(pk__in=every.visible_ids(user))) == _ids(every.visible_to(user))
    open_ = Request.objects.filter(status__in=UNRESOLVED)
    assert _ids(Request.objects.filter(pk__in=open_.visible_ids(user))) == _ids(open_.visible_to(user))
    assert _ids(queue(user)) == _ids(open_.visible_to(user))
    assert _ids(queue(user, only_open=False)) == _ids(every.visible_to(user))


@pytest.mark.parametrize("role", [*ROLES, "company_staff", "police_liaison", "superuser"])
def test_visible_ids_sees_what_visible_to_sees(request, spread, role):
    user = request.getfixturevalue(role)
    _parity(user)


def test_each_way_of_seeing_is_an_arm(spread, resident, company_staff, police_liaison, grid_worker, outsider):
    seen = {name: _ids(queue(user, only_open=False))
            for name, user in (("resident", resident), ("company", company_staff), ("police", police_liaison),
                               ("grid", grid_worker), ("outsider", outsider))}
    assert spread["home"].pk in seen["resident"] and spread["rejected"].pk in seen["resident"]
    assert spread["other"].pk not in seen["resident"]
    assert seen["company"] == {spread["dispatched"].pk}
    assert seen["police"] == {spread["whistled"].pk}
    assert spread["compound2"].pk not in seen["grid"] and spread["home"].pk in seen["grid"]
    assert {spread["other"].pk, spread["dispatched"].pk, spread["whistled"].pk} <= seen["outsider"]
    assert spread["home"].pk not in seen["outsider"]


def test_nobody_signed_in_sees_nothing(spread):
    assert not _ids(Request.objects.filter(pk__in=Request.objects.visible_ids(AnonymousUser())))


def test_filters_apply_inside_every_arm(spread, community_staff, resident):
    assert _ids(queue(community_staff, status=Status.REJECTED)) == {spread["rejected"].pk}
    assert _ids(queue(community_staff, q="王阿姨")) == {spread["compound2"].pk}
    assert _ids(queue(resident, q="漏水")) == {spread["home"].pk}
    assert not _ids(queue(resident, category="nonexistent"))


def test_the_queue_page_shows_the_queue_in_order(spread, street_staff):
    now = timezone.now()
    expected = list(queue(street_staff, now=now, only_open=False))
    assert len(expected) == 7
    pages = [queue_page(street_staff, n, per_page=3, now=now, only_open=False) for n in (1, 2, 3)]
    assert [r.pk for p in pages for r in p.object_list] == [r.pk for r in expected]
    assert pages[0].paginator.count == 7 and pages[0].paginator.num_pages == 3
    first = pages[0].object_list[0]
    assert hasattr(first, "overdue") and first.category.code == "utilities" and first.place.name
    # out of range or nonsense: the last page or the first, as Django's Paginator.get_page
    assert queue_page(street_staff, 99, per_page=3, now=now, only_open=False).number == 3
    assert queue_page(street_staff, "x", per_page=3, now=now, only_open=False).number == 1


def test_deferred_pages_match_djangos_paginator(spread, street_staff):
    qs = Request.objects.order_by("number")
    for per_page, orphans in ((3, 0), (3, 1), (2, 1), (7, 0), (10, 3)):
        django = Paginator(qs, per_page, orphans=orphans)
        ours = DeferredPaginator(qs, per_page, orphans=orphans, load=lambda pks: Request.objects.filter(pk__in=pks))
        for n in range(1, django.num_pages + 2):
            want, got = django.get_page(n), ours.get_page(n)
            assert (got.number, [r.pk for r in got]) == (want.number, [r.pk for r in want]), (per_page, orphans, n)
            assert ours.count == django.count


def test_an_empty_queue_is_one_empty_page(tree, orgs, outsider):
    page = queue_page(outsider, 1)
    assert page.paginator.count == 0 and list(page.object_list) == [] and page.number == 1


@pytest.mark.parametrize("role", [*ROLES, "company_staff", "police_liaison"])
def test_the_default_queue_page_runs_on_a_statement_with_the_querysets_rows(request, spread, role):
    from django.db import connection

    from gongzhi.workorders.queries import _OPEN_QUEUE_KEYS

    user = request.getfixturevalue(role)
    now = timezone.now()
    expected = [r.pk for r in queue(user, now=now)]
    _OPEN_QUEUE_KEYS._compiled.clear()
    pages = [queue_page(user, n, per_page=2, now=now) for n in (1, 2, 3)]
    got = [r.pk for p in pages[:max(1, -(-len(expected) // 2))] for r in p.object_list]
    assert got == expected and pages[0].paginator.count == len(expected)
    assert pages[-1].number == max(1, -(-len(expected) // 2))  # past the end: the last page
    entries = list(_OPEN_QUEUE_KEYS._compiled.values())
    if role == "committee_member":  # a 业委会 post sees common parts only: its queue runs the queryset
        assert not entries
        return
    assert entries  # the default queue went through the statement
    if connection.vendor == "postgresql":  # SQLite binds datetimes as text: its shape runs the queryset
        assert all(isinstance(e, tuple) for e in entries)
