"""Progress: statuses and labels, projection (pro rata, seasonal), traffic light."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from binhyen.indicators.models import Metric
from binhyen.indicators.periods import KIND_RANK, PeriodKind, parse_period, periods_in
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


def test_a_commune_follows_its_provinces_seasonal_shape():
    # Given two communes of one province with different seasons last year:
    # the first reached 6 of 18 by the end of June, the second 18 of 18
    s = scene()
    cameras = metric("cameras_installed")
    put(cameras, s.communes[0], "2024M06", 6)
    for month in range(7, 13):
        put(cameras, s.communes[0], f"2024M{month:02d}", 2)
    put(cameras, s.communes[1], "2024M01", 18)
    for month in range(1, 7):
        put(cameras, s.communes[0], f"2025M{month:02d}", 1)
    target = _target(s, "cameras_installed", TargetKind.COUNT, 12)
    # When the first commune's target is judged on 2 July
    judged = progress.evaluate([target], today=date(2025, 7, 2))[0]
    # Then the expected share is the province's: 24 of 36 by the same day last year
    assert judged.seasonal and judged.expected_share == pytest.approx(24 / 36, abs=1e-3)
    assert judged.projection == pytest.approx(6 / (24 / 36), abs=0.01)


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


def test_a_batch_reads_the_same_as_each_target_alone():
    # Given targets of every kind, on two units, running and ended, with a seasonal shape
    s = scene()
    cameras, crimes = metric("cameras_installed"), metric("crimes")
    for unit, scale in ((s.communes[0], 1), (s.communes[1], 3)):
        for month in range(1, 13):
            put(cameras, unit, f"2024M{month:02d}", month % 4 * scale)
            put(crimes, unit, f"2024M{month:02d}", 5 * scale)
        for month in range(1, 7):
            put(cameras, unit, f"2025M{month:02d}", 2 * scale)
            put(crimes, unit, f"2025M{month:02d}", 4 * scale)
    put(metric("villages_pledged"), s.communes[1], "2025M12", 7)
    put(metric("villages"), s.communes[1], "2025M12", 10)
    made = []
    for unit in s.communes:
        for code, kind, value, period, comparison, extra in (
            ("cameras_installed", TargetKind.COUNT, 12, "2025", Comparison.AT_LEAST, {}),
            ("cameras_installed", TargetKind.INCREASE, 3, "2025Q2", Comparison.AT_LEAST, {}),
            ("crimes", TargetKind.CHANGE, -5, "2025", Comparison.AT_MOST, {}),
            ("crimes", TargetKind.COUNT, 20, "2025S1", Comparison.AT_MOST, {}),
            (
                "villages_pledged",
                TargetKind.RATE,
                70,
                "2025",
                Comparison.AT_LEAST,
                {"denominator": metric("villages")},
            ),
        ):
            made.append(
                services.target_create(
                    actor=s.officer,
                    unit=unit,
                    data=services.TargetInput(
                        metric=metric(code),
                        kind=kind,
                        value=value,
                        period=period,
                        comparison=comparison,
                        **extra,
                    ),
                )
            )
    for today in (date(2025, 5, 20), date(2025, 8, 2), date(2026, 2, 1)):
        # When they are judged together and one by one
        together = progress.evaluate(made, today=today)
        alone = [progress.evaluate([t], today=today)[0] for t in made]
        # Then every figure is the same
        for a, b in zip(together, alone, strict=True):
            assert (a.actual, a.percent, a.status, a.light, a.projection, a.seasonal) == (
                b.actual,
                b.percent,
                b.status,
                b.light,
                b.projection,
                b.seasonal,
            )
    assert any(p.seasonal for p in progress.evaluate(made, today=date(2025, 8, 2)))


@given(
    kind=st.sampled_from(
        [
            PeriodKind.MONTH,
            PeriodKind.WEEK,
            PeriodKind.DAY,
            PeriodKind.STAT_MONTH,
            PeriodKind.QUARTER,
        ]
    ),
    period_code=st.sampled_from(["2025", "2024", "2025S2", "2025Q3", "MY2025", "2025M03"]),
    offset=st.integers(min_value=0, max_value=400),
)
def test_last_years_stretch_is_cut_without_gap_or_overlap(kind, period_code, offset):
    # Given a metric's capture kind, a target period and a day inside it
    period = parse_period(period_code)
    today = min(period.start + timedelta(days=offset), period.end)
    measure = Metric(code="x", period_kind=kind)
    if KIND_RANK[kind] > KIND_RANK[period.kind]:
        return
    # When last year's stretch up to the same day is cut into longer and capture periods
    coarse, fine = progress._season_split(measure, period, today)
    # Then the capture periods whose value it sums are exactly those of the plain list
    expected = {p.end for p in progress._seasonal_periods(measure, period, today)}
    last = period.same_period_last_year()
    covered = {p.end for p in fine}
    for p in periods_in(kind, last.start - timedelta(days=40), last.end):
        if any(c.start <= p.end <= c.end for c in coarse):
            assert p.end not in covered
            covered.add(p.end)
    assert covered == expected
    assert all(KIND_RANK[c.kind] > KIND_RANK[kind] for c in coarse)


def test_whole_years_read_from_the_yearly_cells_as_from_the_values(monkeypatch):
    # Given count, increase and change targets for whole years on two communes, an average
    # metric among them, and the pre-aggregated cells built for their values
    from django.test import override_settings

    from binhyen.indicators import engine, rollups

    s = scene()
    cameras, crimes = metric("cameras_installed"), metric("crimes")
    for unit, scale in ((s.communes[0], 1), (s.communes[1], 3)):
        for year in (2024, 2025):
            for month in (2, 5, 11):
                put(cameras, unit, f"{year}M{month:02d}", month * scale + year % 7)
                put(crimes, unit, f"{year}M{month:02d}", 4 * scale + month)
    made = [
        services.target_create(
            actor=s.officer,
            unit=unit,
            data=services.TargetInput(
                metric=metric(code), kind=kind, value=value, period="2025", comparison=comparison
            ),
        )
        for unit in s.communes[:2]
        for code, kind, value, comparison in (
            ("cameras_installed", TargetKind.COUNT, 30, Comparison.AT_LEAST),
            ("cameras_installed", TargetKind.INCREASE, 3, Comparison.AT_LEAST),
            ("crimes", TargetKind.CHANGE, -5, Comparison.AT_MOST),
        )
    ]
    rollups.rebuild()
    served: list[int] = []
    real = engine.yearly_columns

    def spy(**kwargs):
        found = real(**kwargs)
        served.append(found is not None)
        return found

    monkeypatch.setattr(engine, "yearly_columns", spy)
    # When they are judged from the cells and from the values
    with_cells = progress.evaluate(made, today=date(2026, 3, 1))
    with override_settings(INDICATORS_ROLLUPS=False):
        from_values = progress.evaluate(made, today=date(2026, 3, 1))
    # Then the years came from the yearly cells, with the same figures as from the values
    assert served and all(served[:1])
    assert [p.actual for p in with_cells] == [p.actual for p in from_values]
    assert [(p.status, p.light) for p in with_cells] == [(p.status, p.light) for p in from_values]
    assert all(p.actual is not None for p in with_cells)
