"""The permission matrix of the joint meetings' pages and endpoints: every role in ROLES. The series of 莲湖路第一
社区 has three members — the community party committee (community_staff), 万科物业 (property_staff) and 尚书苑业委会
(committee_member): their people see it and sign in; street and community staff organise; everyone else (the grid
worker, whose scope is a grid below the community, the building head, the police liaison, residents, the volunteer,
the other community's staff) gets 404, or 403 on the pages open to every staff member or resident."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongzhi.meetings import actions
from gongzhi.meetings.models import TopicKind

from ..capture import Case, World, matrix_params, run_case
from ..conftest import ROLES
from .conftest import (  # noqa: F401  (fixtures)
    company_staff,
    dispatched,
    filed,
    managed,
    meeting,
    quorate,
    reopened,
    resolved,
    series,
    spawn_resolution,
    topic,
    utilities,
)

ALL = frozenset(ROLES)
ORGANISERS = {"street_staff", "community_staff"}
MEMBERS = {"property_staff", "committee_member"}  # community_staff is a member as well, and organises
SEES = ORGANISERS | MEMBERS
STAFF = ALL - {"resident", "volunteer"}


@pytest.fixture
def proposal(tree, resident):
    return actions.propose_topic(by=resident, place=tree["compound"], kind=TopicKind.MAJOR, title="增设休闲座椅")


@pytest.fixture
def company_member(series, orgs):  # noqa: F811
    return series.members.get(organisation=orgs["company"])


@pytest.fixture
def item(quorate, community_staff, orgs, utilities):  # noqa: F811
    return spawn_resolution(quorate, community_staff, orgs["company"], utilities).items.get()


@pytest.fixture
def final_minutes(meeting, topic, quorate, item, community_staff):  # noqa: F811
    # topics, sign-ins and resolutions first: a held meeting takes no more (the bad-input walk builds every
    # fixture in one world)
    actions.hold_meeting(meeting, by=community_staff)
    actions.edit_minutes(meeting, by=community_staff, host="王书记", recorder="李干事")
    return actions.finalise_minutes(meeting, by=community_staff)


def tomorrow() -> str:
    return (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT09:30")


def _m(w):
    return w.meeting.pk


MEETING_CASES = [
    Case("meetings list", lambda w: "/meetings/", expect={200: STAFF, 403: {"resident", "volunteer"}}),
    Case("meetings list filtered", lambda w: f"/meetings/?month=2026-12&community={w.tree['community'].pk}&status=held",
         expect={200: STAFF, 403: {"resident", "volunteer"}}),
    Case("new series form", lambda w: "/meetings/series/new/",
         expect={200: ORGANISERS | {"outsider"}, 403: ALL - ORGANISERS - {"outsider"}}),
    Case("series page", lambda w: f"/meetings/series/{w.series.pk}/", expect={200: SEES}, marker="红色物业议事厅"),
    Case("set a member's delegates", lambda w: f"/meetings/series/{w.series.pk}/members/{w.company_member.pk}/delegates/",
        method="post", data=lambda w: {"positions": [p.pk for p in w.orgs["company"].positions.all()]},
        expect={302: ORGANISERS, 403: MEMBERS}),
    Case("generate meetings", lambda w: f"/meetings/series/{w.series.pk}/generate/", method="post",
         expect={302: ORGANISERS, 403: MEMBERS}),
    Case("ad hoc meeting", lambda w: f"/meetings/series/{w.series.pk}/adhoc/", method="post",
         data=lambda w: {"starts_at": tomorrow(), "location": "议事厅"}, expect={302: ORGANISERS, 403: MEMBERS}),
    Case("meeting page", lambda w: f"/meetings/{_m(w)}/", expect={200: SEES}, marker="第1次联席会议"),
    Case("meeting invitation", lambda w: f"/meetings/{_m(w)}/invitation.ics", expect={200: SEES}),
    Case("sign-in page", lambda w: f"/meetings/{_m(w)}/checkin/", expect={200: SEES}, marker="第1次联席会议"),
    Case("sign-in QR code", lambda w: f"/meetings/{_m(w)}/checkin/qr.svg", expect={200: ORGANISERS, 403: MEMBERS}),
    Case("minutes docx", lambda w: f"/meetings/{_m(w)}/minutes.docx", expect={200: SEES}),
    Case("minutes version", lambda w: f"/meetings/{w.final_minutes.meeting_id}/minutes/v1.docx",
         expect={200: SEES}),
    Case("publish agenda", lambda w: (w.topic, f"/meetings/{_m(w)}/publish/")[1], method="post",
         expect={302: ORGANISERS, 403: MEMBERS}),
    Case("add a topic", lambda w: f"/meetings/{_m(w)}/topic/", method="post",
         data=lambda w: {"kind": "urgent", "title": "楼道照明损坏"}, expect={302: ORGANISERS, 403: MEMBERS}),
    Case("note a topic", lambda w: f"/meetings/topics/{w.topic.pk}/note/", method="post",
         data=lambda w: {"notes": "物业说明情况"}, expect={302: ORGANISERS, 403: MEMBERS}, marker="尚书苑地下车库积水"),
    Case("accept a proposal", lambda w: (w.meeting, f"/meetings/topics/{w.proposal.pk}/accept/")[1], method="post",
         data=lambda w: {"meeting": w.meeting.pk},
         expect={302: ORGANISERS, 403: {"grid_worker", "property_staff", "committee_member", "resident"}}),
    Case("link a request", lambda w: f"/meetings/items/{w.item.pk}/link/", method="post",
         data=lambda w: {"number": w.dispatched.number}, expect={302: ORGANISERS, 403: MEMBERS}),
    Case("proposals page", lambda w: "/meetings/proposals/",
         expect={200: ORGANISERS | {"outsider", "resident", "committee_member"},
                 403: {"grid_worker", "building_head", "property_staff", "department_liaison", "volunteer"}},
         default=403),
    Case("propose a topic", lambda w: "/meetings/proposals/", method="post",
         data=lambda w: {"place": w.tree["compound"].pk, "kind": "major", "title": "增设休闲座椅"},
         expect={302: {"resident", "committee_member"}}, default=403),
    Case("bring a request to the meeting", lambda w: (w.meeting, f"/meetings/from-request/{w.reopened.pk}/")[1],
         method="post", data=lambda w: {"kind": "urgent"},
         expect={302: ORGANISERS, 403: {"grid_worker", "building_head", "property_staff", "resident"}},
         marker="厨房水管漏水"),
    # 建议上会: the grid's own eyes (grid worker, building head over the request) suggest any open request
    Case("suggest a request for the meeting", lambda w: f"/meetings/flag-request/{w.dispatched.pk}/", method="post",
         data=lambda w: {"kind": "difficult", "reason": "多次反映未解决"},
         expect={302: {"grid_worker", "building_head"},
                 403: {"street_staff", "community_staff", "property_staff", "resident"}},
         marker="厨房水管漏水"),
    # the API
    Case("api series list", lambda w: (w.series, "/api/meetings/series")[1], expect={200: ALL}),
    Case("api series", lambda w: f"/api/meetings/series/{w.series.pk}", expect={200: SEES}, marker="红色物业议事厅"),
    Case("api meeting list", lambda w: (w.meeting, "/api/meetings")[1], expect={200: ALL}),
    Case("api meeting", lambda w: f"/api/meetings/{_m(w)}", expect={200: SEES}, marker="第1次联席会议"),
    Case("api topics", lambda w: (w.topic, f"/api/meetings/{_m(w)}/topics")[1], expect={200: SEES},
         marker="尚书苑地下车库积水"),
    Case("api add a topic", lambda w: f"/api/meetings/{_m(w)}/topics", method="post", json=True,
         data=lambda w: {"kind": "difficult", "title": "停车位紧张"}, expect={201: ORGANISERS, 403: MEMBERS}),
    Case("api resolution list", lambda w: (w.item, "/api/meetings/resolutions")[1], expect={200: ALL}),
    Case("api resolution", lambda w: f"/api/meetings/resolutions/{w.item.resolution_id}", expect={200: SEES},
         marker="物业三日内疏通车库排水沟"),
    Case("api record a resolution", lambda w: f"/api/meetings/{w.quorate.pk}/resolutions", method="post", json=True,
         data=lambda w: {"text": "物业更换楼道感应灯", "owner": w.orgs["company"].pk,
                         "due_date": timezone.localdate().isoformat()},
         expect={201: ORGANISERS, 403: MEMBERS}),
    Case("api sign in", lambda w: f"/api/meetings/{_m(w)}/sign-in", method="post", json=True,
         data=lambda w: {"code": w.meeting.signin_code},
         expect={200: {"community_staff"} | MEMBERS, 422: {"street_staff"}}),
]


@pytest.mark.parametrize(("role", "case"), matrix_params(MEETING_CASES, ROLES))
def test_meeting_pages_and_endpoints(request, client, tree, orgs, series, resident, role, case):  # noqa: F811
    run_case(client, World(request), case, request.getfixturevalue(role), role)


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_are_scoped(request, client, tree, orgs, quorate, item, role):  # noqa: F811
    client.force_login(request.getfixturevalue(role))
    sees = role in SEES
    meetings = client.get("/api/meetings?limit=100").json()
    assert [m["title"] for m in meetings["items"]] == (["第1次联席会议（临时会议）"] if sees else [])
    resolutions = client.get("/api/meetings/resolutions").json()["items"]
    assert [(r["text"], r["status"]) for r in resolutions] == ([("物业三日内疏通车库排水沟", "in_progress")] if sees else [])
    listed = client.get("/api/meetings/series").json()["items"]
    assert len(listed) == (1 if sees else 0)
    page = client.get("/meetings/")
    assert ("第1次联席会议" in page.content.decode()) is sees

