"""会议纪要 as a record and as a Word file, and the meeting's .ics invitation.

``minutes_content`` is the whole record of a meeting as plain JSON (what a final version stores and keeps);
``minutes_docx`` writes it in the customary format (python-docx): title, time, place, host, recorder, attendees by
organisation, absent members, invited units, topics with their discussion, resolutions with responsible units and
deadlines and their action items. ``invitation_ics`` is an RFC 5545 invitation (icalendar)."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .models import Meeting, Minutes
from .queries import resolution_rows, with_items


def _when(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def minutes_content(meeting: Meeting, minutes: Minutes | None) -> dict:
    """The meeting's record as it stands (attendees by organisation, topics, resolutions …), JSON-ready."""
    series = meeting.series
    attendees: dict[str, list[str]] = defaultdict(list)
    for a in meeting.attendances.select_related("person", "organisation").order_by("organisation_id", "pk"):
        attendees[a.organisation.name].append(a.person.name)
    present = set(meeting.attendances.values_list("organisation_id", flat=True))
    members = list(series.members.select_related("organisation").order_by("pk"))
    topics = [{"kind": t.get_kind_display(), "title": t.title, "description": t.description, "notes": t.notes,
               "source": t.get_source_display(), "late": t.late}
              for t in meeting.topics.filter(status="on_agenda").order_by("position", "pk")]
    resolutions = [{"number": row.resolution.number, "text": row.resolution.text,
                    "owner": row.resolution.owner.name, "due_date": row.resolution.due_date.isoformat(),
                    "topic": row.resolution.topic.title if row.resolution.topic is not None else "",
                    "items": [{"text": i.item.text, "owner": i.item.owner.name, "due_date": i.item.due_date.isoformat(),
                               "requests": [r.number for r in i.requests]} for i in row.items]}
                   for row in resolution_rows(with_items(meeting.resolutions.select_related("topic").order_by("number")))]
    return {
        "title": meeting.title, "series": series.name, "time": _when(meeting), "location": meeting.location,
        "host": minutes.host if minutes else "", "recorder": minutes.recorder if minutes else "",
        "summary": minutes.summary if minutes else "",
        "version": minutes.version if minutes else 1,
        "correction_reason": minutes.correction_reason if minutes else "",
        "attendees": [{"organisation": org, "names": names} for org, names in attendees.items()],
        "absent": [m.organisation.name for m in members if m.organisation_id not in present],
        "invited": [i.organisation.name for i in meeting.invitees.select_related("organisation")],
        "topics": topics, "resolutions": resolutions,
    }


def content_of(meeting: Meeting, minutes: Minutes | None) -> dict:
    """A final version's stored record; a draft's (or no minutes yet) as the meeting stands now."""
    if minutes is not None and minutes.is_final and minutes.content:
        return minutes.content
    return minutes_content(meeting, minutes)


def _font(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def minutes_docx(content: dict, *, final: bool) -> bytes:
    doc = Document()
    _font(doc)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_("%(t)s会议纪要") % {"t": content["title"]})
    run.bold = True
    run.font.size = Pt(18)
    if not final:
        doc.add_paragraph(_("（草稿，未定稿）"))
    if content.get("correction_reason"):
        doc.add_paragraph(_("第%(v)s版（更正）：%(r)s") % {"v": content["version"], "r": content["correction_reason"]})
    for label, value in ((_("时间"), content["time"]), (_("地点"), content["location"] or "—"),
                         (_("主持人"), content["host"] or "—"), (_("记录人"), content["recorder"] or "—")):
        doc.add_paragraph(f"{label}：{value}")
    doc.add_paragraph(_("参会人员："))
    for row in content["attendees"]:
        doc.add_paragraph(f"{row['organisation']}：{'、'.join(row['names'])}", style="List Bullet")
    if not content["attendees"]:
        doc.add_paragraph(_("（无签到记录）"))
    if content["absent"]:
        doc.add_paragraph(_("缺席成员单位：%(o)s") % {"o": "、".join(content["absent"])})
    if content["invited"]:
        doc.add_paragraph(_("列席单位：%(o)s") % {"o": "、".join(content["invited"])})
    if content.get("summary"):
        doc.add_heading(_("会议概况"), level=2)
        doc.add_paragraph(content["summary"])
    doc.add_heading(_("议题及讨论情况"), level=2)
    for n, t in enumerate(content["topics"], 1):
        late = _("（临时增加）") if t["late"] else ""
        doc.add_paragraph(f"{n}. 【{t['kind']}】{t['title']}{late}")
        if t["description"]:
            doc.add_paragraph(_("情况：%(d)s") % {"d": t["description"]})
        doc.add_paragraph(_("讨论：%(d)s") % {"d": t["notes"] or "—"})
    doc.add_heading(_("会议决议"), level=2)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (_("序号"), _("决议内容"), _("责任单位"), _("完成时限")), strict=True):
        cell.text = text
    for r in content["resolutions"]:
        cells = table.add_row().cells
        items = "；".join(i["text"] for i in r["items"] if i["text"] != r["text"])
        cells[0].text, cells[1].text = str(r["number"]), r["text"] + (f"（{_('督办事项')}：{items}）" if items else "")
        cells[2].text, cells[3].text = r["owner"], r["due_date"]
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def invitation_ics(meeting: Meeting, *, url: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Gongzhi//meetings//ZH")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@gongzhi")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("summary", meeting.title)
    event.add("location", meeting.location)
    topics = [f"{t.get_kind_display()}：{t.title}" for t in meeting.topics.filter(status="on_agenda")]
    event.add("description", "\n".join([_("议程：")] + topics + [url]) if topics else url)
    event.add("url", url)
    cal.add_component(event)
    return cal.to_ical()
