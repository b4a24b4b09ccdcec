"""Numbers the awards app publishes to the indicators engine: rewards by level, per year.

Invariants:
- A reward counts on the unit that proposed it (a village's Giấy khen proposed by its
  commune counts in the commune), so a province total is the sum of its communes and its own.
- Options are ``Level`` codes; every (unit, level) appears at most once per year; a unit that
  ever proposed a decided reward gets explicit zeros for the other levels of a year it has any.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count

from binhyen.indicators.periods import Period
from binhyen.indicators.providers import ProvidedValue, registry

KEY = "awards.rewards"
COLLECTIVE = "rewards_collective"
INDIVIDUAL = "rewards_individual"
METRICS = (COLLECTIVE, INDIVIDUAL)


class RewardProvider:
    """Rewards decided in the year, collective or individual, by granting level."""

    key: str = KEY
    metric_codes: tuple[str, ...] = METRICS

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        from binhyen.awards.models import Level, Reward

        if metric_code not in METRICS:
            return ()
        rows = (
            Reward.objects.filter(year=period.start.year, is_collective=metric_code == COLLECTIVE)
            .values_list("proposer_unit_id", "level")
            .annotate(n=Count("id"))
        )
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for unit_id, level, n in rows:
            counts[unit_id][level] = n
        return [
            ProvidedValue(orgunit_id=unit_id, value=float(levels.get(level, 0)), option=level)
            for unit_id, levels in sorted(counts.items())
            for level in Level.values
        ]


PROVIDER = RewardProvider()


def register() -> None:
    """Register the provider (called from ``AwardsConfig.ready``)."""
    registry.register(PROVIDER)
