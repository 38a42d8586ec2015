"""ninja/pydantic validation errors in the API's own shape and language.

pydantic reports ``{"type": "string_too_long", "loc": ["body", "payload", "name"], "msg": "String should have
at most 50 characters", "ctx": {"max_length": 50}}``. The API's other 422s say ``{"loc": ["body", "name"],
"msg": "<Chinese>", "type": ...}``: :func:`explain` drops the schema parameter's name from ``loc`` and writes
``msg`` for the common error types in the user's language, keeping ``type`` and ``ctx`` as pydantic gave
them; an error type not listed keeps pydantic's message."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# where the parameter's name follows the source when the parameter is a schema (body/form), not a field
_SCHEMA_SOURCES = ("body", "form")


def _choices(ctx: dict) -> str:
    expected = str(ctx.get("expected", ""))
    quoted = re.findall(r"'([^']*)'", expected)
    return "、".join(quoted) if quoted else expected


DATE = ("date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact", "date_past",
        "date_future")
DATETIME = ("datetime_parsing", "datetime_type", "datetime_from_date_parsing", "datetime_object_invalid")


def _message(kind: str, ctx: dict) -> str | None:
    if kind == "missing":
        return _("必填")
    if kind == "string_too_long":
        return _("最多 %(n)s 个字符") % {"n": ctx.get("max_length", "")}
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("不能为空")
        return _("至少 %(n)s 个字符") % {"n": ctx.get("min_length", "")}
    if kind == "too_long":
        return _("最多 %(n)s 项") % {"n": ctx.get("max_length", "")}
    if kind == "too_short":
        return _("至少 %(n)s 项") % {"n": ctx.get("min_length", "")}
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return _("必须是整数")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return _("必须是数字")
    if kind == "decimal_max_digits":
        return _("最多 %(n)s 位数字") % {"n": ctx.get("max_digits", "")}
    if kind == "decimal_max_places":
        return _("最多 %(n)s 位小数") % {"n": ctx.get("decimal_places", "")}
    if kind in ("bool_parsing", "bool_type"):
        return _("必须是 true 或 false")
    if kind in ("string_type", "string_unicode"):
        return _("必须是文本")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("必须是列表")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("必须是对象")
    if kind == "string_pattern_mismatch":
        return _("格式不正确")
    if kind in ("enum", "literal_error"):
        return _("必须是以下之一：%(choices)s") % {"choices": _choices(ctx)}
    if kind == "greater_than":
        return _("必须大于 %(n)s") % {"n": ctx.get("gt", "")}
    if kind == "greater_than_equal":
        return _("不能小于 %(n)s") % {"n": ctx.get("ge", "")}
    if kind == "less_than":
        return _("必须小于 %(n)s") % {"n": ctx.get("lt", "")}
    if kind == "less_than_equal":
        return _("不能大于 %(n)s") % {"n": ctx.get("le", "")}
    if kind in DATE:
        return _("日期格式应为 YYYY-MM-DD")
    if kind in DATETIME:
        return _("日期时间格式应为 YYYY-MM-DDTHH:MM:SS")
    if kind in ("time_parsing", "time_type"):
        return _("时间格式应为 HH:MM")
    if kind == "json_invalid":
        return _("请求体不是合法的 JSON")
    if kind == "value_error" and ctx.get("error") is not None:
        return str(ctx["error"])  # our own validators' message, without pydantic's "Value error, "
    return None


def _plain(value):
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def explain(error: dict) -> dict:
    """One pydantic error as ``{"loc": [...], "msg": ..., "type": ...[, "ctx": {...}]}``; ``loc`` is strings (a list
position too: ``["body", "candidates", "1"]``), as the documented error schema says."""
    loc = list(error.get("loc", ()))
    if len(loc) >= 3 and loc[0] in _SCHEMA_SOURCES:
        del loc[1]  # ["body", "payload", "name"] → ["body", "name"]
    kind = str(error.get("type", "invalid"))
    ctx = error.get("ctx") or {}
    out: dict = {"loc": [str(part) for part in loc], "msg": _message(kind, ctx) or str(error.get("msg", "")), "type": kind}
    if ctx:
        out["ctx"] = {key: _plain(value) for key, value in ctx.items()}
    return out
