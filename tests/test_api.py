"""The JSON API: bad input is a 4xx JSON body naming the field, and nothing is written."""

import json

import pytest

from gongzhi.core.models import Event
from gongzhi.people.models import ApiToken, Organisation, Person, Position
from gongzhi.places.models import Place


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"kind": "building", "name": ""}, "name", None),
    ({"kind": "castle", "name": "x"}, "kind", None),
    ({"kind": "household", "name": "x", "registered_area": -1}, "registered_area", None),
    ({"kind": "household", "name": "x", "registered_area": "abc"}, "registered_area", None),
    ({"kind": "compound", "name": "x"}, "parent", "小区 不能放在 单元 之下"),
    ({"kind": "household", "name": "x", "code": "C1"}, "code", "编码 C1 已被使用"),
])
def test_create_place_errors_name_the_field(client, tree, community_staff, body, field, message):
    client.force_login(community_staff)
    before = (Place.objects.count(), Event.objects.count())
    response = post(client, "/api/places", {"parent": tree["unit"].pk, **body})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert field in detail[0]["loc"]
    if message:
        assert message in detail[0]["msg"]
    assert (Place.objects.count(), Event.objects.count()) == before


def test_create_and_patch_place(client, tree, community_staff):
    client.force_login(community_staff)
    response = post(client, "/api/places", {"parent": tree["unit"].pk, "kind": "household", "name": "103",
                                             "registered_area": "66.60"})
    assert response.status_code == 201
    pk = response.json()["id"]
    response = client.patch(f"/api/places/{pk}", data=json.dumps({"name": "103室"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "103室"
    assert Place.objects.get(pk=pk).registered_area == __import__("decimal").Decimal("66.60")


def test_children_carry_counts(client, tree, community_staff, resident):
    client.force_login(community_staff)
    items = client.get(f"/api/places/{tree['community'].pk}/children").json()["items"]
    grid = next(i for i in items if i["code"] == "G1")
    assert (grid["households"], grid["residents"], grid["compounds"]) == (2, 1, 1)


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"name": "王五", "id_number": "110105194912310021"}, "id_number", "身份证号码校验位错误"),
    ({"name": "王五", "phone": "12345"}, "phone", "不是有效的中国大陆电话号码"),
    ({"name": ""}, "name", None),
    ({"name": "王五", "id_number": "11010519491231002X"}, "id_number", "该身份证号码已登记"),
])
def test_create_person_errors_name_the_field(client, tree, community_staff, body, field, message):
    client.force_login(community_staff)
    Person.objects.create(name="张三", place=tree["household"]).set_id_number("11010519491231002X")
    p = Person.objects.get(name="张三")
    p.set_id_number("11010519491231002X")
    p.save()
    before = Person.objects.count()
    response = post(client, "/api/persons", {"place": tree["household"].pk, **body})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert field in detail["loc"]
    if message:
        assert detail["msg"] == message
    assert Person.objects.count() == before


def test_person_detail_shows_every_post_and_masks_pii(client, tree, community_staff):
    client.force_login(community_staff)
    body = client.get(f"/api/persons/{community_staff.person.pk}").json()
    assert sorted(p["title"] for p in body["positions"]) == ["community_director", "community_secretary"]
    assert "*" in body["id_number"] and "*" in body["phone"]
    assert community_staff.person.id_number not in json.dumps(body)


def test_property_company_needs_a_valid_uscc(client, tree, community_staff):
    client.force_login(community_staff)
    before = Organisation.objects.count()
    r = post(client, "/api/organisations", {"kind": "property_company", "name": "某物业",
                                            "place": tree["community"].pk, "uscc": "91110000600037341X"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "uscc"]
    r = post(client, "/api/organisations", {"kind": "property_company", "name": "某物业",
                                            "place": tree["community"].pk})
    assert r.json()["detail"][0]["msg"] == "物业服务企业必须填写统一社会信用代码"
    assert Organisation.objects.count() == before
    r = post(client, "/api/organisations", {"kind": "property_company", "name": "某物业",
                                            "place": tree["community"].pk, "uscc": "91610104MA6U03X03G"})
    assert r.status_code == 201


def test_appoint_and_end_position(client, tree, orgs, community_staff, resident):
    client.force_login(community_staff)
    r = post(client, "/api/positions", {"person": resident.person.pk, "organisation": orgs["community_office"].pk,
                                        "title": "building_head", "place": tree["building"].pk})
    assert r.status_code == 201
    pk = r.json()["id"]
    r = post(client, "/api/positions", {"person": resident.person.pk, "organisation": orgs["community_office"].pk,
                                        "title": "building_head", "place": tree["building"].pk,
                                        "start_date": "2025-05-01", "end_date": "2025-01-01"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "end_date"]
    r = client.post(f"/api/positions/{pk}/end")
    assert r.status_code == 200 and r.json()["end_date"] is not None
    assert Position.objects.filter(person=resident.person).count() == 1


def test_bearer_token_authenticates(client, tree, grid_worker):
    _token, key = ApiToken.issue(grid_worker, "巡查App")
    response = client.get("/api/places?kind=household", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and response.json()["count"] == 2
    response = client.get("/api/places", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert ApiToken.objects.get().last_used_at is not None


def test_token_users_cannot_write_outside_scope(client, tree, grid_worker):
    _token, key = ApiToken.issue(grid_worker, "巡查App", scope=ApiToken.Scope.WRITE)
    count = Place.objects.count()
    response = client.post("/api/places", data=json.dumps({"parent": tree["grid"].pk, "kind": "compound",
                                                           "name": "x"}),
                           content_type="application/json", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403 and response.json() == {"detail": "无权执行此操作"}
    assert Place.objects.count() == count


def test_openapi_docs_are_served(client, tree, community_staff):
    client.force_login(community_staff)
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/places" in schema["paths"] and "/api/persons" in schema["paths"]


def test_pagination_and_filters(client, tree, street_staff):
    client.force_login(street_staff)
    body = client.get("/api/places?kind=household&limit=2&offset=1").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    body = client.get("/api/places?q=尚书").json()
    assert [i["code"] for i in body["items"]] == ["C1"]
    body = client.get(f"/api/places?under={tree['other_community'].pk}&kind=household").json()
    assert [i["code"] for i in body["items"]] == ["OC1-1-201"]
