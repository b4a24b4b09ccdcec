"""The population workbook pages: the import page (with its result) and the template.

A province officer (``CHANGE_UNITS`` on the province; ministry and administrators too) sets
the population and households of the province's communes and villages; a commune officer
those of their commune and its villages. Any other user, and any unit that is not an open
province or commune, gets the same 404 as a missing unit.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.web import current_user, not_found
from binhyen.orgunits import excel_population, selectors
from binhyen.orgunits.forms import ImportForm
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.services_population import population_scope_check


def population_scope(user: object, code: str) -> OrgUnit:
    """Return the open province or commune ``user`` may set populations of (else 404)."""
    unit = selectors.unit_get(user=user, code=code)
    try:
        population_scope_check(actor=user, scope=unit)  # type: ignore[arg-type]
    except PermissionDenied as exc:
        raise not_found(selectors.not_found_message()) from exc
    return unit


@login_required
@require_http_methods(["GET", "POST"])
def population_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload the population workbook; every row is saved or none, with every problem listed."""
    scope = population_scope(request.user, code)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = excel_population.import_population(
                    actor=current_user(request), scope=scope, upload=form.cleaned_data["file"]
                )
            except PermissionDenied as exc:
                raise not_found(selectors.not_found_message()) from exc
            if result.ok:
                changed = result.created[0]
                messages.success(
                    request,
                    ngettext(
                        "Đã đọc %(rows)s dòng, cập nhật dân số của %(count)s đơn vị.",
                        "Đã đọc %(rows)s dòng, cập nhật dân số của %(count)s đơn vị.",
                        changed,
                    )
                    % {"rows": result.rows_read, "count": changed},
                )
                return redirect("orgunits:population_import", code=scope.code)
        status = 400
    return render(
        request,
        "orgunits/population_import.html",
        {
            "unit": scope,
            "form": form,
            "result": result,
            "columns": excel_population.COLUMNS,
            "max_rows": excel_population.MAX_ROWS,
            "ancestors": selectors.unit_ancestors(scope, user=request.user),
        },
        status=status,
    )


@login_required
@require_GET
def population_template(request: HttpRequest, code: str) -> HttpResponse:
    """Download the workbook pre-filled with the current figures."""
    scope = population_scope(request.user, code)
    response = HttpResponse(
        excel_population.template_workbook(scope), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="dan-so-{scope.code}.xlsx"'
    return response
