"""What every API operation needs around its one service call: the user, pages, error answers.

Invariants (once ``register_error_handlers(api)`` has run on the NinjaAPI):
- ``PermissionDenied``, any model's ``DoesNotExist`` and ``Http404`` answer 404 with
  ``ErrorOut`` — missing and forbidden alike, so existence never leaks. The message is the
  ``Http404``'s own (``not_found(message, field=...)``) or the one shared message.
- A Django ``ValidationError`` answers 400 with ``ErrorOut`` naming the first field, and
  ``errors``: every ``{"field", "message"}`` pair, in order.
- A ``binhyen.core.errors.Conflict`` (a refusal about the record's state) answers 409 with the
  same body.
- An ``ImportRefused`` (raised by ``api_upload`` / ``api_import``) answers 400 with
  ``tabular.refusal``: every problem with its row and column.
So an operation just calls its service: no try/except around it.

The kit::

    register_error_handlers(api: NinjaAPI) -> None
    api_user(request) -> Actor
    not_found_as(field, message=None)   # context manager: a 404 inside names ``field``
    PageQuery                      # limit / offset query parameters (binhyen.core.schemas)
    api_page(items, page) -> {"count": int, "items": list}
    api_upload(file) -> UploadedFile     # the multipart file of an import; 400 when none/empty
    api_import(file, run) -> ImportResult  # run(upload) all or nothing; 400 lists the problems

Example::

    @router.get("/teams", response={200: TeamPageOut, 404: ErrorOut})
    def team_list(request, filters: Query[TeamQuery]):
        user = api_user(request)
        return api_page(selectors.team_list(user=user, q=filters.q), filters)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from binhyen.core import tabular
from binhyen.core.actors import Actor
from binhyen.core.errors import Conflict
from binhyen.core.schemas import PageQuery
from binhyen.core.web import default_not_found_message, not_found

__all__ = [
    "ImportRefused",
    "PageQuery",
    "api_import",
    "api_page",
    "api_upload",
    "api_user",
    "error_body",
    "not_found_as",
    "register_error_handlers",
]

T = TypeVar("T")
U = TypeVar("U", bound=UploadedFile)


def api_user(request: HttpRequest) -> Actor:
    """Return the caller: the API token's user, else the signed-in session's user."""
    return cast(Actor, getattr(request, "auth", None) or request.user)


def api_page(items: Any, page: PageQuery) -> dict[str, Any]:
    """Return ``{"count", "items"}`` of the ``page.limit`` items from ``page.offset`` on."""
    return {"count": items.count(), "items": list(items[page.offset : page.offset + page.limit])}


@contextmanager
def not_found_as(field: str | None, message: str | None = None) -> Iterator[None]:
    """Turn a refusal or a missing record inside the block into a 404 naming ``field``.

    The message is ``message`` when given, else the 404's own. Example::

        with not_found_as("unit", selectors.not_found_message()):
            unit = selectors.unit_get(user=user, code=filters.unit)
    """
    try:
        yield
    except (Http404, PermissionDenied, ObjectDoesNotExist) as exc:
        own = str(exc.args[0]) if isinstance(exc, Http404) and exc.args else None
        raise not_found(message or own, field=field) from exc


def error_body(message: str, field: str | None = None, **extra: object) -> dict[str, object]:
    """Return the body of every error answer: ``ErrorOut`` plus any ``extra`` keys."""
    body: dict[str, object] = {"message": message, "field": field}
    body.update(extra)
    return body


def validation_errors(exc: ValidationError) -> list[dict[str, str | None]]:
    """Return every ``{"field", "message"}`` pair of a Django ``ValidationError``, in order."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": str(msg)}
            for field, messages in exc.message_dict.items()
            for msg in messages
        ]
    return [{"field": None, "message": str(m)} for m in exc.messages]


class ImportRefused(Exception):
    """An all-or-nothing import refused: the API answers 400 with ``tabular.refusal``."""

    def __init__(self, problems: Sequence[tabular.ImportProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


def api_upload(file: U | None) -> U:
    """Return the multipart ``file`` of an import; refuse (400) none chosen or an empty one."""
    problems = tabular.upload_problems(file)
    if problems or file is None:
        raise ImportRefused(problems)
    return file


def api_import(
    file: U | None, run: Callable[[U], tabular.ImportResult[T]]
) -> tabular.ImportResult[T]:
    """Run ``run(upload)`` on the multipart ``file`` and return its result when it is ok.

    Refused with a 400 listing every problem (``ImportRefused``): no file or an empty one, a
    file that cannot be read (``tabular.ImportFileError``), rows a bulk service refused
    (``tabular.BulkValidationError``) and the problems of the result. Example::

        result = api_import(file, lambda upload: excel.import_units(
            actor=user, commune=commune, upload=upload))
        return Status(201, {"created": len(result.created)})
    """
    upload = api_upload(file)
    try:
        result = run(upload)
    except tabular.ImportFileError as exc:
        raise ImportRefused(exc.problems) from exc
    except tabular.BulkValidationError as exc:
        problems = [tabular.ImportProblem(e.row, e.field, e.message) for e in exc.row_errors]
        raise ImportRefused(problems) from exc
    if not result.ok:
        raise ImportRefused(result.problems)
    return result


def register_error_handlers(api: NinjaAPI) -> None:
    """Map the exceptions services raise to the API's answers (404, 400, 409), on ``api``."""

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, Http404):
            message = str(exc.args[0]) if exc.args else _("Không tìm thấy.")
        else:
            message = default_not_found_message()
        body = error_body(message, getattr(exc, "field", None))
        return api.create_response(request, body, status=404)

    def invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = validation_errors(exc)
        first = errors[0] if errors else {"field": None, "message": _("Dữ liệu không hợp lệ.")}
        body = error_body(str(first["message"]), first["field"], errors=errors)
        return api.create_response(request, body, status=409 if isinstance(exc, Conflict) else 400)

    def refused(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, tabular.refusal(exc.problems), status=400)

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, not_found)
    api.add_exception_handler(ObjectDoesNotExist, not_found)
    api.add_exception_handler(ValidationError, invalid)  # Conflict included (409)
    api.add_exception_handler(ImportRefused, refused)
