"""Shared pieces of the community pages: unit parameters, the commune chooser, the form page.

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
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from binhyen.community import excel, selectors
from binhyen.community import permissions as community_perms
from binhyen.community.forms import (
    CommuneChoiceForm,
    add_service_errors,
)
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
