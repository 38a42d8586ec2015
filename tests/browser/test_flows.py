"""End-to-end flows in a real Chromium: staff browse and import, a resident on a phone, login.

Every page visited is checked by ``Browse.check()``: static assets served and applied, and axe-core
reports no serious or critical violation (in large-text mode too, where that mode is visited).
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from gongzhi.people.models import Person
from gongzhi.places.imports import PLACE_COLUMNS
from gongzhi.places.models import Place
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER = re.compile(r"^\d+$")


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "区域"
    ws.append(PLACE_COLUMNS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def import_rows(unit_parent: str) -> list[list]:
    """A compound under grid G1 with a building, a unit and two households (sheet rows 2–6)."""
    return [
        ["小区", "书香苑", "C9", "G1", "专管型", None, "青年路9号"],
        ["楼栋", "1号楼", "C9-1", "C9", None, None, None],
        ["单元", "1单元", "C9-1-1", "C9-1", None, None, None],
        ["户", "101", "C9-1-1-101", "C9-1-1", None, 88.5, None],
        ["户", "102", "C9-1-1-102", unit_parent, None, 96, None],
    ]


def upload(b, community_pk: int, name: str, data: bytes) -> None:
    page = b.page
    b.goto(f"/places/import/?place={community_pk}")
    b.check()
    page.get_by_label("导入内容").select_option("places")
    page.get_by_label("Excel 文件 (.xlsx)").set_input_files(files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url(re.compile(r"/places/import/\d+/$"))
    b.check()


def count_cells(row) -> list[str]:
    return [c.strip() for c in row.locator("td.gz-count").all_inner_texts()]


def test_staff_browse_and_import(desktop, tree, community_staff):
    page = desktop.page
    desktop.login("community", PASSWORD)
    page.wait_for_url(desktop.url("/"))
    desktop.check()

    # home: the community card with its counts
    card = page.locator(".card", has=page.get_by_role("heading", name=re.compile("莲湖路第一社区")))
    assert card.count() == 1
    assert card.get_by_test_id("grids").inner_text().strip() == "2"
    assert card.get_by_test_id("compounds").inner_text().strip() == "2"
    assert card.get_by_test_id("households").inner_text().strip() == "2"

    # browse: community → grid, with numbers in the counts columns
    card.get_by_role("link", name="莲湖路第一社区").click()
    page.wait_for_url(desktop.url(f"/places/{tree['community'].pk}/"))
    desktop.check()
    grid_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="第1网格", exact=True))
    cells = count_cells(grid_row)
    assert len(cells) == 4 and all(NUMBER.match(c) for c in cells), cells
    assert cells[1:3] == ["1", "2"]  # 1 compound, 2 households under grid 1
    grid_row.get_by_role("link", name="第1网格").click()
    page.wait_for_url(desktop.url(f"/places/{tree['grid'].pk}/"))
    desktop.check()
    compound_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="尚书苑"))
    cells = count_cells(compound_row)
    assert len(cells) == 4 and all(NUMBER.match(c) for c in cells), cells
    assert cells[2] == "2"

    # a file with one bad row: nothing written, the row is named in Chinese
    before = Place.objects.count()
    upload(desktop, tree["community"].pk, "书香苑-有错.xlsx", xlsx(import_rows(unit_parent="C9-1-9")))
    status = page.get_by_test_id("import-status").inner_text()
    assert "校验未通过" in status and "未写入任何数据" in status, status
    errors = page.get_by_test_id("import-error")
    assert errors.count() == 1
    error = re.sub(r"\s+", " ", errors.first.inner_text())
    assert "第 6 行" in error and "上级编码" in error, error
    assert "上级编码 C9-1-9 不存在" in error, error
    assert Place.objects.count() == before

    # fixed: all rows written
    upload(desktop, tree["community"].pk, "书香苑.xlsx", xlsx(import_rows(unit_parent="C9-1-1")))
    status = page.get_by_test_id("import-status").inner_text()
    assert "导入成功" in status and "5 行" in status, status
    assert page.get_by_test_id("import-error").count() == 0
    assert Place.objects.count() == before + 5
    assert Place.objects.get(code="C9-1-1-102").parent.code == "C9-1-1"

    # the tree shows the new compound
    desktop.goto("/places/")  # one root in scope: redirected to the community
    page.wait_for_url(desktop.url(f"/places/{tree['community'].pk}/"))
    desktop.check()
    grid_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="第1网格", exact=True))
    assert count_cells(grid_row)[1:3] == ["2", "4"]
    grid_row.get_by_role("link", name="第1网格").click()
    page.wait_for_url(desktop.url(f"/places/{tree['grid'].pk}/"))
    desktop.check()
    new_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="书香苑"))
    assert new_row.count() == 1
    assert count_cells(new_row)[2] == "2"

    # the same staff pages in 适老化 large-text mode
    page.get_by_role("button", name="大字模式").click()
    page.wait_for_selector("body.large-text")
    assert page.url == desktop.url(f"/places/{tree['grid'].pk}/")
    desktop.check()
    page.get_by_role("link", name="书香苑").click()
    page.wait_for_url(desktop.url(f"/places/{Place.objects.get(code='C9').pk}/"))
    desktop.check()
    page.get_by_role("link", name="Excel 导入").click()
    page.wait_for_url(re.compile(r"/places/import/\?place=\d+$"))
    desktop.check()


def test_resident_on_a_phone_with_large_text(phone, tree, resident):
    page = phone.page
    phone.login("resident", PASSWORD)
    page.wait_for_url(phone.url("/"))
    phone.check()
    home = page.get_by_role("heading", name=re.compile("我的家"))
    assert home.count() == 1
    assert "101" in home.inner_text()

    # 适老化 large text: ≥ 18 px body text, ≥ 44 px touch targets, still no serious axe violations
    page.get_by_role("button", name="大字模式").click()
    page.wait_for_selector("body.large-text")
    phone.check()
    assert page.get_by_role("button", name="标准字体").get_attribute("aria-pressed") == "true"
    font_size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 18, font_size
    heights = page.evaluate("""() => [...document.querySelectorAll('button, .btn, input[type=submit]')]
        .filter(el => el.offsetParent !== null)
        .map(el => [el.textContent.trim() || el.getAttribute('aria-label'), el.getBoundingClientRect().height])""")
    assert heights, "no visible buttons found"
    small = [(label, h) for label, h in heights if h < 44]
    assert not small, f"buttons lower than 44 px in large-text mode: {small}"

    # a resident is not staff: the region tree is forbidden (and the 403 page is accessible too)
    response = phone.goto("/places/")
    assert response.status == 403
    assert "无权访问" in phone.text()
    phone.check()


def test_login_errors_and_login_by_phone(desktop, tree, resident):
    page = desktop.page
    desktop.login("resident", "wrong-password-1")
    assert page.url.startswith(desktop.url("/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("用户名/手机号或密码错误")
    desktop.check()

    mobile = Person.objects.get(user=resident).phone
    assert mobile
    desktop.login(mobile, PASSWORD)
    page.wait_for_url(desktop.url("/"))
    desktop.check()
    assert "我的家" in desktop.text()
