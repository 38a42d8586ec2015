"""What the probe's fuzzing found as 500s and schema breaks in the API, each pinned: huge areas, explicit nulls,
ids past 2^63, deeply nested JSON, integer error locations, HTML error pages under /api/, undocumented codes."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from gongzhi.api import api
from gongzhi.core import error_views
from gongzhi.core.models import Event
from gongzhi.places.models import Place

HUGE = 2**64


@pytest.fixture
def staff(client, community_staff):
    client.force_login(community_staff)
    return client


def send(client, method, url, body, **extra):
    return getattr(client, method)(url, data=json.dumps(body) if not isinstance(body, str) else body,
                                   content_type="application/json", **extra)


def assert_field_error(response, field=None, status=422):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    if field is not None:
        assert any(field in d["loc"] for d in detail), detail
    for d in detail:
        assert all(isinstance(part, str) for part in d["loc"]), d  # the documented shape: loc is strings
    return detail


# ---------------------------------------------------------------- areas, nulls


@pytest.mark.parametrize("field", ["registered_area", "surveyed_area", "contract_area"])
@pytest.mark.parametrize("value", [1e26, "1e26", "1E+400", 1e308, "99999999999999999999999999.5"])
def test_a_huge_area_is_a_field_error_not_a_crash(staff, tree, field, value):
    before = Place.objects.count(), Event.objects.count()
    r = send(staff, "post", "/api/places", {"parent": tree["unit"].pk, "kind": "household", "name": "9",
                                            field: value})
    assert_field_error(r, field)
    r = send(staff, "patch", f"/api/places/{tree['household'].pk}", {field: value})
    assert_field_error(r, field)
    assert (Place.objects.count(), Event.objects.count()) == before


@pytest.mark.parametrize("value", [1e26, "1e400"])
def test_a_huge_area_before_login_is_refused_without_a_crash(client, tree, value):
    r = send(client, "patch", f"/api/places/{tree['household'].pk}", {"registered_area": value})
    assert r.status_code in (401, 422)


def test_management_mode_null_clears_it(staff, tree):
    r = send(staff, "patch", f"/api/places/{tree['compound'].pk}", {"management_mode": None})
    assert r.status_code == 200, r.content
    assert r.json()["management_mode"] == ""
    assert Place.objects.get(pk=tree["compound"].pk).management_mode == ""


@pytest.mark.parametrize("field", ["name", "code", "address"])
def test_null_for_a_text_that_cannot_be_empty_is_a_field_error(staff, tree, field):
    r = send(staff, "patch", f"/api/places/{tree['compound'].pk}", {field: None})
    if r.status_code != 200:
        assert_field_error(r, field)


@pytest.mark.parametrize("field", ["share", "registered_area"])
@pytest.mark.parametrize("value", [1e26, "1e400", "-1e30"])
def test_a_huge_member_area_or_share_is_a_field_error(staff, tree, resident, field, value):
    from gongzhi.people.models import HouseholdMember

    member = HouseholdMember.objects.filter(place=tree["household"]).first()
    r = send(staff, "patch", f"/api/household-members/{member.pk}", {field: value})
    assert_field_error(r, field)
    r = send(staff, "post", f"/api/households/{tree['household2'].pk}/members",
             {"name": "赵六", "relation": "owner", field: value})
    assert_field_error(r, field)


def test_null_in_a_household_member_patch_is_not_a_crash(staff, tree, resident):
    from gongzhi.people.models import HouseholdMember

    member = HouseholdMember.objects.filter(place=tree["household"]).first()
    for field in ("relation", "share", "registered_area", "is_representative"):
        r = send(staff, "patch", f"/api/household-members/{member.pk}", {field: None})
        assert r.status_code < 500, (field, r.content[:300])


# ---------------------------------------------------------------- integers past 2^63


@pytest.mark.parametrize("url", [
    f"/api/places?under={HUGE}", f"/api/places?parent={HUGE}", f"/api/places/{HUGE}",
    f"/api/places/{HUGE}/children", f"/api/requests/{HUGE}", f"/api/votes/{HUGE}", f"/api/persons/{HUGE}",
    f"/api/organisations/{HUGE}", f"/api/positions?person={HUGE}",
])
def test_an_id_past_2_63_in_a_query_or_path_is_422_or_404(staff, tree, url):
    r = staff.get(url)
    assert r.status_code in (404, 422), (url, r.status_code, r.content[:200])
    assert r["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("url, body", [
    ("/api/places", {"parent": HUGE, "kind": "building", "name": "x"}),
    ("/api/persons", {"name": "王五", "place": HUGE}),
    ("/api/organisations", {"kind": "company", "name": "x", "place": HUGE}),
    ("/api/positions", {"person": HUGE, "organisation": 1, "title": "grid_worker", "place": 1}),
    ("/api/requests", {"category": "elevator", "place": HUGE, "description": "x"}),
])
def test_an_id_past_2_63_in_a_body_is_a_field_error(staff, tree, url, body):
    r = send(staff, "post", url, body)
    assert_field_error(r)


def test_a_merge_target_number_past_2_63_is_not_found(staff, tree, community_staff, resident):
    from gongzhi.workorders import actions
    from gongzhi.workorders.catalogue import seed_catalogue
    from gongzhi.workorders.models import Category, ServiceLevel

    seed_catalogue(Category, ServiceLevel)
    utilities = Category.objects.get(code="utilities")

    req = actions.file_request(by=resident, category=utilities, description="漏水", place=tree["household"])
    r = send(staff, "post", f"/api/requests/{req.pk}/merge", {"into": str(HUGE)})
    assert r.status_code in (404, 422) and r.status_code < 500


# ---------------------------------------------------------------- deep JSON, NUL locations


@pytest.mark.parametrize("path", ["/api/places", "/api/requests", "/requests/new/", "/accounts/login/"])
def test_deeply_nested_json_without_login_is_refused_not_a_crash(client, db, path):
    body = "[" * 50_000 + "]" * 50_000
    r = client.post(path, data=body, content_type="application/json")
    assert r.status_code in (400, 401, 403, 422), r.status_code
    if path.startswith("/api/"):
        assert r["Content-Type"].startswith("application/json")


def test_json_deeper_than_the_limit_is_refused_by_name(staff, tree):
    body = {"parent": tree["unit"].pk, "kind": "building", "name": "x", "extra": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
        [[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
    r = send(staff, "post", "/api/places", body)
    detail = assert_field_error(r)
    assert "层" in detail[0]["msg"]


def test_a_nul_deep_in_a_list_is_located_with_strings(staff, tree):
    r = send(staff, "post", "/api/places", {"parent": tree["unit"].pk, "kind": "building", "name": "x",
                                            "extra": [{"a": "ok"}, {"b": "bad\x00"}]})
    detail = assert_field_error(r)
    assert detail[0]["loc"] == ["body", "extra", "1", "b"]


def test_pydantic_list_positions_are_strings_in_loc(client, tree, resident):
    client.force_login(resident)
    r = send(client, "post", "/api/votes/1/ballot", {"candidates": [1, "x"]})
    if r.status_code == 422:
        assert_field_error(r)


# ---------------------------------------------------------------- JSON error pages under /api/


@pytest.mark.parametrize("url", ["/api/nothing-here", "/api/places/-1", "/api/places/abc/children",
                                 "/api/requests/-5/accept"])
def test_an_unknown_api_path_is_a_json_404(staff, url):
    r = staff.get(url)
    assert r.status_code in (404, 405)
    assert r["Content-Type"].startswith("application/json"), r.content[:100]
    assert r.json()["detail"]


def test_pages_keep_their_html_404(staff):
    r = staff.get("/places/nothing-here/")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")


def test_a_bad_host_under_api_is_a_json_400(client, db):
    r = client.get("/api/places", HTTP_HOST="evil.example")
    assert r.status_code == 400 and r["Content-Type"].startswith("application/json")


def test_a_server_error_under_api_is_json():
    request = RequestFactory().get("/api/places")
    r = error_views.server_error(request)
    assert r.status_code == 500 and r["Content-Type"].startswith("application/json")
    assert json.loads(r.content)["detail"]


# ---------------------------------------------------------------- the schema says what can come back


def test_every_operation_documents_its_error_codes(db):
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404", "422"} <= codes, (method, path, codes)
            if method != "get":
                assert "409" in codes, (method, path)
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert "application/json" in response.get("content", {}), (method, path, code)


def test_input_fields_without_a_default_are_marked_required(db):
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    place_in = components["PlaceIn"]
    assert {"parent", "kind", "name"} <= set(place_in["required"])
    assert "maximum" in place_in["properties"]["parent"]


def test_every_field_of_a_response_is_marked_required(db):
    """A response always carries every field (null when empty): a client may rely on each key being there."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    for name in ("RequestDetail", "ReceiptOut", "TimelineItem", "PlaceOut", "PersonOut"):
        component = components[name]
        assert set(component["required"]) == set(component["properties"]), name
    assert "required" not in components["PlacePatch"] or "name" not in components["PlacePatch"]["required"]
