"""Excel exports of the dispatcher's queue, the 三率 rankings and the audit log: the page's filters and scope,
every matching row, each export itself an audited Event; outsiders get nothing."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core import exports
from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.workorders import actions

from ..conftest import ROLES


def rows_of(response) -> list[tuple]:
    assert response["Content-Type"] == exports.XLSX
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                  else response.content), read_only=True).worksheets[0]
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def many(filed, tree, resident, utilities):
    """25 more requests (more than one page of the queue) and one in the other community."""
    for i in range(25):
        actions.file_request(by=resident, category=utilities, description=f"楼道灯不亮{i}", place=tree["household"])
    return filed


def test_queue_export_has_every_matching_row_not_just_the_page(client, many, community_staff):
    client.force_login(community_staff)
    r = client.get("/requests/export.xlsx")
    assert r.status_code == 200
    lines = rows_of(r)
    assert lines[0][:3] == ("编号", "类别", "紧急程度")
    assert len(lines) == 1 + 26
    assert {line[1] for line in lines[1:]} == {"水电维修"}
    event = Event.objects.get(verb="workorders.export_requests")
    assert event.actor == community_staff
    assert event.after == {"filters": {"only_open": True}, "rows": 26, "truncated": False}
    assert event.place_name == "莲湖路第一社区"


def test_queue_export_applies_the_page_filters(client, many, community_staff):
    client.force_login(community_staff)
    lines = rows_of(client.get("/requests/export.xlsx?q=楼道灯不亮1"))
    # 楼道灯不亮1 and 楼道灯不亮10 … 19
    assert sorted(line[-1] for line in lines[1:]) == ["楼道灯不亮1"] + [f"楼道灯不亮1{i}" for i in range(10)]
    lines = rows_of(client.get("/requests/export.xlsx?status=rejected"))
    assert lines[1:] == []


def test_queue_export_is_capped_with_a_note(client, many, community_staff, settings):
    settings.EXPORT_MAX_ROWS = 10
    client.force_login(community_staff)
    lines = rows_of(client.get("/requests/export.xlsx"))
    assert len(lines) == 1 + 10 + 1
    assert lines[-1][0] == "仅导出前10行，请缩小筛选范围后再导出其余部分"
    assert Event.objects.get(verb="workorders.export_requests").after["truncated"] is True


# the request is inside a home: the 业委会 sees the common parts only (docs/privacy.md)
EXPORTS_REQUEST = {"street_staff", "community_staff", "grid_worker", "building_head", "property_staff"}


@pytest.mark.parametrize("role", ROLES)
def test_queue_export_is_scoped(request, client, dispatched, resident, role):
    user = resident if role == "resident" else request.getfixturevalue(role)
    client.force_login(user)
    r = client.get("/requests/export.xlsx?all=1")
    if role in ("resident", "volunteer"):
        assert r.status_code == 403
        assert not Event.objects.filter(verb="workorders.export_requests").exists()
        return
    assert r.status_code == 200
    numbers = [line[0] for line in rows_of(r)[1:]]
    assert numbers == ([dispatched.number] if role in EXPORTS_REQUEST else [])
    assert Event.objects.get(verb="workorders.export_requests").after["rows"] == len(numbers)


def test_rankings_export_has_the_figures_and_counts(client, resolved, street_staff, resident):
    actions.rate_request(resolved, by=resident, rating=5)
    client.force_login(street_staff)
    month = timezone.localdate().strftime("%Y-%m")
    r = client.get(f"/requests/rankings/export.xlsx?by=company&month={month}")
    assert r.status_code == 200
    header, *lines = rows_of(r)
    row = dict(zip(header, lines[0], strict=True))
    assert len(lines) == 1
    assert (row["名称"], row["诉求数"], row["解决率(%)"], row["已办结"], row["解决基数"], row["满意率(%)"],
            row["满意"], row["满意率基数"]) == ("万科物业", 1, 100, 1, 1, 100, 1, 1)
    event = Event.objects.get(verb="workorders.export_rankings")
    assert event.after == {"filters": {"month": month, "by": "company", "sort": "satisfaction_rate"}, "rows": 1,
                           "truncated": False}


@pytest.mark.parametrize("role", ROLES)
def test_rankings_export_is_scoped(request, client, resolved, resident, role):
    user = resident if role == "resident" else request.getfixturevalue(role)
    client.force_login(user)
    r = client.get("/requests/rankings/export.xlsx?by=community")
    if role in ("resident", "volunteer"):
        assert r.status_code == 403
        return
    labels = [line[1] for line in rows_of(r)[1:]]
    sees = role in EXPORTS_REQUEST
    assert labels == (["莲湖路第一社区"] if sees else [])


def test_audit_export_follows_the_filters_and_records_itself(client, street_staff, dispatched):
    client.force_login(street_staff)
    r = client.get("/audit/export.xlsx?verb=workorders.dispatch_request")
    assert r.status_code == 200
    header, *lines = rows_of(r)
    assert header[:3] == ("时间", "操作人", "动作")
    # the person's name, not the username (that is the last column)
    assert [(line[1], line[2], line[3], line[-1]) for line in lines] == [("测试community", "派单", dispatched.number,
                                                                          "community")]
    event = Event.objects.get(verb="core.export_audit")
    assert event.after == {"filters": {"verb": "workorders.dispatch_request"}, "rows": 1, "truncated": False}
    # the export is itself in the log, for the street's staff
    lines = rows_of(client.get("/audit/export.xlsx?verb=core.export_audit"))
    assert [(line[1], line[2]) for line in lines[1:]] == [("测试street", "导出操作日志")]


@pytest.mark.parametrize("role", ROLES)
def test_audit_export_only_for_street_staff(request, client, dispatched, role):
    client.force_login(request.getfixturevalue(role))
    r = client.get("/audit/export.xlsx")
    if role != "street_staff":
        assert r.status_code == 403
        assert not Event.objects.filter(verb="core.export_audit").exists()
        return
    assert len(rows_of(r)) > 1


def test_outsider_street_staff_export_sees_no_other_street(client, dispatched, tree, orgs):
    """A street officer of another street: the audit export has none of this street's rows."""
    from gongzhi.people import actions as people_actions
    from gongzhi.people.models import OrgKind
    from gongzhi.people.roles import Title
    from gongzhi.places import actions as place_actions

    from ..conftest import make_account

    other = place_actions.create_place(parent=tree["district"], kind="street", name="北院门街道", code="610104002",
                                       by=SYSTEM)
    office = people_actions.create_organisation(kind=OrgKind.PARTY_COMMITTEE, name="北院门街道党工委", place=other,
                                                by=SYSTEM)
    user = make_account("street2", place=other, posts=[(office, Title.STREET_SECRETARY, other)])
    client.force_login(user)
    lines = rows_of(client.get("/audit/export.xlsx"))
    assert {line[4] for line in lines[1:]} == {"北院门街道"}
    assert dispatched.number not in {line[3] for line in lines[1:]}
