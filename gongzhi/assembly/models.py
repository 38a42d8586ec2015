"""业主大会表决 and 业委会 elections: the voter roll snapshot, ballots with receipts, paper double entry,
candidates and the final tally (民法典 第278条; rules.py holds the law)."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStamped
from gongzhi.core.roles import Role
from gongzhi.core.scope import in_scopes, user_scopes
from gongzhi.places.models import STEP

from .rules import Matter as RuleMatter


class Matter(models.TextChoices):
    """民法典 第278条 (一)–(九); the values are rules.Matter's."""

    RULES_OF_PROCEDURE = "rules_of_procedure", _("制定和修改业主大会议事规则")
    MANAGEMENT_STATUTE = "management_statute", _("制定和修改管理规约")
    ELECT_COMMITTEE = "elect_committee", _("选举业主委员会或者更换业主委员会成员")
    HIRE_MANAGER = "hire_manager", _("选聘和解聘物业服务企业或者其他管理人")
    USE_MAINTENANCE_FUND = "use_maintenance_fund", _("使用建筑物及其附属设施的维修资金")
    RAISE_MAINTENANCE_FUND = "raise_maintenance_fund", _("筹集建筑物及其附属设施的维修资金")
    REBUILD = "rebuild", _("改建、重建建筑物及其附属设施")
    CHANGE_COMMON_USE = "change_common_use", _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER_MAJOR = "other_major", _("有关共有和共同管理权利的其他重大事项")


class BallotChoice(models.TextChoices):
    YES = "yes", _("同意")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")


assert {m.value for m in Matter} == {m.value for m in RuleMatter}


class VoteKind(models.TextChoices):
    QUESTION = "question", _("表决事项")
    ELECTION = "election", _("业委会选举")


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ANNOUNCED = "announced", _("公告中")
    CLOSED = "closed", _("已计票")
    CANCELLED = "cancelled", _("已取消")


class BallotRule(models.TextChoices):
    """Which ballot stands when one owner head has ballots by more than one channel (the compound's 议事规则)."""

    FIRST = "first", _("以第一张有效选票为准")
    WRITTEN = "written", _("书面选票（纸质或委托）优先于线上投票")
    LAST = "last", _("以最后一张有效选票为准")


# the written rule, as the vote page shows it
BALLOT_RULE_TEXT = {
    BallotRule.FIRST: _("同一业主（一户或共有人）只计一张选票。已有选票后再收到其他渠道（线上、纸质、委托）的选票，"
                        "后者暂不计入，由组织方核对后处理：以第一张有效选票为准。处理结果通知业主，并在公示页的回执核验中留有记录。"),
    BallotRule.WRITTEN: _("同一业主（一户或共有人）只计一张选票。已有选票后再收到其他渠道的选票，后者暂不计入，由组织方核对后处理："
                          "书面选票（纸质或委托）优先于线上投票，同为书面选票时以第一张有效选票为准。处理结果通知业主，"
                          "并在公示页的回执核验中留有记录。"),
    BallotRule.LAST: _("同一业主（一户或共有人）只计一张选票。已有选票后再收到其他渠道的选票，后者暂不计入，由组织方核对后处理："
                       "以最后一张有效选票为准。处理结果通知业主，并在公示页的回执核验中留有记录。"),
}


# Who oversees votes of a compound: street and community staff, and the compound's owners' committee.
ORGANISER_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.COMMITTEE_MEMBER})


class VoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisers over the compound, and the compound's owners (the roll's people)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        # a vote's compound is one of the ancestors of a home: the compound need not be at a fixed depth
        # (it may sit under a grid or directly under a community)
        ancestors = {s.path[:i] for s in user_scopes(user) if s.role == Role.RESIDENT
                     for i in range(STEP, len(s.path) + 1, STEP)}
        q = in_scopes(user, "compound", ORGANISER_ROLES | {Role.GRID_WORKER})
        if ancestors:
            q |= Q(compound__path__in=sorted(ancestors), status__in=[VoteStatus.ANNOUNCED, VoteStatus.CLOSED])
        # the roll is a snapshot: an owner on it votes (and sees the vote) even after selling the unit
        on_roll = RollEntry.objects.filter(vote=OuterRef("pk"), representative__user=user)
        q |= Q(Exists(on_roll), status__in=[VoteStatus.ANNOUNCED, VoteStatus.CLOSED])
        return self.filter(q)


class Vote(TimeStamped):
    """表决 — one question (or one election) put to a compound's owners."""

    compound = models.ForeignKey("places.Place", verbose_name=_("小区"), on_delete=models.PROTECT,
                                 related_name="votes", limit_choices_to={"kind": "compound"})
    kind = models.CharField(_("类型"), max_length=10, choices=VoteKind.choices, default=VoteKind.QUESTION)
    matter = models.CharField(_("表决事项类别"), max_length=32, choices=Matter.choices)
    title = models.CharField(_("标题"), max_length=120)
    question = models.TextField(_("表决内容"))
    attachment = models.FileField(_("附件"), upload_to="votes/%Y/", blank=True)
    seats = models.PositiveSmallIntegerField(_("应选人数"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("公告期（天）"), default=15)
    announced_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    opens_at = models.DateTimeField(_("投票开始"))
    closes_at = models.DateTimeField(_("投票截止"))
    status = models.CharField(_("状态"), max_length=10, choices=VoteStatus.choices, default=VoteStatus.DRAFT)
    count_non_voters_with_majority = models.BooleanField(
        _("未参与表决者计入多数（从多）"), default=False,
        help_text=_("仅当本小区议事规则明确规定时启用；结果页会注明"))
    tie_break = models.CharField(_("得票相同时"), max_length=10, default="heads",
                                 choices=[("heads", _("先比人数再比面积")), ("area", _("先比面积再比人数"))])
    term_years = models.PositiveSmallIntegerField(_("任期（年）"), default=5)
    ballot_rule = models.CharField(_("同一业主多渠道投票时"), max_length=10, choices=BallotRule.choices,
                                   default=BallotRule.FIRST, help_text=_("按本小区议事规则；未规定时以第一张有效选票为准"))
    result = models.JSONField(null=True, blank=True, editable=False)
    tallied_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")
        ordering = ["-opens_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def ballot_rule_text(self) -> str:
        return str(BALLOT_RULE_TEXT[BallotRule(self.ballot_rule)])

    @property
    def rule_matter(self) -> RuleMatter:
        return RuleMatter(self.matter)

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == VoteStatus.ANNOUNCED and self.opens_at <= now < self.closes_at

    @property
    def state_label(self) -> str:
        """What an owner needs to know now: in the notice period, voting, closed awaiting the count…"""
        labels = {"notice": _("公告期（尚未开始投票）"), "open": _("投票中"), "ended": _("已截止，待计票")}
        return str(labels.get(self.window_state(), self.get_status_display()))

    def window_state(self, now=None) -> str:
        now = now or timezone.now()
        if self.status != VoteStatus.ANNOUNCED:
            return self.status
        if now < self.opens_at:
            return "notice"
        if now < self.closes_at:
            return "open"
        return "ended"


class RollEntry(models.Model):
    """投票权登记 — the roll snapshot taken at announcement: one row per exclusive unit."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="roll")
    unit = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    # the unit's 楼栋 when the roll was taken (the by-building breakdown and the count read the roll alone;
    # a unit moved later stays in this building for this vote); null if the unit is under no building
    building = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_key = models.CharField(max_length=200)
    representative = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    owner_names = models.CharField(max_length=200, blank=True)
    area = models.DecimalField(max_digits=10, decimal_places=2)
    developer_unsold = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "unit"], name="assembly_roll_unit_unique")]
        indexes = [models.Index(fields=["vote", "owner_key"], name="assembly_roll_owner")]


class Channel(models.TextChoices):
    ONLINE = "online", _("线上")
    PAPER = "paper", _("纸质")
    PROXY = "proxy", _("委托")


def new_receipt() -> str:
    return secrets.token_hex(6).upper()


class Ballot(TimeStamped):
    """选票 — one per owner head and vote; a change before the close replaces it (each change audited)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    owner_key = models.CharField(max_length=200)
    choice = models.CharField(_("表决意见"), max_length=8, choices=BallotChoice.choices, blank=True)
    candidates = models.JSONField(_("选择的候选人"), default=list, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    serial = models.CharField(_("纸质选票编号"), max_length=40, blank=True)
    proxy = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    authorisation = models.FileField(_("委托书"), upload_to="proxies/%Y/", blank=True)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    receipt = models.CharField(max_length=12, default=new_receipt, unique=True)

    # set by the ballot actions: the ballot held for the organiser instead of replacing this one, if any
    held: BallotConflict | None = None

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "owner_key"], name="assembly_ballot_owner_unique")]
        # the tally reads a vote's ballots in the order they were cast (the last one of a head counts)
        indexes = [models.Index(fields=["vote", "updated_at", "id"], name="assembly_ballot_cast_order")]


class BallotConflict(models.Model):
    """同一业主的另一张选票 — a ballot for a head that already has one, by another channel (or a second written
    ballot): held, never counted and never replacing the recorded one, until an organiser settles it by the
    vote's rule (``Vote.ballot_rule``) in an audited action."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        KEPT = "kept", _("原选票有效，此票不计入")
        REPLACED = "replaced", _("以此票为准")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballot_conflicts")
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="conflicts")
    owner_key = models.CharField(max_length=200)
    # the recorded ballot's channel when this one arrived (it may change later by another settlement)
    recorded_channel = models.CharField(max_length=8, choices=Channel.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    choice = models.CharField(max_length=8, choices=BallotChoice.choices, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    serial = models.CharField(max_length=40, blank=True)
    proxy = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    authorisation = models.FileField(upload_to="proxies/%Y/", blank=True)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reason = models.CharField(_("处理理由"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]


class BallotLog(models.Model):
    """What happened to a head's ballot, for its receipt check and its owners: never how it was cast."""

    class Kind(models.TextChoices):
        CAST = "cast", _("选票已收到")
        CHANGED = "changed", _("业主修改了选票")
        CONFLICT = "conflict", _("收到同一业主的另一张选票，暂不计入，待组织方按规则处理")
        KEPT = "kept", _("组织方按规则处理：原选票有效，另一张选票不计入")
        REPLACED = "replaced", _("组织方按规则处理：改以另一张选票为准，原选票不再计入")

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="log")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class PaperEntry(models.Model):
    """纸质选票录入 — each paper ballot is typed in twice by two different people; a mismatch holds it."""

    class State(models.TextChoices):
        PENDING = "pending", _("待复核")
        CONFIRMED = "confirmed", _("已确认")
        CONFLICT = "conflict", _("两次录入不一致")
        RESOLVED = "resolved", _("已处理")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="paper_entries")
    serial = models.CharField(_("纸质选票编号"), max_length=40)
    owner_key = models.CharField(max_length=200)
    choice = models.CharField(max_length=8, choices=BallotChoice.choices, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    # set by enter_paper_ballot: the confirmed ballot held because the head had already voted, if any
    held: BallotConflict | None = None

    class Meta:
        ordering = ["serial", "created_at", "pk"]


class NominatedBy(models.TextChoices):
    SELF = "self", _("自荐")
    OWNERS = "owners", _("业主联名推荐")
    PARTY_BRANCH = "party_branch", _("党组织推荐")


class Vetting(models.TextChoices):
    PENDING = "pending", _("待审查")
    APPROVED = "approved", _("审查通过")
    REJECTED = "rejected", _("审查未通过")


class Candidate(TimeStamped):
    """候选人 — nominated, vetted (with the flags shown to the vetting body), then on the ballot."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    nominated_by = models.CharField(_("提名方式"), max_length=16, choices=NominatedBy.choices)
    statement = models.CharField(_("个人简介"), max_length=500, blank=True)
    flags = models.JSONField(_("审查提示"), default=list, blank=True)
    vetting = models.CharField(_("资格审查"), max_length=10, choices=Vetting.choices, default=Vetting.PENDING)
    vetting_reason = models.CharField(_("审查意见"), max_length=300, blank=True)
    vetted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["vote", "person"], name="assembly_candidate_unique")]

    def __str__(self) -> str:
        return self.person.name


class CandidateFlag(models.Model):
    """审查提示 — facts the vetting body must see (欠缴物业费, 违规搭建…), recorded by staff."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="vetting_flags")
    text = models.CharField(_("情况"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

