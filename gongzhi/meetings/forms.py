"""Forms of the meeting pages: shape only (lengths, choices, bounded numbers and dates); the rules are the actions'."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import DateField, DateTimeField, IntegerField

from .models import Quorum, TopicKind
from .models.meeting import LOCATION_MAX, NAME_MAX, PERSON_NAME_MAX, REASON_MAX, TEXT_MAX, TITLE_MAX


class SeriesForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=NAME_MAX, initial=_("联席会议"))
    place = forms.TypedChoiceField(label=_("社区或小区"), coerce=int)
    day_of_month = IntegerField(label=_("每月议事日"), min_value=1, max_value=31, initial=10,
                                help_text=_("遇周末或法定节假日顺延至下一个工作日"))
    start_time = forms.TimeField(label=_("开始时间"), initial=datetime.time(9, 30),
                                 error_messages={"invalid": _("时间格式应为 09:30")})
    duration_minutes = IntegerField(label=_("时长（分钟）"), min_value=15, max_value=600, initial=120)
    location = forms.CharField(label=_("默认地点"), max_length=LOCATION_MAX, required=False,
                               initial=_("红色物业议事厅"))
    quorum = forms.ChoiceField(label=_("到会规则"), choices=Quorum.choices, initial=Quorum.ALL)
    members = forms.TypedMultipleChoiceField(label=_("成员单位"), coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, places=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.pk, p.name) for p in places]
        self.fields["members"].choices = [(o.pk, o.name) for o in organisations]


class DelegatesForm(forms.Form):
    positions = forms.TypedMultipleChoiceField(label=_("参会代表"), coerce=int, required=False,
                                               widget=forms.CheckboxSelectMultiple,
                                               help_text=_("不指定则通知该单位全部在岗人员"))

    def __init__(self, *args, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["positions"].choices = [(p.pk, f"{p.person.name}（{p.get_title_display()}）") for p in positions]


class AdhocForm(forms.Form):
    starts_at = DateTimeField(label=_("会议时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    location = forms.CharField(label=_("地点"), max_length=LOCATION_MAX, required=False)
    title = forms.CharField(label=_("会议名称"), max_length=TITLE_MAX, required=False,
                            help_text=_("留空则为“第N次…（临时会议）”"))


class TopicForm(forms.Form):
    kind = forms.ChoiceField(label=_("议题类型"), choices=TopicKind.choices, widget=forms.RadioSelect,
                             initial=TopicKind.URGENT)
    title = forms.CharField(label=_("议题"), max_length=TITLE_MAX)
    description = forms.CharField(label=_("情况说明"), max_length=TEXT_MAX, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class ProposalForm(TopicForm):
    place = forms.TypedChoiceField(label=_("所在小区"), coerce=int)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.pk, p.name) for p in places]
        self.order_fields(["place", "kind", "title", "description"])


class FromRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("议题类型"), choices=TopicKind.choices, widget=forms.RadioSelect,
                             initial=TopicKind.URGENT)


class FlagRequestForm(forms.Form):
    """建议上会 (a grid worker or building head): the kind of matter and why the meeting should take it."""

    kind = forms.ChoiceField(label=_("议题类型"), choices=TopicKind.choices, initial=TopicKind.DIFFICULT)
    reason = forms.CharField(label=_("建议理由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("例如：多次反映未解决，需要物业、业委会和有关部门一起商量"))


class InviteForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("列席单位"), coerce=int)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "—")] + [(o.pk, o.name) for o in organisations]


class AttendanceForm(forms.Form):
    position = forms.TypedChoiceField(label=_("参会人（按账号登记）"), coerce=int)

    def __init__(self, *args, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [("", "—")] + [
            (p.pk, f"{p.person.name} · {p.organisation.name}") for p in positions]


class CheckinForm(forms.Form):
    code = forms.CharField(label=_("签到码"), max_length=12)
    organisation = forms.TypedChoiceField(label=_("代表单位"), coerce=int, required=False)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(organisations) > 1:
            self.fields["organisation"].choices = [("", _("我任职的全部参会单位"))] + [
                (o.pk, o.name) for o in organisations]
        else:
            del self.fields["organisation"]


class NoteForm(forms.Form):
    notes = forms.CharField(label=_("讨论情况"), max_length=TEXT_MAX, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("不予采纳的理由（居民可见）"), max_length=REASON_MAX)


class AcceptForm(forms.Form):
    meeting = forms.TypedChoiceField(label=_("列入会议"), coerce=int)

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [(m.pk, f"{m.title}（{m.starts_at:%Y-%m-%d}）") for m in meetings]


class ResolutionForm(forms.Form):
    topic = forms.TypedChoiceField(label=_("议题"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(label=_("决议内容"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.TypedChoiceField(label=_("责任单位"), coerce=int, required=False, empty_value=None)
    due_date = DateField(label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    item = forms.CharField(label=_("督办事项"), max_length=TITLE_MAX * 2, required=False,
                           help_text=_("留空则与决议内容相同"))
    spawn = forms.BooleanField(label=_("派发工单给责任单位（时限为完成时限）"), required=False, initial=True)
    category = forms.TypedChoiceField(label=_("工单类别"), coerce=int, required=False, empty_value=None)
    link = forms.CharField(label=_("关联已有诉求编号"), max_length=200, required=False,
                           help_text=_("多个用逗号分隔，如 GZ-20261201-0001"))

    def __init__(self, *args, topics=(), organisations=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "—")] + [(t.pk, t.title) for t in topics]
        self.fields["owner"].choices = [("", "—")] + [(o.pk, o.name) for o in organisations]
        self.fields["category"].choices = [("", "—")] + [(c.pk, c.name) for c in categories]


class LinkForm(forms.Form):
    number = forms.CharField(label=_("诉求编号"), max_length=20)


class MinutesForm(forms.Form):
    host = forms.CharField(label=_("主持人"), max_length=PERSON_NAME_MAX, required=False)
    recorder = forms.CharField(label=_("记录人"), max_length=PERSON_NAME_MAX, required=False)
    summary = forms.CharField(label=_("会议概况"), max_length=TEXT_MAX * 2, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class CorrectForm(forms.Form):
    reason = forms.CharField(label=_("更正理由"), max_length=REASON_MAX)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消理由"), max_length=REASON_MAX)
