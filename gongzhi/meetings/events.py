"""Audit verbs of joint meetings: one per action (``meetings/actions.py``), action and permission share the name."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.events import register


@register
class Verb(models.TextChoices):
    CREATE_SERIES = "meetings.create_series", _("建立联席会议制度")
    SET_DELEGATES = "meetings.set_delegates", _("指定参会代表")
    GENERATE_MEETINGS = "meetings.generate_meetings", _("生成例会")
    SCHEDULE_MEETING = "meetings.schedule_meeting", _("安排临时会议")
    INVITE_ORGANISATION = "meetings.invite_organisation", _("邀请列席单位")
    ADD_TOPIC = "meetings.add_topic", _("增加议题")
    PROPOSE_TOPIC = "meetings.propose_topic", _("居民提议议题")
    FLAG_REQUEST = "meetings.flag_request", _("网格建议诉求上会")
    ACCEPT_PROPOSAL = "meetings.accept_proposal", _("采纳议题建议")
    DECLINE_PROPOSAL = "meetings.decline_proposal", _("不予采纳议题建议")
    PUBLISH_AGENDA = "meetings.publish_agenda", _("发布议程")
    SIGN_IN = "meetings.sign_in", _("会议签到")
    NOTE_TOPIC = "meetings.note_topic", _("记录议题讨论")
    RECORD_RESOLUTION = "meetings.record_resolution", _("记录决议")
    LINK_REQUEST = "meetings.link_request", _("关联诉求")
    CARRY_OVER_ITEM = "meetings.carry_over_item", _("逾期事项提交下次会议")
    CANCEL_MEETING = "meetings.cancel_meeting", _("取消会议")
    HOLD_MEETING = "meetings.hold_meeting", _("会议结束")
    EDIT_MINUTES = "meetings.edit_minutes", _("编辑会议纪要")
    FINALISE_MINUTES = "meetings.finalise_minutes", _("纪要定稿")
    CORRECT_MINUTES = "meetings.correct_minutes", _("更正会议纪要")
