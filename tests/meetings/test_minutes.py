"""会议纪要 as .docx, read back with python-docx: the resolution and the attendees are there; final minutes are
locked, a correction is a new version with its reason and the old one keeps what it said."""

import io

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from gongzhi.meetings import actions
from gongzhi.meetings.models import Minutes

from .conftest import spawn_resolution


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.fixture
def held(quorate, community_staff, orgs, utilities, topic):
    spawn_resolution(quorate, community_staff, orgs["company"], utilities, text="万科物业三日内疏通车库排水沟")
    actions.note_topic(topic, notes="物业说明排水沟淤堵情况", by=community_staff)
    actions.hold_meeting(quorate, by=community_staff)
    actions.edit_minutes(quorate, by=community_staff, host="测试community", recorder="测试community",
                         summary="研究车库积水")
    return quorate


def test_minutes_docx_has_the_resolution_and_the_attendees(client, held, community_staff):
    actions.finalise_minutes(held, by=community_staff)
    client.force_login(community_staff)
    r = client.get(f"/meetings/{held.pk}/minutes.docx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = _text(r.content)
    assert "第1次联席会议（临时会议）会议纪要" in text
    assert "万科物业三日内疏通车库排水沟" in text
    assert "万科物业：测试property" in text
    assert "尚书苑业委会：测试committee" in text
    assert "第一社区党委：测试community" in text
    assert "物业说明排水沟淤堵情况" in text
    assert "主持人：测试community" in text
    assert "（草稿，未定稿）" not in text


def test_a_correction_is_a_new_version_and_the_old_one_is_kept(client, held, community_staff):
    actions.finalise_minutes(held, by=community_staff)
    with pytest.raises(ValidationError):
        actions.correct_minutes(held, by=community_staff, reason="")
    v2 = actions.correct_minutes(held, by=community_staff, reason="记录人姓名有误")
    assert v2.version == 2 and not v2.is_final
    actions.edit_minutes(held, by=community_staff, host="测试community", recorder="张记录", summary="研究车库积水")
    actions.finalise_minutes(held, by=community_staff)
    assert list(Minutes.objects.order_by("version").values_list("version", "status", "recorder")) == [
        (1, "final", "测试community"), (2, "final", "张记录")]
    client.force_login(community_staff)
    v1 = _text(client.get(f"/meetings/{held.pk}/minutes/v1.docx").content)
    latest = _text(client.get(f"/meetings/{held.pk}/minutes.docx").content)
    assert "记录人：测试community" in v1 and "张记录" not in v1
    assert "记录人：张记录" in latest and "记录人姓名有误" in latest


def test_a_draft_says_so(client, held, community_staff):
    client.force_login(community_staff)
    assert "（草稿，未定稿）" in _text(client.get(f"/meetings/{held.pk}/minutes.docx").content)


def test_the_invitation_is_an_ics_event(client, meeting, community_staff, topic):
    import icalendar

    client.force_login(community_staff)
    r = client.get(f"/meetings/{meeting.pk}/invitation.ics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(r.content).walk("VEVENT")
    assert str(event["summary"]) == meeting.title
    assert event.decoded("dtstart") == meeting.starts_at.replace(microsecond=0)
    assert "尚书苑地下车库积水" in str(event["description"])
