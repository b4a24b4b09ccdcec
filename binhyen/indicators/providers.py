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
from itertools import chain
from typing import Protocol

from django.db.models import Q
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


def place_units(
    ids: Iterable[int], period: Period, kind: str, *, every: bool
) -> dict[int, list[int]]:
    """Return unit id → the units of ``kind`` its records count at in ``period``.

    A unit open at some time in the period counts at itself. A unit closed before the period
    started (a commune closed by the reform, a record still running after it) counts at its
    current successors: every successor when ``every`` (distinct things count once wherever
    they land), else the default one (a quantity is never counted twice). Others: nowhere.
    """
    from binhyen.orgunits.history import successor_map
    from binhyen.orgunits.models import OrgUnit

    wanted = list(set(ids))
    out: dict[int, list[int]] = {}
    closed: list[int] = []
    for start in range(0, len(wanted), 2000):
        for pk, unit_kind, valid_from, valid_to in OrgUnit.objects.filter(
            pk__in=wanted[start : start + 2000]
        ).values_list("pk", "kind", "valid_from", "valid_to"):
            if valid_from is not None and valid_from > period.end:
                continue
            if valid_to is None or valid_to >= period.start:
                if unit_kind == kind:
                    out[pk] = [pk]
            else:
                closed.append(pk)
    if closed:
        successors = successor_map(closed, default_only=not every)
        kinds = dict(
            OrgUnit.objects.filter(
                pk__in={s for ss in successors.values() for s in ss}
            ).values_list("pk", "kind")
        )
        for pk in closed:
            found = [s for s in successors.get(pk, []) if kinds.get(s) == kind]
            if found:
                out[pk] = found
    return out


def emit_items(
    rows: Iterable[tuple[int | None, str, str | None]], period: Period, kind: str
) -> Iterable[ProvidedValue]:
    """Yield the distinct things per (unit, option) from (unit, option, item) rows.

    Rows name the unit a record was on (a closed one counts at its successors, see
    ``place_units``); an item None only says the unit has records (an explicit 0).
    """
    things: dict[tuple[int, str], set[str]] = {}
    for unit_id, option, item in rows:
        if unit_id is None:
            continue
        found = things.setdefault((unit_id, option or ""), set())
        if item is not None:
            found.add(item)
    places = place_units({u for u, _o in things}, period, kind, every=True)
    out: dict[tuple[int, str], set[str]] = {}
    for (unit_id, option), items in things.items():
        for place in places.get(unit_id, ()):
            out.setdefault((place, option), set()).update(items)
    for (unit_id, option), items in sorted(out.items()):
        yield ProvidedValue(unit_id, float(len(items)), option, tuple(sorted(items)))


def emit_quantities(
    rows: Iterable[tuple[int | None, str, float | int | None]], period: Period, kind: str
) -> Iterable[ProvidedValue]:
    """Yield summed quantities per (unit, option); a closed unit's go to its default successor."""
    totals: dict[tuple[int, str], float] = {}
    for unit_id, option, value in rows:
        if unit_id is None:
            continue
        key = (unit_id, option or "")
        totals[key] = totals.get(key, 0.0) + float(value or 0)
    places = place_units({u for u, _o in totals}, period, kind, every=False)
    out: dict[tuple[int, str], float] = {}
    for (unit_id, option), value in totals.items():
        for place in places.get(unit_id, ()):
            out[(place, option)] = out.get((place, option), 0.0) + value
    for (unit_id, option), value in sorted(out.items()):
        yield ProvidedValue(orgunit_id=unit_id, value=value, option=option)


class VillageCountProvider:
    """Count the villages (thôn, tổ dân phố…) open at the end of the period in each commune.

    The example provider shipped with the engine: the denominator of rules such as
    "villages recognised as safe ≤ villages". A distinct count (items "village:<id>"): a
    village belongs on a day to its ``former_parent`` while that commune was open, else to
    its parent (``orgunits.history.commune_on``), so the old commune counts it before the
    reform and the new one after, and a province counts it once.
    """

    key = "orgunits.village_count"
    metric_codes: tuple[str, ...] = ("villages",)

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        from binhyen.orgunits.history import commune_on
        from binhyen.orgunits.models import OrgUnit, UnitKind

        day = period.end
        villages = (
            OrgUnit.objects.filter(kind=UnitKind.VILLAGE)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .annotate(commune=commune_on("", day))
            .values_list("commune", "id")
        )
        communes = OrgUnit.objects.valid_on(day).filter(kind=UnitKind.COMMUNE)
        rows = chain(
            (
                (c, "", None)
                for c in communes.values_list("id", flat=True).iterator(chunk_size=5000)
            ),
            ((c, "", f"village:{v}") for c, v in villages.iterator(chunk_size=5000)),
        )
        return emit_items(rows, period, UnitKind.COMMUNE)


def register_builtin_providers() -> None:
    registry.register(VillageCountProvider())
