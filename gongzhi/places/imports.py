"""Excel import and export: the job (validate every row, then write all or nothing) and the region tree's file.
Households and owners are ``gongzhi.people.imports``, registered here as another :class:`Importer`.

An import is validated row by row first (progress is written to the job row as it goes, outside any
transaction so a polling page sees it); then, only if every row is valid, all rows are written in
one transaction. A crash during writing rolls everything back: the file is all in or all out.

Jobs run out of the web worker: the upload only stores a pending job; ``manage.py tick`` (or the dedicated
``manage.py run_imports`` loop) claims it with ``select_for_update(skip_locked=True)`` and runs it
(:mod:`gongzhi.places.jobs`). A run beats the job's heart as it goes; one whose worker died is reclaimed by the
tick. The file is read in streaming mode within budgets (decompressed size and ratio checked on the zip
before parsing, rows and cells while streaming), and deleted once the job is finished.
"""

from __future__ import annotations

import datetime
import io
import logging
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core.exports import safe_row
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
        ws.append(safe_row(ws, [p.get_kind_display(), p.name, p.code, codes.get(p.parent_id, ""),
                               p.get_management_mode_display() if p.management_mode else "",
                               float(p.registered_area) if p.registered_area is not None else None, p.address,
                               # text, not a float: the six decimals come back exactly as stored
                               str(p.latitude) if p.latitude is not None else None,
                               str(p.longitude) if p.longitude is not None else None, p.boundary or None]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- reading


class OverBudget(Exception):
    """The file would cost more to read than the import budgets allow; the message says which, in Chinese."""


_SPILL = 1024 * 1024  # entries smaller than this are not held to the ratio (tiny XML parts compress oddly)


def check_zip_budget(fh) -> None:
    """Refuse a .xlsx whose parts would decompress past the budgets, before any XML is parsed.

    The sizes are the ones the zip declares; :mod:`zipfile` (which openpyxl reads through) never hands out
    more than an entry's declared size, so a lying header cannot get past this check."""
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError):
        fh.seek(0)
        return  # not a zip: openpyxl says so in its own words below
    infos = zf.infolist()
    if len(infos) > 1000:
        raise OverBudget(_("文件结构异常（压缩包内文件过多），已拒绝"))
    total = sum(i.file_size for i in infos)
    if total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise OverBudget(_("文件解压后过大（%(mb)s MB，上限 %(cap)s MB），已拒绝；请删除多余的工作表和空白内容后重新上传") % {
            "mb": total // 1048576, "cap": settings.IMPORT_MAX_UNCOMPRESSED_BYTES // 1048576})
    for i in infos:
        if i.file_size > _SPILL and i.file_size > settings.IMPORT_MAX_RATIO * max(i.compress_size, 1):
            raise OverBudget(_("文件压缩比异常（%(name)s 约 %(r)s 倍），疑似压缩炸弹，已拒绝") % {
                "name": i.filename, "r": i.file_size // max(i.compress_size, 1)})
        if i.filename.lower().endswith("sharedstrings.xml") and i.file_size > settings.IMPORT_MAX_SHARED_STRINGS_BYTES:
            raise OverBudget(_("文件的共享字符串表过大（上限 %(cap)s MB），已拒绝") % {
                "cap": settings.IMPORT_MAX_SHARED_STRINGS_BYTES // 1048576})
    fh.seek(0)


def read_rows(data, columns: list[str], beat: Callable[[int], object] | None = None,
              ) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The first sheet's rows as dicts keyed by column, streamed (openpyxl read-only) within the budgets.

    ``data`` is bytes or a seekable binary file; ``beat(rows_read)`` is called every PROGRESS_EVERY rows."""
    fh = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        check_zip_budget(fh)
    except OverBudget as exc:
        return [], [RowError(0, "", str(exc))]
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a non-xlsx file
        return [], [RowError(0, "", _("文件不是有效的 Excel (.xlsx) 文件"))]
    try:
        return _stream(wb, columns, beat)
    except OverBudget as exc:
        return [], [RowError(0, "", str(exc))]
    except Exception:  # a part openpyxl cannot read, found only while streaming
        logger.warning("unreadable sheet", exc_info=True)
        return [], [RowError(0, "", _("文件不是有效的 Excel (.xlsx) 文件"))]
    finally:
        wb.close()


def _stream(wb, columns: list[str], beat) -> tuple[list[tuple[int, dict]], list[RowError]]:
    ws = wb.worksheets[0]
    ws.reset_dimensions()  # a declared A1:XFD1048576 must not pad every row with 16,384 empty cells
    it = ws.iter_rows(values_only=True)
    max_rows, max_cells = settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELLS
    header = next(it, None)
    if header is None:
        return [], [RowError(1, "", _("文件是空的"))]
    cells = len(header)
    if cells > max_cells:
        raise OverBudget(_("单元格数超过上限（%(n)s 个），已拒绝") % {"n": max_cells})
    header_names = [str(h).strip() if h is not None else "" for h in header]
    missing = [c for c in columns if c not in header_names and c not in OPTIONAL_COLUMNS]
    if missing:
        return [], [RowError(1, "、".join(missing), _("缺少列：%(cols)s（请使用下载的模板）") % {"cols": "、".join(missing)})]
    index = {c: header_names.index(c) if c in header_names else len(header_names) for c in columns}
    rows: list[tuple[int, dict]] = []
    for n, values in enumerate(it, start=2):
        cells += len(values) if values else 0
        if cells > max_cells:
            raise OverBudget(_("单元格数超过上限（%(n)s 个），已拒绝；请删除多余的列和空白内容后重新上传") % {"n": max_cells})
        if beat is not None and n % PROGRESS_EVERY == 0:
            beat(n)
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(rows) >= max_rows:
            raise OverBudget(_("行数超过上限（%(n)s 行），已拒绝；请分成几个文件导入") % {"n": max_rows})
        rows.append((n, {c: _cell(values, index[c]) for c in columns}))
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


class Reclaimed(Exception):
    """This run's claim on the job was given away (the tick took it for dead): stop, write nothing."""


def create_import(*, kind: str, upload, place: Place, by) -> ImportJob:
    """Store the uploaded file as a pending job. The worker (``manage.py tick`` / ``run_imports``) claims
    and runs it; never the web worker that took the upload (unless IMPORTS_INLINE, for tests)."""
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
        if settings.IMPORTS_INLINE:
            transaction.on_commit(lambda: run_import(job.pk))
    return job


def claim(job_id: int | None = None) -> tuple[int, int] | None:
    """Take one pending job (the given one, or the oldest): (job id, attempt number), or None if none is free."""
    with transaction.atomic():
        qs = ImportJob.objects.filter(status=ImportStatus.PENDING)
        if job_id is not None:
            qs = qs.filter(pk=job_id)
        job = qs.select_for_update(skip_locked=True).order_by("pk").only("pk", "attempts").first()
        if job is None:
            return None
        attempt = job.attempts + 1
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING, attempts=attempt,
                                                   heartbeat_at=timezone.now(), processed_rows=0)
    return job.pk, attempt


def _set(job_id: int, attempt: int | None = None, **fields) -> int:
    """Write the job's progress (outside any transaction, so a polling page sees it) and beat its heart.
    With ``attempt``: only while this run still holds the job — Reclaimed otherwise."""
    qs = ImportJob.objects.filter(pk=job_id)
    if attempt is not None:
        qs = qs.filter(attempts=attempt, status__in=(ImportStatus.VALIDATING, ImportStatus.WRITING))
    n = qs.update(heartbeat_at=timezone.now(), **fields)
    if attempt is not None and not n:
        raise Reclaimed(job_id)
    return n


def run_import(job_id: int) -> ImportJob:
    """Claim this job if it is still pending and run it (what the worker does with each job it claims)."""
    claimed = claim(job_id)
    if claimed is not None:
        run_claimed(*claimed)
    return ImportJob.objects.get(pk=job_id)


def run_claimed(job_id: int, attempt: int) -> None:
    """Validate every row, then write all of them in one transaction (or none); then let go of the file."""
    job = ImportJob.objects.select_related("place", "created_by").get(pk=job_id)
    try:
        _run(job, attempt)
    except Reclaimed:
        logger.warning("import %s attempt %s was reclaimed; stopping without writing", job_id, attempt)
        return
    except Exception:
        logger.exception("import %s failed", job_id)
        ImportJob.objects.filter(pk=job_id, attempts=attempt).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(), message=_("导入失败，未写入任何数据；请联系管理员"))
    discard_file(job_id)


def _finish(job_id: int, attempt: int, **fields) -> None:
    _set(job_id, attempt, finished_at=timezone.now(), **fields)


def _run(job: ImportJob, attempt: int) -> None:
    job_id = job.pk
    importer = IMPORTERS[job.kind]
    with job.file.open("rb") as fh:
        rows, errors = read_rows(fh, importer.columns, beat=lambda n: _set(job_id, attempt))
    _set(job_id, attempt, total_rows=len(rows))
    if errors or not rows:
        errors = errors or [RowError(2, "", _("文件中没有数据行"))]
        _finish(job_id, attempt, status=ImportStatus.INVALID, errors=[e.as_dict() for e in errors],
                message=_("校验未通过，未写入任何数据"))
        return

    def progress(i: int) -> None:
        if i % PROGRESS_EVERY == 0:
            _set(job_id, attempt, processed_rows=i)

    parsed = importer.validate(rows, job, job.created_by, progress)
    _set(job_id, attempt, processed_rows=len(rows))
    if parsed.errors:
        _finish(job_id, attempt, status=ImportStatus.INVALID, errors=[e.as_dict() for e in parsed.errors[:1000]],
                message=_("%(n)s 处错误，未写入任何数据") % {"n": len(parsed.errors)})
        return
    _set(job_id, attempt, status=ImportStatus.WRITING)
    with transaction.atomic():
        # the job row stays locked while writing: the tick's reclaim skips a locked job, and a run whose
        # claim was given away meanwhile finds no row here and writes nothing
        if not ImportJob.objects.select_for_update().filter(pk=job_id, attempts=attempt,
                                                            status=ImportStatus.WRITING).exists():
            raise Reclaimed(job_id)
        written = importer.write(parsed.rows)
        Event.record(job.created_by, importer.verb, job.place, summary=_("导入 %(f)s：%(n)s 行") % {
            "f": job.original_name, "n": written}, after={"rows": written, "job": job.pk})
        _finish(job_id, attempt, status=ImportStatus.DONE, written_rows=written,
                message=_("导入成功：%(n)s 行") % {"n": written})


def discard_file(job_id: int, *, force: bool = False) -> bool:
    """Delete a finished job's uploaded file once IMPORT_FILE_RETENTION_DAYS have passed (0: at once)."""
    job = ImportJob.objects.filter(pk=job_id).only("file", "status", "finished_at").first()
    if job is None or not job.file or not job.finished:
        return False
    keep = datetime.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    if not force and (job.finished_at is None or job.finished_at + keep > timezone.now()):
        return False
    name = job.file.name or ""
    ImportJob.objects.filter(pk=job_id).update(file="")
    try:
        job.file.storage.delete(name)
    except OSError:  # gone already, or the disk refuses: the row no longer points at it either way
        logger.warning("could not delete import file %s", name, exc_info=True)
    return True


def _export_places(user, place: Place) -> tuple[bytes, int]:
    rows = Place.objects.visible_to(user).filter(path__startswith=place.path)
    return export_places_xlsx(rows), rows.count()


register_importer(Importer(ImportKind.PLACES, PLACE_COLUMNS, _places_template, validate_places, write_places,
                           Verb.IMPORT_PLACES, _export_places, Verb.EXPORT_PLACES))
