"""The community overview page of a unit.

Invariants (as for every community page):
- Every view needs a signed-in user; every record is fetched through a
  ``selectors.*_get`` (404 for missing and forbidden alike); a write page also answers 404
  when the user may not change the record, and a service's ``PermissionDenied`` becomes the
  same 404, so existence never leaks.
- Views only parse input, call one service and render; a service's ``ValidationError`` is
  shown on the form (status 400) and nothing is saved.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from binhyen.community import permissions as community_perms
from binhyen.community import selectors
from binhyen.community.views.base import _filter_unit, _grading_url
from binhyen.core import web

# --- overview --------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Show a unit's community numbers (from the indicators engine) and where to go next."""
    unit = _filter_unit(request) or selectors.home_unit(user=request.user)
    if unit is not None and not selectors.units_visible(user=request.user, units=[unit]):
        unit = None
    summary = selectors.overview(user=request.user, unit=unit) if unit is not None else None
    return render(
        request,
        "community/index.html",
        {
            "unit": unit,
            "summary": summary,
            "can_manage": community_perms.can_manage_anywhere(request.user),
            "can_grade": community_perms.can_grade_anywhere(request.user),
            "unit_qs": web.querystring(unit=unit.code if unit else ""),
            "commune": community_perms.commune_of(unit) if unit is not None else None,
            "province": selectors.province_of(unit) if unit is not None else None,
            "team_year": selectors.current_team_year(),
            "grading_url": _grading_url(request, unit),
        },
    )
