"""What the region tree adds to the shell (see :mod:`gongzhi.core.registry`)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry
from gongzhi.core.permissions import is_staff
from gongzhi.core.roles import MANAGING_ROLES
from gongzhi.core.scope import user_roles

from .labels import path_labels


def may_import(user) -> bool:
    """The import page's own test (``places.views._import_root``): a manager of some place."""
    return user.is_superuser or bool(user_roles(user) & MANAGING_ROLES)


def register() -> None:
    registry.place_labeller(path_labels)
    registry.menu("places", group="data", label=_("区域"), url_name="places:tree", order=10, visible=is_staff,
                  active_prefixes=("/places/",))
    registry.menu("households", group="data", label=_("住户"), url_name="places:households", order=20,
                  visible=is_staff)
    registry.menu("import", group="data", label=_("导入"), url_name="places:import", order=50, visible=may_import,
                  active_prefixes=("/places/import/",))
    registry.menu("divisions", group="settings", label=_("行政区划"), url_name="places:divisions", order=60,
                  visible=lambda user: user.is_superuser)
