"""Health (public up/down, operator detail), the operations page and API, /metrics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from binhyen.accounts.tests.factories import UserFactory, login_verified, scene
from binhyen.core import health
from binhyen.core.models import ScheduledJob, SchedulerLease
from binhyen.core.scheduler import LEASE_NAME

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def operator(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    login_verified(client, user)
    return user


@pytest.fixture
def live_scheduler():
    now = timezone.now()
    SchedulerLease.objects.create(
        name=LEASE_NAME,
        holder="host:1:abc",
        acquired_at=now,
        heartbeat_at=now,
        expires_at=now + timedelta(seconds=60),
    )
    ScheduledJob.objects.create(
        job_id="tips_escalate",
        task_path="binhyen.tips.tasks.escalate_overdue_tips",
        cron="*/5 * * * *",
        last_run_at=now - timedelta(minutes=1),
        next_run_at=now + timedelta(minutes=4),
        last_status=ScheduledJob.Status.ENQUEUED,
    )


# --- /healthz -------------------------------------------------------------------------------


def test_healthz_is_public_and_says_only_up(client):
    # Given an anonymous caller, when it asks /healthz
    response = client.get(reverse("core:healthz"))
    # Then 200 with no detail beyond the status
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_503_when_a_readiness_check_fails(client, monkeypatch):
    # Given a database with migrations not applied
    from health_check.exceptions import ServiceUnavailable

    def broken(self):
        raise ServiceUnavailable("Connection Error")

    monkeypatch.setattr(health.MigrationsApplied, "run", broken)
    # Then /healthz is down, without saying why
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


# --- detailed health ------------------------------------------------------------------------


def test_health_detail_for_an_operator_lists_every_check(
    client, operator, live_scheduler, settings, tmp_path
):
    # Given the database queue and a live scheduler
    settings.TASKS = DB_TASKS
    settings.MEDIA_ROOT = tmp_path / "media"
    # When an operator opens the page
    response = client.get(reverse("core:health"))
    # Then every check is listed and all are OK
    assert response.status_code == 200, response.content.decode()[:2000]
    body = response.content.decode()
    for name in ("Database", "Cache", "MigrationsApplied", "Storage", "TaskQueue"):
        assert name in body
    assert "SchedulerHeartbeat" in body and "ReplicaLag" in body


def test_health_detail_reports_a_dead_scheduler_and_a_stuck_queue(client, operator, settings):
    # Given no scheduler and a task waiting for an hour
    from django_tasks_db.models import DBTaskResult

    from binhyen.tips.tasks import escalate_overdue_tips

    settings.TASKS = DB_TASKS
    result = escalate_overdue_tips.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(
        enqueued_at=timezone.now() - timedelta(hours=1)
    )
    # When an operator opens the page
    response = client.get(reverse("core:health"))
    # Then it is 503 and names both problems
    assert response.status_code == 503
    body = response.content.decode()
    assert "no scheduler has ever run" in body
    assert "oldest waiting task" in body


@pytest.mark.parametrize("url_name", ["core:health", "core:operations"])
def test_operator_pages_are_404_for_other_users_and_login_for_anonymous(client, url_name):
    # Given a province officer (signed in, verified) and an anonymous visitor
    s = scene()
    url = reverse(url_name)
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert reverse("accounts:login") in anonymous["Location"]
    login_verified(client, s.province_officer)
    # Then the officer gets 404 (the page does not exist for them)
    assert client.get(url).status_code == 404


def test_replica_lag_is_a_no_op_without_a_replica():
    # Given no "replica" database alias, then the check passes without a query
    assert health.run_checks([health.ReplicaLag()])[0].ok


# --- operations page and API ----------------------------------------------------------------


def test_operations_page_shows_jobs_lease_and_queue(client, operator, live_scheduler, settings):
    # Given the database queue with two waiting tasks
    from binhyen.tips.tasks import escalate_overdue_tips

    settings.TASKS = DB_TASKS
    escalate_overdue_tips.enqueue()
    escalate_overdue_tips.enqueue()
    # When an operator opens the page
    response = client.get(reverse("core:operations"))
    # Then the job with its cron, the live holder and the queue depth are shown
    assert response.status_code == 200
    body = response.content.decode()
    assert "tips_escalate" in body and "*/5 * * * *" in body
    assert "host:1:abc" in body
    assert 'data-testid="queue-depth">2<' in body


def test_api_status_for_operator_and_404_for_others(client, live_scheduler, settings):
    # Given the database queue
    settings.TASKS = DB_TASKS
    url = "/api/v1/ops/status"
    # Anonymous: 401 like every authenticated endpoint
    assert client.get(url).status_code == 401
    # An officer: 404
    s = scene()
    login_verified(client, s.province_officer)
    assert client.get(url).status_code == 404
    # An operator: the jobs, the scheduler and the queue
    operator = UserFactory(is_superuser=True, is_staff=True)
    login_verified(client, operator)
    data = client.get(url).json()
    assert data["scheduler"]["active"] is True
    assert data["jobs"][0]["job_id"] == "tips_escalate"
    assert data["queue"]["depth"] == 0


# --- /metrics -------------------------------------------------------------------------------


def test_metrics_need_the_token(client, settings, live_scheduler):
    # Given no token configured, then /metrics does not exist
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    # Given a token, a wrong one is 404 and the right one gets the metrics
    settings.METRICS_TOKEN = "s3cret-token"
    settings.TASKS = DB_TASKS
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_total_by_method_total" in text
    assert "binhyen_tasks_waiting 0.0" in text
    assert "binhyen_scheduler_heartbeat_age_seconds" in text
    assert 'binhyen_job_last_run_timestamp_seconds{job="tips_escalate"}' in text
