"""The programme overview below a unit: enrolled, submitted, recognised per child unit.

Invariant: figures are limited to the user's scope.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from binhyen.programs import selectors


@login_required
@require_GET
def overview(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    unit_code = (request.GET.get("unit") or "").strip()[:32]
    unit = (
        selectors.unit_get(user=request.user, code=unit_code)
        if unit_code
        else selectors.overview_root(user=request.user, program=program)
    )
    if unit is None:
        raise selectors.not_found()
    period = selectors.parse_program_period(program, request.GET.get("period"))
    data = selectors.overview(user=request.user, program=program, unit=unit, period=period)
    base = reverse("programs:overview", args=[code])
    points = [
        {
            "lat": r.unit.latitude,
            "lon": r.unit.longitude,
            "name": r.unit.name,
            "value": r.recognised,
            "label": _("%(r)s công nhận / %(s)s đã nộp / %(e)s đăng ký")
            % {"r": r.recognised, "s": r.submitted, "e": r.enrolled},
            "url": f"{base}?unit={r.unit.code}&period={period.code}",
        }
        for r in data.rows
        if r.unit.latitude is not None and r.unit.longitude is not None
    ]
    return render(
        request,
        "programs/overview.html",
        {
            "program": program,
            "data": data,
            "period": period,
            "periods": selectors.period_choices(program),
            "points": points,
            "map_tiles": settings.MAP_TILE_URL,
            "map_attribution": settings.MAP_TILE_ATTRIBUTION,
            # The way up only while it stays inside the user's scope (no link to a 404).
            "parent": selectors.visible_parent(user=request.user, unit=unit),
        },
    )
