"""No NUL character reaches a view: PostgreSQL text cannot hold one, so a query with it answered 500.

Pages answer 400 with a short Chinese page, the API 422 naming the field, and nothing is written. The same
request without the NUL succeeds, so each case really reaches a view that would have queried with it."""

import json

import pytest

from gongzhi.core.models import Event
from gongzhi.people.models import Organisation, Person
from gongzhi.places.models import Place

NUL_MESSAGE = "不能包含空字符（\\0）"

PAGES = [
    "/people/?q=a%00b",
    "/people/organisations/?q=a%00b",
    "/places/households/?q=a%00b",
    "/requests/?q=a%00b",
    "/requests/?category=a%00b",
    "/audit/?q=a%00b",
    "/audit/?verb=a%00b",
    "/requests/routing/?category=a%00b",
]

API_GETS = [
    ("/api/places?q=a%00b", ["query", "q"]),
    ("/api/persons?q=a%00b", ["query", "q"]),
    ("/api/organisations?q=a%00b", ["query", "q"]),
    ("/api/requests?q=a%00b", ["query", "q"]),
    ("/api/requests?category=a%00b", ["query", "category"]),
    ("/api/places?a%00b=1", ["query", "a\\0b"]),
]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_refuses_nul_with_a_400_page(client, superuser, url):
    client.force_login(superuser)
    assert client.get(url.replace("%00", "")).status_code == 200
    r = client.get(url)
    assert r.status_code == 400
    html = r.content.decode()
    assert NUL_MESSAGE in html and "请求内容有误" in html and 'href="/"' in html


@pytest.mark.parametrize(("url", "loc"), API_GETS)
def test_an_endpoint_refuses_nul_naming_the_parameter(client, superuser, url, loc):
    client.force_login(superuser)
    assert client.get(url.replace("%00", "")).status_code == 200
    r = client.get(url)
    assert r.status_code == 422
    assert r.json() == {"detail": [{"loc": loc, "msg": NUL_MESSAGE, "type": "value_error"}]}


def _rows():
    return Place.objects.count(), Person.objects.count(), Organisation.objects.count(), Event.objects.count()


def _send(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("_case", "method", "url", "body", "loc", "ok"), [
    ("person name", "post", "/api/persons", lambda t: {"place": t["household"].pk, "name": "王\x00五"},
     ["body", "name"], 201),
    ("organisation name", "post", "/api/organisations",
     lambda t: {"kind": "property_company", "name": "某\x00物业", "place": t["community"].pk,
                "uscc": "91610104MA6U03X03G"}, ["body", "name"], 201),
    ("place name", "post", "/api/places", lambda t: {"parent": t["unit"].pk, "kind": "household", "name": "10\x003"},
     ["body", "name"], 201),
    ("place patch", "patch", "/api/places/{household}", lambda t: {"name": "10\x001"}, ["body", "name"], 200),
    ("a key", "post", "/api/places", lambda t: {"parent": t["unit"].pk, "kind": "household", "name": "103", "x\x00": 1},
     ["body", "x\\0"], 201),
])
def test_a_json_write_with_nul_writes_nothing(client, tree, community_staff, _case, method, url, body, loc, ok):
    client.force_login(community_staff)
    url = url.format(household=tree["household"].pk)
    before = _rows()
    r = _send(client, method, url, body(tree))
    assert r.status_code == 422
    assert r.json() == {"detail": [{"loc": loc, "msg": NUL_MESSAGE, "type": "value_error"}]}
    assert _rows() == before
    tree["household"].refresh_from_db()
    assert tree["household"].name == "101"
    # the same body without the NUL is accepted: the NUL, not something else, was refused
    clean = {k.replace("\x00", ""): v.replace("\x00", "") if isinstance(v, str) else v for k, v in body(tree).items()}
    assert _send(client, method, url, clean).status_code == ok


def test_nul_deep_in_a_json_body_is_found():
    from gongzhi.core.middleware import _nul_in_json

    assert _nul_in_json({"a": [1, {"b": ["ok", "x\x00"]}]}, ()) == ("a", "1", "b", "1")  # strings: the documented loc
    assert _nul_in_json({"a": [1, {"b": ["ok", "x"]}], "c": None, "d": 2.5}, ()) is None


def test_a_form_post_with_nul_writes_nothing(client, tree, community_staff):
    client.force_login(community_staff)
    before = _rows()
    r = client.post(f"/places/{tree['household'].pk}/edit/", {"name": "10\x001", "code": "C1-1-1-101"})
    assert r.status_code == 400 and NUL_MESSAGE in r.content.decode()
    assert _rows() == before


def test_open311_keeps_its_own_error_format(client, tree):
    r = client.get("/open311/v2/services.json?jurisdiction_id=a%00b")
    assert r.status_code == 400
    assert isinstance(r.json(), list) and r.json()[0]["code"] == 400


def test_the_400_page_is_english_when_chosen(client, superuser):
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    r = client.get("/people/?q=a%00b")
    assert r.status_code == 400 and "NUL character" in r.content.decode()
