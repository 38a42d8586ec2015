"""Working-day deadlines across 法定节假日 and 调休 Saturdays."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.core.calendar import HOLIDAYS_2026, WorkCalendar
from gongzhi.core.models import Holiday

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def cal(db):
    return WorkCalendar.load(datetime.date(2026, 5, 1))


def test_the_2026_schedule_is_seeded(db):
    assert Holiday.objects.get(date="2026-10-01").kind == "off"
    assert Holiday.objects.get(date="2026-10-10").kind == "work"  # a Saturday


def test_working_days_skip_the_national_day_holiday_and_count_the_make_up_saturday(cal):
    # Tue 29 Sep + 1 → Wed 30 Sep; + 2 → 1–7 Oct off, Thu 8 Oct; + 4 → Sat 10 Oct (调休上班)
    assert cal.add_working_days(at(2026, 9, 29), 1) == at(2026, 9, 30)
    assert cal.add_working_days(at(2026, 9, 29), 2) == at(2026, 10, 8)
    assert cal.add_working_days(at(2026, 9, 29), 4) == at(2026, 10, 10)
    assert cal.add_working_days(at(2026, 9, 29), 5) == at(2026, 10, 12)


def test_sunday_make_up_day_counts(cal):
    # Fri 18 Sep + 1 → Sun 20 Sep is a 调休 working day
    assert cal.add_working_days(at(2026, 9, 18, 15), 1) == at(2026, 9, 20, 15)


def test_working_hours_stop_overnight_and_over_the_holiday(cal):
    # Wed 30 Sep 16:30 + 2 working hours: 1 h that day, then Thu 8 Oct 10:00
    assert cal.add_working_hours(at(2026, 9, 30, 16, 30), 2) == at(2026, 10, 8, 10, 0)
    # filed at night: the clock starts at 09:00 next working day
    assert cal.add_working_hours(at(2026, 10, 9, 22), 1) == at(2026, 10, 10, 10, 0)


def test_editing_the_calendar_changes_deadlines(cal, db):
    Holiday.objects.create(date="2026-11-25", kind="off", name="测试")
    fresh = WorkCalendar.load(datetime.date(2026, 11, 24))
    assert fresh.add_working_days(at(2026, 11, 24), 1) == at(2026, 11, 26)


CAL_2026 = WorkCalendar({datetime.date.fromisoformat(d): k for d, k, _n in HOLIDAYS_2026})
START = st.datetimes(min_value=datetime.datetime(2026, 1, 1), max_value=datetime.datetime(2026, 11, 30),
                     timezones=st.just(TZ))


@settings(max_examples=300, deadline=None)
@given(start=START, days=st.integers(min_value=1, max_value=20))
def test_working_day_deadlines_land_on_a_working_day_n_working_days_later(start, days):
    cal = CAL_2026
    due = cal.add_working_days(start, days)
    assert due > start
    assert cal.is_workday(due.date())
    assert due.timetz().replace(tzinfo=None) == start.timetz().replace(tzinfo=None)
    assert cal.working_days_between(start.date(), due.date()) == days


@settings(max_examples=300, deadline=None)
@given(start=START, minutes=st.integers(min_value=1, max_value=60 * 40))
def test_working_hours_consume_exactly_the_working_time(start, minutes):
    cal = CAL_2026
    due = cal.add_working_hours(start, minutes / 60)
    assert due > start and cal.is_workday(due.date())
    assert cal.day_start < due.time() <= cal.day_end
    # count the working minutes between start and due, minute by minute in 30-minute blocks
    total, t = datetime.timedelta(), start
    while t < due:
        step = min(due - t, datetime.timedelta(minutes=30) - datetime.timedelta(
            seconds=(t.minute % 30) * 60 + t.second, microseconds=t.microsecond))
        if cal.is_workday(t.date()) and cal.day_start <= t.time() < cal.day_end:
            total += step
        t += step
    assert abs(total - datetime.timedelta(minutes=minutes)) < datetime.timedelta(seconds=1)
