"""Metric providers: how domain apps publish numbers to the engine.

A provider computes the values of one or more metrics whose ``source`` is ``provider`` (for
example "villages per commune" from the administrative map, or later "schemes active" from
the community app). Providers never write: ``provider_values_sync`` (a service) asks the
provider for a period's values and stores them as ordinary ``DataValue`` rows with source
``provider``, so the engine rolls them up, compares and scopes them like any other number.

Register a provider in the owning app's ``AppConfig.ready()``::

    from binhyen.indicators.providers import registry
    registry.register(MyProvider())

Invariant: a provider returns each (unit, option) at most once per period, only for units
of the metric's capture kinds that were open during the period (or, for records on a unit
closed by the reform, its current successors: ``orgunits.history.successor_map``).

Distinct metrics (``Metric.counting = distinct``: schemes, teams, villages, designations…)
also say *which* things they counted: ``ProvidedValue.items`` holds one key per thing
("scheme:123", "unit:456"), stable across periods and units. The stored value at the unit
is the number of its items; the engine counts each item once per target however many of
the target's units (or predecessors) reported it. Providers of quantities leave it empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from binhyen.indicators.periods import Period


@dataclass(frozen=True)
class ProvidedValue:
    """One unit's number in a period; ``items``: the things counted, for distinct metrics."""

    orgunit_id: int
    value: float
    option: str = ""
    items: tuple[str, ...] = ()


class MetricProvider(Protocol):
    """What a provider offers: a key, the metric codes it computes, and their values."""

    key: str
    metric_codes: tuple[str, ...]

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]: ...


class ProviderRegistry:
    """Providers by key; one process-wide registry filled at start-up (no request state)."""

    def __init__(self) -> None:
        self._providers: dict[str, MetricProvider] = {}

    def register(self, provider: MetricProvider) -> None:
        existing = self._providers.get(provider.key)
        if (
            existing is not None
            and existing is not provider
            and type(existing) is not type(provider)
        ):
            raise ValueError(_("Bộ tính '%(key)s' đã được đăng ký.") % {"key": provider.key})
        self._providers[provider.key] = provider

    def get(self, key: str) -> MetricProvider:
        try:
            return self._providers[key]
        except KeyError:
            raise LookupError(_("Không có bộ tính tự động '%(key)s'.") % {"key": key}) from None

    def keys(self) -> list[str]:
        return sorted(self._providers)


registry = ProviderRegistry()


class VillageCountProvider:
    """Count the villages (thôn, tổ dân phố…) open at the end of the period in each commune.

    The example provider shipped with the engine: the denominator of rules such as
    "villages recognised as safe ≤ villages".
    """

    key = "orgunits.village_count"
    metric_codes: tuple[str, ...] = ("villages",)

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        from binhyen.orgunits.models import OrgUnit, UnitKind

        day = period.end
        open_children = (
            Q(children__kind=UnitKind.VILLAGE)
            & (Q(children__valid_from__isnull=True) | Q(children__valid_from__lte=day))
            & (Q(children__valid_to__isnull=True) | Q(children__valid_to__gte=day))
        )
        communes = (
            OrgUnit.objects.valid_on(day)
            .filter(kind=UnitKind.COMMUNE)
            .annotate(n=Count("children", filter=open_children))
            .values_list("id", "n")
        )
        for unit_id, count in communes.iterator(chunk_size=2000):
            yield ProvidedValue(orgunit_id=unit_id, value=float(count))


def register_builtin_providers() -> None:
    registry.register(VillageCountProvider())
