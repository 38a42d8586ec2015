"""值班表 pages: an organisation's managers (and street/community staff over it) put its people on the
round-robin roster, take them off duty and remove them; round-robin dispatch follows the roster."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.models import Event
from gongzhi.people.roles import Title
from gongzhi.workorders import actions
from gongzhi.workorders.models import Duty

from ..conftest import ROLES, make_account

# 万科物业 (anchored at the street): its project manager and the street's staff; a department liaison sees it
# (street scope) but does not lead it; everyone else cannot see it.
COMPANY = {"street_staff": 200, "property_staff": 200, "department_liaison": 403}
# 第一社区居委会: the community's staff (its director) and the street's; its grid leader and building head hold
# posts in it without leading it; the liaison sees it through the street.
OFFICE = {"street_staff": 200, "community_staff": 200, "grid_worker": 403, "building_head": 403,
          "department_liaison": 403}


@pytest.fixture
def crew(tree, orgs, managed, property_staff):
    """Two more people of the company: on its roster they take turns."""
    a = make_account("crew_a", place=tree["compound"], posts=[(orgs["company"], Title.COMPANY_STAFF, tree["compound"])])
    b = make_account("crew_b", place=tree["compound"], posts=[(orgs["company"], Title.COMPANY_STAFF, tree["compound"])])
    return a.person, b.person


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("org", "expected"), [("company", COMPANY), ("community_office", OFFICE)])
def test_roster_page_matrix(request, client, orgs, managed, org, expected, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(f"/requests/duty/{orgs[org].pk}/")
    assert response.status_code == expected.get(role, 404)
    if response.status_code != 200:
        assert orgs[org].name not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_change_the_roster(request, client, orgs, crew, role):
    a, b = crew
    on_roster = Duty.objects.create(organisation=orgs["company"], person=b)
    client.force_login(request.getfixturevalue(role))
    events = Event.objects.count()
    base = f"/requests/duty/{orgs['company'].pk}"
    codes = [client.post(f"{base}/", {"person": a.pk}).status_code,
             client.post(f"{base}/{on_roster.pk}/off/").status_code]
    allowed = COMPANY.get(role) == 200
    assert codes == ([302, 302] if allowed else [COMPANY.get(role, 404)] * 2)
    assert Duty.objects.filter(organisation=orgs["company"]).count() == (2 if allowed else 1)
    assert Duty.objects.get(pk=on_roster.pk).on_duty is not allowed
    assert client.post(f"{base}/{on_roster.pk}/remove/").status_code == (302 if allowed else COMPANY.get(role, 404))
    assert Duty.objects.filter(pk=on_roster.pk).exists() is not allowed
    assert Event.objects.count() == events + (3 if allowed else 0)


def test_add_toggle_remove_are_audited(client, orgs, crew, property_staff):
    a, _b = crew
    client.force_login(property_staff)
    base = f"/requests/duty/{orgs['company'].pk}"
    page = client.get(f"{base}/").content.decode()
    assert "值班表为空" in page and a.name in page
    client.post(f"{base}/", {"person": a.pk})
    duty = Duty.objects.get()
    added = Event.objects.get(verb="workorders.add_duty")
    assert (added.actor, added.target_id) == (property_staff, str(duty.pk))
    assert added.after == {"organisation": orgs["company"].pk, "person": a.pk, "on_duty": True}
    client.post(f"{base}/{duty.pk}/off/")
    client.post(f"{base}/{duty.pk}/off/")  # already off: no change, no Event
    toggled = Event.objects.get(verb="workorders.set_duty")
    assert (toggled.before, toggled.after) == ({"on_duty": True}, {"on_duty": False})
    html = client.get(f"{base}/").content.decode()
    assert html.count('data-testid="duty-row"') == 1 and "不在岗" in html
    client.post(f"{base}/{duty.pk}/remove/")
    removed = Event.objects.get(verb="workorders.remove_duty")
    assert removed.before == {"organisation": orgs["company"].pk, "person": a.pk, "on_duty": False}
    assert Duty.objects.count() == 0


def test_only_the_organisations_people_can_join(client, tree, orgs, crew, property_staff, resident, grid_worker):
    client.force_login(property_staff)
    base = f"/requests/duty/{orgs['company'].pk}"
    for person in (resident.person, grid_worker.person):  # no post in the company
        response = client.post(f"{base}/", {"person": person.pk})
        assert response.status_code == 400
        assert "所选人员不是本组织的在岗人员" in response.content.decode()
    response = client.post(f"{base}/", {"person": ""})
    assert response.status_code == 400 and "请选择人员" in response.content.decode()
    assert Duty.objects.count() == 0
    assert not Event.objects.filter(verb="workorders.add_duty").exists()


def test_the_action_refuses_outsiders_of_the_organisation_and_duplicates(orgs, crew, property_staff, resident):
    a, _b = crew
    with pytest.raises(ValidationError) as exc:
        actions.add_duty(orgs["company"], person=resident.person, by=property_staff)
    assert list(exc.value.message_dict) == ["person"]
    actions.add_duty(orgs["company"], person=a, by=property_staff)
    with pytest.raises(ValidationError) as exc:
        actions.add_duty(orgs["company"], person=a, by=property_staff)
    assert exc.value.message_dict == {"person": [f"{a.name} 已在值班表中"]}
    assert Duty.objects.count() == 1
    assert Event.objects.filter(verb="workorders.add_duty").count() == 1


def test_a_roster_of_another_organisation_cannot_be_reached_through_this_one(client, orgs, crew, property_staff):
    a, _b = crew
    theirs = Duty.objects.create(organisation=orgs["community_office"], person=a)
    client.force_login(property_staff)
    response = client.post(f"/requests/duty/{orgs['company'].pk}/{theirs.pk}/remove/")
    assert response.status_code == 404
    assert Duty.objects.filter(pk=theirs.pk).exists()


def test_round_robin_follows_the_roster_edited_on_the_page(client, tree, orgs, utilities, crew, property_staff,
                                                          resident, community_staff):
    a, b = crew
    client.force_login(property_staff)
    base = f"/requests/duty/{orgs['company'].pk}"
    client.post(f"{base}/", {"person": a.pk})
    client.post(f"{base}/", {"person": b.pk})
    duty_b = Duty.objects.get(person=b)
    client.post(f"{base}/{duty_b.pk}/off/")

    def dispatch_one():
        req = actions.file_request(by=resident, category=utilities, description="漏水", place=tree["household"])
        client.force_login(community_staff)
        response = client.post(f"/requests/{req.pk}/dispatch/", {"organisation": orgs["company"].pk,
                                                                  "mode": "round_robin"})
        assert response.status_code == 302
        req.refresh_from_db()
        return req.assignee

    assert [dispatch_one(), dispatch_one()] == [a, a]  # b is off duty
    client.force_login(property_staff)
    client.post(f"{base}/{duty_b.pk}/on/")
    assert [dispatch_one(), dispatch_one()] == [b, a]  # b was never assigned, then a's turn again
    client.force_login(property_staff)
    client.post(f"{base}/{Duty.objects.get(person=a).pk}/remove/")
    client.post(f"{base}/{duty_b.pk}/remove/")
    req = actions.file_request(by=resident, category=utilities, description="漏水", place=tree["household"])
    client.force_login(community_staff)
    response = client.post(f"/requests/{req.pk}/dispatch/", {"organisation": orgs["company"].pk,
                                                              "mode": "round_robin"})
    assert "该组织没有在岗值班人员，无法轮派" in response.content.decode()


def test_round_robin_skips_a_roster_member_whose_post_ended(tree, orgs, utilities, crew, property_staff, resident,
                                                            community_staff):
    import datetime

    from gongzhi.people.models import Position

    a, b = crew
    for person in crew:
        actions.add_duty(orgs["company"], person=person, by=property_staff)
    Position.objects.filter(person=a).update(end_date=datetime.date(2020, 1, 1))  # a left the company

    def dispatch_one():
        req = actions.file_request(by=resident, category=utilities, description="漏水", place=tree["household"])
        return actions.dispatch_request(req, to=orgs["company"], by=community_staff, mode="round_robin").assignee

    assert [dispatch_one(), dispatch_one()] == [b, b]


def test_organisation_page_links_the_roster_for_its_managers(client, orgs, managed, property_staff, grid_worker):
    client.force_login(property_staff)
    link = f'href="/requests/duty/{orgs["company"].pk}/"'
    assert link in client.get(f"/people/organisations/{orgs['company'].pk}/").content.decode()
    client.force_login(grid_worker)
    page = client.get(f"/people/organisations/{orgs['community_office'].pk}/").content.decode()
    assert f'href="/requests/duty/{orgs["community_office"].pk}/"' not in page


def test_a_non_dispatchable_organisation_has_no_roster(client, orgs, street_staff):
    client.force_login(street_staff)
    assert client.get(f"/requests/duty/{orgs['committee'].pk}/").status_code == 404
