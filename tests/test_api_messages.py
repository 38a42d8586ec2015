"""Schema errors from the API read like the API's other errors: 422, ``loc`` without the schema parameter's
name, a Chinese message (English when chosen), pydantic's ``type`` kept; and nothing is written."""

import json

import pytest

from gongzhi.core.api_errors import explain
from gongzhi.core.models import Event
from gongzhi.people.models import Organisation, Person, Position
from gongzhi.places.models import Place


def _rows():
    return (Place.objects.count(), Person.objects.count(), Organisation.objects.count(), Position.objects.count(),
            Event.objects.count())


@pytest.mark.parametrize(("_case", "url", "body", "detail"), [
    ("too long", "/api/persons", lambda t: {"name": "王" * 51, "place": t["household"].pk},
     [{"loc": ["body", "name"], "msg": "最多 50 个字符", "type": "string_too_long", "ctx": {"max_length": 50}}]),
    ("empty", "/api/persons", lambda t: {"name": "", "place": t["household"].pk},
     [{"loc": ["body", "name"], "msg": "不能为空", "type": "string_too_short", "ctx": {"min_length": 1}}]),
    ("missing and not an integer", "/api/persons", lambda t: {"place": "abc"},
     [{"loc": ["body", "name"], "msg": "必填", "type": "missing"},
      {"loc": ["body", "place"], "msg": "必须是整数", "type": "int_parsing"}]),
    ("not a boolean", "/api/persons", lambda t: {"name": "王五", "place": t["household"].pk, "is_party_member": "x"},
     [{"loc": ["body", "is_party_member"], "msg": "必须是 true 或 false", "type": "bool_parsing"}]),
    ("not a choice", "/api/places", lambda t: {"parent": t["unit"].pk, "kind": "castle", "name": "x"},
     [{"loc": ["body", "kind"], "msg": "必须是以下之一：district、street、community、grid、compound、building、unit、household",
       "type": "enum"}]),
    ("not a number", "/api/places", lambda t: {"parent": t["unit"].pk, "kind": "household", "name": "x",
                                                "registered_area": "abc"},
     [{"loc": ["body", "registered_area"], "msg": "必须是数字", "type": "decimal_parsing"}]),
    ("not a date", "/api/positions", lambda t: {"person": 1, "organisation": 1, "title": "grid_worker",
                                                 "place": t["grid"].pk, "start_date": "2026/01/01"},
     [{"loc": ["body", "start_date"], "msg": "日期格式应为 YYYY-MM-DD"}]),
])
def test_schema_errors_are_chinese_and_name_the_field(client, tree, community_staff, _case, url, body, detail):
    client.force_login(community_staff)
    before = _rows()
    r = client.post(url, data=json.dumps(body(tree)), content_type="application/json")
    assert r.status_code == 422
    got = r.json()["detail"]
    assert [{k: d[k] for k in want} for d, want in zip(got, detail, strict=True)] == detail
    assert _rows() == before


def test_query_bounds_are_chinese(client, tree, community_staff):
    client.force_login(community_staff)
    r = client.get("/api/persons?limit=0")
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["query", "limit"], "msg": "不能小于 1", "type": "greater_than_equal",
                                   "ctx": {"ge": 1}}]


def test_english_when_chosen(client, tree, community_staff):
    client.force_login(community_staff)
    client.cookies["django_language"] = "en"
    r = client.post("/api/persons", data=json.dumps({"name": "王" * 51}), content_type="application/json")
    assert [d["msg"] for d in r.json()["detail"]] == ["At most 50 characters", "Required"]


@pytest.mark.parametrize(("error", "msg"), [
    ({"type": "less_than_equal", "loc": ("query", "offset"), "msg": "x", "ctx": {"le": 10}}, "不能大于 10"),
    ({"type": "greater_than", "loc": ("body", "p", "n"), "msg": "x", "ctx": {"gt": 0}}, "必须大于 0"),
    ({"type": "less_than", "loc": ("body", "p", "n"), "msg": "x", "ctx": {"lt": 5}}, "必须小于 5"),
    ({"type": "json_invalid", "loc": ("body", 0), "msg": "x"}, "请求体不是合法的 JSON"),
    ({"type": "datetime_parsing", "loc": ("body", "p", "at"), "msg": "x"}, "日期时间格式应为 YYYY-MM-DDTHH:MM:SS"),
    ({"type": "literal_error", "loc": ("body", "p", "mode"), "msg": "x", "ctx": {"expected": "'a' or 'b'"}},
     "必须是以下之一：a、b"),
    ({"type": "value_error", "loc": ("body", "p", "q"), "msg": "Value error, 不能包含空字符",
      "ctx": {"error": ValueError("不能包含空字符")}}, "不能包含空字符"),
    ({"type": "something_new", "loc": ("body", "p", "q"), "msg": "Something new"}, "Something new"),
])
def test_explain(error, msg):
    out = explain(error)
    assert out["msg"] == msg and out["type"] == error["type"]
    assert json.dumps(out)  # ctx is plain JSON


def test_the_loc_drops_only_the_schema_name():
    assert explain({"type": "missing", "loc": ("body", "payload", "name"), "msg": ""})["loc"] == ["body", "name"]
    assert explain({"type": "missing", "loc": ("body", "payload", "a", 0), "msg": ""})["loc"] == ["body", "a", "0"]  # loc is strings (the documented schema)
    assert explain({"type": "missing", "loc": ("query", "limit"), "msg": ""})["loc"] == ["query", "limit"]
