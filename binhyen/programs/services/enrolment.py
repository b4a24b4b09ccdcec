"""Enrolment and self-assessment: a unit enrols, scores itself, attaches evidence, submits.

Invariant: submission lists every missing item at once; nothing changes once submitted.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.uploads import clean_document
from binhyen.indicators.periods import PeriodError, parse_period
from binhyen.orgunits.history import check_record_date
from binhyen.orgunits.models import OrgUnit
from binhyen.programs import evaluation, rules
from binhyen.programs import permissions as prog_perms
from binhyen.programs.models import (
    Assessment,
    Criterion,
    CriterionKind,
    Enrollment,
    EnrollmentStatus,
    Evidence,
    Program,
)
from binhyen.programs.services.common import (
    _assessment,
    _label,
    _lock_enrollment,
    _points,
    _require,
    _resync,
    _snapshot,
)


@transaction.atomic
def enrollment_create(
    *, actor: Actor, program: Program, unit: OrgUnit, period_code: str
) -> Enrollment:
    """Enrol ``unit`` for a cycle: by the unit itself, or assigned by the verifying level."""
    _require(prog_perms.can_enrol(actor, program, unit))
    errors: dict[str, str] = {}
    try:
        period = parse_period(period_code)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from exc
    if period.kind != program.period_kind:
        errors["period"] = _("Kỳ đánh giá của chương trình này là %(kind)s.") % {
            "kind": program.get_period_kind_display()
        }
    if not program.is_active:
        errors["program"] = _("Chương trình đã ngừng áp dụng.")
    if not program.accepts(unit):
        errors["unit"] = _("%(unit)s không thuộc loại đơn vị chương trình xét.") % {
            "unit": unit.name
        }
    if unit.valid_to is not None:
        # A past cycle of a closed unit is recorded on the unit as it was: the cycle must
        # end by the unit's last day (a later cycle belongs to the successor).
        try:
            check_record_date(unit, period.end, field="period")
        except ValidationError as exc:
            errors["period"] = " ".join(exc.message_dict["period"])
    criteria_set = program.current_set
    if Enrollment.objects.filter(program=program, unit=unit, period=period.code).exists():
        errors["unit"] = _("%(unit)s đã đăng ký kỳ %(period)s.") % {
            "unit": unit.name,
            "period": period.label,
        }
    if criteria_set is None:
        errors["program"] = _("Chương trình chưa ban hành bộ tiêu chí.")
    if errors or criteria_set is None:
        raise ValidationError(errors)
    enrollment = Enrollment(
        program=program,
        criteria_set=criteria_set,
        unit=unit,
        period=period.code,
        assigned=not prog_perms.can_self_assess(actor, unit),
        enrolled_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    enrollment.full_clean()
    enrollment.save()
    Assessment.objects.bulk_create(
        [Assessment(enrollment=enrollment, criterion=c) for c in criteria_set.criteria.all()]
    )
    audit_event_record(
        actor=actor,
        action="enrollment.assign" if enrollment.assigned else "enrollment.create",
        obj=enrollment,
        orgunit=unit,
        after={"program": program.code, "period": period.code, "version": criteria_set.version},
    )
    _resync(actor, program, period.code)
    return enrollment


@transaction.atomic
def assessment_save(
    *,
    actor: Actor,
    enrollment: Enrollment,
    criterion: Criterion,
    self_met: bool | None = None,
    self_points: Any = None,
    note: str = "",
) -> Assessment:
    """Record the unit's own assessment of one criterion (claim, proposed points, note)."""
    _require(prog_perms.can_self_assess(actor, enrollment.unit))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.ENROLLED)
    assessment = _assessment(enrollment, criterion)
    before = model_snapshot(assessment, ["self_met", "self_points", "self_note"])
    if criterion.kind == CriterionKind.EVIDENCE:
        assessment.self_met = self_met
    if criterion.kind == CriterionKind.POINTS:
        assessment.self_points = _points(self_points, criterion, "self_points")
    assessment.self_note = (note or "").strip()
    assessment.full_clean()
    assessment.save()
    audit_event_record(
        actor=actor,
        action="assessment.self",
        obj=enrollment,
        orgunit=enrollment.unit,
        before={"criterion": criterion.code, **before},
        after={
            "criterion": criterion.code,
            **model_snapshot(assessment, ["self_met", "self_points", "self_note"]),
        },
    )
    return assessment


@transaction.atomic
def evidence_add(
    *,
    actor: Actor,
    enrollment: Enrollment,
    criterion: Criterion,
    upload: UploadedFile,
    description: str = "",
) -> Evidence:
    """Attach a checked document or photo (images re-encoded without EXIF) to a criterion."""
    _require(prog_perms.can_self_assess(actor, enrollment.unit))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.ENROLLED)
    try:
        clean = clean_document(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    assessment = _assessment(enrollment, criterion)
    evidence = Evidence(
        assessment=assessment,
        mime=clean.mime,
        original_name=(upload.name or "tep")[:200],
        size=clean.content.size,
        description=(description or "").strip()[:300],
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    evidence.file.save(clean.content.name or "minh-chung", clean.content, save=False)
    evidence.full_clean()
    evidence.save()
    audit_event_record(
        actor=actor,
        action="evidence.add",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={"criterion": criterion.code, "file": evidence.original_name, "mime": evidence.mime},
    )
    return evidence


@transaction.atomic
def evidence_delete(*, actor: Actor, evidence: Evidence) -> None:
    enrollment = evidence.assessment.enrollment
    _require(prog_perms.can_self_assess(actor, enrollment.unit))
    _lock_enrollment(enrollment, EnrollmentStatus.ENROLLED)
    audit_event_record(
        actor=actor,
        action="evidence.delete",
        obj=enrollment,
        orgunit=enrollment.unit,
        before={"criterion": evidence.assessment.criterion.code, "file": evidence.original_name},
    )
    stored = evidence.file.name or ""
    storage = evidence.file.storage
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def enrollment_submit(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """Submit the file upward; refuse (listing every item) while anything is missing.

    Rule outcomes and the figures behind them are frozen into the assessments.
    """
    _require(prog_perms.can_self_assess(actor, enrollment.unit))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.ENROLLED)
    progress = evaluation.progress(enrollment)
    problems = []
    for result in progress.results:
        criterion = result.criterion
        if criterion.kind == CriterionKind.RULE:
            continue
        for missing in result.missing:
            problems.append(f"{_label(criterion)}: {missing}")
    if problems:
        raise ValidationError({"missing": problems})
    assessments = {a.criterion_id: a for a in enrollment.assessments.select_for_update()}
    for result in progress.results:
        criterion = result.criterion
        if criterion.kind != CriterionKind.RULE:
            continue
        assessment = assessments.get(criterion.pk) or Assessment(
            enrollment=enrollment, criterion=criterion
        )
        assessment.rule_status = result.self_status
        assessment.self_met = result.self_status == rules.MET
        assessment.figures = evaluation.freeze_figures(result)
        assessment.full_clean()
        assessment.save()
    enrollment.status = EnrollmentStatus.SUBMITTED
    enrollment.submitted_at = timezone.now()
    _snapshot(enrollment, evaluation.progress(enrollment))
    enrollment.full_clean()
    enrollment.save()
    audit_event_record(
        actor=actor,
        action="enrollment.submit",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={
            "met": enrollment.met_count,
            "total": enrollment.criteria_count,
            "points": enrollment.points_total,
            "condition_met": enrollment.condition_met,
        },
    )
    return enrollment
