"""Notify people: an inbox row now (inside the caller's transaction), outside channels after commit; the
reader's own moves: reading one notice (opening it) and marking them all read, each audited."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from gongzhi.core.models import Event
from gongzhi.core.permissions import require

from .channels import configured_channels
from .events import Verb
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


def read_notice(notification: Notification, *, by) -> Notification:
    """阅读通知: opening a notice marks it read (once; reading it again changes nothing and writes nothing)."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        require(by, "notices.read_notice", notification)
        if notification.read_at is not None:
            return notification
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        Event.record(by, Verb.READ_NOTICE, notification, before={"read_at": None},
                     after={"read_at": notification.read_at.isoformat()})
    return notification


def read_all_notices(*, by) -> int:
    """全部标为已读: every unread notice of ``by``; one Event with how many (none when nothing was unread)."""
    with transaction.atomic():
        require(by, "notices.read_all_notices")
        unread = Notification.objects.select_for_update().filter(user=by, read_at__isnull=True)
        count = unread.update(read_at=timezone.now())
        if count:
            Event.record(by, Verb.READ_ALL_NOTICES, summary=str(count), after={"read": count})
    return count


def send_outside(*, user_id: int | None, text: str, link: str = "", phone: str = "") -> None:
    """Hand a private message (a verification code) to the outside channels once the transaction commits,
    without an inbox row: it is for the phone only, and is never stored. Registered with
    :func:`gongzhi.people.accounts.register_code_sender`; the account may not be active yet. ``user_id=None``
    with a ``phone``: a phone without an account (QR intake), for the channels that can reach a phone
    (``send_to_phone``)."""

    def send() -> None:
        for channel in configured_channels():
            try:
                if user_id is not None:
                    channel.send(user_id=user_id, text=text, link=link)
                elif hasattr(channel, "send_to_phone"):
                    channel.send_to_phone(phone=phone, text=text, link=link)
            except Exception:  # one failing gateway must not stop the others
                logger.exception("channel %s failed to send a private message to user %s", channel.name, user_id)

    transaction.on_commit(send)
