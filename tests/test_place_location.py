"""Places on the map: latitude/longitude (WGS-84, −90..90 / −180..180, six decimals) and a GeoJSON boundary
(Polygon / MultiPolygon, valid), the same checks on the place form, the API and the tree import; bad input is
a Chinese error at the field and nothing is written; the export carries them and imports back unchanged."""

import io
import json

import pytest
from openpyxl import load_workbook

from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.places import actions as place_actions
from gongzhi.places import geo
from gongzhi.places.imports import PLACE_COLUMNS, create_import, export_places_xlsx
from gongzhi.places.models import ImportStatus, Place

from .xlsx import xlsx

SQUARE = {"type": "Polygon", "coordinates": [[[108.9245, 34.2695], [108.9255, 34.2695], [108.9255, 34.2705],
                                               [108.9245, 34.2705], [108.9245, 34.2695]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[108.92, 34.27], [108.93, 34.28], [108.93, 34.27], [108.92, 34.28],
                                               [108.92, 34.27]]]}

BAD = [
    ({"latitude": "91", "longitude": "108.9"}, "latitude", "纬度应在 -90 到 90 之间"),
    ({"latitude": "-90.5", "longitude": "108.9"}, "latitude", "纬度应在 -90 到 90 之间"),
    ({"latitude": "34.27", "longitude": "181"}, "longitude", "经度应在 -180 到 180 之间"),
    ({"latitude": "北纬34度", "longitude": "108.9"}, "latitude", "纬度必须是数字"),
    ({"latitude": "nan", "longitude": "108.9"}, "latitude", "纬度必须是数字"),
    ({"latitude": "1e400", "longitude": "108.9"}, "latitude", "纬度"),
    ({"latitude": "34.27"}, "longitude", "纬度和经度须同时填写，或都不填"),
    ({"boundary": "not json"}, "boundary", "边界应为 GeoJSON 文本"),
    ({"boundary": json.dumps({"type": "Point", "coordinates": [108.9, 34.2]})}, "boundary",
     "边界应为 GeoJSON 的 Polygon 或 MultiPolygon"),
    ({"boundary": json.dumps(BOWTIE)}, "boundary", "边界不是有效的多边形"),
    ({"boundary": json.dumps({"type": "Polygon", "coordinates": [[[108.9, 34.2], [108.91, 34.2]]]})}, "boundary",
     "边界的坐标格式不正确"),
    ({"boundary": json.dumps({"type": "Polygon", "coordinates": [[[34.27, 200], [34.28, 200], [34.28, 201],
                                                                   [34.27, 200]]]})}, "boundary",
     "边界的坐标超出范围"),
]


def snapshot():
    return list(Place.objects.order_by("pk").values_list("pk", "latitude", "longitude", "boundary")), \
        Event.objects.count()


def test_the_values_are_normalised(tree):
    place = place_actions.update_place(tree["compound"], latitude="34.27123449", longitude=" 108.9 ",
                                       boundary=json.dumps({"type": "Feature", "geometry": SQUARE}), by=SYSTEM)
    place.refresh_from_db()
    assert (str(place.latitude), str(place.longitude)) == ("34.271234", "108.900000")
    assert json.loads(place.boundary)["type"] == "Polygon"  # the Feature's geometry, kept alone
    event = Event.objects.filter(verb="places.update_place").last()
    assert event.after["boundary"] == "Polygon，5个点"  # the audit trail names the shape, not the GeoJSON


@pytest.mark.parametrize(("fields", "field", "message"), BAD)
def test_the_action_refuses_bad_values_at_the_field(tree, fields, field, message):
    before = snapshot()
    with pytest.raises(Exception) as exc:
        place_actions.update_place(tree["compound"], by=SYSTEM, **fields)
    assert message in exc.value.message_dict[field][0]
    assert snapshot() == before


def test_units_and_homes_carry_no_location(tree):
    with pytest.raises(Exception) as exc:
        place_actions.update_place(tree["household"], latitude="34.27", longitude="108.92", by=SYSTEM)
    assert exc.value.message_dict == {"latitude": ["单元和户不标注位置：请在楼栋或小区上标注"]}


# ---------------------------------------------------------------- the form


def test_the_form_saves_a_location(client, tree, community_staff):
    client.force_login(community_staff)
    r = client.post(f"/places/{tree['compound'].pk}/edit/", {
        "name": "尚书苑", "management_mode": "managed", "latitude": "34.2700", "longitude": "108.9250",
        "boundary": json.dumps(SQUARE)})
    assert r.status_code == 302
    place = Place.objects.get(pk=tree["compound"].pk)
    assert (str(place.latitude), str(place.longitude), geo.boundary_summary(place.boundary)) == (
        "34.270000", "108.925000", "Polygon，5个点")
    form = client.get(f"/places/{tree['compound'].pk}/edit/").context["form"]
    assert str(form.initial["latitude"]) == "34.270000"


@pytest.mark.parametrize(("fields", "field", "message"), BAD)
def test_the_form_shows_the_error_at_the_field_and_writes_nothing(client, tree, community_staff, fields, field,
                                                                 message):
    client.force_login(community_staff)
    before = snapshot()
    r = client.post(f"/places/{tree['compound'].pk}/edit/", {"name": "尚书苑", "management_mode": "managed",
                                                               **fields})
    assert r.status_code == 200
    assert message in r.context["form"].errors[field][0]
    assert snapshot() == before


def test_the_household_form_has_no_location_fields(client, tree, community_staff):
    client.force_login(community_staff)
    form = client.get(f"/places/{tree['household'].pk}/edit/").context["form"]
    assert "latitude" not in form.fields and "boundary" not in form.fields


# ---------------------------------------------------------------- the API


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("fields", "field", "message"), BAD)
def test_the_api_answers_422_naming_the_field(client, tree, community_staff, fields, field, message):
    client.force_login(community_staff)
    before = snapshot()
    r = post(client, "/api/places", {"parent": tree["grid"].pk, "kind": "compound", "name": "新苑", **fields})
    assert r.status_code == 422, r.content
    detail = r.json()["detail"][0]
    assert field in detail["loc"] and message in detail["msg"]
    r = client.patch(f"/api/places/{tree['compound'].pk}", data=json.dumps(fields), content_type="application/json")
    assert r.status_code == 422
    assert snapshot() == before


def test_the_api_creates_reads_and_clears_a_location(client, tree, community_staff):
    client.force_login(community_staff)
    r = post(client, "/api/places", {"parent": tree["grid"].pk, "kind": "compound", "name": "新苑",
                                     "latitude": 34.2711, "longitude": "108.9266", "boundary": SQUARE})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["latitude"], body["longitude"]) == ("34.271100", "108.926600")
    assert json.loads(body["boundary"]) == SQUARE
    r = client.patch(f"/api/places/{body['id']}", data=json.dumps({"boundary": None, "latitude": None,
                                                                   "longitude": None}),
                     content_type="application/json")
    assert r.status_code == 200, r.content
    assert (r.json()["latitude"], r.json()["boundary"]) == (None, "")
    assert client.get(f"/api/places/{body['id']}").json()["boundary"] == ""


# ---------------------------------------------------------------- the import and the export


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


_capture = None


def _import(upload, place, user):
    with _capture(execute=True):
        job = create_import(kind="places", upload=upload, place=place, by=user)
    job.refresh_from_db()
    return job


ROW = ["小区", "新苑", "N1", "G1", "专管型", None, "青年路8号"]


@pytest.mark.parametrize(("cells", "column", "message"), [
    (["91", "108.9", ""], "纬度", "纬度应在 -90 到 90 之间"),
    (["34.27", "东经108", ""], "经度", "经度必须是数字"),
    (["34.27", "", ""], "经度", "纬度和经度须同时填写，或都不填"),
    (["", "", json.dumps(BOWTIE)], "边界", "边界不是有效的多边形"),
    (["", "", "{"], "边界", "边界应为 GeoJSON 文本"),
])
def test_a_bad_location_in_the_file_is_reported_and_nothing_written(tree, community_staff, cells, column, message):
    before = (Place.objects.count(), Event.objects.count())
    job = _import(xlsx(PLACE_COLUMNS, [ROW + cells, ["楼栋", "1号楼", "N1-1", "N1", None, None, None]]),
                  tree["community"], community_staff)
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, column)]
    assert message in job.errors[0]["message"]
    assert (Place.objects.count(), Event.objects.count()) == (before[0], before[1])


def test_export_and_import_round_trip_the_location(tree, community_staff):
    place_actions.update_place(tree["compound"], latitude="34.270001", longitude="108.925009",
                               boundary=json.dumps(SQUARE), by=SYSTEM)
    place_actions.update_place(tree["building"], latitude="34.2701", longitude="108.9251", by=SYSTEM)
    data = export_places_xlsx(Place.objects.filter(path__startswith=tree["compound"].path))
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == PLACE_COLUMNS
    assert rows[1][7:] == ["34.270001", "108.925009", tree["compound"].boundary or Place.objects.get(
        pk=tree["compound"].pk).boundary]
    # the same file under new codes, hung under the second grid: the new places carry the same location
    for r in rows[1:]:
        r[2] = "N-" + r[2]
        r[3] = "G2" if r[0] == "小区" else "N-" + r[3]
    job = _import(xlsx(rows[0], rows[1:]), tree["community"], community_staff)
    assert job.status == ImportStatus.DONE, job.errors
    old, new = Place.objects.get(code="C1"), Place.objects.get(code="N-C1")
    assert (new.latitude, new.longitude, new.boundary) == (old.latitude, old.longitude, old.boundary)
    assert Place.objects.get(code="N-C1-1").latitude == Place.objects.get(code="C1-1").latitude


def test_the_template_shows_the_location_columns(client, tree, community_staff):
    client.force_login(community_staff)
    r = client.get("/places/import/template/places.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    header, example = [list(r) for r in ws.iter_rows(values_only=True, max_row=2)]
    assert header[-3:] == ["纬度", "经度", "边界"]
    assert geo.parse_boundary(example[-1]) and geo.parse_latitude(example[-3]) is not None


# ---------------------------------------------------------------- offline districts


def test_the_district_data_ships_in_the_wheel_and_needs_no_network():
    assert geo.district_at(34.2700, 108.9250) == ("610104", "莲湖区")
    assert geo.district_at(39.9, 116.4) == ("110101", "东城区")
    assert geo.district_at(0, 0) is None


def test_the_served_districts_come_from_the_roots_division_codes(tree):
    assert geo.served_districts() == {"610104"}


def test_the_system_check_finds_the_district_data(monkeypatch, tmp_path):
    assert geo.check_district_data() == []
    # a broken install: the package's data directory without the file
    monkeypatch.setattr(geo.resources, "files", lambda package: tmp_path)
    assert [e.id for e in geo.check_district_data()] == ["places.E001"]
