"""Masking of personal data in lists and pages (PIPL): 110***********1234, 138****5678; and of the personal data
a resident types into free text that is published (:func:`mask_public_text`)."""

from __future__ import annotations

import re
from collections.abc import Iterable


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = value
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


# ---------------------------------------------------------------- free text shown in public (Open311)

# Full-width digits, plus, dashes, parentheses and spaces read as their ASCII twins (one character for one,
# so a match's span in the folded text is its span in the original).
_FOLD = str.maketrans("０１２３４５６７８９＋－（）\u3000\u00a0\u2010\u2011\u2012\u2013\u2014\u2212Ｘｘ",
                      "0123456789+-()  ------Xx")
_SEP = r"[ \-.]?"
# Eleven or more digits with at most one separator between any two: mobiles (+86 / 0086 / 86 included, as
# they run into the number), 18- and 15-digit ID numbers however grouped, landlines written with their area
# code (029-88881234, 029 8888 1234), bank cards. The first three and last four digits stay.
_LONG_NUMBER = re.compile(r"(?<![\dA-Za-z])\d(?:" + _SEP + r"\d){10,}(?:" + _SEP + r"[Xx])?(?![\dA-Za-z])")
# A landline with its area code, in parentheses or not: (029)88881234, （0917） 123-4567, 010-2000000. The area
# code and the last four digits stay.
_LANDLINE = re.compile(r"(?<![\dA-Za-z])(?:\(\s*0\d{2,3}\s*\)|0\d{2,3})\s?-?\s?(\d(?:" + _SEP + r"\d){6,7})(?!\d)")
# Room numbers: 3号楼2单元501(室), 3栋501, 12座1203, 501室, 3-2-501. Every digit and letter goes.
_BUILDING = r"[0-9A-Za-z]{1,4}\s*(?:号楼|栋|幢|座|号院)"
_UNIT = r"\d{1,3}\s*单元"
_ROOM = r"\d{1,5}\s*(?:室|号房|号|户)?"
_ROOM_NUMBER = re.compile(
    r"(?<![\dA-Za-z])(?:" + _BUILDING + r"\s*(?:" + _UNIT + r")?\s*(?:" + _ROOM + r")?"
    r"|" + _UNIT + r"\s*(?:" + _ROOM + r")?"
    r"|\d{1,5}\s*(?:室|号房)"
    r"|\d{1,3}-\d{1,2}-\d{3,4}(?!\d))")


def _star_between(text: str, start: int, end: int, keep_head: int, keep_tail: int) -> list[tuple[int, int]]:
    """The positions of the digits in text[start:end] to star, all but the first and last few."""
    places = [i for i in range(start, end) if text[i].isdigit() or text[i] in "Xx"]
    return [(i, i + 1) for i in places[keep_head:len(places) - keep_tail]]


def mask_public_text(text: str | None, names: Iterable[str] = ()) -> str:
    """Free text a resident or staff member wrote, fit for the public feed: phone numbers (mobile, +86,
    landline), ID numbers, bank cards, room numbers and the given names (the filer's own, typically) masked,
    in any spelling — spaces, dashes, parentheses, full-width digits. Everything else stays as written."""
    if not text:
        return ""
    folded = text.translate(_FOLD)
    stars: list[tuple[int, int]] = []
    for m in _LONG_NUMBER.finditer(folded):
        digits = re.sub(r"\D", "", m.group())
        country = next((len(c) for c in ("0086", "86") if digits.startswith(c) and len(digits) == len(c) + 11
                        and digits[len(c)] == "1"), 0)  # +86 139-1234-5678 keeps its 139 like the bare mobile
        stars += _star_between(folded, m.start(), m.end(), country + 3, 4)
    for m in _LANDLINE.finditer(folded):
        stars += _star_between(folded, m.start(1), m.end(1), 0, 4)
    for m in _ROOM_NUMBER.finditer(folded):
        stars += [(i, i + 1) for i in range(m.start(), m.end()) if folded[i].isalnum() and folded[i].isascii()]
    for name in {n.strip() for n in names if n and len(n.strip()) >= 2}:
        for m in re.finditer(re.escape(name), text):
            stars.append((m.start() + 1, m.end()))
    if not stars:
        return text
    out = list(text)
    for start, end in stars:
        for i in range(start, end):
            out[i] = "*"
    return "".join(out)
