from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import forms as bounded
from gongzhi.places.models import Place

from .models import DEFAULT_TOKEN_DAYS, TOKEN_DAYS, ApiToken, Organisation, OrgKind, PartyRelation, Relation
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
    scope = forms.ChoiceField(
        label=_("权限"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ, required=False,
        widget=forms.RadioSelect,
        help_text=_("只读：只能查询；读写：还能提交和办理（如 12345 热线转办）。只给对接系统需要的权限。"),
        error_messages={"invalid_choice": _("请选择令牌权限")})
    days = forms.TypedChoiceField(
        label=_("有效期"), choices=[(d, _("%(d)s天") % {"d": d}) for d in TOKEN_DAYS], coerce=int,
        initial=DEFAULT_TOKEN_DAYS, required=False, empty_value=DEFAULT_TOKEN_DAYS,  # type: ignore[arg-type]
        help_text=_("到期后令牌自动失效，需要重新签发"),
        error_messages={"invalid_choice": _("请选择有效期")})

    def clean_scope(self):
        return self.cleaned_data.get("scope") or ApiToken.Scope.READ


# ---------------------------------------------------------------- household members


class MemberFieldsForm(forms.Form):
    """户成员: relation, share, 共有人代表 and the household's 登记面积; checked by ``actions.clean_member_fields``
    (the household import's rules), so the fields here are plain text."""

    relation = forms.ChoiceField(label=_("关系"), choices=Relation.choices,
                                 error_messages={"required": _("请选择关系"),
                                                 "invalid_choice": _("关系应为：业主、租户或住户")})
    share = forms.CharField(label=_("产权份额"), max_length=20, required=False, initial="1",
                            help_text=_("业主的产权份额，大于0且不超过1；共有时如 0.5"))
    registered_area = forms.CharField(label=_("登记面积（㎡）"), max_length=20, required=False,
                                      help_text=_("本户的不动产登记面积；留空表示未登记"))
    is_representative = forms.BooleanField(label=_("共有人代表（代表本户表决）"), required=False)

    MEMBER_KEYS = ("relation", "share", "registered_area", "is_representative")

    def member_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.MEMBER_KEYS}


class HouseholdMemberForm(MemberFieldsForm):
    """户成员 → 添加: a person (found by ID number, or registered here) and their tie to this household."""

    name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("姓名不能为空")})
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False,
                                help_text=_("已登记的人员按身份证号找到，不会重复登记"))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False,
                            help_text=_("开通登录账号时，激活验证码发送到这个手机号"))

    field_order = ["name", "id_number", "phone", "relation", "share", "registered_area", "is_representative"]

    def person_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "id_number", "phone")}


class HomeForm(MemberFieldsForm):
    """登记到户 from a person's page: the household by its 户编码 (as in the import file)."""

    household = forms.CharField(label=_("户编码"), max_length=64, error_messages={"required": _("请填写户编码")})

    field_order = ["household", "relation", "share", "registered_area", "is_representative"]

    def __init__(self, *args, households, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.households, self.user = households, user

    def clean_household(self):
        code = self.cleaned_data["household"].strip()
        place = self.households.filter(code=code, kind="household").first()
        if place is None or not self.user.has_perm("people.add_household_member", place):
            raise forms.ValidationError(_("户编码 %(c)s 不存在或不在您的管理范围内") % {"c": code})
        return place


# ---------------------------------------------------------------- login accounts


class AccountForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150, required=False,
                               help_text=_("留空则用手机号作为用户名。登录时用户名和手机号都可以使用。"))


class NewPasswordForm(forms.Form):
    """A new password twice; the policy (AUTH_PASSWORD_VALIDATORS) is checked by the action."""

    new_password1 = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, strip=False,
                                    error_messages={"required": _("请填写新密码")},
                                    help_text=_("至少8位，不能全是数字，不能过于常见或与用户名相似"))
    new_password2 = forms.CharField(label=_("确认新密码"), widget=forms.PasswordInput, strip=False,
                                    error_messages={"required": _("请再次填写新密码")})

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", _("两次输入的密码不一致"))
        return data


def code_field() -> forms.CharField:
    return forms.CharField(label=_("验证码"), max_length=6, min_length=6,
                           error_messages={"required": _("请填写短信验证码"), "min_length": _("验证码为6位数字"),
                                           "max_length": _("验证码为6位数字")})


class ActivateForm(NewPasswordForm):
    username = forms.CharField(label=_("用户名或手机号"), max_length=150,
                               error_messages={"required": _("请填写用户名或手机号")})
    code = code_field()

    field_order = ["username", "code", "new_password1", "new_password2"]


class PasswordResetRequestForm(forms.Form):
    phone = forms.CharField(label=_("登记的手机号"), max_length=20, error_messages={"required": _("请填写手机号")})


class PasswordResetConfirmForm(NewPasswordForm):
    phone = forms.CharField(label=_("登记的手机号"), max_length=20, error_messages={"required": _("请填写手机号")})
    code = code_field()

    field_order = ["phone", "code", "new_password1", "new_password2"]
