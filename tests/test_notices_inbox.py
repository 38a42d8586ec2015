"""The inbox people can read: opening a notice marks it read (once, audited) and follows its link; the
inbox is grouped by day, paged, and filtered by unread or by what the notices are about."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.notices import actions
from gongzhi.notices.models import Notification


def _notice(user, text="您反映的“楼道灯不亮”已派单", link="/requests/", verb="workorders.dispatch_request", **kw):
    n = actions.notify([user], verb=verb, text=text, link=link)[0]
    if kw:
        Notification.objects.filter(pk=n.pk).update(**kw)
        n.refresh_from_db()
    return n


def _badge(client) -> int:
    return client.get("/notices/").context["nav_badge"]


def test_a_notice_is_read_once_opened(client, resident):
    n = _notice(resident)
    other = _notice(resident, text="另一条")
    client.force_login(resident)
    assert _badge(client) == 2
    response = client.get(f"/notices/{n.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/requests/"
    n.refresh_from_db()
    other.refresh_from_db()
    assert n.read_at is not None and other.read_at is None
    events = list(Event.objects.filter(verb="notices.read_notice"))
    assert len(events) == 1
    assert events[0].actor == resident and events[0].target_id == str(n.pk)
    assert _badge(client) == 1
    # opening it again changes nothing and writes nothing
    first_read = n.read_at
    assert client.get(f"/notices/{n.pk}/").status_code == 302
    n.refresh_from_db()
    assert n.read_at == first_read
    assert Event.objects.filter(verb="notices.read_notice").count() == 1


def test_the_inbox_links_go_through_the_opening_url(client, resident):
    n = _notice(resident)
    client.force_login(resident)
    html = client.get("/notices/").content.decode()
    rows = html.split('data-testid="rows"', 1)[1].split("</section>", 1)[0]
    assert f'href="/notices/{n.pk}/"' in rows
    assert 'href="/requests/"' not in rows  # not straight to the link: it would stay unread


def test_someone_elses_notice_is_404_and_stays_unread(client, resident, grid_worker):
    n = _notice(resident)
    client.force_login(grid_worker)
    assert client.get(f"/notices/{n.pk}/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None
    assert not Event.objects.filter(verb="notices.read_notice").exists()


@pytest.mark.parametrize("link", ["https://example.com/x", "//example.com/x", ""])
def test_a_link_off_the_site_or_none_opens_the_inbox(client, resident, link):
    n = _notice(resident, link=link)
    client.force_login(resident)
    response = client.get(f"/notices/{n.pk}/")
    assert response["Location"] == "/notices/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_read_all_marks_every_unread_one_with_one_event(client, resident, grid_worker):
    mine = [_notice(resident, text=f"第{i}条") for i in range(3)]
    theirs = _notice(grid_worker)
    client.force_login(resident)
    assert client.post("/notices/read/").status_code == 302
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    event = Event.objects.get(verb="notices.read_all_notices")
    assert event.after == {"read": 3}
    client.post("/notices/read/")  # nothing unread: no second event
    assert Event.objects.filter(verb="notices.read_all_notices").count() == 1


def test_the_inbox_is_grouped_by_day(client, resident):
    now = timezone.now()
    _notice(resident, text="今天的通知")
    _notice(resident, text="昨天的通知", created_at=now - datetime.timedelta(days=1))
    _notice(resident, text="上周的通知", created_at=now - datetime.timedelta(days=8))
    client.force_login(resident)
    groups = client.get("/notices/").context["groups"]
    assert [[n.text for n in g["notices"]] for g in groups] == [["今天的通知"], ["昨天的通知"], ["上周的通知"]]
    assert [g["label"] for g in groups][:2] == ["今天", "昨天"]
    assert groups[2]["label"] == timezone.localdate(now - datetime.timedelta(days=8)).strftime("%Y-%m-%d")


def test_unread_and_topic_filters(client, resident):
    read = _notice(resident, text="已读的", read_at=timezone.now())
    unread = _notice(resident, text="未读的")
    vote = _notice(resident, text="表决公告", verb="assembly.announce_vote")
    client.force_login(resident)
    ctx = client.get("/notices/?unread=1").context
    assert [n.pk for n in ctx["page"].object_list] == [vote.pk, unread.pk]
    assert ctx["page"].paginator.count == 2
    ctx = client.get("/notices/?topic=assembly").context
    assert [n.pk for n in ctx["page"].object_list] == [vote.pk]
    assert [label for label, _name in ctx["topics"]] == ["assembly", "workorders"]
    ctx = client.get("/notices/?topic=nosuchapp").context  # an unknown topic: everything
    assert {n.pk for n in ctx["page"].object_list} == {read.pk, unread.pk, vote.pk}


def test_the_inbox_is_paged(client, resident, django_assert_max_num_queries):
    Notification.objects.bulk_create([Notification(user=resident, verb="workorders.dispatch_request",
                                                   text=f"通知{i}") for i in range(45)])
    client.force_login(resident)
    first = client.get("/notices/")
    assert len(first.context["page"].object_list) == 20
    assert "共 45 条，第 1/3 页" in first.content.decode()
    last = client.get("/notices/?page=3")
    assert len(last.context["page"].object_list) == 5
    assert client.get("/notices/?page=abc").context["page"].number == 1
    with django_assert_max_num_queries(12):
        client.get("/notices/?page=2")
