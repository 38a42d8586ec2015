from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OrgKind, PartyRelation


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
