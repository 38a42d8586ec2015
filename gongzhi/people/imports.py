"""Excel import and export of households and their members (业主/租户/住户, share, areas).

Registered with the job machinery of :mod:`gongzhi.places.imports` as the ``households`` importer: the
file is validated row by row, then written all at once or not at all. Names, ID numbers and phones go
through :func:`gongzhi.people.actions.clean_person_fields`, the same checks as the person form and the API.
"""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core import crypto
from gongzhi.core.exports import safe_row
from gongzhi.core.roles import MANAGING_ROLES
from gongzhi.core.scope import bump_scope_versions, covers
from gongzhi.places.events import Verb as PlaceVerb
from gongzhi.places.imports import (
    Importer,
    Parsed,
    RowError,
    positive_area_of,
    register_importer,
    sheet,
)
from gongzhi.places.models import ImportJob, ImportKind, Kind, Place

from .actions import MEMBER_COLUMNS, clean_member_fields, clean_person_fields
from .models import REGISTER_ROLES, HouseholdMember, Person, Relation

HOUSEHOLD_COLUMNS = ["户编码", "姓名", "身份证号", "手机号", "关系", "产权份额", "登记面积", "党员", "实测面积", "合同面积"]
PERSON_COLUMNS = {"name": "姓名", "id_number": "身份证号", "phone": "手机号"}
# the household areas besides the registered one (建筑物区分所有权司法解释 第8条: registered, else surveyed,
# else the purchase contract's): column -> Place field
EXTRA_AREAS = {"实测面积": "surveyed_area", "合同面积": "contract_area"}
# The files are filled in Chinese whatever language the uploader's pages are in.
with translation.override("zh-hans"):
    RELATION_BY_LABEL = {str(label): value for value, label in Relation.choices}
YES = {"是", "党员", "Y", "YES", "1", "TRUE"}
NO = {"", "否", "N", "NO", "0", "FALSE", "群众"}


def fill_template(wb: Workbook) -> None:
    ws = sheet(wb, "住户", HOUSEHOLD_COLUMNS)
    ws.append(["C-0001-01-1-101", "张三", "11010519491231002X", "13800138000", "业主", 1, 89.5, "否", None, None])
    dv = DataValidation(type="list", formula1='"业主,租户,住户"', allow_blank=False)
    ws.add_data_validation(dv)
    dv.add("E2:E100000")


def validate_households(rows, job: ImportJob, user, progress) -> Parsed:
    out = Parsed()
    codes = {r["户编码"] for _n, r in rows if r["户编码"]}
    households = {p.code: p for p in Place.objects.filter(code__in=codes).only("pk", "code", "kind", "path")}
    # an exported file shows ID and phone numbers masked: a masked value stands for the number already stored
    # for the same person (same household, same name, same masked value), so the export imports unchanged
    known = {(m.place_id, m.person.name, m.person.id_number_masked): m.person
             for m in HouseholdMember.objects.current().filter(place__in=list(households.values()))
             .select_related("person")} if any("*" in (r["身份证号"] or "") for _n, r in rows) else {}
    seen_ids: dict[str, int] = {}
    seen_pairs: dict[tuple[str, str, str], int] = {}
    for i, (n, r) in enumerate(rows, start=1):
        errors: list[RowError] = []
        code = r["户编码"]
        household = households.get(code)
        if not code:
            errors.append(RowError(n, "户编码", _("户编码不能为空")))
        elif household is None:
            errors.append(RowError(n, "户编码", _("户编码 %(c)s 不存在，请先导入区域树") % {"c": code}))
        elif household.kind != Kind.HOUSEHOLD:
            errors.append(RowError(n, "户编码", _("编码 %(c)s 不是户") % {"c": code}))
        elif not (household.path.startswith(job.place.path) and covers(user, household.path, MANAGING_ROLES)):
            errors.append(RowError(n, "户编码", _("户 %(c)s 不在您的管理范围内") % {"c": code}))
        # name, ID number and phone: the same cleaning as the person form and the API
        # (people.actions.clean_person_fields); a masked value (from an export) stands for the stored one
        fields = {"name": r["姓名"]}
        if not r["身份证号"]:
            errors.append(RowError(n, "身份证号", _("身份证号不能为空")))
        elif "*" not in r["身份证号"]:
            fields["id_number"] = r["身份证号"]
        if r["手机号"] and "*" not in r["手机号"]:
            fields["phone"] = r["手机号"]
        try:
            clean = clean_person_fields(fields)
        except ValidationError as exc:
            clean = {}
            errors.extend(RowError(n, PERSON_COLUMNS[f], m) for f, ms in exc.message_dict.items() for m in ms)
        name = clean.get("name", r["姓名"].strip())
        id_number = clean.get("id_number", "")
        stored = known.get((household.pk, name, r["身份证号"])) if household is not None and known else None
        if r["身份证号"] and "*" in r["身份证号"]:
            if stored is None:
                errors.append(RowError(n, "身份证号", _("身份证号是脱敏的，且与该户现有成员不符：请填写完整号码")))
            else:
                id_number = stored.id_number
        phone = clean.get("phone", "")
        if r["手机号"] and "*" in r["手机号"]:
            if stored is not None and stored.phone_masked == r["手机号"]:
                phone = stored.phone
            else:
                errors.append(RowError(n, "手机号", _("手机号是脱敏的，且与该户现有成员不符：请填写完整号码")))
        # relation, share and registered area: the same checks as the member forms (clean_member_fields)
        relation = RELATION_BY_LABEL.get(r["关系"], "")
        try:
            member = clean_member_fields({"relation": relation, "share": r["产权份额"],
                                          "registered_area": r["登记面积"]})
        except ValidationError as exc:
            member = {}
            errors.extend(RowError(n, MEMBER_COLUMNS[f], m) for f, ms in exc.message_dict.items() for m in ms)
        share, area = member.get("share", Decimal(1)), member.get("registered_area")
        extra = {f: positive_area_of(r[column], n, column, errors) for column, f in EXTRA_AREAS.items()}
        party = r["党员"].upper()
        if party not in YES and party not in NO:
            errors.append(RowError(n, "党员", _("党员一栏填“是”或“否”")))
        if id_number and relation and code:
            key = (code, id_number, relation)
            if key in seen_pairs:
                errors.append(RowError(n, "身份证号", _("与第 %(r)s 行重复") % {"r": seen_pairs[key]}))
            else:
                seen_pairs[key] = n
        if id_number in seen_ids and seen_ids[id_number] != name and not errors:
            errors.append(RowError(n, "姓名", _("同一身份证号在文件中对应了不同姓名")))
        if errors:
            out.errors.extend(errors)
        else:
            seen_ids.setdefault(id_number, name)
            out.rows.append({"household": household, "name": name, "id_number": id_number, "phone": phone,
                             "relation": relation, "share": share, "area": area, "party": party in YES,
                             **extra})
        progress(i)
    return out




def write_households(rows: list[dict]) -> int:
    indexes = {crypto.blind_index(r["id_number"]) for r in rows}
    people = {p.id_number_index: p for p in Person.objects.filter(id_number_index__in=indexes)}
    new_people: list[Person] = []
    for r in rows:
        idx = crypto.blind_index(r["id_number"])
        if idx not in people:
            person = Person(name=r["name"], phone=r["phone"], place=r["household"], is_party_member=r["party"])
            person.set_id_number(r["id_number"])
            people[idx] = person
            new_people.append(person)
        r["_idx"] = idx
    Person.objects.bulk_create(new_people, batch_size=1000)
    existing = set(
        HouseholdMember.objects.filter(place__in={r["household"].pk for r in rows})
        .values_list("place_id", "person_id", "relation")
    )
    members = []
    for r in rows:
        key = (r["household"].pk, people[r["_idx"]].pk, r["relation"])
        if key not in existing:
            existing.add(key)
            members.append(HouseholdMember(place=r["household"], person=people[r["_idx"]], relation=r["relation"],
                                           share=r["share"]))
    HouseholdMember.objects.bulk_create(members, batch_size=1000)
    bump_scope_versions(m.person_id for m in members)  # new homes: cached scopes must reload
    areas: dict[int, dict] = defaultdict(dict)
    for r in rows:
        if r["area"] is not None:
            areas[r["household"].pk]["registered_area"] = r["area"]
        for f in EXTRA_AREAS.values():
            if r.get(f) is not None:
                areas[r["household"].pk][f] = r[f]
    for pk, values in areas.items():
        Place.objects.filter(pk=pk).update(**values)
    return len(rows)




def export_households_xlsx(members) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("住户")
    ws.append(HOUSEHOLD_COLUMNS)
    for m in members.select_related("place", "person").order_by("place__path", "pk").iterator(chunk_size=2000):
        ws.append(safe_row(ws, [m.place.code, m.person.name, m.person.id_number_masked, m.person.phone_masked,
                               m.get_relation_display(), float(m.share),
                               float(m.place.registered_area) if m.place.registered_area is not None else None,
                               "是" if m.person.is_party_member else "否",
                               *(float(getattr(m.place, f)) if getattr(m.place, f) is not None else None
                                 for f in EXTRA_AREAS.values())]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_households(user, place: Place) -> tuple[bytes, int]:
    if not (user.is_superuser or covers(user, place.path, REGISTER_ROLES)):
        raise PermissionDenied  # a department's liaison sees what is whistled to it, not the register
    rows = HouseholdMember.objects.visible_to(user).current().filter(place__path__startswith=place.path)
    return export_households_xlsx(rows), rows.count()


register_importer(Importer(ImportKind.HOUSEHOLDS, HOUSEHOLD_COLUMNS, fill_template, validate_households,
                           write_households, PlaceVerb.IMPORT_HOUSEHOLDS, export_households,
                           PlaceVerb.EXPORT_HOUSEHOLDS))
