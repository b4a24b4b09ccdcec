"""REST twin of the notifications page, under /api/v1/notifications (the caller's own only).

``GET /`` lists the caller's notifications, newest first, rendered in the request's language
(``unread=true`` for the unread ones); ``POST /{notification_id}/read`` marks one read and
``POST /read`` marks them all. Anybody else's notification answers 404, like a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from binhyen.core import notifications
from binhyen.core.api_kit import api_page, api_user, not_found_as
from binhyen.core.models import Notification
from binhyen.core.schemas import ErrorOut, PageQuery

router = Router(tags=["notifications"])

READ = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    unit: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPageOut(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class NotificationQuery(PageQuery):
    unread: bool = False


class ReadAllOut(Schema):
    changed: int


def _out(n: Notification) -> dict[str, Any]:
    title, body = notifications.render(n)
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": title,
        "body": body,
        "link": n.link,
        "unit": n.orgunit.code if n.orgunit is not None else None,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get("/", response={200: NotificationPageOut, **READ}, summary="My notifications")
def notification_list(request: HttpRequest, filters: Query[NotificationQuery]) -> Any:
    user = api_user(request)
    items = notifications.notifications_for(user).select_related("orgunit")
    if filters.unread:
        items = items.filter(read_at__isnull=True)
    page = api_page(items, filters)
    return {
        "count": page["count"],
        "unread": notifications.unread_count(user),
        "items": [_out(n) for n in page["items"]],
    }


@router.post(
    "/{notification_id}/read", response={200: NotificationOut, **READ}, summary="Mark one read"
)
def notification_read(request: HttpRequest, notification_id: int) -> Any:
    user = api_user(request)
    with not_found_as("notification_id"):
        notification = notifications.notification_get(user=user, pk=notification_id)
    return _out(notifications.notification_mark_read(actor=user, notification=notification))


@router.post("/read", response={200: ReadAllOut, **READ}, summary="Mark all read")
def notifications_read_all(request: HttpRequest) -> Any:
    return {"changed": notifications.notifications_mark_all_read(actor=api_user(request))}
