"""节假日与调休 page: odd input never breaks it, and from 1 November a missing next year is loud."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.core.calendar import missing_next_year
from gongzhi.core.models import Event, Holiday


@pytest.mark.parametrize("year", ["abc", "0", "99999", "1999", "2101", "-5"])
def test_a_bad_year_shows_this_year_with_a_message(client, street_staff, year):
    Holiday.objects.update_or_create(date=timezone.localdate().replace(month=3, day=3),
                                     defaults={"kind": "off", "name": "测试假日"})
    client.force_login(street_staff)
    r = client.get(f"/requests/calendar/?year={year}")
    assert r.status_code == 200
    assert r.context["year"] == timezone.localdate().year
    assert "年份须在2000到2100之间，已显示今年" in r.content.decode()
    assert "测试假日" in r.content.decode()


def test_a_good_year_is_shown(client, street_staff):
    Holiday.objects.create(date=datetime.date(2031, 10, 1), kind="off", name="国庆节")
    client.force_login(street_staff)
    r = client.get("/requests/calendar/?year=2031")
    assert r.context["year"] == 2031
    assert "国庆节" in r.content.decode()


@pytest.mark.parametrize("value", ["abc", "", "1.5", "-1"])
def test_removing_a_non_number_is_404_and_removes_nothing(client, street_staff, value):
    Holiday.objects.create(date=datetime.date(2031, 10, 1), kind="off", name="国庆节")
    days = Holiday.objects.count()
    client.force_login(street_staff)
    r = client.post("/requests/calendar/", {"remove": value})
    assert r.status_code == 404
    assert Holiday.objects.count() == days
    assert not Event.objects.filter(verb="workorders.update_calendar").exists()


def test_removing_a_day_is_audited(client, street_staff):
    day = Holiday.objects.create(date=datetime.date(2031, 10, 1), kind="off", name="国庆节")
    client.force_login(street_staff)
    assert client.post("/requests/calendar/", {"remove": str(day.pk)}).status_code == 302
    assert not Holiday.objects.filter(date__year=2031).exists()
    assert Event.objects.get(verb="workorders.update_calendar").before == {"date": "2031-10-01", "kind": "off"}


def test_missing_next_year_from_the_first_of_november(db):
    Holiday.objects.filter(date__year=2027).delete()
    assert missing_next_year(datetime.date(2026, 10, 31)) is None
    assert missing_next_year(datetime.date(2026, 11, 1)) == 2027
    assert missing_next_year(datetime.date(2026, 12, 31)) == 2027
    Holiday.objects.create(date=datetime.date(2027, 1, 1), kind="off", name="元旦")
    assert missing_next_year(datetime.date(2026, 12, 1)) is None


@pytest.fixture
def first_of_december(monkeypatch):
    """Today is 1 December 2026 (Django's clock, not ours, is set)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 12, 1))


def test_the_page_warns_and_stops_warning_once_next_year_is_entered(client, street_staff, first_of_december):
    Holiday.objects.filter(date__year=2027).delete()
    client.force_login(street_staff)
    r = client.get("/requests/calendar/")
    assert r.context["missing_year"] == 2027
    assert "2027 年的法定节假日和调休上班日还没有录入" in r.content.decode()
    client.post("/requests/calendar/", {"date": "2027-01-01", "kind": "off", "name": "元旦"})
    r = client.get("/requests/calendar/")
    assert r.context["missing_year"] is None
    assert "还没有录入" not in r.content.decode()


def test_tick_logs_the_missing_year(db, caplog, first_of_december):
    Holiday.objects.filter(date__year=2027).delete()
    with caplog.at_level(logging.WARNING, logger="gongzhi.tick"):
        call_command("tick", "--once")
    assert [r.getMessage() for r in caplog.records if r.name == "gongzhi.tick"] == [
        "2027 年的法定节假日和调休尚未录入（/requests/calendar/），跨年的诉求时限将把节假日算作工作日"]
    caplog.clear()
    Holiday.objects.create(date=datetime.date(2027, 1, 1), kind="off", name="元旦")
    with caplog.at_level(logging.WARNING, logger="gongzhi.tick"):
        call_command("tick", "--once")
    assert [r for r in caplog.records if r.name == "gongzhi.tick"] == []
