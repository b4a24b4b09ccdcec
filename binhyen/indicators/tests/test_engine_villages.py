# mypy: disable-error-code="arg-type, list-item, union-attr"
"""Values captured on villages across the reform: a village with a former commune counts for
the old commune (and its old district and province) up to that commune's last day, and for
its current commune by path, counted once everywhere."""

from __future__ import annotations

import pytest

from binhyen.indicators import engine
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, link, old_unit, put
from binhyen.indicators.tests.test_engine import _plan  # noqa: F401 - every query shape
from binhyen.orgunits.models import LineageKind, UnitKind
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    ProvinceFactory,
    VillageFactory,
    country,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Province P (communes A, B); old province LP / district LD with communes L1 (merged into
    A) and L2 (split: A default, B). Village V sits under A and was in L1; village W sits
    under B and was in L2."""
    root = country()
    p = ProvinceFactory(code="92", name="Tỉnh Mới")
    a = CommuneFactory(code="92001", name="Xã A", parent=p)
    b = CommuneFactory(code="92002", name="Xã B", parent=p)
    lp = old_unit("L92", UnitKind.PROVINCE, root)
    ld = old_unit("L921", UnitKind.DISTRICT, lp)
    l1 = old_unit("L92001", UnitKind.COMMUNE, ld)
    l2 = old_unit("L92002", UnitKind.COMMUNE, ld)
    link(lp, p)
    link(l1, a)
    link(l2, a, LineageKind.SPLIT, is_default=True)
    link(l2, b, LineageKind.SPLIT, is_default=False)
    v = VillageFactory(parent=a, former_parent=l1, name="Thôn Đông")
    w = VillageFactory(parent=b, former_parent=l2, name="Thôn Tây")
    m = MetricFactory(code="t_households", capture_kinds=["commune", "village"])
    put(m, l1, "2025M05", 10)
    put(m, v, "2025M05", 3)
    put(m, v, "2025M06", 1)
    put(m, v, "2025M08", 4)
    put(m, w, "2025M05", 5)
    return {"p": p, "a": a, "b": b, "lp": lp, "ld": ld, "l1": l1, "l2": l2, "m": m}


def _rows(world, units, periods):
    rows = engine.run(
        metrics=[world["m"]],
        units=units,
        periods=[parse_period(p) for p in periods],
        compare=False,
    )
    return {(r.unit, r.period): r.value for r in rows}


def test_old_commune_sees_its_former_villages_before_the_reform(world):
    # given V (now under A) recorded in May, June and August 2025
    # when the old commune L1 is asked / then its own 10 + V's 3 in May, V's 1 in June,
    # nothing after its last day (30/06/2025), and the year folds only what fits
    rows = _rows(world, [world["l1"], world["l2"]], ["2025M05", "2025M06", "2025M08", "2025"])
    assert rows[("L92001", "2025M05")] == 13
    assert rows[("L92001", "2025M06")] == 1
    assert rows[("L92001", "2025M08")] is None
    assert rows[("L92001", "2025")] == 14
    assert rows[("L92002", "2025M05")] == 5


def test_old_district_and_province_see_former_villages(world):
    # when the closed district and province are asked / then both old communes' villages
    rows = _rows(world, [world["ld"], world["lp"]], ["2025M05", "2025M08"])
    assert rows[("L921", "2025M05")] == 18
    assert rows[("L92", "2025M05")] == 18
    assert rows[("L92", "2025M08")] is None


def test_new_commune_sees_the_village_before_and_after_the_reform(world):
    # when the current communes are asked / then A = L1 forwarded (10) + V by path (3) in May,
    # V's 4 in August; B = W's 5 (by path, not through L2's split)
    rows = _rows(world, [world["a"], world["b"]], ["2025M05", "2025M08"])
    assert rows[("92001", "2025M05")] == pytest.approx(13)
    assert rows[("92001", "2025M08")] == 4
    assert rows[("92002", "2025M05")] == 5


def test_new_province_counts_each_village_value_once(world):
    # when the new province is asked / then every value once: 10 + 3 + 5 in May, 4 in August
    rows = _rows(world, [world["p"]], ["2025M05", "2025M08", "2025"])
    assert rows[("92", "2025M05")] == pytest.approx(18)
    assert rows[("92", "2025M08")] == 4
    assert rows[("92", "2025")] == pytest.approx(23)


def test_closed_and_current_targets_in_one_call_agree(world):
    # when old and new units are asked together / then each as when asked alone
    rows = _rows(world, [world["l1"], world["a"], world["lp"], world["p"]], ["2025M05"])
    assert rows[("L92001", "2025M05")] == 13
    assert rows[("92001", "2025M05")] == pytest.approx(13)
    assert rows[("L92", "2025M05")] == 18
    assert rows[("92", "2025M05")] == pytest.approx(18)


def test_closed_targets_with_former_villages_cost_one_grouped_statement(world):
    # when the old commune and province are asked / then still one GROUP BY per path length
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _rows(world, [world["a"]], ["2025M05"])  # builds the cells first in the "rollups" plan
    with CaptureQueriesContext(connection) as captured:
        _rows(world, [world["l1"], world["l2"]], ["2025M05"])
    grouped = [q for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 1
