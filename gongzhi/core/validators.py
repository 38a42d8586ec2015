"""Validated Chinese identifiers (python-stdnum, phonenumbers), with Chinese messages."""

from __future__ import annotations

import datetime
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exc
from stdnum import numdb
from stdnum.cn import ric, uscc

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# The earliest birth year a 居民身份证 in use can carry (the oldest living people were born after it).
ID_EARLIEST_BIRTH = datetime.date(1900, 1, 1)


def id_area_exists(code: str) -> bool:
    """Whether ``code`` (6 digits) is an administrative division code in **any** period of the official
    list (python-stdnum's ``cn/loc`` data: codes with the years they were in use).

    The period is deliberately not compared with the birth date, as ``stdnum.cn.ric`` does: a card carries
    the code of the place where it was issued (or first registered), so someone born in 1948 in what became
    莲湖区 (610104, from 1983) carries 610104, and a code abolished later stays on the cards issued under it."""
    if len(code) != 6 or not code.isdigit():
        return False
    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return bool(info.get("county"))


def clean_id_number(value: str) -> str:
    """居民身份证号码 as they exist: 18 characters (17 digits and a digit or X), the MOD 11-2 check character,
    a real birth date (not in the future, not before 1900) and an area code that exists in any period of
    the official list. Only what is truly impossible is refused."""
    value = (value or "").strip().upper().replace(" ", "")
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("身份证号码格式错误，应为18位"), code="id_format")
    if ric.calc_check_digit(value) != value[17]:
        raise ValidationError(_("身份证号码校验位错误"), code="id_checksum")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        birth = None
    if birth is None or not ID_EARLIEST_BIRTH <= birth <= timezone.localdate():
        raise ValidationError(_("身份证号码中的出生日期无效"), code="id_birth_date")
    if not id_area_exists(value[:6]):
        raise ValidationError(_("身份证号码中的地区码不存在"), code="id_area")
    return value


def clean_uscc(value: str) -> str:
    """统一社会信用代码 (GB 32100-2015).

    ``stdnum.cn.uscc`` rejects codes whose registration-authority character is a letter (e.g. ``Y``
    for 其他 / 农民专业合作社), which the standard allows, so a code stdnum refuses only for its
    first character is checked here against the standard's MOD 31 check character.
    """
    value = (value or "").strip().upper().replace(" ", "")
    try:
        return uscc.validate(value)
    except stdnum_exc.ValidationError as exc:
        if _uscc_checksum_ok(value):
            return value
        if isinstance(exc, stdnum_exc.InvalidChecksum) or _uscc_structure_ok(value):
            raise ValidationError(_("统一社会信用代码校验位错误"), code="uscc_checksum") from exc
        raise ValidationError(_("统一社会信用代码格式错误，应为18位数字或大写字母"), code="uscc_format") from exc


def _uscc_structure_ok(value: str) -> bool:
    """18 characters of the code's alphabet with a 6-digit administrative division code."""
    return len(value) == 18 and all(c in _USCC_ALPHABET for c in value) and value[2:8].isdigit()


def uscc_check_character(body: str) -> str:
    """The GB 32100 MOD 31 check character for the first 17 characters of a code."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def _uscc_checksum_ok(value: str) -> bool:
    return _uscc_structure_ok(value) and uscc_check_character(value[:17]) == value[17]


_PHONE_RE = re.compile(r"^[0-9+\- ]{5,20}$")


def clean_phone(value: str) -> str:
    """手机号或固定电话 (Chinese numbers); returns the national significant number."""
    raw = (value or "").strip()
    if not _PHONE_RE.match(raw):
        raise ValidationError(_("电话号码格式错误"), code="phone_format")
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("电话号码格式错误"), code="phone_format") from exc
    if not phonenumbers.is_valid_number(number) or number.country_code != 86:
        raise ValidationError(_("不是有效的中国大陆电话号码"), code="phone_invalid")
    return str(number.national_number)
