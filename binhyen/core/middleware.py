"""Make Vietnamese the default language of pages, whatever the browser says.

Police workstations and phones often run English-language browsers; the product must still
open in Vietnamese. Pages therefore ignore ``Accept-Language`` and follow only the language
the user chose with the switch (the language cookie). The API keeps honouring
``Accept-Language`` so integrations can ask for English messages.

While the database is unreachable, pages and the API answer 503 with ``Retry-After`` instead
of 500. Invariant: a request that failed this way acknowledged nothing: the service raising
the error never returned, so nothing was shown as saved and the caller may safely resubmit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


class DefaultLanguageMiddleware:
    """Drop ``Accept-Language`` on page requests, before Django's ``LocaleMiddleware`` runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def unavailable_message() -> str:
    return _(
        "Hệ thống đang tạm gián đoạn nên yêu cầu của bạn CHƯA được thực hiện (chưa có gì được "
        "lưu). Vui lòng thử lại sau ít phút."
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """Return the 503 answer: JSON for the API and JSON clients, a short page otherwise."""
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        response: HttpResponse = JsonResponse(
            {"message": unavailable_message(), "field": None}, status=503
        )
    else:
        try:
            body: str = render_to_string(
                "core/unavailable.html", {"message": unavailable_message()}
            )
        except Exception:  # the page must not fail in turn (missing static manifest, etc.)
            body = f"<!doctype html><meta charset=utf-8><p>{unavailable_message()}</p>"
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost or refused database connection raised by a view into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.warning("database unavailable: %s", exception)
            return unavailable_response(request)
        return None
