"""Every change to the region tree. One function per verb, one transaction each, one audit Event."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from gongzhi.core.models import Event
from gongzhi.core.permissions import require
from gongzhi.core.scope import bump_scope_versions
from gongzhi.core.utils import apply_changes

from .events import Verb
from .geo import boundary_summary, clean_location
from .models import PARENT_KINDS, STEP, Kind, Place, decode_step, encode_step

EDITABLE_FIELDS = (
    "name", "code", "management_mode", "cluster", "registered_area", "surveyed_area", "contract_area", "address",
    "developer_held", "latitude", "longitude", "boundary",
)
LOCATION_FIELDS = ("latitude", "longitude", "boundary")


def check_parent(kind: str, parent: Place | None) -> None:
    allowed = PARENT_KINDS[kind]
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in allowed:
        names = "、".join(str(Kind(k).label) for k in allowed if k is not None) or _("无（根节点）")
        raise ValidationError(
            {"parent": _("%(kind)s 不能放在 %(parent)s 之下，上级应为：%(allowed)s")
             % {"kind": Kind(kind).label, "parent": Kind(parent_kind).label if parent_kind else _("根"),
                "allowed": names}},
            code="bad_parent",
        )


def check_fields(kind: str, fields: dict) -> dict:
    """Check a place's fields; returns the location fields normalised (``places.geo.clean_location``)."""
    errors = {}
    name = (fields.get("name") or "").strip()
    if not name:
        errors["name"] = _("名称不能为空")
    elif len(name) > 100:
        errors["name"] = _("名称不能超过100个字")
    for key in ("registered_area", "surveyed_area", "contract_area"):
        value = fields.get(key)
        if value is not None and Decimal(value) < 0:
            errors[key] = _("面积不能为负数")
    if kind != Kind.HOUSEHOLD and fields.get("developer_held"):
        errors["developer_held"] = _("只有户可以标记为建设单位未售出或未交付")
    if kind != Kind.COMPOUND and fields.get("management_mode"):
        errors["management_mode"] = _("只有小区有管理模式")
    code = fields.get("code") or ""
    if code and len(code) > 40:
        errors["code"] = _("编码不能超过40个字符")
    location: dict = {}
    try:
        location = clean_location({k: fields[k] for k in LOCATION_FIELDS if k in fields}, kind=kind)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return location


def check_code_free(code: str, *, exclude_pk: int | None = None) -> None:
    others = Place.objects.filter(code=code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if code and others.exists():
        raise ValidationError({"code": _("编码 %(code)s 已被使用") % {"code": code}}, code="duplicate_code")


def next_child_paths(parent: Place | None, count: int) -> list[str]:
    """Reserve ``count`` fresh path segments under ``parent`` (caller holds the parent's row lock)."""
    prefix = parent.path if parent else ""
    depth = parent.depth + 1 if parent else 0
    last = (
        Place.objects.filter(path__startswith=prefix, depth=depth)
        .aggregate(m=Max("path"))["m"]
    )
    start = decode_step(last[-STEP:]) + 1 if last else 0
    return [prefix + encode_step(start + i) for i in range(count)]


def _lock(place: Place | None) -> Place | None:
    if place is None:
        return None
    return Place.objects.select_for_update().get(pk=place.pk)


def create_place(*, parent: Place | None, kind: str, by, **fields) -> Place:
    """新建区域节点."""
    fields = {**fields, **check_fields(kind, fields)}
    with transaction.atomic():
        parent = _lock(parent)
        require(by, "places.create_place", parent)
        check_parent(kind, parent)
        check_code_free(fields.get("code") or "")
        place = Place(kind=kind, parent=parent, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
        place.name = place.name.strip()
        place.path = next_child_paths(parent, 1)[0]
        place.depth = len(place.path) // STEP - 1
        place.save()
        Event.record(by, Verb.CREATE_PLACE, place, summary=place.name,
                     after={"kind": kind, "name": place.name, "parent": parent.pk if parent else None})
    return place


def update_place(place: Place, *, by, **fields) -> Place:
    """修改区域节点 (name, code, mode, areas)."""
    with transaction.atomic():
        place = Place.objects.select_for_update().get(pk=place.pk)
        require(by, "places.update_place", place)
        merged = {k: getattr(place, k) for k in EDITABLE_FIELDS} | fields
        location = check_fields(place.kind, merged)
        fields = {**fields, **{k: v for k, v in location.items() if k in fields}}
        check_code_free(merged.get("code") or "", exclude_pk=place.pk)
        editable = {k: v.strip() if k == "name" else v for k, v in fields.items() if k in EDITABLE_FIELDS}
        before, after = apply_changes(place, editable)
        if not after:
            return place
        place.save(update_fields=[*[k for k in after], "updated_at"])
        for snapshot in (before, after):  # the audit trail names the shape, not the whole GeoJSON
            if "boundary" in snapshot:
                snapshot["boundary"] = boundary_summary(snapshot["boundary"])
        Event.record(by, Verb.UPDATE_PLACE, place, summary=place.name, before=before, after=after)
    return place


def move_place(place: Place, *, new_parent: Place, by) -> Place:
    """移动区域节点 with its whole subtree; counts stay right because they are derived from paths."""
    with transaction.atomic():
        # lock in a fixed order (by pk) to avoid deadlocks between concurrent moves
        locked = {p.pk: p for p in Place.objects.select_for_update().filter(pk__in=[place.pk, new_parent.pk])
                  .order_by("pk")}
        place, new_parent = locked[place.pk], locked[new_parent.pk]
        require(by, "places.move_place", place)
        require(by, "places.create_place", new_parent)
        if new_parent.path.startswith(place.path):
            raise ValidationError({"parent": _("不能把区域移动到它自己或它的下级之下")}, code="cycle")
        check_parent(place.kind, new_parent)
        if place.parent_id == new_parent.pk:
            return place
        old_path, old_parent_id = place.path, place.parent_id
        new_path = next_child_paths(new_parent, 1)[0]
        delta = (len(new_path) - len(old_path)) // STEP
        Place.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
            depth=F("depth") + delta,
        )
        Place.objects.filter(pk=place.pk).update(parent=new_parent)
        bump_scope_versions(under_path=new_path)  # posts and homes in the subtree now have new paths
        place.refresh_from_db()
        Event.record(by, Verb.MOVE_PLACE, place, summary=place.name,
                     before={"parent": old_parent_id}, after={"parent": new_parent.pk})
    return place

