"""An action item spawns a request in the requests' lifecycle — filed and dispatched to its owner by the acting
staff member, the due date its deadline — or links existing ones; its status follows them (derived)."""

import datetime

from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.meetings import actions
from gongzhi.meetings.models import ItemStatus, Resolution, item_state
from gongzhi.meetings.queries import resolution_rows, with_items
from gongzhi.workorders import actions as workorders
from gongzhi.workorders.models import Status

from .conftest import spawn_resolution


def _state(resolution, today=None):
    (row,) = resolution_rows(with_items(Resolution.objects.filter(pk=resolution.pk)), today)
    return row


def test_the_spawned_request_is_dispatched_to_the_owner_with_the_due_date(quorate, community_staff, orgs,
                                                                        utilities):
    due = timezone.localdate() + datetime.timedelta(days=10)
    resolution = spawn_resolution(quorate, community_staff, orgs["company"], utilities, due=due)
    req = resolution.items.get().requests.get()
    assert req.status == Status.DISPATCHED
    assert req.handler == orgs["company"]
    assert req.filed_by == community_staff
    assert timezone.localtime(req.resolution_due_at).date() == due
    assert req.place == quorate.place
    assert "决议1" in req.description
    verbs = list(Event.objects.filter(target_id=str(req.pk), verb__startswith="workorders.")
                 .order_by("pk").values_list("verb", "actor__username"))
    assert verbs == [("workorders.file_request", "community"), ("workorders.dispatch_request", "community")]


def test_status_follows_the_request(quorate, community_staff, company_staff, orgs, utilities):
    resolution = spawn_resolution(quorate, community_staff, orgs["company"], utilities)
    req = resolution.items.get().requests.get()
    assert _state(resolution).status == ItemStatus.IN_PROGRESS
    workorders.accept_request(req, by=company_staff)
    assert _state(resolution).status == ItemStatus.IN_PROGRESS
    req = workorders.resolve_request(req, by=company_staff, result_note="已疏通")
    row = _state(resolution)
    assert row.status == ItemStatus.DONE
    assert row.done_at == req.resolved_at
    assert row.items[0].status == ItemStatus.DONE
    later = timezone.localdate() + datetime.timedelta(days=30)
    assert _state(resolution, today=later).status == ItemStatus.DONE  # done stays done past the due date
    # reopened (the staff member who filed it is its reporter here): no longer done, nothing typed anywhere
    workorders.reopen_request(req, by=community_staff, reason="排水沟又堵了")
    assert _state(resolution).status == ItemStatus.IN_PROGRESS
    assert _state(resolution, today=later).status == ItemStatus.OVERDUE


def test_an_item_with_several_requests_is_done_when_all_are(quorate, community_staff, company_staff, orgs,
                                                            utilities, dispatched):
    resolution = spawn_resolution(quorate, community_staff, orgs["company"], utilities)
    item = resolution.items.get()
    actions.link_request(item, request=dispatched, by=community_staff)
    spawned = item.requests.exclude(pk=dispatched.pk).get()
    workorders.accept_request(spawned, by=company_staff)
    workorders.resolve_request(spawned, by=company_staff, result_note="已疏通")
    assert _state(resolution).status == ItemStatus.IN_PROGRESS  # the linked one is still open
    workorders.accept_request(dispatched, by=company_staff)
    workorders.resolve_request(dispatched, by=company_staff, result_note="已更换阀门")
    assert _state(resolution).status == ItemStatus.DONE


def test_overdue_past_the_due_date_unless_done(quorate, community_staff, orgs, utilities):
    resolution = spawn_resolution(quorate, community_staff, orgs["company"], utilities)
    due = resolution.due_date
    assert _state(resolution, today=due).status == ItemStatus.IN_PROGRESS
    assert _state(resolution, today=due + datetime.timedelta(days=1)).status == ItemStatus.OVERDUE


class R:
    def __init__(self, status, resolved_at=None):
        self.status, self.resolved_at = status, resolved_at


def test_item_state_rules():
    day = datetime.date(2026, 12, 1)
    at = timezone.now()
    assert item_state(day, [], day) == (ItemStatus.PENDING, None)
    assert item_state(day, [], day + datetime.timedelta(days=1)) == (ItemStatus.OVERDUE, None)
    assert item_state(day, [R("accepted")], day) == (ItemStatus.IN_PROGRESS, None)
    assert item_state(day, [R("rated", at), R("merged")], day) == (ItemStatus.DONE, at)  # a duplicate drops out
    assert item_state(day, [R("rejected")], day) == (ItemStatus.PENDING, None)  # nothing carries it
    assert item_state(day, [R("reopened", at)], day) == (ItemStatus.IN_PROGRESS, None)
