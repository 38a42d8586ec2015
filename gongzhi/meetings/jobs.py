"""Periodic steps of joint meetings, run by ``manage.py tick`` (registered with ``core.registry.tick_step``).
Each claims its rows with ``select_for_update(skip_locked=True)`` and calls an action as SYSTEM; a row whose state
no longer allows the move (MeetingConflict) is skipped and writes nothing, so two ticks never do the work twice."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from gongzhi.core.permissions import SYSTEM

from . import actions
from .actions import MeetingConflict
from .models import MeetingSeries
from .queries import overdue_items_to_carry

logger = logging.getLogger(__name__)


def generate_ahead(today=None, limit: int = 100) -> int:
    """生成例会: every active series has its meetings of the coming months (one per month, on its 议事日)."""
    today = today or timezone.localdate()
    made = 0
    with transaction.atomic():
        series = list(MeetingSeries.objects.filter(active=True).select_for_update(skip_locked=True)
                      .order_by("pk")[:limit])
        for s in series:
            with transaction.atomic():
                made += len(actions.generate_meetings(s, by=SYSTEM, today=today))
    return made


def carry_over_overdue(today=None, now=None, limit: int = 100) -> int:
    """逾期事项上会: each overdue action item onto its series' next meeting, once."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        due = list(overdue_items_to_carry(today, now).select_for_update(skip_locked=True, of=("self",))
                   .order_by("due_date", "pk")[:limit])
        for item in due:
            try:
                with transaction.atomic():
                    actions.carry_over_item(item, by=SYSTEM, today=today)
            except MeetingConflict:
                continue
            changed += 1
    return changed


STEPS = [generate_ahead, carry_over_overdue]
