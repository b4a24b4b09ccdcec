"""Exactly-once writes through the API: the ``Idempotency-Key`` header and record versions.

A client that may lose the answer to a write (the field app's outbox, sending from a village
with a weak signal) sends a key of its own making with every write. The API accepts each key
once per user:

- the first request with a key claims it (a row unique per user and key) in the transaction
  of the write itself, and the answer (status, body) is stored in that same transaction, so a
  committed write always has its stored answer and a rolled-back one leaves no claim;
- a retry with the same key (the answer was lost) gets the stored answer again, marked
  ``Idempotent-Replayed: true``, and nothing is written twice;
- a concurrent duplicate waits on the unique row until the first commits, then gets the
  stored answer (or, if the first failed, runs as a first request);
- an answer with an error status (4xx: bad input, a conflict) is not stored: nothing was
  written, so the client may correct the entry and send it again with the same key;
- a key reused for another method or path is refused (422 naming ``Idempotency-Key``).

Writes without the header behave as before. Stored answers are kept
``IDEMPOTENCY_KEEP_DAYS`` days (``idempotency_purge``).

Versions (``If-Match``): an edit may carry the version of the record it started from (the
record's ``version`` as read, its update time); when the record has changed since, the
operation answers 409 with the record's current values and writes nothing
(``version_conflict``), so no edit silently overwrites another.

This module imports nothing from the project (``core.models`` re-exports the model).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema

HEADER = "Idempotency-Key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


class IdempotencyRecord(models.Model):
    """One accepted key of one user, with the answer the first request got."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(gettext_lazy("khóa"), max_length=100)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        app_label = "core"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def replay(self) -> HttpResponse:
        response = HttpResponse(
            bytes(self.body), status=self.status or 200, content_type=self.content_type or None
        )
        response["Idempotent-Replayed"] = "true"
        return response


def _key(request: HttpRequest) -> str | None:
    if request.method not in WRITE_METHODS:
        return None
    return request.headers.get(HEADER)


def _refusal(message: str, status: int = 422) -> JsonResponse:
    return JsonResponse(
        {"message": message, "field": HEADER, "errors": [{"field": HEADER, "message": message}]},
        status=status,
    )


def guard(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a whole API operation (ninja ``mode="view"``) in one transaction.

    The claim (``claim``) happens inside it once the caller is authenticated; here the answer
    is stored with the claim, or everything is rolled back when the answer is an error.
    """

    @functools.wraps(run)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _key(request)
        if key is None:
            return run(request, *args, **kwargs)
        if not KEY_PATTERN.match(key):
            return _refusal(
                _("Khóa chống gửi trùng phải có 8–100 ký tự chữ, số, dấu chấm, gạch hoặc hai chấm.")
            )
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            record: IdempotencyRecord | None = getattr(request, "_idempotency_record", None)
            if record is None:
                return response  # replayed, refused, or never reached the operation
            if response.status_code >= 400:
                transaction.set_rollback(True)  # nothing kept: the key may be used again
                return response
            # A streamed answer (a file) is not kept: a retry gets 200 with an empty body.
            content = b"" if response.streaming else response.content
            record.status = response.status_code
            record.content_type = response.get("Content-Type", "")
            record.body = content
            record.save(update_fields=["status", "content_type", "body"])
        return response

    return guarded


def claim(view: Callable[..., Any]) -> Callable[..., Any]:
    """Claim the request's key for its user before the operation runs (ninja ``mode="operation"``).

    A key already claimed answers the stored answer; a concurrent claim waits on the unique
    row of the first one (inside ``guard``'s transaction) and then reads its stored answer.
    """

    @functools.wraps(view)
    def claimed(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = _key(request)
        user = getattr(request, "user", None)
        if key is None or user is None or not user.is_authenticated:
            return view(request, *args, **kwargs)
        path = request.path[:500]
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, method=request.method or "", path=path
                )
        except IntegrityError:
            stored = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if stored is None or stored.status is None:
                return _refusal(_("Yêu cầu cùng khóa đang được xử lý, hãy gửi lại sau."), 409)
            if stored.method != request.method or stored.path != path:
                return _refusal(_("Khóa chống gửi trùng này đã được dùng cho một thao tác khác."))
            return stored.replay()
        request._idempotency_record = record  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return claimed


def idempotency_purge(*, now: Any = None) -> int:
    """Delete the stored answers older than ``IDEMPOTENCY_KEEP_DAYS`` days; return how many."""
    days = getattr(settings, "IDEMPOTENCY_KEEP_DAYS", 30)
    limit = (now or timezone.now()) - timedelta(days=days)
    deleted, _rows = IdempotencyRecord.objects.filter(created_at__lt=limit).delete()
    return deleted


# --- versions ----------------------------------------------------------------------------------


class VersionConflictOut(Schema):
    """The 409 answer to an edit started from an older version: the record as it is now."""

    message: str
    field: str | None = None
    version: str
    current: dict[str, Any]


def version_of(record: Any) -> str:
    """The version of a record as clients carry it: its update time, to the microsecond."""
    return str(record.updated_at.isoformat()) if record.updated_at else ""


def version_conflict(
    request: HttpRequest, record: Any, current: dict[str, Any]
) -> JsonResponse | None:
    """Answer 409 with ``current`` when the request's ``If-Match`` names an older version.

    No header: no check (clients that do not carry versions behave as before).
    """
    sent = request.headers.get("If-Match")
    if not sent:
        return None
    sent = sent.strip().removeprefix("W/").strip('"')
    if sent == version_of(record):
        return None
    body = {
        "message": _("Bản ghi đã được người khác thay đổi sau khi bạn mở nó: hãy chọn giá trị."),
        "field": "If-Match",
        "version": version_of(record),
        "current": current,
    }
    return JsonResponse(json.loads(json.dumps(body, default=str)), status=409)
