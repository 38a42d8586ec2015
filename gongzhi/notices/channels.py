"""Outside channels (SMS, WeChat, email). Deployments plug in real gateways; the default only logs."""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Protocol

from django.conf import settings

from gongzhi.core.masking import mask_phone

logger = logging.getLogger("gongzhi.notices")


class Channel(Protocol):
    name: str

    def send(self, *, user_id: int, text: str, link: str) -> None: ...

    # optional: ``send_to_phone(*, phone, text, link)`` reaches a phone that has no account (a verification
    # code for the QR intake); a channel without it (an in-app push, WeChat by openid) is skipped for those


class LogChannel:
    """Writes the message to the log: the default on an offline intranet without gateways."""

    name = "log"

    def send(self, *, user_id: int, text: str, link: str) -> None:
        logger.info("notify user=%s text=%s link=%s", user_id, text, link)

    def send_to_phone(self, *, phone: str, text: str, link: str) -> None:
        logger.info("notify phone=%s text=%s link=%s", mask_phone(phone), text, link)


def configured_channels() -> list[Channel]:
    paths = settings.NOTIFICATION_CHANNELS
    channels = []
    for path in paths:
        module, _, cls = path.rpartition(".")
        channels.append(getattr(import_module(module), cls)())
    return channels
