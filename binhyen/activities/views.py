"""Pages of the activity log: list, quick entry per kind, detail, edit, photos, import, export.

Deny by default: every view needs a signed-in user; activities and photos are fetched
through ``selectors`` (404 for missing and forbidden alike), and every write page also
answers 404 when the user may not record activities of the unit, so existence never leaks.
"""

from __future__ import annotations

import contextlib
import functools
import mimetypes
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.activities import excel, selectors, services
from binhyen.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    ImportForm,
    PhotoForm,
    item_formset,
)
from binhyen.activities.models import KIND_FIELDS, Activity, ActivityKind
from binhyen.activities.permissions import can_change, can_record, can_record_anywhere
from binhyen.core.exports import export_offload
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.text import clean_text
from binhyen.core.web import (
    call_service,
    current_user,
    import_view,
    not_found,
    paginate,
    querystring,
)
from binhyen.orgunits.models import OrgUnit, UnitKind

KIND_ICONS: dict[str, str] = {
    ActivityKind.OUTREACH: "megaphone",
    ActivityKind.MEDIA_POST: "phone",
    ActivityKind.WEAPONS_SURRENDER: "shield-x",
    ActivityKind.CAMERA: "camera-video",
    ActivityKind.LIGHTING: "lightbulb",
    ActivityKind.MEDIATION: "people",
    ActivityKind.PATROL: "signpost-2",
    ActivityKind.TRAINING: "mortarboard",
    ActivityKind.VOLUNTEER: "heart",
}


def _filters(request: HttpRequest) -> tuple[ActivityFilterForm, dict[str, Any], OrgUnit | None]:
    """Parse the list filters; an out-of-scope unit code answers 404 like a missing one."""
    form = ActivityFilterForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
    unit = None
    if data.get("unit"):
        unit = selectors.unit_get(user=request.user, code=data["unit"])
    return form, data, unit


def _filtered(
    request: HttpRequest,
) -> tuple[ActivityFilterForm, Any, OrgUnit | None, dict[str, Any]]:
    form, data, unit = _filters(request)
    queryset = selectors.activity_list(
        user=request.user,
        unit=unit,
        kind=data.get("kind") or None,
        q=data.get("q") or None,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    params = {
        "q": data.get("q", ""),
        "kind": data.get("kind", ""),
        "unit": data.get("unit", ""),
        "date_from": data["date_from"].isoformat() if data.get("date_from") else "",
        "date_to": data["date_to"].isoformat() if data.get("date_to") else "",
    }
    return form, queryset, unit, params


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    """List the activities the user may read, with search, filters and pagination."""
    form, queryset, unit, params = _filtered(request)
    page = paginate(request, queryset)
    filtered = any(params.values())
    return render(
        request,
        "activities/list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "filtered": filtered,
            "querystring": querystring(**params),
            "can_record": can_record_anywhere(request.user),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def activity_export(request: HttpRequest) -> HttpResponse:
    """Download the filtered list as an Excel file."""
    _form, queryset, unit, _params = _filtered(request)
    if offloaded := export_offload(request, queryset):
        return offloaded
    title = unit.name if unit is not None else _("Hoạt động")
    rows = queryset.prefetch_related("items", "villages").iterator(chunk_size=500)
    response = HttpResponse(excel.export_workbook(rows, title), content_type=XLSX_CONTENT_TYPE)
    suffix = f"-{unit.code}" if unit is not None else ""
    response["Content-Disposition"] = f'attachment; filename="hoat-dong{suffix}.xlsx"'
    return response


def _commune_for_recording(request: HttpRequest) -> OrgUnit | None:
    """Return the commune named by ``?unit=`` (or the user's only one); 404 when not allowed."""
    code = request.GET.get("unit") or request.POST.get("commune") or ""
    if code:
        unit = selectors.unit_get(user=request.user, code=code)
        commune = selectors.commune_of(unit)
        if commune.kind != UnitKind.COMMUNE or not can_record(request.user, unit):
            raise not_found(selectors.not_found_message())
        return commune
    if request.GET.get("q") or request.GET.get("history"):
        return None  # searching, or choosing among the pre-reform communes too
    communes = list(selectors.recording_communes(user=request.user)[:2])
    return communes[0] if len(communes) == 1 else None


@login_required
@require_GET
def activity_new(request: HttpRequest) -> HttpResponse:
    """Choose the kind of activity to record (big buttons on phones) and, if needed, the commune."""
    if not can_record_anywhere(request.user):
        raise not_found(selectors.not_found_message())
    commune = _commune_for_recording(request)
    communes = None
    if commune is None:
        q = request.GET.get("q", "")[: selectors.MAX_QUERY]
        communes = selectors.recording_communes(user=request.user, q=q, history=True)[
            : selectors.MAX_COMMUNES
        ]
    kinds = [(value, label, KIND_ICONS[value]) for value, label in ActivityKind.choices]
    has_history = (
        commune is not None
        and selectors.recording_communes(user=request.user, history=True)
        .filter(valid_to__isnull=False)
        .exists()
    )
    return render(
        request,
        "activities/new.html",
        {
            "commune": commune,
            "communes": communes,
            "kinds": kinds,
            "q": request.GET.get("q", ""),
            "has_history": has_history,
        },
    )


def _form_context(
    request: HttpRequest,
    *,
    kind: str,
    commune: OrgUnit,
    activity: Activity | None = None,
) -> dict[str, Any]:
    units = selectors.recordable_units(user=request.user, commune=commune)
    if activity is not None and activity.orgunit not in units:
        units = [activity.orgunit, *units]
    if not units:
        raise not_found(selectors.not_found_message())
    villages = selectors.commune_villages(user=request.user, commune=commune)
    if activity is not None:
        villages += [v for v in activity.villages.all() if v not in villages]
    post = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {}
    stored = ActivityForm.initial_from(activity) if activity is not None else None
    if activity is None:
        initial = _kept_for_next(request, units=units, villages=villages)
    form = ActivityForm(
        post, kind=kind, units=units, villages=villages, initial=initial, stored=stored
    )
    formset = None
    if kind == ActivityKind.WEAPONS_SURRENDER:
        extra = 1 if activity is not None and activity.items.exists() else 3
        formset = item_formset(post, activity=activity, extra=extra)
    return {
        "form": form,
        "formset": formset,
        "kind": kind,
        "commune": commune,
        "activity": activity,
    }


# "Lưu và ghi tiếp" keeps what the next entry of a round usually shares with the last one.
KEPT_FIELDS = ("date", "topic", "place")


def _keep_for_next(activity: Activity) -> str:
    """Return the query string that opens the next entry with the shared fields filled in."""
    params: list[tuple[str, str]] = [("unit", activity.orgunit.code)]
    params += [(name, str(getattr(activity, name) or "")) for name in KEPT_FIELDS]
    params += [("villages", v.code) for v in activity.villages.all()]
    return urlencode([(k, v) for k, v in params if v])


def _kept_for_next(
    request: HttpRequest, *, units: list[OrgUnit], villages: list[OrgUnit]
) -> dict[str, Any]:
    """Read back what ``_keep_for_next`` kept; anything unknown or malformed is ignored."""
    initial: dict[str, Any] = {}
    if request.GET.get("unit") in {u.code for u in units}:
        initial["unit"] = request.GET["unit"]
    with contextlib.suppress(ValueError):
        initial["date"] = date.fromisoformat(request.GET.get("date", ""))
    for name in ("topic", "place"):
        with contextlib.suppress(ValidationError):
            value = clean_text(request.GET.get(name, ""))[:200]
            if value:
                initial[name] = value
    known = {v.code for v in villages}
    kept = [c for c in request.GET.getlist("villages") if c in known]
    if kept:
        initial["villages"] = kept
    return initial


def _save(
    request: HttpRequest, context: dict[str, Any], activity: Activity | None
) -> Activity | None:
    """Validate the form (and items) and call the one service; return the saved activity."""
    form: ActivityForm = context["form"]
    formset = context["formset"]
    valid = form.is_valid()
    if formset is not None:
        valid = formset.is_valid() and valid
    if not valid:
        return None
    data = form.to_input(items=formset.items() if formset is not None else None)
    message = selectors.not_found_message()
    user = current_user(request)
    if activity is None:
        return call_service(
            form, services.activity_create, not_found_message=message, actor=user, data=data
        ).result
    return call_service(
        form,
        services.activity_update,
        not_found_message=message,
        actor=user,
        activity=activity,
        data=data,
    ).result


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, kind: str) -> HttpResponse:
    """Record one activity of ``kind``: a short form that fits a phone screen."""
    if kind not in ActivityKind.values:
        raise not_found(selectors.not_found_message())
    commune = _commune_for_recording(request)
    if commune is None:
        return redirect(reverse("activities:new"))
    context = _form_context(request, kind=kind, commune=commune)
    status = 200
    if request.method == "POST":
        activity = _save(request, context, None)
        if activity is not None:
            messages.success(
                request, _("Đã ghi nhận hoạt động “%(title)s”.") % {"title": activity.title}
            )
            if "add_another" in request.POST:
                url = reverse("activities:create", args=[kind])
                return redirect(f"{url}?{_keep_for_next(activity)}")
            return redirect("activities:detail", pk=activity.pk)
        status = 400
    context["mode"] = "create"
    context["kind_label"] = ActivityKind(kind).label
    return render(request, "activities/form.html", context, status=status)


def _activity_to_change(request: HttpRequest, pk: int) -> Activity:
    activity = selectors.activity_get(user=request.user, pk=pk)
    if not can_change(request.user, activity):
        raise not_found(selectors.not_found_message())
    return activity


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a recorded activity (its kind stays the same)."""
    activity = _activity_to_change(request, pk)
    commune = selectors.commune_of(activity.orgunit)
    context = _form_context(request, kind=activity.kind, commune=commune, activity=activity)
    status = 200
    if request.method == "POST":
        saved = _save(request, context, activity)
        if saved is not None:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("activities:detail", pk=saved.pk)
        status = 400
    context["mode"] = "edit"
    context["kind_label"] = activity.get_kind_display()
    return render(request, "activities/form.html", context, status=status)


def _detail_context(
    request: HttpRequest, activity: Activity, photo_form: PhotoForm | None
) -> dict[str, Any]:
    editable = can_change(request.user, activity)
    fields = []
    for name in KIND_FIELDS[activity.kind]:
        value = _display(activity, name)
        if value not in ("", None):
            fields.append((getattr(activity._meta.get_field(name), "verbose_name", name), value))
    return {
        "activity": activity,
        "fields": fields,
        "can_change": editable,
        "photo_form": (photo_form or PhotoForm()) if editable else None,
        "max_photos": services.MAX_PHOTOS,
    }


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one activity with its numbers, villages, items and photos."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    return render(request, "activities/detail.html", _detail_context(request, activity, None))


def _display(activity: Activity, name: str) -> Any:
    value = getattr(activity, name)
    display = getattr(activity, f"get_{name}_display", None)
    if display is not None and value:
        return display()
    return value


@login_required
@require_POST
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a mistaken record."""
    activity = _activity_to_change(request, pk)
    title = activity.title
    try:
        services.activity_delete(actor=current_user(request), activity=activity)
    except PermissionDenied as exc:
        raise not_found(selectors.not_found_message()) from exc
    messages.success(request, _("Đã xóa hoạt động “%(title)s”.") % {"title": title})
    return redirect("activities:list")


@login_required
@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a photo; EXIF and GPS are removed before it is stored."""
    activity = _activity_to_change(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        ok, _photo = call_service(
            form,
            services.activity_photo_add,
            not_found_message=selectors.not_found_message(),
            actor=current_user(request),
            activity=activity,
            upload=form.cleaned_data["image"],
            caption=form.cleaned_data["caption"],
        )
        if ok:
            messages.success(request, _("Đã thêm ảnh."))
            return redirect("activities:detail", pk=activity.pk)
    return render(
        request, "activities/detail.html", _detail_context(request, activity, form), status=400
    )


@login_required
@require_GET
def photo_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Serve a photo to users who may read its activity (never a public media URL)."""
    photo = selectors.photo_get(user=request.user, pk=pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as exc:
        raise not_found(selectors.not_found_message()) from exc
    content_type = mimetypes.guess_type(photo.image.name or "")[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = selectors.photo_get(user=request.user, pk=pk)
    if not can_change(request.user, photo.activity):
        raise not_found(selectors.not_found_message())
    services.activity_photo_delete(actor=current_user(request), photo=photo)
    messages.success(request, _("Đã xóa ảnh."))
    return redirect("activities:detail", pk=photo.activity_id)


def _commune_to_import(request: HttpRequest, code: str) -> OrgUnit:
    unit = selectors.unit_get(user=request.user, code=code)
    if unit.kind != UnitKind.COMMUNE or not can_record(request.user, unit):
        raise not_found(selectors.not_found_message())
    return unit


@login_required
@require_http_methods(["GET", "POST"])
def activity_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a spreadsheet of a commune's activities; all rows are saved or none."""
    commune = _commune_to_import(request, code)
    list_url = f"{reverse('activities:list')}?{querystring(unit=commune.code)}"
    return import_view(
        request,
        ImportForm,
        functools.partial(excel.import_activities, commune=commune),
        template="activities/import.html",
        context=lambda: {
            "commune": commune,
            "columns": excel.COLUMNS,
            "max_rows": excel.MAX_ROWS,
            "cancel_url": list_url,
        },
        success_url=list_url,
        success_message=lambda result: (
            ngettext(
                "Đã nhập %(count)s hoạt động.", "Đã nhập %(count)s hoạt động.", len(result.created)
            )
            % {"count": len(result.created)}
        ),
        not_found_message=selectors.not_found_message(),
    )


@login_required
@require_GET
def activity_import_template(request: HttpRequest, code: str) -> HttpResponse:
    commune = _commune_to_import(request, code)
    response = HttpResponse(excel.template_workbook(commune), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="mau-nhap-hoat-dong-{commune.code}.xlsx"'
    )
    return response
