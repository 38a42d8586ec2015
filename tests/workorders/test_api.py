"""The 诉求 API at /api/requests: the same moves as the pages, 409 for a move the table forbids, 422 naming the
field for bad input (nothing written), 三率 figures, and every endpoint × every role without a leak."""

import datetime
import json

import pytest
from django.db import transaction
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.workorders import actions
from gongzhi.workorders.models import Attachment, Request, Status, Whistle

from ..conftest import ROLES
from .conftest import png


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def rows():
    return (Request.objects.count(), Event.objects.count(), Whistle.objects.count(), Attachment.objects.count())


# ---------------------------------------------------------------- lifecycle


def test_lifecycle_over_the_api(client, tree, resident, community_staff, company_staff, managed):
    # given a resident at home
    client.force_login(resident)
    # when they file, it is dispatched, accepted, resolved, rated 2, reopened, accepted, resolved and rated 5
    r = post(client, "/api/requests", {"category": "utilities", "description": "厨房水管漏水",
                                       "place": tree["household"].pk, "urgency": "urgent"})
    assert r.status_code == 201
    filed = r.json()
    pk = filed["id"]
    assert (filed["status"], filed["status_label"], filed["category"], filed["channel"], filed["urgency"]) == (
        "submitted", "已下单", "utilities", "app", "urgent")
    assert filed["number"].startswith("GZ-") and filed["number"].endswith("-0001")
    assert filed["reporter_name"] == resident.person.name
    assert filed["contact_phone"] == resident.person.phone  # one's own number, in full
    assert (filed["phone"], filed["public"], filed["reporter_hidden"]) == ("full", False, False)

    client.force_login(community_staff)
    r = post(client, f"/api/requests/{pk}/dispatch", {"organisation": managed.pk})
    assert r.status_code == 200 and (r.json()["status"], r.json()["handler_name"]) == ("dispatched", "万科物业")

    client.force_login(company_staff)
    assert post(client, f"/api/requests/{pk}/accept").json()["status"] == "accepted"
    r = post(client, f"/api/requests/{pk}/resolve", {"result_note": "已更换阀门"})
    assert (r.json()["status"], r.json()["result_note"]) == ("resolved", "已更换阀门")

    client.force_login(resident)
    r = post(client, f"/api/requests/{pk}/rate", {"rating": 2, "comment": "还在漏"})
    assert (r.json()["status"], r.json()["rating"], r.json()["rating_comment"]) == ("rated", 2, "还在漏")
    r = post(client, f"/api/requests/{pk}/reopen", {"reason": "还在漏水"})
    assert (r.json()["status"], r.json()["reopen_count"], r.json()["reason"]) == ("reopened", 1, "还在漏水")

    client.force_login(company_staff)
    assert post(client, f"/api/requests/{pk}/accept").json()["status"] == "accepted"
    assert post(client, f"/api/requests/{pk}/resolve", {"result_note": "更换整段水管"}).json()["status"] == "resolved"

    client.force_login(resident)
    r = post(client, f"/api/requests/{pk}/rate", {"rating": 5})
    # then the request is rated 5 after one reopening, and its timeline lists every move in order
    assert r.status_code == 200
    body = client.get(f"/api/requests/{pk}").json()
    assert (body["status"], body["rating"], body["reopen_count"]) == ("rated", 5, 1)
    req = Request.objects.get(pk=pk)
    assert (req.first_rating, req.rating, req.channel) == (2, 5, "app")
    timeline = body["timeline"]
    assert len(timeline) == 9
    assert [t["verb"].removeprefix("workorders.") for t in timeline] == [
        "file_request", "dispatch_request", "accept_request", "resolve_request", "rate_request", "reopen_request",
        "accept_request", "resolve_request", "rate_request"]
    assert [t["label"] for t in timeline] == ["下单", "派单", "接单", "办结", "评单", "重办", "接单", "办结", "评单"]
    # people by their names (the fixtures name each account 测试<username>), not by their accounts
    assert [t["actor"] for t in timeline] == ["测试" + u for u in ("resident", "community", "property", "property",
                                                                 "resident", "resident", "property", "property",
                                                                 "resident")]
    assert timeline[1]["summary"] == "派给 万科物业"
    assert timeline[4]["summary"] == "评分 2 分：还在漏"


def test_file_with_photos_by_multipart(client, tree, resident, managed):
    # given a resident with two photos
    client.force_login(resident)
    before = rows()
    # when they file through the multipart form
    r = client.post("/api/requests/file", data={
        "category": "utilities", "description": "楼道灯不亮", "place": tree["household"].pk, "anonymous": "true",
        "photos": [png("a.png"), png("b.png")]})
    # then one request with two intake photos, each served at its page URL
    assert r.status_code == 201, r.content
    body = r.json()
    assert rows() == (before[0] + 1, before[1] + 1, before[2], before[3] + 2)
    assert body["anonymous"] is True
    assert [p["stage"] for p in body["photos"]] == ["intake", "intake"]
    assert body["photos"][0]["url"] == f"/requests/{body['id']}/photos/{body['photos'][0]['id']}/"
    assert client.get(body["photos"][0]["url"]).status_code == 200


def test_a_bad_photo_writes_nothing(client, tree, resident, managed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(resident)
    before = rows()
    r = client.post("/api/requests/file", data={
        "category": "utilities", "description": "楼道灯不亮", "place": tree["household"].pk,
        "photos": [SimpleUploadedFile("x.png", b"not an image", content_type="image/png")]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "photos"]
    assert rows() == before


# ---------------------------------------------------------------- errors


def test_an_illegal_move_is_409_naming_status_and_writes_nothing(client, dispatched, company_staff):
    # given a request dispatched to the company, not yet accepted
    client.force_login(company_staff)
    before = rows()
    # when its handler tries to resolve it
    r = post(client, f"/api/requests/{dispatched.pk}/resolve", {"result_note": "已修好"})
    # then 409 naming status, and nothing changed
    assert r.status_code == 409
    assert r.json() == {"detail": [{"loc": ["body", "status"], "msg": "当前状态“已派单”下不能办结",
                                    "type": "invalid_transition"}]}
    assert rows() == before
    assert Request.objects.get(pk=dispatched.pk).status == Status.DISPATCHED


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"description": "水管漏水"}, "category", "请选择诉求类别"),
    ({"category": "no_such", "description": "水管漏水"}, "category", "请选择诉求类别"),
    ({"category": "utilities", "description": "漏" * 1001}, "description", "问题描述不能超过1000个字（当前1001个）"),
    ({"category": "utilities", "description": "   "}, "description", "请描述遇到的问题"),
    ({"category": "utilities", "description": "水管漏水", "place": None}, "place", "请选择位置"),
    ({"category": "utilities", "description": "水管漏水", "place": 987654}, "place", "位置不存在"),
    ({"category": "utilities", "description": "水管漏水", "address": "号" * 201}, "address", "地址不能超过200个字"),
])
def test_filing_errors_are_422_naming_the_field(client, tree, resident, managed, body, field, message):
    # given a resident
    client.force_login(resident)
    before = rows()
    # when they file something invalid
    r = post(client, "/api/requests", {"place": tree["household"].pk, **body})
    # then 422 names the field with the Chinese message, and nothing is written
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", field]
    assert r.json()["detail"][0]["msg"] == message
    assert rows() == before


def test_a_wrongly_typed_field_is_422_naming_it(client, tree, resident, managed):
    client.force_login(resident)
    before = rows()
    r = post(client, "/api/requests", {"category": "utilities", "description": "漏水", "place": "一楼"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "place"
    assert rows() == before


def test_nul_characters_are_422_not_a_crash(client, tree, resident, street_staff, managed):
    client.force_login(resident)
    before = rows()
    r = post(client, "/api/requests", {"category": "utilities", "description": "漏\x00水", "place": tree["household"].pk})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "description"
    assert rows() == before
    client.force_login(street_staff)
    r = client.get("/api/requests?q=%00&category=%00")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "q"]


@pytest.mark.parametrize("rating", [6, 0, -1])
def test_rating_out_of_range_is_422(client, resolved, resident, rating):
    client.force_login(resident)
    before = rows()
    r = post(client, f"/api/requests/{resolved.pk}/rate", {"rating": rating})
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["body", "rating"], "msg": "评分必须是1到5之间的整数", "type": "invalid"}]
    assert rows() == before
    assert Request.objects.get(pk=resolved.pk).rating is None


def test_rating_by_someone_who_did_not_file_is_403(client, resolved, community_staff, company_staff):
    before = rows()
    for user in (community_staff, company_staff):
        client.force_login(user)
        r = post(client, f"/api/requests/{resolved.pk}/rate", {"rating": 5})
        assert r.status_code == 403 and r.json() == {"detail": "无权执行此操作"}
    assert rows() == before
    assert Request.objects.get(pk=resolved.pk).status == Status.RESOLVED


@pytest.mark.parametrize(("url", "body", "field"), [
    ("dispatch", {"organisation": 0}, "organisation"),
    ("reject", {"reason": " "}, "reason"),
    ("merge", {"into": "GZ-19990101-0001"}, "into"),
    ("whistle", {"department": 0, "note": "x"}, "department"),
])
def test_dispatcher_moves_name_the_bad_field(client, filed, community_staff, url, body, field):
    client.force_login(community_staff)
    before = rows()
    r = post(client, f"/api/requests/{filed.pk}/{url}", body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", field]
    assert rows() == before


def test_redispatch_needs_a_reason(client, dispatched, community_staff, managed):
    client.force_login(community_staff)
    r = post(client, f"/api/requests/{dispatched.pk}/dispatch", {"organisation": managed.pk})
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["body", "note"], "msg": "改派须说明理由", "type": "invalid"}]
    r = post(client, f"/api/requests/{dispatched.pk}/dispatch", {"organisation": managed.pk, "mode": "pool",
                                                                  "note": "改为抢单"})
    assert r.status_code == 200 and r.json()["pool_until"] is not None and r.json()["reason"] == "改为抢单"


# ---------------------------------------------------------------- reads


def test_list_filters_and_overdue_first(client, tree, resident, street_staff, managed, utilities):
    # given three requests, the second past its resolution deadline, the third about noise
    from gongzhi.workorders.models import Category

    a = actions.file_request(by=resident, category=utilities, description="水管漏水", place=tree["household"])
    b = actions.file_request(by=resident, category=utilities, description="电闸跳闸", place=tree["household"])
    c = actions.file_request(by=resident, category=Category.objects.get(code="noise"), description="楼上装修噪音",
                             place=tree["household"])
    Request.objects.filter(pk=b.pk).update(resolution_due_at=timezone.now() - datetime.timedelta(hours=1))
    actions.reject_request(c, by=street_staff, reason="请与邻居协商")
    client.force_login(street_staff)
    # when the street lists them
    body = client.get("/api/requests").json()
    # then the overdue one comes first, then by deadline, closed ones included
    assert body["count"] == 3
    assert [i["id"] for i in body["items"]] == [b.pk, a.pk, c.pk]
    assert [i["overdue"] for i in body["items"]] == [True, False, False]
    assert "contact_phone" not in body["items"][0]
    assert [i["id"] for i in client.get("/api/requests?status=rejected").json()["items"]] == [c.pk]
    assert [i["id"] for i in client.get("/api/requests?category=noise").json()["items"]] == [c.pk]
    assert [i["id"] for i in client.get("/api/requests?q=跳闸").json()["items"]] == [b.pk]
    assert [i["id"] for i in client.get(f"/api/requests?q={a.number}").json()["items"]] == [a.pk]
    assert client.get("/api/requests?only_open=true").json()["count"] == 2
    assert [i["id"] for i in client.get("/api/requests?limit=1&offset=1").json()["items"]] == [a.pk]
    r = client.get("/api/requests?status=lost")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "status"


def test_anonymous_reporter_is_hidden_from_the_company(client, tree, resident, community_staff, company_staff,
                                                       managed, utilities):
    # given a request filed anonymously (对物业匿名) and dispatched to the company
    req = actions.file_request(by=resident, category=utilities, description="物业收费不公示", place=tree["household"],
                               anonymous=True)
    actions.dispatch_request(req, to=managed, by=community_staff)
    # when the company reads it
    client.force_login(company_staff)
    body = client.get(f"/api/requests/{req.pk}").json()
    # then no name, phone or account of the reporter appears anywhere in it
    assert body["reporter_hidden"] is True
    assert (body["reporter_name"], body["contact_name"], body["contact_phone"]) == (None, None, None)
    assert [t["actor"] for t in body["timeline"]] == [None, "测试community"]
    text = json.dumps(body, ensure_ascii=False)
    assert resident.person.name not in text and resident.person.phone[-4:] not in text and "resident" not in text
    # and the community still sees who filed it
    client.force_login(community_staff)
    body = client.get(f"/api/requests/{req.pk}").json()
    assert (body["reporter_hidden"], body["contact_name"], body["timeline"][0]["actor"]) == (
        False, resident.person.name, resident.person.name)


def test_whistle_acknowledge_report(client, dispatched, community_staff, orgs, police_liaison):
    client.force_login(community_staff)
    r = post(client, f"/api/requests/{dispatched.pk}/whistle", {"department": orgs["police"].pk,
                                                                 "note": "楼道堆物消防隐患"})
    assert r.status_code == 201
    whistle = r.json()
    assert (whistle["department_name"], whistle["note"], whistle["acknowledged_at"]) == (
        "青年路派出所", "楼道堆物消防隐患", None)
    client.force_login(police_liaison)
    assert client.get(f"/api/requests/{dispatched.pk}").status_code == 200  # a whistled department sees it
    r = post(client, f"/api/requests/whistles/{whistle['id']}/acknowledge")
    assert r.status_code == 200 and r.json()["acknowledged_at"] is not None
    r = post(client, f"/api/requests/whistles/{whistle['id']}/report", {"report": ""})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "report"]
    r = post(client, f"/api/requests/whistles/{whistle['id']}/report", {"report": "已清理堆物"})
    assert r.status_code == 200 and r.json()["report"] == "已清理堆物"
    detail = client.get(f"/api/requests/{dispatched.pk}").json()
    assert [w["report"] for w in detail["whistles"]] == ["已清理堆物"]
    assert [t["label"] for t in detail["timeline"]][-3:] == ["吹哨", "报到", "反馈处置"]


def test_merge_by_number(client, tree, filed, community_staff, resident, utilities):
    twin = actions.file_request(by=resident, category=utilities, description="厨房漏水（重复）",
                                place=tree["household"])
    client.force_login(community_staff)
    r = post(client, f"/api/requests/{twin.pk}/merge", {"into": filed.number})
    assert r.status_code == 200 and (r.json()["status"], r.json()["merged_into"]) == ("merged", filed.number)


# ---------------------------------------------------------------- 三率


@pytest.fixture
def small_month(tree, resident, community_staff, company_staff, managed, utilities):
    """Three requests this month: two resolved on time and rated 5 and 2, one waiting to be dispatched."""
    reqs = [actions.file_request(by=resident, category=utilities, description=f"第{i}件", place=tree["household"])
            for i in (1, 2, 3)]
    for req, score in zip(reqs[:2], (5, 2), strict=True):
        actions.dispatch_request(req, to=managed, by=community_staff)
        actions.accept_request(req, by=company_staff)
        actions.resolve_request(req, by=company_staff, result_note="好了")
        actions.rate_request(req, by=resident, rating=score)
    return reqs


def test_stats_by_community(client, tree, small_month, street_staff):
    client.force_login(street_staff)
    month = timezone.localdate().strftime("%Y-%m")
    r = client.get(f"/api/requests/stats?by=community&month={month}")
    assert r.status_code == 200
    row, = r.json()
    hours = row.pop("avg_hours_to_resolve")
    assert isinstance(hours, float) and 0 <= hours < 1
    assert row == {
        "key": tree["community"].path, "label": "莲湖路第一社区", "total": 3, "households": 2,
        "per_thousand_households": 1500.0,
        "response_base": 2, "responded_on_time": 2, "response_rate": 1.0,
        "resolution_base": 2, "resolved": 2, "resolved_on_time": 2, "resolution_rate": 1.0,
        "on_time_resolution_rate": 1.0,
        "rated": 2, "unrated": 0, "satisfied": 1, "basic_satisfied": 0, "satisfaction_base": 2,
        "satisfaction_rate": 0.5, "first_rated": 2, "first_satisfied": 1, "first_satisfaction_rate": 0.5,
        "reopened": 0, "reopen_rate": 0.0,
    }


def test_stats_by_company_and_empty_rates_are_null(client, tree, resident, small_month, street_staff, managed,
                                                   utilities):
    client.force_login(street_staff)
    row, = client.get("/api/requests/stats?by=company").json()
    assert (row["key"], row["label"], row["total"], row["satisfaction_rate"]) == (str(managed.pk), "万科物业", 2, 0.5)
    # a community whose only request is waiting: nothing reached a stage, so every rate is null
    actions.file_request(by=SYSTEM, category=utilities, description="门禁坏了", place=tree["other_household"])
    rows_ = {r["label"]: r for r in client.get("/api/requests/stats?by=community").json()}
    other = rows_["莲湖路第二社区"]
    assert (other["total"], other["response_rate"], other["resolution_rate"], other["satisfaction_rate"],
            other["reopen_rate"]) == (1, None, None, None, None)
    assert client.get("/api/requests/stats?month=2020-01").json() == []


@pytest.mark.parametrize(("query", "loc"), [("month=2026-13", "month"), ("month=May", "month"), ("by=street", "by")])
def test_stats_bad_parameters_are_422(client, street_staff, query, loc):
    client.force_login(street_staff)
    r = client.get(f"/api/requests/stats?{query}")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == loc


# ---------------------------------------------------------------- every endpoint × every role

# the subject is whistled to the police, handled by the company; it is inside a home, so the 业委会 (which sees
# the common parts only) does not see it
VISIBLE = {"street_staff", "community_staff", "grid_worker", "building_head", "property_staff",
           "department_liaison", "resident"}
DISPATCHERS = {"street_staff", "community_staff"}
FILERS = {"street_staff", "community_staff", "grid_worker", "building_head", "committee_member", "resident"}
STAFF = set(ROLES) - {"resident", "volunteer"}


def _matrix(subject, other, whistle, tree, orgs, managed):
    """(name, method, url, body, {role: expected status}); roles not named: 403 if they see the request, else 404."""
    pk = subject.pk
    only = lambda roles, code: {r: code for r in roles}  # noqa: E731
    filing = {"category": "utilities", "description": "楼道灯不亮", "place": tree["household"].pk}
    return [
        ("list", "get", "/api/requests", None, only(ROLES, 200)),
        ("stats", "get", "/api/requests/stats", None, {**only(STAFF, 200), "resident": 403, "volunteer": 403}),
        ("detail", "get", f"/api/requests/{pk}", None, only(VISIBLE, 200)),
        ("file", "post", "/api/requests", filing,
         {**only(FILERS, 201), "property_staff": 403, "department_liaison": 403}),
        ("file multipart", "multipart", "/api/requests/file", filing,
         {**only(FILERS, 201), "property_staff": 403, "department_liaison": 403}),
        ("dispatch", "post", f"/api/requests/{pk}/dispatch", {"organisation": managed.pk, "note": "改派"},
         only(DISPATCHERS, 200)),
        ("grab", "post", f"/api/requests/{pk}/grab", None, {"property_staff": 409}),
        ("accept", "post", f"/api/requests/{pk}/accept", None, {"property_staff": 200}),
        ("start", "post", f"/api/requests/{pk}/start", None, {"property_staff": 409}),
        ("resolve", "post", f"/api/requests/{pk}/resolve", {"result_note": "好了"}, {"property_staff": 409}),
        ("return", "post", f"/api/requests/{pk}/return", {"reason": "不属于物业"}, {"property_staff": 200}),
        ("reject", "post", f"/api/requests/{pk}/reject", {"reason": "不受理"}, only(DISPATCHERS, 409)),
        ("merge", "post", f"/api/requests/{pk}/merge", {"into": other.number}, only(DISPATCHERS, 200)),
        ("rate", "post", f"/api/requests/{pk}/rate", {"rating": 5}, {"resident": 409}),
        ("reopen", "post", f"/api/requests/{pk}/reopen", {"reason": "没修好"}, {"resident": 409}),
        ("follow-up", "post", f"/api/requests/{pk}/follow-up", {"note": "已回访"}, only(DISPATCHERS, 409)),
        ("whistle", "post", f"/api/requests/{pk}/whistle", {"department": orgs["police"].pk, "note": "请协助"},
         only(DISPATCHERS, 201)),
        ("acknowledge", "post", f"/api/requests/whistles/{whistle.pk}/acknowledge", None,
         {"department_liaison": 200}),
        ("report", "post", f"/api/requests/whistles/{whistle.pk}/report", {"report": "已处置"},
         {"department_liaison": 200}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_for_every_role(request, client, tree, orgs, dispatched, resident, community_staff, managed,
                                       utilities, role):
    # given a request dispatched to the company and whistled to the police, and a second one just filed
    request.getfixturevalue("department_liaison")
    whistle = actions.whistle_request(dispatched, department=orgs["police"], by=community_staff, note="消防隐患")
    other = actions.file_request(by=resident, category=utilities, description="另一件事", place=tree["household"])
    user = request.getfixturevalue(role)
    client.force_login(user)
    secret = (dispatched.number, dispatched.description)
    for name, method, url, body, expected in _matrix(dispatched, other, whistle, tree, orgs, managed):
        want = expected.get(role, 403 if role in VISIBLE else 404)
        with transaction.atomic():  # each call on the same starting state
            if method == "get":
                r = client.get(url)
            elif method == "multipart":
                r = client.post(url, data=body)
            else:
                r = post(client, url, body)
            transaction.set_rollback(True)
        # then each role gets exactly its answer, and a refusal carries none of the request's data
        assert r.status_code == want, (name, role, r.status_code, r.content[:300])
        if want in (403, 404):
            text = r.content.decode()
            assert not any(s in text for s in secret), (name, role)
        if name == "list":
            visible = Request.objects.visible_to(user)
            assert r.json()["count"] == visible.count()
            if role in ("outsider", "volunteer", "committee_member"):
                assert r.json() == {"items": [], "count": 0}
            else:
                assert dispatched.number in r.content.decode()
        if name == "stats" and role == "outsider":
            assert r.json() == []
