"""The household list per request: scopes cached in the session (and dropped on every change that can
alter them), and a page with its total in one query."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.pagination import TOTAL, OneQueryPaginator, get_page
from gongzhi.core.permissions import SYSTEM
from gongzhi.core.roles import Role
from gongzhi.core.scope import (
    SESSION_SCOPES_KEY,
    Scope,
    bump_scope_versions,
    scope_session,
    user_roles,
    user_scopes,
)
from gongzhi.people import actions as people_actions
from gongzhi.people.generate import generate
from gongzhi.people.imports import write_households
from gongzhi.people.models import HouseholdMember, Person, Position
from gongzhi.people.roles import Title
from gongzhi.places import actions as place_actions
from gongzhi.places.models import Kind, Place
from gongzhi.places.queries import households_in

from .conftest import PASSWORD

MIDDLEWARE = "gongzhi.core.scope.ScopeSessionMiddleware"
OUR_BACKEND = "gongzhi.people.auth.UsernameOrPhoneBackend"
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _scope_middleware(settings):
    """The scope cache needs its middleware right after AuthenticationMiddleware."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        mw = list(settings.MIDDLEWARE)
        mw.insert(mw.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, MIDDLEWARE)
        settings.MIDDLEWARE = mw


def _sql(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def _scope_queries(ctx) -> list[str]:
    return [s for s in _sql(ctx) if "people_position" in s or "people_householdmember" in s]


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)  # records our backend in the session


# ---------------------------------------------------------------- loading the scopes


def test_scopes_load_in_one_query(grid_worker, resident):
    user = get_user_model().objects.get(pk=grid_worker.pk)
    with CaptureQueriesContext(connection) as ctx:
        scopes = user_scopes(user)
    assert len(ctx) == 1 and "UNION ALL" in ctx.captured_queries[0]["sql"]
    assert "ORDER BY" not in ctx.captured_queries[0]["sql"]
    assert {s.role for s in scopes} == {Role.GRID_WORKER}
    home = user_scopes(get_user_model().objects.get(pk=resident.pk))
    assert [(s.role, s.organisation_id) for s in home] == [(Role.RESIDENT, None)]


def test_without_a_session_scopes_are_cached_on_the_user_object(tree, orgs, grid_worker):
    user = get_user_model().objects.get(pk=grid_worker.pk)
    before = user_scopes(user)
    people_actions.appoint_position(user.person, organisation=orgs["community_office"], title=Title.COMMUNITY_WORKER,
                                    place=tree["community"], by=SYSTEM)
    assert user_scopes(user) == before  # same object, same scopes (as before the session cache existed)
    assert Role.COMMUNITY_STAFF in user_roles(get_user_model().objects.get(pk=user.pk))


def test_our_backend_loads_the_person_with_the_user(client, grid_worker):
    _login(client, grid_worker)
    client.get("/places/households/")  # fills the cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/places/households/").status_code == 200
    assert not _scope_queries(ctx)
    assert not [s for s in _sql(ctx) if s.startswith('SELECT') and 'FROM "people_person"' in s]


# ---------------------------------------------------------------- the session cache


def test_scopes_are_kept_in_the_session_as_json(client, grid_worker):
    _login(client, grid_worker)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/places/households/").status_code == 200
    assert len(_scope_queries(first)) == 1
    entry = client.session[SESSION_SCOPES_KEY]
    json.dumps(entry)
    person = Person.objects.get(user=grid_worker)
    assert entry["key"] == [timezone.localdate().isoformat(), person.pk, person.scope_version, 2]
    with CaptureQueriesContext(connection) as second:
        assert client.get("/places/households/").status_code == 200
    assert _scope_queries(second) == []


def test_force_login_with_another_backend_still_uses_the_cache(client, grid_worker):
    client.force_login(grid_worker)  # AUTHENTICATION_BACKENDS[0]: the person is not selected with the user
    client.get("/places/households/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/places/households/").status_code == 200
    assert _scope_queries(ctx) == []


def test_a_revoked_position_stops_granting_access_on_the_next_request(client, tree, orgs, grid_worker):
    _login(client, grid_worker)
    person = Person.objects.get(user=grid_worker)
    extra = people_actions.appoint_position(person, organisation=orgs["other_office"], title=Title.GRID_WORKER,
                                            place=tree["other_grid"], by=SYSTEM, start_date=YESTERDAY)
    other, own = f"/places/{tree['other_household'].pk}/", f"/places/{tree['household'].pk}/"
    assert client.get(other).status_code == 200
    assert client.get("/places/households/").context["page"].paginator.count == 3
    people_actions.end_position(extra, by=SYSTEM, end_date=YESTERDAY)
    assert client.get(other).status_code == 404  # the very next request
    assert client.get(own).status_code == 200
    assert client.get("/places/households/").context["page"].paginator.count == 2
    for position in Position.objects.filter(person=person).exclude(pk=extra.pk):
        people_actions.end_position(position, by=SYSTEM, end_date=YESTERDAY)
    assert client.get(own).status_code == 403  # no staff role left at all
    assert client.get("/places/households/").status_code == 403


def test_a_new_position_grants_access_on_the_next_request(client, tree, orgs, grid_worker):
    _login(client, grid_worker)
    other = f"/places/{tree['other_household'].pk}/"
    assert client.get(other).status_code == 404
    people_actions.appoint_position(Person.objects.get(user=grid_worker), organisation=orgs["other_office"],
                                    title=Title.GRID_WORKER, place=tree["other_grid"], by=SYSTEM)
    assert client.get(other).status_code == 200


def test_a_new_home_is_seen_on_the_next_request(client, tree, resident):
    _login(client, resident)
    homes = [h["household"].pk for h in client.get("/").context["card"]["homes"]["homes"]]
    assert homes == [tree["household"].pk]
    people_actions.add_household_member(tree["household2"], Person.objects.get(user=resident), relation="tenant",
                                        by=SYSTEM)
    homes = [h["household"].pk for h in client.get("/").context["card"]["homes"]["homes"]]
    assert homes == [tree["household"].pk, tree["household2"].pk]


def test_an_imported_home_bumps_the_version(tree, resident):
    person = Person.objects.get(user=resident)
    before = person.scope_version
    write_households([{"id_number": person.id_number, "name": person.name, "phone": "", "household": tree["household2"],
                       "party": False, "relation": "tenant", "share": Decimal(1), "area": None}])
    person.refresh_from_db()
    assert person.scope_version == before + 1
    assert HouseholdMember.objects.filter(person=person, place=tree["household2"]).exists()


def test_moving_a_place_refreshes_the_scope_paths(client, tree, grid_worker, resident, outsider):
    _login(client, grid_worker)
    assert client.get("/places/households/").context["page"].paginator.count == 2
    versions = dict(Person.objects.values_list("user__username", "scope_version"))
    # the grid worker's grid moves to the other community: its path (their scope root) changes
    place_actions.move_place(tree["grid"], new_parent=tree["other_community"], by=SYSTEM)
    after = dict(Person.objects.values_list("user__username", "scope_version"))
    assert after["grid"] == versions["grid"] + 1 and after["resident"] == versions["resident"] + 1
    assert after["outsider"] == versions["outsider"]  # their post is on an ancestor: its path did not change
    page = client.get("/places/households/").context["page"]
    assert page.paginator.count == 2
    assert all(h["path"].startswith(Place.objects.get(pk=tree["grid"].pk).path) for h in page.object_list)


def test_a_stale_or_forged_entry_is_ignored(client, tree, grid_worker):
    """Only an entry under today's date and the person's current version is used."""
    _login(client, grid_worker)
    person = Person.objects.get(user=grid_worker)
    everything = [["street_secretary", tree["district"].pk, tree["district"].path, None]]
    for key in ([YESTERDAY.isoformat(), person.pk, person.scope_version],
                [timezone.localdate().isoformat(), person.pk, person.scope_version - 1],
                [timezone.localdate().isoformat(), person.pk + 1000, person.scope_version]):
        session = client.session
        session[SESSION_SCOPES_KEY] = {"key": key, "rows": everything}
        session.save()
        assert client.get(f"/places/{tree['other_household'].pk}/").status_code == 404


def test_scopes_expire_with_the_day(client, tree, grid_worker, monkeypatch):
    """A post that ends today still counts today and stops counting tomorrow, cache or not."""
    for position in Position.objects.filter(person__user=grid_worker):
        people_actions.end_position(position, by=SYSTEM, end_date=timezone.localdate())
    _login(client, grid_worker)
    assert client.get(f"/places/{tree['household'].pk}/").status_code == 200
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert client.get(f"/places/{tree['household'].pk}/").status_code == 403  # no staff role any more


def test_another_users_session_is_not_used(grid_worker, street_staff):
    """The session cache serves only the session's own user."""
    session = {"_auth_user_id": str(grid_worker.pk)}
    staff = get_user_model().objects.get(pk=street_staff.pk)
    with scope_session(session):
        assert {s.role for s in user_scopes(staff)} == {Role.STREET_STAFF}
        assert SESSION_SCOPES_KEY not in session
        mine = user_scopes(get_user_model().objects.get(pk=grid_worker.pk))
    assert session[SESSION_SCOPES_KEY]["rows"]
    assert {s.role for s in mine} == {Role.GRID_WORKER}


def test_a_user_without_a_person_has_no_scopes_and_needs_no_scope_query(superuser):
    session = {"_auth_user_id": str(superuser.pk)}
    user = get_user_model().objects.select_related("person").get(pk=superuser.pk)
    with scope_session(session), CaptureQueriesContext(connection) as ctx:
        assert user_scopes(user) == ()
    assert len(ctx) == 0


def test_bump_is_one_update(tree, grid_worker, resident):
    with CaptureQueriesContext(connection) as ctx:
        assert bump_scope_versions(under_path=tree["grid"].path) == 2
    assert len(ctx) == 1 and ctx.captured_queries[0]["sql"].startswith("UPDATE")
    assert bump_scope_versions([]) == 0


def test_scope_round_trips_through_json(grid_worker):
    session = {"_auth_user_id": str(grid_worker.pk)}
    with scope_session(session):
        loaded = user_scopes(get_user_model().objects.select_related("person").get(pk=grid_worker.pk))
        stored = json.loads(json.dumps(session))
    with scope_session(stored), CaptureQueriesContext(connection) as ctx:
        again = user_scopes(get_user_model().objects.select_related("person").get(pk=grid_worker.pk))
    assert len(ctx) == 1  # the user (with person); no scope query
    assert again == loaded and all(isinstance(s, Scope) for s in again)


# ---------------------------------------------------------------- one-query pages


@pytest.fixture
def tiny(db):
    result = generate("tiny")
    user = get_user_model().objects.get(username=result.username)
    # the grid worker's 96 households as model instances (households_in gives dicts: see test_statements)
    return Place.objects.filter(pk__in=households_in(user).values("id")).order_by("path")


def _rows(page):
    return [p.pk for p in page.object_list]


@pytest.mark.parametrize("number", [1, 2, 5, "3", 3.0])
def test_page_and_total_in_one_query(tiny, number, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = OneQueryPaginator(tiny, 20).get_page(number)
        rows = _rows(page)
        count, pages = page.paginator.count, page.paginator.num_pages
    expected = Paginator(tiny, 20).get_page(number)
    assert (count, pages, page.number) == (96, 5, expected.number)
    assert rows == _rows(expected)
    assert (page.has_previous(), page.has_next()) == (expected.has_previous(), expected.has_next())
    assert not any(hasattr(p, TOTAL) for p in page.object_list)


def test_last_page(tiny):
    page = get_page(tiny, 5)
    assert len(page) == 16 and not page.has_next() and page.previous_page_number() == 4
    assert _rows(page) == list(tiny.values_list("pk", flat=True)[80:])


@pytest.mark.parametrize("number", [6, 99])
def test_out_of_range_gives_the_last_page(tiny, number, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # empty page, count, last page
        page = get_page(tiny, number)
        assert (page.number, page.paginator.count, len(page)) == (5, 96, 16)
    assert _rows(page) == _rows(Paginator(tiny, 20).get_page(number))
    with pytest.raises(EmptyPage):
        OneQueryPaginator(tiny, 20).page(number)


@pytest.mark.parametrize("number", ["abc", None, 0, -1, 1.5])
def test_bad_numbers_as_django(tiny, number):
    assert get_page(tiny, number).number == Paginator(tiny, 20).get_page(number).number


def test_empty_set(tiny, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = get_page(tiny.filter(name="没有这一户"), 1)
        assert (page.paginator.count, page.paginator.num_pages, len(page)) == (0, 1, 0)
        assert not page.has_next() and not page.has_previous()
    assert get_page(tiny.filter(name="没有这一户"), 7).number == 1


@pytest.mark.parametrize("total", [19, 20, 21, 23, 24, 40, 43])
def test_orphans_as_django(tiny, total):
    qs = tiny.filter(pk__in=list(tiny.values_list("pk", flat=True)[:total]))
    for number in range(1, 6):
        ours, theirs = get_page(qs, number, 10, orphans=3), Paginator(qs, 10, orphans=3).get_page(number)
        assert (ours.number, ours.paginator.count, ours.paginator.num_pages, _rows(ours)) == \
               (theirs.number, theirs.paginator.count, theirs.paginator.num_pages, _rows(theirs))


def test_distinct_and_values_querysets(tiny):
    joined = tiny.filter(path__startswith="").distinct()
    assert get_page(joined, 2).paginator.count == 96
    values = tiny.values("pk", "name")
    page = get_page(values, 1)
    assert page.paginator.count == 96 and set(page.object_list[0]) == {"pk", "name"}
    flat = tiny.values_list("pk", flat=True)
    assert list(get_page(flat, 1).object_list) == list(flat[:20])


def test_joined_rows_are_counted_as_paginator_counts_them(tree, grid_worker, resident, street_staff):
    """A filter across a to-many relation without distinct(): duplicates count, as in Paginator."""
    people_actions.add_household_member(tree["household"], Person.objects.get(user=street_staff), relation="tenant",
                                        by=SYSTEM)
    qs = Place.objects.filter(members__isnull=False).order_by("path")
    ours, theirs = get_page(qs, 1), Paginator(qs, 20).get_page(1)
    assert ours.paginator.count == theirs.paginator.count == 2
    assert _rows(ours) == _rows(theirs) == [tree["household"].pk] * 2


# ---------------------------------------------------------------- the household list view


def _add_households(tree, n):
    for i in range(n):
        place_actions.create_place(parent=tree["unit"], kind=Kind.HOUSEHOLD, name=f"{201 + i}", code=f"X-{i}",
                                   by=SYSTEM)


def _count_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/places/households/")
    assert response.status_code == 200
    return len(ctx), response.context["page"]


def test_view_queries_do_not_grow_with_the_households(client, tree, grid_worker, django_assert_num_queries):
    _login(client, grid_worker)
    client.get("/places/households/")  # scopes into the session
    few, page = _count_queries(client)
    assert page.paginator.count == 2
    _add_households(tree, 45)
    with django_assert_num_queries(few):
        page = client.get("/places/households/?page=2").context["page"]
    assert (page.paginator.count, len(page), page.paginator.num_pages, page.number) == (47, 20, 3, 2)


def test_view_reads_the_page_and_its_total_in_one_query(client, tree, grid_worker):
    """Of the request's queries (session, user with person, base-template extras, session save), exactly
    one reads households — the page with its total — and none reads posts or homes."""
    _add_households(tree, 25)
    _login(client, grid_worker)
    client.get("/places/households/")
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/places/households/?page=2").context["page"]
    places = [q for q in _sql(ctx) if '"places_place"' in q]
    # the page with its total, then the page's places in context (their ancestors' names, by path)
    assert len(places) == 2 and "SELECT COUNT(" in places[0] and "LIMIT" in places[0]
    assert '"path" IN (' in places[1] and "LIMIT" not in places[1]
    assert _scope_queries(ctx) == []
    assert (page.paginator.count, len(page)) == (27, 7)


def test_view_search_by_member_name(client, tree, grid_worker, resident):
    _login(client, grid_worker)
    people_actions.add_household_member(tree["household"], Person.objects.get(user=grid_worker), relation="resident",
                                        by=SYSTEM)
    name = Person.objects.get(user=resident).name
    page = client.get("/places/households/", {"q": name}).context["page"]
    assert [h["id"] for h in page.object_list] == [tree["household"].pk] and page.paginator.count == 1
    page = client.get("/places/households/", {"q": "102"}).context["page"]
    assert [h["code"] for h in page.object_list] == ["C1-1-1-102"]


def test_a_liaison_finds_no_household_by_a_member_name(client, tree, department_liaison, resident):
    """The liaison sees the places (to find where a case is), not the register: a name finds nothing, a
    household number still does."""
    _login(client, department_liaison)
    name = Person.objects.get(user=resident).name
    page = client.get("/places/households/", {"q": name}).context["page"]
    assert page.paginator.count == 0
    page = client.get("/places/households/", {"q": tree["household"].name}).context["page"]
    assert tree["household"].pk in [h["id"] for h in page.object_list]


# ---------------------------------------------------------------- the list's index-friendly subtree ranges


@pytest.mark.parametrize(("path", "after"), [("0001", "0002"), ("0009", "000A"), ("000Z", "001"), ("00ZZ", "01"),
                                             ("ZZZZ", None)])
def testpath_after(path, after):
    from gongzhi.places.queries import path_after

    assert path_after(path) == after


def test_subtree_ranges_match_the_prefixes(tree):
    from gongzhi.places.queries import subtree_ranges

    places = list(Place.objects.all())
    for root in places:
        by_range = set(Place.objects.filter(subtree_ranges([root.path])).values_list("pk", flat=True))
        assert by_range == {p.pk for p in places if p.path.startswith(root.path)}, root.path
    for edge in ("ZZZZ", "000Z", "0000ZZZZ"):
        assert set(Place.objects.filter(subtree_ranges([edge])).values_list("pk", flat=True)) == {
            p.pk for p in places if p.path.startswith(edge)}


@pytest.mark.parametrize("role", ["street_staff", "community_staff", "grid_worker", "building_head", "property_staff",
                                  "committee_member", "department_liaison", "resident", "volunteer", "outsider",
                                  "other_resident", "superuser"])
def test_household_list_is_exactly_the_visible_households(request, tree, role):
    user = request.getfixturevalue(role)
    expected = list(Place.objects.visible_to(user).households().order_by("path").values_list("pk", flat=True))
    assert list(households_in(user).values_list("pk", flat=True)) == expected
    mine = list(households_in(user, tree["unit"]).values_list("pk", flat=True))
    assert mine == [pk for pk in expected if pk in {tree["household"].pk, tree["household2"].pk}]


def test_household_page_reads_along_the_path_index(tree, grid_worker):
    sql = str(households_in(grid_worker).query)
    assert '"places_place"."path" >=' in sql and '"places_place"."path" <' in sql and "LIKE" not in sql
