from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "gongzhi.people"
    label = "people"
    verbose_name = _("人员与组织")

    def ready(self):
        from . import (
            permissions,  # noqa: F401  (registers the rules permissions)
            scope,
            shell,
        )

        scope.register()  # core.scope loads posts and homes from here
        shell.register()
