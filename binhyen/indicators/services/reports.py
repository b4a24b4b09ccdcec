"""The report workflow: open, save, submit, approve, return, reopen.

Invariants:
- draft → submitted → approved, or submitted → returned (comment required) → submitted …;
  approved → reopened (comment required) by a reviewer.
- Submitting requires every metric of the form to have a value and no broken error-level
  validation rule; ``submission_save`` saves and submits in one transaction, a refusal to
  submit keeping the saved values as a draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.models import WebhookEvent
from binhyen.core.services import audit_event_record
from binhyen.core.webhooks import webhook_emit
from binhyen.indicators import permissions as ind_perms
from binhyen.indicators.models import (
    EDITABLE_STATUSES,
    DataValue,
    MetricSource,
    ReportForm,
    Submission,
    SubmissionStatus,
)
from binhyen.indicators.owners import form_owners
from binhyen.indicators.services.rules import rules_check
from binhyen.indicators.services.values import ValueInput, _apply_values, _parse
from binhyen.orgunits.history import check_record_date
from binhyen.orgunits.models import OrgUnit


@dataclass
class SaveResult:
    """What saving a report did: cells changed, broken warning rules, and with ``submit``
    the refusal to submit (the values stay saved as a draft), None when it was submitted."""

    changed: int = 0
    warnings: list[str] = field(default_factory=list)
    submission: Submission | None = None
    refusal: ValidationError | None = None


def _snapshot(sub: Submission) -> dict[str, Any]:
    return {"status": sub.status, "comment": sub.comment}


def _form_totals(sub: Submission) -> dict[int, float]:
    totals: dict[int, float] = {}
    for metric_id, value in DataValue.objects.filter(
        orgunit=sub.orgunit, period=sub.period, metric__in=sub.form.metrics.all()
    ).values_list("metric_id", "value"):
        totals[metric_id] = totals.get(metric_id, 0.0) + value
    return totals


@transaction.atomic
def submission_open(
    *, actor: Actor, form: ReportForm, unit: OrgUnit, period_code: str
) -> Submission:
    """Return the unit's report for the period, creating a draft the first time."""
    if not ind_perms.can_enter_data(actor, unit):
        raise PermissionDenied(_("Bạn không có quyền lập báo cáo cho đơn vị này."))
    period = _parse(period_code)
    if unit.valid_to is not None:  # history of a closed unit: the period starts in its life
        check_record_date(unit, period.start, field="period")
    if period.kind != form.period_kind:
        raise ValidationError(
            {
                "period": _("Biểu mẫu '%(f)s' không nhận kỳ '%(p)s'.")
                % {"f": form.label, "p": period.label}
            }
        )
    if unit.kind not in form.submitting_kinds:
        raise ValidationError(
            {"orgunit": _("Đơn vị này không phải lập biểu mẫu '%(f)s'.") % {"f": form.label}}
        )
    refused = form_owners.refusal(form, unit, period)
    if refused is not None:
        raise ValidationError({refused[0]: refused[1]})
    sub = Submission.objects.filter(form=form, orgunit=unit, period=period.code).first()
    if sub is not None:
        return sub
    sub = Submission(
        form=form,
        orgunit=unit,
        period=period.code,
        period_start=period.start,
        period_end=period.end,
    )
    sub.full_clean()
    sub.save()
    audit_event_record(
        actor=actor, action="submission.create", obj=sub, orgunit=unit, after=_snapshot(sub)
    )
    return sub


@transaction.atomic
def submission_save_values(
    *, actor: Actor, submission: Submission, values: Sequence[ValueInput]
) -> SaveResult:
    """Save draft values of a report; refuse if it is not editable. Rule breaks are warnings."""
    sub = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("form", "orgunit")
        .get(pk=submission.pk)
    )
    if not ind_perms.can_enter_data(actor, sub.orgunit):
        raise PermissionDenied(_("Bạn không có quyền nhập số liệu cho đơn vị này."))
    if sub.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái '%(s)s', không sửa được.")
            % {"s": sub.get_status_display()}
        )
    form_metric_ids = set(sub.form.metrics.values_list("pk", flat=True))
    foreign = [v.metric.code for v in values if v.metric.pk not in form_metric_ids]
    if foreign:
        raise ValidationError(
            _("Chỉ tiêu không thuộc biểu mẫu: %(codes)s.")
            % {"codes": ", ".join(sorted(set(foreign)))}
        )
    period = _parse(sub.period)
    count, changes = _apply_values(
        actor=actor,
        unit=sub.orgunit,
        period=period,
        values=values,
        source=MetricSource.FORM,
        check_lock=False,
    )
    if count:
        audit_event_record(
            actor=actor,
            action="data_value.save",
            obj=sub,
            orgunit=sub.orgunit,
            after={"period": sub.period, "changes": changes},
        )
        Submission.objects.filter(pk=sub.pk).update(updated_at=timezone.now())
    broken = rules_check(
        unit=sub.orgunit, period=period, values=_form_totals(sub), metric_ids=form_metric_ids
    )
    submission.refresh_from_db()
    return SaveResult(changed=count, warnings=[b.message for b in broken])


@transaction.atomic
def submission_submit(*, actor: Actor, submission: Submission) -> Submission:
    """Send the report to the upper level; every metric filled and no error rule broken."""
    sub = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("form", "orgunit")
        .get(pk=submission.pk)
    )
    if not ind_perms.can_enter_data(actor, sub.orgunit):
        raise PermissionDenied(_("Bạn không có quyền gửi báo cáo của đơn vị này."))
    if sub.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái '%(s)s', không gửi được.")
            % {"s": sub.get_status_display()}
        )
    metrics = list(sub.form.metrics.all())
    totals = _form_totals(sub)
    empty = [m.name for m in metrics if m.pk not in totals]
    if empty:
        raise ValidationError(
            _("Chưa nhập: %(names)s. Nhập 0 nếu không phát sinh.") % {"names": "; ".join(empty)}
        )
    broken = [
        b
        for b in rules_check(
            unit=sub.orgunit, period=_parse(sub.period), values=totals, metric_ids=totals
        )
        if b.is_error
    ]
    if broken:
        raise ValidationError([b.message for b in broken])
    before = _snapshot(sub)
    now = timezone.now()
    sub.status = SubmissionStatus.SUBMITTED
    sub.submitted_at = now
    sub.submitted_by = actor
    sub.first_submitted_at = sub.first_submitted_at or now
    sub.full_clean()
    sub.save()
    audit_event_record(
        actor=actor,
        action="submission.submit",
        obj=sub,
        orgunit=sub.orgunit,
        before=before,
        after=_snapshot(sub),
    )
    _webhook_submission(WebhookEvent.REPORT_SUBMITTED, sub)
    return sub


@transaction.atomic
def submission_save(
    *,
    actor: Actor,
    form: ReportForm,
    unit: OrgUnit,
    period_code: str,
    values: Sequence[ValueInput],
    submit: bool = False,
) -> SaveResult:
    """Save ``values`` into the unit's report for the period (opened the first time) and,
    with ``submit``, send it to the upper level, in one transaction.

    A refusal to submit (a metric without value, a broken error-level rule) keeps the saved
    values as a draft and comes back in ``SaveResult.refusal``; any other refusal is raised
    and nothing is saved.
    """
    sub = submission_open(actor=actor, form=form, unit=unit, period_code=period_code)
    result = submission_save_values(actor=actor, submission=sub, values=values)
    result.submission = sub
    if submit:
        try:
            with transaction.atomic():
                submission_submit(actor=actor, submission=sub)
        except ValidationError as exc:
            result.refusal = exc
        sub.refresh_from_db()
    return result


def _review(
    actor: Actor, submission: Submission, allowed: tuple[str, ...], verb: str
) -> Submission:
    sub = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("form", "orgunit__parent")
        .get(pk=submission.pk)
    )
    if not ind_perms.can_review(actor, sub.orgunit):
        raise PermissionDenied(_("Bạn không có quyền xử lý báo cáo của đơn vị này."))
    if sub.status not in allowed:
        raise ValidationError(
            _("Không thể %(verb)s báo cáo đang ở trạng thái '%(s)s'.")
            % {"verb": verb, "s": sub.get_status_display()}
        )
    return sub


def _finish_review(
    actor: Actor, sub: Submission, status: str, comment: str, action: str
) -> Submission:
    before = _snapshot(sub)
    sub.status = status
    sub.comment = comment
    sub.reviewed_at = timezone.now()
    sub.reviewed_by = actor
    sub.full_clean()
    sub.save()
    audit_event_record(
        actor=actor,
        action=action,
        obj=sub,
        orgunit=sub.orgunit,
        before=before,
        after=_snapshot(sub),
    )
    return sub


def _need_comment(comment: str) -> str:
    text = (comment or "").strip()
    if not text:
        raise ValidationError({"comment": _("Cần ghi ý kiến để đơn vị biết phải sửa gì.")})
    return text


def _webhook_submission(event: str, sub: Submission) -> None:
    webhook_emit(
        event=event,
        object_type="report",
        object_id=sub.pk,
        unit_code=sub.orgunit.code,
        summary={"form": sub.form.code, "period": sub.period, "status": sub.status},
    )


@transaction.atomic
def submission_approve(*, actor: Actor, submission: Submission, comment: str = "") -> Submission:
    """Approve a submitted report; its values are locked from now on."""
    sub = _review(actor, submission, (SubmissionStatus.SUBMITTED,), _("duyệt"))
    approved = _finish_review(
        actor, sub, SubmissionStatus.APPROVED, (comment or "").strip(), "submission.approve"
    )
    _webhook_submission(WebhookEvent.REPORT_APPROVED, approved)
    return approved


@transaction.atomic
def submission_return(*, actor: Actor, submission: Submission, comment: str) -> Submission:
    """Send a submitted report back to its unit with a comment; it becomes editable."""
    text = _need_comment(comment)
    sub = _review(actor, submission, (SubmissionStatus.SUBMITTED,), _("trả lại"))
    return _finish_review(actor, sub, SubmissionStatus.RETURNED, text, "submission.return")


@transaction.atomic
def submission_reopen(*, actor: Actor, submission: Submission, comment: str) -> Submission:
    """Unlock an approved report so its unit can correct it (the reason is required)."""
    text = _need_comment(comment)
    sub = _review(actor, submission, (SubmissionStatus.APPROVED,), _("mở lại"))
    return _finish_review(actor, sub, SubmissionStatus.REOPENED, text, "submission.reopen")
