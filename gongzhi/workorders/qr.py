"""楼栋二维码 — a printable A4 sheet per building (or unit) whose QR code opens the phone intake page with the
place filled in (docs/workorders.md, "Doors into requests: QR").

The code carries an absolute link, ``GONGZHI_PUBLIC_URL`` + ``/r/<token>/``: the token is the place's id
signed with the installation's secret (``django.core.signing``, its own salt), so nobody can walk place ids
into the form and a changed token is a 404. A rotated ``SECRET_KEY`` keeps old sheets working while the old
key stays in ``SECRET_KEY_FALLBACKS``.

The PDF is drawn with reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1: Chinese without any font
file, so the sheets look the same on every machine and offline); the QR code is segno's matrix, embedded
as a 1-bit image of whole pixels per module."""

from __future__ import annotations

import io
from collections.abc import Sequence

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from gongzhi.places.labels import attach_labels, label_for
from gongzhi.places.models import Kind, Place

SALT = "gongzhi.workorders.qr"
SHEET_KINDS = (Kind.BUILDING, Kind.UNIT)  # the places a sheet (and the intake page) may be for
FONT = "STSong-Light"
QR_ERROR = "m"  # error correction M: 15 % of the modules may be dirty or torn
MODULE_PX = 10  # pixels per module in the embedded image


def token_for(place: Place) -> str:
    """The place's id, signed (no timestamp: the same sheet whenever it is printed)."""
    return signing.Signer(salt=SALT).sign_object(place.pk)


def place_for(token: str) -> Place | None:
    """The building or unit behind a token; None for a bad or edited token, or a place that is no sheet's."""
    try:
        pk = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Place.objects.filter(pk=pk, kind__in=SHEET_KINDS).first()


def link_for(place: Place) -> str:
    """The absolute link the QR code encodes."""
    return settings.GONGZHI_PUBLIC_URL.rstrip("/") + reverse("qr_intake", args=[token_for(place)])


def qr_code(link: str):
    return segno.make(link, error=QR_ERROR, micro=False)


def qr_image(link: str):
    """The QR code as a 1-bit PIL image with the quiet zone (4 modules), ``MODULE_PX`` pixels a module."""
    buffer = io.BytesIO()
    qr_code(link).save(buffer, kind="png", scale=MODULE_PX, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("1")


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _centred(c, text: str, y: float, size: float) -> None:
    """A centred line, its size shrunk to fit the page's width between 15 mm margins (a long place name)."""
    fits = (A4[0] - 30 * mm) / max(pdfmetrics.stringWidth(text, FONT, size), 1) * size
    size = min(size, fits)
    c.setFont(FONT, size)
    c.drawCentredString(A4[0] / 2, y, text)


def sheets_pdf(places: Sequence[Place]) -> bytes:
    """One A4 page per place: the place in context, its QR code, and how to use it."""
    _register_font()
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(_("扫码反映问题"))
    c.setAuthor(_("共治"))
    width, height = A4
    for place in places:
        link = link_for(place)
        _centred(c, _("扫码反映问题"), height - 40 * mm, 34)
        _centred(c, label_for(place), height - 58 * mm, 22)
        side = 120 * mm
        c.drawImage(ImageReader(qr_image(link)), (width - side) / 2, height - 66 * mm - side, side, side)
        y = height - 66 * mm - side - 14 * mm
        for line in (
            _("用手机微信或相机扫描上方二维码，即可反映本楼的问题："),
            _("水电气暖、电梯、楼道卫生、消防通道、安全隐患……"),
            _("已登录的居民直接提交；没有账号的，用手机号接收验证码后提交。"),
            _("社区派单处理，进展可登录后在“我的诉求”中查看。"),
        ):
            _centred(c, line, y, 14)
            y -= 9 * mm
        c.setFont(FONT, 9)
        c.drawCentredString(width / 2, 15 * mm, link)
        c.showPage()
    c.save()
    return buffer.getvalue()


def sheet_places(place: Place, *, units: bool = False) -> list[Place]:
    """The sheets for ``place``: a building its own (and its units' with ``units``); a compound or any place
    above one every building under it (and their units), in tree order."""
    kinds = [Kind.BUILDING, Kind.UNIT] if units else [Kind.BUILDING]
    if place.kind == Kind.UNIT:
        found = [place]
    elif place.kind == Kind.BUILDING:
        found = [place, *(Place.objects.filter(path__startswith=place.path, kind=Kind.UNIT).order_by("path")
                          if units else [])]
    else:
        found = list(Place.objects.filter(path__startswith=place.path, kind__in=kinds).order_by("path"))
    attach_labels(found)  # one query for every sheet's place in context
    return found
