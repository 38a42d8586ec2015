"""Password policy (``AUTH_PASSWORD_VALIDATORS``): Django's validators, in Chinese.

Django 5.2's zh_Hans catalogue translates every validator's message but the minimum length's (its wording
changed in 5.0 and the translation did not follow), so that one says it in our catalogue."""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("密码太短：至少需要 %(n)d 个字符。") % {"n": self.min_length}
