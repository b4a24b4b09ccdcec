"""Validation rules between metrics of one unit and period: which of them a report breaks.

Invariant: reads only; a rule side missing from the values given is read from the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from binhyen.core.formats import format_number
from binhyen.indicators.models import (
    RuleSeverity,
    ValidationRule,
)
from binhyen.indicators.periods import Period
from binhyen.orgunits.models import OrgUnit


@dataclass
class RuleResult:
    rule: ValidationRule
    left: float
    right: float

    @property
    def message(self) -> str:
        return _(
            "Quy tắc “%(name)s” không thỏa: %(left_name)s (%(left)s) %(op)s "
            "%(right_name)s (%(right)s) là sai."
        ) % {
            "name": self.rule.label,
            "left_name": self.rule.left_metric.label,
            "right_name": self.rule.right_metric.label,
            "left": format_number(self.left),
            "op": self.rule.get_operator_display(),
            "right": format_number(self.right),
        }

    @property
    def is_error(self) -> bool:
        return self.rule.severity == RuleSeverity.ERROR


def rules_check(
    *, unit: OrgUnit, period: Period, values: dict[int, float], metric_ids: Iterable[int]
) -> list[RuleResult]:
    """Return the broken rules among those whose left metric is in ``metric_ids``.

    ``values`` maps metric id → total value of this unit and period (entered values); a rule
    side missing there is read from the engine for the same unit and period.
    """
    ids = set(metric_ids)
    rules = list(
        ValidationRule.objects.filter(is_active=True, left_metric_id__in=ids).select_related(
            "left_metric", "right_metric"
        )
    )
    broken: list[RuleResult] = []
    missing = {r.right_metric for r in rules if r.right_metric_id not in values}
    outside: dict[int, float | None] = {}
    if missing:
        from binhyen.indicators.engine import unit_values

        outside = unit_values(unit=unit, period=period, metrics=list(missing))
    for rule in rules:
        left = values.get(rule.left_metric_id)
        right = values.get(rule.right_metric_id, outside.get(rule.right_metric_id))
        if left is None or right is None:
            continue
        if not rule.holds(left, right):
            broken.append(RuleResult(rule=rule, left=left, right=right))
    return broken
