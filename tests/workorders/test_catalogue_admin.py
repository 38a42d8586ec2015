"""服务目录 and 诉求参数 kept by street staff on pages: categories added, edited, stopped and restarted; the
parameters edited; every change audited, every bad input a Chinese form error with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongzhi.core.models import Event
from gongzhi.workorders import actions
from gongzhi.workorders.models import Category, ServiceLevel, ServiceSettings

NEW = {"code": "pest_control", "name": "除虫灭鼠", "handler_kind": "property_company", "department": "",
       "sort": "120", "description": ""}


def test_street_staff_creates_a_category_with_all_its_levels(client, street_staff, utilities):
    client.force_login(street_staff)
    r = client.post("/requests/catalogue/categories/new/", NEW)
    assert r.status_code == 302
    category = Category.objects.get(code="pest_control")
    assert (category.name, category.handler_kind, category.sort, category.active) == (
        "除虫灭鼠", "property_company", 120, True)
    levels = {lv.urgency: (lv.response_value, lv.response_unit, lv.resolution_value, lv.resolution_unit)
              for lv in ServiceLevel.objects.filter(category=category)}
    assert levels == {"emergency": (Decimal(1), "hours", Decimal(2), "hours"),
                      "urgent": (Decimal(2), "hours", Decimal(24), "hours"),
                      "normal": (Decimal(24), "hours", Decimal(7), "working_days"),
                      "complex": (Decimal(24), "hours", Decimal(15), "working_days")}
    event = Event.objects.get(verb="workorders.create_category")
    assert event.actor == street_staff
    assert event.after == {"code": "pest_control", "name": "除虫灭鼠", "description": "",
                           "handler_kind": "property_company", "department": None, "sort": 120, "personal": False}
    assert "除虫灭鼠" in client.get("/requests/catalogue/").content.decode()


@pytest.mark.parametrize(("_case", "changes", "field", "message"), [
    ("capital letters", {"code": "Pest"}, "code", "代码只能由小写字母、数字和下划线组成"),
    ("a hyphen", {"code": "pest-control"}, "code", "代码只能由小写字母、数字和下划线组成"),
    ("Chinese code", {"code": "除虫"}, "code", "代码只能由小写字母、数字和下划线组成"),
    ("code taken", {"code": "utilities"}, "code", "已有相同代码的类别"),
    ("no code", {"code": ""}, "code", "请填写类别代码"),
    ("name taken", {"name": "水电维修"}, "name", "已有同名类别"),
    ("no name", {"name": "  "}, "name", "请填写类别名称"),
    ("no handler", {"handler_kind": ""}, "handler_kind", "请选择默认承办"),
    ("unknown handler", {"handler_kind": "mayor"}, "handler_kind", "请选择默认承办"),
    ("department handled without a department", {"handler_kind": "department"}, "department",
     "由职能部门承办的类别须选择承办部门"),
    ("no such department", {"handler_kind": "department", "department": "999999"}, "department",
     "所选部门不存在"),
    ("negative sort", {"sort": "-1"}, "sort", "排序须为0到32767之间的整数"),
    ("sort not a number", {"sort": "abc"}, "sort", "排序须为0到32767之间的整数"),
])
def test_bad_category_input_is_a_form_error_and_writes_nothing(client, street_staff, utilities, _case, changes,
                                                               field, message):
    client.force_login(street_staff)
    categories, levels, events = Category.objects.count(), ServiceLevel.objects.count(), Event.objects.count()
    r = client.post("/requests/catalogue/categories/new/", {**NEW, **changes})
    assert r.status_code == 400
    assert message in r.context["form"].errors[field][0]
    assert (Category.objects.count(), ServiceLevel.objects.count(), Event.objects.count()) == (
        categories, levels, events)


def test_edit_sets_a_department_and_is_audited_with_before_and_after(client, street_staff, utilities, orgs, tree):
    client.force_login(street_staff)
    police = orgs["police"]
    r = client.post(f"/requests/catalogue/categories/{utilities.pk}/", {
        "name": "水电气维修", "handler_kind": "department", "department": str(police.pk), "sort": "5"})
    assert r.status_code == 302
    utilities.refresh_from_db()
    assert (utilities.code, utilities.name, utilities.handler_kind, utilities.department, utilities.sort) == (
        "utilities", "水电气维修", "department", police, 5)
    event = Event.objects.get(verb="workorders.update_category")
    assert event.before == {"name": "水电维修", "handler_kind": "property_company", "department": None, "sort": 10}
    assert event.after == {"name": "水电气维修", "handler_kind": "department", "department": police.pk, "sort": 5}
    # routing now falls back to the department for this category
    assert actions.route(utilities, tree["household"]) == police


def test_edit_refuses_a_non_department_and_a_taken_name(client, street_staff, utilities, orgs):
    client.force_login(street_staff)
    r = client.post(f"/requests/catalogue/categories/{utilities.pk}/", {
        "name": "水电", "handler_kind": "department", "department": str(orgs["company"].pk), "sort": "10"})
    assert r.status_code == 400
    assert r.context["form"].errors["department"] == ["所选部门不存在"]  # only departments are offered
    r = client.post(f"/requests/catalogue/categories/{utilities.pk}/", {
        "name": "电梯", "handler_kind": "community", "sort": "10"})
    assert r.status_code == 400
    assert r.context["form"].errors["name"] == ["已有同名类别"]
    utilities.refresh_from_db()
    assert (utilities.name, utilities.handler_kind) == ("水电维修", "property_company")
    assert not Event.objects.filter(verb="workorders.update_category").exists()


def test_saving_unchanged_writes_no_event(client, street_staff, utilities):
    client.force_login(street_staff)
    r = client.post(f"/requests/catalogue/categories/{utilities.pk}/", {
        "name": "水电维修", "handler_kind": "property_company", "sort": "10"})
    assert r.status_code == 302
    assert not Event.objects.filter(verb="workorders.update_category").exists()


def test_a_stopped_category_leaves_the_forms_and_lists_but_old_requests_keep_it(
        client, street_staff, resident, filed):
    utilities = filed.category
    client.force_login(street_staff)
    assert client.post(f"/requests/catalogue/categories/{utilities.pk}/deactivate/").status_code == 302
    utilities.refresh_from_db()
    assert utilities.active is False
    event = Event.objects.get(verb="workorders.deactivate_category")
    assert (event.before, event.after) == ({"active": True}, {"active": False})
    filed.refresh_from_db()
    assert filed.category == utilities
    client.force_login(resident)
    form = client.get("/requests/new/").context["form"]
    assert "utilities" not in dict(form.fields["category"].choices)
    services = client.get("/open311/v2/services.json").json()
    assert "utilities" not in {s["service_code"] for s in services}
    assert client.get(f"/requests/{filed.pk}/").status_code == 200
    client.force_login(street_staff)
    assert client.post(f"/requests/catalogue/categories/{utilities.pk}/activate/").status_code == 302
    utilities.refresh_from_db()
    assert utilities.active is True
    assert Event.objects.filter(verb="workorders.activate_category").count() == 1
    assert client.post(f"/requests/catalogue/categories/{utilities.pk}/explode/").status_code == 404


@pytest.mark.parametrize("value", ["0", "-1", "0.5"])
def test_a_limit_below_one_is_refused(client, street_staff, utilities, value):
    level = ServiceLevel.objects.get(category=utilities, urgency="normal")
    client.force_login(street_staff)
    r = client.post(f"/requests/catalogue/{level.pk}/", {"response_value": value, "response_unit": "hours",
                                                         "resolution_value": "5", "resolution_unit": "working_days"})
    assert r.status_code == 400
    assert r.context["form"].errors["response_value"] == ["时限至少为1"]
    level.refresh_from_db()
    assert level.response_value == Decimal(24)
    assert not Event.objects.filter(verb="workorders.update_catalogue").exists()


def test_the_action_refuses_a_limit_below_one_too(street_staff, utilities):
    from django.core.exceptions import ValidationError

    level = ServiceLevel.objects.get(category=utilities, urgency="normal")
    with pytest.raises(ValidationError) as exc:
        actions.update_service_level(level, by=street_staff, resolution_value=Decimal("0"))
    assert exc.value.message_dict == {"resolution_value": ["时限至少为1"]}


SETTINGS = {"reopen_days": "10", "unrated_days": "5", "satisfied_min": "4", "basic_satisfied_score": "3",
            "basic_satisfied_weight": "0.5", "unrated_in_denominator": "", "grab_minutes": "45",
            "whistle_ack_hours": "4", "escalate_after_hours": "8"}


def test_street_staff_edit_the_service_settings(client, street_staff):
    client.force_login(street_staff)
    assert "诉求参数" in client.get("/requests/catalogue/").content.decode()
    r = client.post("/requests/catalogue/settings/", SETTINGS)
    assert r.status_code == 302
    cfg = ServiceSettings.current()
    assert (cfg.reopen_days, cfg.unrated_days, cfg.basic_satisfied_weight, cfg.unrated_in_denominator,
            cfg.grab_minutes, cfg.whistle_ack_hours) == (10, 5, Decimal("0.50"), False, 45, Decimal("4.0"))
    event = Event.objects.get(verb="workorders.update_service_settings")
    assert event.actor == street_staff
    assert event.before == {"reopen_days": 7, "unrated_days": 7, "basic_satisfied_weight": "0.00",
                            "unrated_in_denominator": True, "grab_minutes": 30, "whistle_ack_hours": "2.0"}
    assert event.after == {"reopen_days": 10, "unrated_days": 5, "basic_satisfied_weight": "0.5",
                           "unrated_in_denominator": False, "grab_minutes": 45, "whistle_ack_hours": "4"}


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"reopen_days": "0"}, "reopen_days", "须在1到365之间"),
    ({"reopen_days": "abc"}, "reopen_days", "须为整数"),
    ({"unrated_days": "9999"}, "unrated_days", "须在1到365之间"),
    ({"satisfied_min": "6"}, "satisfied_min", "须在1到5之间"),
    ({"basic_satisfied_weight": "1.5"}, "basic_satisfied_weight", "须在0到1之间"),
    ({"basic_satisfied_score": "4"}, "basic_satisfied_score", "基本满意分须低于满意最低分"),
    ({"grab_minutes": ""}, "grab_minutes", "请填写此项"),
    ({"whistle_ack_hours": "0"}, "whistle_ack_hours", "须在0.5到720之间"),
    ({"escalate_after_hours": "x"}, "escalate_after_hours", "请填写数字"),
])
def test_bad_settings_are_form_errors_and_change_nothing(client, street_staff, changes, field, message):
    client.force_login(street_staff)
    r = client.post("/requests/catalogue/settings/", {**SETTINGS, **changes})
    assert r.status_code == 400
    assert r.context["form"].errors[field] == [message]
    cfg = ServiceSettings.current()
    assert (cfg.reopen_days, cfg.grab_minutes) == (7, 30)
    assert not Event.objects.filter(verb="workorders.update_service_settings").exists()


@pytest.mark.parametrize("role", ["community_staff", "grid_worker", "resident", "outsider", "department_liaison"])
def test_only_street_staff_change_the_catalogue(request, client, utilities, role):
    client.force_login(request.getfixturevalue(role))
    events = Event.objects.count()
    assert client.get("/requests/catalogue/settings/").status_code == 403
    assert client.post("/requests/catalogue/settings/", SETTINGS).status_code == 403
    assert client.post("/requests/catalogue/categories/new/", NEW).status_code == 403
    assert client.post(f"/requests/catalogue/categories/{utilities.pk}/",
                       {**NEW, "name": "改名"}).status_code == 403
    assert client.post(f"/requests/catalogue/categories/{utilities.pk}/deactivate/").status_code == 403
    utilities.refresh_from_db()
    assert (utilities.name, utilities.active) == ("水电维修", True)
    assert not Category.objects.filter(code="pest_control").exists()
    assert ServiceSettings.current().reopen_days == 7
    assert Event.objects.count() == events


def test_a_category_marked_personal_keeps_its_requests_private_by_default(client, street_staff, utilities, tree,
                                                                           resident):
    client.force_login(street_staff)
    r = client.post(f"/requests/catalogue/categories/{utilities.pk}/", {
        "name": "水电维修", "handler_kind": "property_company", "sort": "10", "personal": "on"})
    assert r.status_code == 302
    event = Event.objects.get(verb="workorders.update_category")
    assert (event.before, event.after) == ({"personal": False}, {"personal": True})
    req = actions.file_request(by=resident, category=Category.objects.get(pk=utilities.pk), description="楼道漏水",
                               place=tree["building"])
    assert req.public is False  # a common part, but a personal matter now
