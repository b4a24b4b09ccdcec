"""Numbers the programmes publish to the indicators engine: units enrolled and recognised.

A programme names (optionally) an ``enrolled_metric`` and a ``recognised_metric``: metrics
with source ``provider`` and provider key ``programs.results`` whose period kind is the
programme's window. For a period, the provider counts the programme's enrolments (any
status) and its recognised units (status ``recognised``; a withdrawn recognition no longer
counts), on the commune: a village's or establishment's enrolment counts in its commune, a
commune's on itself (so a province total is the number of recognised communes). TT 124
asks for "≥ 70 % of residential areas recognised" for a commune: the rule reads
``m.villages_recognised_safe / m.villages``.

Invariants:
- Every commune open during the period and inside the programme's owner unit gets a value
  (0 when nothing counts), so rules see 0, not "no data", once a programme runs there.
- Values are recomputed whole for the period by ``provider_values_sync`` (called by the
  services after each enrolment, decision and withdrawal), never edited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from binhyen.indicators.periods import Period
from binhyen.indicators.providers import ProvidedValue, registry

PROVIDER_KEY = "programs.results"
VILLAGES_ENROLLED = "villages_enrolled_safe"
VILLAGES_RECOGNISED = "villages_recognised_safe"
COMMUNES_RECOGNISED = "communes_recognised_safe"
COMMUNES_MODEL = "communes_model_recognised"
WARDS_MODEL = "wards_model_recognised"
METRIC_CODES = (
    VILLAGES_ENROLLED,
    VILLAGES_RECOGNISED,
    COMMUNES_RECOGNISED,
    COMMUNES_MODEL,
    WARDS_MODEL,
)


class ProgramResultsProvider:
    """Count enrolled and recognised units of the programmes that publish a metric."""

    key: str = PROVIDER_KEY
    metric_codes: tuple[str, ...] = METRIC_CODES

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        from binhyen.orgunits.models import OrgUnit, UnitKind
        from binhyen.programs.models import Enrollment, EnrollmentStatus, Program

        programs = list(
            Program.objects.filter(
                Q(enrolled_metric=metric_code) | Q(recognised_metric=metric_code),
                period_kind=period.kind,
            ).select_related("owner")
        )
        if not programs:
            return []
        totals: dict[int, float] = defaultdict(float)
        scope = Q()
        for program in programs:
            scope |= (
                Q(path__startswith=program.owner.path)
                if program.owner is not None
                else Q(pk__isnull=False)
            )
            enrollments = Enrollment.objects.filter(program=program, period=period.code)
            if program.recognised_metric == metric_code and program.enrolled_metric != metric_code:
                enrollments = enrollments.filter(status=EnrollmentStatus.RECOGNISED)
            for kind, unit_id, parent_id in enrollments.values_list(
                "unit__kind", "unit_id", "unit__parent_id"
            ):
                commune_id = unit_id if kind == UnitKind.COMMUNE else parent_id
                if commune_id is not None:
                    totals[commune_id] += 1.0
        communes = (
            OrgUnit.objects.filter(scope, kind=UnitKind.COMMUNE)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=period.end))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
            .values_list("pk", flat=True)
        )
        return [
            ProvidedValue(orgunit_id=pk, value=totals.get(pk, 0.0))
            for pk in communes.iterator(chunk_size=2000)
        ]


def register() -> None:
    registry.register(ProgramResultsProvider())
