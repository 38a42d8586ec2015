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
    ISSUE_API_TOKEN = "people.issue_api_token", _("签发 API 令牌")
    REVOKE_API_TOKEN = "people.revoke_api_token", _("吊销 API 令牌")
