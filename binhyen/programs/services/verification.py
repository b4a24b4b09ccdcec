"""Verification by the upper level: return a file, verify each criterion, finish.

Invariant: only a submitted file is verified; a return needs a reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.programs import evaluation
from binhyen.programs import permissions as prog_perms
from binhyen.programs.models import (
    Assessment,
    Criterion,
    CriterionKind,
    Enrollment,
    EnrollmentStatus,
    Verdict,
)
from binhyen.programs.services.common import (
    _assessment,
    _deny,
    _label,
    _lock_enrollment,
    _points,
    _require,
    _snapshot,
)


@transaction.atomic
def enrollment_return(*, actor: Actor, enrollment: Enrollment, reason: str) -> Enrollment:
    """Send a submitted file back to the unit to complete.

    Verdicts are cleared (the resubmitted file is verified again); the verifier's comments
    stay so the unit sees what to fix.
    """
    _require(prog_perms.can_verify(actor, enrollment))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.SUBMITTED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi rõ nội dung đơn vị cần bổ sung.")})
    enrollment.status = EnrollmentStatus.ENROLLED
    enrollment.submitted_at = None
    enrollment.full_clean()
    enrollment.save()
    Assessment.objects.filter(enrollment=enrollment).update(
        rule_status="", figures={}, verdict="", verified_met=None, verified_points=None
    )
    audit_event_record(
        actor=actor,
        action="enrollment.return",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={"reason": reason},
    )
    return enrollment


@transaction.atomic
def assessment_verify(
    *,
    actor: Actor,
    enrollment: Enrollment,
    criterion: Criterion,
    verdict: str,
    comment: str = "",
    points: Any = None,
) -> Assessment:
    """Record the verifier's view of one criterion: agree or disagree, comment, points."""
    _require(prog_perms.can_verify(actor, enrollment))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.SUBMITTED)
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("Chọn “Đồng ý” hoặc “Không đồng ý”.")})
    comment = (comment or "").strip()
    if verdict == Verdict.DISAGREE and not comment:
        raise ValidationError({"comment": _("Không đồng ý thì cần ghi nhận xét, lý do.")})
    adjusted = _points(points, criterion, "points")
    progress = evaluation.progress(enrollment)
    result = next((r for r in progress.results if r.criterion.pk == criterion.pk), None)
    if result is None:
        raise _deny()
    self_met = result.self_status == evaluation.MET
    assessment = _assessment(enrollment, criterion)
    if criterion.kind == CriterionKind.POINTS:
        if verdict == Verdict.DISAGREE and adjusted is None:
            raise ValidationError(
                {"points": _("Không đồng ý với điểm tự chấm thì nhập điểm thẩm định.")}
            )
        final_points = adjusted if adjusted is not None else assessment.self_points
        threshold = criterion.pass_points if criterion.pass_points is not None else Decimal(0)
        assessment.verified_points = final_points
        assessment.verified_met = final_points is not None and final_points >= threshold
    else:
        assessment.verified_met = self_met if verdict == Verdict.AGREE else not self_met
        assessment.verified_points = adjusted
    assessment.verdict = verdict
    assessment.verifier_comment = comment
    assessment.full_clean()
    assessment.save()
    audit_event_record(
        actor=actor,
        action="assessment.verify",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={
            "criterion": criterion.code,
            "verdict": verdict,
            "met": assessment.verified_met,
            "points": assessment.verified_points,
            "comment": comment,
        },
    )
    return assessment


@transaction.atomic
def enrollment_verify(*, actor: Actor, enrollment: Enrollment, note: str = "") -> Enrollment:
    """Close the verification once every criterion has a verdict; the file goes to decision."""
    _require(prog_perms.can_verify(actor, enrollment))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.SUBMITTED)
    progress = evaluation.progress(enrollment)
    pending = [_label(r.criterion) for r in progress.results if not r.verified]
    if pending:
        raise ValidationError(
            {"verdicts": [_("Chưa thẩm định: %(c)s") % {"c": label} for label in pending]}
        )
    enrollment.status = EnrollmentStatus.VERIFIED
    enrollment.verified_at = timezone.now()
    enrollment.verification_note = (note or "").strip()
    _snapshot(enrollment, progress)
    enrollment.full_clean()
    enrollment.save()
    audit_event_record(
        actor=actor,
        action="enrollment.verify",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={
            "met": enrollment.met_count,
            "total": enrollment.criteria_count,
            "points": enrollment.points_total,
            "condition_met": enrollment.condition_met,
            "note": enrollment.verification_note,
        },
    )
    return enrollment
