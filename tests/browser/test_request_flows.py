"""诉求 end to end in a real Chromium: a resident files from a phone, the community dispatches, the
property company handles, the resident rates, reopens and rates again; a department reports in to a whistle.

Every page visited goes through ``check()``: ``Browse.check()`` (static assets applied, no serious or
critical axe violation) and unique ids; phone pages also must not scroll sideways at 360 px, nor show
text below 18 px in large-text mode.
"""

from __future__ import annotations

import re

import pytest
from PIL import Image

from gongzhi.workorders import actions
from gongzhi.workorders.models import Request, Status, Whistle
from tests.conftest import PASSWORD
from tests.workorders import conftest as workorder_fixtures

from .conftest import DESKTOP, Browse

pytestmark = pytest.mark.browser

# the request-domain fixtures (company managing the compound, its staff, the police liaison, the category)
managed = workorder_fixtures.managed
company_staff = workorder_fixtures.company_staff
police_liaison = workorder_fixtures.police_liaison
utilities = workorder_fixtures.utilities

DETAIL = re.compile(r"/requests/(\d+)/$")


@pytest.fixture(autouse=True)
def _catalogue(transactional_db):
    """live_server tests flush the database after each test, seeded catalogue included: seed it again."""
    from gongzhi.workorders.catalogue import seed_catalogue
    from gongzhi.workorders.models import Category, ServiceLevel

    seed_catalogue(Category, ServiceLevel)


@pytest.fixture
def browse(new_context, live_server, axe_source):
    """A further desktop browser (its own context, so its own session)."""
    def make() -> Browse:
        return Browse(new_context(**DESKTOP, locale="zh-CN").new_page(), live_server.url, axe_source)
    return make


def photo(tmp_path, name: str, colour=(200, 30, 30)) -> str:
    path = tmp_path / name
    Image.new("RGB", (64, 48), colour).save(path, "PNG")
    return str(path)


def check(b: Browse, phone: bool = False) -> None:
    """The usual checks, plus: ids unique (the request page holds several forms, and a duplicate id
    gives a label to the wrong field); on a phone, nothing scrolls sideways at 360 px, and in large
    text no label, heading or text is smaller than 18 px."""
    b.check()
    page = b.page
    dup = page.evaluate("""() => { const seen = {};
        document.querySelectorAll('[id]').forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
        return Object.keys(seen).filter(k => seen[k] > 1); }""")
    assert not dup, f"duplicate ids on {page.url}: {dup}"
    if not phone:
        return
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a phone"
    if page.evaluate("() => document.body.classList.contains('large-text')"):
        small = page.evaluate("""() => [...document.querySelectorAll(
                'main :is(h1, h2, h3, p, label, dt, dd, li, .btn, .form-control, .form-select)')]
            .filter(e => e.offsetParent !== null && e.textContent.trim())
            .map(e => [e.tagName + '.' + e.className, e.textContent.trim().slice(0, 20),
                       parseFloat(getComputedStyle(e).fontSize)])
            .filter(([, , size]) => size < 18)""")
        assert not small, f"text below 18 px in large-text mode on {page.url}: {small}"


def login(b: Browse, username: str, phone: bool = False) -> None:
    """Through the login form (checked), landing on the home page (checked)."""
    b.login(username, PASSWORD)
    b.page.wait_for_url(b.url("/"))
    check(b, phone=phone)


def toggle_large_text(b: Browse, on: bool) -> None:
    b.page.get_by_role("button", name="大字模式" if on else "标准字体").click()
    b.page.wait_for_selector("body.large-text" if on else "body:not(.large-text)", state="attached")


def action_form(b: Browse, verb: str):
    page = b.page
    return page.locator("form", has=page.get_by_test_id(f"act-{verb}"))


def act(b: Browse, verb: str, pk: int) -> None:
    """Submit one move and land back on the request page, with its success message."""
    page = b.page
    with page.expect_navigation():
        page.get_by_test_id(f"act-{verb}").click()
    assert page.url == b.url(f"/requests/{pk}/"), page.url
    assert page.get_by_role("status").count() == 1, f"no success message after {verb}: {b.text()[:300]}"


def open_from_list(b: Browse, number: str, pk: int) -> None:
    """The staff queue lists the request: open it by its number."""
    b.goto("/requests/")
    check(b)
    b.page.get_by_role("link", name=number).click()
    b.page.wait_for_url(b.url(f"/requests/{pk}/"))
    check(b)


def handle(b: Browse, req: Request, note: str, photo_path: str | None) -> None:
    """The property company accepts and resolves (with a result note and optionally a photo)."""
    open_from_list(b, req.number, req.pk)
    act(b, "accept", req.pk)
    check(b)
    form = action_form(b, "resolve")
    form.get_by_label("办理结果").fill(note)
    if photo_path:
        form.get_by_label("结果照片（最多5张）").set_input_files(photo_path)
    act(b, "resolve", req.pk)
    check(b)
    assert note in b.text()


RATING_WORDS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不太满意", 1: "不满意"}


def rate(b: Browse, pk: int, stars: int, comment: str) -> None:
    """The rating buttons say the score in words (适老化): 非常满意 … 不满意."""
    form = action_form(b, "rate")
    words = [w.strip() for w in form.locator("label.btn").all_inner_texts()]
    assert words == list(RATING_WORDS.values()), words
    form.locator("label.btn", has_text=re.compile(rf"^{RATING_WORDS[stars]}$")).click()
    assert form.get_by_role("radio", name=RATING_WORDS[stars], exact=True).is_checked()
    if comment:
        form.get_by_label("评价（可选）").fill(comment)
    act(b, "rate", pk)


def test_resident_files_on_a_phone_and_follows_it_to_a_second_rating(phone, desktop, browse, tree, resident,
                                                                      community_staff, company_staff, utilities,
                                                                      tmp_path):
    # ---- the resident files from a phone, with a photo
    res = phone
    page = res.page
    login(res, "resident", phone=True)
    res.goto("/requests/")
    check(res, phone=True)
    page.get_by_role("link", name="我要反映问题").click()
    page.wait_for_url(res.url("/requests/new/"))
    check(res, phone=True)
    toggle_large_text(res, on=True)  # 适老化: the form in large text
    assert page.url == res.url("/requests/new/")
    check(res, phone=True)

    page.get_by_label("遇到了什么问题").select_option(label="水电维修")
    page.get_by_label("问题描述").fill("厨房水管漏水，地面有积水")
    page.get_by_label("位置").select_option(label="我家（尚书苑 1号楼 1单元 101）")
    page.get_by_label("照片（最多5张，每张不超过5MB）").set_input_files(photo(tmp_path, "kitchen.png"))
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    assert DETAIL.search(page.url), page.url
    req = Request.objects.get()
    assert page.url == res.url(f"/requests/{req.pk}/")
    assert (req.reporter.user, req.place, req.category.code) == (resident, tree["household"], "utilities")
    check(res, phone=True)
    assert req.number in res.text()
    assert f"已提交，编号 {req.number}" in page.get_by_role("status").inner_text()
    intake = page.get_by_role("img", name="现场照片 1")
    assert intake.is_visible()
    assert page.evaluate("img => img.complete && img.naturalWidth === 64", intake.element_handle())
    toggle_large_text(res, on=False)
    check(res, phone=True)

    # ---- community staff dispatch it to the managing company
    com = desktop
    login(com, "community")
    open_from_list(com, req.number, req.pk)
    dispatch = action_form(com, "dispatch")
    dispatch.get_by_label("承办组织").select_option(label="万科物业")
    act(com, "dispatch", req.pk)
    check(com)
    req.refresh_from_db()
    assert (req.status, req.handler.name) == (Status.DISPATCHED, "万科物业")

    # ---- the company accepts and resolves with a note and a photo
    co = browse()
    login(co, "property")
    handle(co, req, "已更换阀门，试水无渗漏", photo(tmp_path, "fixed.png", (30, 160, 60)))
    assert co.page.get_by_role("img", name="办结照片 2").is_visible()

    # ---- the resident rates 2 and asks for it to be redone
    res.goto(f"/requests/{req.pk}/")
    check(res, phone=True)
    assert "已更换阀门，试水无渗漏" in res.text()
    rate(res, req.pk, 2, "水管还在滴水")
    check(res, phone=True)
    assert res.page.get_by_test_id("rating").inner_text().startswith("2 / 5 不太满意")
    action_form(res, "reopen").get_by_label("理由").fill("关阀后仍然滴水")
    act(res, "reopen", req.pk)
    check(res, phone=True)
    req.refresh_from_db()
    assert (req.status, req.reopen_count, req.first_rating) == (Status.REOPENED, 1, 2)

    # ---- the company takes it again
    handle(co, req, "重新更换密封圈，已不滴水", None)

    # ---- the resident rates 5, in large text
    res.goto(f"/requests/{req.pk}/")
    toggle_large_text(res, on=True)
    check(res, phone=True)
    rate(res, req.pk, 5, "")
    check(res, phone=True)
    req.refresh_from_db()
    assert (req.status, req.rating, req.first_rating) == (Status.RATED, 5, 2)

    steps = page.get_by_test_id("timeline-step").locator("strong").all_inner_texts()
    assert steps == ["下单", "派单", "接单", "办结", "评单", "重办", "接单", "办结", "评单"], steps
    assert page.get_by_test_id("rating").inner_text().strip() == "5 / 5 非常满意"
    assert page.get_by_test_id("act-rate").count() == 0  # rated: no second rating form


def test_department_liaison_reports_in_to_a_whistle(desktop, tree, resident, community_staff, police_liaison,
                                                     managed, utilities, orgs):
    req = actions.file_request(by=resident, category=utilities, description="楼道堆放杂物堵塞消防通道",
                               place=tree["household"])
    actions.dispatch_request(req, to=managed, by=community_staff)
    whistle = actions.whistle_request(req, department=orgs["police"], by=community_staff, note="请派出所协助清理")

    b = desktop
    page = b.page
    login(b, "police")
    b.goto("/requests/whistles/")
    check(b)
    entry = page.get_by_role("link", name=re.compile(re.escape(req.number)))
    assert "待报到" in entry.inner_text()
    entry.click()
    page.wait_for_url(b.url(f"/requests/{req.pk}/"))
    check(b)

    card = page.get_by_test_id("whistle")
    assert card.count() == 1 and "请派出所协助清理" in card.inner_text()
    with page.expect_navigation():
        card.get_by_test_id("acknowledge").click()
    check(b)
    card = page.get_by_test_id("whistle")
    assert "已报到" in card.inner_text()
    assert card.get_by_test_id("acknowledge").count() == 0

    report = "已到现场，督促物业清理杂物，消防通道已畅通"
    card.get_by_label("处置情况").fill(report)
    with page.expect_navigation():
        card.get_by_role("button", name="反馈处置情况").click()
    assert page.url == b.url(f"/requests/{req.pk}/")
    check(b)
    text = re.sub(r"\s+", " ", page.get_by_test_id("whistle").inner_text())
    assert "已报到" in text and f"处置情况：{report}" in text, text

    whistle = Whistle.objects.get(pk=whistle.pk)
    assert whistle.acknowledged_at is not None and whistle.acknowledged_by == police_liaison
    assert whistle.report == report and whistle.reported_at is not None

    # the department's list now shows it as reported in
    b.goto("/requests/whistles/")
    check(b)
    assert "已报到" in page.get_by_role("link", name=re.compile(re.escape(req.number))).inner_text()
