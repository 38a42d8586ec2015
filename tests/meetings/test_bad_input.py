"""Bad input gets a clear error naming the field and writes nothing (rows counted): a resolution without an owner
or a due date, a due date before the meeting, a sign-in by someone who is no member, editing final minutes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.meetings import actions
from gongzhi.meetings.models import ActionItem, Attendance, Minutes, Resolution, Topic
from gongzhi.notices.models import Notification
from gongzhi.people.models import Person
from gongzhi.workorders.models import Request

MODELS = (Resolution, ActionItem, Request, Attendance, Minutes, Topic, Event, Notification)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def refused(field, call):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        call()
    assert field in exc.value.message_dict, exc.value.message_dict
    assert counts() == before
    return exc.value.message_dict[field][0]


def test_a_resolution_needs_an_owner(quorate, community_staff, utilities):
    message = refused("owner", lambda: actions.record_resolution(
        quorate, by=community_staff, text="疏通排水沟", owner=None, due_date=timezone.localdate(),
        items=[actions.ItemSpec("疏通排水沟", category=utilities)]))
    assert message == "请选择责任单位"


def test_a_resolution_needs_a_due_date(quorate, community_staff, orgs, utilities):
    assert refused("due_date", lambda: actions.record_resolution(
        quorate, by=community_staff, text="疏通排水沟", owner=orgs["company"], due_date=None,
        items=[actions.ItemSpec("疏通排水沟", category=utilities)])) == "请填写完成时限"


def test_a_due_date_before_the_meeting(quorate, community_staff, orgs, utilities):
    message = refused("due_date", lambda: actions.record_resolution(
        quorate, by=community_staff, text="疏通排水沟", owner=orgs["company"],
        due_date=timezone.localdate() - datetime.timedelta(days=1),
        items=[actions.ItemSpec("疏通排水沟", category=utilities)]))
    assert message.startswith("完成时限不能早于会议日期")


def test_an_owner_that_is_not_called_to_the_meeting(quorate, community_staff, orgs, utilities):
    refused("owner", lambda: actions.record_resolution(
        quorate, by=community_staff, text="疏通排水沟", owner=orgs["police"], due_date=timezone.localdate(),
        items=[actions.ItemSpec("疏通排水沟", category=utilities)]))


def test_a_spawned_item_needs_a_category(quorate, community_staff, orgs):
    refused("category", lambda: actions.record_resolution(
        quorate, by=community_staff, text="疏通排水沟", owner=orgs["company"], due_date=timezone.localdate(),
        items=[actions.ItemSpec("疏通排水沟", spawn=True, category=None)]))


def test_recording_a_non_member_sign_in(meeting, community_staff, grid_worker):
    message = refused("person", lambda: actions.sign_in(meeting, by=community_staff,
                                                        person=Person.objects.get(user=grid_worker)))
    assert "不是本次会议成员单位或列席单位的在岗人员" in message


def test_a_non_member_cannot_sign_in_with_the_code(meeting, grid_worker, outsider):
    before = counts()
    for user in (grid_worker, outsider):
        with pytest.raises(PermissionDenied):
            actions.sign_in(meeting, by=user, code=meeting.signin_code)
    assert counts() == before


def test_a_wrong_code(meeting, property_staff):
    assert refused("code", lambda: actions.sign_in(meeting, by=property_staff, code="000000" if
                                                   meeting.signin_code != "000000" else "111111")).startswith("签到码不正确")


def test_editing_final_minutes(quorate, community_staff, orgs, topic):
    actions.hold_meeting(quorate, by=community_staff)
    actions.edit_minutes(quorate, by=community_staff, host="王书记", recorder="李干事", summary="研究车库积水")
    actions.finalise_minutes(quorate, by=community_staff)
    assert refused("summary", lambda: actions.edit_minutes(quorate, by=community_staff, host="王书记",
                                                          recorder="李干事", summary="改了")).startswith("会议纪要已定稿")
    refused("notes", lambda: actions.note_topic(topic, notes="补充讨论", by=community_staff))
    refused("text", lambda: actions.record_resolution(quorate, by=community_staff, text="补一条",
                                                      owner=orgs["company"], due_date=timezone.localdate()))
    assert Minutes.objects.get().summary == "研究车库积水"


def test_the_resolution_form_shows_errors_at_the_fields(client, quorate, community_staff, orgs):
    client.force_login(community_staff)
    before = counts()
    r = client.post(f"/meetings/{quorate.pk}/resolution/", {"text": "疏通排水沟", "owner": "", "due_date": ""})
    assert r.status_code == 422
    html = r.content.decode()
    assert "请选择责任单位" in html
    r = client.post(f"/meetings/{quorate.pk}/resolution/", {
        "text": "疏通排水沟", "owner": orgs["company"].pk,
        "due_date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat()})
    assert r.status_code == 422
    assert "完成时限不能早于会议日期" in r.content.decode()
    assert counts() == before


def test_the_api_names_the_field(client, quorate, community_staff, orgs):
    client.force_login(community_staff)
    before = counts()
    r = client.post(f"/api/meetings/{quorate.pk}/resolutions", {"text": "疏通排水沟", "owner": orgs["company"].pk},
                    content_type="application/json")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "due_date"]
    assert counts() == before


def test_cancelling_needs_a_reason(client, meeting, community_staff):
    client.force_login(community_staff)
    before = counts()
    r = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": ""})
    assert r.status_code == 422 and "取消理由" in r.content.decode()
    assert counts() == before
    r = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "改期"})
    assert r.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
