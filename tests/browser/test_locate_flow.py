"""待定位 → 指定位置 in a real Chromium on a phone: an Open311 client reports by lat/long between the compounds;
the street officer finds it in the queue's 待定位 filter, reads the point as text and the sketch, and assigns
the compound in one click. Every page passes the usual checks (axe, no sideways scroll, no outside host)."""

from __future__ import annotations

import json

import pytest

from gongzhi.core.permissions import SYSTEM
from gongzhi.people.models import ApiToken
from gongzhi.places import actions as place_actions
from gongzhi.workorders.models import Request
from tests.workorders import conftest as workorder_fixtures

from .test_request_flows import check, login

pytestmark = pytest.mark.browser

managed = workorder_fixtures.managed


@pytest.fixture(autouse=True)
def _catalogue(transactional_db):
    from gongzhi.workorders.catalogue import seed_catalogue
    from gongzhi.workorders.models import Category, ServiceLevel

    seed_catalogue(Category, ServiceLevel)


def test_street_officer_locates_a_request_from_a_phone(phone, client, tree, managed, street_staff, live_server):
    update = place_actions.update_place
    update(tree["compound"], latitude="34.2700", longitude="108.9250", by=SYSTEM, boundary=json.dumps({
        "type": "Polygon", "coordinates": [[[108.9245, 34.2695], [108.9255, 34.2695], [108.9255, 34.2705],
                                            [108.9245, 34.2705], [108.9245, 34.2695]]]}))
    update(tree["compound2"], latitude="34.2720", longitude="108.9250", by=SYSTEM)
    update(tree["other_compound"], latitude="34.2700", longitude="108.9350", by=SYSTEM)
    _token, key = ApiToken.issue(street_staff, "12345 热线对接", scope=ApiToken.Scope.WRITE)
    r = client.post("/open311/v2/requests.json", data={"api_key": key, "service_code": "utilities",
                                                       "lat": "34.2705", "long": "108.9300",
                                                       "description": "路口井盖缺失", "media_url": "https://example.com/a.jpg"})
    assert r.status_code == 201, r.content
    req = Request.objects.get()
    assert req.unlocated

    b = phone
    login(b, street_staff.username, phone=True)
    b.goto("/requests/")
    check(b, phone=True)
    page = b.page
    with page.expect_navigation():
        page.get_by_test_id("unlocated-filter").click()
    check(b, phone=True)
    with page.expect_navigation():
        page.get_by_role("link", name=req.number).click()
    check(b, phone=True)
    assert page.get_by_test_id("point").input_value() == "34.270500, 108.930000"
    assert page.get_by_test_id("media-url").input_value() == "https://example.com/a.jpg"
    with page.expect_navigation():
        page.get_by_test_id("locate").click()
    check(b, phone=True)
    assert page.get_by_test_id("sketch").is_visible()
    with page.expect_navigation():
        page.get_by_test_id(f"assign-{tree['compound'].pk}").click()
    assert page.url == b.url(f"/requests/{req.pk}/")
    check(b, phone=True)
    req.refresh_from_db()
    assert (req.place, req.unlocated) == (tree["compound"], False)
    assert page.get_by_test_id("unlocated").count() == 0
    assert not b.external
