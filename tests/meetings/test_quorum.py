"""The quorum rule is checked before a resolution: by default every member organisation present."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.meetings import actions, rules
from gongzhi.meetings.models import ActionItem, MeetingSeries, Resolution
from gongzhi.workorders.models import Request

from .conftest import sign_everyone_in


@pytest.mark.parametrize(("rule", "present", "met"), [
    ("all", {1, 2, 3}, True), ("all", {1, 2}, False), ("all", {1, 2, 3, 9}, True), ("all", set(), False),
    ("majority", {1, 2}, True), ("majority", {1}, False), ("majority", {1, 9}, False),
])
def test_quorum_rule(rule, present, met):
    assert rules.quorum_met(rule, {1, 2, 3}, present) is met


def test_no_members_is_never_quorate():
    assert rules.quorum_met("all", set(), {1}) is False


def _rows():
    return (Resolution.objects.count(), ActionItem.objects.count(), Request.objects.count(), Event.objects.count())


def test_a_resolution_waits_for_every_member(meeting, community_staff, property_staff, orgs):
    sign_everyone_in(meeting, community_staff, community_staff, property_staff)  # the 业委会 is missing
    before = _rows()
    with pytest.raises(ValidationError) as exc:
        actions.record_resolution(meeting, by=community_staff, text="疏通排水沟", owner=orgs["company"],
                                  due_date=timezone.localdate() + datetime.timedelta(days=7))
    assert "尚书苑业委会" in exc.value.message_dict["quorum"][0]
    assert _rows() == before


def test_once_every_member_signed_in_it_is_recorded(quorate, community_staff, orgs):
    resolution = actions.record_resolution(quorate, by=community_staff, text="疏通排水沟", owner=orgs["company"],
                                           due_date=timezone.localdate() + datetime.timedelta(days=7))
    assert resolution.number == 1
    assert resolution.items.get().text == "疏通排水沟"


def test_majority_series(meeting, community_staff, property_staff, orgs):
    MeetingSeries.objects.filter(pk=meeting.series_id).update(quorum="majority")
    meeting.refresh_from_db()
    sign_everyone_in(meeting, community_staff, community_staff, property_staff)  # two of three
    resolution = actions.record_resolution(meeting, by=community_staff, text="疏通排水沟", owner=orgs["company"],
                                           due_date=timezone.localdate())
    assert resolution.due_date == timezone.localdate()
