"""The shell's own entries (the home page)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry


def register() -> None:
    registry.menu("home", group="work", label=_("首页"), url_name="home", order=0,
                  visible=lambda user: user.is_authenticated)
