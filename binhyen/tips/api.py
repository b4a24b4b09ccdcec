"""REST endpoints of the tips app, under /api/v1/tips.

Public (no authentication): ``GET /challenge``, ``POST /`` (submit), ``POST /status`` and
``POST /follow-up`` (code + secret). The same checks as the web form apply, in the same
order: request size (413), rate limit (429), anti-bot field and proof-of-work (400),
files (400), then one service; 201 only after the tip is committed.

Officers (token or verified session): ``GET /inbox`` and ``GET /{id}``, scoped like the
pages (a tip of another unit is a 404), and every action of the tip page, each through the
same service as the page: ``POST /{id}/claim``, ``/release``, ``/assign``, ``/priority``,
``/classify``, ``/state`` (verify, conclude with outcome, reopen with reason), ``/messages``
(to the citizen, optionally from a reply template), ``/notes``, ``/transfer``, ``/place``
(a province-queue tip into one of its communes), ``/merge``, ``/valuable``; ``GET
/{id}/duplicates``, ``GET /{id}/contact`` (logged like the page) and ``GET /reply-templates``.
A refusal answers 404 when the caller may not act on the tip, 409 when the tip's state
forbids the action (claimed by someone else, anonymous contact, ...) and 400 with the field
for bad input.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from binhyen.core.api_kit import api_user
from binhyen.core.errors import Conflict
from binhyen.core.schemas import OFFSET_MAX
from binhyen.core.web import not_found
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.tips import guard, media, pow, selectors, services
from binhyen.tips import permissions as tip_perms
from binhyen.tips.inputs import TipInput
from binhyen.tips.models import Category, Channel, Tip, TipMessage
from binhyen.tips.schemas import (
    AssignIn,
    ChallengeOut,
    CitizenLookupIn,
    CitizenStatusOut,
    ClaimIn,
    ClassifyIn,
    ContactOut,
    DuplicateOut,
    ErrorOut,
    FollowUpOut,
    MergeIn,
    MessageIn,
    MessageOut,
    NoteIn,
    PlaceIn,
    PriorityIn,
    PublicMessageOut,
    ReceiptOut,
    ReplyTemplateOut,
    StateIn,
    TipOut,
    TipPageOut,
    TipSubmitIn,
    TransferIn,
    ValuableIn,
)

router = Router(tags=["tips"])
ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}
ACTION_ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _guard(request: HttpRequest, scope: str) -> None:
    try:
        guard.public_request_admit(request, scope)
    except guard.Refused as exc:
        raise HttpError(exc.status, exc.message) from None


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
    try:
        submitted = guard.public_tip_submit(
            request, channel=Channel.API, parse=lambda: _submission(payload)
        )
    except guard.Refused as exc:
        if exc.field:
            raise _bad(exc.field, exc.message) from None
        raise HttpError(exc.status, exc.message) from None
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


def _submission(payload: TipSubmitIn) -> guard.PublicSubmission:
    """Read the schema the way the web form reads its fields (400 naming the field)."""
    if payload.website:
        raise _bad("website", _("Trường chống gửi tự động phải để trống."))
    if payload.proof is None:
        raise _bad("proof", _("Thiếu bước xác minh chống gửi tự động (lấy ở /tips/challenge)."))
    contact = payload.contact
    if not payload.anonymous and (contact is None or not (contact.phone or contact.email)):
        raise _bad(
            "contact",
            _("Hãy cho biết số điện thoại hoặc thư điện tử, hoặc gửi ẩn danh."),
        )
    data = TipInput(
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
    return guard.PublicSubmission(
        data=data, proof_token=payload.proof.token, proof_solution=payload.proof.solution
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
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


@router.get("/inbox", response={200: TipPageOut})
def inbox(request: HttpRequest, query: Query[InboxQuery]) -> Any:
    """List the tips the caller may triage (contact details are never included)."""
    tips = selectors.tip_inbox(
        user=api_user(request),
        filters=selectors.InboxFilter(
            status=query.status, kind=query.kind, overdue=query.overdue, mine=query.mine, q=query.q
        ),
    )
    page = list(tips[query.offset : query.offset + query.limit])
    return TipPageOut(count=tips.count(), items=[_tip_out(t) for t in page])


@router.get("/{int:tip_id}", response={200: TipOut, 404: ErrorOut})
def detail(request: HttpRequest, tip_id: int) -> Any:
    """One tip the caller may triage; a tip of another unit answers 404 like a missing one."""
    return _tip_out(selectors.tip_get(user=api_user(request), pk=tip_id))


# --- officer actions -----------------------------------------------------------------------------


def _message_out(message: TipMessage) -> MessageOut:
    author = message.author
    return MessageOut(
        id=message.pk,
        direction=message.direction,
        body=message.body,
        author=(getattr(author, "display_name", "") or str(author)) if author else None,
        created_at=message.created_at,
    )


@router.get("/reply-templates", response={200: list[ReplyTemplateOut]})
def reply_templates(request: HttpRequest) -> Any:
    """The active reply templates (use a code in ``POST /{id}/messages``)."""
    if not tip_perms.can_triage_anywhere(api_user(request)):
        raise not_found(selectors.not_found_message())
    return [
        ReplyTemplateOut(code=t.code, name=t.name, body=t.body) for t in selectors.reply_templates()
    ]


@router.post("/{int:tip_id}/claim", response={200: TipOut, **ACTION_ERRORS})
def claim(request: HttpRequest, tip_id: int, payload: ClaimIn) -> Any:
    """Take the tip; ``take_over`` lets a supervisor take someone else's claim."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    done = services.tip_claim(actor=user, tip=tip, take_over=payload.take_over)
    return _tip_out(done)


@router.post("/{int:tip_id}/release", response={200: TipOut, **ACTION_ERRORS})
def release(request: HttpRequest, tip_id: int) -> Any:
    """Give the tip back to the queue (the claimer, or a supervisor)."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    done = services.tip_release(actor=user, tip=tip)
    return _tip_out(done)


@router.post("/{int:tip_id}/assign", response={200: TipOut, **ACTION_ERRORS})
def assign(request: HttpRequest, tip_id: int, payload: AssignIn) -> Any:
    """Give the tip to an officer who may triage it (see the tip page's list)."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    assignee = selectors.tip_triage_officers(tip=tip).filter(pk=payload.assignee).first()
    if assignee is None:
        raise ValidationError({"assignee": _("Người được giao không có quyền xử lý tin này.")})
    done = services.tip_assign(actor=user, tip=tip, assignee=assignee)
    return _tip_out(done)


@router.post("/{int:tip_id}/priority", response={200: TipOut, **ACTION_ERRORS})
def priority(request: HttpRequest, tip_id: int, payload: PriorityIn) -> Any:
    """Change the priority."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    done = services.tip_set_priority(actor=user, tip=tip, priority=payload.priority)
    return _tip_out(done)


@router.post("/{int:tip_id}/classify", response={200: TipOut, **ACTION_ERRORS})
def classify(request: HttpRequest, tip_id: int, payload: ClassifyIn) -> Any:
    """Correct the kind and category."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category, is_active=True).first()
        if category is None:
            raise ValidationError({"category": _("Nhóm tin không tồn tại.")})
    done = services.tip_classify(actor=user, tip=tip, kind=payload.kind, category=category)
    return _tip_out(done)


@router.post("/{int:tip_id}/state", response={200: TipOut, **ACTION_ERRORS})
def state(request: HttpRequest, tip_id: int, payload: StateIn) -> Any:
    """Change the state: start verifying a new tip, conclude it (resolved or unfounded, with
    the outcome), or reopen a concluded tip (``verifying`` with a reason)."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    if payload.status != "verifying":
        done = services.tip_conclude(
            actor=user, tip=tip, status=payload.status, outcome=payload.outcome
        )
    elif tip.is_open:
        done = services.tip_verify_start(actor=user, tip=tip)
    else:
        done = services.tip_reopen(actor=user, tip=tip, reason=payload.reason)
    return _tip_out(done)


@router.post("/{int:tip_id}/messages", response={201: MessageOut, **ACTION_ERRORS})
def message(request: HttpRequest, tip_id: int, payload: MessageIn) -> Any:
    """Send a message to the citizen; a template's text is used when ``body`` is empty."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    body = payload.body
    if payload.template:
        template = selectors.reply_templates().filter(code=payload.template).first()
        if template is None:
            raise ValidationError(
                {"template": _("Không có mẫu trả lời “%(code)s”.") % {"code": payload.template}}
            )
        body = body.strip() or template.body
    sent = services.tip_reply(actor=user, tip=tip, body=body)
    return Status(201, _message_out(sent))


@router.post("/{int:tip_id}/notes", response={201: MessageOut, **ACTION_ERRORS})
def note(request: HttpRequest, tip_id: int, payload: NoteIn) -> Any:
    """Add an internal note (never shown to the citizen)."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    added = services.tip_note_add(actor=user, tip=tip, body=payload.body)
    return Status(201, _message_out(added))


def _commune(code: str, field: str) -> OrgUnit:
    unit = selectors.public_unit(code=code.strip())
    if unit is None or unit.kind != UnitKind.COMMUNE:
        raise ValidationError(
            {field: _("Không tìm thấy xã/phường có mã “%(code)s”.") % {"code": code}}
        )
    return unit


@router.post("/{int:tip_id}/transfer", response={200: TipOut, **ACTION_ERRORS})
def transfer(request: HttpRequest, tip_id: int, payload: TransferIn) -> Any:
    """Send the tip to another commune, or conclude it as passed on to another body."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    to_unit = _commune(payload.to_unit, "to_unit") if payload.to_unit.strip() else None
    done = services.tip_transfer(
        actor=user, tip=tip, reason=payload.reason, to_unit=to_unit, to_body=payload.to_body
    )
    return _tip_out(done)


@router.post("/{int:tip_id}/place", response={200: TipOut, **ACTION_ERRORS})
def place(request: HttpRequest, tip_id: int, payload: PlaceIn) -> Any:
    """Place a tip of a province queue (place unknown at intake) into one of its communes."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    if tip.orgunit.kind != UnitKind.PROVINCE:
        raise Conflict(
            _("Tin đã thuộc %(unit)s; hãy dùng chức năng chuyển tin.") % {"unit": tip.orgunit.name}
        )
    commune = _commune(payload.commune_code, "commune_code")
    if not commune.path.startswith(tip.orgunit.path):
        raise ValidationError(
            {
                "commune_code": _("%(commune)s không thuộc %(province)s.")
                % {"commune": commune.name, "province": tip.orgunit.name}
            }
        )
    done = services.tip_transfer(actor=user, tip=tip, reason=payload.reason, to_unit=commune)
    return _tip_out(done)


@router.get("/{int:tip_id}/duplicates", response={200: list[DuplicateOut], 404: ErrorOut})
def duplicates(request: HttpRequest, tip_id: int) -> Any:
    """Tips that may report the same thing (same place, kind and time, similar text)."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    return [
        DuplicateOut(
            id=s.tip.pk,
            tracking_code=s.tip.tracking_code,
            description=s.tip.description,
            status=s.tip.status,
            created_at=s.tip.created_at,
            score=s.score,
            reasons=[str(r) for r in s.reasons],
        )
        for s in selectors.tip_duplicates(user=user, tip=tip)
    ]


@router.post("/{int:tip_id}/merge", response={200: TipOut, **ACTION_ERRORS})
def merge(request: HttpRequest, tip_id: int, payload: MergeIn) -> Any:
    """Mark the tip a duplicate of the tip with tracking code ``into`` (in the caller's scope)."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    code = tip_perms.normalise_code(payload.into)
    into = (
        selectors.tip_inbox(user=user, filters=selectors.InboxFilter(status="all"))
        .filter(tracking_code=code)
        .first()
    )
    if into is None:
        raise ValidationError(
            {
                "into": _("Không tìm thấy tin có mã “%(code)s” trong phạm vi của bạn.")
                % {"code": code}
            }
        )
    done = services.tip_merge(actor=user, tip=tip, into=into, note=payload.note)
    return _tip_out(done)


@router.post("/{int:tip_id}/valuable", response={200: TipOut, **ACTION_ERRORS})
def valuable(request: HttpRequest, tip_id: int, payload: ValuableIn) -> Any:
    """Flag (or unflag) the tip as valuable."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    done = services.tip_mark_valuable(actor=user, tip=tip, valuable=payload.valuable)
    return _tip_out(done)


@router.get("/{int:tip_id}/contact", response={200: ContactOut, 404: ErrorOut, 409: ErrorOut})
def contact(request: HttpRequest, tip_id: int, response: HttpResponse) -> Any:
    """A named tip's contact details, for officers allowed to see them; every read is logged."""
    user = api_user(request)
    tip = selectors.tip_get(user=user, pk=tip_id)
    found = services.tip_contact_reveal(actor=user, tip=tip)
    response["Cache-Control"] = "no-store"
    return ContactOut(name=found.name, phone=found.phone, email=found.email)
