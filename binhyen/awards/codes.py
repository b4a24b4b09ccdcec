"""One-time collection codes of tipster rewards.

Invariants:
- The code shown to the citizen is derived (HMAC with the deployment's secret key) from the
  reward's random nonce; the database keeps only its SHA-256 (``Reward.code_hash``), so a
  copy of the database alone never yields a code.
- A code is 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L), grouped
  "ABCDE-FGHJK" for reading aloud; typing it in any case, with or without the dash, works.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10


def new_nonce() -> str:
    return secrets.token_hex(16)


def code_for(nonce: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"binhyen.awards.collect:{nonce}".encode(), hashlib.sha256
    ).digest()
    chars = [ALPHABET[b % len(ALPHABET)] for b in digest[:LENGTH]]
    return "".join(chars[:5]) + "-" + "".join(chars[5:])


def normalise(code: str) -> str:
    raw = "".join(c for c in (code or "").upper() if c.isalnum())[: LENGTH + 2]
    if len(raw) != LENGTH:
        return ""
    return raw[:5] + "-" + raw[5:]


def hash_of(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()
