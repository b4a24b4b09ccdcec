"""Pages of the community app: schemes, security teams, gradings, pledges, catalogue, rules.

Deny by default: every view needs a signed-in user; every record is fetched through a
``selectors.*_get`` (404 for missing and forbidden alike); a write page also answers 404
when the user may not change the record, and a service's ``PermissionDenied`` becomes the
same 404, so existence never leaks. Views only parse input, call one service and render.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.community import excel, selectors, services
from binhyen.community import permissions as community_perms
from binhyen.community.forms import (
    CommuneChoiceForm,
    DissolveForm,
    EndDateForm,
    GradingSheetForm,
    MemberForm,
    PledgeFilterForm,
    PledgeForm,
    RulesForm,
    SchemeFilterForm,
    SchemeForm,
    SchemeGradingForm,
    SchemeMemberForm,
    SchemeSiteForm,
    SchemeStatusForm,
    SchemeTypeForm,
    TeamFilterForm,
    TeamForm,
    TrainingForm,
    add_service_errors,
)
from binhyen.community.models import (
    Pledge,
    Scheme,
    SchemeMember,
    SchemeSite,
    SecurityTeam,
    TeamMember,
)
from binhyen.core.exports import export_offload
from binhyen.orgunits.models import OrgUnit, UnitKind

RECORD_CHILD_KINDS = (UnitKind.VILLAGE, UnitKind.ESTABLISHMENT)


def _not_found() -> Http404:
    return Http404(selectors.not_found_message())


def _page(request: HttpRequest, queryset: Any) -> Page:
    size = int(getattr(settings, "PAGE_SIZE", 25))
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _querystring(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "", False)})


def _filter_unit(request: HttpRequest) -> OrgUnit | None:
    """Return the unit named by ``?unit=`` (404 outside the scope), or None."""
    code = (request.GET.get("unit") or "").strip()
    if not code:
        return None
    return selectors.unit_get(user=request.user, code=code[:32])


def _managed_commune(request: HttpRequest, code: str | None) -> OrgUnit | None:
    """Return the commune named by ``code`` (or the user's own) if the user may manage it."""
    if code:
        unit = selectors.unit_get(user=request.user, code=code[:32])
        commune = community_perms.commune_of(unit)
        if commune is None and unit.kind == UnitKind.PROVINCE:
            return None  # from a province's list: the user picks one of its communes
        if commune is None or not community_perms.can_manage(request.user, commune):
            raise _not_found()
        return commune
    commune = selectors.default_commune(user=request.user)
    if commune is not None and community_perms.can_manage(request.user, commune):
        return commune
    return None


def _grading_url(request: HttpRequest, unit: OrgUnit | None) -> str:
    """Return where the "grading" link of a page leads, or "" if the user could not open it.

    The sheet of the unit's commune when the user sees that commune; otherwise the chooser,
    but only for users who manage at least one commune (the chooser lists nothing else).
    """
    commune = (
        community_perms.commune_of(unit)
        if unit is not None
        else selectors.default_commune(user=request.user)
    )
    if commune is not None and selectors.units_visible(user=request.user, units=[commune]):
        return reverse(
            "community:grading_sheet", args=[commune.code, selectors.current_team_year()]
        )
    if selectors.manageable_communes(user=request.user, limit=1):
        return reverse("community:grading_index")
    return ""


def _choose_commune(request: HttpRequest, title: str, url_name: str) -> HttpResponse:
    """Ask which commune a new record belongs to (users covering several communes)."""
    communes = selectors.manageable_communes(user=request.user)
    if not communes:
        raise _not_found()
    form = CommuneChoiceForm(communes=communes)
    return render(
        request,
        "community/choose_commune.html",
        {"form": form, "title": title, "action": reverse(url_name)},
    )


def _service_error(form: Any, exc: ValidationError) -> None:
    add_service_errors(form, exc)


def _call_service(form: Any, service: Any, **kwargs: Any) -> tuple[bool, Any]:
    """Run one write service for a form view.

    A refused permission becomes the same 404 as a missing object; a validation error is
    put on the form's fields. Return whether the service succeeded, and its result.
    """
    try:
        return True, service(**kwargs)
    except PermissionDenied as exc:
        raise _not_found() from exc
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False, None


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _form_page(
    request: HttpRequest,
    *,
    form: Any,
    title: str,
    cancel_url: str,
    status: int = 200,
    intro: str = "",
    multipart: bool = False,
    submit_label: str = "",
) -> HttpResponse:
    return render(
        request,
        "community/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
            "intro": intro,
            "multipart": multipart,
            "submit_label": submit_label or _("Lưu"),
        },
        status=status,
    )


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
            "unit_qs": _querystring(unit=unit.code if unit else ""),
            "commune": community_perms.commune_of(unit) if unit is not None else None,
            "province": selectors.province_of(unit) if unit is not None else None,
            "team_year": selectors.current_team_year(),
            "grading_url": _grading_url(request, unit),
        },
    )


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
        page = _page(request, selectors.scheme_list(user=request.user, unit=unit, **params))
    querystring = _querystring(unit=unit.code if unit else "", **params)
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
    _form, params, status = _scheme_filters(request)
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
    provinces = [selectors.province_of(c) for c in communes]
    if scheme is not None:
        for covered in selectors.scheme_units(user=request.user, scheme=scheme):
            if covered.visible:
                units.setdefault(covered.unit.pk, covered.unit)
                provinces.append(selectors.province_of(covered.unit))
    replicable = selectors.scheme_choices_for_replication(user=request.user, exclude=scheme)
    ids = list(replicable.values_list("pk", flat=True)[:300])
    return {
        "types": selectors.scheme_types_available(provinces=provinces),
        "unit_choices": sorted(units.values(), key=lambda u: u.path),
        "replicable": Scheme.objects.filter(pk__in=ids).order_by("name_folded"),
    }


def _resolve_units(
    request: HttpRequest, form: SchemeForm, choices: Sequence[OrgUnit]
) -> list[OrgUnit] | None:
    by_code = {u.code: u for u in choices}
    units = [by_code[c] for c in form.cleaned_data["units"] if c in by_code]
    for code in form.extra_codes():
        try:
            units.append(selectors.unit_get(user=request.user, code=code[:32]))
        except Http404:
            form.add_error(
                "extra_units",
                _("Không tìm thấy mã “%(code)s” trong phạm vi của bạn.") % {"code": code[:32]},
            )
            return None
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
    status = 200
    if request.method == "POST":
        if form.is_valid():
            units = _resolve_units(request, form, choices["unit_choices"])
            if units is not None:
                data = form.cleaned_data
                ok, saved = _call_service(
                    form,
                    services.scheme_create,
                    actor=request.user,
                    scheme_type=data["scheme_type"],
                    name=data["name"],
                    units=units,
                    lead_org_kind=data["lead_org_kind"],
                    lead_org_name=data["lead_org_name"],
                    founded_on=data["founded_on"],
                    member_count=data["member_count"],
                    roster=form.roster_entries(),
                    replicated_from=data["replicated_from"],
                    note=data["note"],
                    founding_decision=form.decision_input("founding_decision"),
                )
                if ok:
                    scheme = saved
                    messages.success(
                        request, _("Đã thêm mô hình “%(name)s”.") % {"name": scheme.name}
                    )
                    return redirect("community:scheme_detail", pk=scheme.pk)
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Thêm mô hình tự quản — %(commune)s") % {"commune": commune.name},
        cancel_url=reverse("community:scheme_list"),
        status=status,
        multipart=True,
    )


def _scheme_to_change(request: HttpRequest, pk: int) -> Scheme:
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    if not selectors.scheme_can_edit(user=request.user, scheme=scheme):
        raise _not_found()
    return scheme


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
    status = 200
    if request.method == "POST":
        if form.is_valid():
            units = _resolve_units(request, form, choices["unit_choices"])
            if units is not None:
                data = form.cleaned_data
                ok, saved = _call_service(
                    form,
                    services.scheme_update,
                    actor=request.user,
                    scheme=scheme,
                    scheme_type=data["scheme_type"],
                    name=data["name"],
                    units=units,
                    lead_org_kind=data["lead_org_kind"],
                    lead_org_name=data["lead_org_name"],
                    founded_on=data["founded_on"],
                    member_count=data["member_count"],
                    replicated_from=data["replicated_from"],
                    note=data["note"],
                    founding_decision=form.decision_input("founding_decision"),
                )
                if ok:
                    scheme = saved
                    messages.success(request, _("Đã lưu thay đổi."))
                    return redirect("community:scheme_detail", pk=scheme.pk)
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Sửa mô hình “%(name)s”") % {"name": scheme.name},
        cancel_url=reverse("community:scheme_detail", args=[scheme.pk]),
        status=status,
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend, dissolve or reactivate a scheme."""
    scheme = _scheme_to_change(request, pk)
    form = SchemeStatusForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ok, _result = _call_service(
                form,
                services.scheme_status_set,
                actor=request.user,
                scheme=scheme,
                status=form.cleaned_data["status"],
                since=form.cleaned_data["since"],
            )
            if ok:
                messages.success(request, _("Đã cập nhật trạng thái."))
                return redirect("community:scheme_detail", pk=scheme.pk)
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Trạng thái của “%(name)s”") % {"name": scheme.name},
        cancel_url=reverse("community:scheme_detail", args=[scheme.pk]),
        status=status,
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
    form = SchemeSiteForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            unit = next(u for u in units if u.code == form.cleaned_data["orgunit"])
            ok, _result = _call_service(
                form,
                services.scheme_site_add,
                actor=request.user,
                scheme=scheme,
                unit=unit,
                established_on=form.cleaned_data["established_on"],
                note=form.cleaned_data["note"],
            )
            if ok:
                messages.success(request, _("Đã thêm điểm mô hình."))
                return redirect("community:scheme_detail", pk=scheme.pk)
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Thêm điểm mô hình — %(name)s") % {"name": scheme.name},
        cancel_url=reverse("community:scheme_detail", args=[scheme.pk]),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_site_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a site stopped running."""
    site = SchemeSite.objects.filter(pk=pk).select_related("orgunit").first()
    if site is None:
        raise _not_found()
    scheme = _scheme_to_change(request, site.scheme_id)
    form = EndDateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ok, _result = _call_service(
                form,
                services.scheme_site_end,
                actor=request.user,
                site=site,
                ended_on=form.cleaned_data["ended_on"],
            )
            if ok:
                messages.success(request, _("Đã ghi nhận điểm mô hình dừng hoạt động."))
                return redirect("community:scheme_detail", pk=scheme.pk)
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Dừng điểm mô hình tại %(unit)s") % {"unit": site.orgunit.name},
        cancel_url=reverse("community:scheme_detail", args=[scheme.pk]),
        status=status,
    )


@login_required
@require_POST
def scheme_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person to the scheme's roster (form on the scheme page)."""
    scheme = _scheme_to_change(request, pk)
    form = SchemeMemberForm(request.POST)
    if form.is_valid():
        try:
            services.scheme_member_add(actor=request.user, scheme=scheme, **form.cleaned_data)
        except PermissionDenied as exc:
            raise _not_found() from exc
        except ValidationError as exc:
            _service_error(form, exc)
        else:
            messages.success(request, _("Đã thêm vào danh sách thành viên."))
            return redirect("community:scheme_detail", pk=scheme.pk)
    return _form_page(
        request,
        form=form,
        title=_("Thêm thành viên — %(name)s") % {"name": scheme.name},
        cancel_url=reverse("community:scheme_detail", args=[scheme.pk]),
        status=400,
    )


@login_required
@require_POST
def scheme_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a person off the roster."""
    member = SchemeMember.objects.filter(pk=pk).first()
    if member is None:
        raise _not_found()
    scheme = _scheme_to_change(request, member.scheme_id)
    try:
        services.scheme_member_remove(actor=request.user, member=member)
    except PermissionDenied as exc:
        raise _not_found() from exc
    messages.success(request, _("Đã xóa khỏi danh sách thành viên."))
    return redirect("community:scheme_detail", pk=scheme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_grading_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the quality grading of a scheme for a period."""
    scheme = _scheme_to_change(request, pk)
    form = SchemeGradingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            ok, _result = _call_service(
                form,
                services.scheme_grading_save,
                actor=request.user,
                scheme=scheme,
                period_code=data["period"],
                level=data["level"],
                graded_on=data["graded_on"],
                note=data["note"],
            )
            if ok:
                messages.success(request, _("Đã lưu xếp loại."))
                return redirect("community:scheme_detail", pk=scheme.pk)
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Xếp loại mô hình “%(name)s”") % {"name": scheme.name},
        intro=_("Theo Hướng dẫn 22/HD-BCA-V05: tốt, khá, trung bình hoặc yếu."),
        cancel_url=reverse("community:scheme_detail", args=[scheme.pk]),
        status=status,
    )


# --- scheme types ----------------------------------------------------------------------------


def _catalogue_province(request: HttpRequest, *, source: Any = None) -> OrgUnit | None:
    """Return the province named by ``?province=`` (visible), the user's, or None (national)."""
    code = ((source or request.GET).get("province") or "").strip()
    if code:
        return selectors.province_get(user=request.user, code=code[:32])
    return None


@login_required
@require_GET
def type_list(request: HttpRequest) -> HttpResponse:
    """Show the national catalogue and a province's own types and typical marks."""
    province = _catalogue_province(request)
    if province is None and "province" not in request.GET:
        home = selectors.home_unit(user=request.user)
        province = selectors.province_of(home) if home is not None else None
    types = selectors.scheme_type_list(user=request.user, province=province)
    return render(
        request,
        "community/type_list.html",
        {
            "province": province,
            "types": types,
            "can_edit_province": province is not None
            and community_perms.can_manage_catalogue(request.user, province),
            "can_edit_national": community_perms.can_manage_catalogue(request.user, None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def type_create(request: HttpRequest) -> HttpResponse:
    """Add a type to a province's catalogue (``?province=``), or to the national one."""
    province = _catalogue_province(request)
    if not community_perms.can_manage_catalogue(request.user, province):
        raise _not_found()
    form = SchemeTypeForm(request.POST or None, with_typical=province is not None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            ok, _result = _call_service(
                form,
                services.scheme_type_create,
                actor=request.user,
                province=province,
                name=data["name"],
                category=data["category"],
                name_en=data["name_en"],
                description=data["description"],
                sort_order=data["sort_order"] or 0,
                typical=bool(data.get("typical")),
            )
            if ok:
                messages.success(request, _("Đã thêm loại mô hình."))
                return redirect(_type_list_url(province))
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Thêm loại mô hình — %(scope)s")
        % {"scope": province.name if province else _("danh mục toàn quốc")},
        cancel_url=_type_list_url(province),
        status=status,
    )


def _type_list_url(province: OrgUnit | None) -> str:
    url = reverse("community:type_list")
    return f"{url}?{_querystring(province=province.code)}" if province else f"{url}?province="


@login_required
@require_http_methods(["GET", "POST"])
def type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a type of the catalogue."""
    item = selectors.scheme_type_get(user=request.user, pk=pk)
    if not community_perms.can_manage_catalogue(request.user, item.province):
        raise _not_found()
    form = SchemeTypeForm(request.POST or None, item=item)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            ok, _result = _call_service(
                form,
                services.scheme_type_update,
                actor=request.user,
                scheme_type=item,
                name=data["name"],
                category=data["category"],
                name_en=data["name_en"],
                description=data["description"],
                sort_order=data["sort_order"] or 0,
                is_active=data["is_active"],
            )
            if ok:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect(_type_list_url(item.province))
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Sửa loại mô hình “%(name)s”") % {"name": item.name},
        cancel_url=_type_list_url(item.province),
        status=status,
    )


@login_required
@require_POST
def type_typical(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark or unmark a type as typical for the province given in the form."""
    item = selectors.scheme_type_get(user=request.user, pk=pk)
    province = _catalogue_province(request, source=request.POST)
    if province is None or not community_perms.can_manage_catalogue(request.user, province):
        raise _not_found()
    typical = request.POST.get("typical") == "1"
    try:
        services.scheme_type_typical_set(
            actor=request.user, scheme_type=item, province=province, typical=typical
        )
    except PermissionDenied as exc:
        raise _not_found() from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã cập nhật danh sách mô hình tiêu biểu."))
    return redirect(_type_list_url(province))


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
        page = _page(request, selectors.team_list(user=request.user, unit=unit, **params))
    return render(
        request,
        "community/team_list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "querystring": _querystring(unit=unit.code if unit else "", **params),
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
    _form, params, status = _team_filters(request)
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
    villages = list(selectors.children_of(commune, kinds=[UnitKind.VILLAGE]))
    form = TeamForm(request.POST or None, request.FILES or None, villages=villages)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            village = next(v for v in villages if v.code == data["village"])
            ok, saved = _call_service(
                form,
                services.team_create,
                actor=request.user,
                village=village,
                established_on=data["established_on"],
                name=data["name"],
                note=data["note"],
                establishment_decision=form.decision_input("establishment_decision"),
                recognition_decision=form.decision_input("recognition_decision"),
            )
            if ok:
                team = saved
                messages.success(request, _("Đã thành lập “%(name)s”.") % {"name": team.name})
                return redirect("community:team_detail", pk=team.pk)
        status = 400
    intro = "" if villages else _("Xã này chưa có thôn, tổ dân phố nào: hãy thêm thôn trước.")
    return _form_page(
        request,
        form=form,
        title=_("Thành lập Tổ bảo vệ ANTT — %(commune)s") % {"commune": commune.name},
        intro=intro,
        cancel_url=reverse("community:team_list"),
        status=status,
        multipart=True,
    )


def _team_to_change(request: HttpRequest, pk: int) -> SecurityTeam:
    team = selectors.team_get(user=request.user, pk=pk)
    if not community_perms.can_manage(request.user, team.village):
        raise _not_found()
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
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a team's name, founding date, note and decisions."""
    team = _team_to_change(request, pk)
    form = TeamForm(request.POST or None, request.FILES or None, team=team)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            ok, saved = _call_service(
                form,
                services.team_update,
                actor=request.user,
                team=team,
                name=data["name"],
                established_on=data["established_on"],
                note=data["note"],
                establishment_decision=form.decision_input("establishment_decision"),
                recognition_decision=form.decision_input("recognition_decision"),
            )
            if ok:
                team = saved
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("community:team_detail", pk=team.pk)
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Sửa “%(name)s”") % {"name": team.name},
        cancel_url=reverse("community:team_detail", args=[team.pk]),
        status=status,
        multipart=True,
    )


@login_required
@require_POST
def team_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Dissolve a team (its active members leave on that day)."""
    team = _team_to_change(request, pk)
    form = DissolveForm(request.POST)
    if form.is_valid():
        ok, _result = _call_service(
            form,
            services.team_dissolve,
            actor=request.user,
            team=team,
            dissolved_on=form.cleaned_data["dissolved_on"],
        )
        if ok:
            messages.success(request, _("Đã ghi nhận tổ giải thể."))
            return redirect("community:team_detail", pk=team.pk)
    return _form_page(
        request,
        form=form,
        title=_("Giải thể “%(name)s”") % {"name": team.name},
        cancel_url=reverse("community:team_detail", args=[team.pk]),
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a member to a team."""
    team = _team_to_change(request, pk)
    form = MemberForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            ok, _result = _call_service(
                form,
                services.member_add,
                actor=request.user,
                team=team,
                full_name=data["full_name"],
                birth_date=data["birth_date"],
                role=data["role"],
                origin=data["origin"],
                joined_on=data["joined_on"],
                recognition_decision=form.decision_input("recognition_decision"),
            )
            if ok:
                messages.success(request, _("Đã thêm thành viên."))
                if "add_another" in request.POST:
                    return redirect("community:member_create", pk=team.pk)
                return redirect("community:team_detail", pk=team.pk)
        status = 400
    return render(
        request,
        "community/form.html",
        {
            "form": form,
            "title": _("Thêm thành viên — %(team)s") % {"team": team.name},
            "cancel_url": reverse("community:team_detail", args=[team.pk]),
            "multipart": True,
            "add_another": True,
            "submit_label": _("Lưu"),
            "intro": _(
                "Chỉ ghi họ tên và ngày sinh (để phân biệt người trùng tên); không ghi số"
                " CCCD, địa chỉ hay số điện thoại."
            ),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member, including the day they left."""
    member = selectors.member_get(user=request.user, pk=pk)
    if not community_perms.can_manage(request.user, member.team.village):
        raise _not_found()
    form = MemberForm(request.POST or None, request.FILES or None, member=member)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            ok, _result = _call_service(
                form,
                services.member_update,
                actor=request.user,
                member=member,
                full_name=data["full_name"],
                birth_date=data["birth_date"],
                role=data["role"],
                origin=data["origin"],
                joined_on=data["joined_on"],
                left_on=data["left_on"],
                recognition_decision=form.decision_input("recognition_decision"),
            )
            if ok:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("community:team_detail", pk=member.team_id)
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Sửa thành viên %(name)s") % {"name": member.full_name},
        cancel_url=reverse("community:team_detail", args=[member.team_id]),
        status=status,
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a training the team attended."""
    team = _team_to_change(request, pk)
    form = TrainingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.training_add(actor=request.user, team=team, **form.cleaned_data)
            except PermissionDenied as exc:
                raise _not_found() from exc
            except ValidationError as exc:
                _service_error(form, exc)
            else:
                messages.success(request, _("Đã ghi nhận buổi tập huấn."))
                return redirect("community:team_detail", pk=team.pk)
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Ghi nhận tập huấn — %(team)s") % {"team": team.name},
        cancel_url=reverse("community:team_detail", args=[team.pk]),
        status=status,
    )


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
        raise _not_found()
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
        raise _not_found()
    can_grade = community_perms.can_grade(request.user, commune)
    if request.method == "POST" and not can_grade:
        raise _not_found()
    sheet = selectors.grading_sheet(user=request.user, commune=commune, year=year)
    form = GradingSheetForm(request.POST or None, sheet=sheet)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ok, saved = _call_service(
                form,
                services.gradings_save,
                actor=request.user,
                commune=commune,
                year=year,
                teams=form.grades("t"),
                members=form.grades("m"),
            )
            if ok:
                result = saved
                messages.success(
                    request,
                    _("Đã lưu xếp loại: %(saved)s thay đổi, %(removed)s bỏ xếp loại.")
                    % {"saved": result.saved, "removed": result.removed},
                )
                return redirect("community:grading_sheet", code=commune.code, year=year)
        status = 400
    return render(
        request,
        "community/grading_sheet.html",
        {
            "sheet": sheet,
            "form": form,
            "can_grade": can_grade,
            "years": list(range(selectors.current_team_year(), 2023, -1)),
        },
        status=status,
    )


# --- rules -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rules_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Show a province's grading rules; province officers change them."""
    province = selectors.province_get(user=request.user, code=code)
    can_edit = community_perms.can_manage_catalogue(request.user, province)
    if request.method == "POST" and not can_edit:
        raise _not_found()
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
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rules_save(actor=request.user, province=province, **form.cleaned_data)
            except PermissionDenied as exc:
                raise _not_found() from exc
            except ValidationError as exc:
                _service_error(form, exc)
            else:
                messages.success(request, _("Đã lưu quy định của tỉnh."))
                return redirect("community:rules", code=province.code)
        status = 400
    return render(
        request,
        "community/rules.html",
        {"province": province, "rules": rules, "form": form, "can_edit": can_edit},
        status=status,
    )


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
        page = _page(request, selectors.pledge_list(user=request.user, unit=unit, **params))
    return render(
        request,
        "community/pledge_list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "querystring": _querystring(unit=unit.code if unit else "", **params),
            "filtered": any(params.values()),
            "can_manage": community_perms.can_manage_anywhere(request.user),
        },
        status=status,
    )


@login_required
@require_GET
def pledge_export(request: HttpRequest) -> HttpResponse:
    unit = _filter_unit(request)
    _form, params, status = _pledge_filters(request)
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
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            unit = next(u for u in units if u.code == data["orgunit"])
            ok, saved = _call_service(
                form,
                services.pledge_create,
                actor=request.user,
                unit=unit,
                signer_kind=data["signer_kind"],
                year=data["year"],
                signed_on=data["signed_on"],
                signed_by=data["signed_by"],
                household_count=data["household_count"],
                note=data["note"],
                document=form.decision_input("document"),
            )
            if ok:
                pledge = saved
                messages.success(request, _("Đã ghi nhận giao ước."))
                if "add_another" in request.POST:
                    url = reverse("community:pledge_create")
                    return redirect(f"{url}?{_querystring(unit=commune.code)}")
                return redirect("community:pledge_detail", pk=pledge.pk)
        status = 400
    return render(
        request,
        "community/form.html",
        {
            "form": form,
            "title": _("Thêm giao ước thi đua — %(commune)s") % {"commune": commune.name},
            "cancel_url": reverse("community:pledge_list"),
            "multipart": True,
            "add_another": True,
            "submit_label": _("Lưu"),
            "intro": ""
            if units
            else _("Xã này chưa có thôn hay cơ quan nào: hãy thêm đơn vị trước."),
        },
        status=status,
    )


def _pledge_to_change(request: HttpRequest, pk: int) -> Pledge:
    pledge = selectors.pledge_get(user=request.user, pk=pk)
    if not community_perms.can_manage(request.user, pledge.orgunit):
        raise _not_found()
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
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            ok, saved = _call_service(
                form,
                services.pledge_update,
                actor=request.user,
                pledge=pledge,
                year=data["year"],
                signed_on=data["signed_on"],
                signed_by=data["signed_by"],
                household_count=data["household_count"],
                note=data["note"],
                document=form.decision_input("document"),
            )
            if ok:
                pledge = saved
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("community:pledge_detail", pk=pledge.pk)
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Sửa giao ước của %(unit)s") % {"unit": pledge.orgunit.name},
        cancel_url=reverse("community:pledge_detail", args=[pledge.pk]),
        status=status,
        multipart=True,
    )


@login_required
@require_POST
def pledge_delete(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_to_change(request, pk)
    try:
        services.pledge_delete(actor=request.user, pledge=pledge)
    except PermissionDenied as exc:
        raise _not_found() from exc
    messages.success(request, _("Đã xóa giao ước."))
    return redirect("community:pledge_list")


# --- decisions -------------------------------------------------------------------------------


@login_required
@require_GET
def decision_file(request: HttpRequest, pk: int) -> FileResponse:
    """Download the scanned file of a decision attached to a record the user may read."""
    decision = selectors.decision_get(user=request.user, pk=pk)
    if not decision.file:
        raise _not_found()
    extension = (decision.file.name or "").rsplit(".", 1)[-1]
    return FileResponse(
        decision.file.open("rb"),
        as_attachment=True,
        filename=f"van-ban-{decision.pk}.{extension}",
        content_type=decision.content_type or "application/octet-stream",
    )
