"""Citizen intake through the web form and the API: a new tip, and follow-ups to it.

Invariants:
- Intake and follow-up are durable transactions: when they return, the tip is committed,
  so a tracking code shown to a citizen always names a stored tip.
- A tip is stored with its cleaned media or not at all: files written for a submission that
  fails are removed again.
- The audit event records the channel, kind and counts only (never an IP address, the text
  or contact data); a named tip keeps its contact only when the citizen chose to give it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.models import WebhookEvent
from binhyen.core.services import audit_event_record
from binhyen.tips import events
from binhyen.tips import permissions as tip_perms
from binhyen.tips.inputs import TipInput
from binhyen.tips.media import ProcessedMedia
from binhyen.tips.models import Category, Direction, Tip, TipMessage
from binhyen.tips.selectors.routing import route_tip
from binhyen.tips.services.common import (
    files_delete,
    full_clean_fields,
    media_store,
    webhook_tip_emit,
)
from binhyen.tips.services.fast_insert import tip_insert_with_fresh_code
from binhyen.tips.services.metrics import metrics_after_commit


@dataclass(frozen=True)
class Submitted:
    """A committed tip and the secret to show once (it is stored only as a hash)."""

    tip: Tip
    secret: str


@transaction.atomic(durable=True)
def tip_submit(
    *,
    actor: Actor | None,
    data: TipInput,
    channel: str,
    media: Sequence[ProcessedMedia] = (),
) -> Submitted:
    """Store a citizen's tip with its cleaned media; return it with its one-time secret.

    The tip is routed (``selectors.route_tip``) and inserted under a fresh tracking code
    (``tip_insert_with_fresh_code`` draws again on the rare collision).
    """
    if len(media) > settings.TIPS_MAX_FILES:
        raise ValidationError(
            {
                "attachments": _("Chỉ gửi được tối đa %(n)s ảnh/video mỗi lần.")
                % {"n": settings.TIPS_MAX_FILES}
            }
        )
    now = timezone.now()
    if data.occurred_at is not None and data.occurred_at > now + timedelta(hours=1):
        raise ValidationError({"occurred_at": _("Thời gian xảy ra không thể ở tương lai.")})
    category = None
    if data.category_code:
        category = Category.objects.filter(code=data.category_code, is_active=True).first()
        if category is None or category.kind != data.kind:
            raise ValidationError(
                {
                    "category": _("Nhóm tin “%(code)s” không có hoặc không thuộc loại tin đã chọn.")
                    % {"code": data.category_code}
                }
            )
    route = route_tip(data)
    secret = tip_perms.secret_new()
    anonymous = data.is_anonymous
    tip = Tip(
        secret_hash=tip_perms.secret_hash(secret),
        channel=channel,
        kind=data.kind,
        category=category,
        description=data.description.strip(),
        occurred_at=data.occurred_at,
        orgunit=route.queue,
        commune=route.commune,
        village=route.village,
        address_text=data.address_text.strip()[:300],
        latitude=data.latitude,
        longitude=data.longitude,
        location_unknown=data.location_unknown,
        is_anonymous=anonymous,
        contact_name="" if anonymous else data.contact_name.strip(),
        contact_phone="" if anonymous else data.contact_phone.strip(),
        contact_email="" if anonymous else data.contact_email.strip(),
        ack_due_at=now + timedelta(hours=settings.TIPS_ACK_HOURS),
        due_at=now + timedelta(days=settings.TIPS_CONCLUDE_DAYS),
        tracking_code=tip_perms.tracking_code_new(),
    )
    full_clean_fields(tip)
    tip_insert_with_fresh_code(tip)
    saved: list[str] = []
    try:
        media_store(tip, media, None, saved)
        audit_event_record(
            actor=actor,
            action="tip.submit",
            obj=tip,
            orgunit=tip.orgunit,
            after={
                "channel": channel,
                "kind": tip.kind,
                "category": category.code if category else "",
                "anonymous": anonymous,
                "media": len(media),
            },
        )
    except BaseException:
        files_delete(saved)
        raise
    webhook_tip_emit(WebhookEvent.TIP_RECEIVED, tip)
    metrics_after_commit([now], throttle=True)
    return Submitted(tip=tip, secret=secret)


@transaction.atomic(durable=True)
def tip_follow_up(
    *,
    actor: Actor | None,
    tip: Tip,
    body: str,
    media: Sequence[ProcessedMedia] = (),
    channel: str,
) -> TipMessage:
    """Add the citizen's new information (text and files) to their tip."""
    body = (body or "").strip()
    if not body and not media:
        raise ValidationError({"body": _("Hãy nhập nội dung bổ sung hoặc chọn ảnh/video.")})
    if len(media) > settings.TIPS_MAX_FILES:
        raise ValidationError(
            {
                "attachments": _("Chỉ gửi được tối đa %(n)s ảnh/video mỗi lần.")
                % {"n": settings.TIPS_MAX_FILES}
            }
        )
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    message = TipMessage(
        tip=tip,
        direction=Direction.FROM_CITIZEN,
        body=body or _("(gửi thêm ảnh/video)"),
        channel=channel,
    )
    full_clean_fields(message)
    message.save()
    saved: list[str] = []
    try:
        media_store(tip, media, message, saved)
        Tip.objects.filter(pk=tip.pk).update(awaiting_officer=True, updated_at=timezone.now())
        if tip.duplicate_of_id is not None:
            main = Tip.objects.select_for_update().get(pk=tip.duplicate_of_id)
            events.event_record(main, events.DUPLICATE_FOLLOW_UP, {"code": tip.tracking_code})
            Tip.objects.filter(pk=main.pk).update(awaiting_officer=True, updated_at=timezone.now())
        audit_event_record(
            actor=actor,
            action="tip.follow_up",
            obj=tip,
            orgunit=tip.orgunit,
            after={"channel": channel, "media": len(media)},
        )
    except BaseException:
        files_delete(saved)
        raise
    return message
