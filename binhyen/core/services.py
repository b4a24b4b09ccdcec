"""Writes shared by every app: the audit trail, and the jobs of large exports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from binhyen.core.actors import Actor
from binhyen.core.models import AuditEvent, ExportJob


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
    actor: Actor | None,
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


# --- large exports (binhyen/core/exports.py) -------------------------------------------------


@transaction.atomic
def export_job_create(*, actor: Actor, path: str, language: str) -> ExportJob:
    """Record a request for a large export of the page ``path``; a worker builds it.

    The caller (``binhyen.core.exports.export_offload``) enqueues the task when the
    transaction commits, so a worker never looks for a job that is not stored yet.
    """
    job = ExportJob(user=actor, path=path[:2000], language=language[:10])
    job.full_clean()
    job.save()
    audit_event_record(actor=actor, action="export.request", obj=job, after={"path": job.path})
    return job


@transaction.atomic
def export_job_finish(
    *, actor: Actor, job: ExportJob, file: str = "", filename: str = "", rows: int = 0
) -> ExportJob:
    """Mark ``job`` done with its stored file, or failed when ``file`` is empty."""
    job.status = ExportJob.Status.DONE if file else ExportJob.Status.FAILED
    job.file = file
    job.filename = filename[:200]
    job.rows = rows
    job.finished_at = timezone.now()
    job.full_clean()
    job.save()
    audit_event_record(
        actor=actor, action=f"export.{job.status}", obj=job, after={"filename": job.filename}
    )
    return job


@transaction.atomic
def export_jobs_prune(*, actor: Actor | None, older_than: timedelta) -> int:
    """Delete export jobs (and their files) created more than ``older_than`` ago."""
    from django.core.files.storage import default_storage

    old = list(ExportJob.objects.filter(created_at__lt=timezone.now() - older_than))
    for job in old:
        if job.file:
            default_storage.delete(job.file)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    if old:
        audit_event_record(actor=actor, action="export.prune", after={"deleted": len(old)})
    return len(old)
