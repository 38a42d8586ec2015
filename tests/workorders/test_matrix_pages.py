"""The permission matrix for request pages, notices and the new-organisation form: every role in ROLES; out of
scope is 404 (not allowed 403), and we count rows and look for leaked text, not just status codes."""

from __future__ import annotations

import pytest

from gongzhi.core.models import Event
from gongzhi.notices.models import Notification
from gongzhi.people.models import Organisation
from gongzhi.workorders import actions
from gongzhi.workorders.models import Category, Request, ServiceSettings, Status, Whistle

from ..conftest import ROLES
from .conftest import png

SEES_REQUEST = {"street_staff", "community_staff", "grid_worker", "building_head", "committee_member", "resident",
                "property_staff"}


def login(request, client, role, resident):
    user = resident if role == "resident" else request.getfixturevalue(role)
    client.force_login(user)
    return user


# ---------------------------------------------------------------- notices


@pytest.mark.parametrize("role", ROLES)
def test_inbox_shows_only_ones_own_notices(request, client, tree, resident, role):
    """Each role gets a notice of its own; the resident also one marked 居民专属. Nobody sees another's."""
    users = {r: (resident if r == "resident" else request.getfixturevalue(r)) for r in ROLES}
    for r, user in users.items():
        Notification.objects.create(user=user, verb="test", text=f"通知给{r}")
    user = login(request, client, role, resident)
    html = client.get("/notices/").content.decode()
    assert [r for r in ROLES if f"通知给{r}<" in html or f"通知给{r}\n" in html] == [role]
    # marking read touches only one's own rows
    assert client.post("/notices/read/").status_code == 302
    assert set(Notification.objects.filter(read_at__isnull=False).values_list("user", flat=True)) == {user.pk}
    assert client.get("/notices/read/").status_code == 405


def test_inbox_needs_login(client, tree):
    assert client.get("/notices/").status_code == 302
    assert client.post("/notices/read/").status_code == 302


# ---------------------------------------------------------------- new organisation form

ORG_CREATORS = {"street_staff", "community_staff"}
SEES_COMPOUND = {"street_staff", "community_staff", "department_liaison", "grid_worker", "property_staff",
                 "committee_member"}


@pytest.mark.parametrize("role", ROLES)
def test_new_organisation_form(request, client, tree, resident, role):
    login(request, client, role, resident)
    url = f"/people/organisations/new/{tree['compound'].pk}/"
    expected = 200 if role in ORG_CREATORS else 403 if role in SEES_COMPOUND else 404
    assert client.get(url).status_code == expected
    before = Organisation.objects.count()
    r = client.post(url, {"kind": "social_organisation", "name": "尚书苑睦邻会"})
    assert r.status_code == (302 if role in ORG_CREATORS else expected)
    assert Organisation.objects.count() == before + (1 if role in ORG_CREATORS else 0)
    if expected != 200:
        assert "尚书苑" not in client.get(url).content.decode()


# ---------------------------------------------------------------- photos, whistles, moves


@pytest.mark.parametrize("role", ROLES)
def test_photo_only_for_those_who_see_the_request(request, client, tree, resident, utilities, managed,
                                                  community_staff, role):
    req = actions.file_request(by=resident, category=utilities, description="墙皮脱落", place=tree["household"],
                               photos=[png()])
    actions.dispatch_request(req, to=managed, by=community_staff)  # the company sees what it handles
    photo = req.photos.get()
    login(request, client, role, resident)
    r = client.get(f"/requests/{req.pk}/photos/{photo.pk}/")
    assert r.status_code == (200 if role in SEES_REQUEST else 404)
    if role not in SEES_REQUEST:
        assert b"PNG" not in r.content


@pytest.fixture
def whistle(dispatched, community_staff, orgs):
    return actions.whistle_request(dispatched, department=orgs["police"], by=community_staff, note="违建需执法")


SEES_WHISTLED = SEES_REQUEST | {"department_liaison"}


@pytest.mark.parametrize("role", ROLES)
def test_whistle_list_and_report_in(request, client, whistle, resident, role):
    login(request, client, role, resident)
    html = client.get("/requests/whistles/").content.decode()
    assert (whistle.request.number in html) is (role == "department_liaison")
    events = Event.objects.count()
    r1 = client.post(f"/requests/whistles/{whistle.pk}/acknowledge/")
    r2 = client.post(f"/requests/whistles/{whistle.pk}/report/", {"report": "已到场"})
    whistle.refresh_from_db()
    if role == "department_liaison":
        assert (r1.status_code, r2.status_code) == (302, 302)
        assert (whistle.acknowledged_at is not None, whistle.report) == (True, "已到场")
        assert Event.objects.count() == events + 2
    else:
        expected = 403 if role in SEES_WHISTLED else 404
        assert (r1.status_code, r2.status_code) == (expected, expected)
        assert (whistle.acknowledged_at, whistle.report) == (None, "")
        assert Event.objects.count() == events
        if expected == 404:
            assert "违建需执法" not in r1.content.decode() + r2.content.decode()


MOVES = ["dispatch", "whistle", "follow_up", "grab", "accept", "start"]
REFUSED = [r for r in ROLES if r not in ("street_staff", "community_staff", "property_staff")]


@pytest.mark.parametrize("role", REFUSED)
def test_moves_by_those_without_the_right_write_nothing(request, client, dispatched, orgs, resident, role):
    login(request, client, role, resident)
    events, whistles = Event.objects.count(), Whistle.objects.count()
    data = {"dispatch": {"organisation": orgs["community_office"].pk, "mode": "direct", "note": "改派"},
            "whistle": {"department": orgs["police"].pk, "note": "请派出所到场"},
            "follow_up": {"note": "已回访"}}
    for verb in MOVES:
        r = client.post(f"/requests/{dispatched.pk}/{verb}/", data.get(verb, {}))
        if role in SEES_REQUEST:
            assert r.status_code in (302, 400, 403), verb  # a move without a form says why on the page (302)
        else:
            assert r.status_code == 404, verb
            assert dispatched.number not in r.content.decode()
    req = Request.objects.get(pk=dispatched.pk)
    assert (req.status, req.handler_id, req.assignee_id, req.accepted_at, req.follow_up_note) == (
        Status.DISPATCHED, orgs["company"].pk, None, None, "")
    assert (Event.objects.count(), Whistle.objects.count()) == (events, whistles)


def test_an_outsider_cannot_grab_from_the_pool(client, filed, community_staff, outsider, managed):
    pooled = actions.dispatch_request(filed, to=managed, mode="pool", by=community_staff)
    client.force_login(outsider)
    events = Event.objects.count()
    assert client.post(f"/requests/{pooled.pk}/grab/").status_code == 404
    pooled.refresh_from_db()
    assert pooled.assignee_id is None
    assert Event.objects.count() == events


# ---------------------------------------------------------------- catalogue, calendar, settings, rankings

STREET_ONLY_PAGES = ["/requests/calendar/", "/requests/catalogue/", "/requests/catalogue/settings/",
                     "/requests/catalogue/categories/new/"]


@pytest.mark.parametrize("role", ROLES)
def test_catalogue_pages_are_for_street_staff(request, client, utilities, resident, role):
    from gongzhi.workorders.models import ServiceLevel

    login(request, client, role, resident)
    level = ServiceLevel.objects.get(category=utilities, urgency="normal")
    urls = [*STREET_ONLY_PAGES, f"/requests/catalogue/{level.pk}/", f"/requests/catalogue/categories/{utilities.pk}/"]
    for url in urls:
        r = client.get(url)
        assert r.status_code == (200 if role == "street_staff" else 403), url
        if role != "street_staff":
            assert "水电维修" not in r.content.decode()
    events = Event.objects.count()
    client.post(f"/requests/catalogue/{level.pk}/", {"response_value": "3", "response_unit": "hours",
                                                     "resolution_value": "3", "resolution_unit": "hours"})
    client.post(f"/requests/catalogue/categories/{utilities.pk}/deactivate/")
    client.post("/requests/calendar/", {"date": "2031-01-02", "kind": "off", "name": "测试"})
    level.refresh_from_db()
    changed = role == "street_staff"
    assert (level.response_value == 3) is changed
    assert Category.objects.get(pk=utilities.pk).active is not changed
    assert Event.objects.count() == events + (3 if changed else 0)
    assert ServiceSettings.current().reopen_days == 7


@pytest.mark.parametrize("role", ROLES)
def test_rankings_rows_are_scoped(request, client, resolved, resident, role):
    login(request, client, role, resident)
    r = client.get("/requests/rankings/?by=community")
    if role in ("resident", "volunteer"):
        assert r.status_code == 403
        return
    rows = r.context["rows"]
    sees = role in SEES_REQUEST
    assert [(row.label, row.total) for row in rows] == ([("莲湖路第一社区", 1)] if sees else [])
    company = client.get("/requests/rankings/?by=company").content.decode()
    assert ("万科物业" in company) is sees
