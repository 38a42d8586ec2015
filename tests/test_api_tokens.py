"""API 令牌: staff issue named tokens on their own page (the key shown once, never logged), list and revoke
them; the operator's ``manage.py issue_api_token``. A page-issued key authenticates /api/ until revoked."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from gongzhi.core.models import Event
from gongzhi.people import actions
from gongzhi.people.models import ApiToken

from .conftest import ROLES

NO_TOKENS = {"resident", "volunteer"}  # not staff: nothing to integrate


def _key(html: str) -> str:
    return re.search(r'value="(gz_[^"]+)"', html).group(1)


def _events_text() -> str:
    return json.dumps([[e.summary, e.target_repr, e.before, e.after] for e in Event.objects.all()],
                      ensure_ascii=False)


@pytest.mark.parametrize("role", ROLES)
def test_staff_issue_tokens_for_themselves(request, client, tree, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    page = client.get("/accounts/tokens/")
    response = client.post("/accounts/tokens/", {"name": "巡查App"})
    if role in NO_TOKENS:
        assert (page.status_code, response.status_code) == (403, 403)
        assert ApiToken.objects.count() == 0
        assert not Event.objects.filter(verb="people.issue_api_token").exists()
        return
    assert (page.status_code, response.status_code) == (200, 200)
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (user, "巡查App")
    assert Event.objects.filter(verb="people.issue_api_token", actor=user).count() == 1


def test_the_key_is_shown_once_and_never_logged(client, grid_worker):
    client.force_login(grid_worker)
    response = client.post("/accounts/tokens/", {"name": "巡查App"})
    key = _key(response.content.decode())
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert token.key_hash == ApiToken.hash_key(key) and token.prefix == key[:8]
    listing = client.get("/accounts/tokens/").content.decode()
    assert key not in listing and f"{token.prefix}…" in listing and "从未使用" in listing
    event = Event.objects.get(verb="people.issue_api_token")
    assert event.after == {"user": grid_worker.pk, "name": "巡查App", "prefix": token.prefix, "scope": "read",
                           "days": 90}
    assert key not in _events_text() and key[8:] not in _events_text()


def test_a_page_issued_key_works_until_revoked_on_the_page(client, tree, grid_worker):
    client.force_login(grid_worker)
    key = _key(client.post("/accounts/tokens/", {"name": "巡查App"}).content.decode())
    client.logout()
    response = client.get(f"/api/places/{tree['compound'].pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.json()["name"] == "尚书苑"
    token = ApiToken.objects.get()
    assert token.last_used_at is not None

    client.force_login(grid_worker)
    assert "从未使用" not in client.get("/accounts/tokens/").content.decode()
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.count() == 0
    revoked = Event.objects.get(verb="people.revoke_api_token")
    assert revoked.before == {"user": grid_worker.pk, "name": "巡查App", "prefix": token.prefix}
    assert key not in _events_text()
    client.logout()
    response = client.get(f"/api/places/{tree['compound'].pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert client.get("/api/places", HTTP_X_API_TOKEN=key).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_nobody_sees_or_revokes_anothers_token(request, client, tree, street_staff, role):
    token, _key_ = ApiToken.issue(street_staff, "街道网关令牌")
    user = request.getfixturevalue(role)
    if user == street_staff:
        return
    client.force_login(user)
    page = client.get("/accounts/tokens/")
    assert "街道网关令牌" not in page.content.decode()
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert not Event.objects.filter(verb="people.revoke_api_token").exists()


@pytest.mark.parametrize(("name", "message"), [
    ("", "请填写令牌名称，例如用途或对接系统"),
    ("   ", "请填写令牌名称，例如用途或对接系统"),
    ("长" * 61, "名称不能超过60个字"),
])
def test_a_bad_name_is_a_form_error_and_nothing_is_written(client, community_staff, name, message):
    client.force_login(community_staff)
    events = Event.objects.count()
    response = client.post("/accounts/tokens/", {"name": name})
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert "gz_" not in html
    assert ApiToken.objects.count() == 0 and Event.objects.count() == events


def test_a_resident_given_a_token_by_the_operator_can_still_revoke_it(client, resident):
    token, _key_ = ApiToken.issue(resident, "旧令牌")
    client.force_login(resident)
    page = client.get("/accounts/tokens/").content.decode()
    assert "旧令牌" in page and "签发新令牌" not in page
    assert client.post("/accounts/tokens/", {"name": "新令牌"}).status_code == 403
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.count() == 0


def test_navigation_links_tokens_for_staff_only(client, grid_worker, resident):
    client.force_login(grid_worker)
    assert 'href="/accounts/tokens/"' in client.get("/").content.decode()
    client.force_login(resident)
    assert 'href="/accounts/tokens/"' not in client.get("/").content.decode()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 302
    assert ApiToken.objects.count() == 0


def test_the_command_prints_the_key_once(client, tree, street_staff):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "street", "--name", "12345 热线对接", stdout=out, stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.key_hash) == (street_staff, "12345 热线对接", ApiToken.hash_key(key))
    assert key not in err.getvalue() and token.prefix in err.getvalue()
    event = Event.objects.get(verb="people.issue_api_token")
    assert event.actor is None and key not in _events_text()
    response = client.get(f"/api/places/{tree['other_community'].pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_the_command_refuses_unknown_accounts_and_bad_names(street_staff):
    with pytest.raises(CommandError, match="账号 nobody 不存在"):
        call_command("issue_api_token", "nobody", "--name", "x", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="请填写令牌名称"):
        call_command("issue_api_token", "street", "--name", " ", stdout=io.StringIO(), stderr=io.StringIO())
    street_staff.is_active = False
    street_staff.save()
    with pytest.raises(CommandError, match="该账号已停用"):
        call_command("issue_api_token", "street", "--name", "x", stdout=io.StringIO(), stderr=io.StringIO())
    assert ApiToken.objects.count() == 0


def test_the_action_checks_the_right_to_issue(resident, grid_worker):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.issue_api_token(resident, name="x", by=resident)
    with pytest.raises(PermissionDenied):  # not for someone else
        actions.issue_api_token(resident, name="x", by=grid_worker)
    assert ApiToken.objects.count() == 0
