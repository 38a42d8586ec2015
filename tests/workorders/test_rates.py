"""三率 on a known data set, equal to figures worked out by hand."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.workorders import actions
from gongzhi.workorders.models import Request, ServiceSettings
from gongzhi.workorders.queries import rates


@pytest.fixture
def month_of_requests(tree, resident, community_staff, company_staff, managed, utilities):
    """Ten requests this month in the compound, handled by 万科物业:
    1-2 unanswered (one past its response deadline), 3 accepted late, 4-10 accepted on time;
    of 3-10: 3 resolved late, 4-9 resolved; rated 5,5,4,3,2 (reopened then 5), 8 unrated (closed), 9 just resolved.
    """
    reqs = []
    for i in range(10):
        r = actions.file_request(by=resident, category=utilities, description=f"第{i + 1}件", place=tree["household"])
        reqs.append(actions.dispatch_request(r, to=managed, by=community_staff))
    past = timezone.now() - datetime.timedelta(hours=1)
    Request.objects.filter(pk=reqs[0].pk).update(response_due_at=past)  # 1: overdue, unanswered
    Request.objects.filter(pk=reqs[2].pk).update(response_due_at=past)  # 3: will be accepted late
    for r in reqs[2:]:
        actions.accept_request(r, by=company_staff)
    Request.objects.filter(pk=reqs[2].pk).update(resolution_due_at=past)
    for r in reqs[2:]:
        actions.resolve_request(r, by=company_staff, result_note="好了")
    for r, score in zip(reqs[3:7], [5, 5, 4, 3], strict=True):
        actions.rate_request(r, by=resident, rating=score)
    r7 = actions.rate_request(reqs[7 - 1 + 1], by=resident, rating=2)  # request 8 → see below
    return reqs, r7


def test_rates_equal_hand_computed_figures(tree, month_of_requests, resident, company_staff, street_staff):
    reqs, _r = month_of_requests
    # request 8 was rated 2, reopened, resolved again and rated 5; request 9 closed unrated; 10 just resolved
    req8 = actions.reopen_request(reqs[7], by=resident, reason="没修好")
    actions.accept_request(req8, by=company_staff)
    actions.resolve_request(req8, by=company_staff, result_note="再修")
    actions.rate_request(req8, by=resident, rating=5)
    actions.close_request(reqs[8], unrated=True)

    row, = rates(street_staff, month=timezone.localdate(), by="company")
    assert row.label == "万科物业"
    assert row.total == 10
    # response: base = accepted (8) + unanswered past deadline (1) = 9; on time = 7 (3 was late)
    assert (row.response_base, row.responded_on_time) == (9, 7)
    assert row.response_rate == Decimal(7) / Decimal(9)
    # resolution: 8 resolved of 8 that reached the stage (the two unanswered are not yet due)
    assert (row.resolution_base, row.resolved, row.resolved_on_time) == (8, 8, 7)
    # satisfaction: rated 4,5,5,4,3 → final ratings 5,5,4,3,5; ≥4 → 4 satisfied; unrated 1 in the base
    assert (row.rated, row.unrated, row.satisfied) == (5, 1, 4)
    assert row.satisfaction_rate == Decimal(4) / Decimal(6)
    # first-time satisfaction: first ratings 5,5,4,3,2 → 3 of 5
    assert row.first_satisfaction_rate == Decimal(3) / Decimal(5)
    assert row.reopen_rate == Decimal(1) / Decimal(8)
    assert row.households == 2 and row.per_thousand_households == Decimal(5000)
    assert row.avg_hours_to_resolve is not None and row.avg_hours_to_resolve < 1


def test_basic_satisfaction_weight_and_unrated_switch(tree, month_of_requests, resident, street_staff):
    reqs, _r = month_of_requests
    actions.close_request(reqs[8], unrated=True)
    cfg = ServiceSettings.current()
    cfg.basic_satisfied_weight, cfg.unrated_in_denominator = Decimal("0.5"), False
    cfg.save()
    row, = rates(street_staff, month=timezone.localdate(), by="company")
    # final ratings 5,5,4,3,2: satisfied 3 + 0.5 × one "3" over 5 rated
    assert row.satisfaction_rate == Decimal("3.5") / Decimal(5)


def test_grouping_by_community_and_grid_and_scope(tree, month_of_requests, street_staff, outsider):
    row, = rates(street_staff, month=timezone.localdate(), by="community")
    assert (row.label, row.total) == ("莲湖路第一社区", 10)
    row, = rates(street_staff, month=timezone.localdate(), by="grid")
    assert (row.label, row.total) == ("莲湖路第一社区 第1网格", 10)  # a grid in context: every community has a 第1网格
    assert rates(outsider, month=timezone.localdate(), by="community") == []
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    assert rates(street_staff, month=last_month, by="community") == []


def test_whistles_are_counted_per_department(dispatched, community_staff, orgs, police_liaison, street_staff,
                                             outsider):
    from gongzhi.workorders.queries import whistle_counts

    first = actions.whistle_request(dispatched, department=orgs["police"], by=community_staff, note="协助一")
    actions.whistle_request(dispatched, department=orgs["police"], by=community_staff, note="协助二")
    actions.acknowledge_whistle(first, by=police_liaison)
    row, = whistle_counts(street_staff, month=timezone.localdate())
    assert (row.department, row.whistles, row.acknowledged, row.acknowledged_on_time, row.waiting) == (
        "青年路派出所", 2, 1, 1, 1)
    assert whistle_counts(outsider, month=timezone.localdate()) == []
