"""People, organisations and who holds which post (Position)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import crypto
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.models import TimeStamped
from gongzhi.core.roles import STAFF_ROLES, Role
from gongzhi.core.scope import ScopedQuerySet, in_scopes, scope_organisations

from .roles import Title, role_of_title


class OrgKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("党委")
    PARTY_BRANCH = "party_branch", _("党支部")
    PARTY_GROUP = "party_group", _("党小组")
    OFFICE = "office", _("街道办事处/社区居委会")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY_MANAGEMENT_COMMITTEE = "pmc", _("物业管理委员会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    DEPARTMENT = "department", _("职能部门")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")
    ALLIANCE = "alliance", _("红色物业联盟")


# Whose scope reads the household register (住户名册: who lives where) — not a department's liaison, who sees
# what is whistled to the department (docs/privacy.md). A resident's scope is their own household.
REGISTER_ROLES = frozenset(STAFF_ROLES - {Role.DEPARTMENT_LIAISON})

PARTY_KINDS = frozenset({OrgKind.PARTY_COMMITTEE, OrgKind.PARTY_BRANCH, OrgKind.PARTY_GROUP})


class OrganisationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Organisations anchored in the user's subtrees, plus those they hold a post in."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self

        own = scope_organisations(user)
        return self.filter(in_scopes(user, "place", STAFF_ROLES) | Q(pk__in=own))


class Organisation(TimeStamped):
    """组织 — party organisation, committee, company, department … anchored to a Place."""

    kind = models.CharField(_("类型"), max_length=24, choices=OrgKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="organisations"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    alliance = models.ForeignKey(
        "self", verbose_name=_("所属联盟"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="alliance_members", limit_choices_to={"kind": OrgKind.ALLIANCE},
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["place__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="people_org_uscc_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_party(self) -> bool:
        return self.kind in PARTY_KINDS


class ManagementAssignment(TimeStamped):
    """物业服务合同 — which property company manages which compound, from when."""

    company = models.ForeignKey(
        Organisation, verbose_name=_("物业企业"), on_delete=models.PROTECT, related_name="assignments",
        limit_choices_to={"kind": OrgKind.PROPERTY_COMPANY},
    )
    place = models.ForeignKey("places.Place", verbose_name=_("小区"), on_delete=models.PROTECT,
                              related_name="management_assignments")
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业服务关系")
        verbose_name_plural = _("物业服务关系")
        ordering = ["place__path", "-start_date"]


class PartyRelation(models.TextChoices):
    LOCAL = "local", _("本地党员")
    DUAL = "dual", _("双报到党员")


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People anchored in the user's subtrees or holding a post there; a resident sees their household."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self

        staff = in_scopes(user, "place", REGISTER_ROLES)
        homes = in_scopes(user, "place", {Role.RESIDENT})
        via_post = Position.objects.filter(in_scopes(user, "place", STAFF_ROLES)).values("person_id")
        via_home = HouseholdMember.objects.filter(staff | homes).values("person_id")
        return self.filter(staff | Q(pk__in=via_post) | Q(pk__in=via_home) | Q(user=user))


class Person(TimeStamped):
    """实名人员 — a real-name record; the ID number is encrypted at rest and shown masked."""

    name = models.CharField(_("姓名"), max_length=50)
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="people",
        help_text=_("居住的户或工作所在区域"),
    )
    is_party_member = models.BooleanField(_("党员"), default=False)
    party_organisation = models.ForeignKey(
        Organisation, verbose_name=_("所在党组织"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="party_members", limit_choices_to={"kind__in": ["party_committee", "party_branch", "party_group"]},
    )
    party_relation = models.CharField(_("组织关系"), max_length=8, choices=PartyRelation.choices, blank=True)
    skills = models.CharField(_("技能特长"), max_length=200, blank=True, help_text=_("用顿号或逗号分隔"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="person",
    )
    # the blind index of the phone this person's account proved it holds (it redeemed a code sent there:
    # activation or 忘记密码); cleared when the phone changes. Requests filed from that phone by a
    # verification code (QR intake) are the account's own (workorders.models.verified_phone_index, docs/privacy.md)
    verified_phone_index = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)
    # bumped (F()+1) by every change to this person's posts or homes: invalidates session-cached scopes
    scope_version = models.PositiveIntegerField(default=0, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], condition=~Q(id_number_index=""),
                                    name="people_person_id_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        self.id_number_encrypted = crypto.encrypt(value)
        self.id_number_index = crypto.blind_index(value)
        self.id_number_masked = mask_id_number(value)

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_encrypted)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def skill_list(self) -> list[str]:
        return [s.strip() for s in self.skills.replace("，", ",").replace("、", ",").split(",") if s.strip()]


class PositionQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Posts held in the user's staff subtrees, plus the user's own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(in_scopes(user, "place", STAFF_ROLES) | Q(person__user=user))

    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


class Position(TimeStamped):
    """任职 — Person × Organisation × title × place scope × dates. Several of them = 交叉任职."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="positions")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="positions"
    )
    title = models.CharField(_("职务"), max_length=32, choices=Title.choices)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("负责范围"), on_delete=models.PROTECT, related_name="positions"
    )
    start_date = models.DateField(_("任职开始"), default=timezone.localdate)
    end_date = models.DateField(_("任职结束"), null=True, blank=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["person__name", "start_date"]
        indexes = [models.Index(fields=["person", "end_date"], name="people_position_person")]

    def __str__(self) -> str:
        return f"{self.person} · {self.organisation} · {self.get_title_display()}"

    @property
    def role(self) -> str:
        return role_of_title(self.title)

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)


class Relation(models.TextChoices):
    OWNER = "owner", _("业主")
    TENANT = "tenant", _("租户")
    RESIDENT = "resident", _("住户")


class HouseholdMemberQuerySet(ScopedQuerySet):
    scope_roles = REGISTER_ROLES | {Role.RESIDENT}

    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on))



class HouseholdMember(TimeStamped):
    """户成员 — a person's tie to a household: owner (with share), tenant or resident."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("户"), on_delete=models.CASCADE, related_name="members",
        limit_choices_to={"kind": "household"},
    )
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="homes")
    relation = models.CharField(_("关系"), max_length=10, choices=Relation.choices)
    share = models.DecimalField(_("产权份额"), max_digits=5, decimal_places=4, default=1)
    is_representative = models.BooleanField(_("共有人代表"), default=False)
    start_date = models.DateField(_("开始日期"), default=timezone.localdate)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    objects = HouseholdMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("户成员")
        verbose_name_plural = _("户成员")
        ordering = ["place__path", "relation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["place", "person", "relation"], name="people_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_relation_display()}"


TOKEN_DAYS = (30, 90, 180, 365)  # the lifetimes an API token may be issued for
DEFAULT_TOKEN_DAYS = 90


class ApiToken(models.Model):
    """API 令牌 — bearer tokens for integrations; only a hash is stored. Each has a scope (只读: GET and the other
    safe methods only; 读写: also changes) and an expiry, after which it is no token at all (401)."""

    class Scope(models.TextChoices):
        READ = "read", _("只读")
        WRITE = "write", _("读写")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=60)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    scope = models.CharField(_("权限"), max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)  # None: tokens from before expiry existed
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    def expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @classmethod
    def issue(cls, user, name: str, *, scope: str = Scope.READ, expires_at=None) -> tuple[ApiToken, str]:
        key = "gz_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), prefix=key[:8], scope=scope,
                                   expires_at=expires_at)
        return token, key


class CodePurpose(models.TextChoices):
    ACTIVATE = "activate", _("激活账号")
    RESET = "reset", _("找回密码")
    INTAKE = "intake", _("扫码反映问题")  # a phone without an account files a request (workorders QR intake)


class VerificationCode(models.Model):
    """验证码 — a one-time code sent to an account's phone through the outside channels.

    Only a hash of the code is kept (``django.contrib.auth.hashers``). A code is short-lived, counts its
    wrong attempts and is used once; issuing a new one supersedes the older ones. ``phone_index`` (the keyed
    blind index of the phone the code went to) lets the sending limits count per phone; a 忘记密码 request for a
    phone with no account writes a row without a user, which can never be redeemed, so both answers cost the
    same and count towards the same limits (no user enumeration)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="verification_codes")
    purpose = models.CharField(_("用途"), max_length=10, choices=CodePurpose.choices)
    phone_index = models.CharField(max_length=64, editable=False)
    code_hash = models.CharField(max_length=128, editable=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")
        # the sending limits (codes per phone in the last hour) and the look-up of a phone's latest code
        indexes = [models.Index(fields=["phone_index", "created_at"], name="people_code_phone")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.user_id is not None and self.used_at is None and self.expires_at > now
