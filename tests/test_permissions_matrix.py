"""Every page and endpoint × every role: outside the scope the answer is 403/404 and no data leaks.

Each case names who may see the object; everyone else must get 403 or 404, and the response must not
contain the object's name (we count rows, not just status codes).
"""

from __future__ import annotations

import json

import pytest

from gongzhi.core.models import Event
from gongzhi.people.models import Person, Position
from gongzhi.places.models import ImportJob, Place

from .capture import Case, World, matrix_params, run_case
from .conftest import ROLES

IN_SCOPE_STAFF = {"street_staff", "community_staff", "department_liaison"}
MANAGERS = {"street_staff", "community_staff"}
# of the staff in scope, those who read the household register: a department's liaison sees what is whistled to
# it, not who lives where (docs/privacy.md)
REGISTER_STAFF = IN_SCOPE_STAFF - {"department_liaison"}


def _who(request, role):
    return request.getfixturevalue(role)


ALL = frozenset(ROLES)
NOT_ANYONE: frozenset[str] = frozenset()


def seen(ok, forbidden, marker=None, **kw):
    """The classic shape: ``ok`` get 200, ``forbidden`` 403, everyone else 404."""
    return {"expect": {200: ok, 403: forbidden}, "marker": marker, **kw}


@pytest.fixture
def community_token(community_staff):
    from gongzhi.people import actions as people_actions

    return people_actions.issue_api_token(community_staff, name="对接系统", by=community_staff)[0]


@pytest.fixture
def grid_post(grid_worker):
    return Position.objects.filter(person__user=grid_worker).order_by("pk").first()


@pytest.fixture
def import_job(tree, community_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.places.imports import create_import, template_xlsx

    return create_import(kind="places", upload=SimpleUploadedFile("a.xlsx", template_xlsx("places")),
                         place=tree["community"], by=community_staff)


@pytest.fixture
def resident_notice(resident):
    from gongzhi.notices.actions import notify

    return notify([resident], verb="workorders.dispatch_request", text="您反映的楼道灯不亮已派单", link="/requests/")[0]


@pytest.fixture
def newcomer(tree):
    """A tenant of household 102 with a phone and no login account yet."""
    from gongzhi.core.permissions import SYSTEM
    from gongzhi.people import actions as people_actions

    return people_actions.register_household_member(
        tree["household2"], by=SYSTEM, person_fields={"name": "钱七", "phone": "13700001111"},
        member_fields={"relation": "tenant"}).person


@pytest.fixture
def resident_home(resident):
    from gongzhi.people.models import HouseholdMember

    return HouseholdMember.objects.get(person=resident.person)


# staff who see the resident and their household but may not manage them; a department's liaison does not read
# the household register at all (docs/privacy.md): for it the resident is not there (404)
ACCOUNT_SEERS = {"grid_worker", "building_head", "property_staff", "committee_member"}


def _t(key):
    return lambda w: w.tree[key].pk


# Each case names the URL it requests (the route it covers is computed from it), and who gets which status.
CASES = [
    Case("place page: compound", lambda w: f"/places/{w.tree['compound'].pk}/",
         **seen(IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"},
                {"resident", "volunteer"}, "尚书苑")),
    Case("place page: household", lambda w: f"/places/{w.tree['household'].pk}/",
         **seen(IN_SCOPE_STAFF | {"grid_worker", "building_head", "property_staff", "committee_member"},
                {"resident", "volunteer"}, "1单元")),
    Case("place edit form", lambda w: f"/places/{w.tree['compound'].pk}/edit/",
         **seen(MANAGERS, {"grid_worker", "property_staff", "committee_member", "department_liaison", "resident",
                           "volunteer"}, "尚书苑")),
    Case("place move form", lambda w: f"/places/{w.tree['compound'].pk}/move/",
         **seen(MANAGERS, {"grid_worker", "property_staff", "committee_member", "department_liaison", "resident",
                           "volunteer"}, "尚书苑")),
    Case("new child form", lambda w: f"/places/{w.tree['grid'].pk}/new/",
         **seen(MANAGERS, {"grid_worker", "department_liaison", "resident", "volunteer"}, "第1网格")),
    Case("export places", lambda w: f"/places/{w.tree['compound'].pk}/export/places.xlsx",
         **seen(IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"}, {"resident", "volunteer"})),
    Case("export households", lambda w: f"/places/{w.tree['compound'].pk}/export/households.xlsx",
         **seen(REGISTER_STAFF | {"grid_worker", "property_staff", "committee_member"},
                {"resident", "volunteer", "department_liaison"})),
    Case("person page", lambda w: f"/people/{w.resident.person.pk}/",
         **seen(REGISTER_STAFF | {"grid_worker", "building_head", "property_staff", "committee_member", "resident"},
                NOT_ANYONE, "测试resident")),
    Case("person edit", lambda w: f"/people/{w.resident.person.pk}/edit/",
         **seen(MANAGERS, {"grid_worker", "building_head", "property_staff", "committee_member", "resident"},
                "测试resident")),
    Case("new person form", lambda w: f"/people/new/{w.tree['household'].pk}/",
         **seen(MANAGERS, {"grid_worker", "building_head", "property_staff", "committee_member",
                           "department_liaison", "resident"})),
    Case("organisation page", lambda w: f"/people/organisations/{w.orgs['committee'].pk}/",
         **seen(IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"}, NOT_ANYONE, "尚书苑业委会")),
    Case("audit page", lambda w: "/audit/", **seen({"street_staff"}, ALL - {"street_staff"})),
    Case("import page", lambda w: f"/places/import/?place={w.tree['community'].pk}",
         **seen(MANAGERS, {"department_liaison", "resident", "volunteer"})),
    Case("api place", lambda w: f"/api/places/{w.tree['compound'].pk}",
         **seen(IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"}, NOT_ANYONE, "尚书苑")),
    Case("api children", lambda w: f"/api/places/{w.tree['grid'].pk}/children",
         **seen(IN_SCOPE_STAFF | {"grid_worker"}, NOT_ANYONE, "尚书苑")),
    Case("api person", lambda w: f"/api/persons/{w.resident.person.pk}",
         **seen(REGISTER_STAFF | {"grid_worker", "building_head", "property_staff", "committee_member", "resident"},
                NOT_ANYONE, "测试resident")),
    Case("api organisation", lambda w: f"/api/organisations/{w.orgs['committee'].pk}",
         **seen(IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"}, NOT_ANYONE, "尚书苑业委会")),
    Case("routing rules page", lambda w: "/requests/routing/",
         **seen(MANAGERS | {"outsider"}, ALL - MANAGERS - {"outsider"})),
    Case("duty roster", lambda w: f"/requests/duty/{w.orgs['community_office'].pk}/",
         **seen(MANAGERS, {"grid_worker", "building_head", "department_liaison"}, "第一社区居委会")),
    Case("api tokens page", lambda w: "/accounts/tokens/",
         **seen(ALL - {"resident", "volunteer"}, {"resident", "volunteer"})),
    # ---- pages and endpoints the hand-written table above did not reach
    Case("home", lambda w: "/", expect={200: ALL}),
    Case("my actions", lambda w: "/activity/", expect={200: ALL}),
    Case("password form", lambda w: "/accounts/password/", expect={200: ALL}),
    Case("password changed page", lambda w: "/accounts/password/done/", expect={200: ALL}),
    Case("revoke someone's token", lambda w: f"/accounts/tokens/{w.community_token.pk}/revoke/", method="post",
         expect={302: {"community_staff"}}, marker="对接系统"),
    Case("notices inbox", lambda w: "/notices/", expect={200: ALL}),
    Case("mark notices read", lambda w: "/notices/read/", method="post", expect={302: ALL}),
    Case("open a notice", lambda w: f"/notices/{w.resident_notice.pk}/", expect={302: {"resident"}},
         marker="楼道灯不亮"),
    Case("export audit", lambda w: "/audit/export.xlsx", expect={200: {"street_staff"}, 403: ALL - {"street_staff"}}),
    Case("large text toggle", lambda w: "/large-text/", method="post", expect={302: ALL}),
    Case("place tree", lambda w: "/places/", expect={302: ALL - {"resident", "volunteer"}, 403: {"resident", "volunteer"}}),
    Case("household list", lambda w: "/places/households/", expect={200: ALL - {"resident", "volunteer"}, 403: {"resident", "volunteer"}}),
    Case("divisions page", lambda w: "/places/divisions/", expect={403: ALL}),
    Case("import job", lambda w: f"/places/import/{w.import_job.pk}/", expect={200: {"community_staff"}}),
    Case("import template", lambda w: "/places/import/template/places.xlsx", expect={200: ALL - {"resident", "volunteer"}, 403: {"resident", "volunteer"}}),
    Case("person list", lambda w: "/people/", expect={200: ALL - {"resident", "volunteer"}, 403: {"resident", "volunteer"}}),
    Case("reveal id number", lambda w: f"/people/{w.resident.person.pk}/reveal/id_number/", method="post",
         expect={200: {"street_staff", "community_staff", "grid_worker"}, 403: {"building_head", "property_staff", "committee_member", "resident"}}),
    Case("new position form", lambda w: f"/people/{w.grid_worker.person.pk}/positions/new/", expect={200: {"street_staff", "community_staff"}, 403: {"grid_worker", "department_liaison"}},
         marker="测试grid"),
    Case("end a position", lambda w: f"/people/positions/{w.grid_post.pk}/end/", method="post", expect={302: {"street_staff", "community_staff"}, 403: {"grid_worker", "department_liaison"}},
         marker="测试grid"),
    # ---- household members and login accounts
    Case("new member form", lambda w: f"/people/households/{w.tree['household2'].pk}/members/new/",
         expect={200: MANAGERS, 403: ACCOUNT_SEERS | {"department_liaison"}}, marker="102"),
    Case("add a member", lambda w: f"/people/households/{w.tree['household2'].pk}/members/new/", method="post",
         data=lambda w: {"name": "孙八", "relation": "resident", "share": ""},
         expect={302: MANAGERS, 403: ACCOUNT_SEERS | {"department_liaison"}}),
    Case("new home form", lambda w: f"/people/{w.grid_worker.person.pk}/homes/new/",
         expect={200: MANAGERS, 403: {"grid_worker", "department_liaison"}}, marker="测试grid"),
    Case("add a home", lambda w: f"/people/{w.grid_worker.person.pk}/homes/new/", method="post",
         data=lambda w: {"household": "C1-1-1-102", "relation": "resident"},
         expect={302: MANAGERS, 403: {"grid_worker", "department_liaison"}}, marker="测试grid"),
    Case("member edit form", lambda w: f"/people/members/{w.resident_home.pk}/edit/",
         expect={200: MANAGERS, 403: ACCOUNT_SEERS | {"resident"}}, marker="测试resident"),
    Case("member edit", lambda w: f"/people/members/{w.resident_home.pk}/edit/", method="post",
         data=lambda w: {"relation": "owner", "share": "0.5", "registered_area": "89.50"},
         expect={302: MANAGERS, 403: ACCOUNT_SEERS | {"resident"}}, marker="测试resident"),
    Case("end a member", lambda w: f"/people/members/{w.resident_home.pk}/end/", method="post",
         expect={302: MANAGERS, 403: ACCOUNT_SEERS | {"resident"}}, marker="测试resident"),
    Case("new account form", lambda w: f"/people/{w.newcomer.pk}/account/new/",
         expect={200: MANAGERS, 403: ACCOUNT_SEERS}, marker="钱七"),
    Case("open an account", lambda w: f"/people/{w.newcomer.pk}/account/new/", method="post",
         data=lambda w: {"username": "qianqi"}, expect={302: MANAGERS, 403: ACCOUNT_SEERS}, marker="钱七"),
    Case("reset an account", lambda w: f"/people/{w.resident.person.pk}/account/reset/", method="post",
         expect={302: MANAGERS, 403: ACCOUNT_SEERS | {"resident"}}, marker="测试resident"),
    Case("deactivate an account", lambda w: f"/people/{w.resident.person.pk}/account/deactivate/", method="post",
         expect={302: MANAGERS, 403: ACCOUNT_SEERS | {"resident"}}, marker="测试resident"),
    Case("reactivate an account", lambda w: f"/people/{w.resident.person.pk}/account/reactivate/", method="post",
         expect={302: MANAGERS, 403: ACCOUNT_SEERS | {"resident"}}, marker="测试resident"),
    Case("no such account move", lambda w: f"/people/{w.resident.person.pk}/account/promote/", method="post",
         expect={}, marker="测试resident"),
    Case("api add a member", lambda w: f"/api/households/{w.tree['household2'].pk}/members", method="post",
         json=True, data=lambda w: {"name": "孙八", "relation": "resident"},
         expect={201: MANAGERS, 403: ACCOUNT_SEERS | {"department_liaison"}}),
    Case("api change a member", lambda w: f"/api/household-members/{w.resident_home.pk}", method="patch",
         data=lambda w: {"share": "0.5"}, expect={200: MANAGERS, 403: ACCOUNT_SEERS | {"resident"}},
         marker="测试resident"),
    Case("api end a member", lambda w: f"/api/household-members/{w.resident_home.pk}/end", method="post",
         json=True, expect={200: MANAGERS, 403: ACCOUNT_SEERS | {"resident"}}),
    Case("activation page", lambda w: "/accounts/activate/", expect={200: ALL}),
    Case("forgot password page", lambda w: "/accounts/password/reset/", expect={200: ALL}),
    Case("new password by code page", lambda w: "/accounts/password/reset/confirm/", expect={200: ALL}),
    Case("organisation list", lambda w: "/people/organisations/", expect={200: ALL - {"resident", "volunteer"}, 403: {"resident", "volunteer"}}),
    Case("new organisation form", lambda w: f"/people/organisations/new/{w.tree['compound'].pk}/", expect={200: {"street_staff", "community_staff"}, 403: {"grid_worker", "property_staff", "committee_member", "department_liaison"}},
         marker="尚书苑"),
    Case("api openapi schema", lambda w: "/api/openapi.json", expect={200: ALL}),
    Case("api docs", lambda w: "/api/docs", expect={200: ALL}),
    Case("api place list", lambda w: "/api/places", expect={200: ALL}),
    Case("api create place", lambda w: "/api/places", method="post", json=True,
         data=lambda w: {"parent": w.tree["compound"].pk, "kind": "building", "name": "9号楼"}, expect={201: {"street_staff", "community_staff"}, 403: {"grid_worker", "property_staff", "committee_member", "department_liaison"}}),
    Case("api update place", lambda w: f"/api/places/{w.tree['compound'].pk}", method="patch",
         data=lambda w: {"name": "改名小区"}, expect={200: {"street_staff", "community_staff"}, 403: {"grid_worker", "property_staff", "committee_member", "department_liaison"}}, marker="尚书苑"),
    Case("api move place", lambda w: f"/api/places/{w.tree['compound'].pk}/move", method="post", json=True,
         data=lambda w: {"parent": w.tree["grid2"].pk}, expect={200: {"street_staff", "community_staff"}, 403: {"department_liaison"}}, marker="尚书苑"),
    Case("api person list", lambda w: "/api/persons", expect={200: ALL}),
    Case("api create person", lambda w: "/api/persons", method="post", json=True,
         data=lambda w: {"name": "新居民", "place": w.tree["household"].pk}, expect={201: {"street_staff", "community_staff"}, 403: ALL - {"street_staff", "community_staff", "volunteer", "outsider"}}),
    Case("api organisation list", lambda w: "/api/organisations", expect={200: ALL}),
    Case("api create organisation", lambda w: "/api/organisations", method="post", json=True,
         data=lambda w: {"kind": "social_organisation", "name": "尚书苑睦邻会", "place": w.tree["compound"].pk},
         expect={201: {"street_staff", "community_staff"}, 403: {"grid_worker", "property_staff", "committee_member", "department_liaison"}}),
    Case("api position list", lambda w: "/api/positions", expect={200: ALL}),
    Case("api appoint position", lambda w: "/api/positions", method="post", json=True,
         data=lambda w: {"person": w.resident.person.pk, "organisation": w.orgs["volunteers"].pk,
                         "title": "volunteer", "place": w.tree["community"].pk}, expect={201: {"street_staff", "community_staff"}}),
    Case("api end position", lambda w: f"/api/positions/{w.grid_post.pk}/end", method="post", json=True,
         expect={200: {"street_staff", "community_staff"}, 403: {"grid_worker", "department_liaison"}}),
]


@pytest.mark.parametrize(("role", "case"), matrix_params(CASES, ROLES))
def test_detail_pages_and_endpoints(request, client, tree, orgs, resident, role, case):
    run_case(client, World(request), case, _who(request, role), role)


@pytest.mark.parametrize("url", ["/", "/places/", "/places/households/", "/people/", "/people/organisations/",
                                 "/audit/", "/places/import/", "/requests/routing/", "/accounts/tokens/"])
def test_anonymous_pages_redirect_to_login(client, tree, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/api/places", "/api/persons", "/api/organisations", "/api/positions"])
def test_anonymous_api_gets_401(client, tree, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录或提供 API 令牌"}


HOUSEHOLDS_SEEN = {
    "street_staff": {"C1-1-1-101", "C1-1-1-102", "OC1-1-201"},
    "community_staff": {"C1-1-1-101", "C1-1-1-102"},
    "grid_worker": {"C1-1-1-101", "C1-1-1-102"},
    "building_head": {"C1-1-1-101", "C1-1-1-102"},
    "property_staff": {"C1-1-1-101", "C1-1-1-102"},
    "committee_member": {"C1-1-1-101", "C1-1-1-102"},
    "department_liaison": {"C1-1-1-101", "C1-1-1-102", "OC1-1-201"},
    "resident": {"C1-1-1-101"},
    "volunteer": set(),
    "outsider": {"OC1-1-201"},
}


@pytest.mark.parametrize("role", ROLES)
def test_api_household_list_is_scoped(request, client, tree, role):
    client.force_login(_who(request, role))
    response = client.get("/api/places?kind=household&limit=200")
    assert response.status_code == 200
    body = response.json()
    assert {row["code"] for row in body["items"]} == HOUSEHOLDS_SEEN[role]
    assert body["count"] == len(HOUSEHOLDS_SEEN[role])


@pytest.mark.parametrize("role", ROLES)
def test_household_page_list_is_scoped(request, client, tree, role):
    client.force_login(_who(request, role))
    response = client.get("/places/households/")
    if role in ("resident", "volunteer"):
        assert response.status_code == 403
        return
    html = response.content.decode()
    # the list names households in context (compound, building, unit, door), not by their codes
    labels = {"C1-1-1-101": "尚书苑 1号楼 1单元 101", "C1-1-1-102": "尚书苑 1号楼 1单元 102", "OC1-1-201": "安定苑 1号楼 201"}
    assert {c for c, label in labels.items() if f">{label}</span>" in html} == HOUSEHOLDS_SEEN[role]


@pytest.mark.parametrize("role", ROLES)
def test_person_lists_do_not_leak_the_resident(request, client, tree, resident, role):
    user = resident if role == "resident" else _who(request, role)
    client.force_login(user)
    api = client.get("/api/persons?limit=200").json()
    names = {row["name"] for row in api["items"]}
    sees = role in REGISTER_STAFF | {"grid_worker", "building_head", "property_staff", "committee_member",
                                     "resident"}
    assert (resident.person.name in names) is sees
    assert api["count"] == len(api["items"])
    page = client.get("/people/?q=测试res")  # the query is echoed: search by a prefix
    if role in ("resident", "volunteer"):
        assert page.status_code == 403
    else:
        assert (resident.person.name in page.content.decode()) is sees


@pytest.mark.parametrize("role", ROLES)
def test_organisation_list_is_scoped(request, client, tree, orgs, role):
    client.force_login(_who(request, role))
    items = client.get("/api/organisations?limit=200").json()["items"]
    names = {row["name"] for row in items}
    assert ("尚书苑业委会" in names) is (role in IN_SCOPE_STAFF | {"grid_worker", "property_staff",
                                                                "committee_member"})
    assert ("第二社区居委会" in names) is (role in {"street_staff", "department_liaison", "outsider"})


@pytest.mark.parametrize("role", ROLES)
def test_position_list_is_scoped(request, client, tree, grid_worker, role):
    user = grid_worker if role == "grid_worker" else _who(request, role)
    client.force_login(user)
    items = client.get("/api/positions?limit=200").json()["items"]
    grid_worker_posts = {row["id"] for row in items if row["person_id"] == grid_worker.person.pk}
    sees = role in {"street_staff", "community_staff", "department_liaison", "grid_worker"}
    assert bool(grid_worker_posts) is sees


@pytest.mark.parametrize("role", ROLES)
def test_pii_reveal_only_for_roles_that_need_it(request, client, tree, resident, role):
    user = resident if role == "resident" else _who(request, role)
    client.force_login(user)
    before = Event.objects.filter(verb="core.reveal_pii").count()
    response = client.post(f"/people/{resident.person.pk}/reveal/id_number/")
    allowed = role in {"street_staff", "community_staff", "grid_worker"}
    visible = allowed or role in {"building_head", "property_staff", "committee_member", "resident"}
    assert response.status_code == (200 if allowed else 403 if visible else 404)
    assert (resident.person.id_number in response.content.decode()) is allowed
    assert Event.objects.filter(verb="core.reveal_pii").count() == before + (1 if allowed else 0)


@pytest.mark.parametrize("role", ROLES)
def test_import_job_is_private_to_its_creator(request, client, tree, community_staff, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.places.imports import create_import, template_xlsx

    job = create_import(kind="places", upload=SimpleUploadedFile("a.xlsx", template_xlsx("places")),
                        place=tree["community"], by=community_staff)
    user = community_staff if role == "community_staff" else _who(request, role)
    client.force_login(user)
    response = client.get(f"/places/import/{job.pk}/")
    assert response.status_code == (200 if role == "community_staff" else 404)
    assert ImportJob.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_writes_outside_scope_change_nothing(request, client, tree, role):
    """POSTs on the first community's compound: only its managers succeed; nobody else writes a row."""
    client.force_login(_who(request, role))
    compound = tree["compound"]
    places_before, events_before = Place.objects.count(), Event.objects.count()
    r1 = client.post(f"/places/{compound.pk}/edit/", {"name": "改名小区"})
    r2 = client.post("/api/places", data=json.dumps({"parent": compound.pk, "kind": "building", "name": "9号楼"}),
                     content_type="application/json")
    compound.refresh_from_db()
    if role in MANAGERS:
        assert r1.status_code == 302 and r2.status_code == 201
        assert compound.name == "改名小区"
        assert Place.objects.count() == places_before + 1
    else:
        assert r1.status_code in (403, 404) and r2.status_code in (403, 404)
        assert compound.name == "尚书苑"
        assert Place.objects.count() == places_before
        assert Event.objects.count() == events_before
    assert Person.objects.filter(name="改名小区").count() == 0
