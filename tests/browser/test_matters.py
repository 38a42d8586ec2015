"""支部先议 end to end in a real Chromium: the 业委会 proposes on a desktop, the party branch's secretary reviews on
a phone, the committee records its members' votes, the property company takes the work order — each body sees
only its own step, and the one page shows the whole trail. Every page goes through ``check()`` (axe, unique ids,
no sideways scrolling on the phone)."""

from __future__ import annotations

import re

import pytest

from gongzhi.meetings.models import Matter
from tests.matters import conftest as matter_fixtures

from .conftest import DESKTOP, PHONE, Browse
from .test_request_flows import check, login

pytestmark = pytest.mark.browser

catalogue = matter_fixtures.catalogue
company = matter_fixtures.company
members = matter_fixtures.members
world = matter_fixtures.world


@pytest.fixture
def browse(new_context, live_server, axe_source):
    def make(options=DESKTOP) -> Browse:
        return Browse(new_context(**options, locale="zh-CN").new_page(), live_server.url, axe_source)
    return make


def submit(b: Browse, test_id: str) -> None:
    with b.page.expect_navigation():
        b.page.get_by_test_id(test_id).click()


def test_the_four_steps_each_by_its_own_body(transactional_db, browse, world):
    # 1. 业委会提议 (the committee's director, on a desktop)
    committee = browse()
    login(committee, "committee")
    committee.goto("/meetings/matters/")
    check(committee)
    with committee.page.expect_navigation():
        committee.page.get_by_test_id("new-matter").click()
    check(committee)
    page = committee.page
    page.get_by_label("事项类别").select_option("renovation")
    page.get_by_label("事项名称").fill("燃气管道改造更新")
    page.get_by_label("事项内容与实施方案").fill("1—8号楼燃气立管锈蚀，拟分批更换。")
    page.get_by_label("预计金额（元）").fill("168000")
    submit(committee, "save")
    matter = Matter.objects.get()
    assert page.url == committee.url(f"/meetings/matters/{matter.pk}/")
    assert "待党支部审议" in page.get_by_test_id("matter-status").inner_text()
    assert page.get_by_test_id("approve").count() == 0  # not the committee's step
    check(committee)

    # 2. 党支部审议 (the branch secretary, on a phone): found through 待办
    branch = browse(PHONE)
    login(branch, "grid", phone=True)
    branch.goto("/meetings/matters/?todo=1")
    check(branch, phone=True)
    with branch.page.expect_navigation():
        branch.page.get_by_role("link", name=re.compile("燃气管道改造更新")).click()
    check(branch, phone=True)
    branch.page.get_by_label("审议意见").fill("方案可行，请党员委员做好解释。")
    submit(branch, "approve")
    assert "待业委会决议" in branch.page.get_by_test_id("matter-status").inner_text()
    check(branch, phone=True)

    # 3. 业委会决议: three of the five sitting members present and voting
    committee.goto(f"/meetings/matters/{matter.pk}/")
    check(committee)
    for i, name in enumerate(["测试committee", "测试member0", "测试member1"]):
        group = page.get_by_role("radiogroup", name=name)
        group.get_by_text("反对" if i == 2 else "赞成", exact=True).click()
    page.get_by_label("决议内容").fill("同意分两批施工。")
    submit(committee, "resolve")
    assert "待物业执行" in page.get_by_test_id("matter-status").inner_text()
    assert "在任委员 5 人，出席 3 人；赞成 2，反对 1，弃权 0。" in page.get_by_test_id("resolution").inner_text()
    check(committee)

    # 4. 物业公司执行: the project manager takes the work order
    company = browse()
    login(company, "property")
    company.goto(f"/meetings/matters/{matter.pk}/")
    check(company)
    submit(company, "execute")
    assert "物业执行中" in company.page.get_by_test_id("matter-status").inner_text()
    assert company.page.get_by_test_id("execution-status").inner_text() == "已接单"
    check(company)

    # the whole trail on one page, for the committee too
    committee.goto(f"/meetings/matters/{matter.pk}/")
    trail = committee.page.get_by_test_id("trail").inner_text()
    for label in ("业委会提议", "党支部审议通过", "业委会决议", "物业公司执行"):
        assert label in trail
    assert [committee.page.locator(f'[data-step="{s}"]').get_attribute("data-state")
            for s in ("propose", "review", "resolve", "execute")] == ["done", "done", "done", "current"]
    check(committee)


def test_a_hearing_three_bids_a_poll_on_a_phone_and_the_decision(transactional_db, browse, world, community_staff,
                                                                  resident):
    """The community opens three bids at the hearing; an owner answers the poll on a phone (once); the decision is
    recorded and the compound's public board shows it, without names."""
    from django.utils import timezone

    from gongzhi.meetings import matters_actions as actions

    hearing = actions.create_hearing(world["tree"]["compound"], by=community_staff, subject="9部电梯更换民主听证会",
                                     held_at=timezone.now(), venue="红色议事厅")
    staff = browse()
    login(staff, "community")
    staff.goto(f"/meetings/hearings/{hearing.pk}/")
    check(staff)
    page = staff.page
    for supplier, price in (("甲电梯公司", "298000"), ("乙电梯公司", "285000"), ("丙电梯公司", "306000")):
        page.get_by_label("供应商", exact=True).fill(supplier)
        page.get_by_label("报价（元）").fill(price)
        submit(staff, "submit-bid")
    assert "未开标" in page.locator("table").first.inner_text() or "未开标" in staff.text()
    submit(staff, "open-bids")
    assert "285000" in staff.text()
    check(staff)

    owner = browse(PHONE)
    login(owner, "resident", phone=True)
    owner.goto(f"/meetings/hearings/{hearing.pk}/")
    check(owner, phone=True)
    owner.page.get_by_role("radiogroup", name="意见").get_by_text("同意", exact=True).click()
    submit(owner, "submit-opinion")
    assert "您家已提交意见：同意" in owner.page.get_by_test_id("my-opinion").inner_text()
    assert owner.page.get_by_test_id("submit-opinion").count() == 0  # one answer per household
    check(owner, phone=True)

    staff.goto(f"/meetings/hearings/{hearing.pk}/")
    assert "已有 1 户表达意见，占本小区 2 户的 50.0%。" in page.get_by_test_id("turnout").inner_text()
    page.get_by_label("选定供应商").select_option(label="乙电梯公司（285000.00元）")
    page.get_by_label("听证决定", exact=True).fill("选定乙电梯公司。")
    page.get_by_label("听证记录").fill("三家现场报价，听证小组比对后推荐乙电梯公司。")
    submit(staff, "decide")
    assert "已形成决定" in page.get_by_test_id("hearing-status").inner_text()
    check(staff)
    owner.goto(f"/public/{hearing.compound.pk}/")
    assert "9部电梯更换民主听证会" in owner.text() and "乙电梯公司" in owner.text()
    assert "测试resident" not in owner.page.locator("main").inner_text()  # (the header names the signed-in owner)
    check(owner, phone=True)
