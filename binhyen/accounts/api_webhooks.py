"""API of outbound webhooks (system administrators only; 404 for everyone else).

The same services as the pages: register, edit, switch on/off, read the delivery log and
retry a failed delivery. The secret is write-only: it is never returned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from binhyen.accounts import permissions, selectors
from binhyen.core import webhooks
from binhyen.core.actors import Actor
from binhyen.core.api_kit import api_user
from binhyen.core.models import WebhookDelivery, WebhookSubscription
from binhyen.core.schemas import ErrorOut

router = Router(tags=["webhooks"])


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    disabled_reason: str = Field(description="'' when on; 'manual' or 'failures' when off")
    consecutive_failures: int
    created_at: datetime


class WebhookIn(Schema):
    name: str = Field(max_length=120)
    url: str = Field(max_length=500)
    secret: str = Field(
        "", max_length=200, description="At least 16 characters; blank on update keeps it"
    )
    events: list[str] = Field(description="tip.received, tip.closed, report.submitted, …")


class ActiveIn(Schema):
    active: bool


class AttemptOut(Schema):
    created_at: datetime
    status_code: int | None
    duration_ms: int
    error: str


class DeliveryOut(Schema):
    id: int
    event: str
    event_id: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: datetime | None
    created_at: datetime
    attempt_log: list[AttemptOut]


def _integrator(request: HttpRequest) -> Actor:
    """Return the caller if they may manage integrations; anyone else gets a 404."""
    user = api_user(request)
    if not permissions.has_perm_anywhere(user, permissions.MANAGE_INTEGRATIONS):
        raise Http404(_("Không tìm thấy."))
    return user


def _get(user: Any, webhook_id: int) -> WebhookSubscription:
    sub = selectors.webhook_subscriptions_for(user).filter(pk=webhook_id).first()
    if sub is None:
        raise Http404(_("Không tìm thấy webhook."))
    return sub


def _delivery_out(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": d.pk,
        "event": d.event,
        "event_id": d.event_id,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "delivered_at": d.delivered_at,
        "created_at": d.created_at,
        "attempt_log": list(d.attempt_log.all()),
    }


@router.get("", response={200: list[WebhookOut], 404: ErrorOut}, summary="Registered webhooks")
def webhook_list(request: HttpRequest) -> list[WebhookSubscription]:
    return list(selectors.webhook_subscriptions_for(_integrator(request)))


@router.post("", response={201: WebhookOut, 404: ErrorOut}, summary="Register a webhook")
def webhook_create(request: HttpRequest, payload: WebhookIn) -> Status[WebhookSubscription]:
    sub = webhooks.webhook_subscription_create(
        actor=_integrator(request),
        name=payload.name,
        url=payload.url,
        secret=payload.secret,
        events=payload.events,
    )
    return Status(201, sub)


@router.get("/{webhook_id}", response={200: WebhookOut, 404: ErrorOut}, summary="One webhook")
def webhook_detail(request: HttpRequest, webhook_id: int) -> WebhookSubscription:
    return _get(_integrator(request), webhook_id)


@router.put("/{webhook_id}", response={200: WebhookOut, 404: ErrorOut}, summary="Change a webhook")
def webhook_update(
    request: HttpRequest, webhook_id: int, payload: WebhookIn
) -> WebhookSubscription:
    user = _integrator(request)
    return webhooks.webhook_subscription_update(
        actor=user,
        subscription=_get(user, webhook_id),
        name=payload.name,
        url=payload.url,
        events=payload.events,
        secret=payload.secret,
    )


@router.post(
    "/{webhook_id}/active",
    response={200: WebhookOut, 404: ErrorOut},
    summary="Switch a webhook on or off",
)
def webhook_set_active(
    request: HttpRequest, webhook_id: int, payload: ActiveIn
) -> WebhookSubscription:
    user = _integrator(request)
    return webhooks.webhook_subscription_set_active(
        actor=user, subscription=_get(user, webhook_id), active=payload.active
    )


@router.get(
    "/{webhook_id}/deliveries",
    response={200: list[DeliveryOut], 404: ErrorOut},
    summary="Delivery log (newest first)",
)
def webhook_deliveries(
    request: HttpRequest, webhook_id: int, limit: int = 100
) -> list[dict[str, Any]]:
    user = _integrator(request)
    rows = selectors.webhook_deliveries_for(user, _get(user, webhook_id))
    return [_delivery_out(d) for d in rows[: max(1, min(limit, 500))]]


@router.post(
    "/deliveries/{delivery_id}/retry",
    response={200: DeliveryOut, 404: ErrorOut},
    summary="Retry a failed delivery",
)
def webhook_delivery_retry(request: HttpRequest, delivery_id: int) -> dict[str, Any]:
    user = _integrator(request)
    delivery = selectors.webhook_delivery_for(user, delivery_id)
    if delivery is None:
        raise Http404(_("Không tìm thấy lần gửi."))
    return _delivery_out(webhooks.webhook_delivery_retry(actor=user, delivery=delivery))
