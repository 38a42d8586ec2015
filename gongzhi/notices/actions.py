"""Notify people: an inbox row now (inside the caller's transaction), outside channels after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .channels import configured_channels
from .models import Delivery, DeliveryStatus, Notification

logger = logging.getLogger("gongzhi.notices")


def notify(users: Iterable, *, verb: str, text: str, link: str = "") -> list[Notification]:
    """Write one inbox row per distinct user; hand them to the channels once the transaction commits."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, verb=verb, text=text[:300], link=link))
    Notification.objects.bulk_create(rows)  # SQLite ≥ 3.35 and PostgreSQL return the new ids
    ids = [n.pk for n in rows]
    transaction.on_commit(lambda: deliver(ids))
    return rows


def deliver(notification_ids: list[int]) -> None:
    """Runs after commit: a rolled-back action never reaches a channel."""
    channels = configured_channels()
    for n in Notification.objects.filter(pk__in=notification_ids):
        for channel in channels:
            try:
                channel.send(user_id=n.user_id, text=n.text, link=n.link)
            except Exception as exc:  # one failing gateway must not stop the others; the failure is kept
                Delivery.objects.create(notification=n, channel=channel.name, status=DeliveryStatus.FAILED,
                                        error=str(exc)[:300])
            else:
                Delivery.objects.create(notification=n, channel=channel.name, status=DeliveryStatus.SENT)


def mark_read(user, notification_ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def send_outside(*, user_id: int, text: str, link: str = "") -> None:
    """Hand a private message (a verification code) to the outside channels once the transaction commits,
    without an inbox row: it is for the phone only, and is never stored. Registered with
    :func:`gongzhi.people.accounts.register_code_sender`; the account may not be active yet."""

    def send() -> None:
        for channel in configured_channels():
            try:
                channel.send(user_id=user_id, text=text, link=link)
            except Exception:  # one failing gateway must not stop the others
                logger.exception("channel %s failed to send a private message to user %s", channel.name, user_id)

    transaction.on_commit(send)
