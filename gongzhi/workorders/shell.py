"""What requests add to the shell (see :mod:`gongzhi.core.registry`): menus, the resident's 我要反映问题 and
recent requests on the home page, and the demo step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry
from gongzhi.core.permissions import is_staff
from gongzhi.core.roles import Role
from gongzhi.core.scope import user_roles

from .demo import seed_requests
from .models import Request


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
    mine = list(Request.objects.visible_to(user).filter(reporter__user=user).select_related("category")
                .order_by("-created_at")[:3])
    return {"my_requests": mine} if mine else None


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
    registry.home_card("file_request", template="workorders/card_file.html", context=file_card, order=22)
    registry.home_card("my_requests", template="workorders/card_my_requests.html", context=my_requests_card,
                       order=30)
    registry.demo_step("requests", run=seed_requests, order=20)
