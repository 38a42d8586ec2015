"""Excel import and export: the job (validate every row, then write all or nothing) and the region tree's file.
Households and owners are ``gongzhi.people.imports``, registered here as another :class:`Importer`.

An import is validated row by row first (progress is written to the job row as it goes, outside any
transaction so a polling page sees it); then, only if every row is valid, all rows are written in
one transaction. A crash during writing rolls everything back: the file is all in or all out.
"""

from __future__ import annotations

import io
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core.models import Event
from gongzhi.core.permissions import require, user_of
from gongzhi.core.roles import MANAGING_ROLES
from gongzhi.core.scope import covers

from .actions import next_child_paths
from .events import Verb
from .geo import clean_location
from .models import (
    PARENT_KINDS,
    STEP,
    ImportJob,
    ImportKind,
    ImportStatus,
    Kind,
    ManagementMode,
    Place,
    encode_step,
)

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 250

PLACE_COLUMNS = ["类型", "名称", "编码", "上级编码", "管理模式", "登记面积", "地址", "纬度", "经度", "边界"]
# columns added later: a file made from an older template (without them) is still read
OPTIONAL_COLUMNS = frozenset({"实测面积", "合同面积", "纬度", "经度", "边界"})
# The files are filled in Chinese whatever language the uploader's pages are in: the labels are read in
# zh-hans even if this module is first imported during a request in English.
with translation.override("zh-hans"):
    KIND_BY_LABEL = {str(label): value for value, label in Kind.choices}
    MODE_BY_LABEL = {str(label).split("（")[0]: value for value, label in ManagementMode.choices}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class Importer:
    """One kind of file an ImportJob reads: its columns, its template, row checks, the write and the audit
    verb; and optionally an export of a subtree in the same columns (``export(user, place) -> (bytes, rows)``).
    The tree registers itself below; ``gongzhi.people`` registers households, so this module knows no people."""

    kind: str
    columns: list[str]
    fill_template: Callable[[Workbook], None]
    validate: Callable[..., Parsed]
    write: Callable[[list[dict]], int]
    verb: str
    export: Callable[..., tuple[bytes, int]] | None = None
    export_verb: str = ""


IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    IMPORTERS[importer.kind] = importer


# ---------------------------------------------------------------- templates and export


def sheet(wb: Workbook, title: str, columns: list[str]):
    ws = wb.active
    ws.title = title
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C")
    for i, _c in enumerate(columns):
        ws.column_dimensions[chr(ord("A") + i)].width = 18
    ws.freeze_panes = "A2"
    return ws


def template_xlsx(kind: str) -> bytes:
    wb = Workbook()
    IMPORTERS[kind].fill_template(wb)
    notes = wb.create_sheet("说明")
    notes.append([_("第一行为表头，请勿修改；示例行可删除。整个文件校验通过后才会写入，任何一行有错都不会写入。")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _places_template(wb: Workbook) -> None:
    ws = sheet(wb, "区域", PLACE_COLUMNS)
    ws.append(["小区", "示例小区", "C-0001", "610104001001", "专管型", None, "示例路1号", 34.2712, 108.9398,
               '{"type":"Polygon","coordinates":[[[108.9392,34.2708],[108.9404,34.2708],[108.9404,34.2716],'
               '[108.9392,34.2716],[108.9392,34.2708]]]}'])
    ws.append(["楼栋", "1号楼", "C-0001-01", "C-0001", None, None, None, 34.2711, 108.9396])
    ws.append(["单元", "1单元", "C-0001-01-1", "C-0001-01", None, None, None])
    ws.append(["户", "101", "C-0001-01-1-101", "C-0001-01-1", None, 89.5, None])
    dv = DataValidation(type="list", formula1='"' + ",".join(KIND_BY_LABEL) + '"', allow_blank=False)
    ws.add_data_validation(dv)
    dv.add("A2:A100000")


def export_places_xlsx(places) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("区域")
    ws.append(PLACE_COLUMNS)
    codes: dict[int, str] = {}
    for p in places.order_by("path").iterator(chunk_size=2000):
        codes[p.pk] = p.code
        ws.append([p.get_kind_display(), p.name, p.code, codes.get(p.parent_id, ""),
                   p.get_management_mode_display() if p.management_mode else "",
                   float(p.registered_area) if p.registered_area is not None else None, p.address,
                   # text, not a float: the six decimals come back exactly as stored
                   str(p.latitude) if p.latitude is not None else None,
                   str(p.longitude) if p.longitude is not None else None, p.boundary or None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- reading


def read_rows(data: bytes, columns: list[str]) -> tuple[list[tuple[int, dict]], list[RowError]]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a non-xlsx file
        return [], [RowError(0, "", _("文件不是有效的 Excel (.xlsx) 文件"))]
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = next(it, None)
    if header is None:
        return [], [RowError(1, "", _("文件是空的"))]
    header_names = [str(h).strip() if h is not None else "" for h in header]
    missing = [c for c in columns if c not in header_names and c not in OPTIONAL_COLUMNS]
    if missing:
        return [], [RowError(1, "、".join(missing), _("缺少列：%(cols)s（请使用下载的模板）") % {"cols": "、".join(missing)})]
    index = {c: header_names.index(c) if c in header_names else len(header_names) for c in columns}
    rows = []
    for n, values in enumerate(it, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        rows.append((n, {c: _cell(values, index[c]) for c in columns}))
    wb.close()
    return rows, []


def _cell(values, i):
    if i >= len(values) or values[i] is None:
        return ""
    v = values[i]
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v)) if not isinstance(v, bool) else str(v)
    return str(v).strip()


def area_of(value: str, n: int, column: str, errors: list[RowError]) -> Decimal | None:
    if value == "":
        return None
    try:
        area = Decimal(value)
    except InvalidOperation:
        errors.append(RowError(n, column, _("面积必须是数字")))
        return None
    if not area.is_finite():
        errors.append(RowError(n, column, _("面积必须是数字")))
        return None
    if area < 0:
        errors.append(RowError(n, column, _("面积不能为负数")))
        return None
    if area >= Decimal("100000000"):
        errors.append(RowError(n, column, _("面积过大")))
        return None
    return area.quantize(Decimal("0.01"))


def positive_area_of(value: str, n: int, column: str, errors: list[RowError]) -> Decimal | None:
    """实测面积 / 合同面积: empty, or a number > 0 with at most 2 decimal places."""
    if value == "":
        return None
    try:
        area = Decimal(value)
    except InvalidOperation:
        area = Decimal("NaN")
    if not area.is_finite():
        errors.append(RowError(n, column, _("面积必须是数字")))
        return None
    if area <= 0:
        errors.append(RowError(n, column, _("面积必须大于0")))
        return None
    if area >= Decimal("100000000"):
        errors.append(RowError(n, column, _("面积过大")))
        return None
    if area != area.quantize(Decimal("0.01")):
        errors.append(RowError(n, column, _("面积最多保留两位小数")))
        return None
    return area.quantize(Decimal("0.01"))


# ---------------------------------------------------------------- validation


def validate_places(rows, job: ImportJob, user, progress) -> Parsed:
    out = Parsed()
    codes_in_file: dict[str, tuple[int, str]] = {}
    all_codes = [r["编码"] for _n, r in rows if r["编码"]]
    parent_codes = {r["上级编码"] for _n, r in rows if r["上级编码"]}
    existing = {p.code: p for p in Place.objects.filter(code__in=set(all_codes) | parent_codes).only(
        "pk", "code", "kind", "path", "depth")}
    for i, (n, r) in enumerate(rows, start=1):
        errors: list[RowError] = []
        kind = KIND_BY_LABEL.get(r["类型"]) or (r["类型"] if r["类型"] in Kind.values else None)
        if not kind:
            errors.append(RowError(n, "类型", _("类型“%(v)s”无效，应为：%(ok)s") % {"v": r["类型"], "ok": "、".join(KIND_BY_LABEL)}))
        if not r["名称"]:
            errors.append(RowError(n, "名称", _("名称不能为空")))
        elif len(r["名称"]) > 100:
            errors.append(RowError(n, "名称", _("名称不能超过100个字")))
        code = r["编码"]
        if not code:
            errors.append(RowError(n, "编码", _("编码不能为空")))
        elif len(code) > 40:
            errors.append(RowError(n, "编码", _("编码不能超过40个字符")))
        elif code in codes_in_file:
            errors.append(RowError(n, "编码", _("编码 %(c)s 与第 %(r)s 行重复") % {"c": code, "r": codes_in_file[code][0]}))
        elif code in existing:
            errors.append(RowError(n, "编码", _("编码 %(c)s 已存在") % {"c": code}))
        parent_code = r["上级编码"]
        parent_kind = None
        if not parent_code:
            errors.append(RowError(n, "上级编码", _("上级编码不能为空")))
        elif parent_code in codes_in_file:
            parent_kind = codes_in_file[parent_code][1]
        elif parent_code in existing:
            parent = existing[parent_code]
            parent_kind = parent.kind
            if not (parent.path.startswith(job.place.path) and covers(user, parent.path, MANAGING_ROLES)):
                errors.append(RowError(n, "上级编码", _("上级 %(c)s 不在您的管理范围内") % {"c": parent_code}))
        else:
            errors.append(RowError(n, "上级编码", _("上级编码 %(c)s 不存在（须是已有区域或本文件中更早的行）") % {"c": parent_code}))
        if kind and parent_kind and parent_kind not in PARENT_KINDS[kind]:
            errors.append(RowError(n, "上级编码", _("%(k)s 不能放在 %(p)s 之下") % {"k": Kind(kind).label, "p": Kind(parent_kind).label}))
        mode = ""
        if r["管理模式"]:
            mode = MODE_BY_LABEL.get(r["管理模式"], "")
            if not mode:
                errors.append(RowError(n, "管理模式", _("管理模式应为：%(ok)s") % {"ok": "、".join(MODE_BY_LABEL)}))
            elif kind != Kind.COMPOUND:
                errors.append(RowError(n, "管理模式", _("只有小区可以填写管理模式")))
        area = area_of(r["登记面积"], n, "登记面积", errors)
        if area is not None and kind and kind != Kind.HOUSEHOLD:
            errors.append(RowError(n, "登记面积", _("只有户可以填写登记面积")))
        if len(r["地址"]) > 200:
            errors.append(RowError(n, "地址", _("地址不能超过200个字")))
        location: dict = {}
        try:
            location = clean_location({"latitude": r["纬度"], "longitude": r["经度"], "boundary": r["边界"]},
                                      kind=kind or Kind.COMPOUND)
        except ValidationError as exc:
            columns = {"latitude": "纬度", "longitude": "经度", "boundary": "边界"}
            errors.extend(RowError(n, columns[k], v[0]) for k, v in exc.message_dict.items())
        if code and code not in codes_in_file and kind:
            codes_in_file[code] = (n, kind)
        if errors:
            out.errors.extend(errors)
        else:
            out.rows.append({"kind": kind, "name": r["名称"], "code": code, "parent_code": parent_code,
                             "management_mode": mode, "registered_area": area, "address": r["地址"],
                             "latitude": location.get("latitude"), "longitude": location.get("longitude"),
                             "boundary": location.get("boundary", "")})
        progress(i)
    return out


# ---------------------------------------------------------------- writing


def write_places(rows: list[dict]) -> int:
    by_code: dict[str, Place] = {}
    parent_codes = {r["parent_code"] for r in rows}
    for p in Place.objects.select_for_update().filter(code__in=parent_codes).order_by("pk"):
        by_code[p.code] = p
    reserved: dict[str, list[str]] = {}
    children_of: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["parent_code"] in by_code:
            children_of[r["parent_code"]] += 1
    for code, count in children_of.items():
        reserved[code] = next_child_paths(by_code[code], count)
    new_children: dict[str, int] = defaultdict(int)
    created: list[Place] = []
    for r in rows:
        parent = by_code[r["parent_code"]]
        if parent.pk is not None:
            path = reserved[parent.code].pop(0)
        else:  # a parent created earlier in this file: its children are numbered from 0
            path = parent.path + encode_step(new_children[parent.code])
            new_children[parent.code] += 1
        place = Place(kind=r["kind"], name=r["name"], code=r["code"], path=path, depth=len(path) // STEP - 1,
                      management_mode=r["management_mode"], registered_area=r["registered_area"],
                      address=r["address"], latitude=r.get("latitude"), longitude=r.get("longitude"),
                      boundary=r.get("boundary", ""))
        place._parent_code = r["parent_code"]  # type: ignore[attr-defined]
        by_code[r["code"]] = place
        created.append(place)
    # insert level by level so parents have primary keys before their children
    for depth in sorted({p.depth for p in created}):
        level = [p for p in created if p.depth == depth]
        for p in level:
            p.parent_id = by_code[p._parent_code].pk  # type: ignore[attr-defined]
        Place.objects.bulk_create(level, batch_size=1000)  # the ids come back: the next level's parents
    return len(created)


# ---------------------------------------------------------------- the job


def create_import(*, kind: str, upload, place: Place, by) -> ImportJob:
    """Store the uploaded file as a job and start it once the job row is committed."""
    if kind not in IMPORTERS:
        raise ValidationError({"kind": _("导入内容无效")})
    if not upload.name.lower().endswith(".xlsx"):
        raise ValidationError({"file": _("请上传 .xlsx 格式的 Excel 文件")})
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError({"file": _("文件过大（上限 %(mb)s MB）") % {"mb": settings.IMPORT_MAX_BYTES // 1048576}})
    require(by, "places.import_places", place)
    with transaction.atomic():
        job = ImportJob.objects.create(kind=kind, file=upload, original_name=upload.name[:200], place=place,
                                       created_by=user_of(by))
        transaction.on_commit(lambda: start_import(job.pk))
    return job


def start_import(job_id: int) -> None:
    if settings.IMPORTS_INLINE:
        run_import(job_id)
        return
    threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True, name=f"import-{job_id}").start()


def _run_in_thread(job_id: int) -> None:
    try:
        run_import(job_id)
    finally:
        close_old_connections()
        connection.close()


def _set(job_id: int, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)


def run_import(job_id: int) -> ImportJob:
    """Validate every row, then write all of them in one transaction (or none)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(status=ImportStatus.VALIDATING)
    job = ImportJob.objects.select_related("place", "created_by").get(pk=job_id)
    if not claimed:
        return job  # another worker has it, or it is finished
    try:
        with job.file.open("rb") as fh:
            data = fh.read()
        importer = IMPORTERS[job.kind]
        rows, errors = read_rows(data, importer.columns)
        _set(job_id, total_rows=len(rows))
        if errors or not rows:
            errors = errors or [RowError(2, "", _("文件中没有数据行"))]
            _set(job_id, status=ImportStatus.INVALID, errors=[e.as_dict() for e in errors],
                 finished_at=timezone.now(), message=_("校验未通过，未写入任何数据"))
            return ImportJob.objects.get(pk=job_id)

        def progress(i: int) -> None:
            if i % PROGRESS_EVERY == 0:
                _set(job_id, processed_rows=i)

        parsed = importer.validate(rows, job, job.created_by, progress)
        _set(job_id, processed_rows=len(rows))
        if parsed.errors:
            _set(job_id, status=ImportStatus.INVALID, errors=[e.as_dict() for e in parsed.errors[:1000]],
                 finished_at=timezone.now(),
                 message=_("%(n)s 处错误，未写入任何数据") % {"n": len(parsed.errors)})
            return ImportJob.objects.get(pk=job_id)
        _set(job_id, status=ImportStatus.WRITING)
        with transaction.atomic():
            written = importer.write(parsed.rows)
            Event.record(job.created_by, importer.verb, job.place, summary=_("导入 %(f)s：%(n)s 行") % {
                "f": job.original_name, "n": written}, after={"rows": written, "job": job.pk})
            _set(job_id, status=ImportStatus.DONE, written_rows=written, finished_at=timezone.now(),
                 message=_("导入成功：%(n)s 行") % {"n": written})
    except Exception:
        logger.exception("import %s failed", job_id)
        _set(job_id, status=ImportStatus.FAILED, finished_at=timezone.now(),
             message=_("导入失败，未写入任何数据；请联系管理员"))
    return ImportJob.objects.get(pk=job_id)


def _export_places(user, place: Place) -> tuple[bytes, int]:
    rows = Place.objects.visible_to(user).filter(path__startswith=place.path)
    return export_places_xlsx(rows), rows.count()


register_importer(Importer(ImportKind.PLACES, PLACE_COLUMNS, _places_template, validate_places, write_places,
                           Verb.IMPORT_PLACES, _export_places, Verb.EXPORT_PLACES))
