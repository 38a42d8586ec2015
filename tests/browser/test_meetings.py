"""联席会议 end to end in a real Chromium: community staff bring a reopened (overdue) request onto the next
meeting's agenda from the request's page, publish the agenda, hold the meeting with sign-in (the company's
manager signs in with the room's code, the rest are recorded by account), record a resolution that spawns a work
order to the company; the company resolves it; the compound's public board (no login) shows the resolution done,
and the minutes download as .docx, read back with python-docx."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.utils import timezone
from docx import Document

from gongzhi.meetings import actions as meetings
from gongzhi.meetings.models import Meeting, Resolution
from gongzhi.workorders import actions
from tests.conftest import PASSWORD
from tests.workorders import conftest as workorder_fixtures

from .conftest import DESKTOP, PHONE, Browse

pytestmark = pytest.mark.browser

managed = workorder_fixtures.managed
company_staff = workorder_fixtures.company_staff
utilities = workorder_fixtures.utilities


@pytest.fixture(autouse=True)
def _catalogue(transactional_db):
    from gongzhi.workorders.catalogue import seed_catalogue
    from gongzhi.workorders.models import Category, ServiceLevel

    seed_catalogue(Category, ServiceLevel)


@pytest.fixture
def browse(new_context, live_server, axe_source):
    def make(viewport=DESKTOP) -> Browse:
        return Browse(new_context(**viewport, locale="zh-CN").new_page(), live_server.url, axe_source)
    return make


def check(b: Browse) -> None:
    b.check()
    dup = b.page.evaluate("""() => { const seen = {};
        document.querySelectorAll('[id]').forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
        return Object.keys(seen).filter(k => seen[k] > 1); }""")
    assert not dup, f"duplicate ids on {b.page.url}: {dup}"


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_an_overdue_request_becomes_a_resolution_done_on_the_public_board(
        browse, tree, orgs, resident, community_staff, company_staff, committee_member, utilities):  # noqa: F811
    # given: the joint meeting series of the community (party committee, 万科物业, 尚书苑业委会), a meeting in an
    # hour, and a request the resident reopened (not satisfied: it needs the meeting)
    series = meetings.create_series(by=community_staff, place=tree["community"], name="联席会议", day_of_month=10,
                                    location="红色物业议事厅",
                                    members=[orgs["community_party"], orgs["company"], orgs["committee"]])
    meeting = meetings.schedule_meeting(series, by=community_staff, location="红色物业议事厅",
                                        starts_at=timezone.now() + datetime.timedelta(hours=1))
    req = actions.file_request(by=resident, category=utilities, description="地下车库排水沟堵塞，下雨就积水",
                               place=tree["compound"])
    req = actions.dispatch_request(req, to=orgs["company"], by=community_staff)
    actions.accept_request(req, by=company_staff)
    req = actions.resolve_request(req, by=company_staff, result_note="已清理")
    req = actions.reopen_request(req, by=resident, reason="下雨又积水了")

    staff = browse()
    staff.login("community", PASSWORD)
    # the request's page offers 提交联席会
    staff.goto(f"/requests/{req.pk}/")
    check(staff)
    box = staff.page.get_by_test_id("to-meeting")
    assert meeting.title in box.inner_text()
    with staff.page.expect_navigation():
        staff.page.get_by_test_id("act-to-meeting").click()
    assert staff.page.url == staff.url(f"/meetings/{meeting.pk}/")
    check(staff)
    topic = staff.page.get_by_test_id("topic")
    assert topic.count() == 1 and req.number in topic.inner_text() and "迫切事" in topic.inner_text()

    # the agenda is published (members are told)
    with staff.page.expect_navigation():
        staff.page.get_by_test_id("act-publish").click()
    assert "议程已发布" in staff.page.get_by_test_id("meeting-status").inner_text()
    code = staff.page.get_by_test_id("signin-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)

    # the company's manager signs in on a phone with the room's code (the QR link fills it in)
    manager = browse(PHONE)
    manager.login("property", PASSWORD)
    manager.goto(f"/meetings/{meeting.pk}/checkin/?code={code}")
    check(manager)
    with manager.page.expect_navigation():
        manager.page.get_by_test_id("checkin").click()
    assert "您已代表万科物业签到" in manager.page.get_by_test_id("signed-in").inner_text()

    # the organiser records the others by account; the quorum is then met
    staff.goto(f"/meetings/{meeting.pk}/")
    for label in ("测试committee · 尚书苑业委会", "测试community · 第一社区党委"):
        form = staff.page.locator("form", has=staff.page.get_by_test_id("act-attendance"))
        form.get_by_label("参会人（按账号登记）").select_option(label=label)
        with staff.page.expect_navigation():
            staff.page.get_by_test_id("act-attendance").click()
    attended = staff.page.get_by_test_id("attendances").inner_text()
    assert "万科物业：测试property" in attended and "尚书苑业委会：测试committee" in attended
    assert "已达到到会规则" in staff.page.get_by_test_id("quorum").inner_text()
    check(staff)

    # a resolution with its owner and due date spawns a work order to the company
    due = timezone.localdate() + datetime.timedelta(days=7)
    form = staff.page.locator("form", has=staff.page.get_by_test_id("act-resolution"))
    form.get_by_label("议题", exact=True).select_option(index=1)
    form.get_by_label("决议内容", exact=True).fill("万科物业七日内疏通地下车库排水沟并加装挡水板")
    form.get_by_label("责任单位", exact=True).select_option(label="万科物业")
    form.get_by_label("完成时限", exact=True).fill(due.isoformat())
    form.get_by_label("工单类别", exact=True).select_option(label="水电维修")
    with staff.page.expect_navigation():
        staff.page.get_by_test_id("act-resolution").click()
    check(staff)
    resolution = Resolution.objects.get(meeting=meeting)
    spawned = resolution.items.get().requests.get()
    assert (spawned.status, spawned.handler_id) == ("dispatched", orgs["company"].pk)
    assert timezone.localtime(spawned.resolution_due_at).date() == due
    assert spawned.number in staff.page.get_by_test_id("resolution").inner_text()

    # the company accepts and resolves it on its own request page
    manager.goto(f"/requests/{spawned.pk}/")
    with manager.page.expect_navigation():
        manager.page.get_by_test_id("act-accept").click()
    form = manager.page.locator("form", has=manager.page.get_by_test_id("act-resolve"))
    form.get_by_label("办理结果", exact=True).fill("已疏通排水沟并加装挡水板")
    with manager.page.expect_navigation():
        manager.page.get_by_test_id("act-resolve").click()
    check(manager)

    # the meeting closes, the minutes are finalised
    staff.goto(f"/meetings/{meeting.pk}/")
    assert "已办结" in staff.page.get_by_test_id("resolution").inner_text()
    with staff.page.expect_navigation():
        staff.page.get_by_test_id("act-hold").click()
    form = staff.page.locator("form", has=staff.page.get_by_test_id("act-minutes"))
    form.get_by_label("主持人", exact=True).fill("测试community")
    form.get_by_label("记录人", exact=True).fill("李记录")
    form.get_by_label("会议概况", exact=True).fill("研究尚书苑地下车库积水问题")
    with staff.page.expect_navigation():
        staff.page.get_by_test_id("act-minutes").click()
    with staff.page.expect_navigation():
        staff.page.get_by_test_id("act-finalise").click()
    assert "已定稿" in staff.page.get_by_test_id("minutes-versions").inner_text()
    check(staff)
    with staff.page.expect_download() as download:
        staff.page.get_by_test_id("minutes-docx").click()
    text = docx_text(open(download.value.path(), "rb").read())
    assert "万科物业七日内疏通地下车库排水沟并加装挡水板" in text
    assert "万科物业：测试property" in text and "尚书苑业委会：测试committee" in text
    assert "记录人：李记录" in text

    # anyone, without logging in, reads the outcome on the compound's public board
    board = browse(PHONE)
    board.goto(f"/public/{tree['compound'].pk}/")
    check(board)
    shown = board.page.get_by_test_id("public-meeting").inner_text()
    assert "决议1项，已办结1项" in shown
    assert "万科物业七日内疏通地下车库排水沟并加装挡水板" in shown and "已办结" in shown
    assert f"{timezone.localdate():%Y-%m-%d} 办结" in shown
    assert "测试property" not in board.text() and spawned.number not in board.text()
    assert Meeting.objects.get(pk=meeting.pk).status == "held"


def test_the_list_the_series_and_proposals_on_a_phone(browse, tree, orgs, resident, community_staff, managed):  # noqa: F811
    """The other pages of the app at phone width, through axe: a resident proposes a topic; the community accepts it
    onto the next meeting; the lists, the series and the proposals page."""
    series = meetings.create_series(by=community_staff, place=tree["community"], name="联席会议",
                                    members=[orgs["community_party"], orgs["company"]])
    meetings.generate_meetings(series, by=community_staff)
    home = browse(PHONE)
    home.login("resident", PASSWORD)
    home.goto("/meetings/proposals/")
    check(home)
    home.page.get_by_label("议题", exact=True).fill("增设小区休闲座椅")
    home.page.get_by_label("情况说明", exact=True).fill("老人散步没有地方休息")
    with home.page.expect_navigation():
        home.page.get_by_test_id("propose").click()
    assert "增设小区休闲座椅" in home.page.get_by_test_id("my-proposal").inner_text()
    overflow = home.page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0

    staff = browse(PHONE)
    staff.login("community", PASSWORD)
    for path in ("/meetings/", f"/meetings/series/{series.pk}/", "/meetings/series/new/", "/meetings/proposals/"):
        staff.goto(path)
        check(staff)
        assert staff.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0, path
    with staff.page.expect_navigation():
        staff.page.get_by_role("button", name="列入议程").click()
    home.goto("/meetings/proposals/")
    assert "已列入议程" in home.page.get_by_test_id("my-proposal").inner_text()
