"""Figures as officers read them: a metric, or each of its kinds when kinds cannot be added.

Invariant: a metric broken down by kinds that cannot be added (``INDICATORS_KINDS_NOT_ADDITIVE``,
default the weapon kinds: a gun and a round are not two "items") is shown kind by kind, never
as a total; any other metric is one figure (its total).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from binhyen.indicators.models import Metric


@dataclass(frozen=True)
class Figure:
    """One figure of the dashboard: a metric, or one kind of a metric reported by kind."""

    metric: Metric
    option: str = ""
    option_label: str = ""

    @property
    def key(self) -> str:
        return f"{self.metric.code}.{self.option}" if self.option else self.metric.code

    @property
    def label(self) -> str:
        if self.option:
            return f"{self.metric.label} — {self.option_label}"
        return str(self.metric.label)


# Breakdowns whose kinds cannot be added up (a gun and a round are not two "items"): a metric
# broken down this way is shown kind by kind, never as a total. A breakdown of one thing into
# groups (crimes by group) keeps its total.
DEFAULT_KINDS_NOT_ADDITIVE = ("weapon_kind",)


def not_additive() -> set[str]:
    return set(getattr(settings, "INDICATORS_KINDS_NOT_ADDITIVE", DEFAULT_KINDS_NOT_ADDITIVE))


def figures_of(metrics: list[Metric]) -> list[Figure]:
    """Every metric, or each of its kinds when its kinds cannot be added (never their total)."""
    figures: list[Figure] = []
    separate = not_additive()
    for m in metrics:
        breakdown = m.disaggregation
        by_kind = breakdown is not None and breakdown.code in separate
        options = list(breakdown.options.all()) if breakdown is not None and by_kind else []
        if options:
            figures.extend(Figure(m, o.code, str(o.label)) for o in options)
        else:
            figures.append(Figure(m))
    return figures
