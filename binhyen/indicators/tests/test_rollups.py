# mypy: disable-error-code="arg-type, union-attr"
"""Pre-aggregated figures: where a unit's values count, writes keep the cells equal to a
rebuild, the engine answers the same from cells and from values, and a map change stops
the cells from being read until they are rebuilt."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.management import call_command

from binhyen.accounts.tests.factories import UserFactory
from binhyen.core.models import AuditEvent
from binhyen.indicators import engine, rollups, services
from binhyen.indicators.models import Rollup
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, link, old_unit, put
from binhyen.orgunits.models import LineageKind, UnitKind
from binhyen.orgunits.structure import current_version, structure_changed
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    ProvinceFactory,
    VillageFactory,
    country,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Province P (communes A, B, village VA), province Q (commune C); an old province whose
    communes merge (L1 → A), split by default (L2 → A | B) and split by shares (L3: 30% A,
    70% C), with an old village under L1 and a chain L0 → L2."""
    root = country()
    p = ProvinceFactory(code="91")
    q = ProvinceFactory(code="92")
    a = CommuneFactory(code="91001", parent=p)
    b = CommuneFactory(code="91002", parent=p)
    c = CommuneFactory(code="92001", parent=q)
    va = VillageFactory(parent=a)
    lp = old_unit("L91", UnitKind.PROVINCE, root)
    ld = old_unit("L911", UnitKind.DISTRICT, lp)
    l0, l1, l2, l3 = (old_unit(f"L9100{i}", UnitKind.COMMUNE, ld) for i in range(4))
    lv = old_unit("L91001-T001", UnitKind.VILLAGE, l1)
    link(l1, a)
    link(l2, a, LineageKind.SPLIT, is_default=True)
    link(l2, b, LineageKind.SPLIT, is_default=False)
    link(l3, a, LineageKind.SPLIT, is_default=True, share="0.3")
    link(l3, c, LineageKind.SPLIT, is_default=False, share="0.7")
    link(l0, l2)
    rollups.rebuild()
    return {
        "root": root, "p": p, "q": q, "a": a, "b": b, "c": c, "va": va,
        "l0": l0, "l1": l1, "l2": l2, "l3": l3, "lv": lv, "ld": ld,
    }  # fmt: skip


def _targets(unit):
    return {(t[0], round(t[2], 6), t[3]) for t in rollups.contributions([unit.pk])[unit.pk]}


def test_where_values_count(world):
    w = world
    root, p, q, a, c = w["root"].pk, w["p"].pk, w["q"].pk, w["a"].pk, w["c"].pk
    # an open village counts toward itself, its commune, province and the country
    assert _targets(w["va"]) == {(w["va"].pk, 1.0, False), (a, 1.0, False), (p, 1.0, False),
                                 (root, 1.0, False)}  # fmt: skip
    # a merged commune and its old village count toward the successor, marked forwarded
    assert _targets(w["l1"]) == {(a, 1.0, True), (p, 1.0, True), (root, 1.0, True)}
    assert _targets(w["lv"]) == _targets(w["l1"])
    # a default split goes whole to the default successor; a chain follows it
    assert _targets(w["l2"]) == {(a, 1.0, True), (p, 1.0, True), (root, 1.0, True)}
    assert _targets(w["l0"]) == _targets(w["l2"])
    # shares divide the value, and each province gets its successors' part
    assert _targets(w["l3"]) == {
        (a, 0.3, True), (p, 0.3, True), (c, 0.7, True), (q, 0.7, True), (root, 1.0, True)
    }  # fmt: skip
    # an old district without lineage of its own or above counts only by its path
    assert _targets(w["ld"]) == {(root, 1.0, False)}


def _cells():
    return {
        (r.grain, r.level, r.metric_id, r.period_end, r.unit_id, r.option): (
            round(r.total, 6), round(r.weight, 6), r.value_count, r.forwarded
        )
        for r in Rollup.objects.all()
    }  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_writes_keep_the_cells_equal_to_a_rebuild(world, seed):
    # given a sum and an average metric with options, and random edits through the services
    rng = random.Random(seed)
    admin = UserFactory(is_superuser=True)
    metrics = [
        MetricFactory(value_type="decimal"),
        MetricFactory(value_type="decimal", aggregation="average"),
        MetricFactory(value_type="decimal", aggregation="last"),
    ]
    units = [world[k] for k in ("a", "b", "c", "va", "l0", "l1", "l2", "l3", "lv")]
    periods = ["2024M12", "2025M01", "2025M06", "2025M07"]
    for _step in range(60):
        value = rng.choice([None, 0, 1, 2.5, 7, 40])
        unit = rng.choice(units)
        services.data_values_save(
            actor=admin,
            unit=unit,
            # old units take values only while they existed
            period_code=rng.choice(periods if unit.valid_to is None else periods[:3]),
            values=[services.ValueInput(metric=rng.choice(metrics), value=value)],
        )
    kept = _cells()
    # when everything is rebuilt from the values
    rollups.rebuild()
    # then the cells the writes kept are exactly the rebuilt ones (none left at zero rows)
    assert kept == _cells()
    assert all(r.value_count > 0 for r in Rollup.objects.all())
    # and the engine answers the same from the cells as from the values
    targets = [world[k] for k in ("root", "p", "q", "a", "b", "c", "va")]
    asked = [parse_period(x) for x in ("2025M01", "2025M07", "2025Q1", "2025", "2024")]
    with_cells = engine.run(metrics=metrics, units=targets, periods=asked, compare=True)
    from django.test import override_settings

    with override_settings(INDICATORS_ROLLUPS=False):
        from_values = engine.run(metrics=metrics, units=targets, periods=asked, compare=True)
    assert len(with_cells) == len(from_values)
    for x, y in zip(with_cells, from_values, strict=True):
        assert (x.metric, x.unit, x.period) == (y.metric, y.unit, y.period)
        assert x.value == (None if y.value is None else pytest.approx(y.value))
        assert x.previous == (None if y.previous is None else pytest.approx(y.previous))
        assert x.includes_predecessors == y.includes_predecessors


def test_provider_sync_moves_the_cells(world, monkeypatch):
    # given a provider metric whose answer changes between two syncs
    from binhyen.indicators.providers import ProvidedValue, registry

    answers = {"now": [(world["a"].pk, 3.0), (world["b"].pk, 4.0)]}

    class Fake:
        def values(self, *, metric_code, period):
            return [ProvidedValue(orgunit_id=u, value=v) for u, v in answers["now"]]

    monkeypatch.setattr(registry, "get", lambda key: Fake())
    m = MetricFactory(source="provider", provider_key="fake")
    services.provider_values_sync(actor=None, metric=m, period_code="2025M03")
    answers["now"] = [(world["a"].pk, 5.0), (world["c"].pk, 1.0)]
    services.provider_values_sync(actor=None, metric=m, period_code="2025M03")
    kept = _cells()
    rollups.rebuild()
    assert kept == _cells()
    # then the country holds 5 + 1 for March
    cell = Rollup.objects.get(grain="p", unit=world["root"], metric=m)
    assert (cell.total, cell.value_count) == (6.0, 2)


def test_a_map_change_stops_reading_the_cells_until_rebuilt(world):
    # given usable cells and a value on an old commune with no lineage yet
    m = MetricFactory()
    lone = old_unit("L91009", UnitKind.COMMUNE, world["ld"])
    assert not rollups.usable()  # a new closed unit is a structure change
    rollups.rebuild()
    put(m, lone, "2025M01", 9)
    assert rollups.usable()
    # when the old commune is linked to B (a map change)
    link(lone, world["b"])
    # then the cells are not read, and the engine still answers from the values
    assert not rollups.usable()
    rows = engine.run(metrics=[m], units=[world["b"]], periods=[parse_period("2025M01")])
    assert rows[0].value == 9 and rows[0].includes_predecessors
    # and a map import's signal rebuilds them
    structure_changed()
    assert rollups.usable()
    cell = Rollup.objects.get(grain="y", unit=world["b"], metric=m, period_end=date(2025, 12, 31))
    assert (cell.total, cell.forwarded) == (9.0, 1)


def test_only_structural_edits_move_the_structure_version(world):
    # given a village / when its name changes / then the version stays
    before = current_version()
    va = world["va"]
    va.name = "Thôn Mới"
    va.save()
    assert current_version() == before
    # when it is closed / then it moves
    va.valid_to = date(2025, 12, 31)
    va.save()
    assert current_version() == before + 1


def test_min_max_and_most_last_values_are_never_read_from_cells(world):
    # given metrics that are not additive / then the plan leaves them to the values
    metrics = [MetricFactory(aggregation=a) for a in ("min", "max", "none")]
    plan = rollups.plan([(metrics, [parse_period("2025")])], level=0)
    assert plan == {}
    # except a monthly "last value" at the period levels (one cell per stored month) and a
    # yearly one asked per year (one stored period per calendar year)
    last = MetricFactory(aggregation="last")
    assert rollups.plan([([last], [parse_period("2025")])], level=2) == {}
    assert rollups.plan([([last], [parse_period("2025M01")])], level=1) == {last.pk: "p"}
    assert rollups.plan([([last], [parse_period("2025")])], level=1) == {last.pk: "p"}
    yearly = MetricFactory(aggregation="last", period_kind="year")
    assert rollups.plan([([yearly], [parse_period("2025")])], level=3) == {yearly.pk: "y"}
    total = MetricFactory()
    assert rollups.plan([([total], [parse_period("2025M01")])], level=1) == {total.pk: "p"}
    assert rollups.plan([([total], [parse_period("2025M01")])], level=2) == {}
    assert rollups.plan([([total], [parse_period("2025")])], level=3) == {total.pk: "y"}


def test_the_command_rebuilds_only_when_stale(world):
    # given usable cells / when the daily job runs with --if-stale / then nothing is done
    from io import StringIO

    out = StringIO()
    call_command("indicators_rollups", "--if-stale", stdout=out)
    assert "không cần" in out.getvalue()
    # when the map changed / then it rebuilds and records it
    link(world["ld"], world["c"], LineageKind.MERGE)
    call_command("indicators_rollups", "--if-stale", stdout=out)
    assert rollups.usable()
    assert AuditEvent.objects.filter(action="rollups.rebuild").count() == 1


def test_a_database_with_values_but_no_cells_is_not_read(world):
    # given values stored outside the services (a restore) and a stale state
    from binhyen.indicators.models import RollupState

    m = MetricFactory()
    put(m, world["a"], "2025M02", 4)
    Rollup.objects.all().delete()
    RollupState.objects.update_or_create(pk=1, defaults={"structure_version": -1})
    # then the engine reads the values
    rows = engine.run(metrics=[m], units=[world["p"]], periods=[parse_period("2025M02")])
    assert rows[0].value == 4


def test_yearly_columns_equal_the_general_path(world):
    # given values in two years on open and old units (a merge, a split by shares)
    total, mean = MetricFactory(), MetricFactory(aggregation="average")
    for unit, value in ((world["a"], 3), (world["va"], 4), (world["c"], 5), (world["l3"], 10)):
        put(total, unit, "2024M03", value)
        put(mean, unit, "2024M03", value)
    put(total, world["b"], "2025M01", 2)
    units = [world[k] for k in ("a", "b", "c", "va")]
    years = [parse_period("2025"), parse_period("2024")]
    # when the bulk path answers / then it equals aggregate + combine
    fast = engine.yearly_columns(metrics=[total, mean], units=units, years=years)
    assert fast is not None
    grouped = engine.aggregate(metrics=[total, mean], units=units, periods=years)
    for unit in units:
        for metric in (total, mean):
            for year in years:
                value, _pred = engine.combine(metric, grouped.get((unit.pk, metric.pk, "")), year)
                got = fast.get((metric.pk, years.index(year)), {}).get(unit.pk)
                assert got == (None if value is None else pytest.approx(value))
    assert fast[(total.pk, 1)][world["a"].pk] == pytest.approx(3 + 4 + 3)
    # and a month, a min metric or stale cells send the caller to the general path
    assert (
        engine.yearly_columns(metrics=[total], units=units, years=[parse_period("2025M01")]) is None
    )
    low = MetricFactory(aggregation="min")
    assert engine.yearly_columns(metrics=[low], units=units, years=years) is None
    link(world["ld"], world["c"])
    assert engine.yearly_columns(metrics=[total], units=units, years=years) is None


def test_a_yearly_last_value_reads_the_same_from_cells_as_from_the_values(world):
    # given a yearly "last value" metric (the population of per-1,000 rates) on open and
    # old units (a merge, a split by shares) over three years
    population = MetricFactory(value_type="decimal", aggregation="last", period_kind="year")
    for unit, value in ((world["a"], 300), (world["va"], 40), (world["c"], 500)):
        put(population, unit, "2023", value)
        put(population, unit, "2025", value + 7)
    put(population, world["l3"], "2024", 1000)
    put(population, world["l0"], "2024", 90)
    rollups.rebuild()
    targets = [world[k] for k in ("root", "p", "q", "a", "b", "c", "va")]
    years = [parse_period(y) for y in ("2022", "2023", "2024", "2025")]
    # when the engine answers from the cells and from the values
    with_cells = engine.run(metrics=[population], units=targets, periods=years)
    from django.test import override_settings

    with override_settings(INDICATORS_ROLLUPS=False):
        from_values = engine.run(metrics=[population], units=targets, periods=years)
    # then both answer the same, the predecessors' years included
    assert [(r.unit, r.period, r.value, r.includes_predecessors) for r in with_cells] == [
        (r.unit, r.period, r.value, r.includes_predecessors) for r in from_values
    ]
    assert any(r.value for r in with_cells if r.period == "2024")
