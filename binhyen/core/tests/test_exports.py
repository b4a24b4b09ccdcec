"""Large exports: built by a worker, a polling page, a download for the requester only."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from binhyen.activities.tests.factories import commune_scene, outreach, record, surrender
from binhyen.core.models import AuditEvent, ExportJob
from binhyen.core.services import export_jobs_prune

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_SYNC_MAX_ROWS = 2
    scene = commune_scene()
    for _ in range(3):
        record(scene.officer, outreach(scene.commune))
    record(scene.officer, surrender(scene.commune, [("sung", 2)]))
    return scene


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_small_export_stays_in_the_request(client, s):
    # Given a filter matching fewer rows than the threshold
    client.force_login(s.officer)
    response = client.get(reverse("activities:export"), {"kind": "weapons_surrender"})
    # Then the file comes at once
    assert response.status_code == 200
    assert len(rows_of(response.content)) == 2
    assert not ExportJob.objects.exists()


def test_large_export_is_built_by_a_worker_and_downloaded(
    client, s, django_capture_on_commit_callbacks
):
    # Given four activities and a threshold of two rows
    client.force_login(s.officer)
    # When the officer asks for the whole list
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("activities:export"))
    # Then they are sent to the job's page, and the task (run in place in tests) built it
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:export", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.filename == "hoat-dong.xlsx"
    page = client.get(response["Location"]).content.decode()
    assert reverse("core:export_download", args=[job.pk]) in page
    assert "hx-trigger" not in page  # finished: no more polling
    # And the download has the same rows the page would have given
    download = client.get(reverse("core:export_download", args=[job.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert len(rows_of(body)) == 5
    assert AuditEvent.objects.filter(action="export.done", actor=s.officer).exists()


def test_pending_export_page_polls_with_htmx(client, s):
    # Given a job not built yet (no worker ran)
    job = ExportJob.objects.create(user=s.officer, path=reverse("activities:export"))
    client.force_login(s.officer)
    # When the page (and its htmx poll) is opened
    page = client.get(reverse("core:export", args=[job.pk])).content.decode()
    part = client.get(reverse("core:export", args=[job.pk]), HTTP_HX_REQUEST="true")
    # Then both poll every two seconds, the poll answers only the status part
    assert 'hx-trigger="every 2s"' in page
    assert 'hx-trigger="every 2s"' in part.content.decode()
    assert "<html" not in part.content.decode()
    # And there is nothing to download yet
    assert client.get(reverse("core:export_download", args=[job.pk])).status_code == 404


def test_export_job_is_404_for_other_users_and_login_for_anonymous(
    client, s, django_capture_on_commit_callbacks
):
    # Given a finished export of the officer
    client.force_login(s.officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("activities:export"))
    job = ExportJob.objects.get()
    urls = [reverse("core:export", args=[job.pk]), reverse("core:export_download", args=[job.pk])]
    # Then an officer of another commune gets 404 for both pages
    client.force_login(s.other_officer)
    assert [client.get(u).status_code for u in urls] == [404, 404]
    # And an anonymous visitor is sent to log in
    client.logout()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_worker_keeps_the_requesters_scope(client, s, django_capture_on_commit_callbacks):
    # Given the other commune's officer asks for the whole list (none of it is theirs)
    client.force_login(s.other_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("activities:export"))
    # Then nothing was offloaded (their list is empty) and the file has only the header
    assert response.status_code == 200
    assert len(rows_of(response.content)) == 1


def test_a_view_that_refuses_marks_the_job_failed(s):
    # Given a job whose page no longer exists for the user
    from binhyen.core.tasks import export_run

    job = ExportJob.objects.create(user=s.officer, path="/activities/999999/")
    # When the worker runs it
    result = export_run.enqueue(str(job.pk))
    # Then the job failed without a file
    job.refresh_from_db()
    assert result.return_value == ExportJob.Status.FAILED
    assert job.status == ExportJob.Status.FAILED and job.file == ""


def test_prune_deletes_old_jobs_and_their_files(s, django_capture_on_commit_callbacks, client):
    # Given a finished export made four days ago
    client.force_login(s.officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("activities:export"))
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=4))
    # When pruned to three days
    assert export_jobs_prune(actor=None, older_than=timedelta(days=3)) == 1
    # Then the row and the file are gone
    assert not ExportJob.objects.exists()
    assert not default_storage.exists(job.file)
