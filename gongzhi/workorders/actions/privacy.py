"""What the reporter and the policy decide about a request's personal side (docs/privacy.md): 查看联系电话 — the
full callback phone for those the policy lets reveal it, audited; 公开 — the reporter's own choice whether the
request shows on the public board and Open311, changeable at any time."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.models import Event
from gongzhi.core.permissions import require

from ..events import Verb
from ..models import Request
from .transitions import lock_request


def reveal_contact_phone(req: Request, *, by) -> str:
    """The full contact phone of ``req``; one Event (not on the resident's timeline) says who saw it."""
    with transaction.atomic():
        req = lock_request(req)
        require(by, "workorders.reveal_contact_phone", req)
        Event.record(by, Verb.REVEAL_CONTACT_PHONE, req, place=req.place, summary=_("查看联系电话"),
                     after={"field": "contact_phone"})
    return req.contact_phone


def set_request_public(req: Request, public: bool, *, by) -> Request:
    """The reporter makes their request public (the compound's public board and Open311 show its category,
    description, status and compound — never who or which door) or takes it back; nothing else changes."""
    with transaction.atomic():
        req = lock_request(req)
        require(by, "workorders.set_request_public", req)
        public = bool(public)
        if req.public == public:
            return req
        before = req.public
        req.public = public
        req.save(update_fields=["public"])  # not an update of the request itself (Open311 updated_datetime)
        Event.record(by, Verb.SET_REQUEST_PUBLIC, req, place=req.place,
                     summary=_("设为公开") if public else _("设为不公开"),
                     before={"public": before}, after={"public": public})
    return req
