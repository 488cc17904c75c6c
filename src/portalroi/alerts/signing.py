"""Webhook signatures: HMAC-SHA256 over the timestamp and the raw body.

Every webhook POST carries two headers:

``X-Portalroi-Timestamp``
    the send time in Unix seconds;
``X-Portalroi-Signature``
    ``sha256=<hex>`` where ``hex = HMAC-SHA256(secret, f"{timestamp}." + raw body)``.

Signing the timestamp with the body stops a captured request from being replayed later: a
receiver rejects a timestamp older than a few minutes (:func:`verify_signature` defaults to 300
seconds) and a changed timestamp breaks the signature.

Examples
--------
>>> body = b'{"rule": "r1"}'
>>> header = sign("s3cret-value", body, 1700000000)
>>> header[:7]
'sha256='
>>> verify_signature("s3cret-value", body, header, "1700000000", now=1700000100)
True
>>> verify_signature("s3cret-value", body + b" ", header, "1700000000", now=1700000100)
False
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "sign", "verify_signature"]

SIGNATURE_HEADER = "X-Portalroi-Signature"
TIMESTAMP_HEADER = "X-Portalroi-Timestamp"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Portalroi-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds).

    Examples
    --------
    >>> sign("k" * 8, b"{}", 0)[-8:]
    '7e4b4d8c'
    """
    message = f"{int(timestamp)}.".encode() + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    body: bytes,
    header: str | None,
    timestamp: str | int | None,
    *,
    tolerance_s: float | None = 300,
    now: float | None = None,
) -> bool:
    """Whether a webhook request is genuine: signature matches and the timestamp is fresh.

    Parameters
    ----------
    secret
        The shared secret of the rule.
    body
        The raw request body, byte for byte as received (not re-serialised JSON).
    header
        The ``X-Portalroi-Signature`` header.
    timestamp
        The ``X-Portalroi-Timestamp`` header.
    tolerance_s
        Largest accepted age (and clock skew) in seconds; ``None`` skips the check.
    now
        Current Unix time (default: the clock).

    Examples
    --------
    >>> h = sign("secret-1", b"x", 100)
    >>> verify_signature("secret-1", b"x", h, 100, now=150), verify_signature(
    ...     "secret-2", b"x", h, 100, now=150)
    (True, False)
    >>> verify_signature("secret-1", b"x", h, 100, now=1000)  # too old: a replay
    False
    """
    if not header or timestamp is None:
        return False
    try:
        ts = int(str(timestamp).strip())
    except ValueError:
        return False
    if tolerance_s is not None:
        current = time.time() if now is None else now
        if abs(current - ts) > tolerance_s:
            return False
    return hmac.compare_digest(sign(secret, body, ts), header.strip())
