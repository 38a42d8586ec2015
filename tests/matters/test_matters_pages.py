"""The pages and the API of 支部先议 / 民主听证: bad input is a clear error at the field (422) with nothing written,
a step out of order is 409 on the API, and each body's page offers exactly its own step."""

from __future__ import annotations

import json

import pytest

from gongzhi.core.models import Event
from gongzhi.meetings.models import Bid, Matter

from .conftest import all_for, at


def rows():
    return Matter.objects.count(), Bid.objects.count(), Event.objects.count()


def test_a_proposal_without_a_title_is_refused_at_the_field(client, steps, committee_member):
    client.force_login(committee_member)
    before = rows()
    r = client.post("/meetings/matters/new/", {"compound": steps["tree"]["compound"].pk, "kind": "renovation",
                                               "title": "", "description": "更新设施", "estimated_cost": "-3"})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="id_title"' in html and "is-invalid" in html
    assert rows() == before


def test_a_resolution_without_quorum_is_refused_on_the_page(client, steps, committee_member):
    m = at(steps, "approved")
    client.force_login(committee_member)
    before = rows()
    data = {f"m{p.pk}": c for p, c in zip([u.person for u in steps["members"]], ["for", "for"], strict=False)}
    r = client.post(f"/meetings/matters/{m.pk}/resolve/", data)
    assert r.status_code == 422 and "未超过在任委员5人的半数" in r.content.decode()
    m.refresh_from_db()
    assert (m.status, rows()) == ("approved", before)


def test_a_bad_price_is_refused_at_the_field(client, hearing, community_staff):
    client.force_login(community_staff)
    before = rows()
    r = client.post(f"/meetings/hearings/{hearing.pk}/submit_bid/", {"supplier": "甲", "price": "十万"})
    assert r.status_code == 422 and "请填写正确的金额" in r.content.decode()
    assert rows() == before


def test_the_api_answers_409_for_a_step_out_of_order_and_422_for_bad_input(client, steps, committee_member):
    m = at(steps, "proposed")
    client.force_login(committee_member)
    before = rows()
    r = client.post(f"/api/matters/{m.pk}/resolve", json.dumps({"ballots": [
        {"person": p.person.pk, "choice": "for"} for p in steps["members"][:3]]}), content_type="application/json")
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "status"]
    r = client.post("/api/matters", json.dumps({"compound": steps["tree"]["compound"].pk, "title": " ",
                                                "description": "x"}), content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "title"]
    assert rows() == before


@pytest.mark.parametrize(("role", "shown", "hidden"), [
    ("grid_worker", ['data-testid="approve"', 'data-testid="return"'], ['data-testid="resolve"']),
    ("committee_member", [], ['data-testid="approve"', 'data-testid="execute"']),
    ("property_staff", [], ['data-testid="approve"', 'data-testid="resolve"']),
])
def test_each_body_is_offered_its_own_step(request, client, steps, role, shown, hidden):
    m = at(steps, "proposed")
    client.force_login(request.getfixturevalue(role))
    html = client.get(f"/meetings/matters/{m.pk}/").content.decode()
    assert all(s in html for s in shown) and not any(s in html for s in hidden)


def test_the_trail_page_shows_every_step_in_order(client, steps, community_staff):
    m = at(steps, "returned")
    from gongzhi.meetings import matters_actions as actions

    actions.revise_matter(m, by=steps["members"][0], title=m.title, description="已补充")
    actions.approve_matter(m, by=steps["grid"])
    actions.resolve_matter(m, by=steps["members"][0], ballots=all_for(steps["members"], 4))
    actions.execute_matter(m, by=steps["property"])
    client.force_login(community_staff)
    html = client.get(f"/meetings/matters/{m.pk}/").content.decode()
    order = ["业委会提议", "党支部退回", "修改后重新提议", "党支部审议通过", "业委会决议", "物业公司执行"]
    trail = html[html.index('data-testid="trail"'):]
    positions = [trail.index(f"<strong>{label}</strong>") for label in order]
    assert positions == sorted(positions)
    assert 'data-state="done"' in html and "已接单" in html


@pytest.mark.parametrize("move", ["approve", "return", "revise", "resolve", "execute"])
def test_another_bodys_step_is_403_whatever_it_posts(client, steps, property_staff, committee_member, move):
    m = at(steps, "proposed")
    client.force_login(committee_member if move in ("approve", "return", "execute") else property_staff)
    before = rows()
    assert client.post(f"/meetings/matters/{m.pk}/{move}/", {"title": "", "opinion": ""}).status_code == 403
    assert rows() == before


def test_a_stale_page_is_told_why_and_nothing_is_written(client, steps, grid_worker):
    m = at(steps, "approved")  # approved in another tab already
    client.force_login(grid_worker)
    before = rows()
    r = client.post(f"/meetings/matters/{m.pk}/approve/", {"opinion": ""}, follow=True)
    assert r.status_code == 200 and "不能审议通过" in r.content.decode()
    assert rows() == before
