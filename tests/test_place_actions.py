"""Creating, editing and moving places: validation, audit, counts derived from the tree."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.places import actions
from gongzhi.places.models import Kind, Place
from gongzhi.places.queries import counts_by_child, counts_of


def test_create_writes_one_event_with_the_new_values(tree, community_staff):
    place = actions.create_place(parent=tree["grid"], kind=Kind.COMPOUND, name=" 新苑 ", code="N1",
                                 by=community_staff)
    assert place.name == "新苑"
    assert place.path.startswith(tree["grid"].path) and len(place.path) == len(tree["grid"].path) + 4
    event = Event.objects.get(verb="places.create_place", actor=community_staff)
    assert (event.actor, event.target_id, event.place_path, event.place_name) == (
        community_staff, str(place.pk), place.path, place.name)
    assert event.after == {"kind": "compound", "name": "新苑", "parent": tree["grid"].pk}


@pytest.mark.parametrize(("parent", "kind", "field", "message"), [
    ("street", Kind.BUILDING, "parent", "楼栋 不能放在 街道 之下"),
    ("household", Kind.UNIT, "parent", "单元 不能放在 户 之下"),
    (None, Kind.COMPOUND, "parent", "小区 不能放在 根 之下"),
])
def test_a_node_must_sit_under_the_right_kind(tree, parent, kind, field, message):
    count = Place.objects.count()
    with pytest.raises(ValidationError) as exc:
        actions.create_place(parent=tree[parent] if parent else None, kind=kind, name="x", by=SYSTEM)
    assert message in exc.value.message_dict[field][0]
    assert Place.objects.count() == count


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"name": "  "}, "name", "名称不能为空"),
    ({"name": "户", "registered_area": Decimal("-1")}, "registered_area", "面积不能为负数"),
    ({"name": "x", "code": "C1"}, "code", "编码 C1 已被使用"),
])
def test_bad_fields_are_refused_by_name(tree, fields, field, message):
    count = Place.objects.count()
    with pytest.raises(ValidationError) as exc:
        actions.create_place(parent=tree["unit"], kind=Kind.HOUSEHOLD, by=SYSTEM, **fields)
    assert exc.value.message_dict[field] == [message]
    assert Place.objects.count() == count


def test_only_managers_of_the_subtree_may_create(tree, grid_worker, outsider):
    for user in (grid_worker, outsider):
        with pytest.raises(PermissionDenied):
            actions.create_place(parent=tree["grid"], kind=Kind.COMPOUND, name="x", by=user)
    assert not Place.objects.filter(name="x").exists()


def test_update_records_only_changed_fields_and_a_no_op_records_nothing(tree, community_staff):
    actions.update_place(tree["compound"], name="尚书苑", by=community_staff)
    assert not Event.objects.filter(verb="places.update_place").exists()
    actions.update_place(tree["compound"], name="尚书新苑", management_mode="entrusted", by=community_staff)
    event = Event.objects.get(verb="places.update_place")
    assert event.before == {"name": "尚书苑", "management_mode": "managed"}
    assert event.after == {"name": "尚书新苑", "management_mode": "entrusted"}


def test_move_carries_the_subtree_and_keeps_counts_right(tree, community_staff, resident):
    grid, grid2 = tree["grid"], tree["grid2"]
    assert counts_of(grid).households == 2 and counts_of(grid2).households == 0
    moved = actions.move_place(tree["compound"], new_parent=grid2, by=community_staff)
    assert moved.parent == grid2
    assert counts_of(grid).households == 0 and counts_of(grid).compounds == 0
    assert counts_of(grid2).households == 2 and counts_of(grid2).compounds == 2
    assert counts_of(grid2).residents == 1
    household = Place.objects.get(pk=tree["household"].pk)
    assert household.path.startswith(moved.path) and household.depth == 7
    assert list(household.ancestors().values_list("code", flat=True)) == [
        "610104", "610104001", "610104001001", "G2", "C1", "C1-1", "C1-1-1"]
    event = Event.objects.get(verb="places.move_place")
    assert event.before == {"parent": grid.pk} and event.after == {"parent": grid2.pk}


def test_move_is_refused_into_its_own_subtree_or_under_a_wrong_kind(tree, community_staff):
    with pytest.raises(ValidationError) as exc:
        actions.move_place(tree["grid"], new_parent=tree["compound"], by=community_staff)
    assert "自己或它的下级" in exc.value.message_dict["parent"][0]
    with pytest.raises(ValidationError):
        actions.move_place(tree["building"], new_parent=tree["grid2"], by=community_staff)
    assert Place.objects.get(pk=tree["building"].pk).parent == tree["compound"]


def test_move_to_another_community_needs_rights_on_both_ends(tree, community_staff, street_staff):
    with pytest.raises(PermissionDenied):
        actions.move_place(tree["compound"], new_parent=tree["other_grid"], by=community_staff)
    actions.move_place(tree["compound"], new_parent=tree["other_grid"], by=street_staff)
    assert Place.objects.get(pk=tree["household"].pk).path.startswith(tree["other_grid"].path)


def test_counts_by_child_match_a_count_of_each_subtree(tree, resident, committee_member):
    children = list(tree["community"].children.all())
    counts = counts_by_child(tree["community"], children)
    assert (counts[tree["grid"].pk].households, counts[tree["grid"].pk].residents) == (2, 2)
    assert (counts[tree["grid2"].pk].compounds, counts[tree["grid2"].pk].households) == (1, 0)


def test_tree_page_queries_do_not_grow_with_the_children(client, tree, community_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(community_staff)
    url = f"/places/{tree['community'].pk}/"
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    for i in range(5):
        actions.create_place(parent=tree["community"], kind=Kind.GRID, name=f"加{i}", by=SYSTEM)
    with CaptureQueriesContext(connection) as seven:
        response = client.get(url)
    assert response.content.decode().count('data-label="户数"') == 7
    assert len(seven) == len(two)


def test_place_form_shows_chinese_errors_and_writes_nothing(client, tree, community_staff):
    client.force_login(community_staff)
    count = Place.objects.count()
    response = client.post(f"/places/{tree['unit'].pk}/new/", {"kind": "household", "name": "",
                                                               "registered_area": "-5"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "名称不能为空" in html and "面积不能为负数" in html
    response = client.post(f"/places/{tree['unit'].pk}/new/", {"kind": "household", "name": "103", "code": "C1"})
    assert "编码 C1 已被使用" in response.content.decode()
    assert Place.objects.count() == count


def test_move_form_moves(client, tree, community_staff):
    client.force_login(community_staff)
    response = client.post(f"/places/{tree['compound'].pk}/move/", {"new_parent": tree["grid2"].pk})
    assert response.status_code == 302
    assert Place.objects.get(pk=tree["compound"].pk).parent_id == tree["grid2"].pk


def test_the_edit_page_shows_and_keeps_every_area_source(client, tree, street_staff):
    household = tree["household"]
    Place.objects.filter(pk=household.pk).update(surveyed_area=Decimal("88.10"), contract_area=Decimal("90.00"))
    client.force_login(street_staff)
    form = client.get(f"/places/{household.pk}/edit/").context["form"]
    assert {"registered_area", "surveyed_area", "contract_area"} <= set(form.fields)
    assert form.initial["surveyed_area"] == Decimal("88.10")
    r = client.post(f"/places/{household.pk}/edit/", {
        "name": "101", "code": "C1-1-1-101", "registered_area": "", "surveyed_area": "88.10",
        "contract_area": "90.00"})
    assert r.status_code == 302
    household.refresh_from_db()
    assert (household.registered_area, household.surveyed_area, household.contract_area) == (
        None, Decimal("88.10"), Decimal("90.00"))
    assert household.area == Decimal("88.10")  # surveyed, when nothing is registered
    r = client.post(f"/places/{household.pk}/edit/", {"name": "101", "surveyed_area": "-1"})
    assert r.status_code == 200 and "面积必须大于0" in r.content.decode()


def test_the_detail_page_shows_a_developer_held_household(client, tree, street_staff):
    household = tree["household"]
    client.force_login(street_staff)
    assert 'data-testid="developer-held"' not in client.get(f"/places/{household.pk}/").content.decode()
    Place.objects.filter(pk=household.pk).update(developer_held=True)
    assert "建设单位未售出或未交付" in client.get(f"/places/{household.pk}/").content.decode()
