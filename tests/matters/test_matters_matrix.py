"""The role matrix of every 支部先议 / 民主听证 page and endpoint: each role × each route, out of scope 404, another
body's step 403 with nothing written (tests/capture.py run_case), and no leaked title in a refused answer. Also:
the lists are scoped — a resident of another compound sees nothing of 尚书苑's matters and hearings."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.meetings import matters_actions as actions

from ..capture import Case, World, matrix_params, run_case
from ..conftest import ROLES
from .conftest import at, with_bids

VIEWERS = {"street_staff", "community_staff", "grid_worker", "committee_member", "property_staff"}
# who sees the compound (places.visible_to): staff of every role but the department's liaison in scope
SEES_COMPOUND = {"street_staff", "community_staff", "grid_worker", "committee_member", "property_staff",
                 "department_liaison"}
ORGANISERS = {"street_staff", "community_staff", "committee_member"}
HEARING_VIEWERS = VIEWERS | {"resident"}
ALL = frozenset(ROLES)


@pytest.fixture
def m_proposed(steps):
    return at(steps, "proposed")


@pytest.fixture
def m_returned(steps):
    return at(steps, "returned")


@pytest.fixture
def m_approved(steps):
    return at(steps, "approved")


@pytest.fixture
def m_resolved(steps):
    return at(steps, "resolved")


@pytest.fixture
def bid_file(hearing, community_staff):
    bid = actions.submit_bid(hearing, supplier="甲电梯公司", price="298000", by=community_staff,
                             attachment=SimpleUploadedFile("offer.pdf", b"%PDF-1.4 offer"))
    actions.open_bids(hearing, by=community_staff)
    return bid


def _ballots(w):
    return {"note": "同意", **{f"m{m.person.pk}": "for" for m in w.steps["members"][:3]}}


TITLE = "更换9部老旧电梯"
MATTER_CASES = [
    Case("matters list", lambda w: "/meetings/matters/", expect={200: ALL}),
    Case("matters list waiting for me", lambda w: "/meetings/matters/?todo=1", expect={200: ALL}),
    Case("propose form", lambda w: f"/meetings/matters/new/?c={w.steps['tree']['compound'].pk}",
         expect={200: {"committee_member"}}, default=403),
    Case("propose", lambda w: "/meetings/matters/new/", method="post",
         data=lambda w: {"compound": w.steps["tree"]["compound"].pk, "kind": "renovation", "title": "儿童乐园改造",
                         "description": "更新设施"}, expect={302: {"committee_member"}}, default=403),
    Case("matter page (resolved: its residents see it)", lambda w: f"/meetings/matters/{w.m_resolved.pk}/",
         expect={200: VIEWERS | {"resident"}}, marker=TITLE),
    Case("matter page (proposed: not yet the residents')", lambda w: f"/meetings/matters/{w.m_proposed.pk}/",
         expect={200: VIEWERS}, marker=TITLE),
    Case("branch approves", lambda w: f"/meetings/matters/{w.m_proposed.pk}/approve/", method="post",
         data=lambda w: {"opinion": "同意"}, expect={302: {"grid_worker"}, 403: VIEWERS - {"grid_worker"}},
         marker=TITLE),
    Case("committee resolves", lambda w: f"/meetings/matters/{w.m_approved.pk}/resolve/", method="post",
         data=_ballots, expect={302: {"committee_member"}, 403: VIEWERS - {"committee_member"}}, marker=TITLE),
    Case("company executes", lambda w: f"/meetings/matters/{w.m_resolved.pk}/execute/", method="post",
         data=lambda w: {"category": actions.execution_category().pk, "note": ""},
         expect={302: {"property_staff"}, 403: VIEWERS - {"property_staff"} | {"resident"}}, marker=TITLE),
    Case("hearing form", lambda w: f"/meetings/hearings/new/?s={w.steps['tree']['compound'].pk}",
         expect={200: ORGANISERS | {"outsider"}}, default=403),  # the outsider organises their own compounds'
    Case("hearing page", lambda w: f"/meetings/hearings/{w.hearing.pk}/", expect={200: HEARING_VIEWERS},
         marker="9部电梯更换民主听证会"),
    Case("hearing: record a bid", lambda w: f"/meetings/hearings/{w.hearing.pk}/submit_bid/", method="post",
         data=lambda w: {"supplier": "乙电梯公司", "price": "300000"},
         expect={302: ORGANISERS, 403: HEARING_VIEWERS - ORGANISERS}, marker="9部电梯更换民主听证会"),
    Case("bid attachment", lambda w: f"/meetings/hearings/bids/{w.bid_file.pk}/attachment",
         expect={200: HEARING_VIEWERS}),
    # the API
    Case("api matters", lambda w: "/api/matters", expect={200: ALL}),
    Case("api propose", lambda w: "/api/matters", method="post", json=True,
         data=lambda w: {"compound": w.steps["tree"]["compound"].pk, "title": "儿童乐园改造", "description": "更新"},
         expect={201: {"committee_member"}, 403: SEES_COMPOUND - {"committee_member"}}),
    Case("api matter", lambda w: f"/api/matters/{w.m_resolved.pk}", expect={200: VIEWERS | {"resident"}},
         marker=TITLE),
    Case("api approve", lambda w: f"/api/matters/{w.m_proposed.pk}/approve", method="post", json=True,
         data=lambda w: {"opinion": ""}, expect={200: {"grid_worker"}, 403: VIEWERS - {"grid_worker"}}, marker=TITLE),
    Case("api return", lambda w: f"/api/matters/{w.m_proposed.pk}/return", method="post", json=True,
         data=lambda w: {"opinion": "请补充"}, expect={200: {"grid_worker"}, 403: VIEWERS - {"grid_worker"}},
         marker=TITLE),
    Case("api revise", lambda w: f"/api/matters/{w.m_returned.pk}/revise", method="post", json=True,
         data=lambda w: {"title": "更换电梯", "description": "已补充"},
         expect={200: {"committee_member"}, 403: VIEWERS - {"committee_member"}}, marker=TITLE),
    Case("api resolve", lambda w: f"/api/matters/{w.m_approved.pk}/resolve", method="post", json=True,
         data=lambda w: {"ballots": [{"person": m.person.pk, "choice": "for"} for m in w.steps["members"][:3]]},
         expect={200: {"committee_member"}, 403: VIEWERS - {"committee_member"}}, marker=TITLE),
    Case("api execute", lambda w: f"/api/matters/{w.m_resolved.pk}/execute", method="post", json=True,
         data=lambda w: {}, expect={200: {"property_staff"}, 403: VIEWERS - {"property_staff"} | {"resident"}},
         marker=TITLE),
    Case("api hearings", lambda w: "/api/matters/hearings", expect={200: ALL}),
    Case("api hearing", lambda w: f"/api/matters/hearings/{w.hearing.pk}", expect={200: HEARING_VIEWERS},
         marker="9部电梯更换民主听证会"),
    Case("api opinion", lambda w: f"/api/matters/hearings/{w.hearing.pk}/opinions", method="post", json=True,
         data=lambda w: {"household": w.steps["tree"]["household"].pk, "choice": "agree"},
         expect={201: ORGANISERS | {"resident"}, 403: HEARING_VIEWERS - ORGANISERS - {"resident"}},
         marker="9部电梯更换民主听证会"),
]


@pytest.mark.parametrize(("role", "case"), matrix_params(MATTER_CASES, ROLES))
def test_matter_pages_and_endpoints(request, client, steps, role, case):
    run_case(client, World(request), case, request.getfixturevalue(role), role)


@pytest.mark.parametrize("role", ["other_resident", "outsider"])
def test_another_compounds_people_see_nothing(request, client, steps, hearing, role):
    """A resident (or the staff) of another compound: the lists and the API are empty, the pages 404."""
    m = at(steps, "resolved")
    with_bids(hearing, steps["members"][0])
    client.force_login(request.getfixturevalue(role))
    html = client.get("/meetings/matters/").content.decode()
    assert TITLE not in html and "9部电梯" not in html
    assert client.get("/api/matters").json()["items"] == []
    assert client.get("/api/matters/hearings").json()["items"] == []
    assert client.get(f"/meetings/matters/{m.pk}/").status_code == 404
    assert client.get(f"/meetings/hearings/{hearing.pk}/").status_code == 404
    assert client.get(f"/api/matters/hearings/{hearing.pk}").status_code == 404


def test_a_resident_sees_their_compounds_hearing_and_resolved_matters_only(client, steps, hearing, resident):
    resolved, proposed = at(steps, "resolved"), at(steps, "proposed")
    client.force_login(resident)
    body = client.get("/api/matters").json()["items"]
    assert [m["id"] for m in body] == [resolved.pk]
    assert proposed.pk not in [m["id"] for m in body]
    assert [h["id"] for h in client.get("/api/matters/hearings").json()["items"]] == [hearing.pk]


def test_sealed_prices_are_not_shown_before_the_bids_are_opened(client, hearing, community_staff, resident):
    actions.submit_bid(hearing, supplier="甲电梯公司", price="298765", by=community_staff)
    client.force_login(resident)
    assert "298765" not in client.get(f"/meetings/hearings/{hearing.pk}/").content.decode()
    assert client.get(f"/api/matters/hearings/{hearing.pk}").json()["bids"][0]["price"] is None
    actions.open_bids(hearing, by=community_staff)
    assert "298765" in client.get(f"/meetings/hearings/{hearing.pk}/").content.decode()
