"""Pages of security pledges: list, export, create, detail, edit, delete.

Invariants (as for every community page):
- Every view needs a signed-in user; every record is fetched through a
  ``selectors.*_get`` (404 for missing and forbidden alike); a write page also answers 404
  when the user may not change the record, and a service's ``PermissionDenied`` becomes the
  same 404, so existence never leaks.
- Views only parse input, call one service and render; a service's ``ValidationError`` is
  shown on the form (status 400) and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.community import excel, selectors, services
from binhyen.community import permissions as community_perms
from binhyen.community.forms import (
    PledgeFilterForm,
    PledgeForm,
)
from binhyen.community.models import (
    Pledge,
)
from binhyen.community.views.base import (
    RECORD_CHILD_KINDS,
    _choose_commune,
    _filter_unit,
    _form,
    _managed_commune,
    _xlsx,
)
from binhyen.core import web
from binhyen.core.exports import export_offload

# --- pledges ---------------------------------------------------------------------------------


def _pledge_filters(request: HttpRequest) -> tuple[PledgeFilterForm, dict[str, Any], int]:
    form = PledgeFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, {}, 400
    data = form.cleaned_data if form.is_bound else {}
    return (
        form,
        {
            "q": data.get("q", ""),
            "year": data.get("year"),
            "signer_kind": data.get("signer_kind", ""),
        },
        200,
    )


@login_required
@require_GET
def pledge_list(request: HttpRequest) -> HttpResponse:
    """Search the pledges of the user's scope (by unit name, year, signer)."""
    unit = _filter_unit(request)
    form, params, status = _pledge_filters(request)
    page = None
    if status == 200:
        page = web.paginate(request, selectors.pledge_list(user=request.user, unit=unit, **params))
        selectors.history_notes(page.object_list, lambda p: [p.orgunit])
    return render(
        request,
        "community/pledge_list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "querystring": web.querystring(unit=unit.code if unit else "", **params),
            "filtered": any(params.values()),
            "can_manage": community_perms.can_manage_anywhere(request.user),
        },
        status=status,
    )


@login_required
@require_GET
def pledge_export(request: HttpRequest) -> HttpResponse:
    unit = _filter_unit(request)
    _filters, params, status = _pledge_filters(request)
    if status != 200:
        params = {}
    pledges = selectors.pledge_list(user=request.user, unit=unit, **params)
    if offloaded := export_offload(request, pledges):
        return offloaded
    return _xlsx(excel.pledges_workbook(pledges.iterator(chunk_size=500)), "giao-uoc-thi-dua.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def pledge_create(request: HttpRequest) -> HttpResponse:
    """Record a pledge of a village, its households, an agency or a school of a commune."""
    commune = _managed_commune(request, request.GET.get("unit"))
    if commune is None:
        return _choose_commune(request, _("Thêm giao ước thi đua"), "community:pledge_create")
    units = list(selectors.children_of(commune, kinds=RECORD_CHILD_KINDS))
    form = PledgeForm(request.POST or None, request.FILES or None, units=units)
    again = "add_another" in request.POST
    another_url = f"{reverse('community:pledge_create')}?{web.querystring(unit=commune.code)}"
    return _form(
        request,
        form,
        services.pledge_create,
        arguments=lambda data: {
            "unit": next(u for u in units if u.code == data["orgunit"]),
            "signer_kind": data["signer_kind"],
            "year": data["year"],
            "signed_on": data["signed_on"],
            "signed_by": data["signed_by"],
            "household_count": data["household_count"],
            "note": data["note"],
            "document": form.decision_input("document"),
        },
        success_url=another_url if again else _pledge_url,
        success_message=_("Đã ghi nhận giao ước."),
        title=_("Thêm giao ước thi đua — %(commune)s") % {"commune": commune.name},
        cancel_url=reverse("community:pledge_list"),
        multipart=True,
        add_another=True,
        intro="" if units else _("Xã này chưa có thôn hay cơ quan nào: hãy thêm đơn vị trước."),
    )


def _pledge_to_change(request: HttpRequest, pk: int) -> Pledge:
    pledge = selectors.pledge_get(user=request.user, pk=pk)
    if not community_perms.can_manage(request.user, pledge.orgunit):
        raise web.not_found()
    return pledge


@login_required
@require_GET
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = selectors.pledge_get(user=request.user, pk=pk)
    return render(
        request,
        "community/pledge_detail.html",
        {
            "pledge": pledge,
            "can_edit": community_perms.can_manage(request.user, pledge.orgunit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_to_change(request, pk)
    form = PledgeForm(request.POST or None, request.FILES or None, pledge=pledge)
    return _form(
        request,
        form,
        services.pledge_update,
        arguments=lambda data: {
            "pledge": pledge,
            "year": data["year"],
            "signed_on": data["signed_on"],
            "signed_by": data["signed_by"],
            "household_count": data["household_count"],
            "note": data["note"],
            "document": form.decision_input("document"),
        },
        success_url=_pledge_url,
        success_message=_("Đã lưu thay đổi."),
        title=_("Sửa giao ước của %(unit)s") % {"unit": pledge.orgunit.name},
        cancel_url=_pledge_url(pledge),
        multipart=True,
    )


@login_required
@require_POST
def pledge_delete(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_to_change(request, pk)
    try:
        services.pledge_delete(actor=web.current_user(request), pledge=pledge)
    except PermissionDenied as exc:
        raise web.not_found() from exc
    messages.success(request, _("Đã xóa giao ước."))
    return redirect("community:pledge_list")


def _pledge_url(pledge: Pledge) -> str:
    return reverse("community:pledge_detail", args=[pledge.pk])
