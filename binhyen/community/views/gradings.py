"""The yearly grading sheet of a commune and the grading rules of a province.

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
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from binhyen.community import permissions as community_perms
from binhyen.community import selectors, services
from binhyen.community.forms import (
    CommuneChoiceForm,
    GradingSheetForm,
    RulesForm,
)
from binhyen.core import web
from binhyen.orgunits.models import UnitKind

# --- gradings --------------------------------------------------------------------------------


@login_required
@require_GET
def grading_index(request: HttpRequest) -> HttpResponse:
    """Go to the grading sheet of the user's commune for the current team year."""
    commune = selectors.default_commune(user=request.user)
    code = (request.GET.get("unit") or "").strip()
    if code:
        commune = community_perms.commune_of(selectors.unit_get(user=request.user, code=code))
    year = selectors.current_team_year()
    if commune is not None:
        return redirect("community:grading_sheet", code=commune.code, year=year)
    communes = selectors.manageable_communes(user=request.user)
    if not communes:
        raise web.not_found()
    return render(
        request,
        "community/choose_commune.html",
        {
            "form": CommuneChoiceForm(communes=communes),
            "title": _("Xếp loại Tổ bảo vệ ANTT"),
            "action": reverse("community:grading_index"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def grading_sheet(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Show (and, for the commune chief, enter) the year's grades of teams and members."""
    commune = selectors.unit_get(user=request.user, code=code)
    if commune.kind != UnitKind.COMMUNE or not 2000 <= year <= selectors.current_team_year():
        raise web.not_found()
    can_grade = community_perms.can_grade(request.user, commune)
    if request.method == "POST" and not can_grade:
        raise web.not_found()
    sheet = selectors.grading_sheet(user=request.user, commune=commune, year=year)
    form = GradingSheetForm(request.POST or None, sheet=sheet)
    return web.form_view(
        request,
        form,
        services.team_gradings_save,
        template="community/grading_sheet.html",
        context={
            "sheet": sheet,
            "can_grade": can_grade,
            "years": list(range(selectors.current_team_year(), 2023, -1)),
        },
        arguments=lambda _data: {
            "commune": commune,
            "year": year,
            "teams": form.grades("t"),
            "members": form.grades("m"),
        },
        success_url=reverse("community:grading_sheet", args=[commune.code, year]),
        success_message=lambda result: (
            _("Đã lưu xếp loại: %(saved)s thay đổi, %(removed)s bỏ xếp loại.")
            % {"saved": result.saved, "removed": result.removed}
        ),
    )


# --- rules -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rules_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Show a province's grading rules; province officers change them."""
    province = selectors.province_get(user=request.user, code=code)
    can_edit = community_perms.can_manage_catalogue(request.user, province)
    if request.method == "POST" and not can_edit:
        raise web.not_found()
    rules = selectors.rules_for(province)
    form = RulesForm(
        request.POST or None,
        stored={
            "team_size_min": rules.team_size_min,
            "team_size_max": rules.team_size_max,
            "min_activity_months": rules.min_activity_months,
            "excellent_max_pct_of_good": rules.excellent_max_pct_of_good,
            "excellent_min_task_pct": rules.excellent_min_task_pct,
            "leader_not_above_team": rules.leader_not_above_team,
            "basis": rules.basis,
        },
    )
    return web.form_view(
        request,
        form,
        services.grading_rules_save,
        template="community/rules.html",
        context={"province": province, "rules": rules, "can_edit": can_edit},
        arguments=lambda data: {"province": province, **data},
        success_url=reverse("community:rules", args=[province.code]),
        success_message=_("Đã lưu quy định của tỉnh."),
    )
