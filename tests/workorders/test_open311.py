"""Open311 GeoReport v2 at /open311/v2/: services, public request status without personal data, filing by a
12345 gateway's token, and the spec's error lists (nothing written on an error)."""

import datetime
import re
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.people.models import ApiToken
from gongzhi.workorders import actions
from gongzhi.workorders.models import Category, Channel, Request

BASE = "/open311/v2"


def rows():
    return Request.objects.count(), Event.objects.count()


@pytest.fixture
def gateway_key(street_staff):
    """The 12345 gateway's account is street staff; its token is what the gateway sends as api_key."""
    _token, key = ApiToken.issue(street_staff, "12345 热线对接", scope=ApiToken.Scope.WRITE)
    return key


def file_311(client, **data):
    return client.post(f"{BASE}/requests.json", data=data)


# ---------------------------------------------------------------- services


def test_services_list_the_active_categories(client, db):
    Category.objects.filter(code="other").update(active=False)
    r = client.get(f"{BASE}/services.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/json; charset=utf-8"
    services = r.json()
    assert [s["service_code"] for s in services][:3] == ["utilities", "elevator", "sanitation"]
    assert "other" not in {s["service_code"] for s in services}
    assert services[0] == {"service_code": "utilities", "service_name": "水电维修", "description": "",
                           "metadata": True, "type": "realtime", "keywords": "水电维修", "group": "小区物业企业"}
    assert len(services) == Category.objects.filter(active=True).count() == 10


def test_services_xml(client, db):
    r = client.get(f"{BASE}/services.xml")
    assert r.status_code == 200 and r["Content-Type"] == "text/xml; charset=utf-8"
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(r.content)
    assert root.tag == "services"
    first = root.find("service")
    assert (first.findtext("service_code"), first.findtext("service_name"), first.findtext("metadata"),
            first.findtext("type")) == ("utilities", "水电维修", "true", "realtime")
    assert [child.tag for child in first] == ["service_code", "service_name", "description", "metadata", "type",
                                              "keywords", "group"]
    assert len(root.findall("service")) == 11


def test_service_definition(client, db):
    body = client.get(f"{BASE}/services/utilities.json").json()
    assert body["service_code"] == "utilities"
    urgency, anonymous, public = body["attributes"]
    assert urgency == {
        "variable": True, "code": "urgency", "datatype": "singlevaluelist", "required": False,
        "datatype_description": "不填为 normal（一般）；调度员受理后可调整", "order": 1, "description": "紧急程度",
        "values": [{"key": "emergency", "name": "紧急（危及生命财产安全）"}, {"key": "urgent", "name": "较急（水电气暖）"},
                   {"key": "normal", "name": "一般"}, {"key": "complex", "name": "疑难复杂"}]}
    assert (anonymous["code"], anonymous["datatype"], anonymous["required"], anonymous["order"],
            anonymous["values"]) == ("anonymous", "singlevaluelist", False, 2,
                                     [{"key": "true", "name": "是"}, {"key": "false", "name": "否"}])
    assert (public["code"], public["required"], public["order"], [v["key"] for v in public["values"]]) == (
        "public", False, 3, ["true", "false"])
    r = client.get(f"{BASE}/services/utilities.xml")
    assert r.status_code == 200 and r["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(r.content)
    assert (root.tag, root.findtext("service_code")) == ("service_definition", "utilities")
    attributes = root.find("attributes").findall("attribute")
    assert [a.findtext("code") for a in attributes] == ["urgency", "anonymous", "public"]
    first = attributes[0]
    assert [child.tag for child in first] == ["variable", "code", "datatype", "required", "datatype_description",
                                              "order", "description", "values"]
    assert (first.findtext("variable"), first.findtext("required"), first.findtext("order")) == ("true", "false", "1")
    values = first.find("values").findall("value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values][2] == ("normal", "一般")
    assert len(values) == 4
    r = client.get(f"{BASE}/services/potholes.json")
    assert r.status_code == 404 and r.json() == [{"code": 404, "description": "service_code potholes 不存在"}]
    root = ET.fromstring(client.get(f"{BASE}/services/potholes.xml").content)
    assert (root.tag, root.find("error").findtext("code")) == ("errors", "404")


# ---------------------------------------------------------------- filing


def test_gateway_files_one_request(client, tree, managed, gateway_key, street_staff):
    # given the 12345 gateway's token
    before = rows()
    # when it posts a request form-encoded, as the spec says
    r = file_311(client, api_key=gateway_key, service_code="utilities", address_id=str(tree["household"].pk),
                 description="市民来电：厨房水管漏水", first_name="伟", last_name="王", phone="13912345678",
                 email="wang@example.com", media_url="http://example.com/a.jpg")
    # then exactly one request, filed by the gateway's account through channel open311
    assert r.status_code == 201
    assert rows() == (before[0] + 1, before[1] + 1)
    req = Request.objects.get()
    assert (req.channel, req.filed_by, req.category.code, req.place, req.reporter) == (
        Channel.OPEN311, street_staff, "utilities", tree["household"], None)
    assert (req.contact_name, req.contact_phone, req.description) == ("王伟", "13912345678", "市民来电：厨房水管漏水")
    body = r.json()
    assert body == [{"service_request_id": req.number, "account_id": None, "service_notice": body[0]["service_notice"]}]
    assert body[0]["service_notice"].startswith(f"已受理，编号 {req.number}")
    assert ApiToken.objects.get().last_used_at is not None
    assert Event.objects.get(verb="workorders.file_request").actor == street_staff


def test_gateway_files_by_place_code_in_xml(client, tree, managed, gateway_key):
    r = client.post(f"{BASE}/requests.xml", data={"api_key": gateway_key, "service_code": "elevator",
                                                   "address_string": "C1-1", "description": "电梯困人已解除，需检修"})
    assert r.status_code == 201
    root = ET.fromstring(r.content)
    req = Request.objects.get()
    assert (root.tag, root.find("request").findtext("service_request_id"), req.place) == (
        "service_requests", req.number, tree["building"])


@pytest.mark.parametrize(("data", "code", "description"), [
    ({"api_key": None}, 403, "缺少 api_key"),
    ({"api_key": "gz_wrong"}, 403, "api_key 无效"),
    ({"service_code": ""}, 400, "缺少 service_code"),
    ({"service_code": "potholes"}, 404, "service_code potholes 不存在"),
    ({"description": "漏" * 1001}, 400, "description: 问题描述不能超过1000个字（当前1001个）"),
    ({"address_id": "999999"}, 400, "address_id 999999 不存在"),
    # lat/long alone are placed (tests/workorders/test_open311_location.py); another province is outside
    ({"address_id": "", "lat": "39.9", "long": "116.4"}, 400,
     "lat/long 39.900000, 116.400000（东城区） 不在本平台服务的区县范围内，请提供 address_id 或 address_string"),
    ({"address_id": ""}, 400, "缺少 address_id、address_string 或 lat/long"),
    ({"address_id": "", "address_string": "莲湖路1号"}, 400,
     "address_string 应为平台的区域编码或完整区域名称（如 尚书苑 / 1号楼）"),
    ({"phone": "1" * 21}, 400, "phone 不能超过20个字符"),
])
def test_filing_errors_follow_the_spec_and_write_nothing(client, tree, managed, gateway_key, data, code,
                                                         description):
    # given a valid form with one thing wrong
    form = {"api_key": gateway_key, "service_code": "utilities", "address_id": str(tree["household"].pk),
            "description": "水管漏水", **data}
    form = {k: v for k, v in form.items() if v is not None}  # None: the parameter is left out
    before = rows()
    # when the gateway posts it
    r = file_311(client, **form)
    # then the spec's error list names the parameter, and nothing is written
    assert r.status_code == code
    assert r.json() == [{"code": code, "description": description}]
    assert rows() == before


def test_a_token_user_outside_the_place_is_403(client, tree, managed, outsider):
    _token, key = ApiToken.issue(outsider, "别的社区", scope=ApiToken.Scope.WRITE)
    before = rows()
    r = file_311(client, api_key=key, service_code="utilities", address_id=str(tree["household"].pk),
                 description="水管漏水")
    assert r.status_code == 403
    assert r.json() == [{"code": 403, "description": "该 api_key 的账号无权在此位置提交诉求"}]
    assert rows() == before


def test_an_inactive_account_token_is_refused(client, tree, managed, street_staff, gateway_key):
    street_staff.is_active = False
    street_staff.save()
    before = rows()
    r = file_311(client, api_key=gateway_key, service_code="utilities", address_id=str(tree["household"].pk),
                 description="水管漏水")
    assert r.status_code == 403 and rows() == before


def test_post_needs_no_csrf_token(tree, managed, gateway_key):
    from django.test import Client

    r = Client(enforce_csrf_checks=True).post(f"{BASE}/requests.json", data={
        "api_key": gateway_key, "service_code": "utilities", "address_id": str(tree["household"].pk),
        "description": "水管漏水"})
    assert r.status_code == 201


def test_wrong_method_is_an_error_list(client, db):
    r = client.post(f"{BASE}/services.json")
    assert r.status_code == 405 and r.json()[0]["code"] == 405


# ---------------------------------------------------------------- reading


@pytest.fixture
def public_requests(tree, resident, community_staff, company_staff, managed, utilities):
    """One open request the resident chose to publish and one resolved (a common part: public by default); the
    resident wrote their phone into the second."""
    open_ = actions.file_request(by=resident, category=utilities, description="厨房水管漏水", place=tree["household"],
                                 contact_phone="13800001111", public=True)
    done = actions.file_request(by=resident, category=Category.objects.get(code="elevator"),
                                description="电梯异响，请回电13912345678", place=tree["building"], anonymous=True)
    actions.dispatch_request(done, to=managed, by=community_staff)
    actions.accept_request(done, by=company_staff)
    actions.resolve_request(done, by=company_staff, result_note="已更换导靴")
    return open_, done


def test_what_the_resident_typed_into_the_description_is_masked_in_the_feed(client, tree, resident, utilities):
    """+86 and dashes, a landline in parentheses, the room and the contact's own name (tests/test_public_mask.py
    walks the spellings)."""
    req = actions.file_request(by=resident, category=utilities, place=tree["household"], public=True,
                               contact_name="张建国", contact_phone="13800001111",
                               description="我是张建国，3号楼2单元501，电话+86 139-1234-5678，座机(029)8888 1234")
    (row,) = [r for r in client.get(f"{BASE}/requests.json").json() if r["service_request_id"] == req.number]
    assert row["description"] == "我是张**，*号楼*单元***，电话+86 139-****-5678，座机(029)**** 1234"
    assert Request.objects.get(pk=req.pk).description.startswith("我是张建国")  # masked in public only

def test_requests_are_public_without_personal_data(client, tree, public_requests, resident):
    open_, done = public_requests
    # when anyone, signed in or not, reads the requests
    r = client.get(f"{BASE}/requests.json")
    assert r.status_code == 200
    items = r.json()
    # then both are listed newest first, with status mapped to open/closed
    assert [i["service_request_id"] for i in items] == [done.number, open_.number]
    first, second = items
    # the handler's own words are not published (they may name people): the status in words
    assert (first["status"], first["status_notes"], first["agency_responsible"], first["service_code"]) == (
        "closed", "已办结", "万科物业", "elevator")
    assert (second["status"], second["status_notes"], second["agency_responsible"]) == ("open", "已下单", None)
    # at compound precision: a building, unit or household is published as its compound
    assert first["address"] == second["address"] == "莲湖区 / 青年路街道 / 莲湖路第一社区 / 第1网格 / 尚书苑"
    assert first["address_id"] == second["address_id"] == tree["compound"].pk
    assert first["description"] == "电梯异响，请回电139****5678"
    assert first["requested_datetime"] == timezone.localtime(done.created_at).isoformat(timespec="seconds")
    assert first["requested_datetime"].endswith("+08:00")
    assert first["expected_datetime"] == timezone.localtime(done.resolution_due_at).isoformat(timespec="seconds")
    assert (first["zipcode"], first["lat"], first["long"], first["media_url"]) == (None, None, None, None)
    text = r.content.decode()
    person = resident.person
    for secret in (person.name, person.phone, "13800001111", "13912345678", "/ 101", "1号楼", "1单元",
                   "已更换导靴", resident.username):
        assert secret not in text


def test_request_filters(client, tree, public_requests):
    open_, done = public_requests
    ids = lambda q: [i["service_request_id"] for i in client.get(f"{BASE}/requests.json?{q}").json()]  # noqa: E731
    assert ids("status=open") == [open_.number]
    assert ids("status=closed") == [done.number]
    assert ids("status=open,closed") == [done.number, open_.number]
    assert ids("service_code=utilities") == [open_.number]
    assert ids("service_code=utilities,elevator") == ids("service_code=utilities&service_code=elevator") == [
        done.number, open_.number]
    assert ids("status=open&status=closed") == [done.number, open_.number]
    assert ids(f"service_request_id={open_.number}&service_request_id={done.number}") == [done.number, open_.number]
    assert ids(f"service_request_id={open_.number},GZ-19990101-0001") == [open_.number]
    today = timezone.localdate()
    assert ids(f"start_date={today:%Y-%m-%d}") == [done.number, open_.number]
    assert ids(f"end_date={today - datetime.timedelta(days=1):%Y-%m-%d}") == []
    start = (timezone.localtime() - datetime.timedelta(hours=1)).isoformat(timespec="seconds")
    assert ids(f"start_date={start.replace('+', '%2B')}") == [done.number, open_.number]
    assert ids(f"start_date={start}") == [done.number, open_.number]  # an unescaped + arrives as a space
    assert ids(f"start_date={today + datetime.timedelta(days=1):%Y-%m-%d}") == []
    # older than 90 days: not in the default window
    Request.objects.filter(pk=open_.pk).update(created_at=timezone.now() - datetime.timedelta(days=91))
    assert ids("") == [done.number]


@pytest.mark.parametrize(("query", "description"), [
    ("status=pending", "status 只能是 open 或 closed"),
    ("start_date=yesterday", "start_date 应为 W3C 日期时间，如 2026-01-05T08:00:00+08:00"),
    ("end_date=2026-02-30", "end_date 应为 W3C 日期时间，如 2026-01-05T08:00:00+08:00"),
    ("start_date=2026-03-01&end_date=2026-01-01", "end_date 不能早于 start_date"),
    ("start_date=2025-01-01&end_date=2026-01-01", "start_date 与 end_date 相距不能超过 90 天"),
])
def test_bad_filters_are_400(client, db, query, description):
    r = client.get(f"{BASE}/requests.json?{query}")
    assert r.status_code == 400 and r.json() == [{"code": 400, "description": description}]


def test_one_request_and_404(client, public_requests):
    open_, _done = public_requests
    body = client.get(f"{BASE}/requests/{open_.number}.json").json()
    assert [i["service_request_id"] for i in body] == [open_.number]
    # a request the resident did not publish is not there at all: the same 404 as an unknown number
    hidden = actions.file_request(by=open_.filed_by, category=open_.category, description="不公开的事",
                                  place=open_.place)
    assert hidden.public is False
    r = client.get(f"{BASE}/requests/{hidden.number}.json")
    assert r.status_code == 404 and r.json() == [{"code": 404, "description": f"service_request_id {hidden.number} 不存在"}]
    r = client.get(f"{BASE}/requests/GZ-19990101-0001.json")
    assert r.status_code == 404
    assert r.json() == [{"code": 404, "description": "service_request_id GZ-19990101-0001 不存在"}]
    root = ET.fromstring(client.get(f"{BASE}/requests/GZ-19990101-0001.xml").content)
    assert (root.tag, root.find("error").findtext("code")) == ("errors", "404")


def test_the_reporter_publishes_and_withdraws_a_request_on_its_page(client, public_requests, resident):
    hidden = actions.file_request(by=resident, category=public_requests[0].category, description="后来才愿公开",
                                  place=public_requests[0].place)
    assert client.get(f"{BASE}/requests/{hidden.number}.json").status_code == 404
    client.force_login(resident)
    page = client.get(f"/requests/{hidden.pk}/").content.decode()
    assert 'data-testid="toggle-public"' in page and "改为公开" in page
    assert client.post(f"/requests/{hidden.pk}/public/", {"public": "1"}).status_code == 302
    client.logout()
    assert [i["service_request_id"] for i in client.get(f"{BASE}/requests/{hidden.number}.json").json()] == [
        hidden.number]
    client.force_login(resident)
    assert "改为不公开" in client.get(f"/requests/{hidden.pk}/").content.decode()
    client.post(f"/requests/{hidden.pk}/public/", {"public": "0"})
    client.logout()
    assert client.get(f"{BASE}/requests/{hidden.number}.json").status_code == 404
    events = Event.objects.filter(verb="workorders.set_request_public", target_id=str(hidden.pk))
    assert [e.after for e in events.order_by("pk")] == [{"public": True}, {"public": False}]


def test_requests_xml(client, public_requests):
    open_, done = public_requests
    r = client.get(f"{BASE}/requests.xml")
    assert r.status_code == 200 and r["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert [x.findtext("service_request_id") for x in requests] == [done.number, open_.number]
    assert (requests[0].findtext("status"), requests[0].findtext("agency_responsible"),
            requests[1].findtext("agency_responsible"), requests[0].findtext("lat")) == ("closed", "万科物业", "", "")
    one = ET.fromstring(client.get(f"{BASE}/requests/{done.number}.xml").content)
    assert [x.findtext("service_request_id") for x in one.findall("request")] == [done.number]


def test_rejected_and_merged_notes(client, tree, resident, community_staff, utilities):
    a = actions.file_request(by=resident, category=utilities, description="甲", place=tree["household"], public=True)
    b = actions.file_request(by=resident, category=utilities, description="乙", place=tree["household"], public=True)
    c = actions.file_request(by=resident, category=utilities, description="丙", place=tree["household"], public=True)
    actions.reject_request(a, by=community_staff, reason="属于私人合同纠纷")
    actions.merge_request(b, into=c, by=community_staff)
    notes = {i["service_request_id"]: (i["status"], i["status_notes"])
             for i in client.get(f"{BASE}/requests.json").json()}
    assert notes == {a.number: ("closed", "已驳回"), b.number: ("closed", f"与 {c.number} 合并办理"),
                     c.number: ("open", "已下单")}


@pytest.mark.parametrize("query", [
    "service_request_id=,,,", "service_code=%00", "status=%00open", "start_date=2026-01-01T25:00:00",
    "start_date=2026-01-01T08:00:00%2B99:00", "end_date=" + "9" * 40, "service_request_id=" + "x" * 5000,
    "start_date=0000-00-00",
])
def test_odd_queries_never_fail(client, db, query):
    r = client.get(f"{BASE}/requests.json?{query}")
    assert r.status_code in (200, 400) and isinstance(r.json(), list)


@pytest.mark.parametrize("data", [
    {"address_id": "9" * 30}, {"address_id": "C1\x00"}, {"description": "漏\x00水"}, {"service_code": "utilities\x00"},
    {"api_key": "\x00"}, {"first_name": "名" * 60}, {"address_id": "-1"},
])
def test_odd_posts_never_fail_and_write_nothing(client, tree, managed, gateway_key, data):
    before = rows()
    r = file_311(client, **{"api_key": gateway_key, "service_code": "utilities", "address_id": str(tree["household"].pk),
                            "description": "水管漏水", **data})
    assert r.status_code in (400, 403) and r.json()[0]["code"] == r.status_code
    assert rows() == before


def test_unknown_format_is_not_found(client, db):
    r = client.get(f"{BASE}/services.csv")
    assert r.status_code == 404 and r["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(r.content)
    assert (root.tag, root.find("error").findtext("code")) == ("errors", "404")


# ---------------------------------------------------------------- discovery, tokens, unknown resources


@pytest.mark.parametrize("path", ["/open311/discovery", f"{BASE}/discovery"])
def test_service_discovery(client, db, path):
    r = client.get(f"{path}.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/json; charset=utf-8"
    body = r.json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    assert body["contact"] and body["key_service"]
    assert datetime.datetime.fromisoformat(body["changeset"]) <= timezone.now()
    [endpoint] = body["endpoints"]
    assert endpoint == {"specification": "http://wiki.open311.org/GeoReport_v2", "url": "http://testserver/open311/v2",
                        "changeset": body["changeset"], "type": "production",
                        "formats": ["text/xml", "application/json"]}
    r = client.get(f"{path}.xml")
    assert r.status_code == 200 and r["Content-Type"] == "text/xml; charset=utf-8"
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(r.content)
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    [xml_endpoint] = root.find("endpoints").findall("endpoint")
    assert (xml_endpoint.findtext("specification"), xml_endpoint.findtext("url"), xml_endpoint.findtext("type")) == (
        "http://wiki.open311.org/GeoReport_v2", "http://testserver/open311/v2", "production")
    assert [f.text for f in xml_endpoint.find("formats").findall("format")] == ["text/xml", "application/json"]
    assert root.findtext("changeset") == body["changeset"]


def test_discovery_changeset_follows_the_catalogue(client, db):
    before = client.get("/open311/discovery.json").json()["changeset"]
    category = Category.objects.get(code="utilities")
    category.updated_at = timezone.now() + datetime.timedelta(seconds=5)
    Category.objects.filter(pk=category.pk).update(updated_at=category.updated_at)
    assert client.get("/open311/discovery.json").json()["changeset"] > before


@pytest.mark.parametrize(("fmt", "content_type"), [("json", "application/json"), ("xml", "text/xml")])
def test_tokens_are_never_issued_so_a_token_is_404(client, db, fmt, content_type):
    r = client.get(f"{BASE}/tokens/12345.{fmt}?jurisdiction_id=gongzhi.example")
    assert r.status_code == 404 and r["Content-Type"] == f"{content_type}; charset=utf-8"
    description = "token 12345 不存在：本平台实时受理，提交时即返回 service_request_id"
    if fmt == "json":
        assert r.json() == [{"code": 404, "description": description}]
    else:
        root = ET.fromstring(r.content)
        assert root.tag == "errors"
        [error] = root.findall("error")
        assert (error.findtext("code"), error.findtext("description")) == ("404", description)


@pytest.mark.parametrize(("path", "description"), [
    ("tokens/.json", "缺少 token"), ("services/.json", "缺少 service_code"), ("requests/.json", "缺少 service_request_id"),
])
def test_an_empty_id_in_the_path_is_400(client, db, path, description):
    r = client.get(f"{BASE}/{path}")
    assert r.status_code == 400 and r.json() == [{"code": 400, "description": description}]


@pytest.mark.parametrize(("path", "fmt"), [
    ("nothing.json", "json"), ("nothing.xml", "xml"), ("", "xml"), ("services", "xml"), ("requests/a/b.json", "json"),
])
def test_unknown_resources_are_the_specs_404(client, db, path, fmt):
    for method in (client.get, client.post):
        r = method(f"{BASE}/{path}")
        assert r.status_code == 404
        if fmt == "json":
            assert r.json()[0]["code"] == 404
        else:
            assert ET.fromstring(r.content).find("error").findtext("code") == "404"


def test_wrong_method_in_xml(client, db):
    r = client.delete(f"{BASE}/requests.xml")
    assert r.status_code == 405 and r["Allow"] == "GET, HEAD, POST"
    assert ET.fromstring(r.content).find("error").findtext("code") == "405"


@pytest.mark.parametrize("path", ["services.json", "services/utilities.json", "requests.json", "discovery.json"])
def test_jurisdiction_id_is_accepted_and_ignored(client, db, path):
    assert client.get(f"{BASE}/{path}?jurisdiction_id=gongzhi.example").status_code == 200
    assert client.get(f"{BASE}/{path}?jurisdiction_id=").status_code == 200


# ---------------------------------------------------------------- filing: the spec's parameters


def base_form(tree, key, **data):
    return {"api_key": key, "service_code": "utilities", "address_id": str(tree["household"].pk),
            "description": "水管漏水", **data}


def test_filing_with_every_spec_parameter(client, tree, managed, gateway_key):
    # given the spec's example request, all parameters, as a 12345 gateway would send them
    r = file_311(client, **base_form(
        tree, gateway_key, jurisdiction_id="gongzhi.example", lat="34.2658", long="108.9541",
        address_string="尚书苑1号楼1单元101室", email="wang@example.com", device_id="tt222111", account_id="123456",
        first_name="伟", last_name="王", phone="13912345678", media_url="http://example.com/a.jpg",
        **{"attribute[urgency]": "urgent", "attribute[anonymous]": "true", "attribute[WHISPAWN]": "123456"}))
    # then it is filed with the attributes, and the caller's address kept as the detailed address
    assert r.status_code == 201, r.content
    req = Request.objects.get()
    assert (req.urgency, req.anonymous, req.address, req.place) == ("urgent", True, "尚书苑1号楼1单元101室",
                                                                    tree["household"])
    assert [i["service_request_id"] for i in r.json()] == [req.number]


def test_description_is_optional(client, tree, managed, gateway_key):
    r = file_311(client, **base_form(tree, gateway_key, description=""))
    assert r.status_code == 201
    assert Request.objects.get().description == "水电维修（提交时未填写描述）"
    data = base_form(tree, gateway_key)
    del data["description"]
    assert file_311(client, **data).status_code == 201


def test_api_key_in_the_query_string(client, tree, managed, gateway_key):
    data = base_form(tree, gateway_key)
    del data["api_key"]
    r = client.post(f"{BASE}/requests.json?api_key={gateway_key}", data=data)
    assert r.status_code == 201 and Request.objects.count() == 1


def test_multivalue_attribute_form_and_empty_attribute(client, tree, managed, gateway_key):
    r = file_311(client, **base_form(tree, gateway_key, **{"attribute[urgency][]": "emergency",
                                                              "attribute[anonymous]": ""}))
    assert r.status_code == 201
    assert (Request.objects.get().urgency, Request.objects.get().anonymous) == ("emergency", False)


@pytest.mark.parametrize(("place_key", "address_string"), [
    ("building", "C1-1"),
    ("building", "尚书苑 / 1号楼"),
    ("building", "1号楼, 尚书苑"),
    ("unit", "莲湖区 / 青年路街道 / 莲湖路第一社区 / 第1网格 / 尚书苑 / 1号楼 / 1单元"),
    ("unit", "1单元，1号楼，尚书苑，第1网格，莲湖路第一社区，青年路街道，莲湖区"),
    ("compound", "尚书苑"),
])
def test_address_string_is_a_place_code_or_full_name(client, tree, managed, gateway_key, place_key, address_string):
    r = file_311(client, **base_form(tree, gateway_key, address_id="", address_string=address_string))
    assert r.status_code == 201, r.content
    req = Request.objects.get()
    assert (req.place, req.address) == (tree[place_key], "")


@pytest.mark.parametrize(("data", "code", "description"), [
    ({"address_id": "", "address_string": "1号楼"}, 400, "address_string 应为平台的区域编码或完整区域名称（如 尚书苑 / 1号楼）"),
    ({"address_id": "", "address_string": "第1网格 / 尚书苑 / 2号楼"}, 400,
     "address_string 应为平台的区域编码或完整区域名称（如 尚书苑 / 1号楼）"),
    ({"address_string": "址" * 201}, 400, "address_string 不能超过200个字"),
    ({"lat": "34.27"}, 400, "lat 与 long 须同时提供"),
    ({"long": "108.94"}, 400, "lat 与 long 须同时提供"),
    ({"lat": "north", "long": "108.94"}, 400, "lat/long 应为 WGS84 经纬度（lat -90～90，long -180～180）"),
    ({"lat": "91", "long": "108.94"}, 400, "lat/long 应为 WGS84 经纬度（lat -90～90，long -180～180）"),
    ({"lat": "nan", "long": "nan"}, 400, "lat/long 应为 WGS84 经纬度（lat -90～90，long -180～180）"),
    ({"email": "not-an-email"}, 400, "email 格式不正确"),
    ({"attribute[urgency]": "asap"}, 400, "attribute[urgency] 应为 emergency、urgent、normal、complex 之一"),
    ({"attribute[anonymous]": "maybe"}, 400, "attribute[anonymous] 应为 true 或 false"),
    ({"attribute[urgency][]": ["urgent", "normal"]}, 400, "attribute[urgency] 只能有一个值"),
])
def test_bad_location_contact_and_attributes_are_400(client, tree, managed, gateway_key, data, code, description):
    before = rows()
    r = file_311(client, **base_form(tree, gateway_key, **data))
    assert r.status_code == code and r.json() == [{"code": code, "description": description}]
    assert rows() == before


@pytest.mark.parametrize(("data", "code", "description"), [
    ({"api_key": ""}, 403, "缺少 api_key"),
    ({"service_code": ""}, 400, "缺少 service_code"),
    ({"service_code": "potholes"}, 404, "service_code potholes 不存在"),
    ({"address_id": ""}, 400, "缺少 address_id、address_string 或 lat/long"),
])
def test_filing_errors_in_xml(client, tree, managed, gateway_key, data, code, description):
    r = client.post(f"{BASE}/requests.xml", data=base_form(tree, gateway_key, **data))
    assert r.status_code == code and r["Content-Type"] == "text/xml; charset=utf-8"
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(r.content)
    assert root.tag == "errors"
    [error] = root.findall("error")
    assert [child.tag for child in error] == ["code", "description"]
    assert (error.findtext("code"), error.findtext("description")) == (str(code), description)
    assert Request.objects.count() == 0


def test_post_answer_in_xml_has_the_specs_elements(client, tree, managed, gateway_key):
    r = client.post(f"{BASE}/requests.xml", data=base_form(tree, gateway_key))
    assert r.status_code == 201 and r["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(r.content)
    [item] = root.findall("request")
    assert [child.tag for child in item] == ["service_request_id", "service_notice", "account_id"]
    assert (item.findtext("service_request_id"), item.findtext("account_id")) == (Request.objects.get().number, "")


# ---------------------------------------------------------------- reading: the spec's fields and filters


FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url"]


def test_request_fields_in_json_and_xml(client, public_requests):
    open_, _done = public_requests
    for path in ("requests", f"requests/{open_.number}"):
        [*_, item] = client.get(f"{BASE}/{path}.json").json()
        assert list(item) == FIELDS
        root = ET.fromstring(client.get(f"{BASE}/{path}.xml").content)
        assert root.tag == "service_requests"
        assert [child.tag for child in root.findall("request")[-1]] == FIELDS
    for stamp in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", item[stamp])


def test_w3c_date_forms(client, public_requests):
    open_, done = public_requests
    ids = lambda q: [i["service_request_id"] for i in client.get(f"{BASE}/requests.json?{q}").json()]  # noqa: E731
    now = timezone.now()
    utc = (now - datetime.timedelta(hours=1)).astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"start_date={utc}") == [done.number, open_.number]
    later = (now + datetime.timedelta(hours=1)).astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ")
    assert ids(f"start_date={later}") == []
    today = timezone.localdate()
    assert ids(f"start_date={today:%Y-%m}") == [done.number, open_.number]
    assert ids(f"end_date={today:%Y-%m}") == [done.number, open_.number]  # the whole month
    assert ids(f"start_date={today:%Y-%m}&end_date={today:%Y-%m}") == [done.number, open_.number]
    assert client.get(f"{BASE}/requests.json?start_date={today:%Y}").status_code == 200
    r = client.get(f"{BASE}/requests.json?start_date={today:%Y}&end_date={today:%Y}")  # a whole year: > 90 days
    assert r.status_code == 400 and r.json()[0]["description"] == "start_date 与 end_date 相距不能超过 90 天"
    assert client.get(f"{BASE}/requests.json?start_date=2026-13").status_code == 400


def test_empty_optional_arguments_are_ignored(client, public_requests):
    every = client.get(f"{BASE}/requests.json").json()
    assert client.get(f"{BASE}/requests.json?service_request_id=&service_code=&start_date=&end_date=&status="
                      "&jurisdiction_id=").json() == every


def test_rejection_reasons_are_not_published(client, tree, resident, community_staff, utilities):
    a = actions.file_request(by=resident, category=utilities, description="甲", place=tree["household"], public=True)
    actions.reject_request(a, by=community_staff, reason="私人纠纷，已电话告知13912345678")
    [item] = client.get(f"{BASE}/requests.json").json()
    assert item["status_notes"] == "已驳回" and "1391" not in str(item)


def test_xml_stays_well_formed_with_control_characters(client, tree, resident, utilities):
    actions.file_request(by=resident, category=utilities, description="水管\x0b漏水\x1b", place=tree["household"],
                         public=True)
    root = ET.fromstring(client.get(f"{BASE}/requests.xml").content)
    assert root.find("request").findtext("description") == "水管漏水"
    assert client.get(f"{BASE}/requests.json").json()[0]["description"] == "水管\x0b漏水\x1b"
