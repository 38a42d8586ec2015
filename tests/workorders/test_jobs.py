"""The tick: overdue marking, escalation up the ladder, whistle report-in deadlines, grab pool expiry,
closing. Each step is idempotent: a second run changes nothing."""

import datetime

import pytest
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.notices.models import Notification
from gongzhi.workorders import actions, jobs
from gongzhi.workorders.models import Escalation, Request, Status, Whistle


def later(hours=0, days=0):
    return timezone.now() + datetime.timedelta(hours=hours, days=days)


def test_response_overdue_marks_and_escalates_once(dispatched, community_staff):
    now = later(hours=30)  # normal urgency: respond within 24 h
    assert jobs.mark_response_overdue(now) == 1
    req = Request.objects.get(pk=dispatched.pk)
    assert req.response_overdue is True and req.escalation_level == Escalation.COMMUNITY
    assert Notification.objects.filter(user=community_staff, verb="workorders.escalate_request").count() == 1
    events = Event.objects.count()
    assert jobs.mark_response_overdue(now) == 0
    assert Event.objects.count() == events


def test_escalation_reaches_the_street_after_the_interval(dispatched, street_staff):
    jobs.mark_response_overdue(later(hours=30))
    assert jobs.escalate_to_street(later(hours=1)) == 0  # the community has had one hour only
    assert jobs.escalate_to_street(later(days=5)) == 1
    assert Request.objects.get(pk=dispatched.pk).escalation_level == Escalation.STREET
    assert jobs.escalate_to_street(later(days=6)) == 0
    assert Event.objects.filter(verb="workorders.escalate_request").count() == 2
    assert Notification.objects.filter(user=street_staff, verb="workorders.escalate_request").count() == 1


def test_late_acceptance_counts_as_late_even_without_a_tick(dispatched, company_staff):
    Request.objects.filter(pk=dispatched.pk).update(response_due_at=timezone.now() - datetime.timedelta(hours=1))
    req = actions.accept_request(dispatched, by=company_staff)
    assert req.response_overdue is True


def test_resolution_overdue(dispatched):
    assert jobs.mark_resolution_overdue(later(days=20)) == 1
    assert Request.objects.get(pk=dispatched.pk).resolution_overdue is True
    assert jobs.mark_resolution_overdue(later(days=21)) == 0


def test_whistle_report_in_deadline(dispatched, community_staff, orgs, police_liaison, street_staff):
    whistle = actions.whistle_request(dispatched, department=orgs["police"], by=community_staff, note="有人私拉电线")
    assert Notification.objects.filter(user=police_liaison, verb="workorders.whistle_request").count() == 1
    assert jobs.mark_whistles_overdue(later(days=3)) == 1
    assert Whistle.objects.get(pk=whistle.pk).overdue is True
    assert jobs.mark_whistles_overdue(later(days=4)) == 0
    assert Notification.objects.filter(user=street_staff, verb="workorders.whistle_overdue").count() == 1
    actions.acknowledge_whistle(whistle, by=police_liaison)
    actions.report_whistle(whistle, by=police_liaison, report="已现场拆除私拉电线")
    whistle.refresh_from_db()
    assert whistle.acknowledged_at is not None and whistle.reported_at is not None


def test_only_the_whistled_department_reports_in(dispatched, community_staff, orgs, police_liaison, company_staff):
    from django.core.exceptions import PermissionDenied

    whistle = actions.whistle_request(dispatched, department=orgs["police"], by=community_staff, note="协助")
    with pytest.raises(PermissionDenied):
        actions.acknowledge_whistle(whistle, by=company_staff)
    assert Whistle.objects.get(pk=whistle.pk).acknowledged_at is None


def test_grab_pool_expires_back_to_the_dispatcher(filed, community_staff, managed, company_staff):
    req = actions.dispatch_request(filed, to=managed, by=community_staff, mode="pool")
    assert req.assignee is None and req.pool_until is not None
    assert jobs.expire_grab_pool(later(hours=1)) == 1
    assert Request.objects.get(pk=req.pk).status == Status.RETURNED
    assert jobs.expire_grab_pool(later(hours=2)) == 0


def test_grab_pool_first_claim_wins(filed, community_staff, managed, company_staff):
    from django.core.exceptions import ValidationError

    req = actions.dispatch_request(filed, to=managed, by=community_staff, mode="pool")
    req = actions.grab_request(req, by=company_staff)
    assert req.assignee == company_staff.person
    with pytest.raises(ValidationError):
        actions.grab_request(req, by=company_staff)


def test_round_robin_takes_turns(filed, tree, resident, utilities, community_staff, managed, company_staff):
    from gongzhi.workorders.models import Duty

    from ..conftest import make_account

    second = make_account("fixer2", place=tree["compound"], posts=[(managed, "company_staff", tree["compound"])])
    Duty.objects.create(organisation=managed, person=company_staff.person)
    Duty.objects.create(organisation=managed, person=second.person)
    other = actions.file_request(by=resident, category=utilities, description="第二件", place=tree["household"])
    a = actions.dispatch_request(filed, to=managed, by=community_staff, mode="round_robin")
    b = actions.dispatch_request(other, to=managed, by=community_staff, mode="round_robin")
    assert {a.assignee, b.assignee} == {company_staff.person, second.person}


def test_unrated_requests_close_as_unrated_never_satisfied(resolved):
    assert jobs.close_finished(later(days=8)) == 1
    req = Request.objects.get(pk=resolved.pk)
    assert (req.status, req.unrated, req.rating) == (Status.CLOSED, True, None)
    assert jobs.close_finished(later(days=9)) == 0


def test_rated_requests_close_after_the_reopen_window(resolved, resident):
    actions.rate_request(resolved, by=resident, rating=4)
    assert jobs.close_finished(later(days=1)) == 0
    assert jobs.close_finished(later(days=8)) == 1
    assert Request.objects.get(pk=resolved.pk).unrated is False


def test_tick_command_runs_once(dispatched):
    from django.core.management import call_command

    Request.objects.filter(pk=dispatched.pk).update(response_due_at=timezone.now() - datetime.timedelta(hours=1))
    call_command("tick", "--once")
    call_command("tick", "--once")
    assert Event.objects.filter(verb="workorders.mark_overdue").count() == 1


def test_pool_expiry_is_an_action_through_the_transition_table(filed, community_staff, managed, company_staff):
    from gongzhi.core.permissions import SYSTEM

    req = actions.dispatch_request(filed, to=managed, by=community_staff, mode="pool")
    events = Event.objects.count()
    with pytest.raises(actions.StateConflict):  # its time is not up yet
        actions.expire_pool_request(req, by=SYSTEM)
    assert Event.objects.count() == events
    moved = actions.expire_pool_request(req, by=SYSTEM, now=later(hours=1))
    assert moved.status == Request.objects.get(pk=req.pk).status == Status.RETURNED
    assert Request.objects.get(pk=req.pk).pool_until is None
    assert list(Event.objects.filter(verb="workorders.expire_pool").values_list("after", flat=True)) == [
        {"status": Status.RETURNED}]
    assert Notification.objects.filter(user=community_staff, verb="workorders.expire_pool").count() == 1


def test_pool_expiry_refused_when_the_state_forbids_it(filed, community_staff, managed, company_staff):
    from gongzhi.core.permissions import SYSTEM

    req = actions.dispatch_request(filed, to=managed, by=community_staff, mode="pool")
    actions.grab_request(req, by=company_staff)
    actions.accept_request(req, by=company_staff)
    events = Event.objects.count()
    with pytest.raises(actions.InvalidTransition):
        actions.expire_pool_request(req, by=SYSTEM, now=later(hours=1))
    assert Request.objects.get(pk=req.pk).status == Status.ACCEPTED
    assert Event.objects.count() == events
    assert jobs.expire_grab_pool(later(hours=2)) == 0
    assert Event.objects.count() == events


def test_tick_moves_need_the_platform(filed, community_staff, managed):
    from django.core.exceptions import PermissionDenied

    req = actions.dispatch_request(filed, to=managed, by=community_staff, mode="pool")
    with pytest.raises(PermissionDenied):
        actions.expire_pool_request(req, by=community_staff, now=later(hours=1))
    with pytest.raises(TypeError):
        actions.mark_overdue(req, flag="response_overdue", why="x", by=None, now=later(hours=30))
    assert Request.objects.get(pk=req.pk).status == Status.DISPATCHED


def test_marking_overdue_is_refused_once_flagged_or_when_the_status_runs_no_deadline(dispatched, company_staff):
    from gongzhi.core.permissions import SYSTEM

    actions.mark_overdue(dispatched, flag="response_overdue", why="超过响应时限未接单", now=later(hours=30))
    events = Event.objects.count()
    with pytest.raises(actions.StateConflict):
        actions.mark_overdue(dispatched, flag="response_overdue", why="again", by=SYSTEM, now=later(hours=31))
    actions.accept_request(dispatched, by=company_staff)
    with pytest.raises(actions.StateConflict):  # accepted: the response deadline no longer runs
        actions.mark_overdue(dispatched, flag="response_overdue", why="x", now=later(hours=31))
    with pytest.raises(actions.StateConflict):  # the resolution deadline runs, but is not reached
        actions.mark_overdue(dispatched, flag="resolution_overdue", why="x", now=later(hours=1))
    assert Event.objects.filter(verb="workorders.mark_overdue").count() == 1
    assert Event.objects.count() == events + 1  # the accept only


def test_a_whistle_reported_in_is_not_marked_overdue(dispatched, community_staff, orgs, police_liaison):
    whistle = actions.whistle_request(dispatched, department=orgs["police"], by=community_staff, note="协助")
    actions.acknowledge_whistle(whistle, by=police_liaison)
    events = Event.objects.count()
    with pytest.raises(actions.StateConflict):
        actions.mark_whistle_overdue(whistle, now=later(days=3))
    assert Whistle.objects.get(pk=whistle.pk).overdue is False
    assert jobs.mark_whistles_overdue(later(days=3)) == 0
    assert Event.objects.count() == events
