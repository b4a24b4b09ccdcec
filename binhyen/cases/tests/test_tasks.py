from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from binhyen.cases import services
from binhyen.cases.tasks import cases_anonymise_expired, cases_metrics_sync
from binhyen.cases.tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_the_jobs_are_scheduled():
    jobs = {job_id: path for job_id, path, _cron in settings.SCHEDULER_JOBS}
    assert jobs["cases_retention"] == "binhyen.cases.tasks.cases_anonymise_expired"
    assert jobs["cases_metrics_sync"] == "binhyen.cases.tasks.cases_metrics_sync"


@override_settings(CASES_RETENTION_DAYS=10)
def test_retention_leaves_open_cases_alone(scene):
    today = timezone.localdate()
    open_one = open_case(
        scene.commune_chief,
        scene.commune,
        opened_on=today - timedelta(days=400),
        release_date=today - timedelta(days=401),
    )
    closed = open_case(scene.commune_chief, scene.commune, full_name="Đỗ Văn Hải")
    services.case_close(
        actor=scene.commune_chief,
        case=closed,
        closed_on=today - timedelta(days=11),
        reason="settled",
    )
    assert cases_anonymise_expired.enqueue().return_value == 1
    open_one.refresh_from_db()
    closed.refresh_from_db()
    assert open_one.full_name and not open_one.is_anonymised
    assert closed.is_anonymised and closed.helpers.filter(name__gt="").count() == 0


def test_the_daily_sync_runs(scene):
    open_case(scene.commune_chief, scene.commune)
    assert cases_metrics_sync.enqueue().return_value >= 0
