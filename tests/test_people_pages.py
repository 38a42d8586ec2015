"""People pages: registering a person, cross-appointments, bad input on forms."""

import pytest

from gongzhi.core.models import Event
from gongzhi.people.models import Person, Position


def test_person_form_errors_are_chinese_and_write_nothing(client, tree, community_staff):
    client.force_login(community_staff)
    count = Person.objects.count()
    response = client.post(f"/people/new/{tree['household'].pk}/", {"name": "", "id_number": "110105194912310021",
                                                                     "phone": "12"})
    html = response.content.decode()
    assert "姓名不能为空" in html
    response = client.post(f"/people/new/{tree['household'].pk}/", {"name": "王五", "id_number": "110105194912310021",
                                                                     "phone": "12"})
    html = response.content.decode()
    assert "身份证号码校验位错误" in html and "电话号码格式错误" in html
    assert Person.objects.count() == count


def test_register_a_person(client, tree, community_staff):
    client.force_login(community_staff)
    response = client.post(f"/people/new/{tree['household'].pk}/", {"name": "王五", "id_number": "11010519491231002X",
                                                                     "phone": "13800138000"})
    person = Person.objects.get(name="王五")
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "110***********002X" in html and "138****8000" in html
    assert "11010519491231002X" not in html


def test_cross_appointments_show_on_the_person_page(client, tree, orgs, community_staff, resident):
    client.force_login(community_staff)
    person = resident.person
    for org, title, place in [(orgs["community_office"], "building_head", tree["building"]),
                              (orgs["grid_branch"], "branch_secretary", tree["grid"])]:
        r = client.post(f"/people/{person.pk}/positions/new/", {"organisation": org.pk, "title": title,
                                                                "place": place.pk})
        assert r.status_code == 302
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert "交叉任职 2 项" in html and "楼栋长" in html and "党支部书记" in html
    assert Event.objects.filter(verb="people.appoint_position", actor=community_staff).count() == 2


def test_position_form_rejects_bad_dates_and_outside_places(client, tree, orgs, community_staff, resident):
    client.force_login(community_staff)
    count = Position.objects.count()
    r = client.post(f"/people/{resident.person.pk}/positions/new/", {
        "organisation": orgs["community_office"].pk, "title": "building_head", "place": tree["building"].pk,
        "start_date": "2026-05-01", "end_date": "2026-01-01"})
    assert "结束日期不能早于开始日期" in r.content.decode()
    r = client.post(f"/people/{resident.person.pk}/positions/new/", {
        "organisation": orgs["community_office"].pk, "title": "building_head", "place": tree["other_household"].pk})
    assert "所选区域不存在或不在您的范围内" in r.content.decode()
    assert Position.objects.count() == count


@pytest.mark.parametrize("role", ["grid_worker", "outsider", "resident"])
def test_others_cannot_appoint(request, client, tree, orgs, resident, role):
    user = resident if role == "resident" else request.getfixturevalue(role)
    client.force_login(user)
    count = Position.objects.count()
    r = client.post(f"/people/{resident.person.pk}/positions/new/", {
        "organisation": orgs["community_office"].pk, "title": "building_head", "place": tree["building"].pk})
    assert r.status_code in (403, 404)
    assert Position.objects.count() == count


def test_ending_a_position(client, tree, community_staff, grid_worker):
    client.force_login(community_staff)
    position = Position.objects.filter(person=grid_worker.person).first()
    assert client.post(f"/people/positions/{position.pk}/end/").status_code == 302
    position.refresh_from_db()
    assert position.end_date is not None
    client.force_login(grid_worker)
    assert client.post(f"/people/positions/{position.pk}/end/").status_code in (403, 404)
