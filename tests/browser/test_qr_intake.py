"""扫码反映问题 end to end in a real Chromium at a phone's width (390 px): the building's sheet is printed, its QR
code read back from the PDF, the link opened on a phone signed out; the intake page has the place filled in;
the request is filed without an account with the verification code the log channel wrote; the community's
dispatcher finds it in the queue."""

from __future__ import annotations

import io
import logging
import re

import pytest
import zxingcpp
from pypdf import PdfReader

from gongzhi.workorders import actions
from gongzhi.workorders.models import Channel, Request

from .conftest import Browse
from .test_request_flows import check, login

pytestmark = pytest.mark.browser

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
             "device_scale_factor": 2}
CODE = re.compile(r"验证码：(\d{6})")


@pytest.fixture(autouse=True)
def _catalogue(transactional_db):
    """live_server tests flush the database after each test, seeded catalogue included: seed it again."""
    from gongzhi.workorders.catalogue import seed_catalogue
    from gongzhi.workorders.models import Category, ServiceLevel

    seed_catalogue(Category, ServiceLevel)


def test_scan_a_buildings_code_and_file_without_an_account(new_context, live_server, axe_source, settings, tree,
                                                            community_staff, caplog):
    settings.GONGZHI_PUBLIC_URL = live_server.url
    settings.NOTIFICATION_CHANNELS = ["gongzhi.notices.channels.LogChannel"]
    pdf = actions.print_qr_sheets(tree["building"], by=community_staff)
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    (link,) = [r.text for r in zxingcpp.read_barcodes(page.images[0].image.convert("L"))]
    assert link.startswith(live_server.url + "/r/")

    b = Browse(new_context(**PHONE_390, locale="zh-CN").new_page(), live_server.url, axe_source)
    b.page.goto(link)
    check(b, phone=True)
    assert b.page.get_by_test_id("qr-place").inner_text() == "尚书苑 1号楼"
    b.page.get_by_label("遇到了什么问题").select_option(label="公共设施")
    b.page.get_by_label("问题描述").fill("2单元楼道灯不亮，晚上看不见台阶")
    b.page.get_by_label("您的称呼（可选，如：王女士）").fill("王女士")
    b.page.get_by_label("手机号").fill("13912345678")
    with caplog.at_level(logging.INFO, logger="gongzhi.notices"):
        with b.page.expect_navigation():
            b.page.get_by_test_id("send-code").click()
        assert "139****5678" in b.page.get_by_test_id("code-sent").inner_text()
        check(b, phone=True)
        codes = [CODE.search(r.getMessage()).group(1) for r in caplog.records
                 if "phone=139****5678" in r.getMessage() and CODE.search(r.getMessage())]
    assert len(codes) == 1
    # what was typed is still there
    assert b.page.get_by_label("问题描述").input_value() == "2单元楼道灯不亮，晚上看不见台阶"
    b.page.get_by_label("短信验证码").fill(codes[0])
    with b.page.expect_navigation():
        b.page.get_by_test_id("file").click()
    check(b, phone=True)
    req = Request.objects.get()
    assert req.number in b.page.get_by_role("status").inner_text()
    assert (req.place_id, req.channel, req.contact_phone, req.filed_by) == (
        tree["building"].pk, Channel.QR, "13912345678", None)

    staff = Browse(new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN").new_page(),
                   live_server.url, axe_source)
    login(staff, "community")
    staff.goto("/requests/")
    check(staff)
    staff.page.get_by_role("link", name=req.number).click()
    staff.page.wait_for_url(staff.url(f"/requests/{req.pk}/"))
    assert "2单元楼道灯不亮" in staff.text()
