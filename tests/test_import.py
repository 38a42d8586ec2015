"""Excel import: every row validated, per-row Chinese errors, nothing written unless every row is valid."""

import dataclasses
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.models import Event
from gongzhi.people.imports import HOUSEHOLD_COLUMNS
from gongzhi.people.models import HouseholdMember, Person
from gongzhi.places.imports import PLACE_COLUMNS, create_import, run_import
from gongzhi.places.models import ImportJob, ImportStatus, Kind, Place

from .xlsx import xlsx

GOOD_TREE = [
    ["小区", "新苑", "N1", "G1", "专管型", None, "青年路8号"],
    ["楼栋", "1号楼", "N1-1", "N1", None, None, None],
    ["单元", "1单元", "N1-1-1", "N1-1", None, None, None],
    ["户", "101", "N1-1-1-101", "N1-1-1", None, 88.5, None],
    ["户", "102", "N1-1-1-102", "N1-1-1", None, 96, None],
]


_capture = None


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


def _import(kind, upload, place, user):
    """Upload as the view does; the job starts once the upload's transaction commits."""
    with _capture(execute=True):
        job = create_import(kind=kind, upload=upload, place=place, by=user)
    job.refresh_from_db()
    return job


def test_a_valid_tree_file_is_written_whole(tree, community_staff):
    before = Place.objects.count()
    job = _import("places", xlsx(PLACE_COLUMNS, GOOD_TREE), tree["community"], community_staff)
    assert job.status == ImportStatus.DONE
    assert job.written_rows == 5
    assert Place.objects.count() == before + 5
    h = Place.objects.get(code="N1-1-1-101")
    assert h.kind == Kind.HOUSEHOLD and h.registered_area == Decimal("88.50")
    assert h.parent.code == "N1-1-1"
    assert h.path.startswith(tree["grid"].path) and h.depth == 7
    assert Place.objects.get(code="N1").management_mode == "managed"
    event = Event.objects.get(verb="places.import_places")
    assert event.actor == community_staff and event.after["rows"] == 5


def test_new_rows_get_fresh_paths_beside_existing_children(tree, community_staff):
    _import("places", xlsx(PLACE_COLUMNS, GOOD_TREE[:1]), tree["community"], community_staff)
    siblings = list(Place.objects.filter(parent=tree["grid"]).values_list("path", flat=True))
    assert len(siblings) == len(set(siblings)) == 2


@pytest.mark.parametrize(("row", "column", "message"), [
    (["楼栋", "9号楼", "X9", "NOPE", None, None, None], "上级编码", "上级编码 NOPE 不存在"),
    (["小区", "重复", "C1", "G1", None, None, None], "编码", "编码 C1 已存在"),
    (["户", "负面积", "N1-1-1-999", "N1-1-1", None, -3, None], "登记面积", "面积不能为负数"),
    (["楼栋", "错层", "X8", "G1", None, None, None], "上级编码", "楼栋 不能放在 网格 之下"),
    (["城堡", "未知", "X7", "G1", None, None, None], "类型", "类型“城堡”无效"),
    (["小区", "", "X6", "G1", None, None, None], "名称", "名称不能为空"),
    (["小区", "外社区", "X5", "OG1", None, None, None], "上级编码", "不在您的管理范围内"),
    (["楼栋", "模式", "X4", "N1", "专管型", None, None], "管理模式", "只有小区可以填写管理模式"),
])
def test_one_bad_row_writes_nothing(tree, community_staff, row, column, message):
    places, events = Place.objects.count(), Event.objects.count()
    job = _import("places", xlsx(PLACE_COLUMNS, GOOD_TREE + [row]), tree["community"], community_staff)
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(7, column)]
    assert message in job.errors[0]["message"]
    assert Place.objects.count() == places
    assert Event.objects.count() == events


def test_duplicate_codes_within_the_file_are_reported_with_both_rows(tree, community_staff):
    rows = GOOD_TREE + [["户", "101b", "N1-1-1-101", "N1-1-1", None, 70, None]]
    job = _import("places", xlsx(PLACE_COLUMNS, rows), tree["community"], community_staff)
    assert job.errors == [{"row": 7, "column": "编码", "message": "编码 N1-1-1-101 与第 5 行重复"}]


def test_not_an_excel_file_is_a_clear_error(tree, community_staff):
    upload = SimpleUploadedFile("fake.xlsx", b"this is not a zip file")
    job = _import("places", upload, tree["community"], community_staff)
    assert job.status == ImportStatus.INVALID
    assert job.errors[0]["message"] == "文件不是有效的 Excel (.xlsx) 文件"


def test_missing_columns_are_named(tree, community_staff):
    job = _import("places", xlsx(["类型", "名称"], [["小区", "x"]]), tree["community"], community_staff)
    assert job.status == ImportStatus.INVALID
    assert "编码" in job.errors[0]["message"] and "上级编码" in job.errors[0]["message"]


HOUSEHOLD_ROWS = [
    ["C1-1-1-101", "张三", "11010519491231002X", "13800138000", "业主", 1, 95.5, "是"],
    ["C1-1-1-101", "张小三", "610104200501011236", "", "住户", None, None, "否"],
    ["C1-1-1-102", "李四", "110108198001010015", "13900139000", "租户", None, None, ""],
]


def test_households_and_owners_import(tree, community_staff):
    people = Person.objects.count()
    job = _import("households", xlsx(HOUSEHOLD_COLUMNS, HOUSEHOLD_ROWS), tree["community"], community_staff)
    assert job.status == ImportStatus.DONE, job.errors
    assert Person.objects.count() == people + 3
    zhang = Person.objects.get(name="张三")
    assert zhang.id_number == "11010519491231002X"
    assert zhang.id_number_masked == "110***********002X"
    assert zhang.is_party_member is True
    assert zhang.id_number_encrypted and "11010519491231002X" not in zhang.id_number_encrypted
    member = HouseholdMember.objects.get(person=zhang)
    assert member.relation == "owner" and member.place == tree["household"]
    tree["household"].refresh_from_db()
    assert tree["household"].registered_area == Decimal("95.50")


def test_reimporting_the_same_file_adds_no_duplicates(tree, community_staff):
    _import("households", xlsx(HOUSEHOLD_COLUMNS, HOUSEHOLD_ROWS), tree["community"], community_staff)
    people, members = Person.objects.count(), HouseholdMember.objects.count()
    job = _import("households", xlsx(HOUSEHOLD_COLUMNS, HOUSEHOLD_ROWS), tree["community"], community_staff)
    assert job.status == ImportStatus.DONE
    assert (Person.objects.count(), HouseholdMember.objects.count()) == (people, members)


@pytest.mark.parametrize(("row", "column", "message"), [
    (["C1-1-1-101", "王五", "110105194912310021", "", "业主", None, None, ""], "身份证号", "身份证号码校验位错误"),
    (["C1-1-1-101", "王五", "12345", "", "业主", None, None, ""], "身份证号", "身份证号码格式错误"),
    (["C1-1-1-101", "王五", "11010519491231002X", "12345", "业主", None, None, ""], "手机号", "电话号码"),
    (["C1-1-1-101", "王五", "11010519491231002X", "", "房东", None, None, ""], "关系", "关系应为"),
    (["C1-1-1-101", "王五", "11010519491231002X", "", "业主", None, -1, ""], "登记面积", "面积不能为负数"),
    (["C1-1-1-101", "王五", "11010519491231002X", "", "业主", 1.5, None, ""], "产权份额", "产权份额"),
    (["NOPE", "王五", "11010519491231002X", "", "业主", None, None, ""], "户编码", "不存在"),
    (["C1-1", "王五", "11010519491231002X", "", "业主", None, None, ""], "户编码", "不是户"),
    (["OC1-1-201", "王五", "11010519491231002X", "", "业主", None, None, ""], "户编码", "不在您的管理范围内"),
])
def test_bad_household_rows_write_nothing(tree, community_staff, row, column, message):
    people, members = Person.objects.count(), HouseholdMember.objects.count()
    job = _import("households", xlsx(HOUSEHOLD_COLUMNS, HOUSEHOLD_ROWS[1:] + [row]), tree["community"],
                  community_staff)
    assert job.status == ImportStatus.INVALID
    assert job.errors[0]["row"] == 4 and job.errors[0]["column"] == column
    assert message in job.errors[0]["message"]
    assert (Person.objects.count(), HouseholdMember.objects.count()) == (people, members)


def test_ten_thousand_rows_report_progress_and_finish(tree, community_staff, monkeypatch):
    rows = [["小区", "大苑", "B1", "G1", None, None, None], ["楼栋", "1号楼", "B1-1", "B1", None, None, None]]
    for u in range(1, 21):
        rows.append(["单元", f"{u}单元", f"B1-1-{u}", "B1-1", None, None, None])
        rows += [["户", str(n), f"B1-1-{u}-{n}", f"B1-1-{u}", None, 80, None] for n in range(1, 500)]
    assert len(rows) == 10_002
    seen: list[int] = []
    from gongzhi.places import imports

    original = imports._set

    def spy(job_id, *attempt, **fields):
        if "processed_rows" in fields:
            seen.append(fields["processed_rows"])
        return original(job_id, *attempt, **fields)

    monkeypatch.setattr(imports, "_set", spy)
    job = _import("places", xlsx(PLACE_COLUMNS, rows), tree["community"], community_staff)
    assert job.status == ImportStatus.DONE
    assert job.total_rows == job.processed_rows == job.written_rows == 10_002
    assert seen == sorted(seen) and len(seen) >= 40 and seen[-1] == 10_002
    assert Place.objects.filter(path__startswith=tree["grid"].path, kind=Kind.HOUSEHOLD).count() == 9_980 + 2


def test_a_crash_while_writing_leaves_nothing(tree, community_staff, monkeypatch):
    from gongzhi.places import imports

    def boom(rows):
        Place.objects.create(kind=Kind.COMPOUND, name="半截", code="HALF", parent=tree["grid"],
                             path=tree["grid"].path + "ZZZZ", depth=4)
        raise RuntimeError("power cut")

    monkeypatch.setitem(imports.IMPORTERS, "places", dataclasses.replace(imports.IMPORTERS["places"], write=boom))
    places = Place.objects.count()
    job = _import("places", xlsx(PLACE_COLUMNS, GOOD_TREE), tree["community"], community_staff)
    assert job.status == ImportStatus.FAILED
    assert Place.objects.count() == places
    assert not Place.objects.filter(code="HALF").exists()


def test_a_job_runs_once(tree, community_staff):
    job = _import("places", xlsx(PLACE_COLUMNS, GOOD_TREE), tree["community"], community_staff)
    places = Place.objects.count()
    run_import(job.pk)
    assert Place.objects.count() == places
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE


def test_upload_page_rejects_a_non_xlsx_file(client, tree, community_staff):
    client.force_login(community_staff)
    response = client.post("/places/import/", {"place": tree["community"].pk, "kind": "places",
                                               "file": SimpleUploadedFile("a.csv", b"a,b")})
    assert response.status_code == 200
    assert "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_upload_page_shows_row_errors(client, tree, community_staff):
    client.force_login(community_staff)
    bad = GOOD_TREE + [["楼栋", "9号楼", "X9", "NOPE", None, None, None]]
    with _capture(execute=True):
        response = client.post("/places/import/", {"place": tree["community"].pk, "kind": "places",
                                                   "file": xlsx(PLACE_COLUMNS, bad)})
    response = client.get(response["Location"])
    html = response.content.decode()
    assert "第 7 行" in html and "上级编码 NOPE 不存在" in html
    assert "校验未通过，未写入" in html


def test_templates_and_exports_download(client, tree, community_staff, resident):
    client.force_login(community_staff)
    for kind in ("places", "households"):
        r = client.get(f"/places/import/template/{kind}.xlsx")
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    r = client.get(f"/places/{tree['community'].pk}/export/households.xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(HOUSEHOLD_COLUMNS)
    assert [r[1] for r in rows[1:]] == [resident.person.name]
    assert "*" in rows[1][2]  # the ID number is masked in exports


@pytest.mark.parametrize(("place", "code"), [("abc", 404), ("１２", 404), ("99999999999999999999", 404), ("", 200)])
def test_the_import_page_treats_a_bad_place_id_as_not_found(client, tree, community_staff, place, code):
    client.force_login(community_staff)
    assert client.get(f"/places/import/?place={place}").status_code == code
    assert client.post("/places/import/", {"place": place}).status_code == code


def test_an_exported_household_file_imports_back_unchanged_and_the_export_is_audited(client, tree, community_staff,
                                                                                      resident):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(community_staff)
    r = client.get(f"/places/{tree['community'].pk}/export/households.xlsx")
    event = Event.objects.get(verb="places.export_households")
    assert event.actor == community_staff and event.after["rows"] == 1
    rows = list(load_workbook(BytesIO(r.content)).active.iter_rows(values_only=True))
    assert "*" in rows[1][2] and "*" in rows[1][3]  # masked ID and phone
    person = resident.person
    before = (Person.objects.count(), HouseholdMember.objects.count())
    job = _import("households", xlsx(HOUSEHOLD_COLUMNS, [list(rows[1])]), tree["community"], community_staff)
    assert job.status == ImportStatus.DONE, job.errors
    person.refresh_from_db()
    assert (Person.objects.count(), HouseholdMember.objects.count()) == before
    assert person.id_number_masked == rows[1][2] and person.phone_masked == rows[1][3]
    # a masked number that matches no one in that household is refused, not guessed
    other = list(rows[1])
    other[1] = "不相干的人"
    job = _import("households", xlsx(HOUSEHOLD_COLUMNS, [other]), tree["community"], community_staff)
    assert job.status == ImportStatus.INVALID
    assert {e["column"] for e in job.errors} >= {"身份证号", "手机号"}
