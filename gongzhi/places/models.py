"""The region tree 区 → 街道 → 社区 → 网格 → 小区 → 楼栋 → 单元 → 户 (materialized path)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStamped
from gongzhi.core.roles import STAFF_ROLES, Role
from gongzhi.core.scope import ScopedQuerySet, in_scopes

STEP = 4  # characters of path per level
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_CHILDREN = len(ALPHABET) ** STEP


def encode_step(n: int) -> str:
    """The n-th child's path segment (0-based), fixed width, sorts like the number."""
    if not 0 <= n < MAX_CHILDREN:
        raise ValueError("too many children under one place")
    chars = []
    for _i in range(STEP):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    return "".join(reversed(chars))


def decode_step(segment: str) -> int:
    n = 0
    for c in segment:
        n = n * len(ALPHABET) + ALPHABET.index(c)
    return n


class Kind(models.TextChoices):
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")
    HOUSEHOLD = "household", _("户")


# Which kinds may sit directly under which. None = a root.
PARENT_KINDS: dict[str, set[str | None]] = {
    Kind.DISTRICT: {None},
    Kind.STREET: {Kind.DISTRICT, None},
    Kind.COMMUNITY: {Kind.STREET},
    Kind.GRID: {Kind.COMMUNITY},
    Kind.COMPOUND: {Kind.GRID, Kind.COMMUNITY},
    Kind.BUILDING: {Kind.COMPOUND},
    Kind.UNIT: {Kind.BUILDING},
    Kind.HOUSEHOLD: {Kind.UNIT, Kind.BUILDING},
}
CHILD_KINDS: dict[str, list[str]] = {k: [c for c, parents in PARENT_KINDS.items() if k in parents] for k in Kind}


class ManagementMode(models.TextChoices):
    MANAGED = "managed", _("专管型")
    ENTRUSTED = "entrusted", _("托管型（片区大物业）")
    SELF_MANAGED = "self_managed", _("自管型")
    QUASI_MANAGED = "quasi_managed", _("准物业")


class Cluster(TimeStamped):
    """片区 — several compounds bundled under one property company (片区大物业)."""

    name = models.CharField(_("片区名称"), max_length=100)
    place = models.ForeignKey("Place", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="clusters")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Whose scopes show places: staff their subtrees, residents their homes (a volunteer's scope says where
# they serve, not what they may read).
VISIBLE_ROLES = STAFF_ROLES | {Role.RESIDENT}


class PlaceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see their scope subtrees; residents see their own households."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(in_scopes(user, "", VISIBLE_ROLES))

    def under(self, place: Place, *, include_self: bool = True):
        qs = self.filter(path__startswith=place.path)
        return qs if include_self else qs.exclude(pk=place.pk)

    def households(self):
        return self.filter(kind=Kind.HOUSEHOLD)


class Place(TimeStamped):
    """区域节点 — one node of the region tree."""

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(
        _("编码"), max_length=40, blank=True, help_text=_("行政区划代码（区、街道、社区）或本平台编码")
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=64, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    # 小区 only
    management_mode = models.CharField(_("管理模式"), max_length=16, choices=ManagementMode.choices, blank=True)
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("片区"), null=True, blank=True, on_delete=models.SET_NULL, related_name="compounds"
    )
    # 户 (专有部分) only: areas in m², the registered one counts for votes
    registered_area = models.DecimalField(_("登记面积(㎡)"), max_digits=10, decimal_places=2, null=True, blank=True)
    surveyed_area = models.DecimalField(_("测绘面积(㎡)"), max_digits=10, decimal_places=2, null=True, blank=True)
    contract_area = models.DecimalField(_("合同面积(㎡)"), max_digits=10, decimal_places=2, null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # 户 only: the 建设单位's unit, unsold or sold but not yet delivered: all such units are one head in owners'
    # votes (司法解释第九条). Recorded, never guessed from a missing owner.
    developer_held = models.BooleanField(
        _("建设单位未售出或未交付"), default=False, db_default=False,  # db_default: rows streamed with COPY
        help_text=_("建设单位尚未出售或已出售但尚未交付的专有部分，在业主表决中合计为一人（司法解释第九条）"))

    # 位置: WGS-84, what phones and Open311 clients send (compounds, optionally buildings and regions). The
    # boundary is GeoJSON (Polygon / MultiPolygon, [经度, 纬度]); both are checked by ``places.geo``.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True,
                                   help_text=_("WGS-84 十进制度数，-90～90，如 34.2712"))
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    help_text=_("WGS-84 十进制度数，-180～180，如 108.9398"))
    boundary = models.TextField(_("边界"), blank=True, default="", db_default="",
                                help_text=_("GeoJSON 的 Polygon 或 MultiPolygon，坐标为 [经度, 纬度]"))

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="places_place_code_unique"),
        ]
        indexes = [
            # scoped lists (households of a grid, page of 20) and subtree counts; prefix LIKE on PostgreSQL
            models.Index(fields=["kind", "path"], name="places_kind_path", opclasses=["varchar_pattern_ops"] * 2),
            models.Index(fields=["path"], name="places_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def area(self):
        """The area that counts: registered, else surveyed, else contract (建筑物区分所有权司法解释)."""
        for value in (self.registered_area, self.surveyed_area, self.contract_area):
            if value is not None:
                return value
        return None

    def ancestors(self):
        prefixes = [self.path[: i * STEP] for i in range(1, self.depth + 1)]
        return Place.objects.filter(path__in=prefixes).order_by("depth")

    def full_name(self) -> str:
        return " / ".join([a.name for a in self.ancestors()] + [self.name])

    def allowed_child_kinds(self) -> list[str]:
        return CHILD_KINDS[self.kind]

    def is_descendant_of(self, other: Place) -> bool:
        return self.path.startswith(other.path) and self.pk != other.pk


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    VALIDATING = "validating", _("校验中")
    INVALID = "invalid", _("校验未通过，未写入")
    WRITING = "writing", _("写入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败，未写入")


# still under way: the 工作台's 进行中的导入 and the import page's ``?running=1``
RUNNING_IMPORTS = (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.WRITING)


class ImportKind(models.TextChoices):
    PLACES = "places", _("区域树")
    HOUSEHOLDS = "households", _("住户与业主")


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(created_by=user)


class ImportJob(models.Model):
    """Excel 导入任务 — validated as a whole; nothing is written unless every row is valid."""

    kind = models.CharField(_("导入内容"), max_length=16, choices=ImportKind.choices)
    # emptied once the job is finished (and IMPORT_FILE_RETENTION_DAYS have passed): the file holds plaintext 身份证
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("文件名"), max_length=200)
    place = models.ForeignKey(Place, verbose_name=_("导入范围"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    written_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # the worker's claim: how many runs it has had, and when the running one last reported (stale → reclaimed)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.DONE,):
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.FAILED)
