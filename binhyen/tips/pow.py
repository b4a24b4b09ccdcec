"""A small proof-of-work that needs no outside service: the server signs a challenge, the
client finds a counter whose SHA-256 has enough leading zero bits.

Protocol: ``token`` comes from ``challenge_issue()`` (signed with ``django.core.signing``,
timestamped, valid ``TIPS_POW_TTL_SECONDS``, carries its difficulty). The client looks for
a decimal ``solution`` such that ``sha256(token + ":" + solution)`` starts with ``bits`` zero
bits; the browser does it in ``js/tips.js`` with ``crypto.subtle``, API clients the same way.

Invariants: a forged, altered or expired token never verifies; a solved challenge is spent
once (``cache.add`` on its nonce, shared by every process when the cache is Redis).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

SALT = "binhyen.tips.pow"
MAX_SOLUTION_LENGTH = 20


class ChallengeError(ValueError):
    """The proof-of-work is missing, wrong, expired or already used; the message says which."""


@dataclass(frozen=True)
class Challenge:
    token: str
    bits: int
    expires_in: int


def challenge_issue(bits: int | None = None) -> Challenge:
    """Return a fresh signed challenge at the configured difficulty."""
    difficulty = settings.TIPS_POW_BITS if bits is None else bits
    token = signing.TimestampSigner(salt=SALT).sign_object(
        {"n": secrets.token_hex(8), "b": difficulty}, compress=False
    )
    return Challenge(token=token, bits=difficulty, expires_in=settings.TIPS_POW_TTL_SECONDS)


def leading_zero_bits(digest: bytes) -> int:
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def digest_for(token: str, solution: str) -> bytes:
    return hashlib.sha256(f"{token}:{solution}".encode()).digest()


def solve(token: str, bits: int) -> str:
    """Find a solution (used by tests and the load generator; browsers use tips.js)."""
    counter = 0
    while leading_zero_bits(digest_for(token, str(counter))) < bits:
        counter += 1
    return str(counter)


def challenge_verify(token: str | None, solution: str | None, *, spend: bool = True) -> None:
    """Raise ``ChallengeError`` unless ``solution`` solves the unexpired ``token``.

    With ``spend`` the challenge is marked used, so the same solution cannot be replayed.
    """
    if not token or not solution:
        raise ChallengeError(
            _("Thiếu bước xác minh chống gửi tự động. Hãy bật JavaScript và tải lại trang.")
        )
    if len(solution) > MAX_SOLUTION_LENGTH or not solution.isdigit():
        raise ChallengeError(_("Kết quả xác minh chống gửi tự động không hợp lệ."))
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=settings.TIPS_POW_TTL_SECONDS
        )
    except signing.SignatureExpired:
        raise ChallengeError(
            _(
                "Phiên xác minh đã hết hạn. Hãy tải lại trang rồi gửi lại (nội dung đã nhập "
                "vẫn giữ)."
            )
        ) from None
    except (signing.BadSignature, ValueError):
        raise ChallengeError(_("Mã xác minh chống gửi tự động không hợp lệ.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("b"), int):
        raise ChallengeError(_("Mã xác minh chống gửi tự động không hợp lệ."))
    if leading_zero_bits(digest_for(token, solution)) < data["b"]:
        raise ChallengeError(_("Kết quả xác minh chống gửi tự động không đúng."))
    if spend and not cache.add(f"tips:pow:{data['n']}", 1, settings.TIPS_POW_TTL_SECONDS):
        raise ChallengeError(
            _("Mã xác minh này đã được dùng. Hãy tải lại trang để lấy mã mới rồi gửi lại.")
        )
