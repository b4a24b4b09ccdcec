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

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from binhyen.community import permissions as community_perms
from binhyen.community import selectors
from binhyen.community.forms import (
    CommuneChoiceForm,
)
from binhyen.core import web
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.orgunits.models import OrgUnit, UnitKind

RECORD_CHILD_KINDS = (UnitKind.VILLAGE, UnitKind.ESTABLISHMENT)
T = TypeVar("T")
P = TypeVar("P")  # what a move plan returns


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
            raise web.not_found()
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
    communes = selectors.manageable_communes(user=request.user, history=True)
    if not communes:
        raise web.not_found()
    form = CommuneChoiceForm(communes=communes)
    return render(
        request,
        "community/choose_commune.html",
        {"form": form, "title": title, "action": reverse(url_name)},
    )


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _form_context(
    *,
    title: str,
    cancel_url: str,
    intro: str = "",
    multipart: bool = False,
    submit_label: str = "",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "title": title,
        "cancel_url": cancel_url,
        "intro": intro,
        "multipart": multipart,
        "submit_label": submit_label or _("Lưu"),
        **extra,
    }


def _form(
    request: HttpRequest,
    form: Any,
    service: Callable[..., T],
    *,
    arguments: Callable[[dict[str, Any]], Mapping[str, Any]],
    success_url: str | Callable[[T], str],
    success_message: str | Callable[[T], str],
    **context: Any,
) -> HttpResponse:
    """Serve a community form page running one service (``web.form_view``, our template)."""
    return web.form_view(
        request,
        form,
        service,
        template="community/form.html",
        context=_form_context(**context),
        arguments=arguments,
        success_url=success_url,
        success_message=success_message,
    )


def _carry_forward(
    request: HttpRequest,
    obj: Any,
    *,
    may_try: Callable[[Any, Any], bool],
    plan: Callable[[], P],
    allowed: Callable[[Any, P], bool],
    service: Callable[..., Any],
    back_url: str,
    intro: Callable[[P], str],
    success_message: str,
) -> HttpResponse:
    """Serve the page that confirms and moves ``obj`` (a team, a scheme) onto successor units.

    A user who may not even try (``may_try(actor, obj)``) gets a 404; otherwise
    ``web.move_confirm_view`` with the community form page, titled by ``obj.name``.
    """
    actor = web.current_user(request)
    if not may_try(actor, obj):
        raise web.not_found()
    return web.move_confirm_view(
        request,
        plan=plan,
        allowed=lambda planned: allowed(actor, planned),
        service=service,
        obj=obj,
        template="community/form.html",
        back_url=back_url,
        context=lambda planned: _form_context(
            title=_("Chuyển “%(name)s” sang đơn vị mới") % {"name": obj.name},
            intro=intro(planned),
            submit_label=_("Chuyển sang đơn vị mới"),
            cancel_url=back_url,
        ),
        success_message=success_message,
    )
