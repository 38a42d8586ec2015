"""The 工作台 in a real Chromium on the demo street, per role: log in, the 待办 counts are what the database
holds for that account (computed here from the rows, not from the app's own count functions), and each
count opens a list with exactly that many rows. Screenshots at 1366 and 390 px go to docs/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from gongzhi.notices.models import Notification
from gongzhi.people.models import Position
from gongzhi.places.models import Place
from gongzhi.site.demo import DEMO_PASSWORD, STREET_CODE, seed_demo
from gongzhi.workorders.catalogue import seed_catalogue
from gongzhi.workorders.models import (
    AWAITING_RESPONSE,
    UNRESOLVED,
    Category,
    Request,
    ServiceLevel,
    Status,
    Whistle,
)

from .conftest import CHROMIUM_ARGS, Browse  # noqa: F401

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDE = {"viewport": {"width": 1366, "height": 900}}
NARROW = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TOTAL = re.compile(r"共 (\d+) 条")
PER_PAGE = 20
ROWS = "main table tbody tr, main .list-group-item"


def _orgs(user) -> list[int]:
    return list(Position.objects.active().filter(person__user=user).values_list("organisation_id", flat=True))


def _seen(user) -> Q:
    """What an account sees of requests, written out from the roles of the demo accounts used here."""
    return Q(reporter__user=user) | Q(filed_by=user) | Q(handler_id__in=_orgs(user)) | Q(
        pk__in=Whistle.objects.filter(department_id__in=_orgs(user)).values("request_id"))


def expected_counts(username: str) -> dict[str, int]:
    """The counts each demo account's 工作台 must show, straight from the rows."""
    user = get_user_model().objects.get(username=username)
    now = timezone.now()
    open_rows = Request.objects.filter(status__in=UNRESOLVED)
    overdue = Q(status__in=AWAITING_RESPONSE, response_due_at__lt=now) | Q(status__in=UNRESOLVED,
                                                                           resolution_due_at__lt=now)
    to_dispatch = Q(status__in=[Status.SUBMITTED, Status.RETURNED])
    mine = Q(handler_id__in=_orgs(user)) | Q(assignee__user=user)
    street = Place.objects.get(code=STREET_CODE)
    community = Place.objects.get(code="610104001001")
    grid = Place.objects.get(code="QNL-G11")
    shangshu = Place.objects.get(code="QNL-C01")
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    if username == "street":
        under = open_rows.filter(place__path__startswith=street.path)
        return {"to_dispatch": under.filter(to_dispatch).count(), "overdue": under.filter(overdue).count(),
                "unread": unread}
    if username == "community":
        seen = open_rows.filter(Q(place__path__startswith=community.path) | _seen(user))
        return {"to_dispatch": seen.filter(to_dispatch, place__path__startswith=community.path).count(),
                "to_accept": seen.filter(mine, status__in=AWAITING_RESPONSE).count(),
                "overdue": seen.filter(overdue).count(), "unread": unread}
    if username == "grid":
        seen = open_rows.filter(Q(place__path__startswith=grid.path) | _seen(user))
        return {"open": seen.count(), "to_accept": seen.filter(mine, status__in=AWAITING_RESPONSE).count(),
                "overdue": seen.filter(overdue).count(), "unread": unread}
    if username == "property":  # a project manager who is also the compound's 党建指导员 (a community post)
        seen = open_rows.filter(Q(place__path__startswith=shangshu.path) | _seen(user))
        return {"to_dispatch": seen.filter(to_dispatch, place__path__startswith=shangshu.path).count(),
                "to_accept": seen.filter(mine, status__in=AWAITING_RESPONSE).count(),
                "overdue": seen.filter(overdue).count(), "unread": unread}
    if username == "department":
        whistles = Whistle.objects.filter(department_id__in=_orgs(user))
        waiting = whistles.filter(acknowledged_at__isnull=True)
        return {"waiting": waiting.count(),
                "overdue": waiting.filter(Q(overdue=True) | Q(ack_due_at__lt=now)).count(),
                "to_report": whistles.filter(acknowledged_at__isnull=False, reported_at__isnull=True).count(),
                "to_accept": open_rows.filter(_seen(user)).filter(mine, status__in=AWAITING_RESPONSE).count(),
                "unread": unread}
    if username == "resident":
        mine_filed = Request.objects.filter(Q(reporter__user=user) | Q(filed_by=user))
        return {"to_rate": mine_filed.filter(status=Status.RESOLVED).count(), "unread": unread}
    raise ValueError(username)


def list_rows(b: Browse) -> int:
    """Rows of the list on screen, all pages: the total the pager states, checked against this page."""
    page = b.page
    on_page = page.locator(ROWS).count()
    found = TOTAL.search(page.inner_text("main"))
    total = int(found.group(1)) if found else on_page
    assert on_page == min(total, PER_PAGE), f"{page.url}: {on_page} rows on the page of {total}"
    return total


@pytest.mark.parametrize("username", ["street", "community", "grid", "property", "department", "resident"])
def test_the_workbench_of_each_role_on_the_demo(new_context, live_server, axe_source, username):
    seed_catalogue(Category, ServiceLevel)  # a transactional test before this one flushed the migration's rows
    seed_demo()
    expected = expected_counts(username)
    b = Browse(new_context(**WIDE, locale="zh-CN").new_page(), live_server.url, axe_source)
    b.login(username, DEMO_PASSWORD)
    b.goto("/")
    b.check()
    todos = b.page.locator("[data-testid=workbench] a[data-count]")
    shown = {}
    links = []
    for i in range(todos.count()):
        link = todos.nth(i)
        key = link.get_attribute("data-testid").removeprefix("todo-")
        count = int(link.get_attribute("data-count"))
        assert re.match(rf"{count}\b", link.locator("[data-testid=count]").inner_text()), key  # on screen
        shown.setdefault(key, count)
        links.append((key, count, link.get_attribute("href")))
    assert {k: shown.get(k) for k in expected} == expected, username
    SHOTS.mkdir(parents=True, exist_ok=True)
    b.page.screenshot(path=str(SHOTS / f"workbench-{username}-1366.png"), full_page=True)
    for key, count, href in links:
        b.goto(href)
        b.check()
        assert list_rows(b) == count, f"{username}: {key} → {href}"
    phone = Browse(new_context(**NARROW, locale="zh-CN").new_page(), live_server.url, axe_source)
    phone.login(username, DEMO_PASSWORD)
    phone.goto("/")
    phone.check()
    phone.page.screenshot(path=str(SHOTS / f"workbench-{username}-390.png"), full_page=True)
