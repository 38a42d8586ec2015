"""建议上会: a grid worker (or building head) suggests any open request for the joint meeting, with a reason;
it waits with the residents' proposals until the community puts it on an agenda (the grid worker is told) or
declines it with a reason the grid worker sees. Only the grid's own eyes over the request may; once while it
waits; a closed request not at all; bad input writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import Event
from gongzhi.meetings import actions
from gongzhi.meetings.models import Topic, TopicSource, TopicStatus
from gongzhi.notices.models import Notification
from gongzhi.workorders import actions as workorders

from .conftest import company_staff, dispatched, filed, managed, meeting, resolved, series, utilities  # noqa: F401


def test_a_grid_worker_suggests_an_open_request_and_the_community_puts_it_on_the_agenda(
        client, dispatched, grid_worker, community_staff, meeting):  # noqa: F811
    client.force_login(grid_worker)
    page = client.get(f"/requests/{dispatched.pk}/").content.decode()
    assert 'data-testid="flag-for-meeting"' in page and 'data-testid="to-meeting"' not in page
    r = client.post(f"/meetings/flag-request/{dispatched.pk}/", {"kind": "difficult", "reason": "多次反映未解决"})
    assert r.status_code == 302
    topic = Topic.objects.get(request=dispatched)
    assert (topic.source, topic.status, topic.meeting, topic.proposed_by) == (
        TopicSource.FLAG, TopicStatus.PROPOSED, None, grid_worker)
    assert Notification.objects.filter(user=community_staff, text__contains="网格建议").exists()
    # the suggestion waits: the box is gone, a second one is refused
    assert 'data-testid="flag-for-meeting"' not in client.get(f"/requests/{dispatched.pk}/").content.decode()
    with pytest.raises(ValidationError):
        actions.flag_request(dispatched, by=grid_worker, reason="再提一次")
    assert Topic.objects.filter(request=dispatched).count() == 1
    mine = client.get("/meetings/proposals/").context["mine"]
    assert [t.pk for t in mine] == [topic.pk]
    # the community sees it with the residents' proposals and puts it on the meeting
    client.force_login(community_staff)
    waiting = client.get("/meetings/proposals/").context["waiting"]
    assert topic.pk in [t.pk for t in waiting]
    actions.accept_proposal(topic, meeting=meeting, by=community_staff)
    topic.refresh_from_db()
    assert (topic.meeting, topic.status) == (meeting, TopicStatus.ON_AGENDA)
    assert Notification.objects.filter(user=grid_worker, text__contains="已列入").exists()


def test_declined_with_a_reason_the_grid_worker_sees(client, dispatched, grid_worker, community_staff):  # noqa: F811
    topic = actions.flag_request(dispatched, by=grid_worker, reason="物业拖延")
    actions.decline_proposal(topic, reason="物业已承诺本周内处理，先不上会", by=community_staff)
    client.force_login(grid_worker)
    page = client.get("/meetings/proposals/").content.decode()
    assert "物业已承诺本周内处理，先不上会" in page


@pytest.mark.parametrize("who", ["community_staff", "company_staff", "resident"])
def test_only_the_grids_own_eyes_may_and_nothing_is_written(request, dispatched, who):  # noqa: F811
    user = request.getfixturevalue(who)
    events = Event.objects.count()
    with pytest.raises(PermissionDenied):
        actions.flag_request(dispatched, by=user, reason="上会")
    assert not Topic.objects.exists() and Event.objects.count() == events


def test_a_building_head_may_too(dispatched, building_head):  # noqa: F811
    assert actions.flag_request(dispatched, by=building_head, reason="楼里多户反映").source == TopicSource.FLAG


@pytest.mark.parametrize(("data", "field"), [({"kind": "difficult", "reason": ""}, "reason"),
                                             ({"kind": "nonsense", "reason": "上会"}, "kind"),
                                             ({"kind": "difficult", "reason": "长" * 5001}, "reason")])
def test_bad_input_is_refused_and_nothing_written(client, dispatched, grid_worker, data, field):  # noqa: F811
    client.force_login(grid_worker)
    events = Event.objects.count()
    r = client.post(f"/meetings/flag-request/{dispatched.pk}/", data, follow=True)
    assert r.status_code == 200 and not Topic.objects.exists() and Event.objects.count() == events
    assert [m.level_tag for m in r.context["messages"]] == ["error"]


def test_a_finished_request_is_not_suggested(client, resolved, grid_worker, resident):  # noqa: F811
    workorders.rate_request(resolved, by=resident, rating=5)
    resolved.refresh_from_db()
    client.force_login(grid_worker)
    assert 'data-testid="flag-for-meeting"' not in client.get(f"/requests/{resolved.pk}/").content.decode()
    with pytest.raises(ValidationError):
        actions.flag_request(resolved, by=grid_worker, reason="上会")
