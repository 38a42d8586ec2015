"""The handler's view of the queue and the request page: 派给我的 / 待我接单, the moves of one's own part first
(a cross-appointed company manager sees 接单 above the community's 派单), the filing form's public choice, and
代居民下单 only for those who may file for a resident."""

from __future__ import annotations

import pytest

from gongzhi.workorders import actions
from gongzhi.workorders.models import Request


@pytest.fixture
def cross(cross_appointed):
    return cross_appointed


@pytest.fixture
def handed(tree, resident, utilities, managed, community_staff, company_staff, cross):
    file = actions.file_request
    mine = actions.dispatch_request(file(by=resident, category=utilities, description="甲单元漏水",
                                         place=tree["household"]), to=managed, assignee=company_staff.person,
                                    by=community_staff)
    theirs = actions.dispatch_request(file(by=resident, category=utilities, description="乙楼道灯",
                                           place=tree["building"]), to=managed, assignee=cross.person,
                                      by=community_staff)
    anyone = actions.dispatch_request(file(by=resident, category=utilities, description="丙电梯",
                                           place=tree["building"]), to=managed, by=community_staff)
    accepted = actions.accept_request(actions.dispatch_request(
        file(by=resident, category=utilities, description="丁水压", place=tree["household"]), to=managed,
        assignee=company_staff.person, by=community_staff), by=company_staff)
    return {"mine": mine, "theirs": theirs, "anyone": anyone, "accepted": accepted}


def numbers(response, handed) -> set[str]:
    html = response.content.decode()
    return {k for k, r in handed.items() if r.number in html}


def test_assigned_to_me_and_waiting_for_me(client, handed, company_staff):
    client.force_login(company_staff)
    assert numbers(client.get("/requests/"), handed) == {"mine", "theirs", "anyone", "accepted"}
    assert numbers(client.get("/requests/?mine=assigned"), handed) == {"mine", "anyone", "accepted"}
    assert numbers(client.get("/requests/?mine=to_accept"), handed) == {"mine", "anyone"}
    assert numbers(client.get("/requests/?mine=nonsense"), handed) == {"mine", "theirs", "anyone", "accepted"}
    body = client.get("/api/requests?mine=to_accept").json()
    assert {i["number"] for i in body["items"]} == {handed["mine"].number, handed["anyone"].number}
    assert client.get("/api/requests?mine=nonsense").status_code == 422


def test_the_handlers_own_moves_come_first(client, handed, cross, community_staff):
    client.force_login(cross)  # holds the company post and a community post: both toolsets
    html = client.get(f"/requests/{handed['theirs'].pk}/").content.decode()
    assert 'data-testid="act-accept"' in html and 'data-testid="act-dispatch"' in html
    assert html.index('data-testid="act-accept"') < html.index('data-testid="act-dispatch"')
    client.force_login(community_staff)  # a dispatcher: 派单 first
    html = client.get(f"/requests/{handed['theirs'].pk}/").content.decode()
    assert 'data-testid="act-accept"' not in html and 'data-testid="act-dispatch"' in html


def test_the_assigned_handler_sees_the_callback_phone(client, tree, community_staff, managed, company_staff,
                                                      utilities):
    req = actions.file_request(by=community_staff, category=utilities, description="代居民报修", channel="phone",
                               place=tree["building"], contact_name="王阿姨", contact_phone="13612345678")
    actions.dispatch_request(req, to=managed, assignee=company_staff.person, by=community_staff)
    client.force_login(company_staff)
    html = client.get(f"/requests/{req.pk}/").content.decode()
    assert 'href="tel:13612345678"' in html and "王阿姨" in html


@pytest.mark.parametrize(("role", "shown"), [("community_staff", True), ("grid_worker", True),
                                             ("property_staff", False), ("department_liaison", False)])
def test_file_for_a_resident_only_for_those_who_may(request, client, tree, utilities, role, shown):
    client.force_login(request.getfixturevalue(role))
    assert ('data-testid="file-for-resident"' in client.get("/requests/").content.decode()) is shown


def test_the_filing_form_says_what_becomes_public(client, resident, utilities, tree):
    client.force_login(resident)
    html = client.get("/requests/new/").content.decode()
    assert 'name="public"' in html and "位置只到小区" in html and 'name="named_to_committee"' in html
    r = client.post("/requests/new/", {"category": "utilities", "description": "楼道灯不亮",
                                       "place": tree["building"].pk, "urgency": "normal", "public": "no"})
    assert r.status_code == 302
    r = client.post("/requests/new/", {"category": "utilities", "description": "楼道灯不亮",
                                       "place": tree["building"].pk, "urgency": "normal", "public": "maybe"})
    assert r.status_code == 200 and "请选择是否公开" in r.content.decode()
    assert list(Request.objects.values_list("public", flat=True)) == [False]
    r = client.post("/requests/new/", {"category": "utilities", "description": "楼道灯又坏",
                                       "place": tree["building"].pk, "urgency": "normal"})
    assert Request.objects.get(description="楼道灯又坏").public is True  # a common part: public by default


def test_the_queue_applies_the_policy_without_a_query_per_row(client, tree, resident, utilities, managed,
                                                              community_staff, company_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def file(n):
        for i in range(n):
            req = actions.file_request(by=resident, category=utilities, description=f"漏水{i}",
                                       place=tree["household"], anonymous=i % 2 == 0)
            actions.dispatch_request(req, to=managed, assignee=company_staff.person, by=community_staff)

    counts = []
    for n in (2, 6):
        file(n)
        for user in (community_staff, company_staff):
            client.force_login(user)
            client.get("/requests/")  # warm the session's scopes
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/requests/").status_code == 200
            counts.append(len(captured))
    assert counts[:2] == counts[2:], counts


def test_a_volunteer_on_a_task_sees_the_contacts_phone(client, tree, orgs, community_staff, volunteer, utilities):
    req = actions.file_request(by=community_staff, category=utilities, description="独居老人家换灯泡",
                               channel="phone", place=tree["household"], contact_name="李大爷",
                               contact_phone="13511112222")
    actions.dispatch_request(req, to=orgs["volunteers"], assignee=volunteer.person, by=community_staff)
    client.force_login(volunteer)
    html = client.get(f"/requests/{req.pk}/").content.decode()
    assert 'href="tel:13511112222"' in html and "李大爷" in html
