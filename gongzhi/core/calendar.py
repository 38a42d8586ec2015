"""The working-day calendar: Monday–Friday, minus 法定节假日, plus 调休 make-up working days.

Deadlines are computed in local time (Asia/Shanghai) and returned as aware datetimes.
- ``add_hours``: natural hours (emergencies run round the clock);
- ``add_working_hours``: hours counted only inside the working window of working days;
- ``add_working_days``: the same clock time on the n-th working day after the start day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from .models import DayKind, Holiday


@dataclass
class WorkCalendar:
    overrides: dict[datetime.date, str] = field(default_factory=dict)
    day_start: datetime.time = datetime.time(9, 0)
    day_end: datetime.time = datetime.time(17, 30)

    @classmethod
    def load(cls, around: datetime.date | None = None) -> WorkCalendar:
        around = around or timezone.localdate()
        rows = Holiday.objects.filter(date__range=(around - datetime.timedelta(days=400),
                                                   around + datetime.timedelta(days=800)))
        start = datetime.time.fromisoformat(settings.WORKDAY_START)
        end = datetime.time.fromisoformat(settings.WORKDAY_END)
        return cls({r.date: r.kind for r in rows}, start, end)

    def is_workday(self, day: datetime.date) -> bool:
        kind = self.overrides.get(day)
        if kind == DayKind.OFF:
            return False
        if kind == DayKind.WORK:
            return True
        return day.weekday() < 5

    def next_workday(self, day: datetime.date) -> datetime.date:
        day += datetime.timedelta(days=1)
        while not self.is_workday(day):
            day += datetime.timedelta(days=1)
        return day

    def add_working_days(self, start: datetime.datetime, days: int) -> datetime.datetime:
        local = timezone.localtime(start)
        day = local.date()
        for _i in range(days):
            day = self.next_workday(day)
        return _aware(day, local.time().replace(tzinfo=None))

    def add_working_hours(self, start: datetime.datetime, hours: float) -> datetime.datetime:
        remaining = datetime.timedelta(hours=hours)
        local = timezone.localtime(start)
        day, now = local.date(), local.time().replace(tzinfo=None)
        if not self.is_workday(day) or now >= self.day_end:
            day, now = self.next_workday(day), self.day_start
        elif now < self.day_start:
            now = self.day_start
        while True:
            window = _dt(day, self.day_end) - _dt(day, now)
            if remaining <= window:
                return _aware(day, (_dt(day, now) + remaining).time())
            remaining -= window
            day, now = self.next_workday(day), self.day_start

    def working_days_between(self, a: datetime.date, b: datetime.date) -> int:
        """Working days in (a, b]."""
        n, day = 0, a
        while day < b:
            day += datetime.timedelta(days=1)
            n += self.is_workday(day)
        return n


def add_hours(start: datetime.datetime, hours: float) -> datetime.datetime:
    return start + datetime.timedelta(hours=hours)


def _dt(day: datetime.date, t: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, t)


def _aware(day: datetime.date, t: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, t))


# 国务院办公厅关于2026年部分节假日安排的通知
HOLIDAYS_2026: list[tuple[str, str, str]] = [
    ("2026-01-01", "off", "元旦"), ("2026-01-02", "off", "元旦"), ("2026-01-03", "off", "元旦"),
    ("2026-01-04", "work", "元旦调休"),
    ("2026-02-14", "work", "春节调休"),
    *[(f"2026-02-{d:02d}", "off", "春节") for d in range(15, 24)],
    ("2026-02-28", "work", "春节调休"),
    ("2026-04-04", "off", "清明节"), ("2026-04-05", "off", "清明节"), ("2026-04-06", "off", "清明节"),
    *[(f"2026-05-{d:02d}", "off", "劳动节") for d in range(1, 6)],
    ("2026-05-09", "work", "劳动节调休"),
    ("2026-06-19", "off", "端午节"), ("2026-06-20", "off", "端午节"), ("2026-06-21", "off", "端午节"),
    ("2026-09-20", "work", "国庆节调休"),
    ("2026-09-25", "off", "中秋节"), ("2026-09-26", "off", "中秋节"), ("2026-09-27", "off", "中秋节"),
    *[(f"2026-10-{d:02d}", "off", "国庆节") for d in range(1, 8)],
    ("2026-10-10", "work", "国庆节调休"),
]


# from this day of the year on, next year's 法定节假日 and 调休 days should be in the calendar
NEXT_YEAR_DUE = (11, 1)


def missing_next_year(today: datetime.date | None = None) -> int | None:
    """Next year, if it is 1 November or later and next year has no calendar entries yet (the State Council
    publishes the holidays in the autumn; until they are entered, deadlines crossing New Year count every
    weekday as a working day). Else None."""
    today = today or timezone.localdate()
    if (today.month, today.day) < NEXT_YEAR_DUE:
        return None
    year = today.year + 1
    return None if Holiday.objects.filter(date__year=year).exists() else year
