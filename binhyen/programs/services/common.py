"""What the programme services share: field lists, permission checks, the file's lock and
snapshot, and re-publishing the programme's numbers.

Invariant: the published numbers (units enrolled, recognised) are resynced in the caller's
transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.indicators.models import Metric, MetricSource
from binhyen.programs import evaluation
from binhyen.programs.models import (
    Assessment,
    Criterion,
    Enrollment,
    Program,
)
from binhyen.programs.providers import PROVIDER_KEY

PROGRAM_FIELDS = [
    "code",
    "name",
    "name_en",
    "description",
    "kind",
    "unit_kinds",
    "unit_subkinds",
    "period_kind",
    "verifier_level",
    "decider_level",
    "submit_deadline_day",
    "submit_deadline_month",
    "decide_deadline_day",
    "decide_deadline_month",
    "enrolled_metric",
    "recognised_metric",
    "is_active",
    "sort_order",
]


SET_FIELDS = ["groups", "min_optional_met", "min_points", "levels", "caps", "note"]


CRITERION_FIELDS = [
    "code",
    "group",
    "order",
    "title",
    "title_en",
    "guidance",
    "mandatory",
    "kind",
    "expression",
    "max_points",
    "pass_points",
    "needs_completion",
]


DECISION_FIELDS = ["number", "issued_on", "signer", "signer_title", "issuing_body"]


def _deny(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or _("Bạn không có quyền thực hiện thao tác này."))


def _require(condition: bool) -> None:
    if not condition:
        raise _deny()


def _label(criterion: Criterion) -> str:
    return f"{criterion.code}. {criterion.title_label}"


def _resync(actor: Actor, program: Program, period_code: str) -> None:
    from binhyen.indicators.services import provider_values_sync

    for code in dict.fromkeys([program.enrolled_metric, program.recognised_metric]):
        if not code:
            continue
        metric = Metric.objects.filter(
            code=code, source=MetricSource.PROVIDER, provider_key=PROVIDER_KEY
        ).first()
        if metric is not None and metric.period_kind == program.period_kind:
            provider_values_sync(actor=actor, metric=metric, period_code=period_code)


def _assessment(enrollment: Enrollment, criterion: Criterion) -> Assessment:
    if criterion.criteria_set_id != enrollment.criteria_set_id:
        raise _deny()
    assessment, _created = Assessment.objects.select_for_update().get_or_create(
        enrollment=enrollment, criterion=criterion
    )
    return assessment


def _lock_enrollment(enrollment: Enrollment, *statuses: str) -> Enrollment:
    locked = (
        Enrollment.objects.select_for_update()
        .select_related("program", "unit")
        .get(pk=enrollment.pk)
    )
    if statuses and locked.status not in statuses:
        raise ValidationError(
            {
                "status": _("Hồ sơ đang ở trạng thái “%(status)s”, không thực hiện được bước này.")
                % {"status": locked.get_status_display()}
            }
        )
    return locked


def _points(value: Any, criterion: Criterion, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        points = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({name: _("Điểm phải là một số.")}) from None
    if not points.is_finite() or points < 0:
        raise ValidationError({name: _("Điểm không được âm.")})
    if criterion.max_points is not None and points > criterion.max_points:
        raise ValidationError(
            {name: _("Điểm tối đa của tiêu chí này là %(max)s.") % {"max": criterion.max_points}}
        )
    return points


def _snapshot(enrollment: Enrollment, progress: evaluation.Progress) -> None:
    enrollment.met_count = progress.met_count
    enrollment.criteria_count = progress.total
    enrollment.points_total = progress.points_total
    enrollment.condition_met = progress.condition_met
