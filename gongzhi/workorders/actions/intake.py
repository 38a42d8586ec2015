"""居民下单 — filing a request (the resident, staff on a resident's behalf, a grid worker on patrol, Open311)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.permissions import require, user_of
from gongzhi.notices.actions import notify
from gongzhi.people.models import Person
from gongzhi.places.geo import parse_latitude, parse_longitude
from gongzhi.places.models import Place

from .. import visibility
from ..events import Verb
from ..models import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    MEDIA_URL_MAX,
    Attachment,
    Category,
    Channel,
    DailyCounter,
    Request,
    Urgency,
    is_common_part,
)
from ..photos import check_photos
from .deadlines import due_at, service_level
from .recipients import nearest_dispatchers
from .transitions import link_of, person_of, record, save_photos


def next_number(day: datetime.date) -> str:
    """GZ-YYYYMMDD-NNNN, unique: the day's counter row is incremented under a lock."""
    try:
        with transaction.atomic():
            DailyCounter.objects.get_or_create(day=day)
    except IntegrityError:  # a concurrent first request of the day created it
        pass
    counter = DailyCounter.objects.select_for_update().get(day=day)
    counter.value = F("value") + 1
    counter.save(update_fields=["value"])
    counter.refresh_from_db(fields=["value"])
    return f"GZ-{day:%Y%m%d}-{counter.value:04d}"


def clean_intake(*, category, description: str, place, urgency: str) -> dict:
    errors = {}
    if category is None or not getattr(category, "active", False):
        errors["category"] = _("请选择诉求类别")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("请描述遇到的问题")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _("问题描述不能超过%(n)s个字（当前%(m)s个）") % {"n": DESCRIPTION_MAX,
                                                                      "m": len(description)}
    if place is None:
        errors["place"] = _("请选择位置")
    if urgency not in Urgency.values:
        errors["urgency"] = _("紧急程度无效")
    if errors:
        raise ValidationError(errors)
    return {"description": description}


def file_request(
    *, by, category: Category | None, description: str, place: Place | None, urgency: str = Urgency.NORMAL,
    channel: str = Channel.APP, reporter: Person | None = None, contact_name: str = "", contact_phone: str = "",
    anonymous: bool = False, address: str = "", photos: Sequence = (), public: bool | None = None,
    named_to_committee: bool = False, resolution_due_at: datetime.datetime | None = None, phone_index: str = "",
    point: tuple[float, float] | None = None, unlocated: bool = False, media_url: str = "",
) -> Request:
    """居民下单 — or staff filing on a resident's behalf, or a grid worker's patrol finding.

    ``public`` (公开, docs/privacy.md): None takes the default — public for a fault of the common parts
    (``is_common_part``), not for a home or a personal matter (邻里纠纷, complaints). ``named_to_committee``:
    the reporter lets the 业委会 see their name (and the masked phone) on a common-part request.
    ``resolution_due_at``: a deadline fixed by whoever files it (a joint meeting's resolution: its due date);
    None takes the category's service level. ``phone_index``: the phone a verification code proved, for a
    request filed without an account (:func:`gongzhi.workorders.actions.qr.file_request_by_phone`; its owner
    sees it, docs/privacy.md). ``point``: the (lat, long) an Open311 client sent; ``unlocated`` (待定位): it
    fell in no compound and waits at a region for a dispatcher's 指定位置; ``media_url``: the client's picture
    link, kept and never fetched."""
    cleaned = clean_intake(category=category, description=description, place=place, urgency=urgency)
    check_photos(photos, field="photos")
    if channel not in Channel.values:
        raise ValidationError({"channel": _("来源无效")})
    if len(address) > ADDRESS_MAX:
        raise ValidationError({"address": _("地址不能超过%(n)s个字") % {"n": ADDRESS_MAX}})
    assert category is not None and place is not None
    if len(media_url) > MEDIA_URL_MAX:
        raise ValidationError({"media_url": _("图片链接不能超过%(n)s个字符") % {"n": MEDIA_URL_MAX}})
    latitude = longitude = None
    if point is not None:
        try:
            latitude, longitude = parse_latitude(point[0]), parse_longitude(point[1])
        except ValueError as exc:
            raise ValidationError({"point": str(exc)}) from None
    if public is None:
        public = is_common_part(category, place)
    level = service_level(category, urgency)
    with transaction.atomic():
        require(by, "workorders.file_request", place)
        if reporter is None and channel in (Channel.APP, Channel.QR):
            reporter = person_of(by)
        now = timezone.now()
        req = Request.objects.create(
            number=next_number(timezone.localdate(now)), category=category, urgency=urgency,
            description=cleaned["description"], place=place, address=address, reporter=reporter,
            contact_name=contact_name or (reporter.name if reporter else ""),
            contact_phone=contact_phone or (reporter.phone if reporter else ""),
            anonymous=anonymous, public=bool(public), named_to_committee=bool(named_to_committee),
            channel=channel, filed_by=user_of(by), phone_index=phone_index, latitude=latitude, longitude=longitude,
            unlocated=bool(unlocated), media_url=media_url,
            resolution_due_at=resolution_due_at or due_at(now, level.resolution_value, level.resolution_unit),
        )
        save_photos(req, photos, Attachment.Stage.INTAKE, by)
        record(by, Verb.FILE_REQUEST, req, summary=f"{category.name}：{req.description[:60]}",
               after={"status": req.status, "category": category.code, "channel": channel,
                      "anonymous": req.anonymous, "public": req.public,
                      **({"unlocated": True} if req.unlocated else {})})
        text = (_("%(where)s有按经纬度上报的新诉求%(s)s（%(c)s），未落到小区，待定位") if req.unlocated
                else _("%(where)s有新诉求%(s)s（%(c)s），待派单"))
        notify(visibility.told(req, nearest_dispatchers(req)), verb=Verb.FILE_REQUEST,
               text=text % {"where": visibility.where(req), "s": visibility.subject(req), "c": category.name},
               link=link_of(req))
    return req
