# mypy: disable-error-code="arg-type, list-item, union-attr"
"""Distinct counts: a thing counts once at every target, however many of the target's units
or predecessors report it (merge, split, chain), next to the same numbers as quantities."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from binhyen.indicators import engine, rollups
from binhyen.indicators.models import DataItem, DataValue
from binhyen.indicators.periods import Period, parse_period
from binhyen.indicators.providers import ProvidedValue, registry
from binhyen.indicators.services import provider_values_sync
from binhyen.indicators.tests.factories import MetricFactory, link, old_unit
from binhyen.orgunits.models import LineageKind, UnitKind
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db


class _Provider:
    """Answers from a dict: period code → [(unit, option, items)]."""

    key = "test.distinct"
    metric_codes: tuple[str, ...] = ("t_things", "t_things_q", "t_things_sum")

    def __init__(self) -> None:
        self.data: dict[str, list[tuple[int, str, tuple[str, ...]]]] = {}

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        for unit_id, option, items in self.data.get(period.code, []):
            yield ProvidedValue(unit_id, float(len(items)), option, items)


@pytest.fixture(autouse=True, params=["small", "large", "rollups"])
def _plan(request, monkeypatch, settings):
    """Both query shapes, and with the pre-aggregated cells on (quantities read them)."""
    settings.INDICATORS_ROLLUPS = request.param == "rollups"
    if request.param == "large":
        monkeypatch.setattr(engine.sql, "SMALL_SUBTREE", -1)
    if request.param == "rollups":
        real = engine.aggregate

        def aggregate(**kwargs):
            if not rollups.usable():
                rollups.rebuild()
            return real(**kwargs)

        monkeypatch.setattr(engine, "aggregate", aggregate)


@pytest.fixture
def provider(monkeypatch):
    p = _Provider()
    monkeypatch.setitem(registry._providers, p.key, p)
    return p


@pytest.fixture
def world(provider):
    """Province P (A, B); old communes L1, L2, L3 merged into A; L4 split 30 % A / 70 % B;
    L5 split without shares (default B); L6 → L7 → B (a chain)."""
    root = country()
    p = ProvinceFactory(code="93", name="Tỉnh Mới")
    a = CommuneFactory(code="93001", parent=p)
    b = CommuneFactory(code="93002", parent=p)
    lp = old_unit("L93", UnitKind.PROVINCE, root)
    ld = old_unit("L931", UnitKind.DISTRICT, lp)
    l1, l2, l3, l4, l5, l6, l7 = (old_unit(f"L9300{i}", UnitKind.COMMUNE, ld) for i in range(1, 8))
    link(lp, p)
    for old in (l1, l2, l3):
        link(old, a)
    link(l4, a, LineageKind.SPLIT, is_default=True, share="0.3")
    link(l4, b, LineageKind.SPLIT, is_default=False, share="0.7")
    link(l5, a, LineageKind.SPLIT, is_default=False)
    link(l5, b, LineageKind.SPLIT, is_default=True)
    link(l6, l7)
    link(l7, b)
    common = {
        "source": "provider",
        "provider_key": provider.key,
        "capture_kinds": ["commune"],
    }
    distinct = MetricFactory(code="t_things", counting="distinct", aggregation="last", **common)
    quantity = MetricFactory(code="t_things_q", aggregation="last", **common)
    summed = MetricFactory(code="t_things_sum", counting="distinct", aggregation="sum", **common)
    return {
        "p": p, "a": a, "b": b, "l1": l1, "l2": l2, "l3": l3, "l4": l4, "l5": l5,
        "l6": l6, "l7": l7, "distinct": distinct, "quantity": quantity, "summed": summed,
    }  # fmt: skip


def _publish(provider, metrics, period, rows):
    provider.data[period] = rows
    for m in metrics:
        provider_values_sync(actor=None, metric=m, period_code=period)


def _values(metric, units, periods, **kw):
    rows = engine.run(
        metrics=[metric], units=units, periods=[parse_period(p) for p in periods], **kw
    )
    return {(r.unit, r.period): r.value for r in rows}


def test_a_scheme_over_three_merged_communes_counts_once(world, provider):
    # given one scheme recorded on the three old communes merged into A
    w = world
    rows = [(w[k].pk, "", ("scheme:1",)) for k in ("l1", "l2", "l3")]
    _publish(provider, [w["distinct"], w["quantity"]], "2025M05", rows)
    # when A and the province are asked / then the distinct count is 1 at both ends
    got = _values(w["distinct"], [w["a"], w["p"]], ["2025M05"], compare=False)
    assert got[("93001", "2025M05")] == 1
    assert got[("93", "2025M05")] == 1
    # and the old commune, read as it was, counts its own scheme
    assert _values(w["distinct"], [w["l1"]], ["2025M05"], compare=False) == {
        ("L93001", "2025M05"): 1
    }
    # while the same numbers as a quantity add up (3 at A)
    q = _values(w["quantity"], [w["a"], w["p"]], ["2025M05"], compare=False)
    assert q[("93001", "2025M05")] == 3
    assert q[("93", "2025M05")] == 3


def test_split_counts_in_each_successor_it_reaches_and_once_at_the_parent(world, provider):
    # given a team on L4 (shares 30/70) and another on L5 (no shares, default B)
    w = world
    rows = [(w["l4"].pk, "", ("team:1",)), (w["l5"].pk, "", ("team:2",))]
    _publish(provider, [w["distinct"], w["quantity"]], "2025M05", rows)
    got = _values(w["distinct"], [w["a"], w["b"], w["p"]], ["2025M05"], compare=False)
    # then team 1 counts in A and in B, team 2 only in B; the province counts 2
    assert got[("93001", "2025M05")] == 1
    assert got[("93002", "2025M05")] == 2
    assert got[("93", "2025M05")] == 2
    # and as a quantity team 1 is apportioned (0.3 + 0.7) and team 2 goes to B
    q = _values(w["quantity"], [w["a"], w["b"], w["p"]], ["2025M05"], compare=False)
    assert q[("93001", "2025M05")] == pytest.approx(0.3)
    assert q[("93002", "2025M05")] == pytest.approx(1.7)
    assert q[("93", "2025M05")] == pytest.approx(2)


def test_chain_and_current_units_count_each_thing_once(world, provider):
    # given a cluster recorded on L6 (→ L7 → B), on L7 and on B itself, and one on A
    w = world
    rows = [
        (w["l6"].pk, "", ("scheme:7",)),
        (w["l7"].pk, "", ("scheme:7", "scheme:8")),
        (w["b"].pk, "", ("scheme:7",)),
        (w["a"].pk, "", ("scheme:9",)),
    ]
    _publish(provider, [w["distinct"], w["quantity"]], "2025M05", rows)
    got = _values(w["distinct"], [w["a"], w["b"], w["p"]], ["2025M05"], compare=False)
    assert got[("93002", "2025M05")] == 2
    assert got[("93001", "2025M05")] == 1
    assert got[("93", "2025M05")] == 3
    q = _values(w["quantity"], [w["b"], w["p"]], ["2025M05"], compare=False)
    assert q[("93002", "2025M05")] == 4
    assert q[("93", "2025M05")] == 5


def test_last_takes_the_latest_month_and_sum_counts_distinct_over_the_span(world, provider):
    # given the same scheme in three months and a second one in May only
    w = world
    metrics = [w["distinct"], w["summed"]]
    _publish(provider, metrics, "2025M04", [(w["a"].pk, "", ("scheme:1",))])
    _publish(provider, metrics, "2025M05", [(w["a"].pk, "", ("scheme:1", "scheme:2"))])
    _publish(provider, metrics, "2025M06", [(w["l1"].pk, "", ("scheme:1",))])
    # when the quarter is asked / then "last" is June's count, "sum" the distinct schemes
    last = _values(w["distinct"], [w["a"], w["p"]], ["2025Q2"], compare=False)
    assert last[("93001", "2025Q2")] == 1
    summed = _values(w["summed"], [w["a"], w["p"]], ["2025Q2", "2025M06"], compare=False)
    assert summed[("93001", "2025Q2")] == 2
    assert summed[("93", "2025Q2")] == 2
    assert summed[("93001", "2025M06")] == 1
    # and comparisons work as for quantities (May → June)
    rows = engine.run(
        metrics=[w["distinct"]], units=[w["a"]], periods=[parse_period("2025M06")], compare=True
    )
    assert rows[0].value == 1 and rows[0].previous == 2 and rows[0].change_abs == -1
    assert rows[0].includes_predecessors


def test_sync_stores_the_items_and_their_number_per_unit(world, provider):
    # given a provider answer with a repeated item / when synced twice with a change
    w = world
    _publish(provider, [w["distinct"]], "2025M05", [(w["l1"].pk, "", ("a:1", "a:2", "a:1"))])
    value = DataValue.objects.get(metric=w["distinct"], orgunit=w["l1"])
    assert value.value == 2
    _publish(provider, [w["distinct"]], "2025M05", [(w["l2"].pk, "", ("a:3",))])
    # then the stored items equal the last answer and the per-unit value follows
    items = set(DataItem.objects.filter(metric=w["distinct"]).values_list("orgunit_id", "item"))
    assert items == {(w["l2"].pk, "a:3")}
    assert list(
        DataValue.objects.filter(metric=w["distinct"]).values_list("orgunit_id", "value")
    ) == [(w["l2"].pk, 1.0)]


def test_a_later_sync_moves_the_counts_at_once(world, provider):
    # given counts already read (cells built when they are on)
    w = world
    _publish(provider, [w["distinct"]], "2025M06", [(w["l1"].pk, "", ("scheme:1",))])
    assert _values(w["distinct"], [w["p"]], ["2025M06"], compare=False)[("93", "2025M06")] == 1
    # when the provider answers differently for that month
    rows = [(w["l1"].pk, "", ("scheme:1",)), (w["l4"].pk, "", ("scheme:1", "scheme:3"))]
    _publish(provider, [w["distinct"]], "2025M06", rows)
    # then the province and the communes show it at once, each thing once
    got = _values(w["distinct"], [w["a"], w["b"], w["p"]], ["2025M06"], compare=False)
    assert got == {("93001", "2025M06"): 2, ("93002", "2025M06"): 2, ("93", "2025M06"): 2}


def test_an_explicit_zero_is_the_latest_count(world, provider):
    # given a scheme in April, then nothing to count in May (the unit still reports)
    w = world
    _publish(provider, [w["distinct"]], "2025M04", [(w["a"].pk, "", ("scheme:1",))])
    _publish(provider, [w["distinct"]], "2025M05", [(w["a"].pk, "", ())])
    # when the quarter is asked / then "last" is May's 0, not April's 1
    got = _values(w["distinct"], [w["a"], w["p"]], ["2025Q2", "2025M05"], compare=False)
    assert got[("93001", "2025Q2")] == 0 and got[("93", "2025Q2")] == 0
    assert got[("93001", "2025M05")] == 0
    assert DataValue.objects.get(metric=w["distinct"], period="2025M05").value == 0


def test_by_option_each_thing_counts_once_in_its_group(world, provider):
    # given a disaggregated distinct metric: scheme 1 (group x) on two old communes merged
    # into A, scheme 2 (y) on one of them, scheme 3 (y) on A itself
    from binhyen.indicators.models import Disaggregation, DisaggregationOption

    w = world
    d = Disaggregation.objects.create(code="t_scheme_kind", name="Loại")
    for i, code in enumerate(("x", "y")):
        DisaggregationOption.objects.create(disaggregation=d, code=code, name=code, sort_order=i)
    metric = MetricFactory(
        code="t_things_dis",
        counting="distinct",
        aggregation="last",
        source="provider",
        provider_key=provider.key,
        capture_kinds=["commune"],
        disaggregation=d,
    )
    rows = [
        (w["l1"].pk, "x", ("scheme:1",)),
        (w["l2"].pk, "x", ("scheme:1",)),
        (w["l2"].pk, "y", ("scheme:2",)),
        (w["a"].pk, "y", ("scheme:3",)),
    ]
    _publish(provider, [metric], "2025M05", rows)
    # when A and the province are asked by group / then each scheme counts once in its group
    by_option = engine.run(
        metrics=[metric],
        units=[w["a"], w["p"]],
        periods=[parse_period("2025M05")],
        compare=False,
        disaggregate=True,
    )
    got = {(r.unit, r.option): r.value for r in by_option}
    assert got[("93001", "x")] == 1 and got[("93001", "y")] == 2
    assert got[("93", "x")] == 1 and got[("93", "y")] == 2
    # and the total counts the three schemes
    assert _values(metric, [w["a"], w["p"]], ["2025M05"], compare=False) == {
        ("93001", "2025M05"): 3,
        ("93", "2025M05"): 3,
    }


def test_cells_refreshed_after_a_write_equal_a_full_rebuild(world, provider, settings):
    # given the cells built, then things published on merged, split, chained and current units
    settings.INDICATORS_ROLLUPS = True
    w = world
    rollups.rebuild()
    rows = [
        (w["l1"].pk, "", ("scheme:1",)),
        (w["l4"].pk, "", ("scheme:1", "team:4")),
        (w["l5"].pk, "", ("team:5",)),
        (w["l6"].pk, "", ("team:6",)),
        (w["a"].pk, "", ("scheme:9",)),
    ]
    _publish(provider, [w["distinct"]], "2025M04", rows)

    def cells():
        return sorted(
            rollups.Rollup.objects.filter(grain="d", metric=w["distinct"]).values_list(
                "unit_id", "period_end", "total", "forwarded"
            )
        )

    # when the refreshed cells (only the units holding items mapped) are compared with a
    # rebuild over the whole map
    refreshed = cells()
    rollups.rebuild()
    # then they are the same, and the province counts each thing once
    assert refreshed == cells()
    assert [c[2] for c in refreshed if c[0] == w["p"].pk] == [5.0]
