"""Actual against target, from the one indicators engine.

Invariants:
- Every figure comes from ``binhyen.indicators.engine``: one ``aggregate`` call per question
  (the periods asked together, with or without breakdown options, and the units asking),
  for every metric of that question and every unit at once, whatever the number of
  targets: usually one for the period with its previous or last year's period (whole
  years of sums and averages then come straight from the yearly cells,
  ``engine.yearly_columns``, the same numbers as ``aggregate`` + ``combine``) and one for the
  seasonal shape. ``combine`` runs once per
  (unit, metric, option, period) into dicts keyed by unit id; a target only looks its
  figures up. Nothing here reads ``DataValue`` or writes SQL, and no call or query is made
  per target.
- The actual of a target depends on its kind: ``count`` the value in the period;
  ``increase`` the value of the period minus that of the previous period of the same kind
  (no earlier value counts as 0); ``rate`` numerator ÷ denominator × 100; ``change`` the
  percentage change against the same period last year.
- Status (GLOSSARY): ``exceeded`` when an "at least" target is passed, ``met`` when it is
  reached exactly or an "at most" target holds, ``not_met`` otherwise (also without data).
- A running period (today inside it) gets a projection: the actual divided by the expected
  share of the period's result by today, which is last year's seasonal shape (last year's
  value up to the same day ÷ last year's total) when last year has data, else the elapsed
  share of days. The shape is read at the deepest level that keeps figures per period
  (``rollups.period_levels()``, the provinces by default): a commune or village is judged
  on its province's shape (its own unit above that level). A province's season is that of
  its communes taken together, steadier than one commune's few numbers, and it is read from
  a few hundred pre-aggregated cells instead of every commune's values. Rates and changes
  are not extrapolated. The traffic light compares the projection (running) or the actual
  (ended) with the target: green on track, amber within ``AMBER_MARGIN`` of it, red
  behind, grey when the period has not started or no data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhyen.core.memory import gc_paused
from binhyen.indicators import engine, rollups
from binhyen.indicators.models import Aggregation, Metric
from binhyen.indicators.periods import KIND_RANK, Period, PeriodKind, parse_period, periods_in
from binhyen.orgunits.models import OrgUnit
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


# Members bound once: looking a member up on its enum class costs a descriptor call, and a
# national batch judges tens of thousands of targets.
_MET, _NOT_MET, _EXCEEDED = Status.MET, Status.NOT_MET, Status.EXCEEDED
_GREEN, _AMBER, _RED, _GREY = Light.GREEN, Light.AMBER, Light.RED, Light.GREY
_COUNT, _INCREASE = TargetKind.COUNT, TargetKind.INCREASE
_RATE, _CHANGE = TargetKind.RATE, TargetKind.CHANGE
_AT_LEAST = Comparison.AT_LEAST


@dataclass(slots=True)
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


# Calendar kinds a stretch of last year is cut into, longest first (see ``_season_split``).
_SPLIT_KINDS = (PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH)


def _season_split(metric: Metric, period: Period, today: date) -> tuple[list[Period], list[Period]]:
    """Return last year's stretch up to the same day as (longer periods, capture periods).

    The values of ``_seasonal_periods`` are those whose capture period ends between the
    start of last year's period and the same day. The same stretch is cut greedily into
    the longest calendar periods (longer than the capture period) that start where the
    previous one ended and end by that day, so the engine sums each in one row per unit;
    what remains (less than a month) is asked as capture periods.
    """
    last = period.same_period_last_year()
    cutoff = last.start + (min(today, period.end) - period.start)
    rank = KIND_RANK[metric.period_kind]
    kinds = [k for k in _SPLIT_KINDS if KIND_RANK[k] > rank]
    coarse: list[Period] = []
    pos = last.start
    while pos <= cutoff:
        for kind in kinds:
            candidate = Period.containing(kind, pos)
            if candidate.start == pos and candidate.end <= cutoff:
                coarse.append(candidate)
                pos = candidate.end + timedelta(days=1)
                break
        else:
            break
    fine = (
        [p for p in periods_in(metric.period_kind, pos, last.end) if pos <= p.end <= cutoff]
        if pos <= min(cutoff, last.end)
        else []
    )
    return coarse, fine


def _seasonal(target: Target, metric: Metric, period: Period, today: date) -> bool:
    return (
        target.kind in (TargetKind.COUNT, TargetKind.INCREASE)
        and metric.aggregation == Aggregation.SUM
        and period.start <= today < period.end
    )


Question = tuple[bool, tuple[Period, ...], int]  # (by option, periods asked together, metric)


class _Plan:
    """The engine questions of a batch of targets and, once asked, their answers.

    A question is (with breakdown options or not, the periods asked together, a metric) with
    the units asking it; questions with the same periods and the same units go to the engine
    together. Every (metric, option, period) a target reads is then one dict keyed by unit id.
    """

    def __init__(self) -> None:
        self.wanted: dict[Question, set[int]] = defaultdict(set)
        self.options: dict[Question, dict[str, set[Period]]] = defaultdict(lambda: defaultdict(set))
        self.metrics: dict[int, Metric] = {}
        self.units: dict[int, Any] = {}
        self.values: dict[tuple[int, str, Period], dict[int, float]] = {}

    def question(self, metric: Metric, option: str, periods: Sequence[Period]) -> Question:
        """Register what (metric, option) is asked over ``periods``; return its key."""
        ordered = tuple(sorted(set(periods), key=lambda p: (p.start, p.end, p.kind)))
        key = (bool(option), ordered, metric.pk)
        self.metrics[metric.pk] = metric
        self.options[key][option].update(ordered)
        return key

    def run(self) -> None:
        """Ask the engine once per (options or not, periods, units) with all its metrics."""
        calls: dict[tuple[bool, tuple[Period, ...], frozenset[int]], list[int]] = defaultdict(list)
        for (by_option, periods, metric_id), unit_ids in self.wanted.items():
            calls[(by_option, periods, frozenset(unit_ids))].append(metric_id)
        for (by_option, periods, asking), metric_ids in calls.items():
            asked = {
                metric_id: {
                    option: [(p, self.values.setdefault((metric_id, option, p), {})) for p in ps]
                    for option, ps in self.options[(by_option, periods, metric_id)].items()
                }
                for metric_id in metric_ids
            }
            units = [self.units[i] for i in sorted(asking)]
            if not by_option and all(p.kind == PeriodKind.YEAR for p in periods):
                metric_ids = self._yearly(metric_ids, units, periods, asked)
                if not metric_ids:
                    continue
            grouped = engine.aggregate(
                metrics=[self.metrics[i] for i in metric_ids],
                units=units,
                periods=periods,
                by_option=by_option,
            )
            for (unit_id, metric_id, option), series in grouped.items():
                sides = asked.get(metric_id, {}).get(option)
                if not sides or unit_id not in asking:
                    continue
                metric = self.metrics[metric_id]
                for period, out in sides:
                    value = engine.combine(metric, series, period)[0]
                    if value is not None:
                        out[unit_id] = value

    def _yearly(
        self,
        metric_ids: list[int],
        units: list[OrgUnit],
        years: tuple[Period, ...],
        asked: dict[int, dict[str, list[tuple[Period, dict[int, float]]]]],
    ) -> list[int]:
        """Answer whole years of sums and averages straight from the yearly cells (the same
        numbers as ``aggregate`` + ``combine``, without a series per unit and metric);
        return the metrics left to ``aggregate`` (all of them when the cells do not serve)."""
        cells = [
            i
            for i in metric_ids
            if self.metrics[i].aggregation in rollups.SERVED and not self.metrics[i].is_distinct
        ]
        yearly = (
            engine.yearly_columns(
                metrics=[self.metrics[i] for i in cells], units=units, years=years
            )
            if cells
            else None
        )
        if yearly is None:
            return metric_ids
        # One column per (metric, year): copied whole into each answer dict asking for it.
        index = {p.end: i for i, p in enumerate(years)}
        for metric_id in cells:
            for period, out in asked[metric_id].get("", ()):
                column = yearly.get((metric_id, index.get(period.end, -1)))
                if column:
                    out.update(column)
        served = set(cells)
        return [i for i in metric_ids if i not in served]

    def answer(self, metric: Metric, option: str, period: Period) -> dict[int, float]:
        """Return the dict (filled by ``run``) of the values of (metric, option, period)."""
        return self.values.setdefault((metric.pk, option, period), {})


def _questions(
    plan: _Plan, target: Target, period: Period, today: date
) -> tuple[list[Question], list[Question], list[Period] | None]:
    """Return the questions a target of this shape asks of its unit, those it asks of the
    unit whose season it follows (last year's total and stretch), and its seasonal periods
    (None when it is not judged on last year's shape)."""
    metric, option = target.metric, target.option
    main = [period]
    reference = _reference(target, period)
    if reference is not None:
        main.append(reference)
    seasonal: list[Period] | None = None
    season_keys: list[Question] = []
    if _seasonal(target, metric, period, today):
        seasonal = []
        season_keys.append(plan.question(metric, option, [period.same_period_last_year()]))
    keys = [plan.question(metric, option, main)]
    if target.denominator is not None:
        keys.append(plan.question(target.denominator, target.denominator_option, [period]))
    if seasonal is not None:
        for part in _season_split(metric, period, today):
            if part:
                season_keys.append(plan.question(metric, option, part))
                seasonal.extend(part)
    return keys, season_keys, seasonal


@dataclass
class _Shape:
    """What every target of one shape reads, each figure a dict keyed by unit id, and when
    its period stands against today (the same for all its targets)."""

    period: Period
    keys: list[Question]
    season_keys: list[Question]  # asked by the unit whose season a target follows
    seasonal: list[Period] | None  # None: not judged on last year's shape
    current: dict[int, float] = field(default_factory=dict)
    reference: dict[int, float] = field(default_factory=dict)  # previous or last year
    base: dict[int, float] = field(default_factory=dict)  # the rate's denominator
    last: dict[int, float] = field(default_factory=dict)  # last year's total (seasonal)
    parts: list[dict[int, float]] = field(default_factory=list)  # last year up to today
    shares: dict[int, float | None] = field(default_factory=dict)  # by unit followed
    unit_ids: set[int] = field(default_factory=set)  # the units of its targets
    started: bool = False  # today is on or after the period's start
    running: bool = False  # today is inside the period, before its last day
    elapsed: float | None = None  # share of days gone, when a running count is projected

    def resolve(self, plan: _Plan, target: Target, today: date) -> None:
        metric, option, period = target.metric, target.option, self.period
        self.current = plan.answer(metric, option, period)
        if target.kind == TargetKind.INCREASE:
            self.reference = plan.answer(metric, option, period.previous())
        elif target.kind == TargetKind.CHANGE:
            self.reference = plan.answer(metric, option, period.same_period_last_year())
        if target.denominator is not None:
            self.base = plan.answer(target.denominator, target.denominator_option, period)
        if self.seasonal is not None:
            self.last = plan.answer(metric, option, period.same_period_last_year())
            self.parts = [plan.answer(metric, option, p) for p in self.seasonal]
        self.started = today >= period.start
        self.running = period.start <= today <= period.end and today < period.end
        if self.running and target.kind in (_COUNT, _INCREASE):
            self.elapsed = ((today - period.start) + timedelta(days=1)) / (
                period.end - period.start + timedelta(days=1)
            )


def evaluate(targets: Sequence[Target], *, today: date) -> list[Progress]:
    """Return the progress of each target (same order).

    Targets of one shape (period, kind, metric, option, denominator) ask the same
    questions, so the plan is made once per shape; the engine is then asked once per
    question for all units at once, and each target only looks its unit up in its shape's
    dicts. Units are read once per unit, not once per target. The garbage collector is
    paused while the results are built (``core.memory.gc_paused``).
    """
    if not targets:
        return []
    with gc_paused():
        return _evaluate(targets, today)


_shape_key = attrgetter(
    "period", "kind", "metric_id", "option", "denominator_id", "denominator_option"
)


def _evaluate(targets: Sequence[Target], today: date) -> list[Progress]:
    plan = _Plan()
    shapes: dict[tuple[Any, ...], _Shape] = {}
    of_target: list[_Shape] = []
    unit_of: list[int] = []
    units: dict[int, OrgUnit] = {}
    for target in targets:
        key = _shape_key(target)
        shape = shapes.get(key)
        if shape is None:
            period = _period(target)
            shape = shapes[key] = _Shape(period, *_questions(plan, target, period, today))
            shape.resolve(plan, target, today)
        unit_id = target.orgunit_id
        if unit_id not in units:
            units[unit_id] = target.orgunit
        shape.unit_ids.add(unit_id)
        of_target.append(shape)
        unit_of.append(unit_id)
    plan.units.update(units)
    # The unit whose seasonal shape each unit follows (its own id when none above it).
    follows = {unit_id: unit_id for unit_id in units}
    if any(shape.season_keys for shape in shapes.values()):
        for unit_id, season in _season_units(units.values()).items():
            follows[unit_id] = season.pk
            plan.units[season.pk] = season
    for shape in shapes.values():
        for question in shape.keys:
            plan.wanted[question].update(shape.unit_ids)
        if shape.season_keys:
            seasons = {follows[unit_id] for unit_id in shape.unit_ids}
            for question in shape.season_keys:
                plan.wanted[question].update(seasons)
    plan.run()
    out: list[Progress] = []
    append = out.append
    for target, shape, unit_id in zip(targets, of_target, unit_of, strict=True):
        kind = target.kind
        actual = shape.current.get(unit_id) if kind == _COUNT else _actual(kind, unit_id, shape)
        share: float | None = None
        if shape.seasonal is not None:
            season_id = follows[unit_id]
            shares = shape.shares
            if season_id in shares:
                share = shares[season_id]
            else:
                share = shares[season_id] = _shape(season_id, shape)
        append(_judge(target, shape, actual, share))
    return out


def _season_units(units: Iterable[OrgUnit]) -> dict[int, OrgUnit]:
    """Return, for each current unit below the levels that keep figures per period, its
    ancestor at the deepest such level (whose seasonal shape it follows); one query."""
    depth = rollups.period_levels()
    wanted: dict[int, str] = {}
    for unit in units:
        if unit.level > depth and unit.valid_to is None:
            codes = unit.path.strip("/").split("/")
            wanted[unit.pk] = "/" + "/".join(codes[: depth + 1]) + "/"
    if not wanted:
        return {}
    by_path = {u.path: u for u in OrgUnit.objects.filter(path__in=set(wanted.values()))}
    return {pk: by_path[path] for pk, path in wanted.items() if path in by_path}


def _actual(kind: str, unit_id: int, shape: _Shape) -> float | None:
    current = shape.current.get(unit_id)
    if kind == _COUNT:
        return current
    if kind == _INCREASE:
        before = shape.reference.get(unit_id)
        if current is None and before is None:
            return None
        return (current or 0.0) - (before or 0.0)
    if kind == _RATE:
        base = shape.base.get(unit_id)
        if current is None or not base:
            return None
        return round(current / base * 100.0, 2)
    last = shape.reference.get(unit_id)
    if current is None or not last:
        return None
    return round((current - last) / abs(last) * 100.0, 2)


def _shape(unit_id: int, shape: _Shape) -> float | None:
    """Return last year's share of the period's result reached by the same day, if known."""
    total = shape.last.get(unit_id)
    if not total or total <= 0:
        return None
    done = 0.0
    for part in shape.parts:
        done += part.get(unit_id) or 0.0
    return min(1.0, done / total)


def _judge(target: Target, shape: _Shape, actual: float | None, season: float | None) -> Progress:
    """Return the progress of ``target`` from its actual and, for a running count, the share
    of the period's result last year's season expects by today (``season``)."""
    goal = target.value
    at_least = target.comparison == _AT_LEAST
    if actual is None:
        return Progress(target, None, None, _NOT_MET, _GREY, shape.running)
    percent = (
        round(actual / goal * 100.0, 1)
        if at_least and goal > 0 and target.kind != _CHANGE
        else None
    )
    if at_least:
        status = _EXCEEDED if actual > goal else _MET if actual == goal else _NOT_MET
    else:
        status = _MET if actual <= goal else _NOT_MET
    if not shape.started:
        return Progress(target, actual, percent, status, _GREY, shape.running)
    elapsed = shape.elapsed
    if elapsed is None:
        return Progress(
            target, actual, percent, status, _light(actual, goal, at_least), shape.running
        )
    share = season if season else elapsed
    judged, projection = actual, None
    if share > 0:
        judged = actual / share
        projection = round(judged, 2)
    return Progress(
        target,
        actual,
        percent,
        status,
        _light(judged, goal, at_least),
        True,
        round(share, 4),
        projection,
        bool(season),
    )


def _light(value: float, goal: float, at_least: bool) -> str:
    if at_least:
        if value >= goal:
            return _GREEN
        return _AMBER if value >= goal * (1 - AMBER_MARGIN) else _RED
    if value <= goal:
        return _GREEN
    margin = abs(goal) * AMBER_MARGIN
    return _AMBER if value <= goal + margin else _RED


def by_unit(progress: Sequence[Progress]) -> dict[int, list[Progress]]:
    out: dict[int, list[Progress]] = defaultdict(list)
    for item in progress:
        out[item.target.orgunit_id].append(item)
    return out
