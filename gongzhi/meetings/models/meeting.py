"""联席会议: series, meetings, agenda topics, attendance, resolutions and their action items, minutes.

Who sees what (``visible_to``): street and community staff and the other staff posts over the series' place
(its subtree contains the place), and the people of its member and invited organisations; a resident sees
only their own proposals here (what is decided is on the compound's public board). Statuses of resolutions
and action items are *derived* from the requests that carry them out (``rules`` below), never typed in.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStamped
from gongzhi.core.roles import STAFF_ROLES, Role
from gongzhi.core.scope import in_scopes, scope_organisations

__all__ = [
    "DONE_REQUEST_STATUSES", "ActionItem", "Attendance", "AttendanceMethod", "ItemStatus", "Meeting", "MeetingInvitee",
    "MeetingSeries", "MeetingStatus", "Minutes", "MinutesStatus", "Quorum", "Resolution", "SeriesMember",
    "Topic", "TopicKind", "TopicSource", "TopicStatus", "item_state", "resolution_state",
]

# text limits: one number per field, read by the model, the forms and the actions
NAME_MAX = 80
LOCATION_MAX = 120
TITLE_MAX = 120
TEXT_MAX = 2000
REASON_MAX = 300
PERSON_NAME_MAX = 50
CODE_LENGTH = 6

# staff whose scope over the place reads its meetings; a department's liaison sees the meetings its department is
# called to (as a member or invited), not every meeting of the street (docs/privacy.md's line for the register)
READ_ROLES = frozenset(STAFF_ROLES - {Role.DEPARTMENT_LIAISON})


class Quorum(models.TextChoices):
    ALL = "all", _("全体成员单位到会")
    MAJORITY = "majority", _("过半数成员单位到会")


class MeetingSeriesQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff over the series' place, and the people of its member organisations."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        orgs = scope_organisations(user)
        return self.filter(in_scopes(user, "place", READ_ROLES)
                           | Q(pk__in=SeriesMember.objects.filter(organisation_id__in=orgs).values("series_id")))


class MeetingSeries(TimeStamped):
    """联席会议制度 — a community's (or compound's) regular joint meeting: who sits on it, the fixed day, where.

    ``day_of_month``: the 议事日 (seed 001: the 10th); on a weekend or 法定节假日 the meeting moves to the
    next working day of ``core.calendar`` (``rules.meeting_day``)."""

    name = models.CharField(_("名称"), max_length=NAME_MAX)
    place = models.ForeignKey("places.Place", verbose_name=_("社区或小区"), on_delete=models.PROTECT,
                              related_name="meeting_series")
    day_of_month = models.PositiveSmallIntegerField(_("每月议事日"), default=10)
    start_time = models.TimeField(_("开始时间"), default=datetime.time(9, 30))
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=120)
    location = models.CharField(_("默认地点"), max_length=LOCATION_MAX, blank=True)
    quorum = models.CharField(_("到会规则"), max_length=10, choices=Quorum.choices, default=Quorum.ALL)
    months_ahead = models.PositiveSmallIntegerField(_("提前生成月数"), default=3)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = MeetingSeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("联席会议制度")
        verbose_name_plural = _("联席会议制度")
        ordering = ["place__path", "pk"]

    def __str__(self) -> str:
        return self.name


class SeriesMember(models.Model):
    """成员单位 — an organisation sitting on the series, with its delegates (posts of that organisation)."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey("people.Organisation", verbose_name=_("成员单位"), on_delete=models.PROTECT,
                                     related_name="+")
    delegates = models.ManyToManyField("people.Position", verbose_name=_("参会代表"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["series", "organisation"], name="meetings_member_unique")]

    def __str__(self) -> str:
        return f"{self.series} · {self.organisation}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已排期")
    PUBLISHED = "published", _("议程已发布")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff over the place; the people of member organisations and of the organisations invited."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        orgs = scope_organisations(user)
        return self.filter(
            in_scopes(user, "place", READ_ROLES)
            | Q(series__in=SeriesMember.objects.filter(organisation_id__in=orgs).values("series_id"))
            | Q(pk__in=MeetingInvitee.objects.filter(organisation_id__in=orgs).values("meeting_id")))


def new_code() -> str:
    """A sign-in code shown in the room: digits only (typed on a phone)."""
    return "".join(secrets.choice("0123456789") for _i in range(CODE_LENGTH))


class Meeting(TimeStamped):
    """联席会议 — one sitting of a series: the agenda, who came, what was resolved, the minutes."""

    series = models.ForeignKey(MeetingSeries, verbose_name=_("联席会议制度"), on_delete=models.PROTECT,
                               related_name="meetings")
    place = models.ForeignKey("places.Place", verbose_name=_("社区或小区"), on_delete=models.PROTECT,
                              related_name="+")  # the series' place, kept on the row for scope reads
    number = models.PositiveIntegerField(_("届次"))  # 第N次, in the series
    title = models.CharField(_("会议名称"), max_length=TITLE_MAX)
    period = models.DateField(_("所属月份"), null=True, blank=True,
                              help_text=_("按每月议事日生成的例会：该月1日；临时会议为空"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    location = models.CharField(_("地点"), max_length=LOCATION_MAX, blank=True)
    adhoc = models.BooleanField(_("临时会议"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED)
    published_at = models.DateTimeField(_("议程发布时间"), null=True, blank=True)
    held_at = models.DateTimeField(_("召开完毕时间"), null=True, blank=True)
    signin_code = models.CharField(_("签到码"), max_length=CODE_LENGTH, default=new_code)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="meetings_meeting_number"),
            # the generator's claim: one regular meeting per series and month, however often it runs
            models.UniqueConstraint(fields=["series", "period"], condition=Q(period__isnull=False),
                                    name="meetings_meeting_day"),
        ]
        indexes = [models.Index(fields=["place", "starts_at"], name="meetings_place_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Topics, sign-in and resolutions may still change (not held, not cancelled)."""
        return self.status in (MeetingStatus.SCHEDULED, MeetingStatus.PUBLISHED)

    def member_organisation_ids(self) -> list[int]:
        return list(self.series.members.values_list("organisation_id", flat=True))

    def invited_organisation_ids(self) -> list[int]:
        return list(self.invitees.values_list("organisation_id", flat=True))


class MeetingInvitee(models.Model):
    """列席单位 — an organisation invited to this meeting (a department, a utility, a bus company)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    organisation = models.ForeignKey("people.Organisation", verbose_name=_("列席单位"), on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("列席单位")
        verbose_name_plural = _("列席单位")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "organisation"], name="meetings_invitee_unique")]


class TopicKind(models.TextChoices):
    URGENT = "urgent", _("迫切事")  # 集中反映的迫切事
    DIFFICULT = "difficult", _("疑难事")  # 协商协调的疑难事
    MAJOR = "major", _("重大事")  # 征求意见的重大事


class TopicSource(models.TextChoices):
    REQUEST = "request", _("来自诉求")
    PROPOSAL = "proposal", _("居民提议")
    FLAG = "flag", _("网格建议")  # a grid worker or building head suggested a request (建议上会)
    STAFF = "staff", _("工作人员提出")
    CARRIED = "carried", _("逾期事项上会")


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审议")  # a resident's proposal, not yet on an agenda
    ON_AGENDA = "on_agenda", _("已列入议程")
    DECLINED = "declined", _("未采纳")


class TopicQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The topics of the meetings one sees, the proposals in one's staff scope, and one's own proposals."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(Q(meeting__in=Meeting.objects.visible_to(user))
                           | Q(meeting__isnull=True) & in_scopes(user, "place", READ_ROLES)
                           | Q(proposed_by=user))


class Topic(TimeStamped):
    """议题 — a matter on (or proposed for) a meeting's agenda, typed 迫切事 / 疑难事 / 重大事."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="topics")
    place = models.ForeignKey("places.Place", verbose_name=_("所涉区域"), on_delete=models.PROTECT,
                              related_name="+")
    kind = models.CharField(_("议题类型"), max_length=10, choices=TopicKind.choices)
    title = models.CharField(_("议题"), max_length=TITLE_MAX)
    description = models.TextField(_("情况说明"), blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=TopicSource.choices)
    status = models.CharField(_("状态"), max_length=10, choices=TopicStatus.choices, default=TopicStatus.ON_AGENDA)
    request = models.ForeignKey("workorders.Request", verbose_name=_("关联诉求"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    carried_from = models.OneToOneField("ActionItem", verbose_name=_("逾期督办事项"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="carried_topic")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    decline_reason = models.CharField(_("未采纳理由"), max_length=REASON_MAX, blank=True)
    late = models.BooleanField(_("议程发布后增加"), default=False)
    notes = models.TextField(_("讨论情况"), blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting_id", "position", "pk"]
        # the request page's 提交联席会: one open agenda topic per request and meeting
        constraints = [models.UniqueConstraint(fields=["meeting", "request"], condition=Q(request__isnull=False),
                                               name="meetings_topic_request_once")]

    def __str__(self) -> str:
        return self.title


class AttendanceMethod(models.TextChoices):
    ACCOUNT = "account", _("账号签到")
    CODE = "code", _("签到码/扫码")
    RECORDED = "recorded", _("工作人员登记")


class Attendance(models.Model):
    """签到 — who attended, for which organisation."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey("people.Person", verbose_name=_("参会人"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", verbose_name=_("代表单位"), on_delete=models.PROTECT,
                                     related_name="+")
    method = models.CharField(_("签到方式"), max_length=10, choices=AttendanceMethod.choices)
    signed_in_at = models.DateTimeField(_("签到时间"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["signed_in_at", "pk"]
        # one row per person and organisation: 一肩挑 (the secretary who is also the director) attends for both
        constraints = [models.UniqueConstraint(fields=["meeting", "person", "organisation"],
                                               name="meetings_attendance_once")]


class Resolution(TimeStamped):
    """决议 — what the meeting decided on a topic: the responsible organisation and the deadline."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="resolutions")
    topic = models.ForeignKey(Topic, verbose_name=_("议题"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="resolutions")
    place = models.ForeignKey("places.Place", verbose_name=_("所涉区域"), on_delete=models.PROTECT,
                              related_name="+")
    number = models.PositiveIntegerField(_("序号"))
    text = models.TextField(_("决议内容"))
    owner = models.ForeignKey("people.Organisation", verbose_name=_("责任单位"), on_delete=models.PROTECT,
                              related_name="+")
    due_date = models.DateField(_("完成时限"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["meeting_id", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="meetings_resolution_number")]

    def __str__(self) -> str:
        return f"{self.meeting} · {_('决议')}{self.number}"


class ActionItem(TimeStamped):
    """督办事项 — one piece of work a resolution calls for, carried by requests in the requests' lifecycle."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("督办事项"), max_length=TITLE_MAX * 2)
    owner = models.ForeignKey("people.Organisation", verbose_name=_("责任单位"), on_delete=models.PROTECT,
                              related_name="+")
    due_date = models.DateField(_("完成时限"))
    requests = models.ManyToManyField("workorders.Request", verbose_name=_("承办诉求"), blank=True,
                                      related_name="meeting_items")

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["resolution_id", "pk"]
        # the tick's scan for overdue items not yet carried to a meeting
        indexes = [models.Index(fields=["due_date"], name="meetings_item_due")]

    def __str__(self) -> str:
        return self.text


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FINAL = "final", _("已定稿")


class Minutes(TimeStamped):
    """会议纪要 — one version of a meeting's minutes. A draft is edited; finalising stores the whole record as
    it stands (``content``) and locks it; a correction is a new version with its reason, the old one kept."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=6, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    host = models.CharField(_("主持人"), max_length=PERSON_NAME_MAX, blank=True)
    recorder = models.CharField(_("记录人"), max_length=PERSON_NAME_MAX, blank=True)
    summary = models.TextField(_("会议概况"), blank=True)
    correction_reason = models.CharField(_("更正理由"), max_length=REASON_MAX, blank=True)
    content = models.JSONField(_("定稿内容"), default=dict, blank=True)
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        ordering = ["meeting_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="meetings_minutes_version"),
            # at most one draft at a time: a correction is opened only on a finalised last version
            models.UniqueConstraint(fields=["meeting"], condition=Q(status="draft"), name="meetings_minutes_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {_('会议纪要')} v{self.version}"

    @property
    def is_final(self) -> bool:
        return self.status == MinutesStatus.FINAL


# ---------------------------------------------------------------- derived states (never typed in)

DONE_REQUEST_STATUSES = frozenset({"resolved", "rated", "closed"})
DROPPED_REQUEST_STATUSES = frozenset({"rejected", "merged"})


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("待落实")
    IN_PROGRESS = "in_progress", _("办理中")
    OVERDUE = "overdue", _("逾期")
    DONE = "done", _("已办结")


def item_state(due_date: datetime.date, requests, today: datetime.date | None = None
               ) -> tuple[str, datetime.datetime | None]:
    """(status, done at) of an action item from its requests: 已办结 when every request that carries it is
    resolved (a rejected or merged duplicate does not count, as long as one request did the work), at the
    last one's resolution; else 逾期 past the due date, 办理中 with a request under way, 待落实 with none."""
    today = today or timezone.localdate()
    carrying = [r for r in requests if r.status not in DROPPED_REQUEST_STATUSES]
    if carrying and all(r.status in DONE_REQUEST_STATUSES for r in carrying):
        return ItemStatus.DONE, max((r.resolved_at for r in carrying if r.resolved_at), default=None)
    if today > due_date:
        return ItemStatus.OVERDUE, None
    return (ItemStatus.IN_PROGRESS if carrying else ItemStatus.PENDING), None


def resolution_state(item_states: list[tuple[str, datetime.datetime | None]]
                     ) -> tuple[str, datetime.datetime | None]:
    """A resolution is done when all its items are; overdue when one is; else in progress (or pending)."""
    if not item_states:
        return ItemStatus.PENDING, None
    statuses = {s for s, _at in item_states}
    if statuses == {ItemStatus.DONE}:
        return ItemStatus.DONE, max((at for _s, at in item_states if at), default=None)
    if ItemStatus.OVERDUE in statuses:
        return ItemStatus.OVERDUE, None
    if statuses & {ItemStatus.IN_PROGRESS, ItemStatus.DONE}:
        return ItemStatus.IN_PROGRESS, None
    return ItemStatus.PENDING, None
