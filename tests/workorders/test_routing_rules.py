"""派单规则 pages: street and community staff list, create, edit and delete the rules of their own places;
every change is one audited action, and dispatch follows the rules made here."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import Event
from gongzhi.workorders import actions
from gongzhi.workorders.models import Category, RoutingRule

from ..conftest import ROLES

DISPATCHERS = {"street_staff", "community_staff"}


@pytest.fixture
def rules_made(tree, orgs, utilities, managed):
    """One rule in each community (made by the system, so no Event)."""
    mine = RoutingRule.objects.create(category=utilities, place=tree["compound"], organisation=orgs["company"])
    theirs = RoutingRule.objects.create(category=None, place=tree["other_community"],
                                        organisation=orgs["other_office"])
    return mine, theirs


ROWS_SEEN = {"street_staff": 2, "community_staff": 1, "outsider": 1}


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_each_dispatcher_the_rules_of_their_places(request, client, rules_made, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/requests/routing/")
    if role not in ROWS_SEEN:
        assert response.status_code == 403
        assert "万科物业" not in response.content.decode()
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="rule-row"') == ROWS_SEEN[role]
    assert ("尚书苑" in html) is (role != "outsider")
    assert ("第二社区居委会" in html) is (role != "community_staff")


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_only_for_dispatchers_over_the_rule(request, client, rules_made, role):
    mine, _theirs = rules_made
    client.force_login(request.getfixturevalue(role))
    response = client.get(f"/requests/routing/{mine.pk}/")
    assert response.status_code == (200 if role in DISPATCHERS else 404)
    if role not in DISPATCHERS:
        assert "万科物业" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_dispatchers_over_the_place_create_a_rule(request, client, tree, orgs, utilities, managed, role):
    client.force_login(request.getfixturevalue(role))
    rows, events = RoutingRule.objects.count(), Event.objects.count()
    response = client.post("/requests/routing/new/", {"category": utilities.pk, "place": tree["compound"].pk,
                                                      "organisation": orgs["company"].pk})
    made = role in DISPATCHERS
    assert response.status_code == (302 if made else 200 if role == "outsider" else 403)
    assert RoutingRule.objects.count() == rows + made
    assert Event.objects.count() == events + made
    if role == "outsider":  # the compound is not among its places: a form error, nothing written
        assert "所选区域不存在或不在您的范围内" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_dispatchers_over_the_rule_edit_or_delete_it(request, client, rules_made, orgs, role):
    mine, _theirs = rules_made
    client.force_login(request.getfixturevalue(role))
    events = Event.objects.count()
    r1 = client.post(f"/requests/routing/{mine.pk}/", {"category": "", "place": mine.place_id,
                                                       "organisation": orgs["community_office"].pk})
    r2 = client.post(f"/requests/routing/{mine.pk}/delete/")
    allowed = role in DISPATCHERS
    assert (r1.status_code, r2.status_code) == ((302, 302) if allowed else (404, 404))
    assert RoutingRule.objects.filter(pk=mine.pk).exists() is not allowed
    assert RoutingRule.objects.count() == (1 if allowed else 2)
    assert Event.objects.count() == events + (2 if allowed else 0)


def test_create_edit_delete_are_audited(client, tree, orgs, utilities, managed, community_staff):
    client.force_login(community_staff)
    client.post("/requests/routing/new/", {"category": utilities.pk, "place": tree["grid"].pk,
                                           "organisation": orgs["company"].pk})
    rule = RoutingRule.objects.get()
    created = Event.objects.get(verb="workorders.create_routing_rule")
    assert (created.actor, created.place_path, created.target_id) == (community_staff, tree["grid"].path, str(rule.pk))
    assert created.after == {"category": utilities.pk, "place": tree["grid"].pk, "organisation": orgs["company"].pk}

    client.post(f"/requests/routing/{rule.pk}/", {"category": "", "place": tree["grid"].pk,
                                                  "organisation": orgs["community_office"].pk})
    updated = Event.objects.get(verb="workorders.update_routing_rule")
    assert updated.before == {"category": utilities.pk, "organisation": orgs["company"].pk}
    assert updated.after == {"category": None, "organisation": orgs["community_office"].pk}

    # saving it unchanged is not a change: no Event
    client.post(f"/requests/routing/{rule.pk}/", {"category": "", "place": tree["grid"].pk,
                                                  "organisation": orgs["community_office"].pk})
    assert Event.objects.filter(verb="workorders.update_routing_rule").count() == 1

    client.post(f"/requests/routing/{rule.pk}/delete/")
    deleted = Event.objects.get(verb="workorders.delete_routing_rule")
    assert deleted.before == {"category": None, "place": tree["grid"].pk, "organisation": orgs["community_office"].pk}
    assert RoutingRule.objects.count() == 0


@pytest.mark.parametrize("category", ["utilities", None])
def test_a_duplicate_category_and_place_is_a_form_error(client, tree, orgs, utilities, managed, community_staff,
                                                        category):
    cat = utilities if category else None
    RoutingRule.objects.create(category=cat, place=tree["grid"], organisation=orgs["company"])
    client.force_login(community_staff)
    events = Event.objects.count()
    response = client.post("/requests/routing/new/", {"category": cat.pk if cat else "", "place": tree["grid"].pk,
                                                      "organisation": orgs["community_office"].pk})
    assert response.status_code == 200
    expected = "该区域已有“水电维修”的派单规则" if category else "该区域已有“所有类别”的派单规则"
    assert expected in response.content.decode()
    assert RoutingRule.objects.count() == 1 and Event.objects.count() == events


def test_editing_into_a_duplicate_is_a_form_error(client, tree, orgs, utilities, managed, community_staff):
    RoutingRule.objects.create(category=utilities, place=tree["grid"], organisation=orgs["company"])
    other = RoutingRule.objects.create(category=utilities, place=tree["grid2"], organisation=orgs["company"])
    client.force_login(community_staff)
    response = client.post(f"/requests/routing/{other.pk}/", {"category": utilities.pk, "place": tree["grid"].pk,
                                                              "organisation": orgs["company"].pk})
    assert "该区域已有“水电维修”的派单规则" in response.content.decode()
    other.refresh_from_db()
    assert other.place == tree["grid2"]
    assert not Event.objects.filter(verb="workorders.update_routing_rule").exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"place": ""}, "请选择区域"),
    ({"organisation": ""}, "请选择承办组织"),
    ({"category": "999999"}, "所选类别不存在"),
    ({"organisation": "other_office"}, "所选组织不存在或不在您的范围内"),
    ({"place": "household"}, "所选区域不存在或不在您的范围内"),
])
def test_bad_input_is_a_form_error_and_nothing_is_written(client, tree, orgs, utilities, managed, community_staff,
                                                          data, message):
    body = {"category": utilities.pk, "place": tree["grid"].pk, "organisation": orgs["company"].pk}
    for key, value in data.items():
        body[key] = orgs[value].pk if value in orgs else tree[value].pk if value in tree else value
    client.force_login(community_staff)
    events = Event.objects.count()
    response = client.post("/requests/routing/new/", body)
    assert response.status_code == 200 and message in response.content.decode()
    assert RoutingRule.objects.count() == 0 and Event.objects.count() == events


def test_the_action_refuses_an_organisation_that_cannot_serve_the_place(tree, orgs, utilities, street_staff):
    with pytest.raises(ValidationError) as exc:  # the other community's office cannot handle the first's grid
        actions.create_routing_rule(category=utilities, place=tree["grid"], organisation=orgs["other_office"],
                                    by=street_staff)
    assert exc.value.message_dict == {"organisation": ["“第二社区居委会”不能承办“第1网格”的诉求"]}
    with pytest.raises(ValidationError) as exc:
        actions.create_routing_rule(category=utilities, place=tree["building"], organisation=orgs["company"],
                                    by=street_staff)
    assert list(exc.value.message_dict) == ["place"]
    assert RoutingRule.objects.count() == 0


def test_the_action_refuses_a_place_outside_the_actors_scope(tree, orgs, utilities, community_staff):
    with pytest.raises(PermissionDenied):
        actions.create_routing_rule(category=utilities, place=tree["other_community"],
                                    organisation=orgs["other_office"], by=community_staff)
    rule = RoutingRule.objects.create(category=utilities, place=tree["grid"], organisation=orgs["community_office"])
    with pytest.raises(PermissionDenied):  # moving one's own rule out of one's places
        actions.update_routing_rule(rule, place=tree["other_community"], organisation=orgs["other_office"],
                                    by=community_staff)
    rule.refresh_from_db()
    assert rule.place == tree["grid"]
    assert Event.objects.filter(verb__startswith="workorders.").filter(verb__contains="routing").count() == 0


def test_dispatch_follows_a_rule_made_on_the_page(client, tree, orgs, filed, community_staff):
    """The request page suggests (and round-robin/direct dispatch uses) what the rules say."""
    assert actions.route(filed.category, filed.place) == orgs["company"]  # the compound's company by default
    client.force_login(community_staff)
    client.post("/requests/routing/new/", {"category": filed.category.pk, "place": tree["grid"].pk,
                                           "organisation": orgs["volunteers"].pk})
    assert actions.route(filed.category, filed.place) == orgs["volunteers"]
    other = Category.objects.exclude(pk=filed.category.pk).first()
    assert actions.route(other, filed.place) != orgs["volunteers"]  # the rule is for its category only
    page = client.get(f"/requests/{filed.pk}/").content.decode()
    assert f'<option value="{orgs["volunteers"].pk}" selected>' in page


def test_filters_and_pages(client, tree, orgs, utilities, managed, street_staff):
    categories = list(Category.objects.order_by("pk")[:3])
    for place in ("community", "grid", "grid2", "compound", "compound2", "other_community", "other_grid"):
        for cat in categories:
            office = orgs["other_office"] if place.startswith("other") else orgs["community_office"]
            RoutingRule.objects.create(category=cat, place=tree[place], organisation=office)
    client.force_login(street_staff)
    html = client.get("/requests/routing/").content.decode()
    assert html.count('data-testid="rule-row"') == 20 and "共 21 条，第 1/2 页" in html
    html = client.get("/requests/routing/?page=2").content.decode()
    assert html.count('data-testid="rule-row"') == 1
    html = client.get(f"/requests/routing/?place={tree['grid'].pk}").content.decode()
    assert html.count('data-testid="rule-row"') == 6  # the grid and its compound
    html = client.get(f"/requests/routing/?category={categories[0].code}").content.decode()
    assert html.count('data-testid="rule-row"') == 7
    html = client.get("/requests/routing/?category=any").content.decode()
    assert html.count('data-testid="rule-row"') == 0 and "还没有派单规则" in html
    html = client.get("/requests/routing/?place=abc").content.decode()
    assert html.count('data-testid="rule-row"') == 0


def test_the_list_reads_a_fixed_number_of_queries(client, tree, orgs, utilities, managed, street_staff,
                                                  django_assert_max_num_queries):
    for place in ("community", "grid", "grid2", "compound", "compound2"):
        RoutingRule.objects.create(category=utilities, place=tree[place], organisation=orgs["community_office"])
    client.force_login(street_staff)
    client.get("/requests/routing/")  # warm the session's scope cache
    with django_assert_max_num_queries(12) as captured:
        client.get("/requests/routing/")
    n = len(captured)
    RoutingRule.objects.create(category=None, place=tree["other_community"], organisation=orgs["other_office"])
    with django_assert_max_num_queries(n):
        client.get("/requests/routing/")


def test_navigation_links_the_rules_for_dispatchers_only(client, street_staff, grid_worker):
    client.force_login(street_staff)
    assert 'href="/requests/routing/"' in client.get("/").content.decode()
    client.force_login(grid_worker)
    assert 'href="/requests/routing/"' not in client.get("/").content.decode()
