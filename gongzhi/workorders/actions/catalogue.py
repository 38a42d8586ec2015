"""服务目录 and its parameters (street staff, ``workorders.manage_catalogue``): categories, 时限 per
category × urgency, 诉求参数 (``ServiceSettings``) and the 节假日 calendar. Each change is audited with
before and after."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core.models import DayKind, Event, Holiday
from gongzhi.core.permissions import require
from gongzhi.core.utils import apply_changes, changed_fields
from gongzhi.people.models import Organisation, OrgKind

from ..catalogue import LEVELS
from ..events import Verb
from ..models import (
    CATEGORY_DESCRIPTION_MAX,
    CODE_MAX,
    NAME_MAX,
    Category,
    HandlerKind,
    ServiceLevel,
    ServiceSettings,
    TimeUnit,
)
from .cleaning import whole_number


def update_service_level(level: ServiceLevel, *, by, **fields) -> ServiceLevel:
    """修改服务时限."""
    for key in ("response_value", "resolution_value"):
        if key in fields and Decimal(fields[key]) < 1:
            raise ValidationError({key: _("时限至少为1")})
    for key in ("response_unit", "resolution_unit"):
        if key in fields and fields[key] not in TimeUnit.values:
            raise ValidationError({key: _("单位无效")})
    with transaction.atomic():
        require(by, "workorders.manage_catalogue")
        level = ServiceLevel.objects.select_for_update().get(pk=level.pk)
        before, after = {}, {}
        for key, value in fields.items():
            old = getattr(level, key)
            if str(old) != str(value):
                before[key], after[key] = str(old), str(value)
                setattr(level, key, value)
        if not after:
            return level
        level.save()
        Event.record(by, Verb.UPDATE_CATALOGUE, level, summary=str(level), before=before, after=after)
    return level


CATEGORY_CODE = re.compile(r"^[a-z0-9_]+$")
CATEGORY_FIELDS = ("name", "description", "handler_kind", "department", "sort", "personal")


def _clean_category(*, name: str, handler_kind: str, department: Organisation | None, sort: object,
                    exclude_pk: int | None = None) -> dict:
    """The rules every category keeps: a unique name, a known handler kind, a department when (and only
    when) a department handles it, a sort position 0–32767."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写类别名称")
    elif len(name) > NAME_MAX:
        errors["name"] = _("类别名称不能超过%(n)s个字") % {"n": NAME_MAX}
    elif Category.objects.filter(name=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = _("已有同名类别")
    if handler_kind not in HandlerKind.values:
        errors["handler_kind"] = _("请选择默认承办")
    elif handler_kind == HandlerKind.DEPARTMENT:
        if department is None:
            errors["department"] = _("由职能部门承办的类别须选择承办部门")
        elif department.kind != OrgKind.DEPARTMENT:
            errors["department"] = _("所选组织不是职能部门")
    number = whole_number(sort)
    if number is None or not 0 <= number <= 32767:
        errors["sort"] = _("排序须为0到32767之间的整数")
    if errors:
        raise ValidationError(errors)
    return {"name": name, "handler_kind": handler_kind,
            "department": department if handler_kind == HandlerKind.DEPARTMENT else None, "sort": number}


def _category_fields(category: Category) -> dict:
    return {"name": category.name, "description": category.description, "handler_kind": category.handler_kind,
            "department": category.department_id, "sort": category.sort, "personal": category.personal}


def create_category(*, code: str, name: str, handler_kind: str, by, department: Organisation | None = None,
                    sort: int = 100, description: str = "", personal: bool = False) -> Category:
    """新建服务类别, with a 时限 for every urgency from the seeded Beijing 12345 defaults (edit them after).
    ``personal`` (个人事务): its requests are not public by default and not shown to the 业委会."""
    code = (code or "").strip()
    errors = {}
    if not code:
        errors["code"] = _("请填写类别代码")
    elif len(code) > CODE_MAX or not CATEGORY_CODE.match(code):
        errors["code"] = _("代码只能由小写字母、数字和下划线组成，不超过%(n)s个字符") % {"n": CODE_MAX}
    elif Category.objects.filter(code=code).exists():
        errors["code"] = _("已有相同代码的类别")
    try:
        fields = _clean_category(name=name, handler_kind=handler_kind, department=department, sort=sort)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    description = (description or "").strip()[:CATEGORY_DESCRIPTION_MAX]
    with transaction.atomic():
        require(by, "workorders.manage_catalogue")
        try:
            with transaction.atomic():  # the unique constraints decide a race between two creators
                category = Category.objects.create(code=code, description=description, personal=bool(personal),
                                                   **fields)
        except IntegrityError:
            raise ValidationError({"code": _("已有相同代码或名称的类别")}) from None
        ServiceLevel.objects.bulk_create([
            ServiceLevel(category=category, urgency=urgency, response_value=Decimal(rv), response_unit=ru,
                         resolution_value=Decimal(sv), resolution_unit=su)
            for urgency, (rv, ru, sv, su) in LEVELS.items()])
        Event.record(by, Verb.CREATE_CATEGORY, category, summary=category.name,
                     after={"code": code, **_category_fields(category)})
    return category


def update_category(category: Category, *, by, name: str, handler_kind: str,
                    department: Organisation | None = None, sort: int = 100, description: str = "",
                    personal: bool | None = None) -> Category:
    """修改服务类别: name, default handler (kind and department), sort position, description, 个人事务
    (``personal``; None keeps it). The code stays: the API and Open311 clients name categories by it."""
    fields = _clean_category(name=name, handler_kind=handler_kind, department=department, sort=sort,
                             exclude_pk=category.pk)
    fields["description"] = (description or "").strip()[:CATEGORY_DESCRIPTION_MAX]
    if personal is not None:
        fields["personal"] = bool(personal)
    with transaction.atomic():
        require(by, "workorders.manage_catalogue")
        category = Category.objects.select_for_update().get(pk=category.pk)
        snapshot = _category_fields(category)
        for key, value in fields.items():
            setattr(category, key, value)
        before, after = changed_fields(snapshot, _category_fields(category))
        if not after:
            return category
        try:
            with transaction.atomic():
                category.save()
        except IntegrityError:
            raise ValidationError({"name": _("已有同名类别")}) from None
        Event.record(by, Verb.UPDATE_CATEGORY, category, summary=category.name,
                     before=before, after=after)
    return category


def set_category_active(category: Category, *, active: bool, by) -> Category:
    """停用/启用服务类别: a stopped category leaves the filing forms and the service lists; the requests already
    filed under it keep it."""
    with transaction.atomic():
        require(by, "workorders.manage_catalogue")
        category = Category.objects.select_for_update().get(pk=category.pk)
        if category.active == active:
            return category
        category.active = active
        category.save(update_fields=["active", "updated_at"])
        Event.record(by, Verb.ACTIVATE_CATEGORY if active else Verb.DEACTIVATE_CATEGORY, category,
                     summary=category.name, before={"active": not active}, after={"active": active})
    return category


# 诉求参数: field → (lowest, highest) allowed
SETTINGS_BOUNDS: dict[str, tuple[Decimal, Decimal]] = {
    "reopen_days": (Decimal(1), Decimal(365)),
    "unrated_days": (Decimal(1), Decimal(365)),
    "satisfied_min": (Decimal(1), Decimal(5)),
    "basic_satisfied_score": (Decimal(1), Decimal(5)),
    "basic_satisfied_weight": (Decimal(0), Decimal(1)),
    "grab_minutes": (Decimal(1), Decimal(1440)),
    "whistle_ack_hours": (Decimal("0.5"), Decimal(720)),
    "escalate_after_hours": (Decimal("0.5"), Decimal(720)),
}
WHOLE_SETTINGS = ("reopen_days", "unrated_days", "satisfied_min", "basic_satisfied_score", "grab_minutes")


def update_service_settings(*, by, **fields) -> ServiceSettings:
    """修改诉求参数 (the windows and the 三率 formulas' parameters), audited with before and after."""
    errors: dict[str, str] = {}
    clean: dict[str, object] = {}
    for key, value in fields.items():
        if key == "unrated_in_denominator":
            clean[key] = bool(value)
            continue
        if key not in SETTINGS_BOUNDS:
            raise ValueError(key)
        low, high = SETTINGS_BOUNDS[key]
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            number = None
        if number is None or not number.is_finite():
            errors[key] = _("请填写数字")
        elif key in WHOLE_SETTINGS and number != number.to_integral_value():
            errors[key] = _("须为整数")
        elif not low <= number <= high:
            errors[key] = _("须在%(low)s到%(high)s之间") % {"low": low, "high": high}
        else:
            clean[key] = int(number) if key in WHOLE_SETTINGS else number
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        require(by, "workorders.manage_catalogue")
        ServiceSettings.current()
        cfg = ServiceSettings.objects.select_for_update().get(pk=1)
        if clean.get("basic_satisfied_score", cfg.basic_satisfied_score) >= clean.get(  # type: ignore[operator]
                "satisfied_min", cfg.satisfied_min):
            raise ValidationError({"basic_satisfied_score": _("基本满意分须低于满意最低分")})
        before, after = apply_changes(cfg, clean)
        if not after:
            return cfg
        cfg.save()
        Event.record(by, Verb.UPDATE_SERVICE_SETTINGS, cfg, summary=str(_("诉求参数")), before=before, after=after)
    return cfg



def set_holiday(*, date: datetime.date, kind: str, name: str, by):
    """设置节假日或调休上班日 (replaces what the date had)."""
    if kind not in DayKind.values:
        raise ValidationError({"kind": _("类型无效")})
    with transaction.atomic():
        require(by, "workorders.manage_catalogue")
        day, _created = Holiday.objects.update_or_create(date=date, defaults={"kind": kind, "name": name[:30]})
        Event.record(by, Verb.UPDATE_CALENDAR, day, summary=str(day), after={"date": date.isoformat(), "kind": kind})
    return day


def remove_holiday(day, *, by) -> None:
    with transaction.atomic():
        require(by, "workorders.manage_catalogue")
        Event.record(by, Verb.UPDATE_CALENDAR, day, summary=str(day), before={"date": day.date.isoformat(),
                                                                             "kind": day.kind})
        day.delete()
