"""Background tasks of the documents app (Django Tasks API)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from binhyen.documents import services
from binhyen.documents.models import RenderJob


@task()
def render_job_run(job_id: str) -> str:
    """Build the file of a render job (see ``binhyen.documents.jobs``)."""
    from binhyen.documents.jobs import job_build

    job = RenderJob.objects.select_related("user", "document", "orgunit").filter(pk=job_id).first()
    if job is None or job.finished:
        return "gone"
    return job_build(job).status


def render_job_start(**kwargs: Any) -> RenderJob:
    """Record a render job (``services.render_job_create``) and enqueue it once it is stored."""
    job = services.render_job_create(**kwargs)
    job_id = str(job.pk)
    transaction.on_commit(lambda: render_job_run.enqueue(job_id))
    return job
