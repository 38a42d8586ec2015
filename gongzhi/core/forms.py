from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .params import INT32_MAX, INT32_MIN, check_date


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("用户名或手机号"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    error_messages = {
        "invalid_login": _("用户名/手机号或密码错误。"),
        "inactive": _("该账号已停用。"),
    }


def apply_errors(form: forms.Form, exc) -> None:
    """Put an action's ValidationError onto the form, field by field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def run_form(request, form: forms.Form, action, success):
    """The write half of a form view: for a valid POST, run ``action(cleaned_data)``; its ValidationError
    lands on the form's fields. Returns the action's result (the view redirects) or None (show the form).
    ``success`` is the message, or a function of the result that makes it."""

    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(dict(form.cleaned_data))
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result if result is not None else True


# ---------------------------------------------------------------- bounded fields
# Django's IntegerField accepts any size (2^63 overflows SQLite, 2^31 a PostgreSQL integer, and a large number of
# days overflows timedelta); its DateField/DateTimeField accept year 1 and 9999, which overflow once shifted to
# UTC or to the next day. These are bounded by default, with Chinese messages; pass a domain's own bounds.


class IntegerField(forms.IntegerField):
    def __init__(self, *, min_value: int = INT32_MIN, max_value: int = INT32_MAX, **kwargs):
        messages = {"invalid": _("请输入整数"), "min_value": _("不能小于 %(limit_value)s"),
                    "max_value": _("不能大于 %(limit_value)s"), **kwargs.pop("error_messages", {})}
        super().__init__(min_value=min_value, max_value=max_value, error_messages=messages, **kwargs)


def _date_in_range(value) -> None:
    if value is None:
        return
    try:
        check_date(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="date_range") from None


class DateField(forms.DateField):
    """A date in core.params.DATE_MIN..DATE_MAX."""

    default_validators = [_date_in_range]
    default_error_messages = {"invalid": _("请输入有效日期，如 2026-12-01")}


class DateTimeField(forms.DateTimeField):
    """A date and time whose day lies in core.params.DATE_MIN..DATE_MAX."""

    default_validators = [_date_in_range]
    default_error_messages = {"invalid": _("时间格式应为 2026-12-01 09:00")}

