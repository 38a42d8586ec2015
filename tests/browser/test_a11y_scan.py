"""适老化 and accessibility, role by role: each role's main pages in normal and in large-text mode (the
real switch, so the cookie and the server's markup), scanned by axe-core — ``check()`` on the live page,
and ``_axe_every_page`` (conftest) again in both modes. Large text is measured: ≥ 1.4× the normal size
for body text, labels, buttons and headings, one column, the switch big and first for residents and on
the login page; the resident's home offers 一键呼叫 (tel: links). /api/docs renders Swagger UI from our
own static files, and the 承办人 picker is searchable and offers only the chosen organisation's people."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gongzhi.people.models import Organisation
from tests.conftest import PASSWORD
from tests.workorders import conftest as requests_fixtures

from .conftest import Browse

pytestmark = pytest.mark.browser

# a filed request and the company managing its compound (tests/workorders/conftest.py)
managed, utilities = requests_fixtures.managed, requests_fixtures.utilities
company_staff, filed = requests_fixtures.company_staff, requests_fixtures.filed

SIZES = """() => {
    const px = el => el ? parseFloat(getComputedStyle(el).fontSize) : null;
    return {body: px(document.body), h1: px(document.querySelector('h1')), label: px(document.querySelector('.form-label')),
            button: px(document.querySelector('main .btn'))};
}"""


def switch(b: Browse, on: bool) -> None:
    b.page.get_by_role("button", name="大字模式" if on else "标准字体").click()
    b.page.wait_for_selector("body.large-text" if on else "body:not(.large-text)", state="attached")


def both_modes(b: Browse, path: str) -> tuple[dict, dict]:
    """The page in normal and in large text, checked in each; the font sizes of each."""
    b.goto(path)
    b.check()
    here = b.page.url  # where the path led (the region tree opens at one's own place)
    normal = b.page.evaluate(SIZES)
    switch(b, on=True)
    assert b.page.url == here
    b.check()
    large = b.page.evaluate(SIZES)
    switch(b, on=False)
    return normal, large


def assert_scaled(normal: dict, large: dict, path: str) -> None:
    for what, size in normal.items():
        if size is not None and large[what] is not None:
            assert large[what] >= 1.4 * size, f"{path}: {what} {size}px → {large[what]}px is below 1.4×"


def assert_prominent_switch(b: Browse) -> None:
    """The switch is the first thing of the toolbar, a big labelled button (not a small grey one)."""
    button = b.page.get_by_test_id("large-text-switch")
    box = button.bounding_box()
    assert box and box["height"] >= 48, box
    assert "btn-sm" not in (button.get_attribute("class") or "")
    assert b.page.evaluate("() => document.querySelector('.gz-toolbar').firstElementChild"
                           ".contains(document.querySelector('[data-testid=large-text-switch]'))")


def test_login_page_in_both_modes(phone):
    normal, large = both_modes(phone, "/accounts/login/")
    assert_scaled(normal, large, "/accounts/login/")
    assert_prominent_switch(phone)


def test_resident_pages_in_both_modes_with_call_buttons(phone, tree, orgs, resident, grid_worker):
    Organisation.objects.filter(pk=orgs["community_office"].pk).update(phone="029-8765 4321")
    phone.login("resident", PASSWORD)
    phone.page.wait_for_url(phone.url("/"))
    for path in ("/", "/requests/", "/requests/new/", "/votes/"):
        normal, large = both_modes(phone, path)
        assert_scaled(normal, large, path)
    phone.goto("/")
    assert_prominent_switch(phone)
    calls = phone.page.get_by_test_id("call-buttons").get_by_role("link")
    hrefs = [calls.nth(i).get_attribute("href") for i in range(calls.count())]
    worker = grid_worker.person.phone
    assert hrefs == [f"tel:{worker}", "tel:02987654321"], hrefs
    assert calls.first.inner_text().startswith("呼叫网格长")
    assert "029-8765 4321" in calls.nth(1).inner_text()
    # simpler layout: in large text the home page's cards are one column, full width
    switch(phone, on=True)
    widths = phone.page.evaluate("""() => [...document.querySelectorAll('main .row > [class*=col]')]
        .map(el => el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width)""")
    assert all(w > 0.95 for w in widths), widths


def test_staff_pages_in_both_modes(desktop, tree, orgs, community_staff):
    desktop.login("community", PASSWORD)
    desktop.page.wait_for_url(desktop.url("/"))
    for path in ("/", "/requests/", "/places/", "/people/", "/votes/"):
        normal, large = both_modes(desktop, path)
        assert_scaled(normal, large, path)


def test_api_docs_render_from_our_own_static_files(desktop, tree, community_staff):
    desktop.login("community", PASSWORD)
    desktop.page.wait_for_url(desktop.url("/"))
    desktop.goto("/api/docs")
    desktop.page.wait_for_selector(".opblock", timeout=20_000)  # the operations, from /api/openapi.json
    assert desktop.page.locator(".opblock").count() > 10
    assert "/api/requests" in desktop.text()
    assert not desktop.failed_static
    desktop.axe()


def test_assignee_picker_is_searchable_and_follows_the_organisation(desktop, tree, orgs, community_staff,
                                                                     company_staff, filed, grid_worker):
    desktop.login("community", PASSWORD)
    desktop.page.wait_for_url(desktop.url("/"))
    desktop.goto(f"/requests/{filed.pk}/")
    desktop.check()
    page = desktop.page
    form = page.locator("form", has=page.get_by_test_id("act-dispatch"))
    form.get_by_label("承办组织").select_option(label="万科物业")
    combo = form.get_by_role("combobox", name="承办人（可选）")
    form.locator(".ts-control").click()
    expect(combo).to_have_attribute("aria-expanded", "true")  # the dropdown opens after the click settles
    expect(form.locator(".ts-dropdown .option").first).to_be_visible()
    offered = [t.strip() for t in form.locator(".ts-dropdown .option").all_inner_texts()]
    assert offered and all(t == "—" or t.endswith("（万科物业）") for t in offered), offered
    assert "测试property（万科物业）" in offered
    form.get_by_label("承办组织").select_option(label="第一社区居委会")
    form.locator(".ts-control").click()
    expect(form.locator(".ts-dropdown .option", has_text="测试grid")).to_be_visible()
    offered = [t.strip() for t in form.locator(".ts-dropdown .option").all_inner_texts()]
    assert "测试property（万科物业）" not in offered and "测试grid（第一社区居委会）" in offered, offered
    page.keyboard.type("grid")  # type to search
    expect(form.locator(".ts-dropdown .option")).to_have_text(["测试grid（第一社区居委会）"])
    page.keyboard.press("Enter")
    desktop.axe()
    with page.expect_navigation():
        page.get_by_test_id("act-dispatch").click()
    filed.refresh_from_db()
    assert (filed.handler.name, filed.assignee.name) == ("第一社区居委会", "测试grid")
    assert re.search("测试grid", desktop.text())
