"""REST endpoints of the tips app, under /api/v1/tips.

Public (no authentication): ``GET /challenge``, ``POST /`` (submit), ``POST /status`` and
``POST /follow-up`` (code + secret). The same checks as the web form apply, in the same
order: request size (413), rate limit (429), anti-bot field and proof-of-work (400),
files (400), then one service; 201 only after the tip is committed.

Officers (token or verified session): ``GET /inbox`` and ``GET /{id}``, scoped like the
pages (a tip of another unit is a 404).
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from binhyen.tips import media, pow, selectors, services
from binhyen.tips.models import Channel, Tip
from binhyen.tips.ratelimit import RateLimited, rate_limit_hit
from binhyen.tips.schemas import (
    ChallengeOut,
    CitizenLookupIn,
    CitizenStatusOut,
    ErrorOut,
    FollowUpOut,
    PublicMessageOut,
    ReceiptOut,
    TipOut,
    TipPageOut,
    TipSubmitIn,
)
from binhyen.tips.views import too_large, too_large_message

router = Router(tags=["tips"])
ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _guard(request: HttpRequest, scope: str) -> None:
    if too_large(request):
        raise HttpError(413, too_large_message())
    try:
        rate_limit_hit(scope, request)
    except RateLimited as exc:
        raise HttpError(429, exc.message) from None


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


@router.get("/challenge", auth=None, response={200: ChallengeOut, 429: ErrorOut})
def challenge(request: HttpRequest) -> Any:
    """Get a proof-of-work challenge; solve it and send it with the tip."""
    _guard(request, "challenge")
    issued = pow.challenge_issue()
    return ChallengeOut(token=issued.token, bits=issued.bits, expires_in=issued.expires_in)


@router.post("/", auth=None, response={201: ReceiptOut, **ERRORS})
def submit(request: HttpRequest, payload: TipSubmitIn) -> Any:
    """Submit a tip (anonymous unless contact details are given and ``anonymous`` is false)."""
    _guard(request, "submit")
    if payload.website:
        raise _bad("website", _("Trường chống gửi tự động phải để trống."))
    if payload.proof is None:
        raise _bad("proof", _("Thiếu bước xác minh chống gửi tự động (lấy ở /tips/challenge)."))
    try:
        pow.challenge_verify(payload.proof.token, payload.proof.solution)
    except pow.ChallengeError as exc:
        raise _bad("proof", str(exc)) from None
    contact = payload.contact
    if not payload.anonymous and (contact is None or not (contact.phone or contact.email)):
        raise _bad(
            "contact",
            _("Hãy cho biết số điện thoại hoặc thư điện tử, hoặc gửi ẩn danh."),
        )
    data = services.TipInput(
        kind=payload.kind,
        description=payload.description,
        category_code=payload.category,
        occurred_at=payload.occurred_at,
        province_code=payload.province_code,
        commune_code=payload.commune_code,
        village_code=payload.village_code,
        address_text=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        location_unknown=payload.location_unknown,
        is_anonymous=payload.anonymous,
        contact_name=contact.name if contact and not payload.anonymous else "",
        contact_phone=contact.phone if contact and not payload.anonymous else "",
        contact_email=contact.email if contact and not payload.anonymous else "",
    )
    submitted = services.tip_submit(actor=None, data=data, channel=Channel.API)
    tip = submitted.tip
    return Status(
        201,
        ReceiptOut(
            tracking_code=tip.tracking_code,
            secret=submitted.secret,
            status=tip.status,
            unit=tip.orgunit.name,
            ack_due_at=tip.ack_due_at,
            due_at=tip.due_at,
        ),
    )


def _citizen_tip(code: str, secret: str) -> Tip:
    tip = selectors.tip_for_citizen(code=code, secret=secret)
    if tip is None:
        raise HttpError(404, _("Mã theo dõi hoặc mã bí mật không đúng."))
    return tip


@router.post(
    "/status",
    auth=None,
    response={200: CitizenStatusOut, 404: ErrorOut, 429: ErrorOut, 413: ErrorOut},
)
def status(request: HttpRequest, payload: CitizenLookupIn) -> Any:
    """Read a tip's status, outcome and the replies, with its code and secret."""
    _guard(request, "lookup")
    tip = _citizen_tip(payload.code, payload.secret)
    return CitizenStatusOut(
        tracking_code=tip.tracking_code,
        status=tip.status,
        status_label=str(tip.get_status_display()),
        outcome=tip.outcome,
        unit=tip.orgunit.name,
        created_at=tip.created_at,
        messages=[
            PublicMessageOut(direction=m.direction, body=m.body, created_at=m.created_at)
            for m in selectors.tip_public_thread(tip=tip)
        ],
    )


@router.post("/follow-up", auth=None, response={201: FollowUpOut, **ERRORS})
def follow_up(
    request: HttpRequest,
    code: Form[str],
    secret: Form[str],
    body: Form[str] = "",
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """Add information (text and up to the allowed number of photos/videos) to a tip."""
    _guard(request, "follow")
    tip = _citizen_tip(code[:20], secret[:40])
    processed = media.process_uploads(cast(list[media.Upload], list(files or [])))
    message = services.tip_follow_up(
        actor=None, tip=tip, body=body[:5000], media=processed, channel=Channel.API
    )
    return Status(
        201,
        FollowUpOut(
            tracking_code=tip.tracking_code, created_at=message.created_at, media=len(processed)
        ),
    )


def _tip_out(tip: Tip) -> TipOut:
    return TipOut(
        id=tip.pk,
        tracking_code=tip.tracking_code,
        channel=tip.channel,
        kind=tip.kind,
        category=tip.category.code if tip.category else None,
        status=tip.status,
        priority=tip.priority,
        description=tip.description,
        unit_code=tip.orgunit.code,
        unit_name=tip.orgunit.name,
        commune_code=tip.commune.code if tip.commune else None,
        is_anonymous=tip.is_anonymous,
        is_valuable=tip.is_valuable,
        claimed_by=str(tip.claimed_by) if tip.claimed_by else None,
        created_at=tip.created_at,
        ack_due_at=tip.ack_due_at,
        due_at=tip.due_at,
        acknowledged_at=tip.acknowledged_at,
        concluded_at=tip.concluded_at,
        outcome=tip.outcome,
        escalation_level=tip.escalation_level,
    )


class InboxQuery(Schema):
    status: str = Field("open", max_length=20)
    kind: str = Field("", max_length=16)
    overdue: bool = False
    mine: bool = False
    q: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(0, ge=0)


@router.get("/inbox", response={200: TipPageOut})
def inbox(request: HttpRequest, query: Query[InboxQuery]) -> Any:
    """List the tips the caller may triage (contact details are never included)."""
    tips = selectors.tip_inbox(
        user=request.user,
        filters=selectors.InboxFilter(
            status=query.status, kind=query.kind, overdue=query.overdue, mine=query.mine, q=query.q
        ),
    )
    page = list(tips[query.offset : query.offset + query.limit])
    return TipPageOut(count=tips.count(), items=[_tip_out(t) for t in page])


@router.get("/{int:tip_id}", response={200: TipOut, 404: ErrorOut})
def detail(request: HttpRequest, tip_id: int) -> Any:
    """One tip the caller may triage; a tip of another unit answers 404 like a missing one."""
    return _tip_out(selectors.tip_get(user=request.user, pk=tip_id))
