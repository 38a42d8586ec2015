"""An overdue action item goes onto its series' next meeting by itself, exactly once (the tick step)."""

import datetime

import pytest
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.meetings import actions, jobs
from gongzhi.meetings.models import Topic, TopicSource
from gongzhi.workorders import actions as workorders

from .conftest import spawn_resolution


def _next_meeting(series, community_staff, days=40):
    return actions.schedule_meeting(series, by=community_staff,
                                    starts_at=timezone.now() + datetime.timedelta(days=days), location="议事厅")


def test_overdue_item_goes_onto_the_next_agenda_exactly_once(quorate, series, community_staff, orgs, utilities):
    resolution = spawn_resolution(quorate, community_staff, orgs["company"], utilities)
    nxt = _next_meeting(series, community_staff)
    late = resolution.due_date + datetime.timedelta(days=1)
    assert jobs.carry_over_overdue(today=resolution.due_date) == 0  # not late yet
    assert jobs.carry_over_overdue(today=late) == 1
    assert jobs.carry_over_overdue(today=late) == 0
    assert jobs.carry_over_overdue(today=late + datetime.timedelta(days=7)) == 0
    topic = Topic.objects.get(source=TopicSource.CARRIED)
    assert topic.meeting == nxt
    assert topic.carried_from == resolution.items.get()
    assert topic.title.startswith("逾期督办：")
    assert "万科物业" in topic.description
    assert Event.objects.filter(verb="meetings.carry_over_item").count() == 1
    # a later meeting does not get it again either
    _next_meeting(series, community_staff, days=70)
    assert jobs.carry_over_overdue(today=late + datetime.timedelta(days=30)) == 0
    assert Topic.objects.filter(source=TopicSource.CARRIED).count() == 1


def test_a_done_item_is_not_carried(quorate, series, community_staff, company_staff, orgs, utilities):
    resolution = spawn_resolution(quorate, community_staff, orgs["company"], utilities)
    req = resolution.items.get().requests.get()
    workorders.accept_request(req, by=company_staff)
    workorders.resolve_request(req, by=company_staff, result_note="已疏通")
    _next_meeting(series, community_staff)
    assert jobs.carry_over_overdue(today=resolution.due_date + datetime.timedelta(days=3)) == 0
    assert not Topic.objects.filter(source=TopicSource.CARRIED).exists()


def test_without_a_next_meeting_it_waits(quorate, series, community_staff, orgs, utilities):
    resolution = spawn_resolution(quorate, community_staff, orgs["company"], utilities)
    late = resolution.due_date + datetime.timedelta(days=1)
    assert jobs.carry_over_overdue(today=late) == 0
    nxt = _next_meeting(series, community_staff)
    assert jobs.carry_over_overdue(today=late) == 1
    assert Topic.objects.get(source=TopicSource.CARRIED).meeting == nxt


def test_a_cancelled_meeting_gives_its_carried_items_back(quorate, series, community_staff, orgs, utilities):
    resolution = spawn_resolution(quorate, community_staff, orgs["company"], utilities)
    first = _next_meeting(series, community_staff)
    late = resolution.due_date + datetime.timedelta(days=1)
    assert jobs.carry_over_overdue(today=late) == 1
    actions.cancel_meeting(first, by=community_staff, reason="与区里会议冲突，改期")
    second = _next_meeting(series, community_staff, days=70)
    assert jobs.carry_over_overdue(today=late) == 1
    assert Topic.objects.get(source=TopicSource.CARRIED, carried_from__isnull=False).meeting == second


def test_a_meeting_with_resolutions_cannot_be_cancelled(quorate, community_staff, orgs, utilities):
    spawn_resolution(quorate, community_staff, orgs["company"], utilities)
    with pytest.raises(actions.MeetingConflict):
        actions.cancel_meeting(quorate, by=community_staff, reason="改期")
    quorate.refresh_from_db()
    assert quorate.status == "scheduled"
