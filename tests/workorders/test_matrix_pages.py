"""The permission matrix for request pages, notices and the new-organisation form: every role in ROLES; out of
scope is 404 (not allowed 403), and we count rows and look for leaked text, not just status codes."""

from __future__ import annotations

import pytest

from gongzhi.core.models import Event
from gongzhi.notices.models import Notification
from gongzhi.people.models import Organisation
from gongzhi.workorders import actions, qr
from gongzhi.workorders.models import Category, Request, ServiceSettings, Status, Whistle

from ..assembly.conftest import compound_staff, estate, make_open, open_vote  # noqa: F401  (fixtures)
from ..capture import Case, World, matrix_params, run_case
from ..conftest import ROLES
from .conftest import png

ALL = frozenset(ROLES)
# a request inside a home: the 业委会 sees requests about the common parts only (docs/privacy.md)
SEES_REQUEST = {"street_staff", "community_staff", "grid_worker", "building_head", "resident", "property_staff"}


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


# ---------------------------------------------------------------- every request, vote and Open311 route × role
# One case per route (the route is computed from the URL by the coverage test); the bespoke tests above check
# more than a status for some of them.


@pytest.fixture
def photo(tree, resident, utilities, managed, community_staff):
    req = actions.file_request(by=resident, category=utilities, description="墙皮脱落", place=tree["household"],
                               photos=[png()])
    actions.dispatch_request(req, to=managed, by=community_staff)
    return req.photos.get()


@pytest.fixture
def pooled(filed, community_staff, managed):
    return actions.dispatch_request(filed, to=managed, mode="pool", by=community_staff)


@pytest.fixture
def accepted(dispatched, company_staff):
    return actions.accept_request(dispatched, by=company_staff)


@pytest.fixture
def second(tree, resident, utilities):
    return actions.file_request(by=resident, category=utilities, description="楼道灯不亮", place=tree["household"])


@pytest.fixture
def public_request(tree, community_staff, utilities):
    return actions.file_request(by=community_staff, category=utilities, description="楼道灯不亮", place=tree["building"])


@pytest.fixture
def level(utilities):
    from gongzhi.workorders.models import ServiceLevel

    return ServiceLevel.objects.get(category=utilities, urgency="normal")


@pytest.fixture
def rule(tree, utilities, managed, community_staff):
    return actions.create_routing_rule(category=utilities, place=tree["compound"], organisation=managed,
                                       by=community_staff)


@pytest.fixture
def duty(orgs, grid_worker, community_staff):
    return actions.add_duty(orgs["community_office"], person=grid_worker.person, by=community_staff)


@pytest.fixture
def vote(estate, compound_staff):  # noqa: F811  (the imported fixtures)
    from gongzhi.assembly import actions as assembly_actions

    return assembly_actions.announce_vote(open_vote(estate, compound_staff), by=compound_staff)


@pytest.fixture
def open_ballot(vote):
    return make_open(vote)


REQUEST_MARKER = "厨房水管漏水"
DISPATCHERS = {"street_staff", "community_staff"}


def _rq(suffix, fixture="dispatched"):
    return lambda w: f"/api/requests/{getattr(w, fixture).pk}/{suffix}"


@pytest.fixture
def qr_token(tree):
    """The signed link of 1号楼's sheet (``workorders.qr``)."""
    return qr.token_for(tree["building"])


# who sees the demo compound in the tree (Place.visible_to): not residents, volunteers, the other community
QR_SEES_COMPOUND = ALL - {"resident", "volunteer", "outsider", "building_head"}

WORKORDER_CASES = [
    Case("request list", lambda w: "/requests/", expect={200: ALL}),
    Case("new request form", lambda w: "/requests/new/", expect={200: ALL}),
    Case("whistle list", lambda w: "/requests/whistles/", expect={200: ALL}),
    Case("export requests", lambda w: "/requests/export.xlsx", expect={200: ALL - {"resident", "volunteer"}, 403: {"resident", "volunteer"}}),
    Case("rankings page", lambda w: "/requests/rankings/", expect={200: ALL - {"resident", "volunteer"}, 403: {"resident", "volunteer"}}),
    Case("export rankings", lambda w: "/requests/rankings/export.xlsx", expect={200: ALL - {"resident", "volunteer"}, 403: {"resident", "volunteer"}}),
    Case("catalogue page", lambda w: (w.utilities, "/requests/catalogue/")[1], expect={200: {"street_staff"}, 403: ALL - {"street_staff"}}),
    Case("service settings page", lambda w: "/requests/catalogue/settings/", expect={200: {"street_staff"}, 403: ALL - {"street_staff"}}),
    Case("new category form", lambda w: "/requests/catalogue/categories/new/", expect={200: {"street_staff"}, 403: ALL - {"street_staff"}}),
    Case("category edit form", lambda w: f"/requests/catalogue/categories/{w.utilities.pk}/", expect={200: {"street_staff"}, 403: ALL - {"street_staff"}}),
    Case("deactivate category", lambda w: f"/requests/catalogue/categories/{w.utilities.pk}/deactivate/",
         method="post", expect={302: {"street_staff"}, 403: ALL - {"street_staff"}}),
    Case("service level form", lambda w: f"/requests/catalogue/{w.level.pk}/", expect={200: {"street_staff"}, 403: ALL - {"street_staff"}}),
    Case("calendar page", lambda w: "/requests/calendar/", expect={200: {"street_staff"}, 403: ALL - {"street_staff"}}),
    Case("new routing rule form", lambda w: "/requests/routing/new/", expect={200: {"street_staff", "community_staff", "outsider"}, 403: ALL - {"street_staff", "community_staff", "outsider"}}),
    Case("routing rule form", lambda w: f"/requests/routing/{w.rule.pk}/", expect={200: {"street_staff", "community_staff"}}),
    Case("delete routing rule", lambda w: f"/requests/routing/{w.rule.pk}/delete/", method="post", expect={302: {"street_staff", "community_staff"}}),
    Case("set off duty", lambda w: f"/requests/duty/{w.duty.organisation_id}/{w.duty.pk}/off/", method="post",
         expect={302: {"street_staff", "community_staff"}, 403: {"grid_worker", "building_head", "department_liaison"}}, marker="测试grid"),
    Case("request page", lambda w: f"/requests/{w.dispatched.pk}/", expect={200: SEES_REQUEST}, marker=REQUEST_MARKER),
    Case("request photo", lambda w: f"/requests/{w.photo.request_id}/photos/{w.photo.pk}/", expect={200: SEES_REQUEST}),
    # the callback phone in full, audited: dispatchers and grid workers over the place (the company, its handler
    # with nobody named, and the resident see it in full on the page already; a building head masked only)
    Case("reveal the contact phone", lambda w: f"/requests/{w.dispatched.pk}/reveal-phone/", method="post",
         expect={200: DISPATCHERS | {"grid_worker"}, 403: {"building_head", "property_staff", "resident"}},
         marker=REQUEST_MARKER),
    # 公开 / 不公开: the reporter's own choice; others who see the request may not make it for them
    Case("set a request public", lambda w: f"/requests/{w.dispatched.pk}/public/", method="post",
         data=lambda w: {"public": "1"}, expect={302: {"resident"}, 403: SEES_REQUEST - {"resident"}},
         marker=REQUEST_MARKER),
    # 待定位 → 指定位置: the dispatchers over the region the Open311 point waits at (here the community); a grid
    # worker's grid lies below it, so they do not see the request at all
    Case("locate an unlocated request", lambda w: f"/requests/{w.unlocated_request.pk}/locate/",
         expect={200: DISPATCHERS}, marker="路口积水无人管"),
    Case("assign a place", lambda w: f"/requests/{w.unlocated_request.pk}/locate/", method="post",
         data=lambda w: {"place": w.tree["compound"].pk}, expect={302: DISPATCHERS}, marker="路口积水无人管"),
    Case("follow up a request", lambda w: f"/requests/{w.resolved.pk}/follow_up/", method="post",
         data=lambda w: {"note": "已回访"}, expect={302: DISPATCHERS, 403: {"grid_worker", "building_head", "property_staff", "resident"}},
         marker=REQUEST_MARKER),
    Case("acknowledge a whistle", lambda w: f"/requests/whistles/{w.whistle.pk}/acknowledge/", method="post",
         expect={302: {"department_liaison"}, 403: ALL - {"department_liaison", "volunteer", "outsider", "committee_member"}}, marker="违建需执法"),
    # 楼栋二维码: street and community staff print the sheets of their compounds; the rest who see the compound 403
    Case("qr sheets page", lambda w: "/requests/qr/", expect={200: DISPATCHERS | {"outsider"}, 403: ALL - DISPATCHERS - {"outsider"}}),
    Case("qr sheets pdf", lambda w: f"/requests/qr/{w.tree['compound'].pk}.pdf",
         expect={200: DISPATCHERS, 403: QR_SEES_COMPOUND - DISPATCHERS}, marker="尚书苑"),
    # 扫码反映问题 is public (signed out too: tests/workorders/test_qr.py); every role gets the page
    Case("qr intake page", lambda w: f"/r/{w.qr_token}/", expect={200: ALL}),
    # API
    Case("api request list", lambda w: (w.dispatched, "/api/requests")[1], expect={200: ALL}),
    Case("api file request", lambda w: (w.utilities, "/api/requests")[1], method="post", json=True,
         data=lambda w: {"category": "utilities", "description": "水管漏水", "place": w.tree["household"].pk},
         expect={201: ALL - {"property_staff", "department_liaison", "volunteer", "outsider"}, 403: {"property_staff", "department_liaison"}}),
    Case("api file request with photos", lambda w: (w.utilities, "/api/requests/file")[1], method="post",
         data=lambda w: {"category": "utilities", "description": "水管漏水", "place": w.tree["household"].pk,
                         "photos": [png()]}, expect={201: ALL - {"property_staff", "department_liaison", "volunteer", "outsider"}, 403: {"property_staff", "department_liaison"}}),
    Case("api request stats", lambda w: (w.dispatched, "/api/requests/stats")[1], expect={200: ALL - {"resident", "volunteer"}, 403: {"resident", "volunteer"}}),
    Case("api request", lambda w: f"/api/requests/{w.dispatched.pk}", expect={200: SEES_REQUEST}, marker=REQUEST_MARKER),
    Case("api reveal the contact phone", _rq("reveal-phone"), method="post", json=True,
         expect={200: DISPATCHERS | {"grid_worker"}, 403: {"building_head", "property_staff", "resident"}},
         marker=REQUEST_MARKER),
    Case("api dispatch", _rq("dispatch", "filed"), method="post", json=True,
         data=lambda w: {"organisation": w.managed.pk}, expect={200: {"street_staff", "community_staff"}, 403: {"grid_worker", "building_head", "resident"}}, marker=REQUEST_MARKER),
    Case("api grab", _rq("grab", "pooled"), method="post", json=True, expect={200: {"property_staff"}, 403: ALL - {"property_staff", "department_liaison", "volunteer", "outsider", "committee_member"}}, marker=REQUEST_MARKER),
    Case("api accept", _rq("accept"), method="post", json=True, expect={200: {"property_staff"}, 403: ALL - {"property_staff", "department_liaison", "volunteer", "outsider", "committee_member"}}, marker=REQUEST_MARKER),
    Case("api start", _rq("start", "accepted"), method="post", json=True, expect={200: {"property_staff"}, 403: ALL - {"property_staff", "department_liaison", "volunteer", "outsider", "committee_member"}}, marker=REQUEST_MARKER),
    Case("api resolve", _rq("resolve", "accepted"), method="post", json=True,
         data=lambda w: {"result_note": "已更换阀门"}, expect={200: {"property_staff"}, 403: ALL - {"property_staff", "department_liaison", "volunteer", "outsider", "committee_member"}}, marker=REQUEST_MARKER),
    Case("api return", _rq("return"), method="post", json=True, data=lambda w: {"reason": "不属于物业"},
         expect={200: {"property_staff"}, 403: ALL - {"property_staff", "department_liaison", "volunteer", "outsider", "committee_member"}}, marker=REQUEST_MARKER),
    Case("api reject", _rq("reject", "filed"), method="post", json=True, data=lambda w: {"reason": "重复诉求"},
         expect={200: {"street_staff", "community_staff"}, 403: {"grid_worker", "building_head", "resident"}}, marker=REQUEST_MARKER),
    Case("api merge", _rq("merge", "second"), method="post", json=True,
         data=lambda w: {"into": w.filed.pk}, expect={200: {"street_staff", "community_staff"}, 403: {"grid_worker", "building_head", "resident"}}, marker="楼道灯不亮"),
    Case("api rate", _rq("rate", "resolved"), method="post", json=True, data=lambda w: {"rating": 5},
         expect={200: {"resident"}, 403: ALL - {"department_liaison", "resident", "volunteer", "outsider", "committee_member"}}, marker=REQUEST_MARKER),
    Case("api reopen", _rq("reopen", "resolved"), method="post", json=True, data=lambda w: {"reason": "又漏了"},
         expect={200: {"resident"}, 403: ALL - {"department_liaison", "resident", "volunteer", "outsider", "committee_member"}}, marker=REQUEST_MARKER),
    Case("api follow up", _rq("follow-up", "resolved"), method="post", json=True,
         data=lambda w: {"note": "已回访"}, expect={200: {"street_staff", "community_staff"}, 403: {"grid_worker", "building_head", "property_staff", "resident"}}, marker=REQUEST_MARKER),
    Case("api whistle", _rq("whistle"), method="post", json=True,
         data=lambda w: {"department": w.orgs["police"].pk, "note": "请派出所到场"}, expect={201: {"street_staff", "community_staff"}, 403: {"grid_worker", "building_head", "property_staff", "resident"}},
         marker=REQUEST_MARKER),
    Case("api acknowledge whistle", lambda w: f"/api/requests/whistles/{w.whistle.pk}/acknowledge", method="post",
         json=True, expect={200: {"department_liaison"}, 403: ALL - {"department_liaison", "volunteer", "outsider", "committee_member"}}, marker="违建需执法"),
    Case("api report whistle", lambda w: f"/api/requests/whistles/{w.whistle.pk}/report", method="post",
         json=True, data=lambda w: {"report": "已到场"}, expect={200: {"department_liaison"}, 403: ALL - {"department_liaison", "volunteer", "outsider", "committee_member"}}, marker="违建需执法"),
    # Open311 (GeoReport v2): public reads, masked; writes need an api_key, not a session
    Case("open311 discovery", lambda w: "/open311/discovery.json", expect={200: ALL}),
    Case("open311 v2 discovery", lambda w: "/open311/v2/discovery.json", expect={200: ALL}),
    Case("open311 services", lambda w: (w.utilities, "/open311/v2/services.json")[1], expect={200: ALL}),
    Case("open311 service", lambda w: (w.utilities, "/open311/v2/services/utilities.json")[1], expect={200: ALL}),
    Case("open311 requests", lambda w: (w.dispatched, "/open311/v2/requests.json")[1], expect={200: ALL}),
    Case("open311 post request without api_key", lambda w: (w.utilities, "/open311/v2/requests.json")[1],
         method="post", data=lambda w: {"service_code": "utilities", "description": "水管漏水"}, expect={403: ALL}),
    Case("open311 request", lambda w: f"/open311/v2/requests/{w.public_request.number}.json", expect={200: ALL}),
    Case("open311 token", lambda w: (w.tree, "/open311/v2/tokens/nothing.json")[1], expect={}),
    Case("open311 unknown resource", lambda w: (w.tree, "/open311/v2/nothing")[1], expect={}),
    # owners' votes
    Case("vote list", lambda w: (w.vote, "/votes/")[1], expect={200: ALL}, marker="续聘物业"),
    Case("new vote form", lambda w: (w.estate, "/votes/new/")[1], expect={200: {"street_staff", "community_staff", "committee_member", "outsider"}, 403: ALL - {"street_staff", "community_staff", "committee_member", "outsider"}}),
    Case("vote page", lambda w: f"/votes/{w.vote.pk}/", expect={200: {"street_staff", "community_staff"}}, marker="续聘物业"),
    Case("cast a ballot", lambda w: f"/votes/{w.open_ballot.pk}/cast/", method="post",
         data=lambda w: {"owner_key": "p1", "h0-choice": "yes"}, expect={302: {"street_staff", "community_staff"}}, marker="续聘物业"),
    Case("paper ballot form", lambda w: f"/votes/{w.open_ballot.pk}/paper/", expect={200: {"street_staff", "community_staff"}}, marker="续聘物业"),
    Case("proxy ballot form", lambda w: f"/votes/{w.open_ballot.pk}/proxy/", expect={200: {"street_staff", "community_staff"}}, marker="续聘物业"),
    Case("cancel a vote", lambda w: f"/votes/{w.vote.pk}/cancel/", method="post",
         data=lambda w: {"reason": "物业合同已续签"}, expect={302: {"street_staff", "community_staff"}}, marker="续聘物业"),
    Case("public vote page", lambda w: f"/public/votes/{w.vote.pk}/", expect={200: ALL}),
    Case("public result sheet", lambda w: f"/public/votes/{w.vote.pk}/result.xlsx", expect={}),
    Case("public attachment", lambda w: f"/public/votes/{w.vote.pk}/attachment/", expect={}),
    Case("public compound page", lambda w: f"/public/votes/compound/{w.estate['compound'].pk}/", expect={200: ALL}),
    Case("compound public board", lambda w: f"/public/{w.estate['compound'].pk}/", expect={200: ALL}),
    Case("api vote list", lambda w: (w.vote, "/api/votes")[1], expect={200: ALL}),
    Case("api vote", lambda w: f"/api/votes/{w.vote.pk}", expect={200: {"street_staff", "community_staff"}}, marker="续聘物业"),
    Case("api cast a ballot", lambda w: f"/api/votes/{w.open_ballot.pk}/ballot", method="post", json=True,
         data=lambda w: {"choice": "yes"}, expect={403: {"street_staff", "community_staff"}}, marker="续聘物业"),
]


@pytest.mark.parametrize(("role", "case"), matrix_params(WORKORDER_CASES, ROLES))
def test_request_and_vote_routes(request, client, tree, resident, role, case):
    user = resident if role == "resident" else request.getfixturevalue(role)
    run_case(client, World(request), case, user, role)
