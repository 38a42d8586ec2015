"""Open311 GeoReport v2 at /open311/v2/: services, public request status without personal data, filing by a
12345 gateway's token, and the spec's error lists (nothing written on an error)."""

import datetime
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
    _token, key = ApiToken.issue(street_staff, "12345 热线对接")
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
                           "metadata": False, "type": "realtime", "keywords": "水电维修", "group": "小区物业企业"}
    assert len(services) == Category.objects.filter(active=True).count() == 10


def test_services_xml(client, db):
    r = client.get(f"{BASE}/services.xml")
    assert r.status_code == 200 and r["Content-Type"] == "text/xml; charset=utf-8"
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(r.content)
    assert root.tag == "services"
    first = root.find("service")
    assert (first.findtext("service_code"), first.findtext("service_name"), first.findtext("metadata"),
            first.findtext("type")) == ("utilities", "水电维修", "false", "realtime")
    assert len(root.findall("service")) == 11


def test_service_definition(client, db):
    assert client.get(f"{BASE}/services/utilities.json").json() == {"service_code": "utilities", "attributes": []}
    root = ET.fromstring(client.get(f"{BASE}/services/utilities.xml").content)
    assert (root.tag, root.findtext("service_code"), len(root.find("attributes"))) == (
        "service_definition", "utilities", 0)
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
    ({"service_code": "potholes"}, 400, "service_code potholes 不存在"),
    ({"description": ""}, 400, "缺少 description"),
    ({"description": "漏" * 1001}, 400, "description: 问题描述不能超过1000个字（当前1001个）"),
    ({"address_id": "999999"}, 400, "address_id 999999 不存在"),
    ({"address_id": "", "lat": "34.27", "long": "108.94"}, 400,
     "不支持按 lat/long 定位，请提供 address_id 或 address_string"),
    ({"address_id": ""}, 400, "缺少 address_id 或 address_string"),
    ({"address_id": "", "address_string": "莲湖路1号"}, 400, "address_string 应为平台的区域编码（如小区、楼栋编码）"),
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
    _token, key = ApiToken.issue(outsider, "别的社区")
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
    """One open request and one resolved; the resident wrote their phone into the second."""
    open_ = actions.file_request(by=resident, category=utilities, description="厨房水管漏水", place=tree["household"],
                                 contact_phone="13800001111")
    done = actions.file_request(by=resident, category=Category.objects.get(code="elevator"),
                                description="电梯异响，请回电13912345678", place=tree["building"], anonymous=True)
    actions.dispatch_request(done, to=managed, by=community_staff)
    actions.accept_request(done, by=company_staff)
    actions.resolve_request(done, by=company_staff, result_note="已更换导靴")
    return open_, done


def test_requests_are_public_without_personal_data(client, tree, public_requests, resident):
    open_, done = public_requests
    # when anyone, signed in or not, reads the requests
    r = client.get(f"{BASE}/requests.json")
    assert r.status_code == 200
    items = r.json()
    # then both are listed newest first, with status mapped to open/closed
    assert [i["service_request_id"] for i in items] == [done.number, open_.number]
    first, second = items
    assert (first["status"], first["status_notes"], first["agency_responsible"], first["service_code"]) == (
        "closed", "已更换导靴", "万科物业", "elevator")
    assert (second["status"], second["status_notes"], second["agency_responsible"]) == ("open", "已下单", None)
    assert first["address"] == "莲湖区 / 青年路街道 / 莲湖路第一社区 / 第1网格 / 尚书苑 / 1号楼"
    assert first["address_id"] == tree["building"].pk
    # a household is published as its unit, never the room
    assert second["address"] == "莲湖区 / 青年路街道 / 莲湖路第一社区 / 第1网格 / 尚书苑 / 1号楼 / 1单元"
    assert second["address_id"] == tree["unit"].pk
    assert first["description"] == "电梯异响，请回电139****5678"
    assert first["requested_datetime"] == timezone.localtime(done.created_at).isoformat(timespec="seconds")
    assert first["requested_datetime"].endswith("+08:00")
    assert first["expected_datetime"] == timezone.localtime(done.resolution_due_at).isoformat(timespec="seconds")
    assert (first["zipcode"], first["lat"], first["long"], first["media_url"]) == (None, None, None, None)
    text = r.content.decode()
    person = resident.person
    for secret in (person.name, person.phone, "13800001111", "13912345678", "/ 101", resident.username):
        assert secret not in text


def test_request_filters(client, tree, public_requests):
    open_, done = public_requests
    ids = lambda q: [i["service_request_id"] for i in client.get(f"{BASE}/requests.json?{q}").json()]  # noqa: E731
    assert ids("status=open") == [open_.number]
    assert ids("status=closed") == [done.number]
    assert ids("status=open,closed") == [done.number, open_.number]
    assert ids("service_code=utilities") == [open_.number]
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
    r = client.get(f"{BASE}/requests/GZ-19990101-0001.json")
    assert r.status_code == 404
    assert r.json() == [{"code": 404, "description": "service_request_id GZ-19990101-0001 不存在"}]
    root = ET.fromstring(client.get(f"{BASE}/requests/GZ-19990101-0001.xml").content)
    assert (root.tag, root.find("error").findtext("code")) == ("errors", "404")


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
    a = actions.file_request(by=resident, category=utilities, description="甲", place=tree["household"])
    b = actions.file_request(by=resident, category=utilities, description="乙", place=tree["household"])
    c = actions.file_request(by=resident, category=utilities, description="丙", place=tree["household"])
    actions.reject_request(a, by=community_staff, reason="属于私人合同纠纷")
    actions.merge_request(b, into=c, by=community_staff)
    notes = {i["service_request_id"]: (i["status"], i["status_notes"])
             for i in client.get(f"{BASE}/requests.json").json()}
    assert notes == {a.number: ("closed", "属于私人合同纠纷"), b.number: ("closed", f"与 {c.number} 合并办理"),
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
    assert client.get(f"{BASE}/services.csv").status_code == 404
