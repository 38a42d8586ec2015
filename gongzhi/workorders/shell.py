"""What requests add to the shell (see :mod:`gongzhi.core.registry`): menus, the 工作台's 待办 (requests to
dispatch, accept, overdue and due soon; whistles awaiting report-in; a resident's requests to rate), the
resident's 我要反映问题 and recent requests on the home page, shortcuts, and the demo step."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry
from gongzhi.core.permissions import is_staff
from gongzhi.core.registry import Todo
from gongzhi.core.roles import MANAGING_ROLES, Role
from gongzhi.core.scope import user_roles, user_scopes

from .demo import seed_requests
from .models import PLACE_ROLES, Request, Status, phone_owner_q
from .queries import my_requests, todo_counts, whistle_todo_counts


def _list_label(user):
    return _("诉求") if is_staff(user) else _("我的诉求")


def _is_resident(user) -> bool:
    return Role.RESIDENT in user_roles(user)


def file_card(request):
    """A resident's big 我要反映问题 button, first on their home page."""
    return {} if _is_resident(request.user) else None


def my_requests_card(request):
    """A resident's last three requests."""
    user = request.user
    if not _is_resident(user):
        return None
    mine = list(Request.objects.visible_to(user).filter(Q(reporter__user=user) | phone_owner_q(user))
                .select_related("category")
                .order_by("-created_at")[:3])
    return {"my_requests": mine} if mine else None


def _queue_url(**filters: str) -> str:
    return reverse("workorders:list") + "?" + "&".join(f"{k}={v}" for k, v in filters.items() if v)


def requests_todo_card(request):
    """待办 · 诉求: what waits for this reader, by what they do. A dispatcher: 待我派单; whoever serves in an
    organisation: 待我接单 (and, handling without a place scope, 派给我的); over a place: 未办结; then 超时 and
    即将超时 — of the whole scope over a place, else of what is assigned to me. Every count is the queue's
    own filter (``queries.todo_counts``: one query for the card)."""
    user = request.user
    if not is_staff(user):
        return None
    roles = user_roles(user)
    dispatcher = user.is_superuser or bool(roles & MANAGING_ROLES)
    over_place = user.is_superuser or bool(roles & PLACE_ROLES)
    serves = any(s.organisation_id for s in user_scopes(user))
    rows: list[tuple[str, str, str, str, str]] = []  # key, label, mine, due, tone
    if dispatcher:
        rows.append(("to_dispatch", _t("待我派单"), "to_dispatch", "", ""))
    if serves:
        rows.append(("to_accept", _t("待我接单"), "to_accept", "", ""))
    if over_place and not dispatcher:
        rows.append(("open", _t("未办结"), "", "", ""))
    if serves and not over_place:
        rows.append(("assigned", _t("派给我的（未办结）"), "assigned", "", ""))
    scope_mine = "" if over_place else "assigned"
    rows.append(("overdue", _t("超时"), scope_mine, "overdue", "danger"))
    rows.append(("due_soon", _t("即将超时（24小时内）"), scope_mine, "soon", "warning"))
    keys: dict[str, tuple] = {key: (mine, due) for key, _label, mine, due, _tone in rows}
    if dispatcher:
        keys["unlocated"] = ("", "", True)  # Open311 by location: waits for 指定位置 (shown only when some do)
    counts = todo_counts(user, keys)
    todos = [Todo(key, label, counts[key], _queue_url(mine=mine, due=due), tone)
             for key, label, mine, due, tone in rows]
    if counts.get("unlocated"):
        todos.insert(1, Todo("unlocated", _t("待定位（按经纬度上报）"), counts["unlocated"],
                             _queue_url(unlocated="1"), "warning"))
    return {"title": _t("诉求"), "todos": todos, "more": reverse("workorders:list")}


def whistles_todo_card(request):
    """待办 · 吹哨报到 (a department's liaison): whistles awaiting report-in, with the nearest deadline; those
    past it; and the outcomes still to report (``queries.whistle_todo_counts``: one query)."""
    user = request.user
    if not (user.is_superuser or Role.DEPARTMENT_LIAISON in user_roles(user)):
        return None
    c = whistle_todo_counts(user)
    url = reverse("workorders:whistles")
    hint = (_t("最近时限 %(t)s") % {"t": date_format(timezone.localtime(c["next_due"]), "m-d H:i")}
            if c["next_due"] else "")
    return {"title": _t("吹哨报到"), "more": url, "todos": [
        Todo("waiting", _t("待报到"), c["waiting"], f"{url}?state=waiting", "warning" if c["waiting"] else "",
             hint),
        Todo("overdue", _t("报到超时"), c["overdue"], f"{url}?state=overdue", "danger"),
        Todo("to_report", _t("待反馈处置情况"), c["to_report"], f"{url}?state=to_report"),
    ]}


def resident_todo_card(request):
    """待办 · 我的诉求 (a resident): requests resolved and waiting for my rating."""
    user = request.user
    if not _is_resident(user) or is_staff(user):
        return None
    to_rate = my_requests(user, status=Status.RESOLVED).count()
    return {"title": _t("我的诉求"), "more": reverse("workorders:list"), "todos": [
        Todo("to_rate", _t("已办结，待我评价"), to_rate, _queue_url(status=Status.RESOLVED),
             "warning" if to_rate else "")]}


def _files_for_residents(user) -> bool:
    """代居民下单: staff over a place (the ones ``workorders.file_request`` lets file there)."""
    return user.is_superuser or bool(user_roles(user) & PLACE_ROLES)


def register() -> None:
    registry.menu("requests", group="work", label=_list_label, url_name="workorders:list", order=20,
                  visible=lambda user: user.is_authenticated, active_prefixes=("/requests/",))
    registry.menu("whistles", group="work", label=_("吹哨报到"), url_name="workorders:whistles", order=30,
                  visible=lambda user: user.is_superuser or Role.DEPARTMENT_LIAISON in user_roles(user),
                  active_prefixes=("/requests/whistles/",))
    registry.menu("rankings", group="stats", label=_("三率"), url_name="workorders:rankings", order=10,
                  visible=is_staff, active_prefixes=("/requests/rankings/",))
    registry.menu("catalogue", group="settings", label=_("服务目录"), url_name="workorders:catalogue", order=10,
                  visible=lambda user: user.has_perm("workorders.manage_catalogue"),
                  active_prefixes=("/requests/catalogue/",))
    registry.menu("calendar", group="settings", label=_("节假日"), url_name="workorders:calendar", order=20,
                  visible=lambda user: user.has_perm("workorders.manage_catalogue"),
                  active_prefixes=("/requests/calendar/",))
    registry.menu("routing", group="settings", label=_("派单规则"), url_name="workorders:routing_rules", order=30,
                  visible=lambda user: user.has_perm("workorders.manage_routing"),
                  active_prefixes=("/requests/routing/",))
    registry.menu("qr_sheets", group="work", label=_("楼栋二维码"), url_name="workorders:qr_sheets", order=40,
                  visible=lambda user: user.is_superuser or bool(user_roles(user) & MANAGING_ROLES),
                  active_prefixes=("/requests/qr/",))
    registry.home_card("requests_todo", context=requests_todo_card, order=10, section="todo")
    registry.home_card("whistles_todo", context=whistles_todo_card, order=5, section="todo")
    registry.home_card("resident_todo", context=resident_todo_card, order=20, section="todo")
    registry.shortcut("file_for_resident", label=_("代居民下单"), url_name="workorders:new", order=10,
                      visible=_files_for_residents)
    registry.shortcut("queue", label=_("诉求工单"), url_name="workorders:list", order=20, visible=is_staff)
    registry.shortcut("whistles", label=_("吹哨报到"), url_name="workorders:whistles", order=25,
                      visible=lambda user: user.is_superuser or Role.DEPARTMENT_LIAISON in user_roles(user))
    registry.target_link("workorders.request", url=lambda pk: reverse("workorders:detail", args=[pk]))
    registry.home_card("file_request", template="workorders/card_file.html", context=file_card, order=22,
                       section="lead")
    registry.home_card("my_requests", template="workorders/card_my_requests.html", context=my_requests_card,
                       order=30)
    registry.demo_step("requests", run=seed_requests, order=20)
