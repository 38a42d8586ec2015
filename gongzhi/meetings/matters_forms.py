"""Forms of the 支部先议 and 民主听证 pages: shape only (the actions check the rules and name the field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.assembly.uploads import upload_validator
from gongzhi.core.forms import DateTimeField
from gongzhi.core.widgets import SearchableSelect

from .models.matter import (
    OPINION_MAX,
    SUPPLIER_MAX,
    TERMS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    MatterKind,
    MemberGroup,
    OpinionChoice,
    VoteChoice,
)

ABSENT = "absent"


def _choices(rows, blank=True):
    return ([("", "—")] if blank else []) + [(str(pk), label) for pk, label in rows]


class MatterForm(forms.Form):
    compound = forms.ChoiceField(label=_("小区"))
    kind = forms.ChoiceField(label=_("事项类别"), choices=MatterKind.choices)
    title = forms.CharField(label=_("事项名称"), max_length=TITLE_MAX)
    description = forms.CharField(label=_("事项内容与实施方案"), max_length=TEXT_MAX,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    estimated_cost = forms.CharField(label=_("预计金额（元）"), required=False, max_length=20)
    needs_owners_vote = forms.BooleanField(label=_("须经业主大会表决（如筹集、使用维修资金，民法典第278条）"),
                                           required=False)

    def __init__(self, *args, compounds=(), revise=False, **kwargs):
        super().__init__(*args, **kwargs)
        if revise:
            del self.fields["compound"]
        else:
            self.fields["compound"].choices = _choices([(c.pk, c.name) for c in compounds], blank=len(compounds) != 1)


class ReviewForm(forms.Form):
    opinion = forms.CharField(label=_("审议意见"), max_length=OPINION_MAX, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("退回时必填：写明需要修改或补充的内容"))


class ResolveForm(forms.Form):
    """One choice per sitting member: 未出席, or present and 赞成 / 反对 / 弃权."""

    note = forms.CharField(label=_("决议内容"), max_length=TEXT_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for p in self.members:
            self.fields[f"m{p.pk}"] = forms.ChoiceField(
                label=p.name, choices=[(ABSENT, _("未出席")), *VoteChoice.choices], initial=ABSENT,
                required=False, widget=forms.RadioSelect)

    def ballots(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"m{p.pk}"] for p in self.members
                if self.cleaned_data.get(f"m{p.pk}") not in (None, "", ABSENT)}


class ExecuteForm(forms.Form):
    category = forms.ChoiceField(label=_("工单类别"))
    note = forms.CharField(label=_("执行说明"), max_length=500, required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices([(c.pk, c.name) for c in categories], blank=False)


class LinkVoteForm(forms.Form):
    owners_vote = forms.ChoiceField(label=_("业主大会表决"))

    def __init__(self, *args, votes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners_vote"].choices = _choices([(v.pk, f"{v.title}（{v.get_status_display()}）")
                                                       for v in votes])


class HearingForm(forms.Form):
    compound = forms.ChoiceField(label=_("小区"))
    subject = forms.CharField(label=_("听证事项"), max_length=TITLE_MAX)
    held_at = DateTimeField(label=_("听证时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    venue = forms.CharField(label=_("地点"), max_length=TITLE_MAX, required=False)
    matter = forms.ChoiceField(label=_("关联支部先议事项"), required=False)
    description = forms.CharField(label=_("说明"), max_length=TEXT_MAX, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    needs_owners_vote = forms.BooleanField(label=_("须经业主大会表决（如筹集、使用维修资金，民法典第278条）"),
                                           required=False)

    def __init__(self, *args, compounds=(), matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].choices = _choices([(c.pk, c.name) for c in compounds], blank=len(compounds) != 1)
        self.fields["matter"].choices = _choices([(m.pk, f"{m.compound.name} · {m.title}") for m in matters])


class MemberForm(forms.Form):
    person = forms.ChoiceField(label=_("人员"), widget=SearchableSelect)
    group = forms.ChoiceField(label=_("身份"), choices=MemberGroup.choices)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = _choices([(p.pk, p.name) for p in people])


class BidForm(forms.Form):
    supplier = forms.CharField(label=_("供应商"), max_length=SUPPLIER_MAX)
    price = forms.CharField(label=_("报价（元）"), max_length=20)
    terms = forms.CharField(label=_("主要条款（质保、工期、维保）"), max_length=TERMS_MAX, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("附件（PDF、JPG、PNG，不超过10MB）"), required=False,
                                 validators=[upload_validator("attachment")],
                                 widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


class OpinionForm(forms.Form):
    household = forms.ChoiceField(label=_("户"), widget=SearchableSelect)
    choice = forms.ChoiceField(label=_("意见"), choices=OpinionChoice.choices, widget=forms.RadioSelect)

    def __init__(self, *args, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = _choices(households, blank=len(households) != 1)


class DecideForm(forms.Form):
    bid = forms.ChoiceField(label=_("选定供应商"))
    decision = forms.CharField(label=_("听证决定"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    record = forms.CharField(label=_("听证记录"), max_length=TEXT_MAX * 5, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, bids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bid"].choices = _choices([(b.pk, _("%(s)s（%(p)s元）") % {"s": b.supplier, "p": b.price}) for b in bids])


class MatterFilterForm(forms.Form):
    """The list's filters (GET): what, which compound, which status."""

    what = forms.ChoiceField(label=_("类型"), required=False,
                             choices=[("", _("全部")), ("matters", _("支部先议")), ("hearings", _("民主听证"))])
    compound = forms.ChoiceField(label=_("小区"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, compounds=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].choices = [("", _("全部小区"))] + [(str(c.pk), c.name) for c in compounds]
        self.fields["status"].choices = [("", _("全部状态")), *statuses]
