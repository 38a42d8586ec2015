from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "gongzhi.places"
    label = "places"
    verbose_name = _("区域")

    def ready(self):
        from django.core import checks

        from . import (
            geo,
            permissions,  # noqa: F401  (registers the rules permissions)
            shell,
        )

        shell.register()
        checks.register(geo.check_district_data)
