"""户成员 in the app: add (a new or an already registered person), change and end a household membership from the
household and person pages, with the household import's checks; scoped and audited."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.core.scope import covers
from gongzhi.people import actions
from gongzhi.people.models import HouseholdMember, Person
from gongzhi.places.models import Place


def _member_post(**kw):
    return {"name": "赵六", "id_number": "11010519491231002X", "phone": "13800138000", "relation": "owner",
            "share": "0.5", "registered_area": "91.25", **kw}


def test_community_adds_a_new_person_to_the_household(client, tree, community_staff, captured_events):
    client.force_login(community_staff)
    household = tree["household2"]
    with captured_events() as events:
        response = client.post(f"/people/households/{household.pk}/members/new/",
                               _member_post(is_representative="on"))
    assert response.status_code == 302 and response["Location"] == f"/places/{household.pk}/"
    person = Person.objects.get(name="赵六")
    member = HouseholdMember.objects.get(person=person)
    assert (member.place_id, member.relation, member.share, member.is_representative) == (
        household.pk, "owner", Decimal("0.5"), True)
    assert person.place_id == household.pk
    household.refresh_from_db()
    assert household.registered_area == Decimal("91.25")
    assert [e.verb for e in events] == ["people.create_person", "people.add_household_member"]
    assert events[1].after == {"person": person.pk, "relation": "owner", "share": "0.5", "is_representative": True,
                               "registered_area": "91.25"}
    assert events[1].actor == community_staff and events[1].place_path == household.path
    page = client.get(f"/places/{household.pk}/").content.decode()
    assert "赵六" in page and "共有人代表" in page and "138****8000" in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("share", "1.5", "产权份额必须大于0且不超过1"),
    ("share", "abc", "产权份额必须大于0且不超过1"),
    ("share", "NaN", "产权份额必须大于0且不超过1"),
    ("share", "0.33333", "产权份额最多保留四位小数"),
    ("registered_area", "-3", "面积不能为负数"),
    ("registered_area", "1e9", "面积过大"),
    ("relation", "landlord", "关系应为：业主、租户或住户"),
    ("id_number", "110105194912310021", "身份证"),
    ("phone", "12345", "手机号"),
])
def test_bad_input_is_a_chinese_error_and_writes_nothing(client, tree, community_staff, field, value, message):
    client.force_login(community_staff)
    people, events = Person.objects.count(), Event.objects.count()
    response = client.post(f"/people/households/{tree['household2'].pk}/members/new/", _member_post(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Person.objects.count(), Event.objects.count()) == (people, events)
    assert not HouseholdMember.objects.filter(place=tree["household2"], person__name="赵六").exists()


def test_the_form_and_the_import_share_their_rules(tree):
    """One cleaner (actions.clean_member_fields) answers for both: the same input, the same message."""
    with pytest.raises(ValidationError) as exc:
        actions.clean_member_fields({"relation": "owner", "share": "1.5", "registered_area": "-1"})
    assert exc.value.message_dict == {"share": ["产权份额必须大于0且不超过1"], "registered_area": ["面积不能为负数"]}
    assert actions.clean_member_fields({"share": "", "registered_area": ""}) == {"share": Decimal(1),
                                                                                 "registered_area": None}


def test_an_already_registered_person_is_found_by_id_number(client, tree, community_staff, resident):
    client.force_login(community_staff)
    person = resident.person
    response = client.post(f"/people/households/{tree['household2'].pk}/members/new/", _member_post(
        name=person.name, id_number=person.id_number, phone="", relation="tenant", share=""))
    assert response.status_code == 302
    assert Person.objects.filter(name=person.name).count() == 1
    assert HouseholdMember.objects.get(place=tree["household2"], person=person).relation == "tenant"


def test_an_id_number_registered_under_another_name_is_refused(client, tree, community_staff, resident):
    client.force_login(community_staff)
    response = client.post(f"/people/households/{tree['household2'].pk}/members/new/", _member_post(
        id_number=resident.person.id_number))
    assert response.status_code == 400
    assert "该身份证号码已登记为另一姓名" in response.content.decode()
    assert not HouseholdMember.objects.filter(place=tree["household2"], person=resident.person).exists()


def test_change_share_and_representative(client, tree, community_staff, resident, captured_events):
    first = HouseholdMember.objects.get(person=resident.person)
    actions.update_household_member(first, by=SYSTEM, is_representative=True)
    co_owner = actions.register_household_member(tree["household"], by=SYSTEM, person_fields={"name": "共有人"},
                                                 member_fields={"relation": "owner", "share": "0.5"})
    client.force_login(community_staff)
    with captured_events() as events:
        response = client.post(f"/people/members/{co_owner.pk}/edit/", {
            "relation": "owner", "share": "0.5", "registered_area": "89.50", "is_representative": "on"})
    assert response.status_code == 302
    first.refresh_from_db()
    co_owner.refresh_from_db()
    assert (first.is_representative, co_owner.is_representative) == (False, True)  # one representative
    assert [(e.verb, e.before, e.after) for e in events] == [
        ("people.update_household_member", {"is_representative": False}, {"is_representative": True})]


def test_only_an_owner_represents_the_household(tree, resident):
    member = HouseholdMember.objects.get(person=resident.person)
    with pytest.raises(ValidationError) as exc:
        actions.update_household_member(member, by=SYSTEM, relation="tenant", is_representative=True)
    assert "只有业主可以作为共有人代表" in exc.value.message_dict["is_representative"]


def test_ending_a_membership_ends_the_residents_access(client, tree, community_staff, resident, captured_events):
    """The end date is the last day of the tie (as for posts): ended today, it stops counting at midnight."""
    member = HouseholdMember.objects.get(person=resident.person)
    HouseholdMember.objects.filter(pk=member.pk).update(start_date=datetime.date(2024, 1, 1))
    assert covers(resident, tree["household"].path)
    client.force_login(community_staff)
    with captured_events() as events:
        response = client.post(f"/people/members/{member.pk}/end/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.end_date == timezone.localdate()
    assert "登记至" in client.get(f"/places/{tree['household'].pk}/").content.decode()
    with captured_events() as events:
        response = client.post(f"/people/members/{member.pk}/end/", {"end_date": "2025-12-31"})
    member.refresh_from_db()
    assert member.end_date == datetime.date(2025, 12, 31)
    assert [(e.verb, e.after["end_date"]) for e in events] == [("people.end_household_member", "2025-12-31")]
    assert not HouseholdMember.objects.current().filter(pk=member.pk).exists()
    client.get(f"/places/{tree['household'].pk}/")  # shows (and so drops) the flash message naming them
    assert "测试resident" not in client.get(f"/places/{tree['household'].pk}/").content.decode()
    client.force_login(resident)
    assert client.get(f"/places/{tree['household'].pk}/").status_code in (403, 404)
    # registering the tie again opens it again (one row per person × household × relation)
    again = actions.add_household_member(tree["household"], resident.person, relation="owner", by=SYSTEM)
    assert again.pk == member.pk and again.end_date is None


def test_an_end_before_the_start_is_refused(client, tree, community_staff, resident):
    member = HouseholdMember.objects.get(person=resident.person)
    client.force_login(community_staff)
    response = client.post(f"/people/members/{member.pk}/end/", {"end_date": "2000-01-01"}, follow=True)
    assert "结束日期不能早于开始日期" in response.content.decode()
    response = client.post(f"/people/members/{member.pk}/end/", {"end_date": "2026-13-45"}, follow=True)
    assert "日期格式应为" in response.content.decode()
    member.refresh_from_db()
    assert member.end_date is None


def test_a_person_joins_a_household_from_their_page(client, tree, community_staff, grid_worker):
    client.force_login(community_staff)
    person = grid_worker.person
    response = client.post(f"/people/{person.pk}/homes/new/", {"household": "C1-1-1-102", "relation": "resident"})
    assert response.status_code == 302
    assert HouseholdMember.objects.get(person=person).place_id == tree["household2"].pk
    response = client.post(f"/people/{person.pk}/homes/new/", {"household": "OC1-1-201", "relation": "resident"})
    assert response.status_code == 400
    assert "户编码 OC1-1-201 不存在或不在您的管理范围内" in response.content.decode()


def test_the_rights_are_checked_inside_the_actions(tree, grid_worker, outsider, resident):
    member = HouseholdMember.objects.get(person=resident.person)
    for who in (grid_worker, outsider):
        with pytest.raises(PermissionDenied):
            actions.update_household_member(member, by=who, share="0.5")
        with pytest.raises(PermissionDenied):
            actions.end_household_member(member, by=who)
        with pytest.raises(PermissionDenied):
            actions.register_household_member(tree["household"], by=who, person_fields={"name": "某人"},
                                              member_fields={"relation": "resident"})
    member.refresh_from_db()
    assert (member.share, member.end_date) == (Decimal(1), None)
    assert not Person.objects.filter(name="某人").exists()


def test_the_household_panel_offers_management_to_managers_only(client, tree, community_staff, grid_worker):
    url = f"/places/{tree['household'].pk}/"
    client.force_login(community_staff)
    assert "添加户成员" in client.get(url).content.decode()
    client.force_login(grid_worker)
    html = client.get(url).content.decode()
    assert "添加户成员" not in html and "结束登记" not in html


def test_area_of_an_unchanged_form_is_not_rewritten(tree, resident, captured_events):
    member = HouseholdMember.objects.get(person=resident.person)
    with captured_events() as events:
        actions.update_household_member(member, by=SYSTEM, share="1", registered_area="89.50")
    assert events == []
    assert Place.objects.get(pk=tree["household"].pk).registered_area == Decimal("89.50")


# ---------------------------------------------------------------- the API calls the same actions


def test_api_adds_changes_and_ends_a_member(client, tree, community_staff, resident):
    client.force_login(community_staff)
    url = f"/api/households/{tree['household2'].pk}/members"
    response = client.post(url, {"name": "赵六", "phone": "13800138000", "relation": "owner", "share": "0.5",
                                 "registered_area": 100}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["relation"], body["share"], body["end_date"]) == ("owner", "0.5", None)
    assert Place.objects.get(pk=tree["household2"].pk).registered_area == Decimal("100.00")
    response = client.post(url, {"person": resident.person.pk, "relation": "tenant"}, content_type="application/json")
    assert response.status_code == 201
    assert Place.objects.get(pk=tree["household2"].pk).registered_area == Decimal("100.00")  # not sent: kept
    member = body["id"]
    response = client.patch(f"/api/household-members/{member}", {"is_representative": True},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["is_representative"] is True
    response = client.post(f"/api/household-members/{member}/end?end_date=2099-01-01")
    assert response.status_code == 200 and response.json()["end_date"] == "2099-01-01"


@pytest.mark.parametrize(("payload", "field", "message"), [
    ({"name": "赵六", "relation": "owner", "share": "1.5"}, "share", "产权份额必须大于0且不超过1"),
    ({"name": "赵六", "relation": "owner", "registered_area": -1}, "registered_area", "面积不能为负数"),
    ({"name": "", "relation": "owner"}, "name", "姓名不能为空"),
    ({"name": "赵六", "relation": "tenant", "is_representative": True}, "is_representative", "只有业主"),
])
def test_api_bad_input_is_422_naming_the_field(client, tree, community_staff, payload, field, message):
    client.force_login(community_staff)
    people = Person.objects.count()
    response = client.post(f"/api/households/{tree['household2'].pk}/members", payload,
                           content_type="application/json")
    assert response.status_code == 422
    (detail,) = [d for d in response.json()["detail"] if d["loc"][-1] == field]
    assert message in detail["msg"]
    assert Person.objects.count() == people
