"""Request ids and structured logs (``LOG_FORMAT=json``).

Invariants:
- Every response carries ``X-Request-ID``: the caller's (load balancer's) when it is a
  short token, else a new one; every log line written during the request carries it and the
  signed-in user's id.
- Log lines never carry request bodies, query strings, tip contents or personal data: the
  access line names the URL *pattern* (``tips/<int:pk>/``), never the path, and the filter
  drops the ``request`` object Django attaches to its own error lines.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_request: ContextVar[HttpRequest | None] = ContextVar("binhyen_request", default=None)
_request_id: ContextVar[str] = ContextVar("binhyen_request_id", default="")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_logger = logging.getLogger("binhyen.request")


def current_request_id() -> str:
    return _request_id.get()


def _user_id(request: HttpRequest | None) -> int | None:
    # Only a user the request has already loaded: logging must never cost a query.
    user = getattr(request, "_cached_user", None) if request is not None else None
    if user is not None and getattr(user, "is_authenticated", False):
        return int(user.pk)
    return None


class RequestIdMiddleware:
    """Give each request an id (``X-Request-ID``) and write one access line when it ends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token_request = _request.set(request)
        token_id = _request_id.set(request_id)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if access_logger.isEnabledFor(logging.INFO):
                match = getattr(request, "resolver_match", None)
                access_logger.info(
                    "request",
                    extra={
                        "method": request.method,
                        "route": match.route if match is not None else "",
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                    },
                )
            return response
        finally:
            _request.reset(token_request)
            _request_id.reset(token_id)


class RequestContextFilter(logging.Filter):
    """Add ``request_id`` and ``user_id`` to every record; drop the request object."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _request.get()
        record.request_id = _request_id.get()
        record.user_id = _user_id(request)
        if hasattr(record, "request"):
            # Django's request logger attaches the whole request (body, cookies, headers).
            delattr(record, "request")
        return True


def json_formatter(**kwargs: Any) -> logging.Formatter:
    """Return the JSON formatter of ``LOG_FORMAT=json`` (python-json-logger)."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "{asctime}{levelname}{name}{message}{request_id}{user_id}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
        **kwargs,
    )
