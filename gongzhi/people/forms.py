from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import forms as bounded
from gongzhi.places.models import Place

from .models import Organisation, OrgKind, PartyRelation
from .roles import Title


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("姓名不能为空")})
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
    party_relation = forms.ChoiceField(label=_("组织关系"), choices=[("", "—"), *PartyRelation.choices],
                                       required=False)
    skills = forms.CharField(label=_("技能特长"), max_length=200, required=False)


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices)
    name = forms.CharField(label=_("名称"), max_length=120, error_messages={"required": _("名称不能为空")})
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class PositionForm(forms.Form):
    """任职 — a cross-appointment is just another one."""

    organisation = forms.ModelChoiceField(label=_("组织"), queryset=Organisation.objects.none(),
                                          error_messages={"required": _("请选择组织"),
                                                          "invalid_choice": _("所选组织不存在或不在您的范围内")})
    title = forms.ChoiceField(label=_("职务"), choices=[])
    place = forms.ModelChoiceField(label=_("负责范围"), queryset=Place.objects.none(),
                                   error_messages={"required": _("请选择负责范围"),
                                                   "invalid_choice": _("所选区域不存在或不在您的范围内")})
    start_date = bounded.DateField(label=_("任职开始"), required=False,
                                 error_messages={"invalid": _("日期格式应为 2026-01-31")})
    end_date = bounded.DateField(label=_("任职结束"), required=False,
                               error_messages={"invalid": _("日期格式应为 2026-01-31")})

    def __init__(self, *args, organisations, places, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = lambda p: f"{p.get_kind_display()} · {p.name}"
        self.fields["title"].choices = Title.choices


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=60, help_text=_("写明用途，例如“12345 热线对接”"),
                           error_messages={"required": _("请填写令牌名称，例如用途或对接系统"),
                                           "max_length": _("名称不能超过60个字")})
