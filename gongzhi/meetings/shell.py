"""What joint meetings add to the shell (see :mod:`gongzhi.core.registry`): the menu entries, the 工作台's 待办
(proposals to decide, agendas to publish, meetings to attend, overdue action items), the compound's public board
(resolutions and their outcome), 提交联席会 on a request's page, the tick's steps and the demo step."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry
from gongzhi.core.registry import Todo
from gongzhi.core.roles import Role
from gongzhi.core.scope import user_roles

from . import jobs
from .demo import seed_meetings
from .models import MeetingStatus
from .queries import overdue_items, proposals_waiting, public_resolutions, upcoming
from .views import organises_any, request_panel, sees_meetings


def _is_resident(user) -> bool:
    return Role.RESIDENT in user_roles(user)


def meetings_todo_card(request):
    """待办 · 联席会议: organisers — proposals to decide, the next fortnight's agendas not yet published, overdue
    action items; a member's delegate — the meetings they are called to in the next fortnight."""
    user = request.user
    if not sees_meetings(user):
        return None
    url = reverse("meetings:list")
    todos = []
    soon = upcoming(user)
    if organises_any(user):
        todos.append(Todo("proposals", _t("居民议题建议待审议"), proposals_waiting(user).count(),
                          reverse("meetings:proposals"), "warning"))
        todos.append(Todo("to_publish", _t("两周内待发布议程"), soon.filter(status=MeetingStatus.SCHEDULED).count(),
                          f"{url}?soon=1&status={MeetingStatus.SCHEDULED}", "warning"))
        todos.append(Todo("overdue_items", _t("逾期未办结的督办事项"), len(overdue_items(user)),
                          f"{url}?items=overdue", "danger"))
    else:
        todos.append(Todo("upcoming", _t("两周内要参加的会议"), soon.count(), f"{url}?soon=1", ""))
    return {"title": _t("联席会议"), "more": url, "todos": todos}


def _proposals_visible(user) -> bool:
    return _is_resident(user) and not sees_meetings(user)


def register() -> None:
    registry.menu("meetings", group="work", label=_("联席会议"), url_name="meetings:list", order=35,
                  visible=sees_meetings, active_prefixes=("/meetings/",))
    registry.menu("proposals", group="work", label=_("议题建议"), url_name="meetings:proposals", order=36,
                  visible=_proposals_visible, active_prefixes=("/meetings/proposals/",))
    registry.home_card("meetings_todo", context=meetings_todo_card, order=25, section="todo")
    registry.target_link("meetings.meeting", url=lambda pk: reverse("meetings:detail", args=[pk]))
    registry.target_link("meetings.meetingseries", url=lambda pk: reverse("meetings:series", args=[pk]))
    registry.public_item("meetings", title=_("联席会议决议"), template="meetings/_public_board.html",
                         items=public_resolutions, order=10)
    registry.object_panel("to_meeting", model="workorders.request", template="meetings/_request_panel.html",
                          context=request_panel)
    registry.tick_step("meetings.generate_ahead", run=jobs.generate_ahead)
    registry.tick_step("meetings.carry_over_overdue", run=jobs.carry_over_overdue)
    registry.demo_step("meetings", run=seed_meetings, order=25)
