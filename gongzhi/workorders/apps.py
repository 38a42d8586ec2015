from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "gongzhi.workorders"
    label = "workorders"
    verbose_name = _("诉求工单")

    def ready(self):
        from . import (
            permissions,  # noqa: F401  (registers the rules permissions)
            shell,
        )

        shell.register()
