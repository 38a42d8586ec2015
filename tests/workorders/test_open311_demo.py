"""The public Open311 feed over the demo street: no personal data in any field of any request, and a request
the resident did not publish answers 404 to an anonymous caller (docs/privacy.md)."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import pytest
from django.contrib.auth import get_user_model

from gongzhi.people.models import HouseholdMember, Person
from gongzhi.places.models import Kind, Place
from gongzhi.site.demo import seed_demo
from gongzhi.workorders import actions
from gongzhi.workorders.models import Category, Request

BASE = "/open311/v2"


@pytest.fixture
def demo(db):
    seed_demo()
    User = get_user_model()
    resident, community = User.objects.get(username="resident"), User.objects.get(username="community")
    home = HouseholdMember.objects.filter(person__user=resident).select_related("place").first().place
    building = next(p for p in home.ancestors() if p.kind == Kind.BUILDING)
    compound = next(p for p in home.ancestors() if p.kind == Kind.COMPOUND)
    utilities = Category.objects.get(code="utilities")
    # besides the demo's own requests (all inside homes): common-part faults, public by default, one of them
    # filed by staff for a caller who gave a name, a phone and an address in their own words
    actions.file_request(by=resident, category=utilities, description="楼道灯不亮，请联系13912345678",
                         place=building, contact_phone="13800005555")
    actions.file_request(by=community, category=Category.objects.get(code="public_facility"),
                         description="小区东门路灯坏了", place=compound, channel="phone", contact_name="王阿姨",
                         contact_phone="13700001234", address=f"{building.name}东侧，{home.name}窗下")
    # and a resident who chose to publish a problem at home
    actions.file_request(by=resident, category=utilities, description="家门口水表井盖松动", place=home, public=True)
    return Request.objects.select_related("place", "reporter", "assignee").order_by("pk")


WHEN_FIELDS = {"requested_datetime", "updated_datetime", "expected_datetime"}


def personal_values(requests) -> set[str]:
    """Everything of the demo that would tell who someone is or where they live."""
    values: set[str] = set()
    for r in requests:
        values |= {r.contact_name, r.contact_phone, r.address, r.result_note, r.reason, r.rating_comment,
                   r.follow_up_note}
        values |= {p.name for p in r.place.ancestors() if p.kind in (Kind.BUILDING, Kind.UNIT)}
        if r.place.kind in (Kind.BUILDING, Kind.UNIT, Kind.HOUSEHOLD):
            values.add(r.place.name)
    for person in Person.objects.filter(user__isnull=False):
        values |= {person.name, person.phone, person.id_number_masked}
    values |= set(get_user_model().objects.values_list("username", flat=True))
    values.add("13912345678")  # the phone the resident wrote into a description
    return {v for v in values if v and len(v) >= 2}


def test_the_demo_feed_holds_no_personal_data(client, demo):
    public = [r for r in demo if r.public]
    filed_here = list(demo)[-3:]
    assert all(r.public for r in filed_here) and len(demo) > len(public)  # most of the demo is not published
    r = client.get(f"{BASE}/requests.json")
    assert r.status_code == 200
    items = r.json()
    assert {i["service_request_id"] for i in items} == {p.number for p in public}
    compounds = set(Place.objects.filter(kind=Kind.COMPOUND).values_list("pk", flat=True))
    for item in items:
        assert item["address_id"] in compounds  # compound precision, never a building, unit or room
        assert item["media_url"] is None
    xml = client.get(f"{BASE}/requests.xml").content.decode()
    ET.fromstring(xml)
    feed = json.dumps(items, ensure_ascii=False) + xml
    # a room number such as "202" is looked for as a number of its own in the words of the feed, not inside
    # a timestamp ("2026-…"), an id or a coordinate
    words = " ".join(str(v) for item in items for k, v in item.items()
                     if isinstance(v, str) and k not in WHEN_FIELDS and k != "service_request_id")
    leaked = sorted(v for v in personal_values(demo)
                    if (re.search(rf"(?<!\d){re.escape(v)}(?!\d)", words) if v.isdigit() else v in feed))
    assert leaked == []
    assert "139****5678" in feed  # the number in the description is masked, the description itself public


def test_a_request_that_is_not_public_is_404_to_an_anonymous_caller(client, demo):
    for req in demo:
        r = client.get(f"{BASE}/requests/{req.number}.json")
        assert r.status_code == (200 if req.public else 404), req.number
        if not req.public:
            assert r.json() == [{"code": 404, "description": f"service_request_id {req.number} 不存在"}]
            assert req.description not in r.content.decode()
            listed = client.get(f"{BASE}/requests.json?service_request_id={req.number}").json()
            assert listed == []


# ---------------------------------------------------------------- by location, over the demo street's map


def test_an_open311_client_sending_only_lat_long_over_the_demo_street(client, demo):
    from gongzhi.core.models import Event
    from gongzhi.people.models import ApiToken
    from gongzhi.places import geo

    street = get_user_model().objects.get(username="street")
    _token, key = ApiToken.issue(street, "12345 热线对接", scope=ApiToken.Scope.WRITE)

    def post(lat, long):
        return client.post(f"{BASE}/requests.json", data={"api_key": key, "service_code": "public_facility",
                                                          "lat": lat, "long": long, "description": "路灯不亮"})

    def last():
        return Request.objects.order_by("-pk").first()

    # inside 尚书苑's boundary (34.2738–34.2748, 108.9329–108.9345)
    assert post("34.2745", "108.9340").status_code == 201
    assert (last().place.name, last().unlocated) == ("尚书苑", False)
    # 0.0018° (200.15 m) south of 药王洞家属院's centre, which has no boundary; the next compound is 496 m away
    assert geo.distance_m(34.2658, 108.9326, 34.2676, 108.9326) == pytest.approx(200.15, abs=0.01)
    assert post("34.2658", "108.9326").status_code == 201
    assert (last().place.name, last().unlocated) == ("药王洞家属院", False)
    # between the compounds, 439 m from the nearest: 待定位 in the street's queue, inside 青年路街道
    assert post("34.2727", "108.9266").status_code == 201
    waiting = last()
    assert waiting.unlocated and waiting.place.kind in ("street", "community", "grid")
    assert next(p for p in [*waiting.place.ancestors(), waiting.place] if p.kind == "street").name == "青年路街道"
    client.force_login(street)
    assert waiting.number in client.get("/requests/?unlocated=1").content.decode()
    client.logout()
    # another province: the spec's 400 and nothing created
    before = (Request.objects.count(), Event.objects.count())
    r = post("30.5928", "114.3055")  # 武汉
    assert r.status_code == 400 and r.json()[0]["code"] == 400 and "不在本平台服务的区县范围内" in r.json()[0]["description"]
    assert (Request.objects.count(), Event.objects.count()) == before


def test_the_demo_compounds_are_on_the_map(demo):
    compounds = Place.objects.filter(kind=Kind.COMPOUND)
    assert compounds.count() == 11 and not compounds.filter(latitude__isnull=True).exists()
    assert compounds.exclude(boundary="").count() == 3
