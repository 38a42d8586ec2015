"""Joint meetings: the foundation's cast, the requests' company and category, and 莲湖路第一社区's joint meeting
series with three member organisations — the community party committee (community_staff), 万科物业
(property_staff) and 尚书苑业委会 (committee_member) — and a meeting in an hour's time."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongzhi.meetings import actions
from gongzhi.meetings.models import TopicKind
from gongzhi.people.models import Person
from gongzhi.workorders import actions as workorders

from ..workorders.conftest import company_staff, dispatched, filed, managed, resolved, utilities  # noqa: F401


@pytest.fixture
def series(tree, orgs, community_staff, property_staff, committee_member, managed):  # noqa: F811
    return actions.create_series(
        by=community_staff, place=tree["community"], name="联席会议", day_of_month=10, location="红色物业议事厅",
        members=[orgs["community_party"], orgs["company"], orgs["committee"]])


@pytest.fixture
def meeting(series, community_staff):
    return actions.schedule_meeting(series, by=community_staff,
                                    starts_at=timezone.now() + datetime.timedelta(hours=1), location="议事厅")


def sign_everyone_in(meeting, community_staff, *users):
    for user in users:
        actions.sign_in(meeting, by=community_staff, person=Person.objects.get(user=user))


@pytest.fixture
def quorate(meeting, community_staff, property_staff, committee_member):
    sign_everyone_in(meeting, community_staff, community_staff, property_staff, committee_member)
    return meeting


@pytest.fixture
def topic(meeting, community_staff):
    return actions.add_topic(meeting, by=community_staff, kind=TopicKind.URGENT, title="尚书苑地下车库积水")


@pytest.fixture
def reopened(resolved, resident):  # noqa: F811
    """A request the resident was not satisfied with: reopened (one click brings it to the meeting)."""
    return workorders.reopen_request(resolved, by=resident, reason="又漏了")


def spawn_resolution(meeting, by, owner, utilities, *, due=None, text="物业三日内疏通车库排水沟"):  # noqa: F811
    due = due or timezone.localdate() + datetime.timedelta(days=14)
    return actions.record_resolution(meeting, by=by, text=text, owner=owner, due_date=due,
                                     items=[actions.ItemSpec(text=text, spawn=True, category=utilities)])
