from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.events import register


@register
class Verb(models.TextChoices):
    READ_NOTICE = "notices.read_notice", _("阅读通知")
    READ_ALL_NOTICES = "notices.read_all_notices", _("全部通知标为已读")
