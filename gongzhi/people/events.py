from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.events import register


@register
class Verb(models.TextChoices):
    CREATE_PERSON = "people.create_person", _("新建人员")
    UPDATE_PERSON = "people.update_person", _("修改人员")
    CREATE_ORGANISATION = "people.create_organisation", _("新建组织")
    UPDATE_ORGANISATION = "people.update_organisation", _("修改组织")
    APPOINT_POSITION = "people.appoint_position", _("任职")
    END_POSITION = "people.end_position", _("离任")
    ADD_HOUSEHOLD_MEMBER = "people.add_household_member", _("登记户成员")
    UPDATE_HOUSEHOLD_MEMBER = "people.update_household_member", _("修改户成员")
    END_HOUSEHOLD_MEMBER = "people.end_household_member", _("结束户成员登记")
    CREATE_ACCOUNT = "people.create_account", _("开通登录账号")
    RESET_ACCOUNT = "people.reset_account", _("重置登录账号")
    DEACTIVATE_ACCOUNT = "people.deactivate_account", _("停用登录账号")
    REACTIVATE_ACCOUNT = "people.reactivate_account", _("启用登录账号")
    ACTIVATE_ACCOUNT = "people.activate_account", _("激活登录账号")
    REQUEST_PASSWORD_RESET = "people.request_password_reset", _("申请找回密码")
    RESET_PASSWORD = "people.reset_password", _("验证码重设密码")
    REJECT_CODE = "people.reject_code", _("验证码错误")
    SEND_PHONE_CODE = "people.send_phone_code", _("发送手机验证码")
    ISSUE_API_TOKEN = "people.issue_api_token", _("签发 API 令牌")
    REVOKE_API_TOKEN = "people.revoke_api_token", _("吊销 API 令牌")
