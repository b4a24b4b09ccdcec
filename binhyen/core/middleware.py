"""Make Vietnamese the default language of pages, whatever the browser says.

Police workstations and phones often run English-language browsers; the product must still
open in Vietnamese. Pages therefore ignore ``Accept-Language`` and follow only the language
the user chose with the switch (the language cookie). The API keeps honouring
``Accept-Language`` so integrations can ask for English messages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class DefaultLanguageMiddleware:
    """Drop ``Accept-Language`` on page requests, before Django's ``LocaleMiddleware`` runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
