"""Two ticks at once must not double-escalate (PostgreSQL: row locks with SKIP LOCKED; SQLite: one writer)."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.workorders import jobs
from gongzhi.workorders.models import Request


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks and SKIP LOCKED are PostgreSQL's; SQLite has a single writer")
@pytest.mark.django_db(transaction=True)
def test_concurrent_ticks_escalate_each_request_once(tree, resident, community_staff, managed, utilities):
    from gongzhi.workorders import actions

    reqs = [actions.file_request(by=resident, category=utilities, description=f"第{i}件", place=tree["household"])
            for i in range(12)]
    for r in reqs:
        actions.dispatch_request(r, to=managed, by=community_staff)
    Request.objects.update(response_due_at=timezone.now() - datetime.timedelta(hours=1))
    now = timezone.now()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            jobs.mark_response_overdue(now, limit=100)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Event.objects.filter(verb="workorders.mark_overdue").count() == 12
    assert Event.objects.filter(verb="workorders.escalate_request").count() == 12
    assert set(Request.objects.values_list("escalation_level", flat=True)) == {1}
