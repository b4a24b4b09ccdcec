"""The REST API at /api/v1: one NinjaAPI, JSON errors everywhere, OpenAPI at /api/v1/docs.

Errors a service raises are answered by the core kit (``binhyen.core.api_kit``): refusals and
missing records 404, invalid input 400 naming the field; operations do not catch them.

The published document is the contract: every status an operation can answer is in it. The
statuses the API itself answers for any operation (401 without valid credentials, 422 for
parameters or a body off their schema, 400 for a body that is not JSON) are added here, once,
to every operation they apply to; each router documents the statuses of its own logic.

No text reaches an operation with a NUL character (PostgreSQL cannot store one): a parameter
or a body field carrying one is refused with 422 naming it, before the operation runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from binhyen.accounts.api_auth import API_AUTH
from binhyen.core import idempotency
from binhyen.core.api_kit import error_body, register_error_handlers
from binhyen.core.middleware import unavailable_response

ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}
UNPARSABLE_BODY = "Cannot parse request body"


def _error_response(description: str) -> dict[str, object]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


def document_common_errors(schema: OpenAPISchema) -> OpenAPISchema:
    """Add the statuses every operation may answer whatever its router says."""
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            responses = operation["responses"]
            if operation.get("security"):
                responses.setdefault(401, _error_response("Missing or invalid credentials"))
            if "requestBody" in operation:
                responses.setdefault(400, _error_response("The body could not be read"))
            if "requestBody" in operation or operation.get("parameters"):
                responses.setdefault(
                    422, _error_response("A parameter or the body does not match its schema")
                )
    return schema


class BinhYenAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, object] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_common_errors(schema)


api = BinhYenAPI(
    title="Bình Yên API",
    version="1",
    description=(
        "API of Bình Yên, the management system of the All-People National Security "
        "Protection movement. Authenticate with `Authorization: Bearer <token>` "
        "(tokens are created on the account page) or a signed-in browser session. "
        "Any write may carry `Idempotency-Key` (8–100 of `A-Za-z0-9._:-`): it is accepted once "
        "per user, and a retry gets the first answer again (`Idempotent-Replayed: true`). "
        "An edit may carry `If-Match: <version>`: a record changed since answers 409 with its "
        "current values."
    ),
    auth=API_AUTH,
    urls_namespace="api",
)


def _error(
    request: HttpRequest, status: int, message: str, field: str | None = None, **extra: object
) -> HttpResponse:
    return api.create_response(request, error_body(message, field, **extra), status=status)


register_error_handlers(api)


@api.exception_handler(NinjaValidationError)
def request_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(loc) or None, "message": err.get("msg", "")})
    first = errors[0] if errors else {"field": None, "message": _("Dữ liệu không hợp lệ.")}
    return _error(request, 422, str(first["message"]), first["field"], errors=errors)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("Cần đăng nhập hoặc mã truy cập API hợp lệ."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith(UNPARSABLE_BODY):
        # django-ninja's own words, in English and with the parser's detail under DEBUG
        return _error(request, 400, _("Nội dung gửi lên không đọc được: cần JSON hợp lệ."))
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Answer 503 with Retry-After while the database is unreachable: nothing was stored."""
    return unavailable_response(request)


def _nul_at(value: Any, loc: tuple[str, ...]) -> tuple[str, ...] | None:
    """The location of the first text holding a NUL character in a parsed input, if any."""
    if isinstance(value, str):
        return loc if "\x00" in value else None
    items: Any = ()
    if isinstance(value, BaseModel):
        items = ((name, getattr(value, name)) for name in type(value).model_fields)
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple | set | frozenset):
        items = enumerate(value)
    for key, item in items:
        found = _nul_at(key, (*loc, str(key))) or _nul_at(item, (*loc, str(key)))
        if found:
            return found
    return None


def refuse_nul_characters(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse parsed input holding a NUL character: 422 naming the field, nothing run."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():
            # A schema's fields are named on their own; a plain parameter by its name.
            found = _nul_at(value, () if isinstance(value, BaseModel) else (name,))
            if found is not None:
                message = _("Không được chứa ký tự NUL.")
                raise NinjaValidationError([{"loc": found, "msg": message, "type": "nul"}])
        return view(request, *args, **kwargs)

    return checked


api.add_decorator(refuse_nul_characters)
# Exactly-once writes (header Idempotency-Key): one transaction around the whole operation,
# the key claimed once the caller is known, the first answer stored with the write.
api.add_decorator(idempotency.guard, mode="view")
api.add_decorator(idempotency.claim)
api.add_router("/accounts", "binhyen.accounts.api.router")
api.add_router("/webhooks", "binhyen.accounts.api_webhooks.router")
api.add_router("/orgunits", "binhyen.orgunits.api.router")
api.add_router("/", "binhyen.indicators.api.router")
api.add_router("/tips", "binhyen.tips.api.router")
api.add_router("/activities", "binhyen.activities.api.router")
api.add_router("/hotspots", "binhyen.hotspots.api.router")
api.add_router("/community", "binhyen.community.api.router")
api.add_router("/programs", "binhyen.programs.api.router")
api.add_router("/cases", "binhyen.cases.api.router")
api.add_router("/documents", "binhyen.documents.api.router")
api.add_router("/targets", "binhyen.targets.api.router")
api.add_router("/awards", "binhyen.awards.api.router")
api.add_router("/ops", "binhyen.core.api.router")
api.add_router("/notifications", "binhyen.core.api_notifications.router")
# API twins of page actions, one module per app
api.add_router("/", "binhyen.indicators.api_reports.router")
api.add_router("/", "binhyen.indicators.api_history.router")
api.add_router("/", "binhyen.indicators.api_lineage_notes.router")
api.add_router("/orgunits", "binhyen.orgunits.api_import.router")
api.add_router("/orgunits", "binhyen.orgunits.api_shares.router")
api.add_router("/orgunits", "binhyen.orgunits.api_population.router")
api.add_router("/activities", "binhyen.activities.api_files.router")
api.add_router("/accounts", "binhyen.accounts.api_users.router")
api.add_router("/hotspots", "binhyen.hotspots.api_files.router")
