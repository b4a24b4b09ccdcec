"""The population workbook pages: the import page (with its result) and the template.

A province officer (``CHANGE_UNITS`` on the province; ministry and administrators too) sets
the population and households of the province's communes and villages; a commune officer
those of their commune and its villages. Any other user, and any unit that is not an open
province or commune, gets the same 404 as a missing unit.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from binhyen.core.tabular import XLSX_CONTENT_TYPE, ImportResult
from binhyen.core.web import import_view, not_found
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

    def done(result: ImportResult[Any]) -> str:
        changed = result.created[0]
        return ngettext(
            "Đã đọc %(rows)s dòng, cập nhật dân số của %(count)s đơn vị.",
            "Đã đọc %(rows)s dòng, cập nhật dân số của %(count)s đơn vị.",
            changed,
        ) % {"rows": result.rows_read, "count": changed}

    return import_view(
        request,
        ImportForm,
        functools.partial(excel_population.import_population, scope=scope),
        template="orgunits/population_import.html",
        context=lambda: {
            "unit": scope,
            "columns": excel_population.COLUMNS,
            "max_rows": excel_population.MAX_ROWS,
            "cancel_url": reverse("orgunits:detail", args=[scope.code]),
            "ancestors": selectors.unit_ancestors(scope, user=request.user),
        },
        success_url=reverse("orgunits:population_import", args=[scope.code]),
        success_message=done,
        not_found_message=selectors.not_found_message(),
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
