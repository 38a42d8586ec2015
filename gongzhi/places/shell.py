"""What the region tree adds to the shell (see :mod:`gongzhi.core.registry`)."""

from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry
from gongzhi.core.permissions import is_staff
from gongzhi.core.registry import Todo
from gongzhi.core.roles import MANAGING_ROLES
from gongzhi.core.scope import user_roles

from .labels import path_labels
from .models import RUNNING_IMPORTS, ImportJob


def may_import(user) -> bool:
    """The import page's own test (``places.views._import_root``): a manager of some place."""
    return user.is_superuser or bool(user_roles(user) & MANAGING_ROLES)


def imports_todo_card(request):
    """待办 · 导入: my imports still queued, validating or writing (shown only while there are some); the
    count opens the import page's list of exactly those."""
    user = request.user
    if not may_import(user):
        return None
    running = ImportJob.objects.visible_to(user).filter(status__in=RUNNING_IMPORTS).count()
    if not running:
        return None
    url = reverse("places:import")
    return {"title": _t("导入"), "more": url,
            "todos": [Todo("running", _t("进行中的导入"), running, f"{url}?running=1", "warning")]}


def register() -> None:
    registry.place_labeller(path_labels)
    registry.menu("places", group="data", label=_("区域"), url_name="places:tree", order=10, visible=is_staff,
                  active_prefixes=("/places/",))
    registry.menu("households", group="data", label=_("住户"), url_name="places:households", order=20,
                  visible=is_staff)
    registry.menu("import", group="data", label=_("导入"), url_name="places:import", order=50, visible=may_import,
                  active_prefixes=("/places/import/",))
    registry.home_card("imports_todo", context=imports_todo_card, order=40, section="todo")
    registry.shortcut("households", label=_("查住户"), url_name="places:households", order=30, visible=is_staff)
    registry.shortcut("import", label=_("Excel 导入"), url_name="places:import", order=50, visible=may_import)
    registry.target_link("places.place", url=lambda pk: reverse("places:detail", args=[pk]))
    registry.menu("divisions", group="settings", label=_("行政区划"), url_name="places:divisions", order=60,
                  visible=lambda user: user.is_superuser)
