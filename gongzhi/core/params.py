"""Bounded parsing of the integers, dates and months that pages, forms and the API accept.

A value a person or a client can type is checked against a domain-sensible range before it reaches a query, a
``timedelta`` or a database column: year 1 or 9999 would overflow as soon as it becomes an aware datetime or the
next day/month, 2026-02-30 is not a date, and an integer above 2^31 (PostgreSQL ``integer``) or 2^63 (SQLite,
``bigint``) cannot be stored or compared in SQL.

- :func:`to_int`, :func:`to_date`, :func:`to_month` parse one value or raise ``ValueError`` with a Chinese message
  naming the field (forms and API schemas turn it into their own error);
- :class:`QueryParams` reads a page's GET filters with them: a bad value is *ignored as a filter* and kept in
  ``ignored`` so the page can say so (``templates/includes/ignored_filters.html``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

# the dates the platform deals in: records, deadlines, votes and filters all fall well inside
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
# the largest value of a 32-bit signed column (PostgreSQL integer): what an unbounded IntegerField may hold
INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)
# primary keys are BigAutoField: an id beyond this cannot be compared in SQL (SQLite: OverflowError)
ID_MAX = 2**63 - 1


_INT = re.compile(r"^[+-]?\d{1,19}$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _named(label: str, message: str) -> str:
    return _("%(label)s：%(message)s") % {"label": label, "message": message} if label else message


def to_int(value, *, low: int = INT32_MIN, high: int = INT32_MAX, label: str = "") -> int:
    """A whole number in ``low..high``; ``ValueError`` (Chinese, naming ``label``) otherwise."""
    text = str(value).strip() if value is not None else ""
    if not _INT.match(text):
        raise ValueError(_named(label, _("必须是整数")))
    number = int(text)
    if number < low:
        raise ValueError(_named(label, _("不能小于 %(n)s") % {"n": low}))
    if number > high:
        raise ValueError(_named(label, _("不能大于 %(n)s") % {"n": high}))
    return number


def check_date(day: datetime.date, *, label: str = "") -> datetime.date:
    """``day`` if it lies in DATE_MIN..DATE_MAX (``date`` or ``datetime``)."""
    plain = day.date() if isinstance(day, datetime.datetime) else day
    if not DATE_MIN <= plain <= DATE_MAX:
        raise ValueError(_named(label, _("日期应在 %(low)s 至 %(high)s 之间") % {
            "low": DATE_MIN.isoformat(), "high": DATE_MAX.isoformat()}))
    return day


def to_date(value, *, label: str = "") -> datetime.date:
    """A real calendar date ``YYYY-MM-DD`` in DATE_MIN..DATE_MAX."""
    match = _DATE.match(str(value or "").strip())
    try:
        if match is None:
            raise ValueError
        day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(_named(label, _("不是有效日期，应为 YYYY-MM-DD"))) from None
    return check_date(day, label=label)


def to_month(value, *, label: str = "") -> datetime.date:
    """The first day of a month given as ``YYYY-MM``, in DATE_MIN..DATE_MAX."""
    match = _MONTH.match(str(value or "").strip())
    try:
        if match is None:
            raise ValueError
        day = datetime.date(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValueError(_named(label, _("不是有效月份，应为 YYYY-MM"))) from None
    return check_date(day, label=label)


def _api_date(day: datetime.date) -> datetime.date:
    return check_date(day)  # its ValueError is the 422's message (core.api_errors: value_error)


# in an API schema: an id the schema refuses when no row can have it, a date in DATE_MIN..DATE_MAX
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
Day = Annotated[datetime.date, AfterValidator(_api_date)]


class QueryParams:
    """A page's GET filters, parsed with bounds. A value that is malformed or out of range is treated as not
    given, and ``ignored`` lists why (shown on the page: the filter was not applied)."""

    def __init__(self, query: Mapping[str, str]) -> None:
        self.query = query
        self.ignored: list[str] = []

    def _raw(self, name: str) -> str:
        return (self.query.get(name) or "").strip()

    def _parse(self, name: str, label: str, parse, **kwargs):
        raw = self._raw(name)
        if not raw:
            return None
        try:
            return parse(raw, label=label, **kwargs)
        except ValueError as exc:
            self.ignored.append(_("%(message)s（“%(value)s”），此条件未使用") % {"message": exc, "value": raw[:40]})
            return None

    def date(self, name: str, label: str) -> datetime.date | None:
        return self._parse(name, label, to_date)

    def month(self, name: str, label: str) -> datetime.date | None:
        return self._parse(name, label, to_month)

    def int(self, name: str, label: str, *, low: int = INT32_MIN, high: int = INT32_MAX) -> int | None:
        return self._parse(name, label, to_int, low=low, high=high)
