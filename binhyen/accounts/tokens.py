"""API token secrets: generate, hash, and look up. Only hashes are stored."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX_LEN = 8


def generate_secret() -> str:
    """Return a new random token ``by_<prefix>_<secret>``; the prefix helps tell tokens apart."""
    return f"by_{secrets.token_hex(TOKEN_PREFIX_LEN // 2)}_{secrets.token_urlsafe(32)}"


def prefix_of(raw: str) -> str:
    parts = raw.split("_")
    return parts[1][:TOKEN_PREFIX_LEN] if len(parts) >= 3 else ""


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
