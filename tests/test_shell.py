"""The shell built from the registry: every menu entry a role sees opens for that role, nothing wraps into
one line of fifteen links, the home page is the cards the apps registered, a compound's public board."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from gongzhi.core.registry import GROUPS, registry
from gongzhi.site.context_processors import shell

from .conftest import ROLES


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_entry_a_role_sees_opens_for_it(client, request, role):
    """A menu never links to a 403 or 404: the entry's ``visible`` asks what the page checks."""
    user = request.getfixturevalue(role)
    client.force_login(user)
    home = client.get("/")
    assert home.status_code == 200
    entries = [e for g in home.context["nav_groups"] for e in g["entries"]]
    assert entries, "every role has at least its home page"
    for e in entries:
        response = client.get(e["url"], follow=True)
        assert response.status_code == 200, f"{role}: menu entry {e['key']} → {e['url']}"


def test_menu_groups_and_the_current_page(rf: RequestFactory, street_staff, resident):
    req = rf.get("/requests/catalogue/")
    req.user, req.COOKIES = street_staff, {}
    ctx = shell(req)
    assert ctx["nav_sidebar"] is True
    keys = [g["key"] for g in ctx["nav_groups"]]
    assert keys == [g.key for g in GROUPS if g.key in keys]  # in the groups' order
    active = [e["key"] for g in ctx["nav_groups"] for e in g["entries"] if e["active"]]
    assert active == ["catalogue"]  # the longest prefix wins over 诉求 (/requests/)
    req = rf.get("/")
    req.user, req.COOKIES = resident, {}
    ctx = shell(req)
    assert ctx["nav_sidebar"] is False
    assert [e["key"] for g in ctx["nav_groups"] for e in g["entries"]] == ["home", "requests", "proposals", "votes",
                                                                            "matters", "notices"]


def test_the_registry_replaces_an_entry_registered_twice():
    before = len(registry.menu)
    entry = registry.menu[0]
    from gongzhi.core import registry as reg

    reg.menu(entry.key, group=entry.group, label=entry.label, url_name=entry.url_name, visible=entry.visible,
             order=entry.order)
    assert len(registry.menu) == before
    with pytest.raises(ValueError):
        reg.menu("x", group="nowhere", label="x", url_name="home", visible=bool)


def test_home_cards_follow_the_reader(client, street_staff, resident):
    client.force_login(street_staff)
    assert set(client.get("/").context["card"]) == {"positions", "scopes", "requests_todo", "votes_todo",
                                                    "meetings_todo", "notices_todo"}
    client.force_login(resident)
    card = client.get("/").context["card"]
    assert {"file_request", "homes", "resident_todo", "notices_todo"} <= set(card)
    assert not {"scopes", "requests_todo", "votes_todo", "meetings_todo"} & set(card)
