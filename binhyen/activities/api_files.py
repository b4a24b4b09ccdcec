"""REST twins of the activity pages that take files, under /api/v1/activities.

- ``POST /import/<commune>``: the spreadsheet import of the import page, through the same
  ``excel.import_activities``: every row is recorded or none; each problem comes back as
  ``{row, field, message}`` (``row`` as seen in Excel, ``field`` the column header; no row
  and ``file`` for a problem of the whole file) with a 400. ``GET …/template`` is the
  page's template. Only an open commune where the caller records activities qualifies.
- Photos of an activity: list, upload (multipart ``image``, cleaned by the same service as
  the page: re-encoded without EXIF/GPS, real images only), download and delete.

An activity or unit outside the caller's scope answers exactly like a missing one (404); a
caller who may read but not record (a viewer) gets the same 404 for every write.
"""

from __future__ import annotations

import mimetypes
from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from binhyen.activities import excel, selectors, services
from binhyen.activities.models import Activity, ActivityPhoto
from binhyen.activities.permissions import can_change, can_record
from binhyen.activities.schemas import ErrorOut
from binhyen.core.api_kit import api_import, api_user
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.web import not_found
from binhyen.orgunits.models import OrgUnit, UnitKind

router = Router(tags=["activities"])


class ActivityImportProblemOut(Schema):
    row: int | None
    field: str | None
    message: str


class ActivityImportErrorOut(Schema):
    message: str
    field: str | None = None
    errors: list[ActivityImportProblemOut]


class ActivityImportOut(Schema):
    created: int
    ids: list[int]


class ActivityPhotoOut(Schema):
    id: int
    activity: int
    caption: str
    width: int
    height: int
    created_at: datetime


MAX_ID = 2**63 - 1


def _activity(user: Any, pk: int) -> Activity:
    """The activity ``user`` may read; an id no row can have is as missing as any other."""
    if not 0 < pk <= MAX_ID:
        raise not_found(selectors.not_found_message())
    return selectors.activity_get(user=user, pk=pk)


def _photo(user: Any, pk: int) -> ActivityPhoto:
    if not 0 < pk <= MAX_ID:
        raise not_found(selectors.not_found_message())
    return selectors.photo_get(user=user, pk=pk)


# --- import ----------------------------------------------------------------------------------


def _commune_to_import(user: Any, code: str) -> OrgUnit:
    """Return the open commune where ``user`` records activities, as the page does (else 404)."""
    unit = selectors.unit_get(user=user, code=code)
    if unit.kind != UnitKind.COMMUNE or not unit.is_current or not can_record(user, unit):
        raise not_found(selectors.not_found_message())
    return unit


@router.post(
    "/import/{code}",
    response={
        201: ActivityImportOut,
        400: ActivityImportErrorOut,
        401: ErrorOut,
        404: ErrorOut,
    },
    summary="Import a commune's activities from a spreadsheet (all rows or none)",
)
def activity_import(
    request: HttpRequest,
    code: str,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Multipart field ``file`` (.xlsx); 400 lists every problem, and nothing is recorded."""
    user = api_user(request)
    commune = _commune_to_import(user, code)
    result = api_import(
        file, lambda upload: excel.import_activities(actor=user, commune=commune, upload=upload)
    )
    return Status(201, {"created": len(result.created), "ids": [a.pk for a in result.created]})


@router.get(
    "/import/{code}/template",
    response={401: ErrorOut, 404: ErrorOut},
    summary="The activity import template of a commune",
    openapi_extra={
        "responses": {200: {"description": "The template", "content": {XLSX_CONTENT_TYPE: {}}}}
    },
)
def activity_import_template(request: HttpRequest, code: str) -> HttpResponse:
    commune = _commune_to_import(api_user(request), code)
    response = HttpResponse(excel.template_workbook(commune), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="mau-nhap-hoat-dong-{commune.code}.xlsx"'
    )
    return response


# --- photos ----------------------------------------------------------------------------------


def _photo_out(photo: ActivityPhoto) -> dict[str, Any]:
    return {
        "id": photo.pk,
        "activity": photo.activity_id,
        "caption": photo.caption,
        "width": photo.width,
        "height": photo.height,
        "created_at": photo.created_at,
    }


def _activity_to_change(user: Any, pk: int) -> Activity:
    activity = _activity(user, pk)
    if not can_change(user, activity):
        raise not_found(selectors.not_found_message())
    return activity


@router.get(
    "/{pk}/photos",
    response={200: list[ActivityPhotoOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The photos of an activity",
)
def photo_list(request: HttpRequest, pk: int) -> Any:
    activity = _activity(api_user(request), pk)
    return [_photo_out(p) for p in activity.photos.order_by("created_at", "id")]


@router.post(
    "/{pk}/photos",
    response={201: ActivityPhotoOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Attach a photo (JPEG, PNG or WebP); EXIF and GPS are removed",
)
def photo_add(
    request: HttpRequest,
    pk: int,
    image: UploadedFile | None = File(None),  # noqa: B008
    caption: str = Form("", max_length=200),
) -> Any:
    """Multipart fields ``image`` and ``caption``; 400 names ``image`` when it is refused."""
    user = api_user(request)
    activity = _activity_to_change(user, pk)
    if image is None:
        return Status(400, {"message": _("Hãy chọn một ảnh."), "field": "image"})
    if not image.size:
        return Status(400, {"message": _("Tệp đã chọn không có nội dung."), "field": "image"})
    photo = services.activity_photo_add(
        actor=user, activity=activity, upload=image, caption=caption
    )
    return Status(201, _photo_out(photo))


@router.get(
    "/photos/{photo_id}",
    response={401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Download a photo",
    openapi_extra={
        "responses": {
            200: {
                "description": "The photo, without metadata",
                "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
            }
        }
    },
)
def photo_download(request: HttpRequest, photo_id: int) -> FileResponse:
    """Served to whoever may read the activity (never a public media URL)."""
    photo = _photo(api_user(request), photo_id)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as exc:
        raise not_found(selectors.not_found_message()) from exc
    content_type = mimetypes.guess_type(photo.image.name or "")[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete(
    "/photos/{photo_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Delete a photo",
)
def photo_delete(request: HttpRequest, photo_id: int) -> Any:
    user = api_user(request)
    photo = _photo(user, photo_id)
    if not can_change(user, photo.activity):
        raise not_found(selectors.not_found_message())
    services.activity_photo_delete(actor=user, photo=photo)
    return Status(204, None)
