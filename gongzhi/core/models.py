"""Shared pieces: timestamps and the append-only audit trail (操作日志)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .events import verb_label
from .middleware import client_ip
from .roles import Role
from .scope import scope_paths


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    pass


class EventQuerySet(models.QuerySet):
    """Refuses changes in Python; the database refuses them too, whatever the path (``QuerySet(Event)``, raw
    SQL): triggers from migration 0005 (:data:`APPEND_ONLY_SQL`)."""

    def update(self, **kwargs):  # noqa: ARG002
        raise AppendOnlyError("操作日志只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("操作日志只能追加，不能删除")

    def _raw_delete(self, using):  # noqa: ARG002
        raise AppendOnlyError("操作日志只能追加，不能删除")

    def visible_to(self, user):
        """Street staff read the events recorded in their subtrees (where the thing was at the time)."""
        if user.is_superuser:
            return self
        paths = scope_paths(user, {Role.STREET_STAFF})
        if not paths:
            return self.none()
        return self.filter(Q(*[("place_path__startswith", p) for p in paths], _connector=Q.OR))


class Event(models.Model):
    """操作日志 — one append-only row per state change, PII reveal or sign-in."""

    # PROTECT: an account or a content type with history cannot be deleted (accounts are stopped instead);
    # SET_NULL would rewrite history, and the database's triggers refuse that UPDATE anyway
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("动作"), max_length=64, db_index=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # where the changed thing was when it changed: the place's tree path (a prefix is a subtree) and its
    # name then. A snapshot, as the rest of the row: a later move or rename of the place does not rewrite it.
    place_path = models.CharField(_("所属区域路径"), max_length=64, blank=True, default="")
    place_name = models.CharField(_("所属区域"), max_length=100, blank=True, default="")
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    public = models.BooleanField(default=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-at", "-pk"]
        base_manager_name = "objects"  # Event._base_manager refuses update and delete too
        indexes = [models.Index(fields=["target_type", "target_id", "at"], name="core_event_target"),
                   models.Index(fields=["place_path", "at"], name="core_event_place",
                                opclasses=["varchar_pattern_ops", "timestamptz_ops"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("操作日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("操作日志只能追加，不能删除")

    @property
    def verb_label(self) -> str:
        return verb_label(self.verb)

    @classmethod
    def record(
        cls,
        actor,
        verb: str,
        target: models.Model | None = None,
        *,
        place=None,
        summary: str = "",
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        public: bool = False,
    ) -> Event:
        if actor is not None and not getattr(actor, "is_authenticated", False):
            actor = None
        if place is None and target is not None:
            place = _place_of(target)
        return cls.objects.create(
            actor=actor,
            verb=str(verb),
            target_type=ContentType.objects.get_for_model(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
            target_repr=str(target)[:200] if target is not None else "",
            place_path=place.path if place is not None else "",
            place_name=(place.name or "")[:100] if place is not None else "",
            summary=summary[:300],
            before=before or {},
            after=after or {},
            ip=client_ip.get(),
            public=public,
        )


def _place_of(obj):
    """The place an event is recorded at: the target itself when it is a tree node (it has a ``path``),
    else the target's ``place``. Core knows the tree only by this shape (a ``path`` and a ``name``)."""
    if isinstance(getattr(obj, "path", None), str) and hasattr(obj, "name"):
        return obj
    if getattr(obj, "place_id", None) is None:
        return None
    return getattr(obj, "place", None)


class DayKind(models.TextChoices):
    OFF = "off", _("放假")
    WORK = "work", _("调休上班")


class Holiday(models.Model):
    """法定节假日与调休 — overrides of the Monday–Friday week, editable by street staff."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=4, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
