"""The 议事日: the series' day of the month, or — on a weekend or a 法定节假日 — the next working day; a 调休
Saturday or Sunday is a working day and keeps it (2026's calendar, core.calendar.HOLIDAYS_2026)."""

import datetime

import pytest

from gongzhi.core.calendar import HOLIDAYS_2026, WorkCalendar
from gongzhi.core.permissions import SYSTEM
from gongzhi.meetings import actions, rules
from gongzhi.meetings.models import Meeting

CALENDAR = WorkCalendar({datetime.date.fromisoformat(d): kind for d, kind, _name in HOLIDAYS_2026})
D = datetime.date


@pytest.mark.parametrize(("_case", "month", "day", "expected"), [
    ("a Thursday keeps its day", 12, 10, D(2026, 12, 10)),
    ("a Saturday moves to Monday", 1, 10, D(2026, 1, 12)),
    ("a Sunday moves to Monday", 5, 10, D(2026, 5, 11)),
    ("the 调休 Sunday of 元旦 is a working day", 1, 4, D(2026, 1, 4)),
    ("the 调休 Saturday after 国庆 is a working day", 10, 10, D(2026, 10, 10)),
    ("国庆 moves the 1st past the whole week", 10, 1, D(2026, 10, 8)),
    ("春节 moves the 15th past the holiday", 2, 15, D(2026, 2, 24)),
    ("劳动节 moves the 1st to the 6th", 5, 1, D(2026, 5, 6)),
    ("the 31st of February is its last day (a 调休 Saturday)", 2, 31, D(2026, 2, 28)),
    ("the 31st of April is the 30th, a Thursday", 4, 31, D(2026, 4, 30)),
    ("端午 on a Friday moves to Monday", 6, 19, D(2026, 6, 22)),
])
def test_meeting_day(_case, month, day, expected):
    assert rules.meeting_day(2026, month, day, CALENDAR.is_workday) == expected


def test_without_the_holidays_only_weekends_move():
    plain = WorkCalendar({})
    assert rules.meeting_day(2026, 10, 1, plain.is_workday) == D(2026, 10, 1)  # a Thursday, no 国庆 known
    assert rules.meeting_day(2026, 10, 10, plain.is_workday) == D(2026, 10, 12)  # a Saturday, no 调休 known


def test_generated_meetings_follow_the_calendar_in_the_database(series):
    """From 2026-09-15, three months: 10 Oct is the 调休 Saturday (kept), 10 Nov a Tuesday, 10 Dec a Thursday;
    September's 10th has passed."""
    Meeting.objects.filter(series=series).delete()
    made = actions.generate_meetings(series, by=SYSTEM, today=D(2026, 9, 15))
    assert [actions.local_day(m) for m in made] == [D(2026, 10, 10), D(2026, 11, 10), D(2026, 12, 10)]
    assert [m.number for m in made] == [1, 2, 3]
    assert made[0].title == "第1次联席会议"
    assert actions.generate_meetings(series, by=SYSTEM, today=D(2026, 9, 15)) == []  # nothing twice
    assert Meeting.objects.filter(series=series).count() == 3


def test_a_holiday_month_generates_its_meeting_after_the_holiday(tree, orgs, community_staff):
    series = actions.create_series(by=community_staff, place=tree["community"], name="议事会", day_of_month=1,
                                   members=[orgs["community_party"]], months_ahead=1)
    (made,) = actions.generate_meetings(series, by=SYSTEM, today=D(2026, 9, 30))
    assert actions.local_day(made) == D(2026, 10, 8)
    assert made.period == D(2026, 10, 1)


def test_the_tick_generates_ahead_once(series):
    from gongzhi.meetings import jobs

    before = Meeting.objects.filter(series=series).count()
    made = jobs.generate_ahead(today=D(2027, 3, 1))
    assert made == 4  # March (its 10th is still ahead) and the three months after
    assert jobs.generate_ahead(today=D(2027, 3, 1)) == 0
    assert Meeting.objects.filter(series=series).count() == before + 4
