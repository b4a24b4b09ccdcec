"""Pages of security teams, their members and training.

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

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.community import excel, selectors, services
from binhyen.community import permissions as community_perms
from binhyen.community.forms import (
    DissolveForm,
    MemberForm,
    TeamFilterForm,
    TeamForm,
    TrainingForm,
)
from binhyen.community.models import (
    SecurityTeam,
    TeamMember,
)
from binhyen.community.views.base import (
    _carry_forward,
    _choose_commune,
    _filter_unit,
    _form,
    _grading_url,
    _managed_commune,
    _xlsx,
)
from binhyen.core import web
from binhyen.core.exports import export_offload
from binhyen.orgunits import carry
from binhyen.orgunits.models import UnitKind

# --- security teams --------------------------------------------------------------------------


def _team_filters(request: HttpRequest) -> tuple[TeamFilterForm, dict[str, Any], int]:
    form = TeamFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, {}, 400
    data = form.cleaned_data if form.is_bound else {}
    return form, {"q": data.get("q", ""), "status": data.get("status", "")}, 200


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    """Search the security teams of the user's scope."""
    unit = _filter_unit(request)
    form, params, status = _team_filters(request)
    page = None
    if status == 200:
        page = web.paginate(request, selectors.team_list(user=request.user, unit=unit, **params))
        selectors.history_notes(
            page.object_list, lambda t: [t.village if t.village.valid_to else t.village.parent]
        )
    return render(
        request,
        "community/team_list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "querystring": web.querystring(unit=unit.code if unit else "", **params),
            "filtered": any(params.values()),
            "can_manage": community_perms.can_manage_anywhere(request.user),
            "rules": selectors.rules_for(unit) if unit is not None else selectors.national_rules(),
            "grading_url": _grading_url(request, unit),
        },
        status=status,
    )


@login_required
@require_GET
def team_export(request: HttpRequest) -> HttpResponse:
    """Download the teams (and their members) as filtered on the page."""
    unit = _filter_unit(request)
    _filters, params, status = _team_filters(request)
    if status != 200:
        params = {}
    teams = selectors.team_list(user=request.user, unit=unit, **params).select_related(
        "establishment_decision", "recognition_decision"
    )
    if offloaded := export_offload(request, teams):
        return offloaded
    members = (
        TeamMember.objects.filter(team__in=teams.values("pk"))
        .select_related("team")
        .order_by("team__village__path", "team_id", "left_on", "role", "name_folded")
    )
    content = excel.teams_workbook(teams.iterator(chunk_size=500), members.iterator(chunk_size=500))
    return _xlsx(content, "to-bao-ve-antt.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    """Set up the security team of a village of a commune (``?unit=<commune code>``)."""
    commune = _managed_commune(request, request.GET.get("unit"))
    if commune is None:
        return _choose_commune(request, _("Thành lập Tổ bảo vệ ANTT"), "community:team_create")
    villages = list(selectors.villages_without_team(commune))
    has_villages = selectors.children_of(commune, kinds=[UnitKind.VILLAGE]).exists()
    form = TeamForm(request.POST or None, request.FILES or None, villages=villages)
    return _form(
        request,
        form,
        services.team_create,
        arguments=lambda data: {
            "village": next(v for v in villages if v.code == data["village"]),
            "established_on": data["established_on"],
            "name": data["name"],
            "note": data["note"],
            "establishment_decision": form.decision_input("establishment_decision"),
            "recognition_decision": form.decision_input("recognition_decision"),
        },
        success_url=_team_url,
        success_message=lambda team: _("Đã thành lập “%(name)s”.") % {"name": team.name},
        title=_("Thành lập Tổ bảo vệ ANTT — %(commune)s") % {"commune": commune.name},
        intro=""
        if villages
        else _("Mọi thôn, tổ dân phố của xã đã có Tổ bảo vệ ANTT đang hoạt động.")
        if has_villages
        else _("Xã này chưa có thôn, tổ dân phố nào: hãy thêm thôn trước."),
        cancel_url=reverse("community:team_list"),
        multipart=True,
    )


def _team_to_change(request: HttpRequest, pk: int) -> SecurityTeam:
    team = selectors.team_get(user=request.user, pk=pk)
    if not community_perms.can_manage(request.user, team.village):
        raise web.not_found()
    return team


@login_required
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a team: members, decisions, trainings, gradings and its size against the rules."""
    team = selectors.team_get(user=request.user, pk=pk)
    rules = selectors.rules_for(team.village)
    active = selectors.active_member_count(team)
    can_edit = community_perms.can_manage(request.user, team.village)
    commune = team.village.parent
    return render(
        request,
        "community/team_detail.html",
        {
            "team": team,
            "members": selectors.team_members(team=team),
            "active_count": active,
            "rules": rules,
            "understaffed": team.is_active and active < rules.team_size_min,
            "trainings": team.trainings.order_by("-held_on")[:50],
            "gradings": selectors.team_gradings(team=team),
            "can_edit": can_edit,
            "can_grade": commune is not None and community_perms.can_grade(request.user, commune),
            "dissolve_form": DissolveForm() if can_edit and team.is_active else None,
            "team_year": selectors.current_team_year(),
            "grading_url": _grading_url(request, team.village),
            "can_carry": _team_can_carry(request, team),
        },
    )


def _team_can_carry(request: HttpRequest, team: SecurityTeam) -> bool:
    """Return True if the team stands on a closed village and the user may move it."""
    if team.village.valid_to is None:
        return False
    return carry.move_possible(
        lambda: services.team_carry_plan(team=team),
        lambda moves: services.team_carry_allowed(web.current_user(request), moves),
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_carry_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and move a team from its closed village onto the successor village."""
    team = selectors.team_get(user=request.user, pk=pk)
    return _carry_forward(
        request,
        team,
        may_try=services.team_carry_may_try,
        plan=lambda: services.team_carry_plan(team=team),
        allowed=services.team_carry_allowed,
        service=services.team_carry_forward,
        back_url=_team_url(team),
        intro=lambda moves: (
            _(
                "Tổ sẽ được ghi trên %(moves)s. Thôn, tổ dân phố cũ vẫn được giữ trong lịch sử "
                "của tổ; thành viên, ngày thành lập và số liệu các kỳ trước không đổi."
            )
            % {"moves": carry.moves_text(moves)}
        ),
        success_message=_("Đã chuyển tổ sang đơn vị mới."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a team's name, founding date, note and decisions."""
    team = _team_to_change(request, pk)
    form = TeamForm(request.POST or None, request.FILES or None, team=team)
    return _form(
        request,
        form,
        services.team_update,
        arguments=lambda data: {
            "team": team,
            "name": data["name"],
            "established_on": data["established_on"],
            "note": data["note"],
            "establishment_decision": form.decision_input("establishment_decision"),
            "recognition_decision": form.decision_input("recognition_decision"),
        },
        success_url=_team_url,
        success_message=_("Đã lưu thay đổi."),
        title=_("Sửa “%(name)s”") % {"name": team.name},
        cancel_url=_team_url(team),
        multipart=True,
    )


@login_required
@require_POST
def team_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Dissolve a team (its active members leave on that day)."""
    team = _team_to_change(request, pk)
    return _form(
        request,
        DissolveForm(request.POST),
        services.team_dissolve,
        arguments=lambda data: {"team": team, "dissolved_on": data["dissolved_on"]},
        success_url=_team_url(team),
        success_message=_("Đã ghi nhận tổ giải thể."),
        title=_("Giải thể “%(name)s”") % {"name": team.name},
        cancel_url=_team_url(team),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a member to a team."""
    team = _team_to_change(request, pk)
    form = MemberForm(request.POST or None, request.FILES or None)
    again = "add_another" in request.POST
    return _form(
        request,
        form,
        services.team_member_add,
        arguments=lambda data: {
            "team": team,
            "full_name": data["full_name"],
            "birth_date": data["birth_date"],
            "role": data["role"],
            "origin": data["origin"],
            "joined_on": data["joined_on"],
            "recognition_decision": form.decision_input("recognition_decision"),
        },
        success_url=reverse("community:member_create", args=[team.pk])
        if again
        else _team_url(team),
        success_message=_("Đã thêm thành viên."),
        title=_("Thêm thành viên — %(team)s") % {"team": team.name},
        cancel_url=_team_url(team),
        multipart=True,
        add_another=True,
        intro=_(
            "Chỉ ghi họ tên và ngày sinh (để phân biệt người trùng tên); không ghi số"
            " CCCD, địa chỉ hay số điện thoại."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member, including the day they left."""
    member = selectors.member_get(user=request.user, pk=pk)
    if not community_perms.can_manage(request.user, member.team.village):
        raise web.not_found()
    form = MemberForm(request.POST or None, request.FILES or None, member=member)
    team_url = reverse("community:team_detail", args=[member.team_id])
    return _form(
        request,
        form,
        services.team_member_update,
        arguments=lambda data: {
            "member": member,
            "full_name": data["full_name"],
            "birth_date": data["birth_date"],
            "role": data["role"],
            "origin": data["origin"],
            "joined_on": data["joined_on"],
            "left_on": data["left_on"],
            "recognition_decision": form.decision_input("recognition_decision"),
        },
        success_url=team_url,
        success_message=_("Đã lưu thay đổi."),
        title=_("Sửa thành viên %(name)s") % {"name": member.full_name},
        cancel_url=team_url,
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a training the team attended."""
    team = _team_to_change(request, pk)
    return _form(
        request,
        TrainingForm(request.POST or None),
        services.training_add,
        arguments=lambda data: {"team": team, **data},
        success_url=_team_url(team),
        success_message=_("Đã ghi nhận buổi tập huấn."),
        title=_("Ghi nhận tập huấn — %(team)s") % {"team": team.name},
        cancel_url=_team_url(team),
    )


def _team_url(team: SecurityTeam) -> str:
    return reverse("community:team_detail", args=[team.pk])
