"""Targets of a unit: the extension point through which apps below the targets app read them.

The indicators dashboard, criteria rules (``t.<metric>``) and the hotspot board show actual
against target, but the app that owns targets sits above them (it reads the indicators
engine). It registers one source in its ``AppConfig.ready()``::

    from binhyen.indicators.target_sources import target_sources
    target_sources.register(MySource())

and readers ask the registry, which answers in plain values (``TargetFigure``, floats by
metric code), never the owner's models.

Invariants:
- ``figures`` answers for a user: only units the user may read, as the owner's selectors
  decide; ``values`` answers for units the caller has already scoped (a criteria rule
  evaluates the unit being assessed).
- A unit without targets is absent from the answer (never a zero target).
- With no source registered (the targets app not installed) every answer is empty, so
  readers show what they showed before.
- Several sources may register; for ``values`` the first (by key) that names a metric wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class TargetFigure:
    """One target of one unit and how far it is reached, as plain values."""

    unit_id: int
    metric_code: str
    name: str  # the target's name (translated metric name by default)
    kind: str  # count / increase / rate / change
    comparison: str  # at_least / at_most
    value: float  # the target
    actual: float | None
    percent: float | None  # actual ÷ target × 100 for "at least" targets
    status: str  # met / not_met / exceeded
    status_label: str
    light: str  # green / amber / red / grey
    light_label: str
    label: str  # "đạt 82 %", "đạt 150 % — vượt chỉ tiêu", "chưa có số liệu"
    period: str  # the target's period code
    option: str  # breakdown option ("" for the whole metric)
    url: str  # the target's page


class TargetSource(Protocol):
    """What an owner of targets answers."""

    key: str

    def figures(
        self, *, user: Any, units: Sequence[Any], period_start: date, period_end: date
    ) -> list[TargetFigure]:
        """Return the targets of ``units`` whose period overlaps the dates, with progress."""
        ...

    def values(self, *, units: Sequence[Any], on: date) -> dict[int, dict[str, float]]:
        """Return unit id → metric code → target value for the targets running ``on``."""
        ...


class TargetSourceRegistry:
    """Sources by key; one process-wide registry filled at start-up."""

    def __init__(self) -> None:
        self._sources: dict[str, TargetSource] = {}

    def register(self, source: TargetSource) -> None:
        existing = self._sources.get(source.key)
        if existing is not None and type(existing) is not type(source):
            raise ValueError(f"target source {source.key!r} is already registered")
        self._sources[source.key] = source

    def unregister(self, key: str) -> None:
        self._sources.pop(key, None)

    def sources(self) -> list[TargetSource]:
        return [self._sources[k] for k in sorted(self._sources)]

    def figures(
        self, *, user: Any, units: Sequence[Any], period_start: date, period_end: date
    ) -> dict[int, list[TargetFigure]]:
        """Return unit id → its targets overlapping the dates (units without any absent)."""
        out: dict[int, list[TargetFigure]] = {}
        if not units:
            return out
        for source in self.sources():
            for item in source.figures(
                user=user, units=units, period_start=period_start, period_end=period_end
            ):
                out.setdefault(item.unit_id, []).append(item)
        return out

    def values(self, *, units: Sequence[Any], on: date) -> dict[int, dict[str, float]]:
        """Return unit id → metric code → target value running ``on`` (for rules)."""
        out: dict[int, dict[str, float]] = {}
        if not units:
            return out
        for source in self.sources():
            for unit_id, values in source.values(units=units, on=on).items():
                mine = out.setdefault(unit_id, {})
                for code, value in values.items():
                    mine.setdefault(code, value)
        return out


target_sources = TargetSourceRegistry()
