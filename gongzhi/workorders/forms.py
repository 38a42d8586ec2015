from decimal import Decimal

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core import forms as bounded
from gongzhi.core.models import DayKind
from gongzhi.core.widgets import SearchableSelect

from .models import (
    ADDRESS_MAX,
    CATEGORY_DESCRIPTION_MAX,
    CODE_MAX,
    COMMENT_MAX,
    CONTACT_NAME_MAX,
    CONTACT_PHONE_MAX,
    FOLLOW_UP_MAX,
    NAME_MAX,
    REASON_MAX,
    WHISTLE_NOTE_MAX,
    Channel,
    HandlerKind,
    TimeUnit,
    Urgency,
)

CHANNELS_FOR_STAFF = [(c, label) for c, label in Channel.choices if c not in (Channel.APP, Channel.API,
                                                                               Channel.OPEN311)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


# 是否公开: the default follows the category and the place (actions.file_request, docs/privacy.md)
PUBLIC_CHOICES = [("auto", _("按默认（公共部位报修公开，个人事务不公开）")), ("yes", _("公开")), ("no", _("不公开"))]
PUBLIC_VALUES = {"auto": None, "yes": True, "no": False}


class FileRequestForm(forms.Form):
    category = forms.ChoiceField(label=_("遇到了什么问题"), choices=[],
                                 error_messages={"required": _("请选择诉求类别")})
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": _("请描述遇到的问题")})
    place = forms.ChoiceField(label=_("位置"), choices=[], error_messages={"required": _("请选择位置")})
    address = forms.CharField(label=_("补充地址（可选）"), max_length=ADDRESS_MAX, required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    photos = MultipleFileField(label=_("照片（最多5张，每张不超过5MB）"), required=False)
    anonymous = forms.BooleanField(label=_("对物业匿名"), required=False, help_text=_(
        "勾选后，物业企业的任何人员（包括在社区兼职的）都看不到您的姓名、电话、门牌号和现场照片。"))
    public = forms.ChoiceField(label=_("是否公开"), choices=PUBLIC_CHOICES, initial="auto", required=False,
                               error_messages={"invalid_choice": _("请选择是否公开")}, help_text=_(
        "公开后，小区公示栏和开放数据接口（Open311）会显示：类别、问题描述（手机号、身份证号自动打码）、办理状态和"
        "承办单位，位置只到小区；不会显示姓名、电话、楼栋门牌和照片。按默认：公共部位的报修公开，"
        "家中的问题、邻里纠纷和投诉不公开。"))
    named_to_committee = forms.BooleanField(label=_("同意业委会看到我的姓名和电话（打码）"), required=False,
                                            help_text=_("仅对公共部位的问题有效；不勾选时业委会只看到问题本身。"))

    def __init__(self, *args, categories, places, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [(c.code, c.name) for c in categories]
        self.fields["place"].choices = [(str(p.pk), label) for p, label in places]
        if len(places) == 1:
            self.fields["place"].initial = str(places[0][0].pk)
        if staff:
            self.fields["channel"] = forms.ChoiceField(label=_("来源"), choices=CHANNELS_FOR_STAFF)
            self.fields["contact_name"] = forms.CharField(label=_("联系人"), max_length=CONTACT_NAME_MAX, required=False)
            self.fields["contact_phone"] = forms.CharField(label=_("联系电话"), max_length=CONTACT_PHONE_MAX, required=False)


class DispatchForm(forms.Form):
    organisation = forms.ChoiceField(label=_("承办组织"), choices=[],
                                     error_messages={"required": _("请选择承办组织")})
    mode = forms.ChoiceField(label=_("派单方式"), choices=[
        ("direct", _("派给组织（可指定承办人）")), ("round_robin", _("在岗人员轮派")), ("pool", _("放入抢单池"))])
    assignee = forms.ChoiceField(label=_("承办人（可选）"), choices=[], required=False,
                                 widget=SearchableSelect(filter_by="organisation"))
    note = forms.CharField(label=_("说明（改派时必填）"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, organisations, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in organisations]
        self.fields["assignee"].choices = [("", "—")] + [(str(p.pk), f"{p.name}（{org.name}）") for p, org in people]
        self.fields["assignee"].widget.set_groups({p.pk: org.pk for p, org in people})  # offered per 承办组织


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=REASON_MAX, error_messages={"required": _("请填写理由")})


class NoteForm(forms.Form):
    note = forms.CharField(label=_("记录"), max_length=FOLLOW_UP_MAX, error_messages={"required": _("请填写记录")})


class ResolveForm(forms.Form):
    result_note = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages={"required": _("请填写办理结果")})
    photos = MultipleFileField(label=_("结果照片（最多5张）"), required=False)


# 评价 in words (适老化): the score stays 1–5 (三率 and the API count it); the buttons say what it means
RATING_WORDS = {5: _("非常满意"), 4: _("满意"), 3: _("基本满意"), 2: _("不太满意"), 1: _("不满意")}
RATING_CHOICES = [(i, RATING_WORDS[i]) for i in range(5, 0, -1)]


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("评分"), coerce=int, choices=RATING_CHOICES,
                                    widget=forms.RadioSelect,
                                    error_messages={"required": _("请选择评分"),
                                                    "invalid_choice": _("评分必须是1到5之间的整数")})
    comment = forms.CharField(label=_("评价（可选）"), max_length=COMMENT_MAX, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    into = forms.CharField(label=_("合并到（诉求编号）"), max_length=20,
                           error_messages={"required": _("请填写要合并到的诉求编号")})


class WhistleForm(forms.Form):
    department = forms.ChoiceField(label=_("职能部门"), choices=[], error_messages={"required": _("请选择部门")})
    note = forms.CharField(label=_("吹哨事由"), max_length=WHISTLE_NOTE_MAX, error_messages={"required": _("请填写理由")})

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(str(d.pk), d.name) for d in departments]


class ReportForm(forms.Form):
    report = forms.CharField(label=_("处置情况"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写处置情况")})


class HolidayForm(forms.Form):
    date = bounded.DateField(label=_("日期"), error_messages={"required": _("请填写日期"),
                                                          "invalid": _("日期格式应为 2026-01-31")})
    kind = forms.ChoiceField(label=_("类型"), choices=DayKind.choices)
    name = forms.CharField(label=_("名称"), max_length=30, required=False)


LIMIT_ERRORS = {"required": _("请填写时限"), "invalid": _("请填写数字"), "min_value": _("时限至少为1"),
                "max_digits": _("时限不能超过9999.99"), "max_whole_digits": _("时限不能超过9999.99"),
                "max_decimal_places": _("最多两位小数")}


class LevelForm(forms.Form):
    response_value = forms.DecimalField(label=_("响应时限"), min_value=1, max_digits=6, decimal_places=2,
                                        error_messages=LIMIT_ERRORS)
    response_unit = forms.ChoiceField(label=_("单位"), choices=[])
    resolution_value = forms.DecimalField(label=_("办结时限"), min_value=1, max_digits=6, decimal_places=2,
                                          error_messages=LIMIT_ERRORS)
    resolution_unit = forms.ChoiceField(label=_("单位"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response_unit"].choices = TimeUnit.choices
        self.fields["resolution_unit"].choices = TimeUnit.choices


class RoutingRuleForm(forms.Form):
    """派单规则 — the choices are already limited to the viewer's places and organisations."""

    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("类别"), queryset=None, required=False, empty_label=_("所有类别"),
        error_messages={"invalid_choice": _("所选类别不存在")})
    place: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("区域"), queryset=None,
        error_messages={"required": _("请选择区域"), "invalid_choice": _("所选区域不存在或不在您的范围内")})
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("承办组织"), queryset=None,
        error_messages={"required": _("请选择承办组织"), "invalid_choice": _("所选组织不存在或不在您的范围内")})

    def __init__(self, *args, categories, places, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = lambda p: f"{p.get_kind_display()} · {p.name}"
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label_from_instance = lambda o: f"{o.name}（{o.get_kind_display()}）"


class DutyForm(forms.Form):
    person = forms.ChoiceField(label=_("人员"), choices=[], error_messages={
        "required": _("请选择人员"), "invalid_choice": _("所选人员不是本组织的在岗人员")})

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + [(str(p.pk), label) for p, label in people]


class CategoryForm(forms.Form):
    """服务类别 — shape only; the action checks the code, the unique name and the department."""

    code = forms.CharField(label=_("代码（小写字母、数字、下划线）"), max_length=CODE_MAX,
                           error_messages={"required": _("请填写类别代码"),
                                           "max_length": lazy(lambda: gettext("代码只能由小写字母、数字和下划线组成，不超过%(n)s个字符") % {
                                               "n": CODE_MAX}, str)()})
    name = forms.CharField(label=_("名称"), max_length=NAME_MAX, error_messages={
        "required": _("请填写类别名称"),
        "max_length": lazy(lambda: gettext("类别名称不能超过%(n)s个字") % {"n": NAME_MAX}, str)()})
    handler_kind = forms.ChoiceField(label=_("默认承办"), choices=[], error_messages={
        "required": _("请选择默认承办"), "invalid_choice": _("请选择默认承办")})
    department: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("承办部门（由职能部门承办时必选）"), queryset=None, required=False,
        error_messages={"invalid_choice": _("所选部门不存在")})
    sort = forms.IntegerField(label=_("排序（小的在前）"), min_value=0, max_value=32767, initial=100, error_messages={
        "required": _("请填写排序"), "invalid": _("排序须为0到32767之间的整数"),
        "min_value": _("排序须为0到32767之间的整数"), "max_value": _("排序须为0到32767之间的整数")})
    description = forms.CharField(label=_("说明（可选）"), max_length=CATEGORY_DESCRIPTION_MAX, required=False,
                                  error_messages={"max_length": _("说明不能超过200个字")})
    personal = forms.BooleanField(label=_("个人事务（如邻里纠纷、投诉）：默认不公开，业委会看不到"), required=False)

    def __init__(self, *args, departments, with_code=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler_kind"].choices = [("", "—"), *HandlerKind.choices]
        self.fields["department"].queryset = departments
        if not with_code:
            del self.fields["code"]


def _between(low, high):
    return lazy(lambda: gettext("须在%(low)s到%(high)s之间") % {"low": low, "high": high}, str)()


def _places(n):
    return lazy(lambda: gettext("最多%(n)s位小数") % {"n": n}, str)()


def _setting(label, *, low, high, decimal_places=0, whole=True):
    message = _between(low, high)
    errors = {"required": _("请填写此项"), "invalid": _("须为整数") if whole else _("请填写数字"),
              "min_value": message, "max_value": message, "max_digits": message, "max_whole_digits": message,
              "max_decimal_places": _places(decimal_places)}
    if whole:
        return forms.IntegerField(label=label, min_value=low, max_value=high, error_messages=errors)
    return forms.DecimalField(label=label, min_value=low, max_value=high, max_digits=6,
                              decimal_places=decimal_places, error_messages=errors)


class ServiceSettingsForm(forms.Form):
    """诉求参数 — the bounds are the action's (``actions.SETTINGS_BOUNDS``); it checks them again."""

    reopen_days = _setting(_("可重办天数（办结后几天内居民可申请重办）"), low=1, high=365)
    unrated_days = _setting(_("未评价关闭天数（办结后几天未评价即关闭）"), low=1, high=365)
    satisfied_min = _setting(_("满意最低分（1–5）"), low=1, high=5)
    basic_satisfied_score = _setting(_("基本满意分（1–5，低于满意最低分）"), low=1, high=5)
    basic_satisfied_weight = _setting(_("基本满意计入权重（0–1）"), low=0, high=1, decimal_places=2, whole=False)
    unrated_in_denominator = forms.BooleanField(label=_("未评价计入满意率分母"), required=False)
    grab_minutes = _setting(_("抢单时限（分钟）"), low=1, high=1440)
    whistle_ack_hours = _setting(_("报到时限（工作小时）"), low=Decimal("0.5"), high=720, decimal_places=1, whole=False)
    escalate_after_hours = _setting(_("再次督办间隔（工作小时）"), low=Decimal("0.5"), high=720, decimal_places=1, whole=False)


class QrIntakeForm(forms.Form):
    """扫码反映问题 on a phone: the place comes from the QR code. A resident signed in files as themselves; anyone
    else gives a phone, receives a code and files with it (``phone``, ``code``, ``contact_name``)."""

    category = forms.ChoiceField(label=_("遇到了什么问题"), choices=[], error_messages={
        "required": _("请选择诉求类别"), "invalid_choice": _("请选择诉求类别")})
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": _("请描述遇到的问题")})
    anonymous = forms.BooleanField(label=_("对物业匿名"), required=False, help_text=_(
        "勾选后，物业企业的人员看不到您的称呼和电话。"))

    def __init__(self, *args, categories, by_phone: bool, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", "—")] + [(c.code, c.name) for c in categories]
        if by_phone:
            self.fields["contact_name"] = forms.CharField(label=_("您的称呼（可选，如：王女士）"),
                                                          max_length=CONTACT_NAME_MAX, required=False)
            self.fields["phone"] = forms.CharField(
                label=_("手机号"), max_length=CONTACT_PHONE_MAX, error_messages={"required": _("请填写手机号")},
                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
            self.fields["code"] = forms.CharField(
                label=_("短信验证码"), max_length=12, required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
