from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top floor: home page (工作台), navigation, public board, demo street and data generator. It reads
    the plug-in registry (``gongzhi.core.registry``) that the apps fill, and imports none of their modules
    but for the demo street's foundation (places and people)."""

    name = "gongzhi.site"
    label = "site"
    verbose_name = _("门户")

    def ready(self):
        from . import shell

        shell.register()
