"""查看联系电话 — the full callback phone for those the policy lets reveal it (docs/privacy.md), audited."""

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
