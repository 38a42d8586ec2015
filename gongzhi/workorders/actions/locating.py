"""指定位置 — a 待定位 request (Open311 by location: the point fell in no compound's boundary or radius, so it
waits at the smallest region of ours that holds it) is moved by a dispatcher onto the compound or building
it is about (docs/open311.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.permissions import require
from gongzhi.places.labels import label_for
from gongzhi.places.models import Kind, Place

from ..events import Verb
from ..models import Request
from .transitions import StateConflict, lock_request, record

ASSIGNABLE_KINDS = (Kind.COMPOUND, Kind.BUILDING)


def precheck_assign_place(req: Request, by) -> None:
    """The region's dispatchers (street/community staff over it), while the request is 待定位 and open."""
    require(by, "workorders.assign_place", req)
    if not req.unlocated:
        raise StateConflict(_("该诉求已有位置，无需指定"))
    if not req.is_open:
        raise StateConflict(_("已办结或关闭的诉求不能再指定位置"))


def assign_place(req: Request, place: Place, *, by) -> Request:
    """Put a 待定位 request on ``place`` (a compound or building under the region it waits at); it is no
    longer 待定位. One Event; the point the client sent stays with the request."""
    with transaction.atomic():
        req = lock_request(req)
        precheck_assign_place(req, by)
        place = Place.objects.get(pk=place.pk)
        if place.kind not in ASSIGNABLE_KINDS:
            raise ValidationError({"place": _("请选择小区或楼栋")})
        if not place.path.startswith(req.place.path):
            raise ValidationError({"place": _("所选位置不在%(region)s范围内") % {"region": req.place.name}})
        before = {"place": req.place_id, "unlocated": True}
        region = req.place
        req.place, req.unlocated = place, False
        req.save(update_fields=["place", "unlocated", "updated_at"])
        record(by, Verb.ASSIGN_PLACE, req, summary=_("指定位置：%(from)s → %(to)s") % {
            "from": region.name, "to": label_for(place)}, before=before, after={"place": place.pk, "unlocated": False})
    return req
