"""Sign-in by username or phone, lockout after repeated failures, session expiry, role home pages."""

import pytest
from django.conf import settings as django_settings

from gongzhi.core.models import Event

from .conftest import PASSWORD


def test_login_by_username_records_an_event(client, resident):
    response = client.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert Event.objects.filter(verb="core.login", actor=resident).count() == 1


def test_login_by_phone(client, resident):
    response = client.post("/accounts/login/", {"username": resident.person.phone, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == resident


def test_wrong_password_is_a_chinese_error(client, resident):
    response = client.post("/accounts/login/", {"username": "resident", "password": "nope"})
    assert response.status_code == 200
    assert "用户名/手机号或密码错误" in response.content.decode()


def test_repeated_failures_lock_the_account(client, settings, resident):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "resident", "password": "nope"})
    response = client.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sessions_expire():
    assert django_settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True  # idle timeout
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_logout_is_a_post(client, resident):
    client.force_login(resident)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_password_change(client, resident):
    client.force_login(resident)
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Xin-mima-2026!",
                                                   "new_password2": "Xin-mima-2026!"})
    assert response.status_code == 302
    assert Event.objects.filter(verb="core.change_password", actor=resident).count() == 1
    response = client.post("/accounts/password/", {"old_password": "wrong", "new_password1": "a",
                                                   "new_password2": "b"})
    assert response.status_code == 200


def test_grid_worker_home_shows_one_grid(client, tree, grid_worker, resident):
    client.force_login(grid_worker)
    cards = client.get("/").context["card"]["scopes"]["cards"]
    assert [c["place"].code for c in cards] == ["G1"]
    assert (cards[0]["counts"].households, cards[0]["counts"].residents) == (2, 1)


def test_resident_home_shows_their_household_only(client, tree, resident, other_resident):
    client.force_login(resident)
    response = client.get("/")
    assert "scopes" not in response.context["card"]
    assert [h["household"].code for h in response.context["card"]["homes"]["homes"]] == ["C1-1-1-101"]
    assert other_resident.person.name not in response.content.decode()


def test_admin_is_for_superusers_only(client, street_staff, superuser):
    street_staff.is_staff = True
    street_staff.save()
    client.force_login(street_staff)
    assert client.get("/admin/").status_code == 302
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_language_switch(client, resident, language):
    client.force_login(resident)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get("/").content.decode()
    assert ("我的家" in html) is (language == "zh-hans")


def test_large_text_mode_toggles(client, resident):
    client.force_login(resident)
    client.post("/large-text/", {"next": "/"})
    assert 'class="large-text"' in client.get("/").content.decode()
    client.post("/large-text/", {"next": "https://evil.example/"})
    assert 'class="large-text"' not in client.get("/").content.decode()


def test_login_by_phone_written_with_country_code_and_spaces(client, resident):
    phone = resident.person.phone
    response = client.post("/accounts/login/", {"username": f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
                                                "password": PASSWORD})
    assert response.status_code == 302


def test_a_shared_phone_signs_nobody_in(client, resident, grid_worker):
    from gongzhi.people.models import Person

    Person.objects.filter(pk=grid_worker.person.pk).update(phone=resident.person.phone)
    response = client.post("/accounts/login/", {"username": resident.person.phone, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_chinese_is_the_default_whatever_the_browser_says(client, resident):
    client.force_login(resident)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "我的家" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "我的家" not in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
