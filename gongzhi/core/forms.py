from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


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
