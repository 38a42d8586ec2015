"""扫码反映问题 — the QR door into requests: the sheets staff print, and filing from a phone without an account
(docs/workorders.md, "Doors into requests: QR"; the phone-owner rule in docs/privacy.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM, require
from gongzhi.core.validators import clean_phone
from gongzhi.people import accounts
from gongzhi.people.models import CodePurpose
from gongzhi.places.models import Place

from .. import qr
from ..events import Verb
from ..models import CONTACT_NAME_MAX, Category, Channel, Request, Urgency
from .intake import clean_intake, file_request

MAX_SHEETS = 2000  # one PDF: a compound's buildings and units; a whole street is printed compound by compound


def print_qr_sheets(place: Place, *, by, units: bool = False) -> bytes:
    """打印楼栋二维码: the PDF of every building (``units``: and unit) at or under ``place``, one A4 page each.
    Street and community staff over the place; audited (who printed which sheets)."""
    require(by, "workorders.print_qr_sheets", place)
    places = qr.sheet_places(place, units=units)
    if not places:
        raise ValidationError({"place": _("该区域下没有楼栋，无法生成二维码")})
    if len(places) > MAX_SHEETS:
        raise ValidationError({"place": _("一次最多打印%(n)s张，请按小区分别打印") % {"n": MAX_SHEETS}})
    pdf = qr.sheets_pdf(places)
    Event.record(by, Verb.PRINT_QR_SHEETS, place, place=place, summary=_("%(n)s张") % {"n": len(places)},
                 after={"sheets": len(places), "units": units})
    return pdf


def clean_contact_name(value: str) -> str:
    value = (value or "").strip()
    if len(value) > CONTACT_NAME_MAX:
        raise ValidationError({"contact_name": _("称呼不能超过%(n)s个字") % {"n": CONTACT_NAME_MAX}})
    return value


def file_request_by_phone(
    *, place: Place, phone: str, code: str, category: Category | None, description: str,
    urgency: str = Urgency.NORMAL, contact_name: str = "", anonymous: bool = False,
) -> Request:
    """扫码下单 without an account: the verification code sent to ``phone`` (``people.accounts.send_phone_code``)
    proves the filer holds it; the platform files the request on that phone's behalf (``by=SYSTEM``, channel
    扫码, the phone as the callback number, no account made). The phone's owner sees it once signed in with an
    account that has proven the same phone (docs/privacy.md).

    Bad fields are refused before the code is looked at (the code stays usable); a wrong code counts an
    attempt (committed) and nothing else is written."""
    if place is None or place.kind not in qr.SHEET_KINDS:
        raise ValidationError({"place": _("二维码无效，请重新扫码")})
    clean_intake(category=category, description=description, place=place, urgency=urgency)
    contact_name = clean_contact_name(contact_name)
    if not (code or "").strip():
        raise ValidationError({"code": _("请输入短信验证码")})
    with transaction.atomic():
        outcome = accounts.redeem_phone_code(phone=phone, code=code, purpose=CodePurpose.INTAKE)
        if isinstance(outcome, accounts.CodeRefused):
            refused = outcome
        else:
            refused = None
            clean = clean_phone(phone)
            req = file_request(by=SYSTEM, category=category, description=description, place=place,
                               urgency=urgency, channel=Channel.QR, contact_name=contact_name,
                               contact_phone=clean, anonymous=anonymous, phone_index=outcome)
    if refused is not None:
        raise refused
    return req

