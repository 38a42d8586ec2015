"""Onboarding a household in a real Chromium: community staff add a member to a household and open a login
account for them; the new user activates it with the code the log channel wrote (the default outside channel
on an offline intranet) and signs in. Then 忘记密码 the same way: a code to the phone, a new password.

Every page visited is checked by ``Browse.check()`` (static assets applied, axe-core clean)."""

from __future__ import annotations

import logging
import re

import pytest
from playwright.sync_api import expect

from gongzhi.people.models import HouseholdMember, Person
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CODE = re.compile(r"验证码：(\d{6})")
PHONE = "13700001111"


def code_from_log(caplog, marker: str) -> str:
    """The latest verification code the log channel wrote in a message containing ``marker``."""
    texts = [r.getMessage() for r in caplog.records if r.name == "gongzhi.notices" and marker in r.getMessage()]
    assert texts, f"the log channel wrote no message with {marker!r}"
    return CODE.search(texts[-1]).group(1)


def test_community_onboards_a_resident_who_activates_and_signs_in(desktop, tree, community_staff, caplog):
    caplog.set_level(logging.INFO, logger="gongzhi.notices")
    page = desktop.page
    household = tree["household2"]
    desktop.login("community", PASSWORD)
    page.wait_for_url(desktop.url("/"))

    # the household page: 户成员 → 添加户成员
    desktop.goto(f"/places/{household.pk}/")
    desktop.check()
    page.get_by_role("link", name="添加户成员").click()
    page.wait_for_url(desktop.url(f"/people/households/{household.pk}/members/new/"))
    desktop.check()
    page.get_by_label("姓名", exact=True).fill("钱七")
    page.get_by_label("身份证号", exact=True).fill("11010519491231002X")
    page.get_by_label("手机号", exact=True).fill(PHONE)
    page.get_by_label("关系", exact=True).select_option("owner")
    page.get_by_label("产权份额", exact=True).fill("1")
    page.get_by_label("共有人代表（代表本户表决）").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(desktop.url(f"/places/{household.pk}/"))
    desktop.check()
    members = page.get_by_test_id("members")
    expect(members).to_contain_text("钱七")
    expect(members).to_contain_text("共有人代表")
    person = Person.objects.get(name="钱七")
    assert HouseholdMember.objects.get(person=person).place_id == household.pk

    # the person's page: 开通登录账号
    members.get_by_role("link", name="钱七", exact=True).click()
    page.wait_for_url(desktop.url(f"/people/{person.pk}/"))
    desktop.check()
    page.get_by_role("link", name="开通登录账号").click()
    desktop.check()
    page.get_by_label("用户名", exact=True).fill("qianqi")
    page.get_by_role("button", name="开通并发送验证码").click()
    page.wait_for_url(desktop.url(f"/people/{person.pk}/"))
    desktop.check()
    expect(page.get_by_test_id("account-state")).to_have_text("待激活")
    code = code_from_log(caplog, "qianqi")

    # the new user, signed out: 激活账号 from the login page, with the code
    page.context.clear_cookies()
    desktop.goto("/accounts/login/")
    page.get_by_role("link", name="激活账号").click()
    page.wait_for_url(desktop.url("/accounts/activate/"))
    desktop.check()
    page.get_by_label("用户名或手机号", exact=True).fill("qianqi")
    page.get_by_label("验证码", exact=True).fill(code)
    page.get_by_label("新密码", exact=True).fill("short")
    page.get_by_label("确认新密码", exact=True).fill("short")
    page.get_by_role("button", name="激活并设置密码").click()
    expect(page.locator("#id_new_password1-error")).to_contain_text("密码太短")  # the policy, in Chinese
    desktop.check()
    page.get_by_label("新密码", exact=True).fill("Lianhu-2026-xin")
    page.get_by_label("确认新密码", exact=True).fill("Lianhu-2026-xin")
    page.get_by_role("button", name="激活并设置密码").click()
    page.wait_for_url(desktop.url("/accounts/login/"))
    expect(page.get_by_text("账号已激活，请用新密码登录")).to_be_visible()
    desktop.login(PHONE, "Lianhu-2026-xin")  # by phone
    page.wait_for_url(desktop.url("/"))
    desktop.check()
    expect(page.get_by_text("我的家")).to_be_visible()

    # 忘记密码: a code to the phone, a new password
    page.context.clear_cookies()
    desktop.goto("/accounts/login/")
    page.get_by_role("link", name="忘记密码").click()
    page.wait_for_url(desktop.url("/accounts/password/reset/"))
    desktop.check()
    page.get_by_label("登记的手机号", exact=True).fill(PHONE)
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_url(re.compile(r"/accounts/password/reset/confirm/\?phone="))
    desktop.check()
    expect(page.get_by_text("如果该手机号登记了登录账号，验证码已发送")).to_be_visible()
    expect(page.get_by_label("登记的手机号", exact=True)).to_have_value(PHONE)
    page.get_by_label("验证码", exact=True).fill(code_from_log(caplog, "找回密码"))
    page.get_by_label("新密码", exact=True).fill("Xinmima-2026-two")
    page.get_by_label("确认新密码", exact=True).fill("Xinmima-2026-two")
    page.get_by_role("button", name="重设密码").click()
    page.wait_for_url(desktop.url("/accounts/login/"))
    expect(page.get_by_text("密码已重设，请用新密码登录")).to_be_visible()
    desktop.login("qianqi", "Xinmima-2026-two")
    page.wait_for_url(desktop.url("/"))
    expect(page.get_by_text("我的家")).to_be_visible()


def test_forgot_password_for_an_unknown_phone_looks_the_same(desktop, tree, caplog):
    caplog.set_level(logging.INFO, logger="gongzhi.notices")
    page = desktop.page
    desktop.goto("/accounts/password/reset/")
    page.get_by_label("登记的手机号", exact=True).fill("13511112222")
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_url(re.compile(r"/accounts/password/reset/confirm/\?phone="))
    desktop.check()
    expect(page.get_by_text("如果该手机号登记了登录账号，验证码已发送")).to_be_visible()
    assert not [r for r in caplog.records if r.name == "gongzhi.notices"]  # nothing was sent
