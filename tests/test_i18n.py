"""The English catalogue: complete, placeholder-safe, compiled, and actually used by the pages.

The UI's source language is Chinese; gongzhi/locale/en/LC_MESSAGES/django.po (and the compiled .mo, both
committed) hold the English. Refresh them with ``makemessages -l en`` + translate + ``compilemessages``.
"""

from __future__ import annotations

import ast
import gettext as pygettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from gongzhi.people.models import Person
from gongzhi.places.models import Place

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

# %(name)s, %s, %d, %.1f, %% … and {name} / {0} (str.format)
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]|\{[^{}\s]*\}")
# Han ideographs (incl. extension A and compatibility) and CJK symbols/punctuation such as 、。「」.
# Full-width forms (U+FF00–FFEF, e.g. the "：" hard-coded in templates) are deliberately not included.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@pytest.fixture(autouse=True)
def _back_to_default_language():
    """A request through LocaleMiddleware leaves its language active in the thread; don't leak English."""
    yield
    translation.deactivate()


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: msgctxt/msgid/msgid_plural/msgstr[n], continuation lines, flags; skips #~."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    pending_flags: set[str] = set()

    def start(line_no: int) -> Entry:
        nonlocal current, pending_flags
        current = Entry(line=line_no, flags=pending_flags)
        pending_flags = set()
        entries.append(current)
        return current

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgctxt "):
            entry = start(n)
            entry.msgctxt = _unquote(line[8:])
            target = ("msgctxt", 0)
        elif line.startswith("msgid_plural "):
            assert current is not None, f"line {n}: msgid_plural without msgid"
            current.msgid_plural = _unquote(line[13:])
            target = ("msgid_plural", 0)
        elif line.startswith("msgid "):
            entry = current if current is not None and target == ("msgctxt", 0) else start(n)
            entry.msgid = _unquote(line[6:])
            target = ("msgid", 0)
        elif line.startswith("msgstr"):
            assert current is not None, f"line {n}: msgstr without msgid"
            m = re.match(r"msgstr(?:\[(\d+)\])?\s+(\".*\")$", line)
            assert m, f"line {n}: bad msgstr line {raw!r}"
            index = int(m.group(1) or 0)
            current.msgstr[index] = _unquote(m.group(2))
            target = ("msgstr", index)
        elif line.startswith('"'):
            assert current is not None and target is not None, f"line {n}: stray string"
            kind, index = target
            more = _unquote(line)
            if kind == "msgstr":
                current.msgstr[index] += more
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + more
            elif kind == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + more
            else:
                current.msgid += more
        else:
            raise AssertionError(f"line {n}: cannot parse {raw!r}")
    return entries


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing: run makemessages -l en"
    entries = parse_po(PO)
    assert entries and entries[0].msgid == "", "the catalogue must start with its header"
    return entries


def test_header_is_clean(po_entries):
    header = po_entries[0]
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


def test_every_entry_is_translated_and_not_fuzzy(po_entries):
    messages = po_entries[1:]
    assert len(messages) > 100
    untranslated = [e.msgid for e in messages if not e.msgstr or any(not s.strip() for s in e.msgstr.values())]
    assert not untranslated, f"untranslated entries: {untranslated}"
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"


def test_placeholders_match(po_entries):
    bad = []
    for e in po_entries[1:]:
        for index, msgstr in e.msgstr.items():
            source = e.msgid_plural if (index > 0 and e.msgid_plural is not None) else e.msgid
            if placeholders(source) != placeholders(msgstr):
                bad.append((e.msgid, msgstr))
    assert not bad, f"placeholders differ between msgid and msgstr: {bad}"


def test_translations_contain_no_chinese_except_quoted_file_values(po_entries):
    # The import-file vocabulary (业主/租户/住户, 是/否) stays Chinese: those are the values the file must contain.
    allowed = {"业主", "租户", "住户", "是", "否"}
    leaks = []
    for e in po_entries[1:]:
        for msgstr in e.msgstr.values():
            rest = msgstr
            for word in allowed:
                rest = rest.replace(word, "")
            if CJK.search(rest):
                leaks.append((e.msgid, msgstr))
    assert not leaks, f"Chinese left in English translations: {leaks}"


def test_compiled_catalogue_matches_po(po_entries):
    """The committed .mo is compiled from the committed .po (compilemessages was re-run after the edit)."""
    assert MO.exists(), f"{MO} is missing: run compilemessages"
    with MO.open("rb") as fh:
        mo = pygettext.GNUTranslations(fh)
    stale = []
    for e in po_entries[1:]:
        if e.msgid_plural is not None:
            continue
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        got = mo._catalog.get(key)  # type: ignore[attr-defined]
        if got != e.msgstr[0]:
            stale.append((e.msgid, e.msgstr[0], got))
    assert not stale, f"django.mo is out of date with django.po: {stale[:10]}"


@pytest.mark.parametrize(("source", "english"), [
    ("首页", "Home"),
    ("登录", "Log in"),
    ("户数", "Households"),
    ("我的家", "My home"),
    ("操作日志", "Audit log"),
])
def test_gettext_in_english(source, english):
    with translation.override("en"):
        assert translation.gettext(source) == english
    with translation.override("zh-hans"):
        assert translation.gettext(source) == source


def test_placeholders_interpolate_in_english():
    with translation.override("en"):
        assert translation.gettext("您好，%(name)s") % {"name": "Li"} == "Hello, Li"


def _segments(html: str) -> list[str]:
    navs = re.findall(r"<nav\b.*?</nav>", html, flags=re.S)
    h2s = re.findall(r"<h2\b.*?</h2>", html, flags=re.S)
    return navs + h2s


def test_english_home_page_has_no_chinese_in_nav_and_headings(client, resident):
    _assert_english_nav_and_headings(client, resident)


def test_english_staff_home_page_has_no_chinese_in_nav_and_headings(client, street_staff):
    _assert_english_nav_and_headings(client, street_staff)


def _assert_english_nav_and_headings(client, user):
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    segments = _segments(html)
    assert any(s.startswith("<nav") for s in segments), "no <nav> on the home page"
    assert any(s.startswith("<h2") for s in segments), "no <h2> on the home page"
    # People's and places' own names are data, not UI text: take them out before looking for Chinese.
    names = sorted({*Person.objects.values_list("name", flat=True), *Place.objects.values_list("name", flat=True)},
                   key=len, reverse=True)
    leaks = []
    for segment in segments:
        for name in names:
            segment = segment.replace(name, "")
        if CJK.search(segment):
            leaks.append(segment)
    assert not leaks, f"untranslated Chinese in the English page: {leaks}"
    assert "Home" in html and "Log out" in html
