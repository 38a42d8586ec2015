"""Input cleaning the verbs share: a required short text within its field's limit, a whole number."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import REASON_MAX


def clean_reason(reason: str, *, field: str = "reason", limit: int = REASON_MAX) -> str:
    """A required short text (a reason, a note), at most ``limit`` characters."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("请填写理由")})
    if len(reason) > limit:
        raise ValidationError({field: _("理由不能超过%(n)s个字") % {"n": limit}})
    return reason


def whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
