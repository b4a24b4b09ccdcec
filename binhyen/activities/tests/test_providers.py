"""The activity provider feeds the indicators engine: totals per commune, village and province."""

from __future__ import annotations

from datetime import date

import pytest

from binhyen.activities.models import ActivityKind, CameraOwnership
from binhyen.activities.providers import SPECS, ActivityMetricsProvider
from binhyen.activities.services import ActivityInput, Touched, activities_metrics_sync
from binhyen.activities.tests.factories import DAY, commune_scene, outreach, record, surrender
from binhyen.indicators import selectors as ind_selectors
from binhyen.indicators.models import DataValue, Metric, MetricSource
from binhyen.indicators.periods import parse_period
from binhyen.indicators.providers import registry

pytestmark = pytest.mark.django_db


def _value(user, code, unit, period, option=""):
    rows = ind_selectors.analytics(
        user=user,
        metric_codes=[code],
        unit_codes=[unit.code],
        period_codes=[period],
        compare=False,
        disaggregate=bool(option),
    ).rows
    return next(r.value for r in rows if r.option == option)


def test_provider_is_registered_for_every_metric_of_the_catalogue():
    # given the migrated catalogue
    provided = Metric.objects.filter(provider_key="activities.log")
    # then every spec has a provider metric and the registry knows the provider
    assert set(provided.values_list("code", flat=True)) == set(SPECS)
    assert all(m.source == MetricSource.PROVIDER for m in provided)
    assert registry.get("activities.log").metric_codes == tuple(SPECS)


def test_engine_returns_totals_for_commune_village_and_province():
    # given outreach on the commune and on a village, in two months
    s = commune_scene()
    record(s.officer, outreach(s.commune, participants=50))
    record(s.officer, outreach(s.villages[0], participants=30, date=date(2025, 4, 2)))
    viewer = s.province_officer
    # then the engine sums villages into the commune and communes into the province
    assert _value(viewer, "outreach_sessions", s.commune, "2025M03") == 1
    assert _value(viewer, "outreach_sessions", s.commune, "2025Q2") == 1
    assert _value(viewer, "outreach_sessions", s.commune, "2025") == 2
    assert _value(viewer, "outreach_participants", s.province, "2025") == 80
    assert _value(viewer, "outreach_sessions", s.villages[0], "2025") == 1
    # and the stored numbers are ordinary provider DataValues
    assert set(DataValue.objects.values_list("source", flat=True)) == {MetricSource.PROVIDER}


def test_breakdowns_by_weapon_kind_and_camera_owner():
    # Given surrendered weapons and cameras of several kinds and owners
    # Then the engine breaks the totals down by weapon kind and by camera owner
    s = commune_scene()
    record(s.officer, surrender(s.commune, [("sung", 3), ("dan", 40), ("phao", 5)]))
    record(s.officer, surrender(s.villages[1], [("sung", 4), ("dan", 32)]))
    record(
        s.officer,
        ActivityInput(
            kind=ActivityKind.CAMERA,
            unit=s.commune,
            date=DAY,
            title="Camera",
            cameras=1,
            camera_ownership=CameraOwnership.PUBLIC,
        ),
    )
    user = s.province_officer
    assert _value(user, "weapons_surrendered", s.province, "2025", "sung") == 7
    assert _value(user, "weapons_surrendered", s.province, "2025", "dan") == 72
    assert _value(user, "weapons_surrendered", s.commune, "2025M03") == 84
    assert _value(user, "cameras_installed", s.commune, "2025M03", "public") == 1
    assert _value(user, "activities_recorded", s.commune, "2025", "weapons_surrender") == 2


def test_a_village_reached_twice_counts_once():
    # Given three outreach sessions reaching villages 1 and 2, village 1, villages 2 and 3
    # Then the villages-reached metric counts each village once: three for the commune
    s = commune_scene()
    record(s.officer, outreach(s.commune, villages=s.villages[:2]))
    record(s.officer, outreach(s.villages[0]))
    record(s.officer, outreach(s.commune, villages=[s.villages[1], s.villages[2]]))
    values = list(
        ActivityMetricsProvider().values(
            metric_code="outreach_villages", period=parse_period("2025")
        )
    )
    assert [(v.orgunit_id, v.value) for v in values] == [(s.commune.pk, 3.0)]


def test_sync_leaves_switched_metrics_alone():
    # given an administrator switched a metric back to manual entry
    s = commune_scene()
    Metric.objects.filter(code="leaflets").update(source=MetricSource.FORM)
    # when an activity is recorded and the metrics are synced again
    record(s.officer, outreach(s.commune))
    activities_metrics_sync(actor=s.officer, touched=[Touched(ActivityKind.OUTREACH, DAY)])
    # then nothing is written for the switched metric
    assert not DataValue.objects.filter(metric__code="leaflets").exists()
    assert DataValue.objects.filter(metric__code="outreach_sessions").exists()
