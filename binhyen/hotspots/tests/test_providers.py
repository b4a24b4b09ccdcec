"""The hotspot provider: counts per commune and regime, read at the end of each period."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from binhyen.hotspots import services
from binhyen.hotspots.providers import METRIC_CODES, HotspotMetricsProvider
from binhyen.hotspots.tests.factories import designate, province_scene
from binhyen.indicators import rollups
from binhyen.indicators.models import DataValue, Metric
from binhyen.indicators.periods import parse_period
from binhyen.indicators.providers import registry

pytestmark = pytest.mark.django_db


def _provided(code: str, period: str) -> dict[tuple[int, str], float]:
    return {
        (v.orgunit_id, v.option): v.value
        for v in HotspotMetricsProvider().values(metric_code=code, period=parse_period(period))
    }


def test_registered_with_its_metrics():
    # Given the migrated catalogue
    # Then the provider and each of its metrics are registered
    assert registry.get("hotspots.designations").metric_codes == METRIC_CODES
    metrics = Metric.objects.filter(code__in=METRIC_CODES)
    assert {m.disaggregation.code for m in metrics if m.disaggregation} == {"hotspot_regime"}
    assert all(m.disaggregation_id for m in metrics)
    assert {m.period_kind for m in metrics} == {"year"}


def test_in_force_follows_decision_and_removal_dates():
    # Given designations decided and removed on known dates
    # Then the in-force metric counts each area only between its decision and its removal
    s = province_scene()
    d = designate(s.officer, s.communes[0], decision_date=date(2023, 12, 20), year=2024)
    services.designation_remove(
        actor=s.officer,
        designation=d,
        decision_number="1",
        decision_date=date(2025, 1, 10),
        issuing_body="UBND",
    )
    unit = s.communes[0].pk
    assert _provided("hotspots_in_force", "2022") == {}
    assert _provided("hotspots_in_force", "2023") == {(unit, "transformation"): 1.0}
    assert _provided("hotspots_in_force", "2024") == {(unit, "transformation"): 1.0}
    assert _provided("hotspots_in_force", "2025") == {}
    assert _provided("hotspots_designated", "2024") == {(unit, "transformation"): 1.0}
    assert _provided("hotspots_designated", "2023") == {}
    # list metrics are yearly only
    assert _provided("hotspots_designated", "2024M03") == {}


def test_closed_communes_get_no_values_after_they_closed():
    # Given a designated commune that closed
    # Then no value is published for it after its closing date
    s = province_scene()
    old = s.communes[1]
    designate(s.officer, old, decision_date=date(2024, 2, 1))
    old.valid_to = date(2024, 12, 31)
    old.save()
    assert _provided("hotspots_in_force", "2024") == {(old.pk, "transformation"): 1.0}
    assert _provided("hotspots_in_force", "2025") == {}


def test_the_daily_command_refreshes_overdue_tasks():
    # given a task whose deadline passes without any write
    s = province_scene()
    d = designate(s.officer, s.communes[0])
    task = services.plan_task_create(
        actor=s.officer, designation=d, title="Việc", owner="Xã", deadline=date(2024, 4, 1)
    )
    DataValue.objects.filter(metric__code="hotspot_tasks_overdue").delete()
    rollups.rebuild()  # the figures follow the removed values
    # when the daily refresh runs
    call_command("hotspots_metrics_sync", stdout=io.StringIO())
    # then the overdue count is published again for this year
    assert DataValue.objects.filter(metric__code="hotspot_tasks_overdue", value=1).exists()
    assert task.is_overdue()


def test_a_write_publishes_the_latest_years_at_once_and_the_older_through_the_worker(
    settings, django_capture_on_commit_callbacks
):
    # Given one period of the state metrics re-published in the request of a write
    settings.HOTSPOTS_RESYNC_MAX_PERIODS = 1
    s = province_scene()
    this_year = timezone.localdate().year

    def in_force_years() -> set[str]:
        return set(
            DataValue.objects.filter(
                metric__code="hotspots_in_force", orgunit=s.communes[0], value=1
            ).values_list("period", flat=True)
        )

    # When an area designated in December 2019 is recorded
    with django_capture_on_commit_callbacks(execute=False) as queued:
        designate(s.officer, s.communes[0], decision_date=date(2019, 12, 20), year=2020)
    # Then only this year's figure is published before the answer
    assert in_force_years() == {str(this_year)}
    # And once the transaction commits, the worker publishes every year since 2019
    for callback in queued:
        callback()
    assert in_force_years() == {str(y) for y in range(2019, this_year + 1)}
