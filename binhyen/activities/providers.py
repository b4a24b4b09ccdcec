"""The activity log as metrics: every kind of activity publishes counts to the engine.

``ActivityMetricsProvider`` answers each metric in ``SPECS`` for any period from the
activities dated inside it, grouped by the unit they were recorded on (commune or village;
the engine rolls villages up into their commune, communes into their province). The
distinct-village metrics ("26 sessions in 10 villages") are distinct counts (items
"village:<id>"), so a village reached twice, or reported by its old and its new commune, is
still one village at every level.

A metric is broken down by ``Spec.option`` only when its catalogue row has a breakdown
(``Metric.disaggregation``); otherwise the provider returns totals. Units without any
activity get no value at all (no data and zero read the same in a flow count).

Invariant: the values depend only on the stored activities, so ``provider_values_sync``
run after each write leaves the stored ``DataValue`` rows equal to the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from binhyen.activities.models import Activity, ActivityKind, SurrenderedItem
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period
from binhyen.indicators.providers import ProvidedValue, emit_items
from binhyen.orgunits.history import commune_on
from binhyen.orgunits.models import UnitKind

PROVIDER_KEY = "activities.log"


@dataclass(frozen=True)
class Spec:
    """How one metric is computed: which kind, which measure, which breakdown column."""

    kind: str | None  # None: every kind
    measure: str  # "count", "villages", "items" or the name of a numeric column
    option: str = ""  # column giving the breakdown option, when the metric has one


SPECS: dict[str, Spec] = {
    "activities_recorded": Spec(None, "count", "kind"),
    "outreach_sessions": Spec(ActivityKind.OUTREACH, "count"),
    "outreach_participants": Spec(ActivityKind.OUTREACH, "participants"),
    "leaflets": Spec(ActivityKind.OUTREACH, "leaflets"),
    "outreach_posters": Spec(ActivityKind.OUTREACH, "posters"),
    "outreach_bulletin_boards": Spec(ActivityKind.OUTREACH, "bulletin_boards"),
    "outreach_villages": Spec(ActivityKind.OUTREACH, "villages"),
    "media_posts": Spec(ActivityKind.MEDIA_POST, "posts", "channel"),
    "weapons_surrendered": Spec(ActivityKind.WEAPONS_SURRENDER, "items", "item_kind"),
    "cameras_installed": Spec(ActivityKind.CAMERA, "cameras", "camera_ownership"),
    "light_points": Spec(ActivityKind.LIGHTING, "light_points"),
    "lit_road_km": Spec(ActivityKind.LIGHTING, "lit_km"),
    "lit_villages": Spec(ActivityKind.LIGHTING, "villages"),
    "mediation_cases_resolved": Spec(ActivityKind.MEDIATION, "cases_resolved"),
    "patrols": Spec(ActivityKind.PATROL, "count"),
    "patrol_participants": Spec(ActivityKind.PATROL, "participants"),
    "training_sessions": Spec(ActivityKind.TRAINING, "count"),
    "training_participants": Spec(ActivityKind.TRAINING, "participants"),
    "volunteer_works": Spec(ActivityKind.VOLUNTEER, "count"),
    "volunteer_participants": Spec(ActivityKind.VOLUNTEER, "participants"),
}


def metric_codes_for_kind(kind: str) -> list[str]:
    """Return the codes of the metrics an activity of ``kind`` feeds."""
    return [code for code, spec in SPECS.items() if spec.kind in (None, kind)]


def _in_period(period: Period, kind: str | None, prefix: str = "") -> Q:
    condition = Q(**{f"{prefix}date__gte": period.start, f"{prefix}date__lte": period.end})
    if kind is not None:
        condition &= Q(**{f"{prefix}kind": kind})
    return condition


def _grouped(queryset: QuerySet, unit: str, option: str, value: object) -> Iterable[ProvidedValue]:
    columns = [unit, option] if option else [unit]
    rows = queryset.values(*columns).annotate(v=value).order_by()
    for row in rows.iterator(chunk_size=2000):
        amount = float(row["v"] or 0)
        if amount:
            yield ProvidedValue(
                orgunit_id=row[unit], value=amount, option=str(row[option]) if option else ""
            )


def _villages(period: Period, kind: str | None) -> Iterable[ProvidedValue]:
    """Count the distinct villages reached per commune (listed ones and village activities).

    A distinct count (items "village:<id>"): an activity counts at the commune its unit
    belonged to on the activity's date (``commune_on``: a village keeps its former commune
    until the reform), or at that commune's successors when it closed before the period.
    """
    on_date: Any = F("activity__date")
    through: Any = Activity.villages.through
    links = (
        through.objects.filter(_in_period(period, kind, "activity__"))
        .annotate(commune=commune_on("activity__orgunit__", on_date))
        .values_list("commune", "orgunit_id")
    )
    own_date: Any = F("date")
    own = (
        Activity.objects.filter(_in_period(period, kind), orgunit__kind=UnitKind.VILLAGE)
        .annotate(commune=commune_on("orgunit__", own_date))
        .values_list("commune", "orgunit_id")
    )
    rows = (
        (commune_id, "", f"village:{village_id}")
        for commune_id, village_id in chain(
            links.iterator(chunk_size=5000), own.iterator(chunk_size=5000)
        )
    )
    return emit_items(rows, period, UnitKind.COMMUNE)


class ActivityMetricsProvider:
    """Publish the activity log's counts (see ``SPECS``) for any period."""

    key = PROVIDER_KEY
    metric_codes: tuple[str, ...] = tuple(SPECS)

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        spec = SPECS[metric_code]
        disaggregated = Metric.objects.filter(
            code=metric_code, disaggregation__isnull=False
        ).exists()
        option = spec.option if disaggregated else ""
        if spec.measure == "villages":
            return _villages(period, spec.kind)
        if spec.measure == "items":
            items = SurrenderedItem.objects.filter(_in_period(period, spec.kind, "activity__"))
            return _grouped(items, "activity__orgunit_id", option, Sum("quantity"))
        activities = Activity.objects.filter(_in_period(period, spec.kind))
        value = Count("id") if spec.measure == "count" else Sum(F(spec.measure))
        return _grouped(activities, "orgunit_id", option, value)
