"""REST endpoints of the activity log, under /api/v1/activities.

Reads go through ``selectors`` (scoped to the caller), writes through ``services``. An
activity or unit outside the caller's scope answers exactly like a missing one: 404
``{"message", "field"}``; bad input answers 400 naming the field (``ValidationError``).
Writes publish their figures through the worker after commit (coalesced per metric and
period), so a field app's outbox of hundreds of entries is not slowed by re-publishing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from binhyen.activities import selectors, services
from binhyen.activities.models import Activity, ActivityKind
from binhyen.activities.schemas import (
    ActivityIn,
    ActivityOut,
    ActivityPageOut,
    ErrorOut,
    KindLiteral,
)
from binhyen.core.api_kit import PageQuery, api_page, api_user, not_found_as
from binhyen.core.web import not_found

router = Router(tags=["activities"])


class ActivityListQuery(PageQuery):
    unit: str | None = Field(None, description="Only this unit and its subtree")
    kind: KindLiteral | None = None
    q: str = Field("", max_length=200)
    date_from: date | None = None
    date_to: date | None = None


def activity_out(a: Activity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "unit": a.orgunit.code,
        "unit_name": a.orgunit.name,
        "date": a.date,
        "title": a.title,
        "description": a.description,
        "participants": a.participants,
        "villages": [v.code for v in a.villages.all()],
        "topic": a.topic,
        "place": a.place,
        "leaflets": a.leaflets,
        "posters": a.posters,
        "bulletin_boards": a.bulletin_boards,
        "channel": a.channel,
        "posts": a.posts,
        "cameras": a.cameras,
        "camera_ownership": a.camera_ownership,
        "latitude": a.latitude,
        "longitude": a.longitude,
        "light_points": a.light_points,
        "lit_km": a.lit_km,
        "cases_resolved": a.cases_resolved,
        "items": [
            {"item_kind": i.item_kind, "quantity": i.quantity, "description": i.description}
            for i in a.items.all()
        ],
        "photos": len(a.photos.all()),
    }


def _input(user: Any, payload: ActivityIn) -> services.ActivityInput:
    """Resolve the unit and village codes in the caller's scope."""
    with not_found_as("unit"):
        unit = selectors.unit_get(user=user, code=payload.unit)
    found = {u.code: u for u in selectors.units_by_code(user=user, codes=payload.villages)}
    for code in payload.villages:
        if code not in found:
            raise not_found(
                _("Không tìm thấy thôn “%(code)s” trong phạm vi của bạn.") % {"code": code},
                field="villages",
            )
    data = payload.dict(exclude={"unit", "villages", "items"})
    if not data["title"].strip():
        data["title"] = payload.topic.strip() or str(ActivityKind(payload.kind).label)
    return services.ActivityInput(
        unit=unit,
        villages=[found[c] for c in payload.villages],
        items=[services.ItemInput(**item.dict()) for item in payload.items],
        **data,
    )


@router.get(
    "", response={200: ActivityPageOut, 401: ErrorOut, 404: ErrorOut}, summary="List activities"
)
def activity_list(request: HttpRequest, filters: Query[ActivityListQuery]) -> Any:
    user = api_user(request)
    unit = None
    if filters.unit:
        with not_found_as("unit", selectors.not_found_message()):
            unit = selectors.unit_get(user=user, code=filters.unit)
    queryset = selectors.activity_list(
        user=user,
        unit=unit,
        kind=filters.kind,
        q=filters.q,
        date_from=filters.date_from,
        date_to=filters.date_to,
    ).prefetch_related("villages", "items", "photos")
    page = api_page(queryset, filters)
    return {"count": page["count"], "items": [activity_out(x) for x in page["items"]]}


@router.get(
    "/{int:pk}", response={200: ActivityOut, 401: ErrorOut, 404: ErrorOut}, summary="One activity"
)
def activity_detail(request: HttpRequest, pk: int) -> Any:
    with not_found_as("id", selectors.not_found_message()):
        return activity_out(selectors.activity_get(user=api_user(request), pk=pk))


def _write(request: HttpRequest, payload: ActivityIn, activity: Activity | None) -> Any:
    user = api_user(request)
    data = _input(user, payload)
    with not_found_as("unit", selectors.not_found_message()):
        if activity is None:
            saved = services.activity_create(actor=user, data=data, publish_later=True)
        else:
            saved = services.activity_update(
                actor=user, activity=activity, data=data, publish_later=True
            )
    status = 201 if activity is None else 200
    return Status(status, activity_out(selectors.activity_get(user=user, pk=saved.pk)))


@router.post(
    "",
    response={201: ActivityOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record an activity",
)
def activity_create(request: HttpRequest, payload: ActivityIn) -> Any:
    return _write(request, payload, None)


@router.put(
    "/{int:pk}",
    response={200: ActivityOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Replace an activity",
)
def activity_update(request: HttpRequest, pk: int, payload: ActivityIn) -> Any:
    user = api_user(request)
    with not_found_as("id", selectors.not_found_message()):
        activity = selectors.activity_get(user=user, pk=pk)
    return _write(request, payload, activity)


@router.delete(
    "/{int:pk}", response={204: None, 401: ErrorOut, 404: ErrorOut}, summary="Delete an activity"
)
def activity_delete(request: HttpRequest, pk: int) -> Any:
    user = api_user(request)
    with not_found_as("id", selectors.not_found_message()):
        activity = selectors.activity_get(user=user, pk=pk)
        services.activity_delete(actor=user, activity=activity, publish_later=True)
    return Status(204, None)
