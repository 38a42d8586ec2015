"""Login accounts in the app: staff open, reset, stop and start the accounts of people in their scope; the
holder activates with a one-time code sent through the outside channels; 忘记密码 by a code to the phone.
Codes are hashed, short-lived, limited in attempts and in sending, and 忘记密码 tells nobody which phones
have accounts."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.core.scope import user_roles
from gongzhi.notices.models import Notification
from gongzhi.people import accounts, actions
from gongzhi.people.models import Person, VerificationCode

from .conftest import PASSWORD

NEW_PASSWORD = "Lianhu-2026-xin"
CODE = re.compile(r"验证码：(\d{6})")


@pytest.fixture
def newcomer(tree):
    """A resident of household 102 with a phone and no account yet."""
    return actions.register_household_member(
        tree["household2"], by=SYSTEM, person_fields={"name": "钱七", "phone": "13700001111"},
        member_fields={"relation": "tenant"}).person


def code_in(told) -> str:
    (send,) = told.sends
    return CODE.search(send["text"]).group(1)


def open_account(client, captured_notifications, staff, person, username=""):
    client.force_login(staff)
    with captured_notifications() as told:
        response = client.post(f"/people/{person.pk}/account/new/", {"username": username})
    client.logout()
    return response, told


def test_staff_open_an_account_and_the_holder_activates_it(client, tree, community_staff, newcomer,
                                                          captured_notifications, captured_events):
    with captured_events() as events:
        response, told = open_account(client, captured_notifications, community_staff, newcomer, "qianqi")
    assert response.status_code == 302
    newcomer.refresh_from_db()
    user = newcomer.user
    assert (user.username, user.is_active, user.has_usable_password()) == ("qianqi", True, False)
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert [(e.verb, e.actor, e.after) for e in events] == [
        ("people.create_account", community_staff, {"username": "qianqi", "phone": "137****1111"})]
    # the code went out through the channels to the new account only, never to an inbox, and is stored hashed
    assert told.notifications == [] and told.sent_to == {user.pk}
    code = code_in(told)
    assert "qianqi" in told.sends[0]["text"] and told.sends[0]["link"] == "/accounts/activate/?username=qianqi"
    row = VerificationCode.objects.get(user=user)
    assert code not in row.code_hash and not Notification.objects.filter(text__contains=code).exists()
    # an account grants no post: the roles are the home's only
    assert user_roles(user) == {"resident"}

    assert client.post("/accounts/login/", {"username": "qianqi", "password": NEW_PASSWORD}).status_code == 200
    with captured_events() as events:
        response = client.post("/accounts/activate/", {"username": "qianqi", "code": code,
                                                       "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert [(e.verb, e.actor) for e in events] == [("people.activate_account", user)]
    response = client.post("/accounts/login/", {"username": "13700001111", "password": NEW_PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    # the code is used up
    client.logout()
    response = client.post("/accounts/activate/", {"username": "qianqi", "code": code,
                                                   "new_password1": "Another-2026-pw", "new_password2": "Another-2026-pw"})
    assert response.status_code == 400 and "验证码错误或已过期" in response.content.decode()


def test_the_username_defaults_to_the_phone(client, tree, community_staff, newcomer, captured_notifications):
    open_account(client, captured_notifications, community_staff, newcomer)
    newcomer.refresh_from_db()
    assert newcomer.user.username == "13700001111"


@pytest.mark.parametrize(("username", "message"), [
    ("resident", "该用户名已被使用"),
    ("RESIDENT", "该用户名已被使用"),
    ("13900009999", "用户名不能是其他人的手机号"),
    ("a b", "用户名只能包含"),
])
def test_bad_usernames_are_refused(client, tree, community_staff, resident, newcomer, captured_notifications,
                                   username, message):
    response, told = open_account(client, captured_notifications, community_staff, newcomer, username)
    assert response.status_code == 400 and message in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.user is None and told.sends == []
    assert not Event.objects.filter(verb="people.create_account").exists()


def test_no_phone_no_account(tree, community_staff):
    person = actions.create_person(by=SYSTEM, name="无手机", place=tree["household2"])
    with pytest.raises(ValidationError) as exc:
        accounts.create_account(person, by=community_staff)
    assert "请先为该人员登记手机号" in exc.value.messages[0]
    assert get_user_model().objects.filter(person=person).count() == 0


def test_a_phone_another_account_uses_is_refused(tree, community_staff, resident):
    person = actions.create_person(by=SYSTEM, name="同号", place=tree["household2"], phone=resident.person.phone)
    with pytest.raises(ValidationError) as exc:
        accounts.create_account(person, by=community_staff)
    assert "该手机号已用于另一个登录账号" in exc.value.messages[0]


def test_wrong_codes_are_counted_and_audited(client, tree, community_staff, newcomer, captured_notifications):
    _response, told = open_account(client, captured_notifications, community_staff, newcomer, "qianqi")
    code = code_in(told)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        response = client.post("/accounts/activate/", {"username": "qianqi", "code": wrong,
                                                       "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert f"验证码错误，还可再试 {left} 次" in response.content.decode()
    client.post("/accounts/activate/", {"username": "qianqi", "code": wrong, "new_password1": NEW_PASSWORD,
                                        "new_password2": NEW_PASSWORD})
    assert Event.objects.filter(verb="people.reject_code").count() == 5
    assert VerificationCode.objects.get(user__username="qianqi").attempts == 5
    # even the right code no longer works
    response = client.post("/accounts/activate/", {"username": "qianqi", "code": code,
                                                   "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert "验证码输错次数过多" in response.content.decode()
    assert not get_user_model().objects.get(username="qianqi").has_usable_password()


def test_an_expired_code_is_refused(client, tree, community_staff, newcomer, captured_notifications):
    _response, told = open_account(client, captured_notifications, community_staff, newcomer, "qianqi")
    VerificationCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post("/accounts/activate/", {"username": "qianqi", "code": code_in(told),
                                                   "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 400 and "验证码错误或已过期" in response.content.decode()


@pytest.mark.parametrize(("password", "message"), [
    ("abc", "密码太短：至少需要 8 个字符"),
    ("12345678901", "密码只包含数字"),
    ("password123", "这个密码太常见了"),
])
def test_the_password_policy_speaks_chinese_and_keeps_the_code(client, tree, community_staff, newcomer,
                                                               captured_notifications, password, message):
    _response, told = open_account(client, captured_notifications, community_staff, newcomer, "qianqi")
    code = code_in(told)
    response = client.post("/accounts/activate/", {"username": "qianqi", "code": code,
                                                   "new_password1": password, "new_password2": password})
    assert response.status_code == 400 and message in response.content.decode()
    response = client.post("/accounts/activate/", {"username": "qianqi", "code": code,
                                                   "new_password1": NEW_PASSWORD, "new_password2": "different-1"})
    assert "两次输入的密码不一致" in response.content.decode()
    response = client.post("/accounts/activate/", {"username": "qianqi", "code": code,
                                                   "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302


def test_forgot_password_by_phone(client, tree, resident, captured_notifications, captured_events):
    phone = resident.person.phone
    with captured_notifications() as told, captured_events() as events:
        response = client.post("/accounts/password/reset/", {"phone": phone})
    assert response.status_code == 302 and response["Location"] == f"/accounts/password/reset/confirm/?phone={phone}"
    assert told.sent_to == {resident.pk} and told.notifications == []
    assert [(e.verb, e.after) for e in events] == [
        ("people.request_password_reset", {"phone": phone[:3] + "****" + phone[-4:], "account": True})]
    with captured_events() as events:
        response = client.post("/accounts/password/reset/confirm/", {
            "phone": phone, "code": code_in(told), "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert [(e.verb, e.actor) for e in events] == [("people.reset_password", resident)]
    assert client.post("/accounts/login/", {"username": "resident", "password": PASSWORD}).status_code == 200
    assert client.post("/accounts/login/", {"username": "resident", "password": NEW_PASSWORD}).status_code == 302


def test_forgot_password_tells_nobody_which_phones_have_accounts(client, tree, resident, captured_notifications):
    answers = {}
    for phone in (resident.person.phone, "13511112222"):
        with captured_notifications() as told:
            first = client.post("/accounts/password/reset/", {"phone": phone}, follow=True)
            again = client.post("/accounts/password/reset/", {"phone": phone})  # within the minute: refused
            wrong = client.post("/accounts/password/reset/confirm/", {
                "phone": phone, "code": "000000", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        answers[phone] = [
            (first.status_code, _message(first)), (again.status_code, _errors(again)),
            (wrong.status_code, _errors(wrong).replace("000000", ""))]
        answers[phone + " sent"] = len(told.sends)
    known, unknown = resident.person.phone, "13511112222"
    assert answers[known] == answers[unknown]
    assert "秒后再试" in answers[known][1][1]
    assert (answers[known + " sent"], answers[unknown + " sent"]) == (1, 0)


def _message(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _errors(response) -> str:
    return str(response.context["form"].errors)


def test_sending_is_limited_per_phone_and_per_address(tree, resident, settings):
    now = timezone.now()
    for minutes in (50, 40, 30, 20, 10):
        VerificationCode.objects.create(purpose="reset", phone_index=_index(resident.person.phone), code_hash="x",
                                        created_at=now - datetime.timedelta(minutes=minutes), expires_at=now)
    with pytest.raises(ValidationError) as exc:
        accounts.request_password_reset(phone=resident.person.phone)
    assert "请一小时后再试" in exc.value.messages[0]
    before = VerificationCode.objects.count()
    assert before == 5 and not Event.objects.filter(verb="people.request_password_reset").exists()


def _index(phone):
    from gongzhi.core import crypto

    return crypto.blind_index(phone)


def test_reset_stops_the_old_password_and_sends_a_new_code(client, tree, community_staff, resident,
                                                          captured_notifications):
    client.force_login(resident)
    client.force_login(community_staff)
    with captured_notifications() as told:
        response = client.post(f"/people/{resident.person.pk}/account/reset/")
    assert response.status_code == 302
    resident.refresh_from_db()
    assert not resident.has_usable_password() and told.sent_to == {resident.pk}
    client.logout()
    assert client.post("/accounts/login/", {"username": "resident", "password": PASSWORD}).status_code == 200
    response = client.post("/accounts/activate/", {"username": "resident", "code": code_in(told),
                                                   "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302


def test_deactivate_and_reactivate(client, tree, community_staff, resident, captured_events):
    other = client.__class__()
    other.force_login(resident)
    client.force_login(community_staff)
    with captured_events() as events:
        client.post(f"/people/{resident.person.pk}/account/deactivate/")
    assert [e.verb for e in events] == ["people.deactivate_account"]
    assert other.get("/").status_code == 302  # the open session is over
    assert client.post("/accounts/login/", {"username": "resident", "password": PASSWORD}).status_code == 302
    client.force_login(community_staff)
    with captured_events() as events:
        client.post(f"/people/{resident.person.pk}/account/reactivate/")
    assert [e.verb for e in events] == ["people.reactivate_account"]
    client.logout()
    assert client.post("/accounts/login/", {"username": "resident", "password": PASSWORD}).status_code == 302


def test_nobody_deactivates_their_own_account(tree, community_staff):
    with pytest.raises(ValidationError):
        accounts.deactivate_account(community_staff.person, by=community_staff)
    community_staff.refresh_from_db()
    assert community_staff.is_active


def test_the_person_page_shows_the_account_to_its_managers(client, tree, community_staff, grid_worker, resident):
    url = f"/people/{resident.person.pk}/"
    client.force_login(community_staff)
    html = client.get(url).content.decode()
    assert "停用账号" in html and "重置并发送激活验证码" in html
    client.force_login(grid_worker)
    html = client.get(url).content.decode()
    assert "登录账号" not in html and "停用账号" not in html


# ---------------------------------------------------------------- nobody escalates


def test_community_staff_cannot_touch_an_account_that_reaches_beyond_their_scope(tree, community_staff,
                                                                                 street_staff, superuser):
    """The street secretary lives in the community: still, the community's staff may neither reset the account
    nor change the phone its codes go to."""
    actions.add_household_member(tree["household2"], street_staff.person, relation="resident", by=SYSTEM)
    Person.objects.filter(pk=street_staff.person.pk).update(place=tree["household2"])
    person = Person.objects.get(pk=street_staff.person.pk)
    for verb in (accounts.reset_account, accounts.deactivate_account):
        with pytest.raises(PermissionDenied):
            verb(person, by=community_staff)
    with pytest.raises(PermissionDenied):
        actions.update_person(person, by=community_staff, phone="13600006666")
    person.refresh_from_db()
    assert person.phone != "13600006666"
    actions.update_person(person, by=community_staff, skills="书法")  # other details remain theirs to keep
    # an admin account is for superusers only
    admin = actions.create_person(by=SYSTEM, name="管理员", place=tree["household2"], phone="13600007777")
    Person.objects.filter(pk=admin.pk).update(user=superuser)
    admin.refresh_from_db()
    with pytest.raises(PermissionDenied):
        accounts.reset_account(admin, by=street_staff)


@pytest.mark.parametrize("role", ["grid_worker", "building_head", "property_staff", "committee_member",
                                  "department_liaison", "resident", "volunteer", "outsider"])
def test_only_managers_in_scope_manage_accounts(request, tree, newcomer, role):
    who = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        accounts.create_account(newcomer, by=who)
    newcomer.refresh_from_db()
    assert newcomer.user is None


def test_street_staff_manage_the_whole_street(tree, street_staff, other_resident, captured_notifications):
    with captured_notifications() as told:
        accounts.reset_account(other_resident.person, by=street_staff)
    assert told.sent_to == {other_resident.pk}


@pytest.mark.parametrize("url", ["/accounts/activate/", "/accounts/password/reset/",
                                 "/accounts/password/reset/confirm/"])
def test_the_signed_out_pages_open_signed_out(client, db, url):
    assert client.get(url).status_code == 200


def test_the_login_page_links_to_forgot_password_and_activation(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in html and "忘记密码" in html
    assert 'href="/accounts/activate/"' in html


@pytest.mark.parametrize("url", ["/people/1/account/new/", "/people/households/1/members/new/",
                                 "/people/members/1/edit/", "/people/1/homes/new/"])
def test_the_managers_pages_need_a_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_bad_phone_on_forgot_password_names_the_field(client, db):
    response = client.post("/accounts/password/reset/", {"phone": "12"})
    assert response.status_code == 400 and "phone" in response.context["form"].errors
    assert not VerificationCode.objects.exists()


def test_a_fresh_activation_code_does_not_hold_back_forgot_password(client, tree, community_staff, newcomer,
                                                                    captured_notifications):
    """Otherwise 忘记密码's answer ("wait a minute") would tell that the phone has a new account."""
    open_account(client, captured_notifications, community_staff, newcomer, "qianqi")
    with captured_notifications() as told:
        response = client.post("/accounts/password/reset/", {"phone": newcomer.phone})
    assert response.status_code == 302 and len(told.sends) == 1


def test_a_new_password_by_code_ends_a_sign_in_lockout(client, tree, resident, settings, captured_notifications):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    AccessAttempt.objects.all().delete()
    for _attempt in range(3):
        client.post("/accounts/login/", {"username": "resident", "password": "nope"})
    locked = client.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert locked.status_code == 429 and "/accounts/password/reset/" in locked.content.decode()
    with captured_notifications() as told:
        client.post("/accounts/password/reset/", {"phone": resident.person.phone})
    client.post("/accounts/password/reset/confirm/", {"phone": resident.person.phone, "code": code_in(told),
                                                      "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert client.post("/accounts/login/", {"username": "resident", "password": NEW_PASSWORD}).status_code == 302
