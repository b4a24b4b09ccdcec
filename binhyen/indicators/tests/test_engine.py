# mypy: disable-error-code="arg-type, list-item, union-attr"
"""The engine on hand-computed fixtures: rollups, a merge, a split (default and shares),
rates, comparisons and the Poisson flag."""

from __future__ import annotations

from datetime import date

import pytest

from binhyen.accounts.tests.factories import UserFactory
from binhyen.indicators import engine, rollups, services
from binhyen.indicators.engine import poisson_change_p_value
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, link, old_unit, put
from binhyen.orgunits.models import LineageKind, OrgUnit, UnitKind
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    ProvinceFactory,
    VillageFactory,
    country,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["small", "large", "rollups"])
def _plan(request, monkeypatch, settings):
    """Run every case through both query shapes (province-sized and national-sized) and
    through the pre-aggregated cells (rebuilt before each question, then kept by writes)."""
    settings.INDICATORS_ROLLUPS = request.param == "rollups"
    if request.param == "large":
        monkeypatch.setattr(engine.sql, "SMALL_SUBTREE", -1)
    if request.param == "rollups":
        real = engine.aggregate

        def aggregate(**kwargs):
            if not rollups.usable():
                # The test built its map after its values: build the cells as a deployment's
                # map import would.
                rollups.rebuild()
            return real(**kwargs)

        monkeypatch.setattr(engine, "aggregate", aggregate)


@pytest.fixture
def world():
    """Province P with communes A, B; old province with communes L1, L2 (merge into A),
    L3 (split, default A), L4 (split 30% A / 70% B) and an old village under L1."""
    root = country()
    p = ProvinceFactory(code="91", name="Tỉnh Mới")
    a = CommuneFactory(code="91001", name="Xã A", parent=p, population=5000)
    b = CommuneFactory(code="91002", name="Xã B", parent=p, population=8000)
    va = VillageFactory(parent=a)
    lp = old_unit("L91", UnitKind.PROVINCE, root)
    ld = old_unit("L911", UnitKind.DISTRICT, lp)
    l1, l2, l3, l4 = (old_unit(f"L9100{i}", UnitKind.COMMUNE, ld) for i in range(1, 5))
    lv = old_unit("L91001-T001", UnitKind.VILLAGE, l1)
    link(lp, p)
    link(l1, a)
    link(l2, a)
    link(l3, a, LineageKind.SPLIT, is_default=True)
    link(l3, b, LineageKind.SPLIT, is_default=False)
    link(l4, a, LineageKind.SPLIT, is_default=True, share="0.3")
    link(l4, b, LineageKind.SPLIT, is_default=False, share="0.7")
    m = MetricFactory(code="t_crimes")
    put(m, a, "2025M07", 10)
    put(m, va, "2025M07", 5)
    put(m, b, "2025M07", 7)
    put(m, a, "2025M06", 20)
    for unit, value in ((l1, 4), (l2, 6), (l3, 10), (l4, 10), (lv, 2)):
        put(m, unit, "2025M05", value)
    put(m, b, "2025M05", 7)
    put(m, l1, "2024M07", 30)
    return {"p": p, "a": a, "b": b, "va": va, "l1": l1, "l4": l4, "lp": lp, "m": m}


def _rows(metrics, units, periods, **kw):
    return {
        (r.metric, r.unit, r.period): r
        for r in engine.run(
            metrics=metrics, units=units, periods=[parse_period(p) for p in periods], **kw
        )
    }


def test_subtree_rollup(world):
    # given values on A and its village / when A and P are asked for July / then they sum
    rows = _rows([world["m"]], [world["a"], world["b"], world["p"]], ["2025M07"], compare=False)
    assert rows[("t_crimes", "91001", "2025M07")].value == 15
    assert rows[("t_crimes", "91002", "2025M07")].value == 7
    assert rows[("t_crimes", "91", "2025M07")].value == 22
    assert not rows[("t_crimes", "91", "2025M07")].includes_predecessors


def test_merge_and_split_forward_to_successors(world):
    # given May values on old units / when the 2025 units are asked / then
    # A = 4 + 6 (merge) + 10 (split, default) + 3 (30% share) + 2 (old village) = 25
    # B = 7 (own) + 7 (70% share); the province keeps the total of 39
    rows = _rows([world["m"]], [world["a"], world["b"], world["p"]], ["2025M05"], compare=False)
    a, b, p = (rows[("t_crimes", c, "2025M05")] for c in ("91001", "91002", "91"))
    assert a.value == pytest.approx(25)
    assert b.value == pytest.approx(14)
    assert p.value == pytest.approx(39)
    assert a.includes_predecessors and b.includes_predecessors and p.includes_predecessors


def test_closed_target_is_read_as_it_was(world):
    # given the old commune itself as the target / then its own values, not forwarded
    rows = _rows([world["m"]], [world["l1"], world["lp"]], ["2025M05", "2024M07"], compare=False)
    assert rows[("t_crimes", "L91001", "2025M05")].value == 6  # 4 + old village 2
    assert rows[("t_crimes", "L91", "2025M05")].value == 32
    assert rows[("t_crimes", "L91001", "2024M07")].value == 30


def test_quarter_and_year_roll_up_months(world):
    rows = _rows([world["m"]], [world["a"]], ["2025Q2", "2025Q3", "2025"], compare=False)
    assert rows[("t_crimes", "91001", "2025Q2")].value == pytest.approx(45)  # 25 + 20
    assert rows[("t_crimes", "91001", "2025Q3")].value == 15
    assert rows[("t_crimes", "91001", "2025")].value == pytest.approx(60)


def test_comparisons_previous_and_last_year(world):
    # given July 15, June 20, July 2024 30 (on predecessor L1) / then the changes
    row = _rows([world["m"]], [world["a"]], ["2025M07"])[("t_crimes", "91001", "2025M07")]
    assert (row.previous, row.change_abs, row.change_pct) == (20, -5, -25.0)
    assert (row.last_year, row.yoy_abs, row.yoy_pct) == (30, -15, -50.0)
    assert row.previous_period == "2025M06" and row.last_year_period == "2024M07"
    assert row.includes_predecessors  # last year's figure came from L1
    assert row.within_ordinary_variation is True  # 15 vs 20 is noise
    assert row.yoy_within_ordinary_variation is False  # 15 vs 30 is not (p < 0.05)


def test_per_1000_uses_the_unit_field_then_the_population_metric(world):
    # given commune A with a population of 5000 on its unit and 15 crimes
    rows = _rows([world["m"]], [world["a"]], ["2025M07"], per_1000=True, compare=False)
    assert rows[("t_crimes", "91001", "2025M07")].value_per_1000 == pytest.approx(3.0)
    # when a yearly population metric of 7500 is also recorded for A
    pop = Metric.objects.get(code="population")  # from the starter catalogue
    put(pop, world["a"], "2024", 7500)
    rows = _rows([world["m"]], [world["a"], world["p"]], ["2025M07"], per_1000=True, compare=False)
    # then the unit's own figure stays the source of truth, for A and the province's sum
    assert rows[("t_crimes", "91001", "2025M07")].population == 5000
    assert rows[("t_crimes", "91", "2025M07")].population == 13000
    # and when A has no population on its unit, the metric serves it
    OrgUnit.objects.filter(pk=world["a"].pk).update(population=None)
    world["a"].refresh_from_db()
    rows = _rows([world["m"]], [world["a"]], ["2025M07"], per_1000=True, compare=False)
    assert rows[("t_crimes", "91001", "2025M07")].population == 7500
    assert rows[("t_crimes", "91001", "2025M07")].value_per_1000 == pytest.approx(2.0)


def test_per_1000_without_any_population_is_none_and_flagged(world):
    # given commune B with no population anywhere (unit, villages, metric) and a crime
    OrgUnit.objects.filter(pk=world["b"].pk).update(population=None)
    world["b"].refresh_from_db()
    put(world["m"], world["b"], "2025M09", 4)
    # when its rate is asked for
    rows = _rows([world["m"]], [world["b"]], ["2025M09"], per_1000=True, compare=False)
    row = rows[("t_crimes", "91002", "2025M09")]
    # then there is no rate, and the row says the population is missing
    assert row.value is not None and row.value >= 4
    assert row.population is None and row.value_per_1000 is None
    assert row.no_population is True


def test_province_population_falls_back_to_communes(world):
    rows = _rows([world["m"]], [world["p"]], ["2025M07"], per_1000=True, compare=False)
    assert rows[("t_crimes", "91", "2025M07")].population == 13000


def test_commune_populations_fall_back_in_one_query(world, django_assert_max_num_queries):
    # given many communes without a population of their own, each with populated villages
    communes = []
    for i in range(12):
        commune = CommuneFactory(code=f"9110{i:02d}", parent=world["p"], population=None)
        VillageFactory(parent=commune, population=100 + i)
        VillageFactory(parent=commune, population=200)
        communes.append(commune)
    # when their rates are asked for
    from binhyen.indicators.engine import populations
    from binhyen.indicators.periods import parse_period

    with django_assert_max_num_queries(12):
        found = populations(communes, [parse_period("2025M07")])
    # then each gets its villages' sum, without one query per commune
    assert [found[(c.pk, "2025M07")] for c in communes] == [300.0 + i for i in range(12)]


def test_aggregation_kinds(world):
    a, va = world["a"], world["va"]
    avg = MetricFactory(code="t_avg", aggregation="average", value_type="percent")
    low = MetricFactory(code="t_min", aggregation="min")
    high = MetricFactory(code="t_max", aggregation="max")
    last = MetricFactory(code="t_last", aggregation="last")
    own = MetricFactory(code="t_none", aggregation="none")
    for metric, values in ((avg, (40, 80)), (low, (3, 9)), (high, (3, 9)), (own, (1, 2))):
        put(metric, a, "2025M07", values[0])
        put(metric, va, "2025M07", values[1])
    put(last, a, "2025M07", 12)
    put(last, va, "2025M07", 3)
    put(last, a, "2025M08", 11)
    rows = _rows([avg, low, high, last, own], [a], ["2025M07", "2025Q3"], compare=False)
    assert rows[("t_avg", "91001", "2025M07")].value == 60
    assert rows[("t_min", "91001", "2025M07")].value == 3
    assert rows[("t_max", "91001", "2025M07")].value == 9
    assert rows[("t_last", "91001", "2025M07")].value == 15
    assert rows[("t_last", "91001", "2025Q3")].value == 11  # August is the latest
    assert rows[("t_none", "91001", "2025M07")].value == 1  # only A's own value
    assert rows[("t_none", "91001", "2025Q3")].value is None


def test_a_yearly_metric_is_not_split_into_months(world):
    yearly = MetricFactory(code="t_year", period_kind="year")
    put(yearly, world["a"], "2025", 100)
    rows = _rows([yearly], [world["a"]], ["2025M12", "2025"], compare=False)
    assert rows[("t_year", "91001", "2025M12")].value is None
    assert rows[("t_year", "91001", "2025")].value == 100


def test_statistical_months_count_where_they_end(world):
    sm = MetricFactory(code="t_sm", period_kind="stat_month")
    put(sm, world["a"], "SM2025M07", 4)  # 15/06 – 14/07
    rows = _rows([sm], [world["a"]], ["2025M07", "2025M06", "2025Q3"], compare=False)
    assert rows[("t_sm", "91001", "2025M07")].value == 4
    assert rows[("t_sm", "91001", "2025M06")].value is None
    assert rows[("t_sm", "91001", "2025Q3")].value == 4


def test_disaggregation(world):
    from binhyen.indicators.models import Disaggregation, DisaggregationOption

    d = Disaggregation.objects.create(code="t_kind", name="Loại")
    DisaggregationOption.objects.create(disaggregation=d, code="x", name="X", sort_order=1)
    DisaggregationOption.objects.create(disaggregation=d, code="y", name="Y", sort_order=2)
    m = MetricFactory(code="t_dis", disaggregation=d)
    put(m, world["a"], "2025M07", 2, "x")
    put(m, world["va"], "2025M07", 3, "x")
    put(m, world["b"], "2025M07", 4, "y")
    total = _rows([m], [world["p"]], ["2025M07"], compare=False)
    assert total[("t_dis", "91", "2025M07")].value == 9
    rows = engine.run(
        metrics=[m],
        units=[world["p"]],
        periods=[parse_period("2025M07")],
        compare=False,
        disaggregate=True,
    )
    assert [(r.option, r.value) for r in rows] == [("x", 5), ("y", 4)]


def test_edits_show_at_once(world):
    # given a computed figure / when a value changes / then the next call sees it
    rows = _rows([world["m"]], [world["p"]], ["2025M07"], compare=False)
    assert rows[("t_crimes", "91", "2025M07")].value == 22
    admin = UserFactory(is_superuser=True)
    services.data_values_save(
        actor=admin,
        unit=world["b"],
        period_code="2025M07",
        values=[services.ValueInput(metric=world["m"], value=8)],
    )
    rows = _rows([world["m"]], [world["p"]], ["2025M07"], compare=False)
    assert rows[("t_crimes", "91", "2025M07")].value == 23
    # and a cleared value leaves the totals at once too
    services.data_values_save(
        actor=admin,
        unit=world["a"],
        period_code="2025M07",
        values=[services.ValueInput(metric=world["m"], value=None)],
    )
    rows = _rows([world["m"]], [world["p"]], ["2025M07", "2025"], compare=False)
    assert rows[("t_crimes", "91", "2025M07")].value == 13
    assert rows[("t_crimes", "91", "2025")].value == pytest.approx(72)


def test_missing_values_are_none_not_zero(world):
    row = _rows([world["m"]], [world["b"]], ["2025M01"])[("t_crimes", "91002", "2025M01")]
    assert row.value is None and row.change_pct is None and row.within_ordinary_variation is None


def test_chain_of_boundary_changes_is_followed():
    root = country()
    p = ProvinceFactory(code="92")
    c = CommuneFactory(code="92001", parent=p)
    mid = old_unit("L92001", UnitKind.COMMUNE, p)
    first = old_unit("L92002", UnitKind.COMMUNE, p)
    link(first, mid)
    link(mid, c)
    m = MetricFactory(code="t_chain")
    put(m, first, "2020M01", 5)
    rows = _rows([m], [c, p], ["2020M01"], compare=False)
    assert rows[("t_chain", "92001", "2020M01")].value == 5
    assert rows[("t_chain", "92", "2020M01")].value == 5
    assert root.code == "VN"


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        (15, 20, 0.4, 0.6),
        (15, 30, 0.02, 0.05),
        (0, 0, 1.0, 1.0),
        (100, 130, 0.05, 0.08),
        (5000, 5200, 0.04, 0.06),
    ],
)
def test_poisson_p_values_match_the_binomial_test(a, b, low, high):
    # reference values from the exact conditional binomial test (R: poisson.test)
    assert low <= poisson_change_p_value(a, b) <= high


def test_poisson_exact_and_normal_agree_near_the_switch():
    exact = poisson_change_p_value(1000, 1000 + 90)
    approx = poisson_change_p_value(1001, 1001 + 90)
    assert abs(exact - approx) < 0.01


def test_units_without_edges_follow_their_nearest_ancestor_with_edges(world):
    # given an old village whose commune and district have no edges but whose old province
    # merged into P / when P is asked / then the village's value counts toward P
    ld = world["lp"].children.get()
    bare = old_unit("L91009", UnitKind.COMMUNE, ld)
    village = old_unit("L91009-T001", UnitKind.VILLAGE, bare)
    put(world["m"], village, "2025M05", 7)
    rows = _rows([world["m"]], [world["p"], world["a"]], ["2025M05"], compare=False)
    assert rows[("t_crimes", "91", "2025M05")].value == pytest.approx(39 + 7)
    assert rows[("t_crimes", "91001", "2025M05")].value == pytest.approx(25)


def _combined(metrics, units, periods):
    """Return {(metric code, unit code, period code): (value, includes predecessors)}."""
    periods = [parse_period(p) for p in periods]
    grouped = engine.aggregate(metrics=metrics, units=units, periods=periods)
    return {
        (m.code, u.code, p.code): engine.combine(m, grouped.get((u.pk, m.pk, "")), p)
        for m in metrics
        for u in units
        for p in periods
    }


def test_yearly_windows_are_grouped_by_requested_period_in_sql(world):
    # given monthly values on A, B, their village and merged/split predecessors
    a, b, p, m = world["a"], world["b"], world["p"], world["m"]
    # when two yearly windows are asked, as programmes do for this year and last
    grouped = engine.aggregate(
        metrics=[m], units=[a, b, p], periods=[parse_period("2025"), parse_period("2024")]
    )
    # then each target has one row per requested year, not one per stored month
    assert set(grouped[(a.pk, m.pk, "")]) == {date(2025, 12, 31), date(2024, 12, 31)}
    assert set(grouped[(b.pk, m.pk, "")]) == {date(2025, 12, 31)}
    # and the totals are hand-computed: A 2025 = 15 (Jul) + 20 (Jun) + 25 (May, forwarded);
    # A 2024 = 30 (L1 merged into A); B 2025 = 7 + 14; P 2025 = 22 + 20 + 39
    folded = _combined([m], [a, b, p], ["2025", "2024"])
    assert folded[("t_crimes", "91001", "2025")] == (pytest.approx(60), True)
    assert folded[("t_crimes", "91001", "2024")] == (pytest.approx(30), True)
    assert folded[("t_crimes", "91002", "2025")] == (pytest.approx(21), True)
    assert folded[("t_crimes", "91002", "2024")] == (None, False)
    assert folded[("t_crimes", "91", "2025")] == (pytest.approx(81), True)
    assert folded[("t_crimes", "91", "2024")] == (pytest.approx(30), True)
    # and they equal the months combined in Python (an overlapping month keeps that path)
    by_month = _combined([m], [a, b, p], ["2025", "2024", "2025M07"])
    for key, (value, pred) in folded.items():
        assert by_month[key][1] == pred
        assert by_month[key][0] == (None if value is None else pytest.approx(value))


def test_folded_average_min_max_use_every_contributing_value(world):
    # given an average, a min and a max over months on A, its village and split L4 (30% to A)
    a, va, l4 = world["a"], world["va"], world["l4"]
    avg = MetricFactory(code="t_avg", aggregation="average", value_type="percent")
    low = MetricFactory(code="t_min", aggregation="min")
    high = MetricFactory(code="t_max", aggregation="max")
    last = MetricFactory(code="t_last", aggregation="last")
    own = MetricFactory(code="t_none", aggregation="none")
    for metric in (avg, low, high, last, own):
        put(metric, a, "2025M07", 40)
        put(metric, va, "2025M07", 80)
        put(metric, a, "2025M08", 30)
        put(metric, l4, "2025M05", 100)
    metrics = [avg, low, high, last, own]
    # when the year (and the year before, empty) is asked
    folded = _combined(metrics, [a], ["2025", "2024"])
    # then the average is over all values, share-weighted: (40 + 80 + 30 + 0.3 × 100) / 3.3,
    # not the average of monthly averages
    assert folded[("t_avg", "91001", "2025")] == (pytest.approx(180 / 3.3), True)
    assert folded[("t_min", "91001", "2025")] == (30, True)
    assert folded[("t_max", "91001", "2025")] == (100, True)
    # and "last" still takes the latest month (August: A's own 30), "none" has no year value
    assert folded[("t_last", "91001", "2025")] == (30, False)
    assert folded[("t_none", "91001", "2025")] == (None, False)
    assert folded[("t_avg", "91001", "2024")] == (None, False)
    # and all equal the months combined in Python
    by_month = _combined(metrics, [a], ["2025", "2024", "2025M08"])
    for key, (value, pred) in folded.items():
        assert by_month[key] == ((None if value is None else pytest.approx(value)), pred)


def test_only_disjoint_longer_periods_of_foldable_metrics_are_folded(world):
    # given metrics of each aggregation
    m = world["m"]
    last = MetricFactory(code="t_last", aggregation="last")
    yearly = MetricFactory(code="t_year", period_kind="year")
    y25, y24, q4 = parse_period("2025"), parse_period("2024"), parse_period("2025Q4")
    # then sums over disjoint years fold; "last", same-kind and overlapping requests do not
    assert engine._folds([([m, last, yearly], [y25, y24])]) == [([m.pk], [y24, y25])]
    assert engine._folds([([m], [y25, q4])]) == []
    # and a metric asked twice in one statement keeps the stored periods
    assert engine._folds([([m], [y25]), ([m], [y24])]) == []


def test_more_targets_than_a_compound_select_allows(world):
    # given 600 communes under P, each with one July value of 1 (A has 15 from the fixture)
    m, p = world["m"], world["p"]
    extra = [CommuneFactory(code=f"92{i:03d}", parent=p) for i in range(600)]
    for unit in extra:
        put(m, unit, "2025M07", 1)
    # when all of them are asked in one call
    rows = _rows([m], [world["a"], *extra], ["2025"], compare=False)
    # then every target has its figure
    assert len(rows) == 601
    assert rows[("t_crimes", "91001", "2025")].value == pytest.approx(60)
    assert all(rows[("t_crimes", u.code, "2025")].value == 1 for u in extra)
