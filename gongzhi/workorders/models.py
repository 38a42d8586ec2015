"""Residents' requests (诉求/工单): 居民下单 → 社区派单 → 物业/专人接单 → 居民评单."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStamped
from gongzhi.core.roles import MANAGING_ROLES, Role
from gongzhi.core.scope import ScopedQuerySet, in_scopes, scope_organisations, scope_paths
from gongzhi.people.models import Person
from gongzhi.places.models import Kind
from gongzhi.places.queries import path_after, path_range


class HandlerKind(models.TextChoices):
    PROPERTY_COMPANY = "property_company", _("小区物业企业")
    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    DEPARTMENT = "department", _("职能部门")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("紧急（危及生命财产安全）")
    URGENT = "urgent", _("较急（水电气暖）")
    NORMAL = "normal", _("一般")
    COMPLEX = "complex", _("疑难复杂")


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("小时（自然时）")
    WORKING_HOURS = "working_hours", _("工作小时")
    WORKING_DAYS = "working_days", _("工作日")


# Text limits: one number per field, read by the model's max_length, the form and the action.
CODE_MAX = 40  # a category's code
NAME_MAX = 40  # a category's name
CATEGORY_DESCRIPTION_MAX = 200
DESCRIPTION_MAX = 1000  # 问题描述 (a TextField: the forms and actions keep it)
RESULT_NOTE_MAX = 1000  # 办理结果
REPORT_MAX = 1000  # a whistled department's 处置情况
ADDRESS_MAX = 200
CONTACT_NAME_MAX = 50
CONTACT_PHONE_MAX = 20
REASON_MAX = 300  # 退回/驳回/重办理由, 改派说明 (stored in ``reason``)
WHISTLE_NOTE_MAX = 300  # 吹哨事由
COMMENT_MAX = 500  # 评价
FOLLOW_UP_MAX = 500  # 回访记录
MEDIA_URL_MAX = 500  # Open311 media_url


class Category(TimeStamped):
    """服务目录 — a kind of request and who handles it by default."""

    code = models.SlugField(_("代码"), max_length=CODE_MAX, unique=True)
    name = models.CharField(_("名称"), max_length=NAME_MAX)
    description = models.CharField(_("说明"), max_length=CATEGORY_DESCRIPTION_MAX, blank=True)
    handler_kind = models.CharField(_("默认承办"), max_length=20, choices=HandlerKind.choices)
    department = models.ForeignKey(
        "people.Organisation", verbose_name=_("承办部门"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", limit_choices_to={"kind": "department"},
    )
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(default=100)
    # 个人事务 (邻里纠纷, complaints …): not public by default, and never shown to the 业委会 (docs/privacy.md)
    personal = models.BooleanField(_("个人事务"), default=False, db_default=False,
                                   help_text=_("邻里纠纷、投诉等：默认不公开，业委会看不到"))

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["sort", "pk"]
        # street staff add and rename categories on the catalogue page: two with one name would be ambiguous
        constraints = [models.UniqueConstraint(fields=["name"], name="workorders_category_name_unique")]

    def __str__(self) -> str:
        return self.name

    def level(self, urgency: str) -> ServiceLevel:
        return self.levels.get(urgency=urgency)


class ServiceLevel(models.Model):
    """时限 — per category and urgency: response and resolution deadlines (Beijing 12345 practice)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="levels")
    urgency = models.CharField(_("紧急程度"), max_length=12, choices=Urgency.choices)
    handler_kind = models.CharField(_("承办"), max_length=20, choices=HandlerKind.choices, blank=True,
                                    help_text=_("留空则按类别默认承办"))
    response_value = models.DecimalField(_("响应时限"), max_digits=6, decimal_places=2)
    response_unit = models.CharField(_("单位"), max_length=16, choices=TimeUnit.choices)
    resolution_value = models.DecimalField(_("办结时限"), max_digits=6, decimal_places=2)
    resolution_unit = models.CharField(_("单位"), max_length=16, choices=TimeUnit.choices)

    class Meta:
        verbose_name = _("服务时限")
        verbose_name_plural = _("服务时限")
        constraints = [models.UniqueConstraint(fields=["category", "urgency"], name="workorders_level_unique")]

    def __str__(self) -> str:
        return f"{self.category} · {self.get_urgency_display()}"

    @property
    def effective_handler_kind(self) -> str:
        return self.handler_kind or self.category.handler_kind


# Roles that see requests located in their scope subtrees (companies and departments see what they handle).
PLACE_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.BUILDING_HEAD,
                         Role.COMMITTEE_MEMBER})
# Of those, the roles that see every request of their subtrees; the 业委会 (volunteer neighbours) sees only
# the requests about common parts (``common_part_q``).
FULL_PLACE_ROLES = PLACE_ROLES - {Role.COMMITTEE_MEMBER}
# 公共部位: the places above the homes (by kind; depths vary between trees)
COMMON_PART_KINDS = frozenset({Kind.UNIT, Kind.BUILDING, Kind.COMPOUND})


def common_part_q(prefix: str = "") -> Q:
    """Requests about common parts: filed at a unit, building or compound, in a category that is not a
    personal matter (邻里纠纷, complaints …). What the 业委会 sees, and what is public by default."""
    return Q(**{f"{prefix}place__kind__in": sorted(COMMON_PART_KINDS), f"{prefix}category__personal": False})


def is_common_part(category, place) -> bool:
    return place.kind in COMMON_PART_KINDS and not category.personal


class RoutingRuleQuerySet(ScopedQuerySet):
    """Rules on places in the user's dispatching subtrees (street and community staff)."""

    scope_roles = MANAGING_ROLES


class RoutingRule(TimeStamped):
    """派单规则 — category (or any) × place subtree → the organisation that handles it. Deepest place wins."""

    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE,
                                 help_text=_("留空表示所有类别"))
    place = models.ForeignKey("places.Place", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("people.Organisation", verbose_name=_("承办组织"), on_delete=models.CASCADE,
                                     related_name="+")

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "place"], name="workorders_rule_unique"),
            # NULLs are distinct in the constraint above: one "all categories" rule per place needs its own
            models.UniqueConstraint(fields=["place"], condition=Q(category__isnull=True),
                                    name="workorders_rule_any_unique"),
        ]

    def __str__(self) -> str:
        category = self.category.name if self.category is not None else _("所有类别")
        return f"{category} · {self.place.name} → {self.organisation.name}"


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已下单")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已接单")
    IN_PROGRESS = "in_progress", _("处理中")
    RESOLVED = "resolved", _("已办结")
    RATED = "rated", _("已评单")
    CLOSED = "closed", _("已关闭")
    RETURNED = "returned", _("已退回")
    REJECTED = "rejected", _("已驳回")
    MERGED = "merged", _("已合并")
    REOPENED = "reopened", _("重办")


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS,
                           Status.RETURNED, Status.REOPENED})
AWAITING_RESPONSE = frozenset({Status.DISPATCHED, Status.REOPENED})
UNRESOLVED = frozenset({Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED,
                        Status.RETURNED, Status.SUBMITTED})


class Channel(models.TextChoices):
    APP = "app", _("居民线上")
    PHONE = "phone", _("电话")
    WALK_IN = "walk_in", _("来访")
    HOME_VISIT = "home_visit", _("入户走访")
    PATROL = "patrol", _("网格巡查")
    HOTLINE = "hotline", _("12345热线")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")
    QR = "qr", _("扫码")


class Escalation(models.IntegerChoices):
    GRID = 0, _("网格")
    COMMUNITY = 1, _("社区")
    STREET = 2, _("街道")



def ways_of_seeing(user) -> tuple[list[str], list[str | None], list[int], int]:
    """What :meth:`RequestQuerySet.visible_ids` needs of a signed-in user: the scope roots of the place
    roles and the end of each root's path range (see ``places.queries.subtree_ranges``), the
    organisations the user serves in (handled, whistled), and the user's id (reported, filed)."""
    roots = scope_paths(user, FULL_PLACE_ROLES)
    orgs = scope_organisations(user)
    return roots, [path_after(root) for root in roots], orgs, user.pk


def committee_roots(user) -> list[str]:
    """The 业委会 scope roots not already inside a full place scope of ``user`` (they add common parts only)."""
    full = scope_paths(user, FULL_PLACE_ROLES)
    return [root for root in scope_paths(user, {Role.COMMITTEE_MEMBER})
            if not any(root.startswith(f) for f in full)]


def verified_phone_index(user) -> str:
    """The phone-owner rule (docs/privacy.md): the blind index of the phone ``user``'s account has proven it
    holds (``Person.verified_phone_index``, set when a code sent to that phone is redeemed; cleared when the
    phone changes), or "". Requests filed from that phone by a verification code (``Request.phone_index``,
    the QR intake) are the account's own: it sees them and may rate them as their reporter. Kept on the user."""
    if not hasattr(user, "_verified_phone_index"):
        selected = user._state.fields_cache.get("person") if hasattr(user, "_state") else None
        if selected is not None:
            user._verified_phone_index = selected.verified_phone_index
        else:
            user._verified_phone_index = Person.objects.filter(user_id=user.pk).values_list(
                "verified_phone_index", flat=True).first() or ""
    return user._verified_phone_index


def phone_owner_q(user, prefix: str = "") -> Q:
    """The requests filed from ``user``'s proven phone (none when it has proven none)."""
    index = verified_phone_index(user) if user.is_authenticated else ""
    return Q(**{f"{prefix}phone_index": index}) if index else Q(pk__in=[])


class RequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Place scope for street/community/grid/building/committee; what one handles, whistled, filed."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        orgs = scope_organisations(user)
        return self.filter(
            in_scopes(user, "place", FULL_PLACE_ROLES)
            | (in_scopes(user, "place", {Role.COMMITTEE_MEMBER}) & common_part_q())
            | Q(reporter__user=user) | Q(filed_by=user) | phone_owner_q(user)
            | Q(handler_id__in=orgs)
            | Q(pk__in=Whistle.objects.filter(department_id__in=orgs).values("request_id"))
        )

    def visible_ids(self, user):
        """The pks of this queryset's rows ``user`` may see: the rows of :meth:`visible_to`, as a ``UNION``
        with one arm per way of seeing (each scope subtree, reported, filed, handled by one's organisation,
        whistled to one's department).

        Every arm carries the filters already on ``self`` (status, month, category …), so the database
        starts each arm from its own index instead of reading every row that passes the filters and then
        testing one OR over joined tables. Use it as ``Request.objects.filter(pk__in=qs.visible_ids(user))``
        (the queue, the 三率); ``visible_to`` stays the definition and a test keeps the two equal."""
        if not user.is_authenticated:
            return self.order_by().values("pk").none()
        if user.is_superuser:
            return self.order_by().values("pk")
        return self.visible_ids_of(*ways_of_seeing(user), committee=committee_roots(user),
                                   phone_index=verified_phone_index(user))

    def visible_ids_of(self, roots, afters, orgs, user_id, committee=(), phone_index=""):
        """:meth:`visible_ids` from its inputs (:func:`ways_of_seeing`): scope roots written as path ranges
        (``after`` None: no upper bound), organisations, and the user's id; ``committee`` the 业委会 roots
        (:func:`committee_roots`), whose arms see common parts only."""
        base = self.order_by().values("pk")
        arms = [base.filter(path_range(root, after, "place")) for root, after in zip(roots, afters, strict=True)]
        arms += [base.filter(common_part_q()).filter(path_range(root, path_after(root), "place"))
                 for root in committee]
        arms += [base.filter(reporter__user_id=user_id), base.filter(filed_by_id=user_id)]
        if phone_index:  # the phone-owner rule (:func:`verified_phone_index`)
            arms.append(base.filter(phone_index=phone_index))
        if orgs:
            arms += [base.filter(handler_id__in=orgs),
                     base.filter(pk__in=Whistle.objects.filter(department_id__in=orgs).values("request_id"))]
        return arms[0].union(*arms[1:])

    def overdue(self, now=None):
        now = now or timezone.now()
        return self.filter(
            Q(status__in=AWAITING_RESPONSE, response_due_at__lt=now)
            | Q(status__in=UNRESOLVED, resolution_due_at__lt=now)
        )


class Request(TimeStamped):
    """诉求 — one resident's problem, from filing to rating."""

    number = models.CharField(_("编号"), max_length=20, unique=True)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="requests")
    urgency = models.CharField(_("紧急程度"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    description = models.TextField(_("问题描述"))
    place = models.ForeignKey("places.Place", verbose_name=_("位置"), on_delete=models.PROTECT,
                              related_name="requests")
    address = models.CharField(_("详细地址"), max_length=ADDRESS_MAX, blank=True)
    reporter = models.ForeignKey("people.Person", verbose_name=_("诉求人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="requests")
    contact_name = models.CharField(_("联系人"), max_length=CONTACT_NAME_MAX, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=CONTACT_PHONE_MAX, blank=True)
    anonymous = models.BooleanField(_("对物业匿名"), default=False)
    public = models.BooleanField(_("公开"), default=False, db_default=False,
                                 help_text=_("公示栏和 Open311 公开：类别、描述、状态，位置只到小区"))
    named_to_committee = models.BooleanField(_("业委会可见姓名"), default=False, db_default=False)
    # Open311 by location (docs/open311.md): the point the client sent (WGS-84), shown only to those who see the
    # request at full precision; 待定位 when no compound took it and it waits at a region for a dispatcher
    latitude = models.DecimalField(_("上报纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("上报经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    unlocated = models.BooleanField(_("待定位"), default=False, db_default=False,
                                    help_text=_("按经纬度未落到小区，停在社区或街道，待调度员指定位置"))
    media_url = models.CharField(_("外部图片链接"), max_length=MEDIA_URL_MAX, blank=True, default="", db_default="",
                                 help_text=_("Open311 客户端提供的图片地址；平台不会打开或下载"))
    channel = models.CharField(_("来源"), max_length=12, choices=Channel.choices, default=Channel.APP)
    # the blind index of the phone a verification code proved, for a request filed without an account (扫码):
    # the phone's owner sees it once signed in (``phone_owner_q``); "" for every other request
    phone_index = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    handler = models.ForeignKey("people.Organisation", verbose_name=_("承办组织"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="handled_requests")
    assignee = models.ForeignKey("people.Person", verbose_name=_("承办人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_requests")
    pool_until = models.DateTimeField(_("抢单截止"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("响应时限"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    first_resolved_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    response_overdue = models.BooleanField(_("响应超时"), default=False)
    resolution_overdue = models.BooleanField(_("办结超时"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("督办层级"), choices=Escalation.choices,
                                                        default=Escalation.GRID)
    result_note = models.TextField(_("办理结果"), blank=True)
    reason = models.CharField(_("退回/驳回理由"), max_length=REASON_MAX, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    first_rating = models.PositiveSmallIntegerField(_("首次评分"), null=True, blank=True)
    rating_comment = models.CharField(_("评价"), max_length=COMMENT_MAX, blank=True)
    unrated = models.BooleanField(_("未评价"), default=False)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="duplicates")
    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    follow_up_note = models.CharField(_("回访记录"), max_length=FOLLOW_UP_MAX, blank=True)
    tick_error = models.CharField(max_length=300, blank=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # the dispatcher's queue and the tick's overdue scan
            models.Index(fields=["status", "response_due_at"], name="wo_status_response_due"),
            models.Index(fields=["status", "resolution_due_at"], name="wo_status_resolution_due"),
            # the queue's ways of seeing an open request (``visible_ids``): small, index-only
            models.Index(fields=["place", "id"], condition=Q(status__in=sorted(UNRESOLVED)), name="wo_open_place"),
            models.Index(fields=["handler"], condition=Q(status__in=sorted(UNRESOLVED)), name="wo_open_handler"),
            # monthly 三率: the month's requests (one column, so the planner costs the range by its order)
            models.Index(fields=["created_at"], name="wo_created"),
            # the phone-owner rule's arm: only the few requests filed by a verified phone are in it
            models.Index(fields=["phone_index"], condition=~Q(phone_index=""), name="wo_phone_index"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status in AWAITING_RESPONSE and self.response_due_at and self.response_due_at < now:
            return True
        return bool(self.status in UNRESOLVED and self.resolution_due_at and self.resolution_due_at < now)

    def can_reopen(self, now=None) -> bool:
        if self.status not in (Status.RESOLVED, Status.RATED) or self.resolved_at is None:
            return False
        now = now or timezone.now()
        return now <= self.resolved_at + datetime.timedelta(days=ServiceSettings.current().reopen_days)


class Attachment(models.Model):
    """现场照片 — at filing or with the result."""

    class Stage(models.TextChoices):
        INTAKE = "intake", _("下单")
        RESULT = "result", _("办结")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    file = models.FileField(upload_to="requests/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class Whistle(TimeStamped):
    """吹哨报到 — a community or street summons a department; the department must report in."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="whistles")
    department = models.ForeignKey("people.Organisation", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="whistles")
    whistled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    note = models.CharField(_("吹哨事由"), max_length=WHISTLE_NOTE_MAX)
    ack_due_at = models.DateTimeField(_("报到时限"))
    acknowledged_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    report = models.TextField(_("处置情况"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    overdue = models.BooleanField(_("报到超时"), default=False)

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["-created_at"]
        # the tick's scan for late report-ins
        indexes = [models.Index(fields=["acknowledged_at", "ack_due_at"], name="wo_whistle_ack_due")]

    def __str__(self) -> str:
        return f"{self.request.number} → {self.department}"


class Duty(models.Model):
    """值班 — who of an organisation takes round-robin dispatches."""

    organisation = models.ForeignKey("people.Organisation", on_delete=models.CASCADE, related_name="duties")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="duties")
    on_duty = models.BooleanField(_("在岗"), default=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("值班")
        verbose_name_plural = _("值班")
        constraints = [models.UniqueConstraint(fields=["organisation", "person"], name="workorders_duty_unique")]

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.person.name}"


class DailyCounter(models.Model):
    """编号计数 — GZ-YYYYMMDD-NNNN, one row per day, incremented under a row lock."""

    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)


class ServiceSettings(models.Model):
    """诉求参数 — one row; the rate formulas and windows street staff may tune."""

    reopen_days = models.PositiveSmallIntegerField(_("可重办天数"), default=7)
    unrated_days = models.PositiveSmallIntegerField(_("未评价关闭天数"), default=7)
    satisfied_min = models.PositiveSmallIntegerField(_("满意最低分"), default=4)
    basic_satisfied_score = models.PositiveSmallIntegerField(_("基本满意分"), default=3)
    basic_satisfied_weight = models.DecimalField(_("基本满意计入权重"), max_digits=3, decimal_places=2,
                                                 default=Decimal("0"))
    unrated_in_denominator = models.BooleanField(_("未评价计入满意率分母"), default=True)
    grab_minutes = models.PositiveSmallIntegerField(_("抢单时限(分钟)"), default=30)
    whistle_ack_hours = models.DecimalField(_("报到时限(工作小时)"), max_digits=5, decimal_places=1,
                                            default=Decimal("2"))
    escalate_after_hours = models.DecimalField(_("再次督办间隔(工作小时)"), max_digits=5, decimal_places=1,
                                               default=Decimal("8"))

    class Meta:
        verbose_name = _("诉求参数")
        verbose_name_plural = _("诉求参数")

    @classmethod
    def current(cls) -> ServiceSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
