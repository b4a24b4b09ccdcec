"""Background tasks of the documents app (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task


@task()
def render_job_run(job_id: str) -> str:
    """Build the file of a render job (see ``binhyen.documents.jobs``)."""
    from binhyen.documents.jobs import job_build
    from binhyen.documents.models import RenderJob

    job = RenderJob.objects.select_related("user", "document", "orgunit").filter(pk=job_id).first()
    if job is None or job.finished:
        return "gone"
    return job_build(job).status
