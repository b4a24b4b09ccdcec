"""Pages of the administrative map: home, search, unit page, villages and their import.

Deny by default: every view needs a signed-in user, every unit is fetched through
``selectors.unit_get`` (404 for missing and forbidden alike), and a write page also
answers 404 when the user lacks ``CHANGE_UNITS`` on the unit, so existence never leaks.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.accounts import permissions
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.todo import TodoItem, todo_items
from binhyen.core.web import (
    call_service,
    current_user,
    form_view,
    import_view,
    not_found,
    paginate,
    querystring,
)
from binhyen.orgunits import excel, history, selectors, services
from binhyen.orgunits.forms import (
    ChildSearchForm,
    ImportForm,
    UnitCloseForm,
    UnitCreateForm,
    UnitEditForm,
    UnitSearchForm,
)
from binhyen.orgunits.history import successors_of
from binhyen.orgunits.models import OrgUnit, UnitKind

PICKER_LIMIT = 20


def _unit_to_change(request: HttpRequest, code: str, *, commune_only: bool = False) -> OrgUnit:
    """Return the unit if the user may change it (and it is an open commune when asked)."""
    unit = selectors.unit_get(user=request.user, code=code)
    if not permissions.has_perm_on(request.user, permissions.CHANGE_UNITS, unit):
        raise not_found(selectors.not_found_message())
    if commune_only and (unit.kind != UnitKind.COMMUNE or not unit.is_current):
        raise not_found(selectors.not_found_message())
    return unit


def _commune_to_add_to(request: HttpRequest, code: str) -> OrgUnit:
    """Return the commune a village may be added "under": an open commune the user may
    change, or a pre-2025 commune of their scope's history (the village then goes under its
    successor and keeps it as its former commune)."""
    unit = selectors.unit_get(user=request.user, code=code)
    if unit.kind != UnitKind.COMMUNE or not _can_add_children(request, unit):
        raise not_found(selectors.not_found_message())
    return unit


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The user's to-do list (every app's items, most urgent first), then their units."""
    assignments = selectors.user_home_assignments(user=request.user)
    return render(
        request,
        "orgunits/home.html",
        {
            "assignments": assignments,
            "extra_units": selectors.user_home_units(user=request.user) if not assignments else [],
            "todo_groups": _todo_groups(todo_items(request.user)),
        },
    )


def _todo_groups(items: list[TodoItem]) -> list[tuple[str, list[TodoItem]]]:
    """Group the items under their headings, the group of the most urgent item first."""
    groups: dict[str, list[TodoItem]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    return list(groups.items())


@login_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    """Search every unit the user may read (name without diacritics, or code)."""
    form = UnitSearchForm(request.GET or None)
    page = None
    params: dict[str, Any] = {}
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        data = form.cleaned_data if form.is_bound else {}
        params = {
            "q": data.get("q", ""),
            "kind": data.get("kind", ""),
            "current": "1" if data.get("current") else "",
        }
        results = selectors.unit_search(
            user=request.user,
            q=params["q"],
            kind=params["kind"] or None,
            current_only=bool(params["current"]),
        ).select_related("parent")
        page = paginate(request, results)
    return render(
        request,
        "orgunits/list.html",
        {"form": form, "page": page, "querystring": querystring(**params)},
        status=status,
    )


@login_required
@require_GET
def unit_picker(request: HttpRequest) -> HttpResponse:
    """Return up to 20 matches as a list for the picker; without htmx, show the full list."""
    q = request.GET.get("q", "")[: selectors.MAX_QUERY_LENGTH]
    if not getattr(request, "htmx", False):
        return redirect(f"{reverse('orgunits:list')}?{querystring(q=q)}")
    results: list[OrgUnit] = []
    if q.strip():
        results = list(
            selectors.unit_search(user=request.user, q=q).select_related("parent")[:PICKER_LIMIT]
        )
    return render(request, "orgunits/_picker_results.html", {"results": results, "q": q})


def _children_context(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    form = ChildSearchForm(request.GET or None)
    q, kind = "", ""
    if form.is_bound and form.is_valid():
        q, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    children = selectors.unit_children(
        user=request.user, unit=unit, q=q or None, kind=kind or None, with_former=True
    )
    return {
        "unit": unit,
        "children_form": form,
        "children_page": paginate(request, children),
        "children_q": q,
        "children_querystring": querystring(q=q, kind=kind),
        "children_total": selectors.unit_children(
            user=request.user, unit=unit, with_former=True
        ).count()
        if (q or kind)
        else None,
        "can_add_children": _can_add_children(request, unit),
        "shows_former": unit.kind == UnitKind.COMMUNE
        and unit.is_current
        and children.filter(former_parent__isnull=False).exists(),
    }


def _can_add_children(request: HttpRequest, unit: OrgUnit) -> bool:
    if unit.kind != UnitKind.COMMUNE:
        return False
    if unit.is_current:
        return permissions.has_perm_on(request.user, permissions.CHANGE_UNITS, unit)
    # A pre-2025 commune: its villages go under a successor the user may change.
    return any(
        permissions.has_perm_on(request.user, permissions.CHANGE_UNITS, s)
        for s in successors_of(unit)
        if s.kind == UnitKind.COMMUNE
    )


@login_required
@require_GET
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show one unit: breadcrumbs, facts, lineage, children and a small map."""
    unit = selectors.unit_get(user=request.user, code=code)
    points = selectors.unit_map_points(user=request.user, unit=unit)
    for point in points:
        point["url"] = reverse("orgunits:detail", args=[point["code"]])
    can_change = permissions.has_perm_on(request.user, permissions.CHANGE_UNITS, unit)
    context = {
        "ancestors": selectors.unit_ancestors(unit, user=request.user),
        "lineage": selectors.unit_lineage(user=request.user, unit=unit),
        "closed_since": selectors.unit_closed_since(unit),
        "can_edit": can_change,
        "is_leaf_kind": unit.kind in services.CREATABLE_KINDS,
        "map_data": {"points": points} if points else None,
        **_children_context(request, unit),
    }
    context["has_children"] = context["children_page"].paginator.count > 0 or bool(
        context["children_total"]
    )
    context.update(_history_actions(request.user, unit))
    return render(request, "orgunits/detail.html", context)


def _history_actions(user: Any, unit: OrgUnit) -> dict[str, bool]:
    """Which history a user may record on a closed pre-reform commune or village."""
    if unit.is_current or unit.kind not in (UnitKind.COMMUNE, UnitKind.VILLAGE):
        return {}
    return {
        "can_record_activities_history": history.can_record(
            user, permissions.RECORD_ACTIVITIES, unit
        ),
        "can_designate_history": unit.kind == UnitKind.COMMUNE
        and history.can_record(user, permissions.MANAGE_HOTSPOTS, unit),
    }


@login_required
@require_GET
def unit_children(request: HttpRequest, code: str) -> HttpResponse:
    """Return the children table of a unit page (htmx); without htmx, go to the page."""
    unit = selectors.unit_get(user=request.user, code=code)
    if not getattr(request, "htmx", False):
        query = request.GET.urlencode()
        return redirect(f"{reverse('orgunits:detail', args=[unit.code])}?{query}#children")
    return render(request, "orgunits/_children_table.html", _children_context(request, unit))


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest, code: str) -> HttpResponse:
    """Add a village or an establishment to an open commune."""
    commune = _commune_to_add_to(request, code)
    kind = request.GET.get("kind", UnitKind.VILLAGE)
    if kind not in services.CREATABLE_KINDS:
        kind = UnitKind.VILLAGE
    form = UnitCreateForm(
        request.POST if request.method == "POST" else None, kind=kind, commune=commune
    )

    def next_url(unit: OrgUnit) -> str:
        if "add_another" in request.POST:
            url = reverse("orgunits:create", args=[commune.code])
            return f"{url}?{querystring(kind=unit.kind)}"
        return reverse("orgunits:detail", args=[unit.code])

    return form_view(
        request,
        form,
        services.orgunit_create,
        template="orgunits/form.html",
        context={
            "unit": commune,
            "mode": "create",
            "kind": form.kind_value,
            "ancestors": selectors.unit_ancestors(commune, user=request.user),
        },
        arguments=lambda data: {
            "parent": commune,
            **{k: data[k] for k in CREATE_FIELDS},
            "former_parent": data.get("former_parent"),
            "successor": data.get("successor"),
        },
        success_url=next_url,
        success_message=lambda unit: _("Đã thêm “%(name)s”.") % {"name": unit.name},
        not_found_message=selectors.not_found_message(),
    )


CREATE_FIELDS = (
    "kind",
    "subkind",
    "name",
    "latitude",
    "longitude",
    "population",
    "households",
    "address",
    "note",
)


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit a unit's editable fields; villages and establishments may also be closed here."""
    unit = _unit_to_change(request, code)
    return form_view(
        request,
        UnitEditForm(request.POST if request.method == "POST" else None, unit=unit),
        services.orgunit_update,
        template="orgunits/form.html",
        context=_edit_context(request, unit, UnitCloseForm()),
        arguments=lambda data: {"unit": unit, **data},
        success_url=lambda saved: reverse("orgunits:detail", args=[saved.code]),
        success_message=_("Đã lưu thay đổi."),
        not_found_message=selectors.not_found_message(),
    )


def _edit_context(request: HttpRequest, unit: OrgUnit, close_form: UnitCloseForm) -> dict[str, Any]:
    return {
        "unit": unit,
        "close_form": close_form,
        "mode": "edit",
        "can_close": unit.kind in services.CREATABLE_KINDS and unit.is_current,
        "ancestors": selectors.unit_ancestors(unit, user=request.user),
    }


@login_required
@require_POST
def unit_close(request: HttpRequest, code: str) -> HttpResponse:
    """Close a village or establishment (it stays in history, never deleted)."""
    unit = _unit_to_change(request, code)
    if unit.kind not in services.CREATABLE_KINDS:
        raise not_found(selectors.not_found_message())
    close_form = UnitCloseForm(request.POST)
    if close_form.is_valid():
        ok, _closed = call_service(
            close_form,
            services.orgunit_close,
            not_found_message=selectors.not_found_message(),
            actor=current_user(request),
            unit=unit,
            valid_to=close_form.cleaned_data["valid_to"],
        )
        if ok:
            messages.success(request, _("Đã ghi nhận “%(name)s” giải thể.") % {"name": unit.name})
            return redirect("orgunits:detail", code=unit.code)
    context = {"form": UnitEditForm(unit=unit), **_edit_context(request, unit, close_form)}
    return render(request, "orgunits/form.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def unit_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a spreadsheet of villages/establishments; all rows are saved or none."""
    commune = _unit_to_change(request, code, commune_only=True)
    detail_url = reverse("orgunits:detail", args=[commune.code])
    return import_view(
        request,
        ImportForm,
        functools.partial(excel.import_units, commune=commune),
        template="orgunits/import.html",
        context=lambda: {
            "unit": commune,
            "columns": excel.COLUMNS,
            "max_rows": excel.MAX_ROWS,
            "cancel_url": detail_url,
            "ancestors": selectors.unit_ancestors(commune, user=request.user),
        },
        success_url=detail_url,
        success_message=lambda result: (
            ngettext("Đã nhập %(count)s đơn vị.", "Đã nhập %(count)s đơn vị.", len(result.created))
            % {"count": len(result.created)}
        ),
        not_found_message=selectors.not_found_message(),
    )


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def unit_import_template(request: HttpRequest, code: str) -> HttpResponse:
    """Download the import template for this commune."""
    commune = _unit_to_change(request, code, commune_only=True)
    return _xlsx_response(excel.template_workbook(commune), f"mau-nhap-don-vi-{commune.code}.xlsx")


@login_required
@require_GET
def unit_export(request: HttpRequest, code: str) -> HttpResponse:
    """Download the unit's children (as filtered on the page) as an Excel file."""
    unit = selectors.unit_get(user=request.user, code=code)
    form = ChildSearchForm(request.GET or None)
    q, kind = "", ""
    if form.is_bound and form.is_valid():
        q, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    children = selectors.unit_children(
        user=request.user, unit=unit, q=q or None, kind=kind or None, with_former=True
    )
    content = excel.export_workbook(children.iterator(chunk_size=1000), unit.name)
    return _xlsx_response(content, f"don-vi-truc-thuoc-{unit.code}.xlsx")
