"""What core adds to the shell (see :mod:`gongzhi.core.registry`)."""

from django.utils.translation import gettext_lazy as _

from . import registry


def register() -> None:
    registry.menu("audit", group="settings", label=_("操作日志"), url_name="audit", order=90,
                  visible=lambda user: user.has_perm("core.view_audit"))
