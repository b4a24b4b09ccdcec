"""Progress: statuses and labels, projection (pro rata, seasonal), traffic light."""

from __future__ import annotations

from datetime import date

import pytest

from binhyen.indicators.tests.factories import put
from binhyen.targets import progress, services
from binhyen.targets.models import Comparison, TargetKind
from binhyen.targets.progress import Light, Status
from binhyen.targets.tests.factories import metric, scene

pytestmark = pytest.mark.django_db


def _target(s, code, kind, value, period="2025", comparison=Comparison.AT_LEAST, **extra):
    return services.target_create(
        actor=s.officer,
        unit=s.communes[0],
        data=services.TargetInput(
            metric=metric(code),
            kind=kind,
            value=value,
            period=period,
            comparison=comparison,
            **extra,
        ),
    )


def test_count_statuses_and_labels():
    s = scene()
    cameras = metric("cameras_installed")
    put(cameras, s.communes[0], "2025M03", 9)
    exceeded = _target(s, "cameras_installed", TargetKind.COUNT, 6)
    judged = progress.evaluate([exceeded], today=date(2026, 1, 10))[0]
    assert (judged.actual, judged.percent, judged.status) == (9, 150.0, Status.EXCEEDED)
    assert judged.label == "đạt 150 % — vượt chỉ tiêu"
    assert judged.light == Light.GREEN and not judged.running


def test_at_most_and_change_targets():
    s = scene()
    crimes = metric("crimes")
    put(crimes, s.communes[0], "2024M05", 20)
    put(crimes, s.communes[0], "2025M05", 18)
    change = _target(s, "crimes", TargetKind.CHANGE, -5, comparison=Comparison.AT_MOST)
    judged = progress.evaluate([change], today=date(2026, 2, 1))[0]
    assert judged.actual == -10.0 and judged.status == Status.MET and judged.percent is None
    cap = _target(s, "crimes", TargetKind.COUNT, 15, comparison=Comparison.AT_MOST)
    judged = progress.evaluate([cap], today=date(2026, 2, 1))[0]
    assert judged.status == Status.NOT_MET and judged.light == Light.RED


def test_rate_target_reads_numerator_over_denominator():
    s = scene()
    put(metric("villages_pledged"), s.communes[0], "2025M12", 7)
    put(metric("villages"), s.communes[0], "2025M12", 10)
    rate = _target(s, "villages_pledged", TargetKind.RATE, 70, denominator=metric("villages"))
    judged = progress.evaluate([rate], today=date(2026, 1, 5))[0]
    assert judged.actual == 70.0 and judged.status == Status.MET and judged.label == "đạt 100 %"


def test_no_data_reads_as_not_met_and_grey():
    s = scene()
    target = _target(s, "cameras_installed", TargetKind.COUNT, 6)
    judged = progress.evaluate([target], today=date(2026, 1, 10))[0]
    assert judged.status == Status.NOT_MET and judged.light == Light.GREY
    assert judged.label == "chưa có số liệu"


def test_running_period_projects_pro_rata():
    s = scene()
    cameras = metric("cameras_installed")
    for month in range(1, 7):
        put(cameras, s.communes[0], f"2025M{month:02d}", 1)
    target = _target(s, "cameras_installed", TargetKind.COUNT, 12)
    judged = progress.evaluate([target], today=date(2025, 7, 2))[0]
    assert judged.running and not judged.seasonal
    assert judged.expected_share == pytest.approx(183 / 365, abs=1e-3)
    assert judged.projection == pytest.approx(6 / (183 / 365), abs=0.05)
    assert judged.light == Light.AMBER


def test_running_period_projects_with_last_years_seasonal_shape():
    s = scene()
    cameras = metric("cameras_installed")
    # Last year: nothing in the first half, everything in the second.
    for month in range(7, 13):
        put(cameras, s.communes[0], f"2024M{month:02d}", 2)
    put(cameras, s.communes[0], "2024M01", 0)
    for month in range(1, 7):
        put(cameras, s.communes[0], f"2025M{month:02d}", 1)
    target = _target(s, "cameras_installed", TargetKind.COUNT, 12)
    judged = progress.evaluate([target], today=date(2025, 7, 2))[0]
    # Last year had reached 0 of 12 by 2 July: the shape says nothing yet, pro rata is used.
    assert not judged.seasonal
    put(cameras, s.communes[0], "2024M06", 6)
    judged = progress.evaluate([target], today=date(2025, 7, 2))[0]
    assert judged.seasonal and judged.expected_share == pytest.approx(6 / 18, abs=1e-3)
    assert judged.projection == pytest.approx(18.0) and judged.light == Light.GREEN


def test_future_period_is_grey():
    s = scene()
    target = _target(s, "cameras_installed", TargetKind.COUNT, 12, period="2027")
    judged = progress.evaluate([target], today=date(2026, 5, 1))[0]
    assert judged.light == Light.GREY


def test_number_is_localised():
    assert progress.number(82.0) == "82"
    assert progress.number(None) == "–"
    assert progress.number("") == "–"


def test_hotspot_transformation_targets_read_the_regime_option(settings):
    from binhyen.targets import selectors

    s = scene()
    made = services.hotspot_targets_seed(
        actor=s.officer, province=s.province, year=2025, defaults=selectors.hotspot_defaults()
    )
    for code, value in (("hotspots_designated", 5), ("hotspots_removed", 4)):
        put(metric(code), s.communes[0], "2025", value, option="transformation")
    put(metric("hotspots_designated"), s.communes[0], "2025", 7, option="drug_area")
    judged = {p.target.metric.code: p for p in progress.evaluate(made, today=date(2026, 3, 1))}
    removed = judged["hotspots_removed"]
    assert removed.actual == 80.0 and removed.status == Status.EXCEEDED
    assert judged["hotspots_relapsed"].actual is None
