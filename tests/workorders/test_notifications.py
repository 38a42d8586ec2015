"""Notifications: an inbox row in the action's transaction; outside channels only after commit."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from gongzhi.notices.models import Delivery, Notification
from gongzhi.workorders import actions


class Recorder:
    name = "recorder"
    sent: list = []

    def send(self, *, user_id, text, link):
        Recorder.sent.append((user_id, text))


@pytest.fixture
def recorder(settings):
    settings.NOTIFICATION_CHANNELS = ["tests.workorders.test_notifications.Recorder"]
    Recorder.sent = []
    return Recorder


def test_channels_are_called_after_commit(filed, community_staff, managed, company_staff, recorder,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.dispatch_request(filed, to=managed, by=community_staff)
        assert recorder.sent == []  # nothing leaves before commit
    assert Notification.objects.filter(user=company_staff, verb="workorders.dispatch_request").count() == 1
    for cb in callbacks:
        cb()
    assert [uid for uid, _t in recorder.sent].count(company_staff.pk) == 1
    assert Delivery.objects.filter(channel="recorder", status="sent").count() == len(recorder.sent)


def test_a_rolled_back_action_never_reaches_a_channel(filed, community_staff, managed, recorder,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError), transaction.atomic():
            actions.dispatch_request(filed, to=managed, by=community_staff)
            raise ValidationError("boom")
    assert recorder.sent == []
    assert Notification.objects.filter(verb="workorders.dispatch_request").count() == 0


def test_a_failing_channel_is_recorded_not_raised(filed, community_staff, managed, settings,
                                                  django_capture_on_commit_callbacks):
    settings.NOTIFICATION_CHANNELS = ["tests.workorders.test_notifications.Broken"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.dispatch_request(filed, to=managed, by=community_staff)
    assert Delivery.objects.filter(status="failed", error="gateway down").exists()


class Broken:
    name = "broken"

    def send(self, **kw):
        raise RuntimeError("gateway down")
