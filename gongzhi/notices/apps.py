from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "gongzhi.notices"
    label = "notices"
    verbose_name = _("通知")

    def ready(self):
        from gongzhi.people.accounts import register_code_sender

        from . import (
            actions,
            permissions,  # noqa: F401  (registers the rules permissions)
            shell,
        )

        shell.register()
        register_code_sender(actions.send_outside)  # verification codes reach phones through the channels
