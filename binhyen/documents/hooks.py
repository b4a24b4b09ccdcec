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


def unit_rewards(*, user: Actor, unit: OrgUnit, period: Period) -> list[dict[str, str]]:
    """Return the recipients of the rewards ``unit`` decided in the period (the decision's list).

    ``name`` is the recipient, ``parent`` the unit above it (a village's commune), ``result``
    the form of reward with the decision number.
    """
    from binhyen.awards import selectors as award_selectors

    rows = award_selectors.unit_rewards(user=user, unit=unit, start=period.start, end=period.end)
    return [
        {
            "name": r.name,
            "parent": r.orgunit.parent.name if r.orgunit.parent is not None else "",
            "result": f"{r.form.name} ({r.decision.number})",
        }
        for r in rows
    ]
