"""Pages of schemes: list, export, create, detail, edit, status, sites, roster, gradings.

Invariants (as for every community page):
- Every view needs a signed-in user; every record is fetched through a
  ``selectors.*_get`` (404 for missing and forbidden alike); a write page also answers 404
  when the user may not change the record, and a service's ``PermissionDenied`` becomes the
  same 404, so existence never leaks.
- Views only parse input, call one service and render; a service's ``ValidationError`` is
  shown on the form (status 400) and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.community import excel, selectors, services
from binhyen.community import permissions as community_perms
from binhyen.community.forms import (
    EndDateForm,
    SchemeFilterForm,
    SchemeForm,
    SchemeGradingForm,
    SchemeMemberForm,
    SchemeSiteForm,
    SchemeStatusForm,
)
from binhyen.community.models import (
    Scheme,
    SchemeMember,
    SchemeSite,
)
from binhyen.community.views.base import (
    RECORD_CHILD_KINDS,
    _carry_forward,
    _choose_commune,
    _filter_unit,
    _form,
    _managed_commune,
    _xlsx,
)
from binhyen.core import web
from binhyen.core.collation import vi_order
from binhyen.core.exports import export_offload
from binhyen.orgunits import carry
from binhyen.orgunits.models import OrgUnit

# --- schemes ---------------------------------------------------------------------------------


def _scheme_filters(request: HttpRequest) -> tuple[SchemeFilterForm, dict[str, Any], int]:
    form = SchemeFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, {}, 400
    data = form.cleaned_data if form.is_bound else {}
    return (
        form,
        {
            "q": data.get("q", ""),
            "status": data.get("status", ""),
            "category": data.get("category", ""),
        },
        200,
    )


@login_required
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    """Search the schemes of the user's scope (by name, category, status, unit)."""
    unit = _filter_unit(request)
    form, params, status = _scheme_filters(request)
    page = None
    if status == 200:
        page = web.paginate(request, selectors.scheme_list(user=request.user, unit=unit, **params))
        selectors.history_notes(page.object_list, lambda s: s.units.all())
    querystring = web.querystring(unit=unit.code if unit else "", **params)
    return render(
        request,
        "community/scheme_list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "querystring": querystring,
            "filtered": any(params.values()),
            "can_manage": community_perms.can_manage_anywhere(request.user),
        },
        status=status,
    )


@login_required
@require_GET
def scheme_export(request: HttpRequest) -> HttpResponse:
    """Download the scheme list, as filtered on the page, as an Excel file."""
    unit = _filter_unit(request)
    _filters, params, status = _scheme_filters(request)
    if status != 200:
        params = {}
    schemes = selectors.scheme_list(user=request.user, unit=unit, **params)
    if offloaded := export_offload(request, schemes):
        return offloaded
    return _xlsx(excel.schemes_workbook(schemes.iterator(chunk_size=500)), "mo-hinh-tu-quan.xlsx")


def _scheme_form_choices(
    request: HttpRequest, communes: Sequence[OrgUnit], scheme: Scheme | None
) -> dict[str, Any]:
    units: dict[int, OrgUnit] = {}
    for commune in communes:
        units[commune.pk] = commune
        for child in selectors.children_of(commune, kinds=RECORD_CHILD_KINDS):
            units[child.pk] = child
    reaching = list(communes)
    if scheme is not None:
        for covered in selectors.scheme_units(user=request.user, scheme=scheme):
            if covered.visible:
                units.setdefault(covered.unit.pk, covered.unit)
                reaching.append(covered.unit)
    provinces = selectors.provinces_reached(reaching)
    replicable = selectors.scheme_choices_for_replication(user=request.user, exclude=scheme)
    ids = list(replicable.values_list("pk", flat=True)[:300])
    return {
        "types": selectors.scheme_types_available(provinces=provinces),
        "unit_choices": sorted(units.values(), key=lambda u: u.path),
        "replicable": Scheme.objects.filter(pk__in=ids).order_by(vi_order("name")),
    }


def _resolve_units(
    request: HttpRequest, form: SchemeForm, choices: Sequence[OrgUnit]
) -> list[OrgUnit]:
    """Return the units the form names; a code outside the user's scope is an error on it."""
    by_code = {u.code: u for u in choices}
    units = [by_code[c] for c in form.cleaned_data["units"] if c in by_code]
    for code in form.extra_codes():
        try:
            units.append(selectors.unit_get(user=request.user, code=code[:32]))
        except Http404 as exc:
            raise ValidationError(
                {
                    "extra_units": _("Không tìm thấy mã “%(code)s” trong phạm vi của bạn.")
                    % {"code": code[:32]}
                }
            ) from exc
    return units


@login_required
@require_http_methods(["GET", "POST"])
def scheme_create(request: HttpRequest) -> HttpResponse:
    """Record a new scheme of a commune (``?unit=<commune code>``)."""
    commune = _managed_commune(request, request.GET.get("unit"))
    if commune is None:
        return _choose_commune(request, _("Thêm mô hình tự quản"), "community:scheme_create")
    choices = _scheme_form_choices(request, [commune], None)
    form = SchemeForm(
        request.POST or None,
        request.FILES or None,
        **choices,
        initial={"units": [commune.code]} if request.method == "GET" else None,
    )
    return _form(
        request,
        form,
        services.scheme_create,
        arguments=lambda data: {
            "scheme_type": data["scheme_type"],
            "name": data["name"],
            "units": _resolve_units(request, form, choices["unit_choices"]),
            "lead_org_kind": data["lead_org_kind"],
            "lead_org_name": data["lead_org_name"],
            "founded_on": data["founded_on"],
            "member_count": data["member_count"],
            "roster": form.roster_entries(),
            "replicated_from": data["replicated_from"],
            "note": data["note"],
            "founding_decision": form.decision_input("founding_decision"),
        },
        success_url=_scheme_url,
        success_message=lambda scheme: _("Đã thêm mô hình “%(name)s”.") % {"name": scheme.name},
        title=_("Thêm mô hình tự quản — %(commune)s") % {"commune": commune.name},
        cancel_url=reverse("community:scheme_list"),
        multipart=True,
    )


def _scheme_to_change(request: HttpRequest, pk: int) -> Scheme:
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    if not selectors.scheme_can_edit(user=request.user, scheme=scheme):
        raise web.not_found()
    return scheme


def _can_carry(request: HttpRequest, scheme: Scheme) -> bool:
    """Return True if the scheme runs on closed units and the user may move it."""
    if not scheme.is_active or not scheme.units.filter(valid_to__isnull=False).exists():
        return False
    return carry.move_possible(
        lambda: services.scheme_carry_plan(scheme=scheme),
        lambda plan: services.carry_allowed(web.current_user(request), plan),
    )


@login_required
@require_GET
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a scheme: units, roster, sites, gradings, replicas and its founding decision."""
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    can_edit = selectors.scheme_can_edit(user=request.user, scheme=scheme)
    return render(
        request,
        "community/scheme_detail.html",
        {
            "scheme": scheme,
            "covered": selectors.scheme_units(user=request.user, scheme=scheme),
            "sites": scheme.sites.select_related("orgunit").order_by("ended_on", "established_on"),
            "roster": scheme.roster.order_by("id"),
            "gradings": scheme.gradings.order_by("-graded_on"),
            "replicas": selectors.scheme_replicas(user=request.user, scheme=scheme),
            "source_visible": scheme.replicated_from_id is not None
            and selectors.schemes_visible(request.user)
            .filter(pk=scheme.replicated_from_id)
            .exists(),
            "can_edit": can_edit,
            "can_carry": _can_carry(request, scheme),
            "unit_history": selectors.scheme_unit_history(scheme=scheme),
            "member_form": SchemeMemberForm() if can_edit else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a scheme (units the user cannot see stay covered)."""
    scheme = _scheme_to_change(request, pk)
    communes = [
        c
        for c in {
            community_perms.commune_of(cu.unit)
            for cu in selectors.scheme_units(user=request.user, scheme=scheme)
            if cu.manageable
        }
        if c is not None
    ]
    choices = _scheme_form_choices(request, communes, scheme)
    form = SchemeForm(request.POST or None, request.FILES or None, scheme=scheme, **choices)
    return _form(
        request,
        form,
        services.scheme_update,
        arguments=lambda data: {
            "scheme": scheme,
            "scheme_type": data["scheme_type"],
            "name": data["name"],
            "units": _resolve_units(request, form, choices["unit_choices"]),
            "lead_org_kind": data["lead_org_kind"],
            "lead_org_name": data["lead_org_name"],
            "founded_on": data["founded_on"],
            "member_count": data["member_count"],
            "replicated_from": data["replicated_from"],
            "note": data["note"],
            "founding_decision": form.decision_input("founding_decision"),
        },
        success_url=_scheme_url,
        success_message=_("Đã lưu thay đổi."),
        title=_("Sửa mô hình “%(name)s”") % {"name": scheme.name},
        cancel_url=_scheme_url(scheme),
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend, dissolve or reactivate a scheme."""
    scheme = _scheme_to_change(request, pk)
    return _form(
        request,
        SchemeStatusForm(request.POST or None),
        services.scheme_status_set,
        arguments=lambda data: {"scheme": scheme, "status": data["status"], "since": data["since"]},
        success_url=_scheme_url(scheme),
        success_message=_("Đã cập nhật trạng thái."),
        title=_("Trạng thái của “%(name)s”") % {"name": scheme.name},
        cancel_url=_scheme_url(scheme),
    )


def _site_units(request: HttpRequest, scheme: Scheme) -> list[OrgUnit]:
    units: dict[int, OrgUnit] = {}
    for covered in selectors.scheme_units(user=request.user, scheme=scheme):
        commune = community_perms.commune_of(covered.unit)
        if commune is None or not covered.visible:
            continue
        units[commune.pk] = commune
        for child in selectors.children_of(commune, kinds=RECORD_CHILD_KINDS):
            units[child.pk] = child
    return sorted(units.values(), key=lambda u: u.path)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_site_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a site (điểm mô hình) where the scheme is replicated."""
    scheme = _scheme_to_change(request, pk)
    units = _site_units(request, scheme)
    return _form(
        request,
        SchemeSiteForm(request.POST or None, units=units),
        services.scheme_site_add,
        arguments=lambda data: {
            "scheme": scheme,
            "unit": next(u for u in units if u.code == data["orgunit"]),
            "established_on": data["established_on"],
            "note": data["note"],
        },
        success_url=_scheme_url(scheme),
        success_message=_("Đã thêm điểm mô hình."),
        title=_("Thêm điểm mô hình — %(name)s") % {"name": scheme.name},
        cancel_url=_scheme_url(scheme),
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_site_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a site stopped running."""
    site = SchemeSite.objects.filter(pk=pk).select_related("orgunit").first()
    if site is None:
        raise web.not_found()
    scheme = _scheme_to_change(request, site.scheme_id)
    return _form(
        request,
        EndDateForm(request.POST or None),
        services.scheme_site_end,
        arguments=lambda data: {"site": site, "ended_on": data["ended_on"]},
        success_url=_scheme_url(scheme),
        success_message=_("Đã ghi nhận điểm mô hình dừng hoạt động."),
        title=_("Dừng điểm mô hình tại %(unit)s") % {"unit": site.orgunit.name},
        cancel_url=_scheme_url(scheme),
    )


@login_required
@require_POST
def scheme_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person to the scheme's roster (form on the scheme page)."""
    scheme = _scheme_to_change(request, pk)
    return _form(
        request,
        SchemeMemberForm(request.POST),
        services.scheme_member_add,
        arguments=lambda data: {"scheme": scheme, **data},
        success_url=_scheme_url(scheme),
        success_message=_("Đã thêm vào danh sách thành viên."),
        title=_("Thêm thành viên — %(name)s") % {"name": scheme.name},
        cancel_url=_scheme_url(scheme),
    )


@login_required
@require_POST
def scheme_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a person off the roster."""
    member = SchemeMember.objects.filter(pk=pk).first()
    if member is None:
        raise web.not_found()
    scheme = _scheme_to_change(request, member.scheme_id)
    try:
        services.scheme_member_remove(actor=web.current_user(request), member=member)
    except PermissionDenied as exc:
        raise web.not_found() from exc
    messages.success(request, _("Đã xóa khỏi danh sách thành viên."))
    return redirect("community:scheme_detail", pk=scheme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_grading_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the quality grading of a scheme for a period."""
    scheme = _scheme_to_change(request, pk)
    return _form(
        request,
        SchemeGradingForm(request.POST or None),
        services.scheme_grading_save,
        arguments=lambda data: {
            "scheme": scheme,
            "period_code": data["period"],
            "level": data["level"],
            "graded_on": data["graded_on"],
            "note": data["note"],
        },
        success_url=_scheme_url(scheme),
        success_message=_("Đã lưu xếp loại."),
        title=_("Xếp loại mô hình “%(name)s”") % {"name": scheme.name},
        intro=_("Theo Hướng dẫn 22/HD-BCA-V05: tốt, khá, trung bình hoặc yếu."),
        cancel_url=_scheme_url(scheme),
    )


def _scheme_url(scheme: Scheme) -> str:
    return reverse("community:scheme_detail", args=[scheme.pk])


# --- moving onto the successor units -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def scheme_carry_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and move a running scheme from closed units onto their successors."""
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    return _carry_forward(
        request,
        scheme,
        may_try=services.carry_may_try,
        plan=lambda: services.scheme_carry_plan(scheme=scheme),
        allowed=services.carry_allowed,
        service=services.scheme_carry_forward,
        back_url=_scheme_url(scheme),
        intro=lambda plan: (
            _(
                "Mô hình sẽ được ghi trên: %(units)s (%(moves)s). Đơn vị cũ vẫn được giữ trong"
                " lịch sử của mô hình; ngày thành lập và số liệu các kỳ trước không đổi."
            )
            % {
                "units": ", ".join(u.name for u in plan.units_after),
                "moves": carry.moves_text(plan.moves),
            }
        ),
        success_message=_("Đã chuyển mô hình sang đơn vị mới."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_carry_forward_all(request: HttpRequest, code: str) -> HttpResponse:
    """Confirm and move every running scheme of a closed unit onto its successors."""
    unit = selectors.unit_get(user=request.user, code=code[:32])
    if unit.valid_to is None or not community_perms.can_manage_anywhere(request.user):
        raise web.not_found()
    successors = selectors.successor_names([unit.pk]).get(unit.pk, "")
    running = (
        selectors.scheme_list(user=request.user, unit=unit, status="active")
        .order_by()
        .values("pk")
        .count()
    )
    list_url = reverse("community:scheme_list") + "?" + web.querystring(unit=unit.code)

    def bulk(*, actor: Any) -> services.BulkResult:
        return services.schemes_carry_forward_all(actor=actor, unit=unit)

    def done(result: services.BulkResult) -> str:
        text = _("Đã chuyển %(n)s mô hình sang đơn vị mới.") % {"n": len(result.moved)}
        if result.skipped:
            text += " " + _("Không chuyển: %(rows)s") % {
                "rows": "; ".join(f"{s.name} ({reason})" for s, reason in result.skipped)
            }
        return text

    return _form(
        request,
        forms.Form(request.POST if request.method == "POST" else None),
        bulk,
        arguments=lambda data: {},
        success_url=list_url,
        success_message=done,
        title=_("Chuyển tất cả mô hình đang hoạt động của %(old)s sang %(new)s")
        % {"old": unit.name, "new": successors or _("đơn vị kế thừa")},
        intro=_(
            "%(n)s mô hình đang hoạt động được ghi trên %(old)s. Mỗi mô hình được chuyển riêng;"
            " mô hình không chuyển được sẽ được nêu rõ lý do."
        )
        % {"n": running, "old": unit.name},
        submit_label=_("Chuyển tất cả"),
        cancel_url=list_url,
        empty=""
        if running
        else _("Không có mô hình nào đang hoạt động được ghi trên %(old)s: không có gì để chuyển.")
        % {"old": unit.name},
    )
