"""Decisions and withdrawal: the recognition decision (number, date, signer, scan) and the
withdrawal of a recognition.

Invariant: a decision covers verified files of one programme and period; every change
re-publishes the programme's numbers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.models import WebhookEvent
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.uploads import clean_document
from binhyen.core.webhooks import webhook_emit
from binhyen.programs import evaluation, selectors
from binhyen.programs import permissions as prog_perms
from binhyen.programs.models import (
    Decision,
    Enrollment,
    EnrollmentStatus,
    Program,
    ProgramKind,
)
from binhyen.programs.services.common import (
    DECISION_FIELDS,
    _deny,
    _lock_enrollment,
    _require,
    _resync,
)


@dataclass
class DecisionInput:
    number: str
    issued_on: date | None
    signer: str
    issuing_body: str
    signer_title: str = ""
    scan: UploadedFile | None = None


def _decision_errors(data: DecisionInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (data.number or "").strip():
        errors["number"] = _("Nhập số, ký hiệu quyết định.")
    if data.issued_on is None:
        errors["issued_on"] = _("Nhập ngày ký quyết định.")
    elif data.issued_on > selectors.today():
        errors["issued_on"] = _("Ngày ký không được sau hôm nay.")
    if not (data.signer or "").strip():
        errors["signer"] = _("Nhập họ tên người ký.")
    if not (data.issuing_body or "").strip():
        errors["issuing_body"] = _("Nhập cơ quan ban hành.")
    return errors


@transaction.atomic
def decision_record(
    *,
    actor: Actor,
    program: Program,
    period_code: str,
    enrollments: Sequence[Enrollment],
    recognised: Collection[int],
    data: DecisionInput,
) -> Decision:
    """Record one decision for verified files of one cycle.

    Recognition: each file in ``recognised`` is recognised (it must meet the condition as
    verified), the others are not. Classification: levels come from the verified points,
    with the set's caps applied across the files of this decision.
    """
    if not enrollments:
        raise ValidationError({"enrollments": _("Chọn ít nhất một hồ sơ.")})
    locked = [
        _lock_enrollment(e, EnrollmentStatus.VERIFIED)
        for e in sorted(enrollments, key=lambda e: e.pk)
    ]
    deciders = set()
    for enrollment in locked:
        if enrollment.program_id != program.pk or enrollment.period != period_code:
            raise _deny()
        _require(prog_perms.can_decide(actor, enrollment))
        deciders.add(prog_perms.decider_unit(program, enrollment.unit))
    program = locked[0].program
    if len(deciders) != 1:
        raise ValidationError(
            {"enrollments": _("Các hồ sơ trong một quyết định phải cùng một cấp quyết định.")}
        )
    errors = _decision_errors(data)
    recognised = set(recognised)
    if program.kind == ProgramKind.RECOGNITION:
        refused = [e.unit.name for e in locked if e.pk in recognised and not e.condition_met]
        if refused:
            errors["recognised"] = _(
                "Không công nhận được đơn vị chưa đủ điều kiện theo kết quả thẩm định: %(units)s."
            ) % {"units": ", ".join(refused)}
    clean = None
    if data.scan is not None:
        try:
            clean = clean_document(data.scan)
        except ValidationError as exc:
            errors["scan"] = " ".join(exc.messages)
    if errors or data.issued_on is None:
        raise ValidationError(errors)
    decider = deciders.pop()
    if decider is None:
        raise _deny()
    decision = Decision(
        program=program,
        period=period_code,
        orgunit=decider,
        number=data.number.strip(),
        issued_on=data.issued_on,
        signer=data.signer.strip(),
        signer_title=(data.signer_title or "").strip(),
        issuing_body=data.issuing_body.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if clean is not None:
        decision.scan.save(clean.content.name or "quyet-dinh", clean.content, save=False)
        decision.scan_mime = clean.mime
    decision.full_clean()
    decision.save()
    outcomes: dict[str, str] = {}
    if program.kind == ProgramKind.CLASSIFICATION:
        criteria_set = locked[0].criteria_set
        classified = evaluation.classify(
            {e.pk: (e.points_total or Decimal(0), e.unit.code) for e in locked},
            levels=criteria_set.levels,
            caps=criteria_set.caps,
        )
        for enrollment in locked:
            result = classified[enrollment.pk]
            enrollment.level_by_points = result.by_points
            enrollment.level = result.level
            enrollment.capped = result.capped
            enrollment.status = EnrollmentStatus.CLASSIFIED
            outcomes[enrollment.unit.code] = result.level
    else:
        for enrollment in locked:
            enrollment.status = (
                EnrollmentStatus.RECOGNISED
                if enrollment.pk in recognised
                else EnrollmentStatus.NOT_RECOGNISED
            )
            outcomes[enrollment.unit.code] = enrollment.status
    for enrollment in locked:
        enrollment.decision = decision
        enrollment.full_clean()
        enrollment.save()
    audit_event_record(
        actor=actor,
        action="decision.record",
        obj=decision,
        orgunit=decider,
        after={**model_snapshot(decision, DECISION_FIELDS), "outcomes": outcomes},
    )
    webhook_emit(
        event=WebhookEvent.DECISION_RECORDED,
        object_type="program_decision",
        object_id=decision.pk,
        unit_code=decider.code,
        summary={
            "program": program.code,
            "kind": program.kind,
            "period": period_code,
            "units": len(locked),
        },
    )
    _resync(actor, program, period_code)
    return decision


@transaction.atomic
def decision_scan_attach(*, actor: Actor, decision: Decision, scan: UploadedFile) -> Decision:
    """Attach (or replace) the signed scan of a recorded decision.

    Allowed to whoever may decide at the decision's unit. The file goes through the same
    check as at recording (``clean_document``: type sniffed from the content, size capped,
    images re-encoded without metadata); a replaced file is deleted after commit.
    """
    locked = Decision.objects.select_for_update().select_related("orgunit").get(pk=decision.pk)
    _require(prog_perms.can_decide_at(actor, locked.orgunit))
    try:
        clean = clean_document(scan)
    except ValidationError as exc:
        raise ValidationError({"scan": " ".join(exc.messages)}) from exc
    before = {"scan": locked.scan.name or "", "scan_mime": locked.scan_mime}
    storage = locked.scan.storage
    locked.scan.save(clean.content.name or "quyet-dinh", clean.content, save=False)
    stored = locked.scan.name or ""
    try:
        locked.scan_mime = clean.mime
        locked.full_clean()
        locked.save()
        audit_event_record(
            actor=actor,
            action="decision.scan",
            obj=locked,
            orgunit=locked.orgunit,
            before=before,
            after={"scan": stored, "scan_mime": clean.mime, "size": clean.content.size},
        )
    except BaseException:
        storage.delete(stored)
        raise
    replaced = before["scan"]
    if replaced and replaced != stored:
        transaction.on_commit(lambda: storage.delete(replaced))
    return locked


@transaction.atomic
def enrollment_withdraw(
    *, actor: Actor, enrollment: Enrollment, reason: str, number: str = ""
) -> Enrollment:
    """Withdraw a recognition, with the reason (and the withdrawing decision's number)."""
    _require(prog_perms.can_decide(actor, enrollment))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.RECOGNISED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do thu hồi công nhận.")})
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.withdrawn_at = timezone.now()
    enrollment.withdrawal_reason = reason
    enrollment.withdrawal_number = (number or "").strip()[:60]
    enrollment.full_clean()
    enrollment.save()
    audit_event_record(
        actor=actor,
        action="enrollment.withdraw",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={"reason": reason, "number": enrollment.withdrawal_number},
    )
    _resync(actor, enrollment.program, enrollment.period)
    return enrollment
