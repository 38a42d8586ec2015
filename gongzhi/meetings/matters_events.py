"""Audit verbs of 支部先议 matters and 民主听证 hearings: each names its action and its rules permission."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.events import register


@register
class MatterVerb(models.TextChoices):
    PROPOSE_MATTER = "meetings.propose_matter", _("业委会提议")
    REVISE_MATTER = "meetings.revise_matter", _("修改后重新提议")
    APPROVE_MATTER = "meetings.approve_matter", _("党支部审议通过")
    RETURN_MATTER = "meetings.return_matter", _("党支部退回")
    RESOLVE_MATTER = "meetings.resolve_matter", _("业委会决议")
    EXECUTE_MATTER = "meetings.execute_matter", _("物业公司执行")
    LINK_MATTER_VOTE = "meetings.link_matter_vote", _("关联业主大会表决")
    CREATE_HEARING = "meetings.create_hearing", _("发起民主听证")
    ADD_HEARING_MEMBER = "meetings.add_hearing_member", _("加入听证小组")
    SUBMIT_BID = "meetings.submit_bid", _("登记供应商报价")
    OPEN_BIDS = "meetings.open_bids", _("现场开标")
    SUBMIT_OPINION = "meetings.submit_opinion", _("提交业主意见")
    LINK_HEARING_VOTE = "meetings.link_hearing_vote", _("听证关联业主大会表决")
    DECIDE_HEARING = "meetings.decide_hearing", _("形成听证决定")
