"""支部先议 (the four steps of an owners' committee matter) and 民主听证 (hearings with bids and an owners' poll).

A :class:`Matter` is a compound's 业委会 matter (a major affair or a major spending) taken through the four steps
of seed 004: 业委会提议 → 小区党支部审议 → 业委会决议 → 物业公司执行. Its ``status`` moves only through
``matters_actions.TRANSITIONS``. A :class:`Hearing` (民主听证会) gathers a hearing group, opens supplier bids and
polls the owners (one answer per household) before its decision is recorded. Neither references the joint-meeting
models (meeting.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStamped
from gongzhi.core.roles import Role
from gongzhi.core.scope import in_scopes, user_scopes
from gongzhi.places.models import STEP

__all__ = [
    "MATTER_ROLES", "Bid", "CommitteeBallot", "Hearing", "HearingMember", "HearingStatus", "Matter", "MatterKind",
    "MatterReview", "MatterStatus", "MemberGroup", "Opinion", "OpinionChoice", "VoteChoice",
]

TITLE_MAX = 120
TEXT_MAX = 2000
OPINION_MAX = 1000
SUPPLIER_MAX = 120
TERMS_MAX = 2000
PRICE_MAX_DIGITS = 12  # up to 9 999 999 999.99 元


# Who reads a compound's matters and hearings: staff over it, its party branch's secretary (a grid post), its
# owners' committee and its property company. A resident reads what has been resolved (matters) and the hearings
# of their own compound.
MATTER_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.COMMITTEE_MEMBER,
                          Role.PROPERTY_STAFF})


def _home_ancestors(user) -> list[str]:
    """The paths of every ancestor of the user's homes: the compound is one of them, at no fixed depth."""
    return sorted({s.path[:i] for s in user_scopes(user) if s.role == Role.RESIDENT
                   for i in range(STEP, len(s.path) + 1, STEP)})


class MatterKind(models.TextChoices):
    MAJOR_AFFAIR = "major_affair", _("小区重大事项")
    MAJOR_SPENDING = "major_spending", _("重要支出")
    RENOVATION = "renovation", _("设施改造更新")
    OTHER = "other", _("其他事项")


class MatterStatus(models.TextChoices):
    PROPOSED = "proposed", _("业委会已提议，待党支部审议")
    RETURNED = "returned", _("党支部退回，待业委会修改")
    APPROVED = "approved", _("党支部审议通过，待业委会决议")
    RESOLVED = "resolved", _("业委会决议通过，待物业执行")
    NOT_PASSED = "not_passed", _("业委会决议未通过")
    EXECUTING = "executing", _("物业执行中")


# the four steps, in order, as the trail shows them
STEPS = (
    ("propose", _("业委会提议")),
    ("review", _("党支部审议")),
    ("resolve", _("业委会决议")),
    ("execute", _("物业公司执行")),
)

# request statuses in which the matter's work order is done (办结, 评单, 关闭)
DONE_REQUEST_STATUSES = ("resolved", "rated", "closed")
VISIBLE_TO_RESIDENTS = (MatterStatus.RESOLVED, MatterStatus.NOT_PASSED, MatterStatus.EXECUTING)


class MatterQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff, the branch, the committee and the company over the compound; its residents once resolved."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        q = in_scopes(user, "compound", MATTER_ROLES)
        ancestors = _home_ancestors(user)
        if ancestors:
            q |= Q(compound__path__in=ancestors, status__in=VISIBLE_TO_RESIDENTS)
        return self.filter(q)

    def executed(self):
        """执行完毕: the work order is done."""
        return self.filter(status=MatterStatus.EXECUTING, request__status__in=DONE_REQUEST_STATUSES)


class Matter(TimeStamped):
    """支部先议事项 — an owners' committee matter taken through proposal, branch review, resolution, execution."""

    compound = models.ForeignKey("places.Place", verbose_name=_("小区"), on_delete=models.PROTECT,
                                 related_name="matters", limit_choices_to={"kind": "compound"})
    committee = models.ForeignKey("people.Organisation", verbose_name=_("业委会/物管会"), on_delete=models.PROTECT,
                                  related_name="+")
    branch = models.ForeignKey("people.Organisation", verbose_name=_("审议党支部"), on_delete=models.PROTECT,
                               related_name="+")
    company = models.ForeignKey("people.Organisation", verbose_name=_("执行物业企业"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事项类别"), max_length=20, choices=MatterKind.choices, default=MatterKind.MAJOR_AFFAIR)
    title = models.CharField(_("事项名称"), max_length=TITLE_MAX)
    description = models.TextField(_("事项内容与实施方案"))
    estimated_cost = models.DecimalField(_("预计金额（元）"), max_digits=PRICE_MAX_DIGITS, decimal_places=2,
                                         null=True, blank=True)
    needs_owners_vote = models.BooleanField(_("须经业主大会表决"), default=False,
                                            help_text=_("民法典第278条规定的事项（如筹集、使用维修资金）须由业主共同决定"))
    owners_vote = models.ForeignKey("assembly.Vote", verbose_name=_("业主大会表决"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=MatterStatus.choices, default=MatterStatus.PROPOSED)
    round = models.PositiveSmallIntegerField(_("提议轮次"), default=1)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(_("提议时间"))
    # the committee's resolution (业委会决议): who sat, who came, how they voted
    resolved_at = models.DateTimeField(_("决议时间"), null=True, blank=True)
    sitting_members = models.PositiveSmallIntegerField(_("在任委员"), null=True, blank=True)
    present_members = models.PositiveSmallIntegerField(_("出席委员"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("弃权"), null=True, blank=True)
    resolution_note = models.TextField(_("决议内容"), blank=True)
    request = models.ForeignKey("workorders.Request", verbose_name=_("执行工单"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    execution_started_at = models.DateTimeField(_("交付执行时间"), null=True, blank=True)

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("支部先议事项")
        verbose_name_plural = _("支部先议事项")
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["compound", "status"], name="meetings_matter_status")]  # the list's filter

    def __str__(self) -> str:
        return self.title

    @property
    def step(self) -> int:
        """How far it has come: 1 proposed (or returned), 2 reviewed, 3 resolved, 4 executing."""
        return {MatterStatus.PROPOSED: 1, MatterStatus.RETURNED: 1, MatterStatus.APPROVED: 2,
                MatterStatus.RESOLVED: 3, MatterStatus.NOT_PASSED: 3, MatterStatus.EXECUTING: 4}[
            MatterStatus(self.status)]

    @property
    def is_executed(self) -> bool:
        return self.status == MatterStatus.EXECUTING and self.request is not None and (
            self.request.status in DONE_REQUEST_STATUSES)

    @property
    def execution_label(self) -> str:
        """The execution status, which follows the work order: 已派单, 已接单, 处理中, 已办结 …"""
        if self.request is None:
            return ""
        return self.request.get_status_display()


class MatterReview(models.Model):
    """支部审议 — one round of the party branch's review: approved, or returned with a written opinion."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveSmallIntegerField(_("轮次"))
    approved = models.BooleanField(_("审议通过"))
    opinion = models.TextField(_("审议意见"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("审议时间"))

    class Meta:
        ordering = ["round", "pk"]
        constraints = [models.UniqueConstraint(fields=["matter", "round"], name="meetings_review_round_unique")]


class VoteChoice(models.TextChoices):
    FOR = "for", _("赞成")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class CommitteeBallot(models.Model):
    """业委会决议表决 — how one member present voted on the matter."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="ballots")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("表决意见"), max_length=8, choices=VoteChoice.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["matter", "person"], name="meetings_ballot_person_unique")]


# ---------------------------------------------------------------- 民主听证


class HearingStatus(models.TextChoices):
    PREPARING = "preparing", _("筹备中")
    OPENED = "opened", _("已开标，听证中")
    DECIDED = "decided", _("已形成决定")


class HearingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff, the committee and the company over the compound; its residents (they answer the poll)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        q = in_scopes(user, "compound", MATTER_ROLES)
        ancestors = _home_ancestors(user)
        if ancestors:
            q |= Q(compound__path__in=ancestors)
        return self.filter(q)


class Hearing(TimeStamped):
    """民主听证会 — a hearing on a matter (or on its own subject): group, bids, owners' poll and decision."""

    compound = models.ForeignKey("places.Place", verbose_name=_("小区"), on_delete=models.PROTECT,
                                 related_name="hearings", limit_choices_to={"kind": "compound"})
    matter = models.ForeignKey(Matter, verbose_name=_("关联事项"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="hearings")
    subject = models.CharField(_("听证事项"), max_length=TITLE_MAX)
    description = models.TextField(_("说明"), blank=True)
    venue = models.CharField(_("地点"), max_length=TITLE_MAX, blank=True)
    held_at = models.DateTimeField(_("听证时间"))
    needs_owners_vote = models.BooleanField(_("须经业主大会表决"), default=False,
                                            help_text=_("如筹集、使用维修资金（民法典第278条）：须关联业主大会表决后才能形成最终决定"))
    owners_vote = models.ForeignKey("assembly.Vote", verbose_name=_("业主大会表决"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=HearingStatus.choices,
                              default=HearingStatus.PREPARING)
    bids_opened_at = models.DateTimeField(_("开标时间"), null=True, blank=True)
    decided_bid = models.ForeignKey("Bid", verbose_name=_("选定供应商"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    decision = models.TextField(_("听证决定"), blank=True)
    record = models.TextField(_("听证记录"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = HearingQuerySet.as_manager()

    class Meta:
        verbose_name = _("民主听证会")
        verbose_name_plural = _("民主听证会")
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class MemberGroup(models.TextChoices):
    OWNER_REPRESENTATIVE = "owner_rep", _("业主代表")
    COMMITTEE = "committee", _("业委会成员")
    PARTY_MEMBER = "party_member", _("党员代表")
    EXPERT = "expert", _("技术专家")
    COMPANY = "company", _("物业公司负责人")


class HearingMember(models.Model):
    """听证小组成员 — a person and the part they take in the hearing group."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("身份"), max_length=12, choices=MemberGroup.choices)

    class Meta:
        ordering = ["group", "pk"]
        constraints = [models.UniqueConstraint(fields=["hearing", "person"], name="meetings_hearing_member_unique")]


class Bid(models.Model):
    """供应商报价 — sealed until opened at the hearing (现场竞标)."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="bids")
    supplier = models.CharField(_("供应商"), max_length=SUPPLIER_MAX)
    price = models.DecimalField(_("报价（元）"), max_digits=PRICE_MAX_DIGITS, decimal_places=2)
    terms = models.TextField(_("主要条款"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="bids/%Y/", blank=True)
    submitted_at = models.DateTimeField(_("递交时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["price", "pk"]
        constraints = [models.UniqueConstraint(fields=["hearing", "supplier"], name="meetings_bid_supplier_unique"),
                       models.CheckConstraint(condition=Q(price__gt=0), name="meetings_bid_price_positive")]

    def __str__(self) -> str:
        return self.supplier


class OpinionChoice(models.TextChoices):
    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("不同意")
    ABSTAIN = "abstain", _("弃权")


class Opinion(models.Model):
    """业主意见征询 — one answer per household (the unique constraint holds it under concurrent submissions)."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="opinions")
    household = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                                  limit_choices_to={"kind": "household"})
    choice = models.CharField(_("意见"), max_length=10, choices=OpinionChoice.choices)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["hearing", "household"],
                                               name="meetings_opinion_household_unique")]
