"""Who is shown what of a request (docs/privacy.md), role by role and surface by surface: the request page, the
API answer, the export, the timeline, the notices and the Open311 feed — for a complaint filed anonymously
towards the property company and for a common-part fault the resident published, and for a user who holds a
post in the company and a community post at once (交叉任职)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from gongzhi.core.models import Event
from gongzhi.workorders import actions, visibility
from gongzhi.workorders.models import Category

ANON_PHONE, PUBLIC_PHONE = "13812345678", "13887654321"
ANON_TEXT, PUBLIC_TEXT = "投诉保安夜间不在岗", "楼道灯不亮"
CAST = ["street_staff", "community_staff", "grid_worker", "building_head", "property_staff", "cross_appointed",
        "committee_member", "department_liaison", "resident", "volunteer", "outsider"]


@pytest.fixture
def cast(request, tree, orgs, managed, cross_appointed):
    return {name: request.getfixturevalue(name) for name in CAST}


@pytest.fixture
def cases(tree, orgs, managed, cast, utilities, captured_notifications):
    """A: 投诉 inside a home, 对物业匿名, dispatched to the company and whistled to the police.
    B: a corridor light in the building (common part, public by default), handed to the company's manager."""
    resident, community = cast["resident"], cast["community_staff"]
    with captured_notifications() as told:
        a = actions.file_request(by=resident, category=Category.objects.get(code="service_complaint"),
                                 description=ANON_TEXT, place=tree["household"], anonymous=True,
                                 contact_phone=ANON_PHONE)
        b = actions.file_request(by=resident, category=utilities, description=PUBLIC_TEXT, place=tree["building"],
                                 contact_phone=PUBLIC_PHONE)
        actions.dispatch_request(a, to=managed, by=community)
        actions.whistle_request(a, department=orgs["police"], by=community, note="协助核查")
        actions.dispatch_request(b, to=managed, assignee=cast["property_staff"].person, by=community)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.public, b.public, a.anonymous, b.named_to_committee) == (False, True, True, False)
    return {"anonymous": a, "public": b, "told": told}


# role → what it is shown of A and of B: None = the request is not there for it (404, not listed); else
# (reporter's name shown, phone: "full" / "masked" / None, the room "101" in the location)
EXPECTED = {
    "anonymous": {
        "street_staff": (True, "masked", True), "community_staff": (True, "masked", True),
        "grid_worker": (True, "masked", True), "building_head": (True, "masked", True),
        "property_staff": (False, None, False), "cross_appointed": (False, None, False),
        "committee_member": None, "department_liaison": (True, "masked", True),
        "resident": (True, "full", True), "volunteer": None, "outsider": None,
    },
    "public": {
        "street_staff": (True, "masked", False), "community_staff": (True, "masked", False),
        "grid_worker": (True, "masked", False), "building_head": (True, "masked", False),
        "property_staff": (True, "full", False), "cross_appointed": (True, "masked", False),
        "committee_member": (False, None, False), "department_liaison": None,
        "resident": (True, "full", False), "volunteer": None, "outsider": None,
    },
}
PHONES = {"anonymous": ANON_PHONE, "public": PUBLIC_PHONE}


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


@pytest.mark.parametrize("kind", ["anonymous", "public"])
@pytest.mark.parametrize("role", CAST)
def test_page_api_and_timeline_show_what_the_policy_says(client, cast, cases, role, kind):
    req, user, want = cases[kind], cast[role], EXPECTED[kind][role]
    name, phone = cast["resident"].person.name, PHONES[kind]
    client.force_login(user)
    page = client.get(f"/requests/{req.pk}/")
    api = client.get(f"/api/requests/{req.pk}")
    if want is None:
        assert (page.status_code, api.status_code) == (404, 404)
        assert req.description not in page.content.decode() + api.content.decode()
        return
    shows_name, shows_phone, shows_room = want
    assert (page.status_code, api.status_code) == (200, 200)
    html = page.content.decode()
    # the page
    assert (name in html) is (shows_name or role == "resident")  # one's own name is in the page header
    assert (phone in html) is (shows_phone == "full")
    assert (masked(phone) in html) is (shows_phone == "masked")
    assert (" / 101" in html) is shows_room
    assert ('data-testid="hidden-note"' in html) is (role == "resident" and kind == "anonymous")
    # the API
    body = api.json()
    assert body["reporter_hidden"] is not shows_name
    assert (body["reporter_name"], body["contact_name"]) == ((name, name) if shows_name else (None, None))
    assert body["contact_phone"] == {"full": phone, "masked": masked(phone), None: None}[shows_phone]
    assert body["phone"] == (shows_phone or "hidden")
    assert ("101" in body["place_name"] + body["location"]) is shows_room
    assert body["public"] is req.public and body["anonymous"] is req.anonymous
    # the timeline: the resident's own step names them only where the reporter is shown
    filing = next(step for step in body["timeline"] if step["verb"] == "workorders.file_request")
    assert filing["actor"] == (name if shows_name else None)
    if not shows_name:
        assert name not in str(body["timeline"])


@pytest.mark.parametrize("role", [r for r in CAST if r not in ("resident", "volunteer")])
def test_the_export_shows_the_page_precision_and_no_contact(client, cast, cases, role):
    client.force_login(cast[role])
    r = client.get("/requests/export.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    text = str(list(rows.values()))
    for secret in (cast["resident"].person.name, ANON_PHONE, PUBLIC_PHONE, masked(ANON_PHONE)):
        assert secret not in text
    for kind, req in (("anonymous", cases["anonymous"]), ("public", cases["public"])):
        want = EXPECTED[kind][role]
        assert (req.number in rows) is (want is not None), (kind, role)
        if want is not None:
            place = rows[req.number][3]
            # in context (places.labels), at the page's precision: the room, or only its unit / the building
            assert place == ("尚书苑 1号楼 1单元 101" if want[2] else (
                "尚书苑 1号楼 1单元" if kind == "anonymous" else "尚书苑 1号楼"))


def test_notices_go_to_those_who_act_and_name_nobody(cast, cases):
    told = cases["told"]
    by_user: dict[str, list[str]] = {}
    for n in told.notifications:
        by_user.setdefault(n.user.username, []).append(n.text)
    # filing: the community's dispatchers, not the street above them; the company's post holders not of the
    # anonymous complaint (the cross-appointed manager is told of B only)
    filing = {n.user.username for n in told.notifications if n.verb == "workorders.file_request"}
    assert filing == {"community", "cross"}
    cross_filing = [n.text for n in told.notifications if n.user.username == "cross"
                    and n.verb == "workorders.file_request"]
    assert cross_filing == ["尚书苑有新诉求“楼道灯不亮”（水电维修），待派单"]
    assert "street" not in by_user
    # the resident is told in words what happened
    assert "您反映的“投诉保安夜间不在岗”已派给万科物业" in by_user["resident"]
    assert "您反映的“楼道灯不亮”已派给万科物业" in by_user["resident"]
    # the handler: A went to the company (everyone holding a post in it), B to its manager by name
    assert any(t.startswith("尚书苑“楼道灯不亮”已派给您") for t in by_user["property"])
    assert by_user["department"][0].startswith("吹哨：尚书苑“投诉保安夜间不在岗”需要贵部门报到")
    everything = str(by_user)
    for secret in (cast["resident"].person.name, ANON_PHONE, PUBLIC_PHONE, "101", "1号楼", "GZ-"):
        assert secret not in everything


def test_open311_shows_only_the_published_request_at_compound_precision(client, cast, cases, tree):
    a, b = cases["anonymous"], cases["public"]
    items = client.get("/open311/v2/requests.json").json()
    assert [i["service_request_id"] for i in items] == [b.number]
    [item] = items
    assert (item["description"], item["address"], item["address_id"]) == (
        PUBLIC_TEXT, "莲湖区 / 青年路街道 / 莲湖路第一社区 / 第1网格 / 尚书苑", tree["compound"].pk)
    assert client.get(f"/open311/v2/requests/{a.number}.json").status_code == 404
    assert client.get(f"/open311/v2/requests.json?service_request_id={a.number}").json() == []
    text = client.get("/open311/v2/requests.xml").content.decode()
    for secret in (cast["resident"].person.name, PUBLIC_PHONE, "1号楼", ANON_TEXT):
        assert secret not in text


def test_the_cross_appointed_manager_is_judged_by_his_posts_not_his_role(cases, cast):
    a, b = cases["anonymous"], cases["public"]
    cross = cast["cross_appointed"]
    assert visibility.shown(a, cross) == visibility.COMPANY_ANONYMOUS  # his community post does not lift it
    assert visibility.shown(b, cross) == visibility.DISPATCHER  # no anonymity: the community's view
    assert visibility.shown(b, cast["property_staff"]) == visibility.HANDLER
    # no reveal of A's number through any of his posts; nothing on the record
    events = Event.objects.count()
    with pytest.raises(Exception) as refused:
        actions.reveal_contact_phone(a, by=cross)
    assert refused.type.__name__ == "PermissionDenied"
    assert Event.objects.count() == events


def test_the_handler_sees_the_callback_phone_others_see_it_masked_and_a_reveal_is_audited(client, cast, cases):
    b = cases["public"]
    client.force_login(cast["property_staff"])
    assert PUBLIC_PHONE in client.get(f"/requests/{b.pk}/").content.decode()
    client.force_login(cast["community_staff"])
    html = client.get(f"/requests/{b.pk}/").content.decode()
    assert PUBLIC_PHONE not in html and masked(PUBLIC_PHONE) in html and 'data-testid="reveal-phone"' in html
    events = Event.objects.count()
    r = client.post(f"/requests/{b.pk}/reveal-phone/")
    assert r.status_code == 200 and PUBLIC_PHONE in r.content.decode()
    [event] = Event.objects.filter(pk__gt=0).order_by("-pk")[:1]
    assert Event.objects.count() == events + 1
    assert (event.verb, event.actor_id, event.target_id, event.public) == (
        "workorders.reveal_contact_phone", cast["community_staff"].pk, str(b.pk), False)
    # the building head sees it masked and may not reveal it
    client.force_login(cast["building_head"])
    assert 'data-testid="reveal-phone"' not in client.get(f"/requests/{b.pk}/").content.decode()
    assert client.post(f"/requests/{b.pk}/reveal-phone/").status_code == 403
    assert Event.objects.count() == events + 1


def test_the_committee_sees_the_reporter_only_with_consent(client, tree, cast, utilities):
    req = actions.file_request(by=cast["resident"], category=utilities, description="单元门禁坏了",
                               place=tree["unit"], named_to_committee=True, contact_phone=PUBLIC_PHONE)
    client.force_login(cast["committee_member"])
    body = client.get(f"/api/requests/{req.pk}").json()
    assert (body["reporter_name"], body["contact_phone"], body["phone"]) == (
        cast["resident"].person.name, masked(PUBLIC_PHONE), "masked")
    # a personal matter at the compound is not the committee's, even about a common part
    dispute = actions.file_request(by=cast["resident"], category=Category.objects.get(code="neighbour_dispute"),
                                   description="楼上漏水到我家", place=tree["building"])
    assert dispute.public is False
    assert client.get(f"/api/requests/{dispute.pk}").status_code == 404


def test_a_department_liaison_does_not_read_the_household_register(client, tree, cast, cases):
    liaison, name = cast["department_liaison"], cast["resident"].person.name
    client.force_login(liaison)
    assert client.get(f"/places/{tree['street'].pk}/export/households.xlsx").status_code == 403
    page = client.get(f"/places/{tree['household'].pk}/")
    assert page.status_code == 200 and name not in page.content.decode()  # the place, not who lives there
    assert client.get(f"/people/{cast['resident'].person.pk}/").status_code == 404
    assert name not in client.get("/api/persons?limit=200").content.decode()
    # what was whistled to the police it does see, with the reporter (masked phone)
    assert client.get(f"/requests/{cases['anonymous'].pk}/").status_code == 200
    assert Event.objects.filter(verb="places.export_households").count() == 0
