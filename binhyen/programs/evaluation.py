"""Where a unit stands against a criteria set: per-criterion status, x/y met, the condition.

Invariants:
- Each rule is compiled once per set and evaluated over all units at once by
  ``columnar`` (exactly the ``cel`` library's outcomes); the units or rules it leaves
  undecided are evaluated by the ``cel`` library in one CEL context built once per unit, on
  demand. Figures for every unit come from one ``figures.fetch`` (engine) call.
- Before submission rule criteria are evaluated live; from submission on, the outcome and
  the figures frozen in ``Assessment`` are used, so the verifier sees what was submitted.
- A verifier's verdict overrides the unit's own result for that criterion.
- Status of a criterion: ``met``, ``not_met``, ``insufficient`` (a rule without the data it
  needs), ``error`` (a rule that cannot be computed, e.g. 0/0), ``pending`` (nothing
  self-assessed yet, or evidence still missing). Only ``met`` counts toward "x/y".
- Recognition condition: every mandatory criterion met, at least ``min_optional_met`` of
  the others met, and (when set) at least ``min_points`` points.
- Classification: the level by points is the best level whose threshold the points reach;
  caps then apply across the units classified together (one decision), best level first:
  at most ``max_share`` % of the units whose level by points is ``base`` or better (all
  units when no base) keep the capped level; the rest, lowest points first (ties: unit
  code), move one level down.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Count
from django.utils.translation import gettext as _

from binhyen.core.memory import gc_paused
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period, parse_period
from binhyen.orgunits.models import OrgUnit
from binhyen.programs import columnar, rules
from binhyen.programs import figures as figures_mod
from binhyen.programs.models import (
    CLASSIFICATION_ORDER,
    Assessment,
    Criterion,
    CriterionKind,
    Enrollment,
    EnrollmentStatus,
)

MET = rules.MET
NOT_MET = rules.NOT_MET
INSUFFICIENT = rules.INSUFFICIENT
ERROR = rules.ERROR
PENDING = "pending"


def status_label(status: str) -> str:
    return {
        MET: _("Đạt"),
        NOT_MET: _("Không đạt"),
        INSUFFICIENT: _("Không đủ dữ liệu"),
        ERROR: _("Lỗi tính toán"),
        PENDING: _("Chưa đủ hồ sơ"),
    }.get(status, status)


@dataclass
class FigureRow:
    """One number behind a rule: the metric, its value now and in the previous window."""

    code: str
    name: str
    unit_of_measure: str
    current: float | None
    previous: float | None
    reads_previous: bool


@dataclass
class CriterionResult:
    criterion: Criterion
    status: str
    points: Decimal | None = None
    figures: list[FigureRow] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    message: str = ""
    assessment: Assessment | None = None
    evidence_count: int = 0
    verified: bool = False
    self_status: str = ""
    outcome: rules.Outcome | None = None  # a rule's raw outcome (frozen at submission)

    @property
    def met(self) -> bool:
        return self.status == MET

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass
class Progress:
    """x/y criteria met, points, the condition, and what is still missing."""

    results: list[CriterionResult]
    min_optional_met: int = 0
    min_points: Decimal | None = None

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.results if r.met)

    @property
    def points_total(self) -> Decimal:
        return sum((r.points or Decimal(0) for r in self.results), Decimal(0))

    @property
    def has_points(self) -> bool:
        return any(r.criterion.max_points is not None for r in self.results)

    @property
    def mandatory_failed(self) -> list[CriterionResult]:
        return [r for r in self.results if r.criterion.mandatory and not r.met]

    @property
    def optional_met(self) -> int:
        return sum(1 for r in self.results if not r.criterion.mandatory and r.met)

    @property
    def condition_met(self) -> bool:
        return condition_met(
            [(r.criterion.mandatory, r.met) for r in self.results],
            min_optional_met=self.min_optional_met,
            points_total=self.points_total,
            min_points=self.min_points,
        )

    @property
    def missing(self) -> list[str]:
        return [f"{r.criterion.code}: {m}" for r in self.results for m in r.missing]

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for r in self.results:
            out[r.status] += 1
        return dict(out)

    @property
    def groups(self) -> list[tuple[str, list[CriterionResult]]]:
        order: dict[str, list[CriterionResult]] = {}
        for r in self.results:
            order.setdefault(r.criterion.group, []).append(r)
        return list(order.items())


def condition_met(
    items: Iterable[tuple[bool, bool]],
    *,
    min_optional_met: int,
    points_total: Decimal,
    min_points: Decimal | None,
) -> bool:
    """Return True if ``items`` ((mandatory, met) per criterion) satisfy the condition."""
    optional = 0
    for mandatory, met in items:
        if mandatory and not met:
            return False
        if not mandatory and met:
            optional += 1
    if optional < min_optional_met:
        return False
    return min_points is None or points_total >= min_points


# --- compiling and evaluating rules ----------------------------------------------------------


@dataclass
class CompiledSet:
    criteria: list[Criterion]
    rules: dict[int, rules.CompiledRule]
    broken: dict[int, str]
    metric_codes: list[str]
    target_codes: list[str] = field(default_factory=list)  # metrics read through t
    plans: dict[int, columnar.Plan | None] = field(default_factory=dict)  # by criterion id


def compile_criteria(criteria: Sequence[Criterion]) -> CompiledSet:
    """Compile every rule criterion once (they were checked on save)."""
    compiled: dict[int, rules.CompiledRule] = {}
    broken: dict[int, str] = {}
    codes: list[str] = []
    target_codes: list[str] = []
    plans: dict[int, columnar.Plan | None] = {}
    for criterion in criteria:
        if criterion.kind != CriterionKind.RULE:
            continue
        try:
            rule = rules.compile_rule(criterion.expression)
        except rules.RuleError as exc:
            broken[criterion.pk] = exc.message
            continue
        compiled[criterion.pk] = rule
        plans[criterion.pk] = columnar.plan(criterion.expression)
        codes.extend(rule.metric_codes)
        target_codes.extend(rule.targets)
    return CompiledSet(
        list(criteria),
        compiled,
        broken,
        list(dict.fromkeys(codes)),
        list(dict.fromkeys(target_codes)),
        plans,
    )


def evaluate_units(
    compiled: CompiledSet, figures: Mapping[int, figures_mod.UnitFigures]
) -> dict[int, dict[int, rules.Outcome]]:
    """Return unit id → criterion id → outcome of every rule, for units in ``figures``."""
    unit_ids = list(figures)
    if isinstance(figures, figures_mod.FigureTable):
        columns = columnar.Columns.of_table(figures)
    else:
        columns = columnar.Columns([figures[u] for u in unit_ids])
    contexts: dict[int, Any] = {}

    def by_cel(rule: rules.CompiledRule) -> Any:
        def run(i: int) -> rules.Outcome:
            fig = figures[unit_ids[i]]  # assembled only for the units the plan leaves
            ctx = contexts.get(i)
            if ctx is None:
                ctx = contexts[i] = rules.context(fig.current, fig.previous, fig.facts, fig.targets)
            return rules.evaluate(rule, ctx, fig.current, fig.previous, fig.facts, fig.targets)

        return run

    criterion_ids = list(compiled.rules)
    out: dict[int, dict[int, rules.Outcome]] = {}
    with gc_paused():
        by_rule = [
            columnar.outcomes(rule, compiled.plans.get(criterion_id), columns, by_cel(rule))
            for criterion_id, rule in compiled.rules.items()
        ]
        rows = zip(*by_rule, strict=True) if by_rule else [()] * len(unit_ids)
        for unit_id, row in zip(unit_ids, rows, strict=True):
            outcomes = dict(zip(criterion_ids, row, strict=True))
            for criterion_id, message in compiled.broken.items():
                outcomes[criterion_id] = rules.Outcome(rules.ERROR, message=message)
            out[unit_id] = outcomes
    return out


def evaluate_set(
    *, criteria: Sequence[Criterion], units: Sequence[OrgUnit], period: Period
) -> tuple[CompiledSet, figures_mod.FigureTable, dict[int, dict[int, rules.Outcome]]]:
    """Evaluate every rule of ``criteria`` for every unit: one fetch, one compile."""
    compiled = compile_criteria(criteria)
    figs = figures_mod.fetch(
        units=units,
        period=period,
        metric_codes=compiled.metric_codes,
        target_codes=compiled.target_codes,
    )
    return compiled, figs, evaluate_units(compiled, figs)


# --- per-criterion results ---------------------------------------------------------------------


def _metric_labels(codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return {}
    return {
        metric.code: (metric.label, metric.unit_of_measure)
        for metric in Metric.objects.filter(code__in=wanted).only(
            "code", "name", "name_en", "unit_of_measure"
        )
    }


def _figure_rows(
    rule: rules.CompiledRule | None,
    current: Mapping[str, float],
    previous: Mapping[str, float],
    labels: Mapping[str, tuple[str, str]],
) -> list[FigureRow]:
    if rule is None:
        return []
    rows = []
    for code in rule.metric_codes:
        name, uom = labels.get(code, (code, ""))
        rows.append(
            FigureRow(
                code=code,
                name=name,
                unit_of_measure=uom,
                current=current.get(code),
                previous=previous.get(code),
                reads_previous=code in rule.previous,
            )
        )
    return rows


def _missing_text(missing: Sequence[str], labels: Mapping[str, tuple[str, str]]) -> str:
    names = []
    for item in missing:
        variable, _dot, code = item.partition(".")
        name = labels.get(code, (code, ""))[0]
        if variable == "prev":
            names.append(_("%(name)s (kỳ trước)") % {"name": name})
        elif variable == "unit":
            names.append(_("thông tin đơn vị “%(fact)s”") % {"fact": code})
        elif variable == "t":
            names.append(_("chỉ tiêu được giao: %(name)s") % {"name": name})
        else:
            names.append(name)
    return _("Thiếu số liệu: %(names)s") % {"names": "; ".join(names)}


def _default_points(criterion: Criterion, met: bool) -> Decimal | None:
    if criterion.max_points is None or criterion.kind == CriterionKind.POINTS:
        return None
    return criterion.max_points if met else Decimal(0)


def criterion_result(
    criterion: Criterion,
    *,
    assessment: Assessment | None,
    evidence_count: int,
    outcome: rules.Outcome | None,
    rule: rules.CompiledRule | None,
    current: Mapping[str, float],
    previous: Mapping[str, float],
    labels: Mapping[str, tuple[str, str]],
) -> CriterionResult:
    """Combine the rule outcome, the self-assessment and the verification of one criterion."""
    result = CriterionResult(criterion=criterion, status=PENDING, assessment=assessment)
    result.evidence_count = evidence_count
    if criterion.kind == CriterionKind.RULE:
        result.figures = _figure_rows(rule, current, previous, labels)
        status = outcome.status if outcome is not None else ERROR
        result.status = status
        result.outcome = outcome
        if outcome is not None and status == INSUFFICIENT:
            result.missing.append(_missing_text(outcome.missing, labels))
        if outcome is not None and outcome.message:
            result.message = outcome.message
        result.points = _default_points(criterion, status == MET)
    elif criterion.kind == CriterionKind.EVIDENCE:
        claimed = assessment.self_met if assessment is not None else None
        if claimed is None:
            result.status = PENDING
            result.missing.append(_("Chưa tự đánh giá, chưa có minh chứng"))
        elif claimed and evidence_count == 0:
            result.status = PENDING
            result.missing.append(_("Chưa có minh chứng"))
        else:
            result.status = MET if claimed else NOT_MET
        result.points = _default_points(criterion, result.status == MET)
    else:
        proposed = assessment.self_points if assessment is not None else None
        if proposed is None:
            result.status = PENDING
            result.missing.append(_("Chưa chấm điểm"))
        else:
            result.points = proposed
            threshold = criterion.pass_points if criterion.pass_points is not None else Decimal(0)
            result.status = MET if proposed >= threshold else NOT_MET
    result.self_status = result.status
    if assessment is not None and assessment.verdict:
        result.verified = True
        result.missing = []
        result.status = MET if assessment.verified_met else NOT_MET
        if assessment.verified_points is not None:
            result.points = assessment.verified_points
        elif criterion.kind != CriterionKind.POINTS:
            result.points = _default_points(criterion, bool(assessment.verified_met))
    return result


# --- progress of enrolments ----------------------------------------------------------------------


def _frozen_outcome(
    assessment: Assessment | None,
) -> tuple[rules.Outcome, dict[str, float], dict[str, float]]:
    if assessment is None or not assessment.rule_status:
        return rules.Outcome(ERROR, message=_("Không có kết quả khi nộp.")), {}, {}
    data = assessment.figures or {}
    return (
        rules.Outcome(
            assessment.rule_status,
            missing=list(data.get("missing", [])),
            message=str(data.get("message", "")),
        ),
        dict(data.get("m", {})),
        dict(data.get("prev", {})),
    )


class AssessedRow(NamedTuple):
    """What a criterion's status reads of its assessment, without the model instance: the
    overview of thousands of files reads these columns only (``progress_many(lean=True)``)."""

    pk: int
    enrollment_id: int
    criterion_id: int
    self_met: bool | None
    self_points: Decimal | None
    rule_status: str
    figures: dict[str, Any]
    verdict: str
    verified_met: bool | None
    verified_points: Decimal | None
    evidence_count: int


def _assessed(group: Sequence[Enrollment], *, lean: bool) -> Iterable[Any]:
    """Return the assessments of ``group`` with their evidence counted (one grouped read):
    model instances, or ``AssessedRow`` tuples when ``lean``."""
    rows = (
        Assessment.objects.filter(enrollment__in=group)
        .annotate(evidence_count=Count("evidence"))
        .order_by()
    )
    if not lean:
        return rows
    return map(AssessedRow._make, rows.values_list(*AssessedRow._fields))


def progress_many(enrollments: Sequence[Enrollment], *, lean: bool = False) -> dict[int, Progress]:
    """Return the progress of each enrolment; live rules need one engine call per set.

    ``lean``: only the statuses, points and condition (what an overview of many files
    counts): no figure rows, and the assessments read as ``AssessedRow`` tuples."""
    out: dict[int, Progress] = {}
    by_set: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in enrollments:
        by_set[enrollment.criteria_set_id].append(enrollment)
    for group in by_set.values():
        criteria_set = group[0].criteria_set
        criteria = list(criteria_set.criteria.all())
        compiled = compile_criteria(criteria)
        live = [e for e in group if e.status == EnrollmentStatus.ENROLLED]
        outcomes: dict[int, dict[int, rules.Outcome]] = {}
        figs: dict[int, figures_mod.UnitFigures] = {}
        by_period: dict[str, list[Enrollment]] = defaultdict(list)
        for enrollment in live:
            by_period[enrollment.period].append(enrollment)
        for period_code, members in by_period.items():
            units = [e.unit for e in members]
            fetched = figures_mod.fetch(
                units=units,
                period=parse_period(period_code),
                metric_codes=compiled.metric_codes,
                target_codes=compiled.target_codes,
            )
            figs.update({(e.pk): fetched[e.unit_id] for e in members})
            evaluated = evaluate_units(compiled, fetched)
            outcomes.update({e.pk: evaluated[e.unit_id] for e in members})
        assessments: dict[tuple[int, int], Any] = {}
        evidence: dict[tuple[int, int], int] = defaultdict(int)
        # Evidence is counted, not loaded: one grouped read of the assessments.
        for a in _assessed(group, lean=lean):
            assessments[(a.enrollment_id, a.criterion_id)] = a
            evidence[(a.enrollment_id, a.criterion_id)] = a.evidence_count
        labels = _metric_labels([*compiled.metric_codes, *compiled.target_codes])
        for enrollment in group:
            results = []
            for criterion in criteria:
                assessment = assessments.get((enrollment.pk, criterion.pk))
                rule = None if lean else compiled.rules.get(criterion.pk)  # figure rows
                current: Mapping[str, float] = {}
                previous: Mapping[str, float] = {}
                outcome: rules.Outcome | None = None
                if criterion.kind == CriterionKind.RULE:
                    if enrollment.pk in outcomes:
                        outcome = outcomes[enrollment.pk].get(criterion.pk)
                        fig = figs[enrollment.pk]
                        current, previous = fig.current, fig.previous
                    else:
                        outcome, current, previous = _frozen_outcome(assessment)
                results.append(
                    criterion_result(
                        criterion,
                        assessment=assessment,
                        evidence_count=evidence[(enrollment.pk, criterion.pk)],
                        outcome=outcome,
                        rule=rule,
                        current=current,
                        previous=previous,
                        labels=labels,
                    )
                )
            out[enrollment.pk] = Progress(
                results,
                min_optional_met=criteria_set.min_optional_met,
                min_points=criteria_set.min_points,
            )
    return out


def progress(enrollment: Enrollment) -> Progress:
    return progress_many([enrollment])[enrollment.pk]


def freeze_figures(result: CriterionResult) -> dict[str, Any]:
    """Return what is stored with a rule's outcome at submission: the numbers it read."""
    outcome = result.outcome or rules.Outcome(ERROR)
    return {
        "m": {f.code: f.current for f in result.figures if f.current is not None},
        "prev": {
            f.code: f.previous
            for f in result.figures
            if f.reads_previous and f.previous is not None
        },
        "missing": list(outcome.missing),
        "message": outcome.message,
    }


# --- classification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Classified:
    by_points: str
    level: str
    capped: bool


def level_by_points(points: Decimal, levels: Sequence[Mapping[str, Any]]) -> str:
    """Return the best level whose threshold ``points`` reach (the lowest level otherwise)."""
    configured = [lv for lv in levels if lv.get("min_points") is not None]
    for item in configured:
        if points >= Decimal(str(item["min_points"])):
            return str(item["level"])
    if levels:
        return str(levels[-1]["level"])
    return CLASSIFICATION_ORDER[-1]


def classify(
    points: Mapping[Any, tuple[Decimal, str]],
    *,
    levels: Sequence[Mapping[str, Any]],
    caps: Sequence[Mapping[str, Any]],
) -> dict[Any, Classified]:
    """Classify units of one batch: key → (points, tie-break code) to level with caps applied."""
    order = [str(lv["level"]) for lv in levels] or list(CLASSIFICATION_ORDER)
    by_points = {key: level_by_points(p, levels) for key, (p, _code) in points.items()}
    final = dict(by_points)

    def rank(level: str) -> int:
        return order.index(level) if level in order else len(order)

    for cap in sorted(caps, key=lambda c: rank(str(c["level"]))):
        level = str(cap["level"])
        base = str(cap.get("base") or "")
        if base:
            base_count = sum(1 for lv in by_points.values() if rank(lv) <= rank(base))
        else:
            base_count = len(by_points)
        allowed = math.floor(Decimal(str(cap["max_share"])) * base_count / Decimal(100))
        holders = [key for key, lv in final.items() if lv == level]
        if len(holders) <= allowed:
            continue
        holders.sort(key=lambda key: (-points[key][0], points[key][1]))
        lower = order[rank(level) + 1] if rank(level) + 1 < len(order) else level
        for key in holders[allowed:]:
            final[key] = lower
    return {
        key: Classified(by_points[key], final[key], final[key] != by_points[key]) for key in points
    }
