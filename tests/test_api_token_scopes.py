"""API tokens carry a scope (只读 read / 读写 write) and an expiry: a read token reads and cannot change anything
(API or Open311), an expired token is no token, and the page lets the issuer choose both."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.people import actions
from gongzhi.people.models import ApiToken
from tests.workorders.conftest import managed, utilities  # noqa: F401 — fixtures

OPEN311 = "/open311/v2/requests.json"


def file_request(client, tree, **headers):
    return client.post("/api/requests", {"category": "utilities", "description": "楼道灯不亮",
                                         "place": tree["household"].pk}, content_type="application/json", **headers)


@pytest.fixture
def keys(street_staff):
    read = actions.issue_api_token(street_staff, name="只读", scope=ApiToken.Scope.READ, days=30, by=street_staff)
    write = actions.issue_api_token(street_staff, name="读写", scope=ApiToken.Scope.WRITE, days=30, by=street_staff)
    return {"read": read[1], "write": write[1]}


def test_a_read_token_reads_but_cannot_write(client, tree, keys, utilities, managed):  # noqa: F811
    assert client.get("/api/requests", HTTP_AUTHORIZATION=f"Bearer {keys['read']}").status_code == 200
    r = file_request(client, tree, HTTP_AUTHORIZATION=f"Bearer {keys['read']}")
    assert r.status_code == 403 and "只读" in r.json()["detail"]
    r = file_request(client, tree, HTTP_X_API_TOKEN=keys["read"])
    assert r.status_code == 403
    assert file_request(client, tree, HTTP_AUTHORIZATION=f"Bearer {keys['write']}").status_code == 201


def test_a_read_token_cannot_file_through_open311(client, tree, keys, utilities, managed):  # noqa: F811
    data = {"service_code": "utilities", "address_id": str(tree["household"].pk), "description": "水管漏水"}
    r = client.post(OPEN311, data={**data, "api_key": keys["read"]})
    assert r.status_code == 403 and "只读" in r.json()[0]["description"]
    assert client.post(OPEN311, data={**data, "api_key": keys["write"]}).status_code == 201


def test_an_expired_token_is_refused(client, tree, street_staff):
    token, key = actions.issue_api_token(street_staff, name="到期", scope=ApiToken.Scope.WRITE, days=30,
                                         by=street_staff)
    assert client.get("/api/requests", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/requests", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_the_page_lets_the_issuer_pick_scope_and_lifetime(client, tree, grid_worker):
    client.force_login(grid_worker)
    page = client.get("/accounts/tokens/").content.decode()
    assert "只读" in page and "读写" in page and "有效期" in page
    r = client.post("/accounts/tokens/", {"name": "巡查App", "scope": "write", "days": "365"})
    assert r.status_code == 200
    token = ApiToken.objects.get()
    assert token.scope == "write"
    assert abs((token.expires_at - timezone.now()) - datetime.timedelta(days=365)) < datetime.timedelta(minutes=1)
    assert "读写" in r.content.decode() and f"{token.expires_at:%Y}" in r.content.decode()


def test_by_default_a_token_is_read_only_for_90_days(client, tree, grid_worker):
    client.force_login(grid_worker)
    client.post("/accounts/tokens/", {"name": "巡查App"})
    token = ApiToken.objects.get()
    assert token.scope == "read"
    assert abs((token.expires_at - timezone.now()) - datetime.timedelta(days=90)) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("data", [{"scope": "admin"}, {"days": "100000"}, {"days": "0"}, {"days": "x"}])
def test_a_bad_choice_is_a_form_error(client, tree, grid_worker, data):
    client.force_login(grid_worker)
    r = client.post("/accounts/tokens/", {"name": "巡查App", **data})
    assert r.status_code == 400
    assert ApiToken.objects.count() == 0


def test_the_operator_command_takes_scope_and_days(street_staff):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "street", "--name", "12345 热线对接", "--scope", "write", "--days", "365",
                 stdout=out, stderr=err)
    token = ApiToken.objects.get()
    assert token.scope == "write" and token.expires_at is not None
    assert ApiToken.hash_key(out.getvalue().strip()) == token.key_hash


def test_tokens_from_before_keep_read_write_and_expire_a_quarter_after_the_upgrade(street_staff):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("gongzhi.people.migrations.0004_apitoken_scope_expiry")
    legacy, _key = ApiToken.issue(street_staff, "旧令牌")
    ApiToken.objects.filter(pk=legacy.pk).update(scope="read", expires_at=None)  # as the migration finds it
    migration.legacy_tokens(apps, None)
    legacy.refresh_from_db()
    assert legacy.scope == "write"
    assert abs((legacy.expires_at - timezone.now()) - datetime.timedelta(days=90)) < datetime.timedelta(minutes=1)
