"""Who sees what: a resident of another compound sees nothing of this compound's meetings but what its public board
shows; a resident sees their own proposals (and why one was declined); the board shows each resolution's status
and done date with no names; the 待办 counts open lists of exactly those rows."""

import datetime

import pytest
from django.utils import timezone

from gongzhi.meetings import actions
from gongzhi.meetings.models import Topic, TopicKind
from gongzhi.meetings.queries import overdue_items
from gongzhi.workorders import actions as workorders

from .conftest import spawn_resolution


@pytest.fixture
def board(quorate, community_staff, company_staff, orgs, utilities):
    """Two resolutions of a held meeting about 尚书苑: one done by the company, one still open."""
    done = spawn_resolution(quorate, community_staff, orgs["company"], utilities, text="疏通地下车库排水沟")
    spawn_resolution(quorate, community_staff, orgs["company"], utilities, text="更换楼道感应灯")
    req = done.items.get().requests.get()
    workorders.accept_request(req, by=company_staff)
    workorders.resolve_request(req, by=company_staff, result_note="已疏通")
    actions.hold_meeting(quorate, by=community_staff)
    return quorate


def test_the_public_board_shows_the_outcome_without_names(client, tree, board, property_staff):
    html = client.get(f"/public/{tree['compound'].pk}/").content.decode()
    assert "第1次联席会议（临时会议） 决议2项，已办结1项" in html
    assert "疏通地下车库排水沟" in html and "更换楼道感应灯" in html
    assert f"{timezone.localdate():%Y-%m-%d} 办结" in html
    assert "已办结" in html and "办理中" in html
    for private in (property_staff.person.name, "测试community", "GZ-", board.signin_code):
        assert private not in html


def test_another_compound_s_board_does_not_show_it(client, tree, board):
    assert "疏通地下车库排水沟" not in client.get(f"/public/{tree['other_compound'].pk}/").content.decode()


def test_an_open_meeting_is_not_on_the_board(client, tree, quorate, community_staff, orgs, utilities):
    spawn_resolution(quorate, community_staff, orgs["company"], utilities, text="疏通地下车库排水沟")
    assert "疏通地下车库排水沟" not in client.get(f"/public/{tree['compound'].pk}/").content.decode()


@pytest.mark.parametrize("who", ["other_resident", "resident", "volunteer"])
def test_residents_see_no_meeting(client, request, board, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/meetings/{board.pk}/").status_code == 404
    assert client.get(f"/meetings/{board.pk}/minutes.docx").status_code == 404
    assert client.get("/api/meetings").json()["items"] == []
    assert client.get("/api/meetings/resolutions").json()["items"] == []
    assert client.get(f"/api/meetings/{board.pk}").status_code == 404


def test_a_resident_sees_their_own_proposals_and_the_reason(client, tree, resident, other_resident, community_staff):
    client.force_login(resident)
    r = client.post("/meetings/proposals/", {"place": tree["compound"].pk, "kind": TopicKind.MAJOR,
                                             "title": "增设休闲座椅", "description": "老人散步没处休息"})
    assert r.status_code == 302
    topic = Topic.objects.get(title="增设休闲座椅", proposed_by=resident)
    actions.decline_proposal(topic, reason="已列入小区改造计划", by=community_staff)
    html = client.get("/meetings/proposals/").content.decode()
    assert "增设休闲座椅" in html and "已列入小区改造计划" in html and "未采纳" in html
    client.force_login(other_resident)
    html = client.get("/meetings/proposals/").content.decode()
    assert "增设休闲座椅" not in html
    # and a resident proposes only for their own compound
    r = client.post("/meetings/proposals/", {"place": tree["compound"].pk, "kind": "major", "title": "别人的小区"})
    assert r.status_code == 422
    assert not Topic.objects.filter(title="别人的小区").exists()


def test_the_todo_counts_open_exactly_those_rows(client, tree, resident, board, series, community_staff):
    actions.propose_topic(by=resident, place=tree["compound"], kind=TopicKind.URGENT, title="楼道堆物")
    actions.schedule_meeting(series, by=community_staff, starts_at=timezone.now() + datetime.timedelta(days=3))
    client.force_login(community_staff)
    home = client.get("/")
    todos = {t.key: t for t in home.context["card"]["meetings_todo"]["todos"]}
    assert {k: t.count for k, t in todos.items()} == {"proposals": 1, "to_publish": 1, "overdue_items": 0}
    for t in todos.values():
        assert client.get(t.url).context["page"].paginator.count == t.count
    later = timezone.localdate() + datetime.timedelta(days=30)
    assert [r.item.text for r in overdue_items(community_staff, later)] == ["更换楼道感应灯"]
