"""Writes shared by every app: the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models

from binhyen.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def audit_event_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    orgunit: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Record one audited action; call inside the service's transaction.

    ``actor`` may be ``None`` for system actions (imports, migrations) or an anonymous user.
    Only a short summary goes into ``changes``: never raw personal data of citizens.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    changes: dict[str, Any] = {}
    if before is not None:
        changes["before"] = _jsonable(before)
    if after is not None:
        changes["after"] = _jsonable(after)
    return AuditEvent.objects.create(
        actor=user,
        actor_label=(user.get_username() if user is not None else "system")[:150],
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        orgunit=orgunit,
        changes=changes,
        ip_address=ip_address,
    )


def model_snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """Return the named fields of ``obj`` as a JSON-safe dict for before/after summaries."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}
