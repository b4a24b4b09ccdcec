"""Large Excel exports leave the request: a worker builds them, the user downloads later.

An export view calls ``export_offload(request, queryset)`` first: above
``EXPORT_SYNC_MAX_ROWS`` rows it records an ``ExportJob`` and redirects to the job's page,
which polls (htmx) until the file is ready. The worker (``core.tasks.export_run``) calls the
*same view* with the same query string on behalf of the same user, so the file has exactly
the rows, scope and columns the page would have produced, and stores the response in the
default storage.

Invariants: a job is visible and downloadable only by its requester (others: 404); the
worker runs the view with the requester's permissions, never more; the request it builds
carries no cookies or headers of the original one.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import resolve
from django.utils import timezone, translation
from django_tasks import task

from binhyen.core.models import ExportJob
from binhyen.core.services import export_job_create, export_job_finish
from binhyen.core.web import current_user

logger = logging.getLogger(__name__)
_FILENAME = re.compile(r'filename="([^"]+)"')


def export_offload(request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
    """Return a redirect to a background export when ``queryset`` is large, else None."""
    if getattr(request, "export_job", None) is not None:
        return None  # this is the worker building the file
    if queryset.count() <= settings.EXPORT_SYNC_MAX_ROWS:
        return None
    job = export_job_create(
        actor=current_user(request),
        path=request.get_full_path(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    job_id = str(job.pk)
    transaction.on_commit(lambda: export_run.enqueue(job_id))
    return redirect("core:export", pk=job.pk)


@task()
def export_run(job_id: str) -> str:
    """Build the file of a large export (enqueued by ``export_offload`` once the job is stored)."""
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.finished:
        return "gone"
    return export_build(job).status


def _request_for(job: ExportJob) -> HttpRequest:
    parts = urlsplit(job.path)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = parts.path
    request.META = {
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
    }
    request.GET = QueryDict(parts.query)
    request.user = job.user
    request.export_job = job  # type: ignore[attr-defined]
    return request


def export_build(job: ExportJob) -> ExportJob:
    """Build ``job``'s file by running its export view for its user; store the result."""
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    request = _request_for(job)
    try:
        match = resolve(request.path_info)
        request.resolver_match = match
        with translation.override(job.language):
            response = match.func(request, *match.args, **match.kwargs)
        if response.status_code != 200 or response.streaming:
            raise ValueError(f"export view answered {response.status_code}")
        found = _FILENAME.search(response.get("Content-Disposition", ""))
        filename = found.group(1) if found else "export.xlsx"
        stamp = timezone.now().strftime("%Y%m%d")
        stored = default_storage.save(
            f"exports/{stamp}/{job.pk}/{filename}", ContentFile(response.content)
        )
    except Exception:
        logger.exception("export %s failed", job.pk)
        return export_job_finish(actor=job.user, job=job)
    return export_job_finish(actor=job.user, job=job, file=stored, filename=filename)
