"""A session ends a fixed time after sign-in however active it is (the idle expiry slides, this does not), and a
body over the cap is refused from its Content-Length before anything parses it, signed in or not."""

import time

import pytest

from gongzhi.core.middleware import SESSION_STARTED

from .conftest import PASSWORD


def test_a_session_ends_its_absolute_lifetime_after_sign_in(client, resident, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    assert client.post("/accounts/login/", {"username": "resident", "password": PASSWORD}).status_code == 302
    assert abs(client.session[SESSION_STARTED] - time.time()) < 60
    assert client.get("/").status_code == 200  # active: still signed in

    session = client.session
    session[SESSION_STARTED] = int(time.time()) - 3601  # signed in just over an hour ago, active ever since
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_session_from_before_the_rule_gets_its_start_on_its_next_request(client, resident, settings):
    client.force_login(resident)
    session = client.session
    session.pop(SESSION_STARTED, None)
    session.save()
    assert client.get("/").status_code == 200
    assert isinstance(client.session[SESSION_STARTED], int)


def test_the_default_absolute_lifetime_is_a_long_working_day():
    from django.conf import settings
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


@pytest.mark.parametrize("path", ["/accounts/login/", "/requests/new/", "/api/requests"])
def test_a_body_over_the_cap_is_refused_before_it_is_read(client, db, settings, path):
    settings.REQUEST_MAX_BYTES = 1000
    response = client.post(path, data=b"x" * 10, content_type="application/octet-stream",
                           CONTENT_LENGTH="300000000")  # what the client says it will send: 300 MB
    assert response.status_code == 413
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    if path.startswith("/api/"):
        assert response.json()["detail"][0]["loc"] == ["body"]


def test_a_body_under_the_cap_goes_through(client, resident, settings):
    settings.REQUEST_MAX_BYTES = 10_000
    response = client.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert response.status_code == 302


def test_the_cap_leaves_room_for_the_largest_legitimate_upload():
    from django.conf import settings
    assert settings.REQUEST_MAX_BYTES > max(settings.IMPORT_MAX_BYTES, 5 * 5 * 1024 * 1024)
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440  # form fields without files: Django's own default


def test_https_redirect_spares_the_health_check(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    r = client.get("/accounts/login/")
    assert r.status_code == 301 and r["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200
