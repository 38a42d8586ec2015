"""Request pages: filing from a phone, the queue, the request page's moves, and who sees what."""

import pytest

from gongzhi.core.models import Event
from gongzhi.workorders.models import Request, Status, Whistle

from ..conftest import ROLES
from .conftest import png


def test_resident_files_with_a_photo(client, tree, resident, managed):
    client.force_login(resident)
    page = client.get("/requests/new/")
    assert page.status_code == 200 and "我家（尚书苑 1号楼 1单元 101）" in page.content.decode()
    response = client.post("/requests/new/", {"category": "utilities", "description": "厨房水管漏水",
                                              "place": tree["household"].pk, "urgency": "normal",
                                              "photos": [png()]})
    req = Request.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/{req.pk}/"
    assert req.photos.count() == 1 and req.channel == "app"
    html = client.get(response["Location"]).content.decode()
    assert req.number in html and "下单" in html


@pytest.mark.parametrize(("data", "message"), [
    ({"category": "", "description": "x"}, "请选择诉求类别"),
    ({"category": "utilities", "description": ""}, "请描述遇到的问题"),
    ({"category": "utilities", "description": "长" * 1001}, "问题描述不能超过1000个字"),
])
def test_filing_errors_are_shown_and_nothing_is_written(client, tree, resident, managed, data, message):
    client.force_login(resident)
    response = client.post("/requests/new/", {"place": tree["household"].pk, "urgency": "normal", **data})
    assert response.status_code == 200 and message in response.content.decode()
    assert Request.objects.count() == 0


def test_a_non_image_photo_is_refused_on_the_page(client, tree, resident, managed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(resident)
    response = client.post("/requests/new/", {"category": "utilities", "description": "漏水", "urgency": "normal",
                                              "place": tree["household"].pk,
                                              "photos": [SimpleUploadedFile("virus.jpg", b"MZ\x90\x00")]})
    assert "不是有效的图片" in response.content.decode()
    assert Request.objects.count() == 0


def test_resident_cannot_choose_another_household(client, tree, resident, managed):
    client.force_login(resident)
    response = client.post("/requests/new/", {"category": "utilities", "description": "x", "urgency": "normal",
                                              "place": tree["other_household"].pk})
    assert response.status_code == 200 and Request.objects.count() == 0


def test_dispatch_accept_resolve_rate_through_the_pages(client, filed, community_staff, company_staff, resident,
                                                        managed):
    client.force_login(community_staff)
    page = client.get(f"/requests/{filed.pk}/").content.decode()
    assert 'data-testid="act-dispatch"' in page
    r = client.post(f"/requests/{filed.pk}/dispatch/", {"organisation": managed.pk, "mode": "direct"})
    assert r.status_code == 302
    client.force_login(company_staff)
    assert client.post(f"/requests/{filed.pk}/accept/").status_code == 302
    r = client.post(f"/requests/{filed.pk}/resolve/", {"result_note": "已修好", "photos": [png("after.png")]})
    assert r.status_code == 302
    client.force_login(resident)
    r = client.post(f"/requests/{filed.pk}/rate/", {"rating": "6"})
    assert r.status_code == 400 and "评分必须是1到5之间的整数" in r.content.decode()
    assert client.post(f"/requests/{filed.pk}/rate/", {"rating": "5", "comment": "满意"}).status_code == 302
    req = Request.objects.get(pk=filed.pk)
    assert (req.status, req.rating) == (Status.RATED, 5)
    html = client.get(f"/requests/{filed.pk}/").content.decode()
    assert html.count('data-testid="timeline-step"') == 5


def test_illegal_move_on_the_page_is_a_clear_message(client, filed, company_staff, managed):
    client.force_login(company_staff)
    # not dispatched yet: the company does not handle it, so it cannot even see it
    assert client.post(f"/requests/{filed.pk}/accept/").status_code == 404


def test_wrong_state_shows_why(client, dispatched, resident):
    client.force_login(resident)
    r = client.post(f"/requests/{dispatched.pk}/rate/", {"rating": "5"}, follow=True)
    assert "当前状态“已派单”下不能评单" in r.content.decode()
    assert Request.objects.get(pk=dispatched.pk).rating is None


def test_department_acknowledges_a_whistle(client, dispatched, community_staff, orgs, police_liaison):
    client.force_login(community_staff)
    client.post(f"/requests/{dispatched.pk}/whistle/", {"department": orgs["police"].pk, "note": "私拉电线"})
    whistle = Whistle.objects.get()
    client.force_login(police_liaison)
    assert "私拉电线" in client.get("/requests/whistles/").content.decode()
    assert client.post(f"/requests/whistles/{whistle.pk}/acknowledge/").status_code == 302
    r = client.post(f"/requests/whistles/{whistle.pk}/report/", {"report": ""})
    assert r.status_code == 400 and "请填写处置情况" in r.content.decode()
    client.post(f"/requests/whistles/{whistle.pk}/report/", {"report": "已拆除"})
    whistle.refresh_from_db()
    assert whistle.acknowledged_at and whistle.report == "已拆除"


def test_rankings_and_catalogue_pages(client, resolved, street_staff, resident):
    client.force_login(street_staff)
    html = client.get("/requests/rankings/?by=company").content.decode()
    assert "万科物业" in html
    assert client.get("/requests/catalogue/").status_code == 200
    client.force_login(resident)
    assert client.get("/requests/rankings/").status_code == 403
    assert client.get("/requests/catalogue/").status_code == 403


def test_catalogue_edit_validates(client, street_staff, community_staff):
    from gongzhi.workorders.models import ServiceLevel

    level = ServiceLevel.objects.get(category__code="utilities", urgency="normal")
    client.force_login(community_staff)
    assert client.get(f"/requests/catalogue/{level.pk}/").status_code == 403
    client.force_login(street_staff)
    r = client.post(f"/requests/catalogue/{level.pk}/", {"response_value": "-1", "response_unit": "hours",
                                                         "resolution_value": "5", "resolution_unit": "working_days"})
    assert "时限至少为1" in r.content.decode()
    r = client.post(f"/requests/catalogue/{level.pk}/", {"response_value": "12", "response_unit": "hours",
                                                         "resolution_value": "5", "resolution_unit": "working_days"})
    assert r.status_code == 302
    level.refresh_from_db()
    assert (level.response_value, level.resolution_value) == (12, 5)
    assert Event.objects.filter(verb="workorders.update_catalogue").count() == 1


def test_calendar_page(client, street_staff):
    client.force_login(street_staff)
    r = client.post("/requests/calendar/", {"date": "2026-12-31", "kind": "off", "name": "测试"})
    assert r.status_code == 302
    r = client.post("/requests/calendar/", {"date": "not a date", "kind": "off"})
    assert "日期格式应为" in r.content.decode()


# a request inside a home: the 业委会 sees requests about the common parts only (docs/privacy.md)
SEES_REQUEST = {"street_staff", "community_staff", "grid_worker", "building_head", "resident", "property_staff"}


@pytest.mark.parametrize("role", ROLES)
def test_request_page_and_photo_scope(request, client, dispatched, resident, role):
    user = resident if role == "resident" else request.getfixturevalue(role)
    client.force_login(user)
    r = client.get(f"/requests/{dispatched.pk}/")
    assert r.status_code == (200 if role in SEES_REQUEST else 404)
    listing = client.get("/requests/?all=1").content.decode()
    assert (dispatched.number in listing) is (role in SEES_REQUEST)


@pytest.mark.parametrize("role", ROLES)
def test_no_one_outside_moves_it(request, client, dispatched, resident, role):
    """Every move POSTed by every role on a dispatched request: only the handler's return goes through."""
    user = resident if role == "resident" else request.getfixturevalue(role)
    client.force_login(user)
    events = Event.objects.count()
    for verb, data in [("reject", {"reason": "x"}), ("merge", {"into": "GZ-1"}), ("resolve", {"result_note": "x"}),
                       ("rate", {"rating": "5"}), ("reopen", {"reason": "x"}), ("return", {"reason": "x"})]:
        r = client.post(f"/requests/{dispatched.pk}/{verb}/", data)
        assert r.status_code in (302, 400, 403, 404)
    moved = role == "property_staff"
    assert Request.objects.get(pk=dispatched.pk).status == (Status.RETURNED if moved else Status.DISPATCHED)
    assert Event.objects.count() == events + (1 if moved else 0)
