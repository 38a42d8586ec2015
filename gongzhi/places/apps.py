from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "gongzhi.places"
    label = "places"
    verbose_name = _("区域")

    def ready(self):
        from . import (
            permissions,  # noqa: F401  (registers the rules permissions)
            shell,
        )

        shell.register()
