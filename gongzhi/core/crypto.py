"""Field-level encryption of personal data at rest (AES-GCM) and a keyed hash for look-ups."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_PREFIX = "v1:"


def _key() -> bytes:
    return hashlib.sha256(("enc:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()


def _hash_key() -> bytes:
    return hashlib.sha256(("idx:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, plaintext.encode(), None)
    return _PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    if not token.startswith(_PREFIX):
        raise ValueError("unknown ciphertext format")
    raw = base64.b64decode(token[len(_PREFIX):])
    return AESGCM(_key()).decrypt(raw[:12], raw[12:], None).decode()


def blind_index(value: str) -> str:
    """Deterministic keyed hash: find a person by ID number without storing it in clear."""
    if not value:
        return ""
    return hmac.new(_hash_key(), value.upper().encode(), hashlib.sha256).hexdigest()
