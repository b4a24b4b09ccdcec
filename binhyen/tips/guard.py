"""The public intake guard: the checks every anonymous write passes, in one order.

Both the web form and the API submit a tip through ``public_tip_submit``:
request size (413) → rate limit (429) → the caller's parse (form or schema, 400) →
proof of work (400 on ``proof``) → files (400 on ``attachments``) → ``services.tip_submit``.
Follow-ups and lookups pass ``public_request_admit`` (size, rate limit) before their own
checks.

Invariants:
- Nothing is stored unless every check passed; a refusal names its status and, where a
  field is at fault, the field.
- No check stores who asked: the rate limit keys on a keyed hash of the source that changes
  every hour (``binhyen.tips.ratelimit``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from binhyen.tips import media, pow, services
from binhyen.tips.inputs import TipInput
from binhyen.tips.ratelimit import RateLimited, rate_limit_hit


class Refused(Exception):
    """A public request refused before the service: ``status``, a Vietnamese message, and
    the field at fault (``proof``) or ``retry_after`` seconds (429) where they apply."""

    def __init__(
        self, status: int, message: str, *, field: str = "", retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.retry_after = retry_after


@dataclass(frozen=True)
class PublicSubmission:
    """What the caller parsed from its form or schema: the tip, the proof, the files."""

    data: TipInput
    proof_token: str | None
    proof_solution: str | None
    uploads: Sequence[media.Upload] = field(default_factory=tuple)


def too_large(request: HttpRequest) -> bool:
    """Return True when the declared body is over ``TIPS_MAX_REQUEST_BYTES`` (or unreadable)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.TIPS_MAX_REQUEST_BYTES


def too_large_message() -> str:
    return _(
        "Dữ liệu gửi lên quá lớn (tối đa %(mb)s MB mỗi lần). Hãy bớt ảnh/video rồi gửi lại."
    ) % {"mb": settings.TIPS_MAX_REQUEST_BYTES // (1024 * 1024)}


def public_request_admit(request: HttpRequest, scope: str, *, check_size: bool = True) -> None:
    """Refuse a body over the size limit (413), then count the request in ``scope`` (429)."""
    if check_size and too_large(request):
        raise Refused(413, too_large_message())
    try:
        rate_limit_hit(scope, request)
    except RateLimited as exc:
        raise Refused(429, exc.message, retry_after=exc.retry_after) from None


def public_tip_submit(
    request: HttpRequest, *, channel: str, parse: Callable[[], PublicSubmission]
) -> services.Submitted:
    """Run the public intake checks in their one order, then store the tip.

    ``parse`` reads the caller's form or schema and raises the caller's own error when the
    input is bad; a failed proof of work is ``Refused`` on the ``proof`` field; bad files
    and refusals of the service are ``ValidationError``s naming their field.
    """
    public_request_admit(request, "submit")
    submission = parse()
    try:
        pow.challenge_verify(submission.proof_token, submission.proof_solution)
    except pow.ChallengeError as exc:
        raise Refused(400, str(exc), field="proof") from None
    processed = media.process_uploads(submission.uploads)
    return services.tip_submit(actor=None, data=submission.data, channel=channel, media=processed)
