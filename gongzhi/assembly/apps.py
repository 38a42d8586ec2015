from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssemblyConfig(AppConfig):
    name = "gongzhi.assembly"
    label = "assembly"
    verbose_name = _("业主大会表决")

    def ready(self):
        from . import (
            permissions,  # noqa: F401  (registers the rules permissions)
            shell,
        )

        shell.register()
