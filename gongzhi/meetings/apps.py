from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """联席会议 / 红色物业议事厅, 支部先议 and 民主听证: where a compound's matters are settled, and every
    decision traced to the work that carried it out."""

    name = "gongzhi.meetings"
    label = "meetings"
    verbose_name = _("联席会议与议事")

    def ready(self):
        from . import (
            matters_permissions,  # noqa: F401  (支部先议 and hearings: registers the rules permissions)
            matters_shell,
            permissions,  # noqa: F401  (registers the rules permissions)
            shell,
        )

        shell.register()
        matters_shell.register()
