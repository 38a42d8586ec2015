from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BallotChoice, BallotRule, Matter, NominatedBy, VoteKind
from .uploads import upload_validator

DT = {"invalid": _("时间格式应为 2026-12-01 09:00"), "required": _("请填写时间")}


class VoteForm(forms.Form):
    compound = forms.ChoiceField(label=_("小区"), choices=[], error_messages={"required": _("请选择小区")})
    kind = forms.ChoiceField(label=_("类型"), choices=VoteKind.choices)
    matter = forms.ChoiceField(label=_("表决事项类别（决定通过门槛）"), choices=Matter.choices)
    title = forms.CharField(label=_("标题"), max_length=120, error_messages={"required": _("标题不能为空")})
    question = forms.CharField(label=_("表决内容"), widget=forms.Textarea(attrs={"rows": 4}),
                               error_messages={"required": _("表决内容不能为空")})
    opens_at = forms.DateTimeField(label=_("投票开始"), error_messages=DT,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("投票截止"), error_messages=DT,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notice_days = forms.IntegerField(label=_("公告期（天）"), initial=15, min_value=15,
                                     error_messages={"min_value": _("公告期不得少于15天")})
    seats = forms.IntegerField(label=_("应选人数（选举时填写）"), required=False)
    attachment = forms.FileField(label=_("附件（方案、合同等，可选；PDF、JPG 或 PNG，不超过10MB）"), required=False,
                                 validators=[upload_validator("attachment")])
    count_non_voters_with_majority = forms.BooleanField(label=_("未参与表决者计入多数（从多，须议事规则明确规定）"),
                                                        required=False)
    ballot_rule = forms.ChoiceField(label=_("同一业主多渠道投票时（按本小区议事规则；未规定时以第一张有效选票为准）"),
                                    choices=BallotRule.choices, initial=BallotRule.FIRST)

    def __init__(self, *args, compounds, kinds=VoteKind.values, majority_rule=True, **kwargs):
        """``kinds``: the vote kinds the user may create; ``majority_rule``: whether they may switch 从多 on
        (a role is never shown a choice its submit refuses)."""
        super().__init__(*args, **kwargs)
        self.fields["compound"].choices = [(str(c.pk), c.name) for c in compounds]
        self.fields["kind"].choices = [(k, label) for k, label in VoteKind.choices if k in kinds]
        if len(self.fields["kind"].choices) == 1:
            self.fields["kind"].initial = self.fields["kind"].choices[0][0]
        if VoteKind.ELECTION not in kinds:
            del self.fields["seats"]
            self.fields["matter"].choices = [(m, label) for m, label in Matter.choices
                                              if m != Matter.ELECT_COMMITTEE]
        if not majority_rule:
            del self.fields["count_non_voters_with_majority"]
        self.fields["attachment"].widget.attrs["accept"] = "image/jpeg,image/png,application/pdf"


class BallotForm(forms.Form):
    choice = forms.ChoiceField(label=_("您的意见"), choices=BallotChoice.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("请选择同意、反对或弃权")})


class ElectionBallotForm(forms.Form):
    candidates = forms.MultipleChoiceField(label=_("选择候选人"), choices=[], required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = [(str(c.pk), c.person.name) for c in candidates]


class PaperForm(forms.Form):
    serial = forms.CharField(label=_("选票编号"), max_length=40, error_messages={"required": _("请填写选票编号")})
    unit = forms.ChoiceField(label=_("户（专有部分）"), choices=[], error_messages={"required": _("请选择户")})
    choice = forms.ChoiceField(label=_("选票意见"), choices=[("", "—"), *BallotChoice.choices], required=False)
    candidates = forms.MultipleChoiceField(label=_("选择的候选人"), choices=[], required=False,
                                           widget=forms.CheckboxSelectMultiple)
    # shown once the unit turns out to have voted already (the clerk sees why, then confirms)
    acknowledge_conflict = forms.BooleanField(label=_("已知晓该户已投票：仍录入，作为同一业主的另一张选票待组织方按规则处理"),
                                              required=False, widget=forms.HiddenInput)

    def __init__(self, *args, units, candidates=(), voted=None, **kwargs):
        """``voted``: owner key -> the label of the channel its head already voted by (shown with each unit,
        so that a clerk sees it before entering). No unit is chosen by default."""
        super().__init__(*args, **kwargs)
        voted = voted or {}

        def label(e):
            text = f"{e.unit.code or e.unit.name} · {e.owner_names}"
            return text + (_("（已投票：%(c)s）") % {"c": voted[e.owner_key]} if e.owner_key in voted else "")

        self.fields["unit"].choices = [("", _("— 请选择户 —")), *((str(e.unit_id), label(e)) for e in units)]
        if str(self.data.get(self.add_prefix("acknowledge_conflict"), "")).lower() in ("on", "true", "1"):
            self.ask_acknowledgement()
        self.fields["candidates"].choices = [(str(c.pk), c.person.name) for c in candidates]
        if not candidates:
            del self.fields["candidates"]


    def ask_acknowledgement(self) -> None:
        self.fields["acknowledge_conflict"].widget = forms.CheckboxInput()


class NominateForm(forms.Form):
    person = forms.ChoiceField(label=_("业主"), choices=[], error_messages={"required": _("请选择业主")})
    nominated_by = forms.ChoiceField(label=_("提名方式"), choices=NominatedBy.choices)
    statement = forms.CharField(label=_("简介"), max_length=500, required=False)

    def __init__(self, *args, owners, homes=None, **kwargs):
        """``homes``: person id -> their units and compound, shown with the name (a plain select: the page's
        searchable picker filters these labels)."""
        super().__init__(*args, **kwargs)
        homes = homes or {}
        party = _("（党员）")
        self.fields["person"].choices = [
            ("", _("— 请选择业主 —")),
            *((str(p.pk), " · ".join(x for x in (f"{p.name}{party if p.is_party_member else ''}", homes.get(p.pk))
                                     if x)) for p in owners)]


class VetForm(forms.Form):
    approved = forms.TypedChoiceField(label=_("审查结论"), coerce=lambda v: v == "1",
                                      choices=[("1", _("通过")), ("0", _("不通过"))])
    reason = forms.CharField(label=_("审查意见"), max_length=300, required=False)


class ProxyForm(PaperForm):
    proxy = forms.ChoiceField(label=_("受托人"), choices=[], error_messages={"required": _("请选择受托人")})
    authorisation = forms.FileField(label=_("委托书（照片或扫描件：PDF、JPG 或 PNG，不超过10MB）"),
                                    error_messages={"required": _("请上传委托书")},
                                    validators=[upload_validator("authorisation")])

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["serial"]
        self.fields["proxy"].choices = [("", _("— 请选择受托人 —")), *((str(p.pk), p.name) for p in people)]
        self.fields["authorisation"].widget.attrs["accept"] = "image/jpeg,image/png,application/pdf"
