"""Every page and endpoint × every role: outside the scope the answer is 403/404 and no data leaks.

Each case names who may see the object; everyone else must get 403 or 404, and the response must not
contain the object's name (we count rows, not just status codes).
"""

from __future__ import annotations

import json

import pytest

from gongzhi.core.models import Event
from gongzhi.people.models import Person
from gongzhi.places.models import ImportJob, Place

from .conftest import ROLES

IN_SCOPE_STAFF = {"street_staff", "community_staff", "department_liaison"}
MANAGERS = {"street_staff", "community_staff"}


def _who(request, role):
    return request.getfixturevalue(role)


# (case id, url factory, roles that get 200, roles that get 403 (the rest get 404), marker text that must not leak)
def _cases(t, o, people):
    compound, household, grid = t["compound"], t["household"], t["grid"]
    resident = people["resident"]
    return [
        ("place page: compound", f"/places/{compound.pk}/",
         IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"},
         {"resident", "volunteer"}, "尚书苑"),
        ("place page: household", f"/places/{household.pk}/",
         IN_SCOPE_STAFF | {"grid_worker", "building_head", "property_staff", "committee_member"},
         {"resident", "volunteer"}, "1单元"),
        ("place edit form", f"/places/{compound.pk}/edit/", MANAGERS,
         {"grid_worker", "property_staff", "committee_member", "department_liaison", "resident", "volunteer"}, "尚书苑"),
        ("place move form", f"/places/{compound.pk}/move/", MANAGERS,
         {"grid_worker", "property_staff", "committee_member", "department_liaison", "resident", "volunteer"}, "尚书苑"),
        ("new child form", f"/places/{grid.pk}/new/", MANAGERS,
         {"grid_worker", "department_liaison", "resident", "volunteer"}, "第1网格"),
        ("export places", f"/places/{compound.pk}/export/places.xlsx",
         IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"}, {"resident", "volunteer"}, None),
        ("export households", f"/places/{compound.pk}/export/households.xlsx",
         IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"}, {"resident", "volunteer"}, None),
        ("person page", f"/people/{resident.pk}/",
         IN_SCOPE_STAFF | {"grid_worker", "building_head", "property_staff", "committee_member", "resident"},
         set(), resident.name),
        ("person edit", f"/people/{resident.pk}/edit/", MANAGERS,
         {"grid_worker", "building_head", "property_staff", "committee_member", "department_liaison", "resident"},
         resident.name),
        ("new person form", f"/people/new/{household.pk}/", MANAGERS,
         {"grid_worker", "building_head", "property_staff", "committee_member", "department_liaison", "resident"},
         None),
        ("organisation page", f"/people/organisations/{o['committee'].pk}/",
         IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"}, set(), "尚书苑业委会"),
        ("audit page", "/audit/", {"street_staff"}, set(ROLES) - {"street_staff"}, None),
        ("import page", f"/places/import/?place={t['community'].pk}", MANAGERS,
         {"department_liaison", "resident", "volunteer"}, None),
        ("api place", f"/api/places/{compound.pk}",
         IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"}, set(), "尚书苑"),
        ("api children", f"/api/places/{grid.pk}/children",
         IN_SCOPE_STAFF | {"grid_worker"}, set(), "尚书苑"),
        ("api person", f"/api/persons/{resident.pk}",
         IN_SCOPE_STAFF | {"grid_worker", "building_head", "property_staff", "committee_member", "resident"},
         set(), resident.name),
        ("api organisation", f"/api/organisations/{o['committee'].pk}",
         IN_SCOPE_STAFF | {"grid_worker", "property_staff", "committee_member"}, set(), "尚书苑业委会"),
        ("routing rules page", "/requests/routing/", MANAGERS | {"outsider"},
         set(ROLES) - MANAGERS - {"outsider"}, None),
        ("duty roster", f"/requests/duty/{o['community_office'].pk}/", MANAGERS,
         {"grid_worker", "building_head", "department_liaison"}, "第一社区居委会"),
        ("api tokens page", "/accounts/tokens/", set(ROLES) - {"resident", "volunteer"}, {"resident", "volunteer"},
         None),
    ]


CASE_IDS = ["place page: compound", "place page: household", "place edit form", "place move form",
            "new child form", "export places", "export households", "person page", "person edit",
            "new person form", "organisation page", "audit page", "import page", "api place", "api children",
            "api person", "api organisation", "routing rules page", "duty roster", "api tokens page"]


@pytest.mark.parametrize("case", CASE_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_detail_pages_and_endpoints(request, client, tree, orgs, resident, case, role):
    cases = {c[0]: c for c in _cases(tree, orgs, {"resident": resident.person})}
    _name, url, ok, forbidden, marker = cases[case]
    user = resident if role == "resident" else _who(request, role)
    client.force_login(user)
    response = client.get(url)
    expected = 200 if role in ok else 403 if role in forbidden else 404
    assert response.status_code == expected, f"{role} → {url}"
    own_name = role == "resident" and marker == resident.person.name  # the page header shows one's own name
    if expected != 200 and marker and not own_name:
        assert marker not in response.content.decode()


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
    assert {c for c in ("C1-1-1-101", "C1-1-1-102", "OC1-1-201") if c in html} == HOUSEHOLDS_SEEN[role]


@pytest.mark.parametrize("role", ROLES)
def test_person_lists_do_not_leak_the_resident(request, client, tree, resident, role):
    user = resident if role == "resident" else _who(request, role)
    client.force_login(user)
    api = client.get("/api/persons?limit=200").json()
    names = {row["name"] for row in api["items"]}
    sees = role in IN_SCOPE_STAFF | {"grid_worker", "building_head", "property_staff", "committee_member",
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
    visible = allowed or role in {"department_liaison", "building_head", "property_staff", "committee_member",
                                  "resident"}
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
