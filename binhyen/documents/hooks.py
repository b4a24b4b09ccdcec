"""The figures a document takes from apps it reads through their selectors.

Invariant: a hook only reads; it answers for the unit and period the document is about, and
the document shows "đạt x %" only for metrics the hook returns a target for.
"""

from __future__ import annotations

from collections.abc import Sequence

from binhyen.core.actors import Actor
from binhyen.indicators.periods import Period
from binhyen.orgunits.models import OrgUnit
from binhyen.targets import selectors as target_selectors


def unit_targets(
    *, user: Actor, unit: OrgUnit, period: Period, metric_codes: Sequence[str]
) -> dict[str, float]:
    """Return the unit's targets running at the period's end, for the metrics of the report."""
    wanted = set(metric_codes)
    values = target_selectors.unit_target_values(unit=unit, on=period.end)
    return {code: value for code, value in values.items() if code in wanted}
