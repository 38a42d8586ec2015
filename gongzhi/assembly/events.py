from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.events import register


@register
class Verb(models.TextChoices):
    CREATE_VOTE = "assembly.create_vote", _("发起表决")
    ANNOUNCE_VOTE = "assembly.announce_vote", _("公告表决")
    CANCEL_VOTE = "assembly.cancel_vote", _("取消表决")
    CORRECT_ROLL = "assembly.correct_roll", _("更正投票权登记")
    CAST_BALLOT = "assembly.cast_ballot", _("投票")
    CHANGE_BALLOT = "assembly.change_ballot", _("修改投票")
    ENTER_PAPER_BALLOT = "assembly.enter_paper_ballot", _("录入纸质选票")
    PAPER_BALLOT_CONFLICT = "assembly.paper_ballot_conflict", _("纸质选票两次录入不一致")
    RESOLVE_PAPER_BALLOT = "assembly.resolve_paper_ballot", _("处理纸质选票")
    BALLOT_CONFLICT = "assembly.ballot_conflict", _("收到同一业主的另一张选票")
    RESOLVE_BALLOT_CONFLICT = "assembly.resolve_ballot_conflict", _("按规则处理同一业主的多张选票")
    TALLY_VOTE = "assembly.tally_vote", _("计票")
    NOMINATE_CANDIDATE = "assembly.nominate_candidate", _("提名候选人")
    VET_CANDIDATE = "assembly.vet_candidate", _("候选人资格审查")
    FLAG_PERSON = "assembly.flag_person", _("记录审查提示")
