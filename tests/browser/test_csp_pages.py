"""The pages under the Content-Security-Policy (no inline script, no eval) in a real Chromium: what used to be an
onclick or an inline Alpine expression still works — the phone menu, the confirm before cancelling a vote, the
API token page's copy button (Alpine's CSP build) — and Swagger UI at /api/docs. Every browser test fails on
any CSP refusal the console reports (``tests/browser/conftest.py``), so these pages are also proof that
nothing is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.assembly.models import Vote, VoteStatus
from tests.assembly import conftest as vote_fixtures
from tests.assembly.conftest import open_vote

from .test_request_flows import check, login

pytestmark = pytest.mark.browser

estate = vote_fixtures.estate
compound_staff = vote_fixtures.compound_staff


def test_the_phone_menu_opens_and_closes(phone, street_staff):
    login(phone, "street", phone=True)
    page = phone.page
    toggler = page.locator("button.navbar-toggler").first
    menu = page.locator("#gz-menu")
    expect(menu).to_be_hidden()
    toggler.click()
    expect(menu).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    toggler.click()
    expect(menu).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")


def test_cancelling_a_vote_asks_first(desktop, estate, compound_staff):
    vote = open_vote(estate, compound_staff)
    login(desktop, compound_staff.username)
    page = desktop.page
    desktop.goto(f"/votes/{vote.pk}/")
    check(desktop)
    page.get_by_text("取消表决", exact=True).click()
    page.get_by_label("取消理由（将在公示页公布）").fill("方案需要修改")
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()
    page.once("dialog", dismiss)
    page.get_by_test_id("cancel").click()
    page.wait_for_timeout(300)
    assert asked and "确定取消本次表决" in asked[0]
    assert Vote.objects.get(pk=vote.pk).status != VoteStatus.CANCELLED

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("cancel").click()
    check(desktop)
    assert Vote.objects.get(pk=vote.pk).status == VoteStatus.CANCELLED


def test_an_issued_token_with_its_scope_and_lifetime_is_copied_by_its_button(desktop, community_staff):
    login(desktop, "community")
    page = desktop.page
    desktop.goto("/accounts/tokens/")
    check(desktop)
    page.get_by_label("令牌名称").fill("12345 热线")
    page.locator("label", has_text="读写").click()  # a button-styled radio: its label takes the click
    page.get_by_label("有效期").select_option("365")
    with page.expect_navigation():
        page.get_by_role("button", name="签发").click()
    check(desktop)
    issued = page.get_by_test_id("issued-key")
    expect(issued).to_contain_text("权限：读写")
    expect(page.get_by_test_id("token-row")).to_contain_text("读写")
    expect(issued.get_by_text("已复制")).to_be_hidden()
    issued.get_by_role("button", name="复制").click()
    expect(issued.get_by_text("已复制")).to_be_visible()
    expect(issued.get_by_text("复制", exact=True)).to_be_hidden()


def test_api_docs_run_under_the_policy(desktop, community_staff):
    login(desktop, "community")
    desktop.goto("/api/docs")
    desktop.page.locator(".swagger-ui .opblock").first.wait_for()
