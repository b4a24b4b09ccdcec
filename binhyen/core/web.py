"""What every page needs around its one service call: paging, links, the user, 404s, forms.

Invariants:
- Missing and forbidden look the same: a service's ``PermissionDenied`` or a model's
  ``DoesNotExist`` met while serving a form becomes the 404 of ``not_found``.
- A form page answers 200 on GET, 400 when the POST is invalid or the service refuses the
  input (its ``ValidationError`` shown on the form, nothing saved), and redirects with one
  success message when the service succeeded.
- A view calls exactly one service per request.

The kit::

    paginate(request, items, *, per_page=None) -> Page
    querystring(**params) -> str
    current_user(request) -> Actor
    not_found(message=None, *, field=None) -> NotFound   # raise it
    call_or_404(fn, /, *, not_found_message=None, **kwargs) -> result of fn
    call_service(form, service, /, **kwargs) -> ServiceOutcome(ok, result)
    form_view(request, form, service, *, template, success_url, context=None,
              arguments=None, success_message="", not_found_message=None) -> HttpResponse
    import_view(request, form_class, run, *, template, context, success_url,
                success_message, not_found_message=None) -> HttpResponse
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, NamedTuple, TypeVar, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.forms import add_service_errors
from binhyen.core.tabular import ImportResult

T = TypeVar("T")


def paginate(request: HttpRequest, items: Any, *, per_page: int | None = None) -> Page:
    """Return the page of ``items`` named by ``?page=`` (the last one when out of range).

    ``per_page`` defaults to ``settings.PAGE_SIZE``. Example::

        page = paginate(request, selectors.scheme_list(user=user))
    """
    size = per_page or int(getattr(settings, "PAGE_SIZE", 25))
    return Paginator(items, size).get_page(request.GET.get("page"))


def querystring(**params: Any) -> str:
    """Return the URL query of the filters that are set (empty, None and False are left out).

    Example: ``querystring(q="hà", status="", unit=None, page=2)`` is ``"q=h%C3%A0&page=2"``.
    """
    return urlencode({k: v for k, v in params.items() if v not in (None, "", False)})


def current_user(request: HttpRequest) -> Actor:
    """Return the signed-in user of a page behind ``login_required``, typed as the actor."""
    return cast(Actor, request.user)


class NotFound(Http404):
    """The 404 of a missing or forbidden record; ``field`` names the input that pointed at it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def default_not_found_message() -> str:
    """Return the message of a 404 when the app has none of its own."""
    return _("Không tìm thấy hoặc bạn không có quyền xem.")


def not_found(message: str | None = None, *, field: str | None = None) -> NotFound:
    """Return (for ``raise``) the one 404 for missing and forbidden records alike.

    Example: ``raise not_found(selectors.not_found_message(), field="unit")``; the API answers
    ``{"message": ..., "field": "unit"}`` with status 404.
    """
    return NotFound(message or default_not_found_message(), field)


def call_or_404(
    fn: Callable[..., T], /, *, not_found_message: str | None = None, **kwargs: Any
) -> T:
    """Call one service outside a form (a button's POST): a refusal or a missing record is 404.

    Example: ``call_or_404(services.enrollment_submit, actor=user, enrollment=enrollment)``.
    """
    try:
        return fn(**kwargs)
    except (PermissionDenied, ObjectDoesNotExist) as exc:
        raise not_found(not_found_message) from exc


class ServiceOutcome(NamedTuple, Generic[T]):
    """Whether a form's service succeeded, and what it returned (None when it did not)."""

    ok: bool
    result: T | None


def call_service(
    form: forms.BaseForm,
    service: Callable[..., T],
    /,
    *,
    not_found_message: str | None = None,
    **kwargs: Any,
) -> ServiceOutcome[T]:
    """Run ``service(**kwargs)`` for a form: refusals are 404, bad input goes on the form.

    ``PermissionDenied`` and ``ObjectDoesNotExist`` raise ``not_found(not_found_message)``;
    a ``ValidationError`` is put on ``form`` (``add_service_errors``) and the outcome is not ok.
    Example::

        ok, member = call_service(form, services.team_member_add, actor=user, team=team,
                                  **form.cleaned_data)
    """
    try:
        return ServiceOutcome(True, service(**kwargs))
    except (PermissionDenied, ObjectDoesNotExist) as exc:
        raise not_found(not_found_message) from exc
    except ValidationError as exc:
        add_service_errors(form, exc)
        return ServiceOutcome(False, None)


def form_view(
    request: HttpRequest,
    form: forms.BaseForm,
    service: Callable[..., T],
    *,
    template: str,
    success_url: str | Callable[[T], str],
    context: Mapping[str, Any] | None = None,
    arguments: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
    success_message: str | Callable[[T], str] = "",
    not_found_message: str | None = None,
) -> HttpResponse:
    """Serve the GET/POST page of one form and one service.

    GET (any method but POST) renders ``template`` with ``{"form": form, **context}``. POST
    validates ``form``; when valid, calls ``service(actor=current_user(request), **args)``
    where ``args`` is ``arguments(form.cleaned_data)`` (default: the cleaned data itself).
    ``arguments`` may raise ``ValidationError`` (e.g. a code it cannot resolve): it goes on the
    form like the service's own. Success adds ``success_message`` (or its value for the
    result) and redirects to ``success_url`` (or its value for the result); otherwise the form
    is rendered again with status 400. ``PermissionDenied``/``DoesNotExist`` answer 404.

    Example::

        return form_view(
            request,
            TeamForm(request.POST or None, instance=team),
            services.team_update,
            template="community/form.html",
            context={"title": _("Sửa tổ"), "cancel_url": team_url},
            arguments=lambda data: {"team": team, **data},
            success_url=team_url,
            success_message=_("Đã lưu."),
        )
    """
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                args = dict(arguments(form.cleaned_data) if arguments else form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                ok, result = call_service(
                    form,
                    service,
                    not_found_message=not_found_message,
                    actor=current_user(request),
                    **args,
                )
                if ok:
                    done = cast(T, result)
                    text = success_message(done) if callable(success_message) else success_message
                    if text:
                        messages.success(request, text)
                    return redirect(success_url(done) if callable(success_url) else success_url)
    return render(request, template, {"form": form, **(context or {})}, status=status)


def move_confirm_view(
    request: HttpRequest,
    *,
    plan: Callable[[], Any],
    allowed: Callable[[Any], bool],
    service: Callable[..., T],
    obj: Any,
    template: str,
    back_url: str,
    context: Callable[[Any], Mapping[str, Any]],
    success_message: str,
    not_found_message: str | None = None,
) -> HttpResponse:
    """Serve the confirmation page of a one-step move of ``obj`` (e.g. onto successor units).

    ``plan()`` says what the move would do or raises ``ValidationError``: its messages are
    shown on ``back_url``. A user not ``allowed`` to make the planned move gets a 404. GET
    shows ``template`` with ``context(plan)``; POST runs ``service(actor=…, obj=obj)``.
    """
    try:
        planned = plan()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back_url)
    if not allowed(planned):
        raise not_found(not_found_message)
    return form_view(
        request,
        forms.Form(request.POST if request.method == "POST" else None),
        service,
        template=template,
        context={"cancel_url": back_url, **context(planned)},
        arguments=lambda data: {"obj": obj},
        success_url=back_url,
        success_message=success_message,
        not_found_message=not_found_message,
    )


def import_view(
    request: HttpRequest,
    form_class: type[forms.BaseForm],
    run: Callable[..., ImportResult[Any]],
    *,
    template: str,
    context: Callable[[], Mapping[str, Any]],
    success_url: str,
    success_message: Callable[[ImportResult[Any]], str],
    not_found_message: str | None = None,
) -> HttpResponse:
    """Serve the upload page of an all-or-nothing import (laid out by ``core/import_page.html``).

    GET renders ``template`` with ``form``, ``result`` None and ``context()``. A valid POST
    calls ``run(actor=current_user(request), upload=<the file>)``: when its result is ok, adds
    ``success_message(result)`` and redirects to ``success_url``; otherwise the page is rendered
    again with status 400 and ``result``, whose problems it lists. A ``PermissionDenied`` of
    ``run`` answers 404. Example::

        return import_view(
            request,
            ImportForm,
            functools.partial(excel.import_units, commune=commune),
            template="orgunits/import.html",
            context=lambda: {"unit": commune, "columns": excel.COLUMNS, ...},
            success_url=reverse("orgunits:detail", args=[commune.code]),
            success_message=lambda result: _("Đã nhập %(count)s đơn vị.") % ...,
        )
    """
    result = None
    status = 200
    if request.method == "POST":
        status = 400
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = run(actor=current_user(request), upload=form.cleaned_data["file"])
            except PermissionDenied as exc:
                raise not_found(not_found_message) from exc
            if result.ok:
                messages.success(request, success_message(result))
                return redirect(success_url)
    else:
        form = form_class()
    return render(request, template, {"form": form, "result": result, **context()}, status=status)
