"""Audit verbs. Each app declares ``class Verb(TextChoices)`` with values ``"<app>.<action>"``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

_REGISTRY: dict[str, str] = {}


def register(verbs: type[models.TextChoices]) -> type[models.TextChoices]:
    for value, label in verbs.choices:
        _REGISTRY[value] = label
    return verbs


def verb_label(value: str) -> str:
    return str(_REGISTRY.get(value, value))


def verb_choices() -> list[tuple[str, str]]:
    return sorted(_REGISTRY.items())


@register
class Verb(models.TextChoices):
    LOGIN = "core.login", _("登录")
    LOGIN_FAILED = "core.login_failed", _("登录失败")
    LOGOUT = "core.logout", _("退出")
    CHANGE_PASSWORD = "core.change_password", _("修改密码")
    REVEAL_PII = "core.reveal_pii", _("查看完整个人信息")
    EXPORT_AUDIT = "core.export_audit", _("导出操作日志")
    BACKUP = "core.backup", _("备份数据")
    RESTORE = "core.restore", _("恢复数据")
