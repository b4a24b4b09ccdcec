"""Outbound webhooks: subscriptions, event emission and signed, retried deliveries.

Invariants:
- A payload carries the event type, its time, the object's type and internal id, the unit
  code and a summary of short scalar values (status, channel, period…). Never free text,
  names, contacts or tracking codes: ``webhook_emit`` refuses any summary value that is not
  a number, a flag or a short code without spaces, so a tip's text cannot slip in by mistake
  (docs/privacy.md).
- Deliveries are created in the transaction of the write that caused the event and sent
  only after it commits (``transaction.on_commit``); a rolled-back write sends nothing.
- Every request is signed: ``X-BinhYen-Signature: sha256=<hex>`` is
  HMAC-SHA256(secret, ``<timestamp>.<raw body>``) and ``X-BinhYen-Timestamp`` carries the
  Unix time, so a receiver can refuse replays of old requests.
- A delivery is attempted at most ``WEBHOOKS_MAX_ATTEMPTS`` times with exponential backoff,
  each attempt logged (status code, duration, error class); a subscription is switched off
  after ``WEBHOOKS_DISABLE_AFTER`` consecutive failed attempts and shows why.
- Targets are http(s) without credentials; loopback, private, link-local and reserved
  addresses are refused (when saving and again when sending, against DNS rebinding) unless
  ``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` is set. Redirects are never followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from binhyen.core.actors import Actor
from binhyen.core.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from binhyen.core.services import audit_event_record, model_snapshot

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-BinhYen-Signature"
TIMESTAMP_HEADER = "X-BinhYen-Timestamp"
EVENT_HEADER = "X-BinhYen-Event"
DELIVERY_HEADER = "X-BinhYen-Delivery"
MIN_SECRET = 16
MAX_SUMMARY_TEXT = 64
DISABLED_MANUAL = "manual"
DISABLED_FAILURES = "failures"
SUBSCRIPTION_FIELDS = ["name", "url", "events", "is_active", "disabled_reason"]
# Set while no subscription is active, so that writes on the hot path (public tip intake)
# skip the query; every change of a subscription clears it.
NONE_ACTIVE_KEY = "webhooks:none-active"


def _forget_none_active() -> None:
    cache.delete(NONE_ACTIVE_KEY)
    transaction.on_commit(lambda: cache.delete(NONE_ACTIVE_KEY), robust=True)


# --- URL validation (SSRF guard) -----------------------------------------------------------------


def _blocked_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def target_allowed(url: str) -> bool:
    """Return True if every address ``url``'s host resolves to may be called."""
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return True
    parts = urlsplit(url)
    try:
        addresses = _resolve(parts.hostname or "", parts.port or 443)
    except (OSError, UnicodeError, ValueError):
        return False
    return bool(addresses) and not any(_blocked_address(a) for a in addresses)


def webhook_url_check(url: str) -> str:
    """Return the cleaned URL or raise ``ValidationError`` on the ``url`` field."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("Hãy nhập địa chỉ nhận.")})
    if len(url) > 500:
        raise ValidationError({"url": _("Địa chỉ nhận dài quá 500 ký tự.")})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError({"url": _("Địa chỉ nhận không hợp lệ.")}) from None
    if parts.scheme not in ("http", "https"):
        raise ValidationError({"url": _("Địa chỉ nhận phải bắt đầu bằng http:// hoặc https://.")})
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError(
            {"url": _("Không ghi tên đăng nhập hay mật khẩu trong địa chỉ nhận.")}
        )
    if not parts.hostname:
        raise ValidationError({"url": _("Địa chỉ nhận thiếu tên máy chủ.")})
    if port == 0:
        raise ValidationError({"url": _("Cổng của địa chỉ nhận không hợp lệ.")})
    if not target_allowed(url):
        raise ValidationError(
            {
                "url": _(
                    "Địa chỉ nhận trỏ vào mạng nội bộ hoặc không tra được tên miền; chỉ gửi "
                    "tới địa chỉ công khai."
                )
            }
        )
    return url


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = sorted({str(e) for e in events})
    if not chosen:
        raise ValidationError({"events": _("Hãy chọn ít nhất một sự kiện.")})
    unknown = [e for e in chosen if e not in WebhookEvent.values]
    if unknown:
        raise ValidationError(
            {"events": _("Sự kiện không có: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    return chosen


def _clean_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if len(secret) < MIN_SECRET:
        raise ValidationError(
            {"secret": _("Khóa bí mật phải dài ít nhất %(n)d ký tự.") % {"n": MIN_SECRET}}
        )
    if len(secret) > 200:
        raise ValidationError({"secret": _("Khóa bí mật dài quá 200 ký tự.")})
    return secret


def secret_suggest() -> str:
    """Return a fresh random secret to offer on the form."""
    return secrets.token_urlsafe(32)


# --- subscriptions (services; callers check ``MANAGE_INTEGRATIONS``) ----------------------------


def _snapshot(sub: WebhookSubscription) -> dict[str, Any]:
    return model_snapshot(sub, SUBSCRIPTION_FIELDS)


@transaction.atomic
def webhook_subscription_create(
    *, actor: Actor, name: str, url: str, secret: str, events: Iterable[str]
) -> WebhookSubscription:
    """Register a receiver for the chosen events."""
    errors: dict[str, Any] = {}
    cleaned: dict[str, Any] = {"name": (name or "").strip()}
    if not cleaned["name"]:
        errors["name"] = _("Hãy đặt tên cho webhook.")
    try:
        cleaned["url"] = webhook_url_check(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        cleaned["secret"] = _clean_secret(secret)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        cleaned["events"] = _clean_events(events)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    sub = WebhookSubscription(
        created_by=actor if getattr(actor, "is_authenticated", False) else None, **cleaned
    )
    sub.full_clean()
    sub.save()
    _forget_none_active()
    audit_event_record(actor=actor, action="webhook.create", obj=sub, after=_snapshot(sub))
    return sub


@transaction.atomic
def webhook_subscription_update(
    *,
    actor: Actor,
    subscription: WebhookSubscription,
    name: str,
    url: str,
    events: Iterable[str],
    secret: str = "",
) -> WebhookSubscription:
    """Change name, URL and events; a blank ``secret`` keeps the current one."""
    sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    before = _snapshot(sub)
    errors: dict[str, Any] = {}
    sub.name = (name or "").strip()
    if not sub.name:
        errors["name"] = _("Hãy đặt tên cho webhook.")
    try:
        sub.url = webhook_url_check(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        sub.events = _clean_events(events)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (secret or "").strip():
        try:
            sub.secret = _clean_secret(secret)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    sub.full_clean()
    sub.save()
    _forget_none_active()
    after = _snapshot(sub)
    after["secret_changed"] = bool((secret or "").strip())
    audit_event_record(actor=actor, action="webhook.update", obj=sub, before=before, after=after)
    return sub


@transaction.atomic
def webhook_subscription_set_active(
    *, actor: Actor, subscription: WebhookSubscription, active: bool
) -> WebhookSubscription:
    """Switch a subscription off, or back on (which clears its failure count)."""
    sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    before = _snapshot(sub)
    sub.is_active = active
    sub.disabled_reason = "" if active else DISABLED_MANUAL
    if active:
        sub.consecutive_failures = 0
    sub.full_clean()
    sub.save()
    _forget_none_active()
    audit_event_record(
        actor=actor,
        action="webhook.enable" if active else "webhook.disable",
        obj=sub,
        before=before,
        after=_snapshot(sub),
    )
    return sub


@transaction.atomic
def webhook_delivery_retry(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue a failed delivery again with a fresh attempt budget."""
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status != DeliveryStatus.FAILED:
        raise ValidationError({"status": _("Chỉ gửi lại được lần gửi đã thất bại.")})
    locked.status = DeliveryStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = None
    locked.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit_event_record(
        actor=actor, action="webhook.delivery_retry", obj=locked, after={"event": locked.event}
    )
    _enqueue_on_commit(locked.pk)
    return locked


# --- emission ------------------------------------------------------------------------------------


def _summary_clean(summary: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in summary.items():
        if value is not None and not isinstance(value, (bool, int, str)):
            raise TypeError(f"webhook summary {key!r} must be a scalar")
        if isinstance(value, str) and (
            len(value) > MAX_SUMMARY_TEXT or any(ch.isspace() for ch in value)
        ):
            raise TypeError(f"webhook summary {key!r} must be a code, not text")
        clean[str(key)] = value
    return clean


def webhook_emit(
    *,
    event: str,
    object_type: str,
    object_id: Any,
    unit_code: str,
    summary: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> int:
    """Queue ``event`` for every active subscription that wants it; call inside the write's
    transaction. Returns the number of deliveries created."""
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event}")
    if cache.get(NONE_ACTIVE_KEY):
        return 0
    subs = [
        s for s in WebhookSubscription.objects.filter(is_active=True) if event in (s.events or [])
    ]
    if not subs:
        if not WebhookSubscription.objects.filter(is_active=True).exists():
            cache.set(NONE_ACTIVE_KEY, True, settings.WEBHOOKS_NONE_CACHE_SECONDS)
        return 0
    event_id = str(uuid.uuid4())
    payload = {
        "id": event_id,
        "event": event,
        "occurred_at": (occurred_at or timezone.now()).isoformat(),
        "object": {"type": object_type, "id": str(object_id)},
        "unit": unit_code,
        "summary": _summary_clean(summary or {}),
    }
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    created = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(subscription=s, event=event, event_id=event_id, body=body) for s in subs]
    )
    for delivery in created:
        if delivery.pk is None:  # engines that return no ids (none we support)
            continue
        _enqueue_on_commit(delivery.pk)
    return len(created)


def _enqueue_on_commit(delivery_id: int) -> None:
    transaction.on_commit(lambda: webhook_deliver_task.enqueue(delivery_id), robust=True)


# --- delivery ------------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return ``sha256=<hex>`` of HMAC-SHA256(secret, ``timestamp + "." + body``)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class BlockedTargetError(Exception):
    """The target resolves to an address the SSRF guard refuses."""


def _post(url: str, headers: dict[str, str], body: bytes) -> int:
    if not target_allowed(url):
        raise BlockedTargetError
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with _OPENER.open(request, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS) as response:
            response.read(1024)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base × 2^(attempts−1), capped."""
    seconds = settings.WEBHOOKS_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, settings.WEBHOOKS_BACKOFF_MAX_SECONDS))


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Lease a due delivery for one attempt so that no other worker sends it meanwhile."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None or not delivery.subscription.is_active:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None
        lease = timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS + 30)
        delivery.next_attempt_at = now + lease
        delivery.save(update_fields=["next_attempt_at", "updated_at"])
        return delivery


def webhook_deliver(delivery_id: int, *, now: datetime | None = None) -> str | None:
    """Make one attempt of a due delivery; return its status afterwards (None if not due)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    sub = delivery.subscription
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "BinhYen-Webhooks/1",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(sub.secret, timestamp, body),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: delivery.event_id,
    }
    status_code: int | None = None
    error = ""
    started = time.monotonic()
    try:
        status_code = _post(sub.url, headers, body)
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except Exception as exc:  # any failure is recorded by class, never by message (may echo data)
        error = type(exc).__name__
    duration_ms = int((time.monotonic() - started) * 1000)
    return _record(delivery.pk, status_code, error, duration_ms, now)


@transaction.atomic
def _record(
    delivery_id: int, status_code: int | None, error: str, duration_ms: int, now: datetime
) -> str:
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    sub = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
    WebhookAttempt.objects.create(
        delivery=delivery, status_code=status_code, duration_ms=duration_ms, error=error[:120]
    )
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error[:120]
    if not error:
        delivery.status = DeliveryStatus.SENT
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
        sub.consecutive_failures = 0
    else:
        sub.consecutive_failures += 1
        if delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        logger.warning(
            "webhook %s delivery %s attempt %s failed: %s",
            sub.pk,
            delivery.pk,
            delivery.attempts,
            error,
        )
    delivery.save()
    if sub.is_active and sub.consecutive_failures >= settings.WEBHOOKS_DISABLE_AFTER:
        before = _snapshot(sub)
        sub.is_active = False
        sub.disabled_reason = DISABLED_FAILURES
        audit_event_record(
            actor=None,
            action="webhook.auto_disable",
            obj=sub,
            before=before,
            after=_snapshot(sub) | {"consecutive_failures": sub.consecutive_failures},
        )
    sub.save()
    if delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None:
        _retry_later(delivery.pk, delivery.next_attempt_at)
    return str(delivery.status)


def _retry_later(delivery_id: int, when: datetime) -> None:
    """Enqueue the next attempt for ``when`` if the queue can defer; else the sweep sends it."""
    from django_tasks import default_task_backend

    if default_task_backend.supports_defer:
        transaction.on_commit(
            lambda: webhook_deliver_task.using(run_after=when).enqueue(delivery_id), robust=True
        )


def webhooks_deliver_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Attempt every pending delivery that is due (the scheduler runs this every minute)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, subscription__is_active=True)
        .exclude(next_attempt_at__gt=now)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if webhook_deliver(pk, now=now) is not None)


@task()
def webhook_deliver_task(delivery_id: int) -> str | None:
    """Make one attempt of a webhook delivery (enqueued when the event's write commits)."""
    return webhook_deliver(delivery_id)


@task()
def webhooks_deliver_due_task() -> int:
    """Retry every due webhook delivery; the scheduler enqueues this every minute."""
    return webhooks_deliver_due()
