"""Pure rules of joint meetings (no Django, no models): the fixed meeting day and the quorum.

- :func:`meeting_day`: the 议事日 of a month — the series' day of the month (clipped to the month's last day), moved
  to the next working day when it falls on a weekend or a 法定节假日; a 调休 Saturday is a working day and keeps it.
  The working days come from ``core.calendar.WorkCalendar.is_workday``, passed in.
- :func:`quorum_met`: every member organisation present (``all``), or more than half of them (``majority``).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable, Iterable


def meeting_day(year: int, month: int, day_of_month: int,
                is_workday: Callable[[datetime.date], bool]) -> datetime.date:
    """The meeting day of ``year``-``month``: ``day_of_month`` or, off a working day, the next working day."""
    last = calendar.monthrange(year, month)[1]
    day = datetime.date(year, month, min(max(day_of_month, 1), last))
    for _i in range(60):  # the longest holiday (春节 with weekends) is far shorter
        if is_workday(day):
            return day
        day += datetime.timedelta(days=1)
    raise ValueError("no working day within 60 days")


def months_from(start: datetime.date, count: int) -> list[tuple[int, int]]:
    """(year, month) of ``count`` months starting with ``start``'s month."""
    out, year, month = [], start.year, start.month
    for _i in range(count):
        out.append((year, month))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def quorum_met(rule: str, members: Iterable[int], present: Iterable[int]) -> bool:
    """Is the meeting quorate? ``members``: the member organisations; ``present``: organisations signed in."""
    members, present = set(members), set(present)
    if not members:
        return False
    here = members & present
    if rule == "majority":
        return 2 * len(here) > len(members)
    return here == members


def missing_members(members: Iterable[int], present: Iterable[int]) -> set[int]:
    return set(members) - set(present)
