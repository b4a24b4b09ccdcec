"""Who may do what with a tip, and how a citizen proves a tip is theirs.

Officers: everything goes through ``binhyen.accounts.permissions``. A tip belongs to the
unit whose queue holds it (``Tip.orgunit``); ``TRIAGE_TIPS`` on that unit (or an ancestor)
opens it, ``VIEW_TIP_CONTACT`` also reveals a named tip's contact details.

Citizens: no account. The tracking code finds the tip, the secret proves it is theirs.
Only ``sha256$<salt>$<hex>`` of the secret is stored; the secret has about 100 random bits,
so a fast salted hash is enough (no password stretching needed) and keeps intake cheap.
A wrong code and a wrong secret give the same answer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from binhyen.accounts import permissions
from binhyen.core.actors import Actor
from binhyen.tips.models import CODE_ALPHABET, Tip

CODE_LENGTH = 8
SECRET_LENGTH = 20


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def tracking_code_new() -> str:
    """Return a fresh tracking code such as ``K7QM-3XHD`` (40 random bits)."""
    raw = _random_code(CODE_LENGTH)
    return f"{raw[:4]}-{raw[4:]}"


def secret_new() -> str:
    """Return a fresh secret such as ``7KQM-3XHD-PW2A-9RTE-MN4C`` (about 98 random bits)."""
    raw = _random_code(SECRET_LENGTH)
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_LENGTH, 4))


def normalise_code(value: str | None) -> str:
    """Return a typed code in canonical form: upper case, spaces and dashes re-placed."""
    text = "".join(ch for ch in (value or "").upper() if ch.isascii() and ch.isalnum())
    if not text:
        return ""
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def secret_hash(secret: str) -> str:
    salt = secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}${normalise_code(secret)}".encode()).hexdigest()
    return f"sha256${salt}${digest}"


def secret_matches(stored: str, secret: str | None) -> bool:
    """Return True if ``secret`` hashes to ``stored`` (constant-time comparison)."""
    try:
        algorithm, salt, digest = stored.split("$", 2)
    except ValueError:
        return False
    if algorithm != "sha256" or not secret:
        return False
    candidate = hashlib.sha256(f"{salt}${normalise_code(secret)}".encode()).hexdigest()
    return hmac.compare_digest(candidate, digest)


def can_triage(user: Actor, tip: Tip) -> bool:
    return permissions.has_perm_on(user, permissions.TRIAGE_TIPS, tip.orgunit)


def can_view_contact(user: Actor, tip: Tip) -> bool:
    return permissions.has_perm_on(user, permissions.VIEW_TIP_CONTACT, tip.orgunit)


def can_triage_anywhere(user: Actor) -> bool:
    return permissions.has_perm_anywhere(user, permissions.TRIAGE_TIPS)
