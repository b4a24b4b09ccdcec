"""Numbers the programmes publish to the indicators engine: units enrolled and recognised.

A programme names (optionally) an ``enrolled_metric`` and a ``recognised_metric``: metrics
with source ``provider`` and provider key ``programs.results`` whose period kind is the
programme's window. For a period, the provider counts the programme's enrolments (any
status) and its recognised units (status ``recognised``; a withdrawn recognition no longer
counts), on the commune: a village's or establishment's enrolment counts in the commune it
belonged to at the end of the period (``commune_on``), a commune's on itself. These are
distinct counts (items "unit:<id>"): a recognised unit counts once at every level (a
province total is the number of recognised communes, even across a split); a commune
closed before the period passes its units to its successors (``place_units``). TT 124
asks for "≥ 70 % of residential areas recognised" for a commune: the rule reads
``m.villages_recognised_safe / m.villages``.

Invariants:
- Every commune open during the period and inside the programme's owner unit gets a value
  (0 when nothing counts), so rules see 0, not "no data", once a programme runs there.
- Values are recomputed whole for the period by ``provider_values_sync`` (called by the
  services after each enrolment, decision and withdrawal), never edited.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from django.db.models import Q

from binhyen.indicators.periods import Period
from binhyen.indicators.providers import ProvidedValue, emit_items, registry
from binhyen.orgunits.history import commune_on

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
        counted: list[tuple[int | None, str, str | None]] = []
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
            counted.extend(
                (commune_id, "", f"unit:{unit_id}")
                for commune_id, unit_id in enrollments.annotate(
                    commune=commune_on("unit__", period.end)
                ).values_list("commune", "unit_id")
            )
        communes = (
            OrgUnit.objects.filter(scope, kind=UnitKind.COMMUNE)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=period.end))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
            .values_list("pk", flat=True)
        )
        zeros = ((pk, "", None) for pk in communes.iterator(chunk_size=2000))
        return emit_items(chain(zeros, counted), period, UnitKind.COMMUNE)


def register() -> None:
    registry.register(ProgramResultsProvider())
