"""What notices add to the shell: the inbox, with the number of unread notices, and the 工作台's unread count
(which opens the inbox's 未读, the same rows)."""

from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry
from gongzhi.core.registry import Todo

from .models import Notification

_UNREAD_ATTR = "_gz_unread_notices"


def unread(user) -> int:
    """Unread notices of ``user``, counted once per request (the menu's badge and the 工作台 both show it)."""
    cached = getattr(user, _UNREAD_ATTR, None)
    if cached is None:
        cached = Notification.objects.filter(user=user, read_at__isnull=True).count()
        setattr(user, _UNREAD_ATTR, cached)
    return cached


def notices_todo_card(request):
    """待办 · 通知: my unread notices."""
    user = request.user
    count = unread(user)
    url = reverse("notices:inbox")
    return {"title": _t("通知"), "more": url,
            "todos": [Todo("unread", _t("未读通知"), count, f"{url}?unread=1", "warning" if count else "")]}


def register() -> None:
    registry.menu("notices", group="work", label=_("通知"), url_name="notices:inbox", order=90,
                  visible=lambda user: user.is_authenticated, badge=unread)
    registry.home_card("notices_todo", context=notices_todo_card, order=90, section="todo")
