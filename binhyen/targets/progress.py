"""Actual against target, from the one indicators engine.

Invariants:
- Every figure comes from ``binhyen.indicators.engine``: one ``aggregate`` call (two when
  some target reads a breakdown option) for any number of targets, then ``combine`` per
  target and period. Nothing here reads ``DataValue`` or writes SQL.
- The actual of a target depends on its kind: ``count`` the value in the period;
  ``increase`` the value of the period minus that of the previous period of the same kind
  (no earlier value counts as 0); ``rate`` numerator ÷ denominator × 100; ``change`` the
  percentage change against the same period last year.
- Status (GLOSSARY): ``exceeded`` when an "at least" target is passed, ``met`` when it is
  reached exactly or an "at most" target holds, ``not_met`` otherwise (also without data).
- A running period (today inside it) gets a projection: the actual divided by the expected
  share of the period's result by today, which is last year's seasonal shape (last year's
  value up to the same day ÷ last year's total) when last year has data, else the elapsed
  share of days. Rates and changes are not extrapolated. The traffic light compares the
  projection (running) or the actual (ended) with the target: green on track, amber within
  ``AMBER_MARGIN`` of it, red behind, grey when the period has not started or no data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhyen.indicators import engine
from binhyen.indicators.models import Aggregation, Metric
from binhyen.indicators.periods import Period, parse_period, periods_in
from binhyen.targets.models import Comparison, Target, TargetKind

AMBER_MARGIN = 0.1


class Status(models.TextChoices):
    MET = "met", gettext_lazy("Đạt")
    NOT_MET = "not_met", gettext_lazy("Chưa đạt")
    EXCEEDED = "exceeded", gettext_lazy("Vượt chỉ tiêu")


class Light(models.TextChoices):
    GREEN = "green", gettext_lazy("Đúng tiến độ")
    AMBER = "amber", gettext_lazy("Cần đẩy nhanh")
    RED = "red", gettext_lazy("Chậm tiến độ")
    GREY = "grey", gettext_lazy("Chưa đánh giá")


@dataclass
class Progress:
    target: Target
    actual: float | None
    percent: float | None
    status: str
    light: str
    running: bool
    expected_share: float | None = None
    projection: float | None = None
    seasonal: bool = False

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def light_label(self) -> str:
        return str(Light(self.light).label)

    @property
    def behind(self) -> bool:
        return self.light == Light.RED

    @property
    def label(self) -> str:
        """Return "đạt 82 %", "đạt 150 % — vượt chỉ tiêu", or the status when no percent."""
        if self.actual is None:
            return _("chưa có số liệu")
        if self.percent is None:
            return self.status_label.lower()
        text = _("đạt %(pct)s %%") % {"pct": number(self.percent)}
        if self.status == Status.EXCEEDED:
            return _("%(text)s — vượt chỉ tiêu") % {"text": text}
        return text


def number(value: Any, decimals: int = 1) -> str:
    """Return ``value`` in the page's locale, without a useless ",0" ("–" when no number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "–"
    rounded = round(value, decimals)
    if rounded == int(rounded):
        return formats.number_format(int(rounded), use_l10n=True, force_grouping=True)
    return formats.number_format(rounded, decimal_pos=decimals, use_l10n=True)


def _period(target: Target) -> Period:
    return parse_period(target.period)


def _reference(target: Target, period: Period) -> Period | None:
    if target.kind == TargetKind.INCREASE:
        return period.previous()
    if target.kind == TargetKind.CHANGE:
        return period.same_period_last_year()
    return None


def _seasonal_periods(metric: Metric, period: Period, today: date) -> list[Period]:
    """Return last year's capture periods up to the same day, for the seasonal shape."""
    last = period.same_period_last_year()
    cutoff = last.start + (min(today, period.end) - period.start)
    return [p for p in periods_in(metric.period_kind, last.start, last.end) if p.end <= cutoff]


def _seasonal(target: Target, metric: Metric, period: Period, today: date) -> bool:
    return (
        target.kind in (TargetKind.COUNT, TargetKind.INCREASE)
        and metric.aggregation == Aggregation.SUM
        and period.start <= today < period.end
    )


def evaluate(targets: Sequence[Target], *, today: date) -> list[Progress]:
    """Return the progress of each target (same order), asking the engine once."""
    if not targets:
        return []
    units = list({t.orgunit_id: t.orgunit for t in targets}.values())
    plain: dict[int, Metric] = {}
    options: dict[int, Metric] = {}
    periods: set[Period] = set()
    for target in targets:
        period = _period(target)
        periods.add(period)
        reference = _reference(target, period)
        if reference is not None:
            periods.add(reference)
        sides = [(target.metric, target.option)]
        if target.denominator is not None:
            sides.append((target.denominator, target.denominator_option))
        for metric, option in sides:
            (options if option else plain)[metric.pk] = metric
        if _seasonal(target, target.metric, period, today):
            last = period.same_period_last_year()
            periods.add(last)
            periods.update(_seasonal_periods(target.metric, period, today))
    grouped = engine.aggregate(metrics=list(plain.values()), units=units, periods=periods)
    by_option = (
        engine.aggregate(
            metrics=list(options.values()), units=units, periods=periods, by_option=True
        )
        if options
        else {}
    )

    def value(metric: Metric, option: str, unit_id: int, period: Period) -> float | None:
        source = by_option if option else grouped
        return engine.combine(metric, source.get((unit_id, metric.pk, option)), period)[0]

    out: list[Progress] = []
    for target in targets:
        period = _period(target)
        actual = _actual(target, period, value)
        shape: float | None = None
        if _seasonal(target, target.metric, period, today):
            shape = _shape(target, period, today, value)
        out.append(_judge(target, period, actual, today, shape))
    return out


def _actual(target: Target, period: Period, value: Any) -> float | None:
    unit_id = target.orgunit_id
    current = value(target.metric, target.option, unit_id, period)
    kind = target.kind
    if kind == TargetKind.COUNT:
        return current
    if kind == TargetKind.INCREASE:
        before = value(target.metric, target.option, unit_id, period.previous())
        if current is None and before is None:
            return None
        return (current or 0.0) - (before or 0.0)
    if kind == TargetKind.RATE:
        if target.denominator is None:
            return None
        base = value(target.denominator, target.denominator_option, unit_id, period)
        if current is None or not base:
            return None
        return round(current / base * 100.0, 2)
    last = value(target.metric, target.option, unit_id, period.same_period_last_year())
    if current is None or not last:
        return None
    return round((current - last) / abs(last) * 100.0, 2)


def _shape(target: Target, period: Period, today: date, value: Any) -> float | None:
    """Return last year's share of the period's result reached by the same day, if known."""
    metric, option, unit_id = target.metric, target.option, target.orgunit_id
    total = value(metric, option, unit_id, period.same_period_last_year())
    if not total or total <= 0:
        return None
    done = 0.0
    for sub in _seasonal_periods(metric, period, today):
        done += value(metric, option, unit_id, sub) or 0.0
    return min(1.0, done / total)


def _judge(
    target: Target, period: Period, actual: float | None, today: date, shape: float | None
) -> Progress:
    goal = target.value
    at_least = target.comparison == Comparison.AT_LEAST
    percent = (
        round(actual / goal * 100.0, 1)
        if at_least and actual is not None and goal > 0 and target.kind != TargetKind.CHANGE
        else None
    )
    if actual is None:
        status = Status.NOT_MET
    elif at_least:
        status = (
            Status.EXCEEDED if actual > goal else Status.MET if actual == goal else (Status.NOT_MET)
        )
    else:
        status = Status.MET if actual <= goal else Status.NOT_MET
    running = period.start <= today <= period.end and today < period.end
    progress = Progress(
        target=target,
        actual=actual,
        percent=percent,
        status=status,
        light=Light.GREY,
        running=running,
    )
    if today < period.start or actual is None:
        return progress
    judged = actual
    if running and target.kind in (TargetKind.COUNT, TargetKind.INCREASE):
        elapsed = ((today - period.start) + timedelta(days=1)) / (
            period.end - period.start + timedelta(days=1)
        )
        share = shape if shape else elapsed
        progress.seasonal = bool(shape)
        progress.expected_share = round(share, 4)
        if share > 0:
            judged = actual / share
            progress.projection = round(judged, 2)
    progress.light = _light(judged, goal, at_least)
    return progress


def _light(value: float, goal: float, at_least: bool) -> str:
    if at_least:
        if value >= goal:
            return Light.GREEN
        return Light.AMBER if value >= goal * (1 - AMBER_MARGIN) else Light.RED
    if value <= goal:
        return Light.GREEN
    margin = abs(goal) * AMBER_MARGIN
    return Light.AMBER if value <= goal + margin else Light.RED


def by_unit(progress: Sequence[Progress]) -> dict[int, list[Progress]]:
    out: dict[int, list[Progress]] = defaultdict(list)
    for item in progress:
        out[item.target.orgunit_id].append(item)
    return out
