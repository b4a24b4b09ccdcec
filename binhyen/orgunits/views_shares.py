"""Pages of split shares: a province's splits with their shares, one form per split, Excel.

A province officer (``CHANGE_UNITS`` on the province) sees the splits whose successors lie
in their province, edits the shares of each (in percent), downloads them all as a workbook
and uploads it back (all or nothing). Any other user, and any unit that is not an open
province, gets the same 404 as a missing unit.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from binhyen.core.tabular import XLSX_CONTENT_TYPE, ImportResult
from binhyen.core.web import current_user, import_view, not_found
from binhyen.orgunits import excel_shares, selectors, services_shares
from binhyen.orgunits.forms import ImportForm
from binhyen.orgunits.models import OrgUnit, UnitKind


def _province(request: HttpRequest, code: str) -> tuple[OrgUnit, list[services_shares.Split]]:
    unit = selectors.unit_get(user=request.user, code=code)
    if unit.kind != UnitKind.PROVINCE or not unit.is_current:
        raise not_found(selectors.not_found_message())
    try:
        splits = services_shares.province_splits(user=request.user, province=unit)
    except PermissionDenied as exc:
        raise not_found(selectors.not_found_message()) from exc
    for split in splits:
        for edge in split.edges:
            edge.percent = (  # type: ignore[attr-defined]
                "" if edge.share is None else f"{(edge.share * 100).normalize():f}"
            )
    return unit, splits


def _posted_shares(request: HttpRequest, split: services_shares.Split) -> dict[str, Any]:
    """Return successor code → share (fraction) from the form; raise ValidationError."""
    shares: dict[str, Decimal | None] = {}
    errors: dict[str, str] = {}
    for edge in split.edges:
        code = edge.successor.code
        try:
            shares[code] = services_shares.parse_share(
                request.POST.get(f"share-{code}"), percent=True
            )
        except ValueError:
            errors[code] = _("Tỷ lệ của %(unit)s phải là một số (phần trăm).") % {
                "unit": edge.successor.name
            }
    if errors:
        raise ValidationError(errors)
    return shares


@login_required
@require_http_methods(["GET", "POST"])
def shares_page(request: HttpRequest, code: str) -> HttpResponse:
    """The province's splits and their shares; POST saves the shares of one split."""
    province, splits = _province(request, code)
    status = 200
    errors: dict[str, list[str]] = {}
    failed = ""
    posted: dict[str, str] = {}
    if request.method == "POST":
        failed = str(request.POST.get("split", ""))
        split = next((s for s in splits if s.predecessor.code == failed), None)
        if split is None:
            errors = {"split": [_("Hãy chọn một đơn vị chia tách của tỉnh.")]}
            return _render(request, province, splits, errors=errors, failed="", status=400)
        if not split.editable:
            raise not_found(selectors.not_found_message())
        posted = {k: str(v) for k, v in request.POST.items() if k.startswith("share-")}
        try:
            services_shares.lineage_shares_set(
                actor=current_user(request),
                predecessor=split.predecessor,
                shares=_posted_shares(request, split),
            )
        except ValidationError as exc:
            errors = exc.message_dict
            status = 400
            for edge in split.edges:  # show what was typed, not what is stored
                edge.percent = posted.get(  # type: ignore[attr-defined]
                    f"share-{edge.successor.code}", ""
                )
        else:
            messages.success(
                request,
                _("Đã lưu tỷ lệ chia tách của %(unit)s.") % {"unit": split.predecessor.name},
            )
            return redirect("orgunits:shares", code=province.code)
    return _render(request, province, splits, errors=errors, failed=failed, status=status)


def _render(
    request: HttpRequest,
    province: OrgUnit,
    splits: list[services_shares.Split],
    *,
    errors: dict[str, list[str]],
    failed: str,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "orgunits/shares.html",
        {
            "unit": province,
            "splits": splits,
            "failed": failed,
            "errors": [m for ms in errors.values() for m in ms],
            "ancestors": selectors.unit_ancestors(province, user=request.user),
        },
        status=status,
    )


@login_required
@require_GET
def shares_export(request: HttpRequest, code: str) -> HttpResponse:
    """The province's splits and shares as a workbook (the file to fill and upload back)."""
    province, splits = _province(request, code)
    response = HttpResponse(excel_shares.export_workbook(splits), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="ty-le-chia-tach-{province.code}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def shares_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload the shares workbook; every split in it is saved, or none."""
    province, _splits = _province(request, code)
    shares_url = reverse("orgunits:shares", args=[province.code])

    def done(result: ImportResult[Any]) -> str:
        count = result.created[0] if result.created else 0
        return ngettext(
            "Đã cập nhật tỷ lệ của %(count)s đơn vị chia tách.",
            "Đã cập nhật tỷ lệ của %(count)s đơn vị chia tách.",
            count,
        ) % {"count": count}

    return import_view(
        request,
        ImportForm,
        functools.partial(excel_shares.import_shares, province=province),
        template="orgunits/shares_import.html",
        context=lambda: {
            "unit": province,
            "columns": excel_shares.COLUMNS,
            "cancel_url": shares_url,
            "ancestors": selectors.unit_ancestors(province, user=request.user),
        },
        success_url=shares_url,
        success_message=done,
        not_found_message=selectors.not_found_message(),
    )
