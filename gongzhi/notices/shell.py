"""What notices add to the shell: the inbox, with the number of unread notices."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry

from .models import Notification


def unread(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def register() -> None:
    registry.menu("notices", group="work", label=_("通知"), url_name="notices:inbox", order=90,
                  visible=lambda user: user.is_authenticated, badge=unread)
