"""The target-source registry: owners above indicators answer in plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from binhyen.indicators.target_sources import TargetFigure, TargetSourceRegistry


@dataclass
class Unit:
    pk: int


def _figure(unit_id: int, code: str) -> TargetFigure:
    return TargetFigure(
        unit_id=unit_id,
        metric_code=code,
        name=code,
        kind="count",
        comparison="at_least",
        value=6.0,
        actual=9.0,
        percent=150.0,
        status="exceeded",
        status_label="Vượt chỉ tiêu",
        light="green",
        light_label="Đúng tiến độ",
        label="đạt 150 % — vượt chỉ tiêu",
        period="2025",
        option="",
        url="/targets/t/1/",
    )


class Source:
    def __init__(self, key: str, values: dict[int, dict[str, float]]) -> None:
        self.key = key
        self.given = values

    def figures(self, *, user, units, period_start, period_end):
        return [_figure(u.pk, code) for u in units for code in self.given.get(u.pk, {})]

    def values(self, *, units, on):
        return {u.pk: self.given[u.pk] for u in units if u.pk in self.given}


def test_figures_group_by_unit_and_values_take_the_first_source():
    # Given two sources, both naming metric "a" of unit 1
    registry = TargetSourceRegistry()
    registry.register(Source("b", {1: {"a": 2.0}}))
    registry.register(Source("a", {1: {"a": 1.0, "b": 5.0}, 2: {"c": 3.0}}))
    units = [Unit(1), Unit(2), Unit(3)]
    # When asked
    figures = registry.figures(
        user=None, units=units, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)
    )
    values = registry.values(units=units, on=date(2025, 6, 1))
    # Then units without targets are absent and the first source (by key) wins a metric
    assert sorted(figures) == [1, 2] and len(figures[1]) == 3
    assert values == {1: {"a": 1.0, "b": 5.0}, 2: {"c": 3.0}}


def test_a_key_taken_by_another_kind_of_source_is_refused():
    registry = TargetSourceRegistry()
    registry.register(Source("a", {}))
    registry.register(Source("a", {1: {"x": 1.0}}))  # same kind: replaces

    class Other(Source):
        pass

    with pytest.raises(ValueError):
        registry.register(Other("a", {}))
    registry.unregister("a")
    assert registry.sources() == []
