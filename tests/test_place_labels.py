"""Places in context: "尚书苑 1号楼 1单元 101" in lists, exports and notifications; the full path as the staff's
title; one query per page of places."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.places import actions as place_actions
from gongzhi.places.labels import attach_labels, label_for, label_of, labelled, title_for
from gongzhi.places.models import Kind, Place
from tests.workorders import conftest as wo

FULL = "莲湖区 / 青年路街道 / 莲湖路第一社区 / 第1网格 / 尚书苑 / 1号楼 / 1单元 / 101"


def test_a_household_reads_compound_building_unit_and_door(tree):
    label = label_of(Place.objects.get(pk=tree["household"].pk))
    assert (label.short, label.full) == ("尚书苑 1号楼 1单元 101", FULL)


@pytest.mark.parametrize(("_case", "key", "short"), [
    ("a unit", "unit", "尚书苑 1号楼 1单元"),
    ("a building", "building", "尚书苑 1号楼"),
    ("a compound", "compound", "尚书苑"),
    ("a grid names its community", "grid", "莲湖路第一社区 第1网格"),
    ("a community is itself", "community", "莲湖路第一社区"),
    ("a household directly under its building", "other_household", "安定苑 1号楼 201"),
])
def test_every_level_reads_from_its_compound(_case, key, short, tree):
    assert label_for(Place.objects.get(pk=tree[key].pk)) == short


def test_cut_at_the_compound(tree):
    assert label_for(tree["household"], upto=Kind.COMPOUND) == "尚书苑"
    assert label_for(tree["grid"], upto=Kind.COMPOUND) == "莲湖路第一社区 第1网格"  # above the cut: unchanged


def test_a_page_of_places_costs_one_query(tree, django_assert_num_queries):
    places = list(Place.objects.filter(kind=Kind.HOUSEHOLD).order_by("path"))
    with django_assert_num_queries(1):
        attach_labels(places)
    with django_assert_num_queries(0):
        assert [label_for(p) for p in places] == ["尚书苑 1号楼 1单元 101", "尚书苑 1号楼 1单元 102",
                                                  "安定苑 1号楼 201"]


def test_row_dicts_are_labelled_too(tree):
    rows = list(Place.objects.filter(kind=Kind.HOUSEHOLD).order_by("path").values("id", "name", "path"))
    attach_labels(rows)
    assert [str(r["label"]) for r in rows] == ["尚书苑 1号楼 1单元 101", "尚书苑 1号楼 1单元 102", "安定苑 1号楼 201"]


def test_an_export_reads_each_ancestor_once(tree):
    for n in range(3, 40):
        place_actions.create_place(parent=tree["unit"], kind=Kind.HOUSEHOLD, name=f"{n}01", by=SYSTEM)
    rows = Place.objects.filter(kind=Kind.HOUSEHOLD).order_by("path")
    with CaptureQueriesContext(connection) as ctx:
        out = [label_for(p) for p in labelled(rows.iterator(), lambda p: p, chunk=10)]
    assert len(out) == 40 and out[-1] == "安定苑 1号楼 201"
    # the rows' own query, then one per chunk that met ancestors not read before: 1 + (1 + 1 for 安定苑)
    assert len(ctx) == 3


def test_staff_see_the_full_path_as_title_residents_do_not(tree, grid_worker, resident):
    place = Place.objects.get(pk=tree["household"].pk)
    assert title_for(place, grid_worker) == FULL
    assert title_for(place, resident) == ""
    html = Template("{% load place_labels %}{% place_label p %}")
    staff = html.render(Context({"p": place, "user": grid_worker}))
    assert staff == f'<span class="place-label" title="{FULL}">尚书苑 1号楼 1单元 101</span>'
    assert html.render(Context({"p": place, "user": resident})) == '<span class="place-label">尚书苑 1号楼 1单元 101</span>'


def test_a_renamed_building_shows_in_the_next_read(tree):
    place_actions.update_place(tree["building"], name="2号楼", by=SYSTEM)
    assert label_for(Place.objects.get(pk=tree["household"].pk)) == "尚书苑 2号楼 1单元 101"


# ---------------------------------------------------------------- where the labels show

# the requests' fixtures (a managed compound, the utilities category, a filed and a dispatched request)
managed, utilities, filed, dispatched = wo.managed, wo.utilities, wo.filed, wo.dispatched


def _rows(response):
    import io

    from openpyxl import load_workbook

    body = b"".join(response.streaming_content) if response.streaming else response.content
    wb = load_workbook(io.BytesIO(body), read_only=True)
    return [tuple(c for c in row) for row in wb.worksheets[0].iter_rows(values_only=True)]


SHORT = "尚书苑 1号楼 1单元 101"


def test_the_queue_shows_the_place_in_context_with_the_full_path_for_staff(client, community_staff, filed):
    client.force_login(community_staff)
    html = client.get("/requests/").content.decode()
    assert f'<span class="place-label" title="{FULL}">{SHORT}</span>' in html


def test_the_queue_export_names_compound_building_unit(client, community_staff, filed):
    client.force_login(community_staff)
    header, *lines = _rows(client.get("/requests/export.xlsx"))
    assert [line[header.index("位置")] for line in lines] == [SHORT]


def test_the_household_list_shows_no_internal_code(client, grid_worker, tree):
    client.force_login(grid_worker)
    html = client.get("/places/households/").content.decode()
    assert SHORT in html and "C1-1-1-101" not in html


def test_the_people_list_shows_where_a_person_lives(client, community_staff, resident):
    client.force_login(community_staff)
    html = client.get("/people/?q=测试resident").content.decode()
    assert f'title="{FULL}">{SHORT}</span>' in html


def test_the_audit_log_shows_names_and_places_in_context(client, street_staff, dispatched):
    client.force_login(street_staff)
    html = client.get("/audit/?verb=workorders.dispatch_request").content.decode()
    assert '<span title="community">测试community</span>' in html
    assert f'<span title="{FULL}">{SHORT}</span>' in html
    # the actor filter finds the person by name as well as by username
    found = client.get("/audit/?actor=测试comm&verb=workorders.dispatch_request").context["page"].object_list
    assert [e.pk for e in found] == [Event.objects.get(verb="workorders.dispatch_request").pk]


def test_the_catalogue_shows_chinese_names_only(client, street_staff, utilities):
    client.force_login(street_staff)
    html = client.get("/requests/catalogue/").content.decode()
    assert "水电维修" in html and ">utilities<" not in html and " utilities" not in html
