"""时限: when a request is due, from its category's service level and the working-day calendar."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.calendar import WorkCalendar

from ..models import Category, ServiceLevel, TimeUnit, Urgency


def due_at(start: datetime.datetime, value: Decimal, unit: str, calendar: WorkCalendar | None = None):
    calendar = calendar or WorkCalendar.load(timezone.localdate(start))
    if unit == TimeUnit.HOURS:
        return start + datetime.timedelta(hours=float(value))
    if unit == TimeUnit.WORKING_HOURS:
        return calendar.add_working_hours(start, float(value))
    return calendar.add_working_days(start, int(value))


def service_level(category: Category, urgency: str) -> ServiceLevel:
    level = ServiceLevel.objects.filter(category=category, urgency=urgency).first()
    if level is None:
        raise ValidationError({"urgency": _("“%(c)s”没有设置“%(u)s”的时限，请联系街道配置服务目录") % {
            "c": category.name, "u": Urgency(urgency).label}})
    return level
