"""Excel (.xlsx) exports of lists: all matching rows up to :func:`export_limit`, each export an audited Event
(who exported what, with which filters, how many rows)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .models import Event
from .scope import user_scopes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_limit() -> int:
    """The most rows one export writes (setting ``EXPORT_MAX_ROWS``, default 50,000): a sheet that size is
    still opened by Excel and WPS on an office PC; beyond it, staff narrow the filters."""
    return int(settings.EXPORT_MAX_ROWS)


Sheet = tuple[str, Sequence[str], Iterable[Sequence]]  # (name, header, rows)

# What a spreadsheet reads as the start of a formula (or, in CSV and some readers, of a DDE call): such text
# from a resident's description or an imported name must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_row(ws, row: Iterable) -> list:
    """``row`` ready for ``ws.append`` (a write-only sheet) with every text that starts like a formula written as
    a string cell with Excel's quote-prefix mark — what Excel itself stores when someone types ``'=…`` — so no
    spreadsheet evaluates it, editing it keeps it text, and reading it back gives the text unchanged (no
    apostrophe to strip on import). Numbers, dates and other text pass as they are. Every .xlsx we write goes
    through it: :func:`xlsx_response` and the import modules' exports."""
    out = []
    for value in row:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            out.append(cell)
        else:
            out.append(value)
    return out


def xlsx_response(filename: str, sheet: str, header: Sequence[str], rows: Iterable[Sequence], *,
                  more_sheets: Sequence[Sheet] = ()) -> tuple[HttpResponse, int, bool]:
    """One sheet: ``header`` then at most :func:`export_limit` rows; when more matched, a last line says so.
    Returns the response, the number of rows written and whether the export was cut short. Give ``rows``
    one more than the limit (a sliced queryset), so a cut is seen without counting. ``more_sheets`` adds
    further sheets after it, each ``(name, header, rows)`` with the same limit; the count and the cut are
    then those of all the sheets together."""
    limit = export_limit()
    wb = Workbook(write_only=True)
    count, truncated = 0, False
    for name, head, lines in ((sheet, header, rows), *more_sheets):
        ws = wb.create_sheet(name[:31])
        ws.append(safe_row(ws, head))
        written = 0
        for row in lines:
            if written >= limit:
                truncated = True
                ws.append([_("仅导出前%(n)s行，请缩小筛选范围后再导出其余部分") % {"n": limit}])
                break
            ws.append(safe_row(ws, row))
            written += 1
        count += written
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.xlsx')}"
    return response, count, truncated


def record_export(user, verb: str, *, summary: str, filters: dict, rows: int, truncated: bool) -> Event:
    """导出 — who exported what: written where the exporter's street staff read the audit log (the
    exporter's top scope place)."""
    scopes = sorted(user_scopes(user), key=lambda s: s.path)
    place = SimpleNamespace(path=scopes[0].path, name=scopes[0].place_name) if scopes else None
    clean = {k: v for k, v in filters.items() if v not in ("", None)}
    return Event.record(user, verb, place=place, summary=summary,
                        after={"filters": clean, "rows": rows, "truncated": truncated})
