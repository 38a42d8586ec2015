"""The 工作台: per role, what waits for me — each count equal to the rows of the list it opens (the same
query), red for overdue and amber for due soon — my shortcuts and my recent actions, at a fixed number of
queries whatever the number of requests."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongzhi.assembly import actions as votes
from gongzhi.assembly.rules import Matter
from gongzhi.core.permissions import SYSTEM
from gongzhi.notices.actions import notify
from gongzhi.notices.models import Notification
from gongzhi.workorders import actions
from gongzhi.workorders.models import Request

from .conftest import ROLES
from .workorders.conftest import company_staff, managed, utilities  # noqa: F401

HOUR = datetime.timedelta(hours=1)


def _file(resident, utilities, place, text):  # noqa: F811
    return actions.file_request(by=resident, category=utilities, description=text, place=place)


def _due(req, *, hours: float):
    """Move a request's deadlines to ``hours`` from now (negative: past)."""
    when = timezone.now() + datetime.timedelta(hours=hours)
    Request.objects.filter(pk=req.pk).update(response_due_at=when, resolution_due_at=when)


@pytest.fixture
def street(tree, orgs, resident, other_resident, community_staff, street_staff, company_staff, utilities,  # noqa: F811
           department_liaison, managed):  # noqa: F811
    """Requests at every stage a 工作台 counts, in both communities."""
    home = tree["household"]
    made = {
        "submitted": _file(resident, utilities, home, "楼道灯不亮"),
        "other_submitted": _file(other_resident, utilities, tree["other_household"], "门禁坏了"),
    }
    late = actions.dispatch_request(_file(resident, utilities, home, "水管漏水"), to=managed, by=community_staff)
    _due(late, hours=-3)
    soon = actions.dispatch_request(_file(resident, utilities, home, "电梯异响"), to=managed, by=community_staff)
    _due(soon, hours=5)
    later = actions.dispatch_request(_file(resident, utilities, home, "绿化修剪"), to=managed, by=community_staff)
    _due(later, hours=24 * 5)
    accepted = actions.accept_request(later, by=company_staff)
    done = actions.dispatch_request(_file(resident, utilities, home, "井盖松动"), to=managed, by=community_staff)
    actions.accept_request(done, by=company_staff)
    actions.resolve_request(done, by=company_staff, result_note="已加固")
    whistled = actions.dispatch_request(_file(resident, utilities, home, "电动车楼道充电"), to=managed,
                                        by=community_staff)
    _due(whistled, hours=24 * 5)
    w1 = actions.whistle_request(whistled, department=orgs["police"], by=community_staff, note="需派出所劝导")
    w2 = actions.whistle_request(late, department=orgs["police"], by=community_staff, note="需协助")
    type(w2).objects.filter(pk=w2.pk).update(ack_due_at=timezone.now() - HOUR)
    now = timezone.now()
    votes.create_vote(compound=tree["compound"], kind="question", matter=Matter.HIRE_MANAGER, title="续聘物业",
                      question="是否续聘？", opens_at=now + datetime.timedelta(days=20),
                      closes_at=now + datetime.timedelta(days=30), by=community_staff)
    Notification.objects.filter(user=resident).update(read_at=now)  # the stages' notices: read
    notify([resident], verb="workorders.dispatch_request", text="您的诉求已派单", link="/requests/")
    made.update(late=late, soon=soon, accepted=accepted, done=done, whistled=whistled, w1=w1, w2=w2)
    return made


def _rows_of(response) -> int:
    """How many rows the list a count opened holds (all pages)."""
    ctx = response.context
    if "page" in ctx:
        return ctx["page"].paginator.count
    return len(ctx["jobs"])


def _todos(response) -> dict[str, dict]:
    out = {}
    for key, ctx in response.context["card"].items():
        for t in (ctx or {}).get("todos", []):
            out[f"{key}.{t.key}"] = {"count": t.count, "url": t.url, "tone": t.tone}
    return out


@pytest.mark.parametrize("role", ROLES)
def test_every_count_opens_a_list_of_exactly_that_many_rows(client, request, street, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    home = client.get("/")
    assert home.status_code == 200
    todos = _todos(home)
    assert todos, f"{role} has something on the 工作台"
    for key, t in todos.items():
        listed = client.get(t["url"])
        assert listed.status_code == 200, f"{role}: {key} → {t['url']}"
        assert _rows_of(listed) == t["count"], f"{role}: {key} → {t['url']}"
        assert f'href="{t["url"].replace("&", "&amp;")}"' in home.content.decode()


EXPECTED = {  # role → {todo: count} for the world above (the rest of each role's todos are checked equal)
    "street_staff": {"requests_todo.to_dispatch": 2, "requests_todo.overdue": 1, "requests_todo.due_soon": 1,
                     "votes_todo.draft": 1},
    "community_staff": {"requests_todo.to_dispatch": 1, "requests_todo.overdue": 1, "requests_todo.due_soon": 1,
                        "requests_todo.to_accept": 0, "votes_todo.draft": 1},
    "outsider": {"requests_todo.to_dispatch": 1, "requests_todo.overdue": 0},
    "grid_worker": {"requests_todo.open": 5, "requests_todo.overdue": 1, "requests_todo.due_soon": 1},
    "property_staff": {"requests_todo.to_accept": 3, "requests_todo.assigned": 4, "requests_todo.overdue": 1,
                       "requests_todo.due_soon": 1},
    "department_liaison": {"whistles_todo.waiting": 2, "whistles_todo.overdue": 1, "whistles_todo.to_report": 0},
    "resident": {"resident_todo.to_rate": 1, "notices_todo.unread": 1},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_the_counts_for_each_role(client, request, street, role):
    client.force_login(request.getfixturevalue(role))
    todos = _todos(client.get("/"))
    assert {k: todos[k]["count"] for k in EXPECTED[role]} == EXPECTED[role]


def test_overdue_is_red_and_due_soon_amber(client, street, community_staff):
    client.force_login(community_staff)
    home = client.get("/")
    todos = _todos(home)
    assert todos["requests_todo.overdue"]["tone"] == "danger"
    assert todos["requests_todo.due_soon"]["tone"] == "warning"
    html = home.content.decode()
    overdue = html.split('data-testid="todo-overdue"', 1)[1].split("</a>", 1)[0]
    assert "bg-red" in overdue
    soon = html.split('data-testid="todo-due_soon"', 1)[1].split("</a>", 1)[0]
    assert "bg-yellow" in soon


def test_the_filtered_queue_lists_those_requests(client, street, company_staff):  # noqa: F811
    client.force_login(company_staff)
    to_accept = client.get("/requests/?mine=to_accept").context["page"].object_list
    assert {r.pk for r in to_accept} == {street["late"].pk, street["soon"].pk, street["whistled"].pk}
    overdue = client.get("/requests/?mine=assigned&due=overdue").context["page"].object_list
    assert [r.pk for r in overdue] == [street["late"].pk]
    page = client.get("/requests/?mine=to_accept")
    assert "待我接单" in page.content.decode()


def test_whistles_awaiting_report_in_show_the_nearest_deadline(client, street, department_liaison):
    client.force_login(department_liaison)
    card = client.get("/").context["card"]["whistles_todo"]
    waiting = next(t for t in card["todos"] if t.key == "waiting")
    nearest = timezone.localtime(street["w2"].__class__.objects.get(pk=street["w2"].pk).ack_due_at)
    assert waiting.hint == f"最近时限 {nearest:%m-%d %H:%M}"
    listed = client.get("/requests/whistles/?state=overdue").context["page"].object_list
    assert [w.pk for w in listed] == [street["w2"].pk]


def test_a_rated_request_leaves_the_residents_todo(client, street, resident):
    actions.rate_request(street["done"], by=resident, rating=5)
    client.force_login(resident)
    todos = _todos(client.get("/"))
    assert todos["resident_todo.to_rate"]["count"] == 0
    assert client.get("/requests/?status=resolved").context["page"].paginator.count == 0


def test_recent_actions_are_mine_and_link_to_their_object(client, street, community_staff):
    client.force_login(community_staff)
    recent = client.get("/").context["recent"]
    assert recent, "the community dispatched and whistled"
    assert all(r["event"].actor_id == community_staff.pk for r in recent)
    verbs = [r["event"].verb for r in recent]
    assert verbs[0] == "assembly.create_vote"
    assert "workorders.dispatch_request" in verbs
    dispatch = next(r for r in recent if r["event"].verb == "workorders.dispatch_request")
    assert dispatch["url"] == f"/requests/{dispatch['event'].target_id}/"


def test_all_my_actions_page_pages_and_filters_my_own(client, street, community_staff, grid_worker):
    client.force_login(community_staff)
    home = client.get("/").content.decode()
    assert 'data-testid="recent-more"' in home and 'href="/activity/"' in home
    response = client.get("/activity/")
    rows = response.context["rows"]
    assert rows and all(r["event"].actor_id == community_staff.pk for r in rows)
    assert not any(r["event"].verb.startswith(("core.login", "notices.")) for r in rows)
    assert response.context["page"].paginator.count >= len(client.get("/").context["recent"])
    only = client.get("/activity/", {"verb": "workorders.dispatch_request"}).context["rows"]
    assert only and {r["event"].verb for r in only} == {"workorders.dispatch_request"}
    assert only[0]["url"] == f"/requests/{only[0]['event'].target_id}/"
    bad = client.get("/activity/", {"since": "99999-01-01", "page": "x"})
    assert bad.status_code == 200 and bad.context["ignored"]
    client.force_login(grid_worker)  # another account: none of the community's actions
    assert all(r["event"].actor_id == grid_worker.pk for r in client.get("/activity/").context["rows"])


def test_shortcuts_follow_the_role(client, street, community_staff, department_liaison, resident):
    def keys(user):
        client.force_login(user)
        return [s["key"] for s in client.get("/").context["shortcuts"]]

    assert {"file_for_resident", "queue", "new_vote", "import"} <= set(keys(community_staff))
    assert "whistles" in keys(department_liaison) and "file_for_resident" not in keys(department_liaison)
    assert keys(resident) == []


def test_a_running_import_shows_until_it_ends(client, tree, community_staff):
    from gongzhi.places.models import ImportJob, ImportStatus

    client.force_login(community_staff)
    assert "imports_todo" not in client.get("/").context["card"]
    job = ImportJob.objects.create(kind="places", original_name="a.xlsx", place=tree["community"],
                                   status=ImportStatus.VALIDATING, created_by=community_staff)
    todos = _todos(client.get("/"))
    assert todos["imports_todo.running"]["count"] == 1
    listed = client.get(todos["imports_todo.running"]["url"])
    assert [j.pk for j in listed.context["jobs"]] == [job.pk]


@pytest.mark.parametrize("role", ["street_staff", "property_staff", "department_liaison", "resident"])
def test_the_home_page_costs_the_same_with_more_requests(client, request, street, utilities, role,  # noqa: F811
                                                         django_assert_max_num_queries, resident, managed,  # noqa: F811
                                                         community_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = request.getfixturevalue(role)
    client.force_login(user)
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    for i in range(6):
        req = actions.dispatch_request(_file(resident, utilities, request.getfixturevalue("tree")["household"],
                                             f"更多{i}"), to=managed, by=community_staff)
        actions.whistle_request(req, department=request.getfixturevalue("orgs")["police"], by=community_staff,
                                note="协助")
    with CaptureQueriesContext(connection) as after:
        client.get("/")
    assert len(after) == len(before), [q["sql"][:120] for q in after.captured_queries]
    assert len(after) <= 30


def test_the_platform_actor_has_no_home(client, street):
    assert SYSTEM.is_authenticated is False  # the tick acts, but never opens a 工作台
    assert client.get("/").status_code == 302
