"""The inbox: the reader's notices, grouped by day and paged, filtered by unread or by what they are about;
opening one goes through :func:`open_notice`, which marks it read and follows its link."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.pagination import get_page

from . import actions
from .models import Notification

PER_PAGE = 20


def topics_of(user) -> list[tuple[str, str]]:
    """(app label, its name) of the apps whose notices ``user`` has: the inbox's topic filter."""
    labels = (Notification.objects.filter(user=user).order_by().values_list("verb", flat=True).distinct())
    found = sorted({verb.partition(".")[0] for verb in labels})
    return [(label, str(apps.get_app_config(label).verbose_name)) for label in found
            if label in apps.app_configs]


def inbox_rows(user, *, unread: bool = False, topic: str = ""):
    """The inbox's rows for its filters (the 工作台's unread count opens ``?unread=1``: the same rows)."""
    qs = Notification.objects.filter(user=user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    if topic:
        qs = qs.filter(verb__startswith=f"{topic}.")
    return qs.order_by("-created_at", "-pk")


def _day_label(day: datetime.date, today: datetime.date) -> str:
    if day == today:
        return _("今天")
    if day == today - datetime.timedelta(days=1):
        return _("昨天")
    return day.strftime("%Y-%m-%d")


@login_required
def inbox(request):
    unread = request.GET.get("unread") == "1"
    topics = topics_of(request.user)
    topic = request.GET.get("topic", "")
    if topic not in {label for label, _name in topics}:
        topic = ""
    page = get_page(inbox_rows(request.user, unread=unread, topic=topic), request.GET.get("page"), PER_PAGE)
    today = timezone.localdate()
    groups: list[dict] = []
    for n in page.object_list:
        label = _day_label(timezone.localdate(n.created_at), today)
        if not groups or groups[-1]["label"] != label:
            groups.append({"label": label, "notices": []})
        groups[-1]["notices"].append(n)
    return render(request, "notices/inbox.html", {"page": page, "groups": groups, "unread": unread,
                                                  "topic": topic, "topics": topics})


@login_required
def open_notice(request, pk):
    """Open a notice: it is marked read, then its link opens (the inbox when it has none)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)  # someone else's: 404
    actions.read_notice(notification, by=request.user)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(link)
    return redirect("notices:inbox")


@require_POST
@login_required
def read_all(request):
    actions.read_all_notices(by=request.user)
    return redirect("notices:inbox")
