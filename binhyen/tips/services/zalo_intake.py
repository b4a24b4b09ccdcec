"""Citizen intake through the Zalo Official Account: a new tip, or a follow-up by the sender.

Invariants:
- One durable transaction per event; the event's ``msg_id`` is inserted first under a unique
  constraint, so a redelivery (even a concurrent one) changes nothing.
- The sender is known by its keyed hash only; the raw Zalo user id is kept in
  ``ZaloContact`` while the OA may still write to the sender (see ``binhyen.tips.zalo``).
- Replies to the sender go out after commit, never before the tip is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.models import WebhookEvent
from binhyen.core.services import audit_event_record
from binhyen.core.text import fold
from binhyen.orgunits.models import UnitKind
from binhyen.tips import permissions as tip_perms
from binhyen.tips import zalo
from binhyen.tips.models import (
    OPEN_STATUSES,
    Channel,
    Direction,
    MediaKind,
    PushStatus,
    Tip,
    TipKind,
    TipMedia,
    TipMessage,
    ZaloContact,
    ZaloDelivery,
    ZaloPush,
)
from binhyen.tips.selectors.routing import zalo_unit
from binhyen.tips.services.common import (
    files_delete,
    full_clean_fields,
    media_store,
    webhook_tip_emit,
)
from binhyen.tips.services.fast_insert import tip_insert_with_fresh_code
from binhyen.tips.services.metrics import metrics_after_commit
from binhyen.tips.zalo import ZaloInbound


@dataclass
class ZaloOutcome:
    """What became of one Zalo event, and the replies to send to its sender after commit."""

    tip: Tip | None
    created: bool = False
    duplicate: bool = False
    replies: list[str] = field(default_factory=list)


def _zalo_new_tip_wanted(text: str) -> bool:
    return fold(text).startswith(("#moi", "tin moi"))


@transaction.atomic(durable=True)
def zalo_event_receive(*, event: ZaloInbound) -> ZaloOutcome:
    """Take in one Zalo user message: a new tip, or a follow-up to the sender's open tip.

    Idempotent: the event's ``msg_id`` is inserted first under a unique constraint, so a
    redelivery (even a concurrent one) finds it taken and changes nothing.
    """
    try:
        with transaction.atomic():
            delivery = ZaloDelivery.objects.create(msg_id=event.msg_id, event_name=event.event_name)
    except IntegrityError:
        return ZaloOutcome(tip=None, duplicate=True)
    text = event.text.strip()
    open_tip = None
    if not _zalo_new_tip_wanted(text):
        open_tip = (
            Tip.objects.select_for_update()
            .filter(
                channel=Channel.ZALO, zalo_sender_hash=event.sender_hash, status__in=OPEN_STATUSES
            )
            .order_by("-created_at")
            .first()
        )
    references = [TipMedia(kind=MediaKind.IMAGE, source_url=url) for url in event.image_urls]
    outcome: ZaloOutcome
    if open_tip is None:
        unit = zalo_unit(event.oa_id)
        if unit is None:
            raise ValidationError(_("Chưa cấu hình đơn vị nhận tin cho Official Account này."))
        now = timezone.now()
        secret = tip_perms.secret_new()
        kind_is_commune = unit.kind == UnitKind.COMMUNE
        tip = Tip(
            secret_hash=tip_perms.secret_hash(secret),
            channel=Channel.ZALO,
            kind=TipKind.OTHER,
            description=text or _("(ảnh gửi qua Zalo)"),
            orgunit=unit,
            commune=unit if kind_is_commune else None,
            location_unknown=not kind_is_commune,
            is_anonymous=True,
            zalo_sender_hash=event.sender_hash,
            ack_due_at=now + timedelta(hours=settings.TIPS_ACK_HOURS),
            due_at=now + timedelta(days=settings.TIPS_CONCLUDE_DAYS),
            tracking_code=tip_perms.tracking_code_new(),
        )
        full_clean_fields(tip)
        tip_insert_with_fresh_code(tip)
        message = None
        outcome = ZaloOutcome(tip=tip, created=True)
        outcome.replies.append(zalo.ack_text(tip.tracking_code, secret))
        action = "tip.submit"
        webhook_tip_emit(WebhookEvent.TIP_RECEIVED, tip)
        metrics_after_commit([now], throttle=True)
    else:
        tip = open_tip
        message = TipMessage(
            tip=tip,
            direction=Direction.FROM_CITIZEN,
            body=text or _("(ảnh gửi qua Zalo)"),
            channel=Channel.ZALO,
        )
        full_clean_fields(message)
        message.save()
        Tip.objects.filter(pk=tip.pk).update(awaiting_officer=True, updated_at=timezone.now())
        outcome = ZaloOutcome(tip=tip)
        outcome.replies.append(zalo.follow_up_text(tip.tracking_code))
        action = "tip.follow_up"
    for ref in references:
        ref.tip = tip
        ref.message = message
        full_clean_fields(ref)
        ref.save()
    saved: list[str] = []
    try:
        media_store(tip, event.media, message, saved)
    except BaseException:
        files_delete(saved)
        raise
    delivery.tip = tip
    delivery.save(update_fields=["tip"])
    if event.user_id:
        ZaloContact.objects.update_or_create(
            sender_hash=event.sender_hash,
            defaults={"user_id": event.user_id, "last_seen_at": timezone.now()},
        )
    # Officer replies that could not be pushed go out now that the conversation is open;
    # those a worker is still pushing (pending) or has sent are left to it.
    pending = list(
        TipMessage.objects.filter(
            tip__zalo_sender_hash=event.sender_hash,
            direction=Direction.TO_CITIZEN,
            delivered_at__isnull=True,
        )
        .exclude(zalo_push__status__in=(PushStatus.PENDING, PushStatus.SENT))
        .select_related("tip")
    )
    for reply in pending:
        outcome.replies.append(zalo.reply_text(reply.tip.tracking_code, reply.body))
    if pending:
        now = timezone.now()
        ids = [m.pk for m in pending]
        TipMessage.objects.filter(pk__in=ids).update(delivered_at=now)
        ZaloPush.objects.filter(message_id__in=ids).update(
            status=PushStatus.SENT, sent_at=now, next_attempt_at=None, updated_at=now
        )
    audit_event_record(
        actor=None,
        action=action,
        obj=tip,
        orgunit=tip.orgunit,
        after={"channel": Channel.ZALO, "media": len(references) + len(event.media)},
    )
    sender_hash, user_id = event.sender_hash, event.user_id
    replies = list(outcome.replies)
    transaction.on_commit(lambda: zalo.send_replies(sender_hash, replies, user_id), robust=True)
    return outcome
