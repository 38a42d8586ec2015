"""Capture what an action leaves behind, and the shared shape of a role-matrix case.

``captured_events()`` yields the audit rows (:class:`gongzhi.core.models.Event`) written inside the block;
``captured_notifications()`` the inbox rows (:class:`gongzhi.notices.models.Notification`) written inside it and
what the outside channels were handed once the block's on-commit work ran. :class:`Case` is one row of a role
matrix: which URL it requests (the route it covers is computed from it by ``django.urls.resolve``) and which
status each role gets.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.db.models import Max

SENT: list[dict] = []


class RecordingChannel:
    """An outside channel that keeps what it was handed (settings.NOTIFICATION_CHANNELS in these tests)."""

    name = "recording"

    def send(self, *, user_id: int, text: str, link: str) -> None:
        SENT.append({"user_id": user_id, "text": text, "link": link})

    def send_to_phone(self, *, phone: str, text: str, link: str) -> None:
        SENT.append({"user_id": None, "phone": phone, "text": text, "link": link})


def _max_pk(model) -> int:
    return model.objects.aggregate(m=Max("pk"))["m"] or 0


@contextmanager
def capture_events():
    from gongzhi.core.models import Event

    before = _max_pk(Event)
    rows: list = []
    yield rows
    rows.extend(Event.objects.filter(pk__gt=before).order_by("pk"))


@pytest.fixture
def captured_events(db):
    """``with captured_events() as events: …`` — afterwards ``events`` holds the Event rows written inside."""
    return capture_events


@dataclass
class Notified:
    notifications: list = field(default_factory=list)
    sends: list = field(default_factory=list)

    @property
    def users(self) -> set[str]:
        """Usernames that got an inbox row."""
        return {n.user.username for n in self.notifications}

    @property
    def sent_to(self) -> set[int]:
        """User ids an outside channel was handed a message for (after commit)."""
        return {s["user_id"] for s in self.sends if s["user_id"] is not None}

    @property
    def phones(self) -> set[str]:
        """Phones without an account a message went to (a QR intake code)."""
        return {s["phone"] for s in self.sends if s["user_id"] is None}


@pytest.fixture
def captured_notifications(db, settings, django_capture_on_commit_callbacks):
    """``with captured_notifications() as told: …`` — afterwards ``told.notifications`` holds the inbox rows
    written inside, and ``told.sends`` what the channels were handed when the block's on-commit work ran."""
    from gongzhi.notices.models import Notification

    settings.NOTIFICATION_CHANNELS = ["tests.capture.RecordingChannel"]

    @contextmanager
    def capture():
        before = _max_pk(Notification)
        told = Notified()
        SENT.clear()
        with django_capture_on_commit_callbacks(execute=True):
            yield told
        told.notifications = list(Notification.objects.filter(pk__gt=before).select_related("user").order_by("pk"))
        told.sends = list(SENT)

    return capture


# ---------------------------------------------------------------- role-matrix cases


class World:
    """The objects a case's URL needs, each built on first use from the fixture of the same name."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._request.getfixturevalue(name)


@dataclass(frozen=True)
class Case:
    """One route × every role. ``expect`` maps a status to the roles that get it; the rest get ``default``.
    ``marker`` is text of the object that must not appear in a refused answer. ``leaks`` {role: reason} marks
    answers that look like a real leak: kept as they are today, as strict xfails."""

    id: str
    url: Callable[[World], str]
    expect: dict[int, frozenset[str] | set[str]]
    default: int = 404
    method: str = "get"
    data: Callable[[World], dict] | None = None
    json: bool = False
    marker: str | None = None
    leaks: dict[str, str] = field(default_factory=dict)

    def status_for(self, role: str) -> int:
        for status, roles in self.expect.items():
            if role in roles:
                return status
        return self.default

    def param(self, role: str):
        marks = [pytest.mark.xfail(strict=True, reason=self.leaks[role])] if role in self.leaks else []
        return pytest.param(role, self, id=f"{role}-{self.id}", marks=marks)


def matrix_params(cases: list[Case], roles: list[str]) -> list:
    ids = [c.id for c in cases]
    duplicated = {i for i in ids if ids.count(i) > 1}
    assert not duplicated, f"case ids must be unique: {duplicated}"
    return [case.param(role) for case in cases for role in roles]


def run_case(client, w: World, case: Case, user, role: str):
    """Request the case's URL as ``user`` and check the status, the leak marker and (for writes) the audit log."""
    import json as jsonlib

    from gongzhi.core.models import Event

    client.force_login(user)
    url = case.url(w)
    data = case.data(w) if case.data else None
    events = Event.objects.count()
    call = getattr(client, case.method)
    if case.json:
        response = call(url, data=jsonlib.dumps(data or {}), content_type="application/json")
    elif case.method == "patch":
        response = call(url, data=jsonlib.dumps(data or {}), content_type="application/json")
    else:
        response = call(url, data or {})
    expected = case.status_for(role)
    assert response.status_code == expected, f"{role} → {case.method.upper()} {url}"
    body = b"" if getattr(response, "streaming", False) else response.content
    person = getattr(user, "person", None)
    own_name = person is not None and case.marker == person.name  # the page header shows one's own name
    if expected >= 400 and case.marker and not own_name:
        assert case.marker not in body.decode(errors="replace")
    if expected >= 400 and case.method != "get":
        assert Event.objects.count() == events, "a refused write left an audit row"
    return response
