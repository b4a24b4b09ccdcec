"""Pages of the scheme-type catalogue of a province (and the national one).

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

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.community import permissions as community_perms
from binhyen.community import selectors, services
from binhyen.community.forms import (
    SchemeTypeForm,
)
from binhyen.community.views.base import _form
from binhyen.core import web
from binhyen.orgunits.models import OrgUnit

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
        raise web.not_found()
    return _form(
        request,
        SchemeTypeForm(request.POST or None, with_typical=province is not None),
        services.scheme_type_create,
        arguments=lambda data: {
            "province": province,
            "name": data["name"],
            "category": data["category"],
            "name_en": data["name_en"],
            "description": data["description"],
            "sort_order": data["sort_order"] or 0,
            "typical": bool(data.get("typical")),
        },
        success_url=_type_list_url(province),
        success_message=_("Đã thêm loại mô hình."),
        title=_("Thêm loại mô hình — %(scope)s")
        % {"scope": province.name if province else _("danh mục toàn quốc")},
        cancel_url=_type_list_url(province),
    )


def _type_list_url(province: OrgUnit | None) -> str:
    url = reverse("community:type_list")
    return f"{url}?{web.querystring(province=province.code)}" if province else f"{url}?province="


@login_required
@require_http_methods(["GET", "POST"])
def type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a type of the catalogue."""
    item = selectors.scheme_type_get(user=request.user, pk=pk)
    if not community_perms.can_manage_catalogue(request.user, item.province):
        raise web.not_found()
    return _form(
        request,
        SchemeTypeForm(request.POST or None, item=item),
        services.scheme_type_update,
        arguments=lambda data: {
            "scheme_type": item,
            "name": data["name"],
            "category": data["category"],
            "name_en": data["name_en"],
            "description": data["description"],
            "sort_order": data["sort_order"] or 0,
            "is_active": data["is_active"],
        },
        success_url=_type_list_url(item.province),
        success_message=_("Đã lưu thay đổi."),
        title=_("Sửa loại mô hình “%(name)s”") % {"name": item.label},
        cancel_url=_type_list_url(item.province),
    )


@login_required
@require_POST
def type_typical(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark or unmark a type as typical for the province given in the form."""
    item = selectors.scheme_type_get(user=request.user, pk=pk)
    province = _catalogue_province(request, source=request.POST)
    if province is None or not community_perms.can_manage_catalogue(request.user, province):
        raise web.not_found()
    typical = request.POST.get("typical") == "1"
    try:
        services.scheme_type_typical_set(
            actor=web.current_user(request), scheme_type=item, province=province, typical=typical
        )
    except PermissionDenied as exc:
        raise web.not_found() from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã cập nhật danh sách mô hình tiêu biểu."))
    return redirect(_type_list_url(province))
