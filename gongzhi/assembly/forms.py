from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import forms as bounded

from .models import NOTICE_DAYS_MAX, BallotChoice, Matter, NominatedBy, VoteKind
from .uploads import upload_validator

DT = {"invalid": _("时间格式应为 2026-12-01 09:00"), "required": _("请填写时间")}


class VoteForm(forms.Form):
    compound = forms.ChoiceField(label=_("小区"), choices=[], error_messages={"required": _("请选择小区")})
    kind = forms.ChoiceField(label=_("类型"), choices=VoteKind.choices)
    matter = forms.ChoiceField(label=_("表决事项类别（决定通过门槛）"), choices=Matter.choices)
    title = forms.CharField(label=_("标题"), max_length=120, error_messages={"required": _("标题不能为空")})
    question = forms.CharField(label=_("表决内容"), widget=forms.Textarea(attrs={"rows": 4}),
                               error_messages={"required": _("表决内容不能为空")})
    opens_at = bounded.DateTimeField(label=_("投票开始"), error_messages=DT,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = bounded.DateTimeField(label=_("投票截止"), error_messages=DT,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notice_days = bounded.IntegerField(label=_("公告期（天）"), initial=15, min_value=15, max_value=NOTICE_DAYS_MAX,
                                       error_messages={"min_value": _("公告期不得少于15天"),
                                                       "max_value": _("公告期不得超过%(limit_value)s天")})
    seats = bounded.IntegerField(label=_("应选人数（选举时填写）"), required=False, min_value=1, max_value=99)
    attachment = forms.FileField(label=_("附件（方案、合同等，可选；PDF、JPG 或 PNG，不超过10MB）"), required=False,
                                 validators=[upload_validator("attachment")])
    count_non_voters_with_majority = forms.BooleanField(label=_("未参与表决者计入多数（从多，须议事规则明确规定）"),
                                                        required=False)

    def __init__(self, *args, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].choices = [(str(c.pk), c.name) for c in compounds]
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

    def __init__(self, *args, units, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(e.unit_id), f"{e.unit.code or e.unit.name} · {e.owner_names}")
                                       for e in units]
        self.fields["candidates"].choices = [(str(c.pk), c.person.name) for c in candidates]
        if not candidates:
            del self.fields["candidates"]


class NominateForm(forms.Form):
    person = forms.ChoiceField(label=_("业主"), choices=[], error_messages={"required": _("请选择业主")})
    nominated_by = forms.ChoiceField(label=_("提名方式"), choices=NominatedBy.choices)
    statement = forms.CharField(label=_("简介"), max_length=500, required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(str(p.pk), f"{p.name}{'（党员）' if p.is_party_member else ''}")
                                         for p in owners]


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
        self.fields["proxy"].choices = [(str(p.pk), p.name) for p in people]
        self.fields["authorisation"].widget.attrs["accept"] = "image/jpeg,image/png,application/pdf"
