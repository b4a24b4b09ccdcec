"""Background task of the history import (Django Tasks API): one task per uploaded file."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from binhyen.indicators import history_import
from binhyen.indicators.models import HistoryImport


@task()
def history_import_run(job_id: str) -> str:
    """Run one history import job (see ``binhyen.indicators.history_import``)."""
    job = HistoryImport.objects.select_related("user", "source").filter(pk=job_id).first()
    if job is None or job.finished:
        return "gone"
    return str(history_import.history_job_run(job).status)


def history_import_start(**kwargs: Any) -> HistoryImport:
    """Store the upload, record the job and enqueue it once the job is committed."""
    job = history_import.history_job_create(**kwargs)
    job_id = str(job.pk)
    transaction.on_commit(lambda: history_import_run.enqueue(job_id))
    return job
