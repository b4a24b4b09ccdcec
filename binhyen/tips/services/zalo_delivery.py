"""Pushing officer replies to Zalo senders, and the administrators' delivery queue.

Invariants:
- A reply is pushed by a worker after commit (``zalo_push_send``), one worker at a time per
  push (a 60-second lease); failures are retried with backoff up to
  ``TIPS_ZALO_MAX_ATTEMPTS``, then listed for an administrator (``MANAGE_INTEGRATIONS``),
  who may retry or discard them through audited services.
- Errors are recorded by code or class only, never with the message text.
- The push task lives here, beside the worker it runs, because a failed attempt enqueues
  it again; ``binhyen.tips.tasks`` re-exports it. The tasks module imports the services,
  never the other way round.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from binhyen.accounts import permissions as acc_perms
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.tips import zalo
from binhyen.tips.models import PushStatus, TipMessage, ZaloContact, ZaloPush

logger = logging.getLogger(__name__)


def zalo_push_enqueue(push_id: int, when: datetime | None = None) -> None:
    """Enqueue the push task after commit (deferred to ``when`` if the queue can defer; the
    ``zalo_pushes_due`` sweep sends it otherwise)."""
    if when is None:
        transaction.on_commit(lambda: zalo_push_send.enqueue(push_id), robust=True)
    elif default_task_backend.supports_defer:
        transaction.on_commit(
            lambda: zalo_push_send.using(run_after=when).enqueue(push_id), robust=True
        )


@task()
def zalo_push_send(push_id: int) -> str | None:
    """Push one officer reply to its Zalo sender (enqueued when the reply commits)."""
    return zalo_push_attempt(push_id)


def zalo_push_backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base × 2^(attempts−1), at most six hours."""
    seconds = settings.TIPS_ZALO_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, 6 * 3600))


def _zalo_push_claim(push_id: int, now: datetime) -> ZaloPush | None:
    with transaction.atomic():
        push = (
            ZaloPush.objects.select_for_update(of=("self",))
            .select_related("message__tip")
            .filter(pk=push_id, status=PushStatus.PENDING)
            .first()
        )
        if push is None or (push.next_attempt_at is not None and push.next_attempt_at > now):
            return None
        push.next_attempt_at = now + timedelta(seconds=60)  # lease: one worker at a time
        push.save(update_fields=["next_attempt_at", "updated_at"])
        return push


def _zalo_error(exc: Exception) -> str:
    if isinstance(exc, zalo.ZaloApiError):
        return f"zalo {exc.code}"
    return type(exc).__name__


def zalo_push_attempt(push_id: int, *, now: datetime | None = None) -> str | None:
    """Try once to push an officer reply to its Zalo sender; return the status afterwards.

    Without a recent conversation (no ``ZaloContact`` within ``TIPS_ZALO_CONTACT_DAYS``) the
    OA may not write first: the push is held and the reply goes out when the sender next
    writes. Errors are recorded by code or class only, never with the text.
    """
    now = now or timezone.now()
    push = _zalo_push_claim(push_id, now)
    if push is None:
        return None
    message = push.message
    window = now - timedelta(days=settings.TIPS_ZALO_CONTACT_DAYS)
    contact = ZaloContact.objects.filter(
        sender_hash=message.tip.zalo_sender_hash, last_seen_at__gte=window
    ).first()
    if contact is None:
        ZaloPush.objects.filter(pk=push.pk).update(
            status=PushStatus.HELD, next_attempt_at=None, last_error="no_conversation"
        )
        return PushStatus.HELD
    error = ""
    try:
        zalo.get_sender().send(
            message.tip.zalo_sender_hash,
            zalo.reply_text(message.tip.tracking_code, message.body),
            contact.user_id,
        )
    except Exception as exc:  # every failure is retried, then listed for an admin
        error = _zalo_error(exc)
    return _zalo_push_record(push.pk, error, now)


@transaction.atomic
def _zalo_push_record(push_id: int, error: str, now: datetime) -> str:
    push = ZaloPush.objects.select_for_update().get(pk=push_id)
    push.attempts += 1
    push.last_error = error[:120]
    if not error:
        push.status = PushStatus.SENT
        push.sent_at = timezone.now()
        push.next_attempt_at = None
        TipMessage.objects.filter(pk=push.message_id).update(delivered_at=push.sent_at)
    elif push.attempts >= settings.TIPS_ZALO_MAX_ATTEMPTS:
        push.status = PushStatus.FAILED
        push.next_attempt_at = None
        logger.warning("zalo push %s failed for good after %s attempts", push.pk, push.attempts)
    else:
        push.next_attempt_at = now + zalo_push_backoff(push.attempts)
        logger.info("zalo push %s attempt %s failed: %s", push.pk, push.attempts, error)
        zalo_push_enqueue(push.pk, push.next_attempt_at)
    push.save()
    return str(push.status)


def zalo_pushes_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Attempt every pending push that is due (the scheduler runs this every minute)."""
    now = now or timezone.now()
    due = list(
        ZaloPush.objects.filter(status=PushStatus.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if zalo_push_attempt(pk, now=now) is not None)


def _require_integrations(actor: Actor) -> None:
    if not acc_perms.has_perm_anywhere(actor, acc_perms.MANAGE_INTEGRATIONS):
        raise PermissionDenied


def _zalo_push_locked(actor: Actor, push: ZaloPush, allowed: tuple[str, ...]) -> ZaloPush:
    _require_integrations(actor)
    locked = ZaloPush.objects.select_for_update().select_related("message__tip").get(pk=push.pk)
    if locked.status not in allowed:
        raise ValidationError(
            {
                "status": _("Tin trả lời đang ở trạng thái “%(s)s”, không làm được việc này.")
                % {"s": locked.get_status_display()}
            }
        )
    return locked


@transaction.atomic
def zalo_push_retry(*, actor: Actor, push: ZaloPush) -> ZaloPush:
    """Queue a failed (or held) push again with a fresh attempt budget."""
    locked = _zalo_push_locked(actor, push, (PushStatus.FAILED, PushStatus.HELD))
    before = {"status": locked.status, "attempts": locked.attempts}
    locked.status = PushStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = None
    locked.full_clean()
    locked.save()
    audit_event_record(
        actor=actor,
        action="zalo_push.retry",
        obj=locked,
        orgunit=locked.message.tip.orgunit,
        before=before,
        after={"status": locked.status},
    )
    zalo_push_enqueue(locked.pk)
    return locked


@transaction.atomic
def zalo_push_discard(*, actor: Actor, push: ZaloPush) -> ZaloPush:
    """Stop pushing a failed reply (it still goes out if the sender writes again)."""
    locked = _zalo_push_locked(actor, push, (PushStatus.FAILED, PushStatus.HELD))
    before = {"status": locked.status, "attempts": locked.attempts}
    locked.status = PushStatus.DISCARDED
    locked.next_attempt_at = None
    locked.full_clean()
    locked.save()
    audit_event_record(
        actor=actor,
        action="zalo_push.discard",
        obj=locked,
        orgunit=locked.message.tip.orgunit,
        before=before,
        after={"status": locked.status},
    )
    return locked


def zalo_contacts_purge(*, now: datetime | None = None) -> int:
    """Delete Zalo user ids the OA may no longer write to (a daily retention job)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TIPS_ZALO_CONTACT_DAYS)
    deleted, _detail = ZaloContact.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


def zalo_token_refresh_if_due() -> bool:
    """Refresh the OA access token when it is near expiry; return False if it failed."""
    try:
        zalo.token_refresh()
    except zalo.ZaloTokenError:
        return False
    return True
