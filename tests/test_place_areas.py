"""Surveyed and contract areas (司法解释 第8条: registered, else surveyed, else the purchase contract's):
entered on the form, over the API and by import, exported, and labelled by their source on the page."""

import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gongzhi.core.models import Event
from gongzhi.people.imports import HOUSEHOLD_COLUMNS
from gongzhi.places.imports import create_import
from gongzhi.places.models import ImportStatus, Place

from .xlsx import xlsx


def test_the_form_takes_surveyed_and_contract_areas(client, tree, community_staff):
    client.force_login(community_staff)
    r = client.post(f"/places/{tree['unit'].pk}/new/", {"kind": "household", "name": "105",
                                                        "surveyed_area": "88.25", "contract_area": "90"})
    assert r.status_code == 302
    place = Place.objects.get(name="105")
    assert (place.registered_area, place.surveyed_area, place.contract_area) == (None, Decimal("88.25"),
                                                                                 Decimal("90.00"))
    html = client.get(f"/places/{place.pk}/").content.decode()
    assert "实测面积：88.25 ㎡" in html and "登记面积" not in html.split('data-testid="area"')[1][:40]


@pytest.mark.parametrize(("value", "message"), [
    ("0", "面积必须大于0"), ("-3", "面积必须大于0"), ("88.255", "面积最多保留两位小数"), ("abc", "面积必须是数字"),
])
def test_the_form_refuses_bad_areas_in_chinese(client, tree, community_staff, value, message):
    client.force_login(community_staff)
    before = Place.objects.count()
    r = client.post(f"/places/{tree['unit'].pk}/new/", {"kind": "household", "name": "106", "contract_area": value})
    assert r.status_code == 200 and message in r.content.decode()
    assert Place.objects.count() == before


def test_the_page_names_the_area_it_shows(client, tree, community_staff):
    client.force_login(community_staff)
    household = tree["household"]
    Place.objects.filter(pk=household.pk).update(registered_area=None, surveyed_area=None,
                                                 contract_area=Decimal("77.70"))
    html = client.get(f"/places/{household.pk}/").content.decode()
    assert "合同面积：77.70 ㎡" in html
    Place.objects.filter(pk=household.pk).update(registered_area=Decimal("70.00"))
    assert "登记面积：70.00 ㎡" in client.get(f"/places/{household.pk}/").content.decode()


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_api_reads_and_writes_both_areas(client, tree, community_staff):
    client.force_login(community_staff)
    r = _post(client, "/api/places", {"parent": tree["unit"].pk, "kind": "household", "name": "107",
                                      "surveyed_area": "60.50"})
    assert r.status_code == 201 and r.json()["surveyed_area"] == "60.50" and r.json()["contract_area"] is None
    pk = r.json()["id"]
    r = client.patch(f"/api/places/{pk}", data=json.dumps({"contract_area": 61}), content_type="application/json")
    assert r.status_code == 200
    place = Place.objects.get(pk=pk)
    assert (place.surveyed_area, place.contract_area) == (Decimal("60.50"), Decimal("61.00"))


@pytest.mark.parametrize(("value", "message"), [
    (0, "面积必须大于0"), ("-1", "面积必须大于0"), ("1.234", "面积最多保留两位小数"), ("abc", "面积必须是数字"),
    (True, "面积必须是数字"),
])
def test_the_api_refuses_bad_areas_at_the_field(client, tree, community_staff, value, message):
    client.force_login(community_staff)
    before = (Place.objects.count(), Event.objects.count())
    r = _post(client, "/api/places", {"parent": tree["unit"].pk, "kind": "household", "name": "108",
                                      "contract_area": value})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert "contract_area" in detail["loc"] and message in detail["msg"]
    assert (Place.objects.count(), Event.objects.count()) == before


def _import(upload, place, user, capture):
    with capture(execute=True):
        job = create_import(kind="households", upload=upload, place=place, by=user)
    job.refresh_from_db()
    return job


ROW = ["C1-1-1-101", "张三", "11010519491231002X", "13800138000", "业主", 1, None, "否"]


def test_the_household_import_takes_both_areas(tree, community_staff, django_capture_on_commit_callbacks):
    job = _import(xlsx(HOUSEHOLD_COLUMNS, [ROW + [88.5, 90]]), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE, job.errors
    tree["household"].refresh_from_db()
    assert (tree["household"].surveyed_area, tree["household"].contract_area) == (Decimal("88.50"), Decimal("90.00"))


def test_an_older_file_without_the_columns_still_imports(tree, community_staff, django_capture_on_commit_callbacks):
    job = _import(xlsx(HOUSEHOLD_COLUMNS[:8], [ROW]), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE, job.errors


@pytest.mark.parametrize(("surveyed", "message"), [(0, "面积必须大于0"), (88.555, "面积最多保留两位小数"),
                                                   ("大约90", "面积必须是数字")])
def test_bad_import_areas_are_row_errors(tree, community_staff, django_capture_on_commit_callbacks, surveyed, message):
    job = _import(xlsx(HOUSEHOLD_COLUMNS, [ROW + [surveyed, None]]), tree["community"], community_staff,
                  django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.INVALID
    assert job.errors == [{"row": 2, "column": "实测面积", "message": message}]
    tree["household"].refresh_from_db()
    assert tree["household"].surveyed_area is None


def test_the_household_export_has_both_areas(client, tree, community_staff, resident):
    Place.objects.filter(pk=resident.person.place_id).update(surveyed_area=Decimal("50.10"))
    client.force_login(community_staff)
    r = client.get(f"/places/{tree['community'].pk}/export/households.xlsx")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0] == tuple(HOUSEHOLD_COLUMNS) and rows[0][-2:] == ("实测面积", "合同面积")
    assert rows[1][-2:] == (50.1, None)
