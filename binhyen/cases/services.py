"""Writes of the cases app: open, assign, plan, review, outcomes, close, hand over, requests,
reads (the read-audit), reveals, anonymisation.

Invariants:
- Every function checks the actor against ``binhyen.cases.permissions``; a user who may not
  read the case gets ``PermissionDenied`` (callers answer 404, exactly like a missing case); a
  user who reads it but may not do this gets ``PermissionDenied`` with a message (403).
- Every write is one transaction: ``full_clean()`` and the rules below are checked before
  anything is stored, and one ``AuditEvent`` is recorded whose summary holds codes, dates and
  ids only, never the person's name, identity number or judgment (``_AUDIT_FIELDS``).
- Every read of a case goes through ``case_read`` (pages, API, exports, the access history):
  one ``CaseRead`` row per case shown, in the same transaction as the fetch.
- The case metrics of every year a change touches are re-published (``cases_metrics_sync``), so
  the province sees the counts at once and never a name.
- Anonymisation empties every personal field of the case and its rows and keeps the type,
  the commune, the dates, the needs, the outcome kinds and the closure reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.cases import permissions, selectors
from binhyen.cases.models import (
    Case,
    CaseRead,
    CaseType,
    Handover,
    Helper,
    Need,
    Outcome,
    Review,
    SubjectRequest,
    SupportTask,
)
from binhyen.cases.providers import CASE_TYPE_DISAGGREGATION, METRIC_CODES, PROVIDER_KEY
from binhyen.core.actors import Actor
from binhyen.core.formats import format_date
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.text import fold
from binhyen.indicators.models import Disaggregation, DisaggregationOption, Metric, MetricSource
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.services import provider_values_sync
from binhyen.orgunits.models import OrgUnit, UnitKind

# What an audit summary of a case may hold: no name, identity number, judgment or note.
_AUDIT_FIELDS = [
    "orgunit",
    "case_type",
    "status",
    "opened_on",
    "release_date",
    "support_until",
    "needs",
    "closed_on",
    "closure_reason",
]
IDENTITY_LENGTHS = (12,)


def _not_found() -> PermissionDenied:
    return PermissionDenied(selectors.not_found_message())


def _require_read(actor: Actor, case: Case) -> None:
    if not permissions.can_read(actor, case):
        raise _not_found()


def _require_manage(actor: Actor, case: Case) -> None:
    _require_read(actor, case)
    if not permissions.can_manage(actor, case):
        raise PermissionDenied(_("Chỉ trưởng công an xã của hồ sơ mới được làm việc này."))


def _user(actor: Actor) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _audit(actor: Actor | None, action: str, case: Case, **after: Any) -> None:
    summary = model_snapshot(case, _AUDIT_FIELDS)
    summary.update(after)
    audit_event_record(actor=actor, action=action, obj=case, orgunit=case.orgunit, after=summary)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("orgunit", "case_type").get(pk=case.pk)


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(
            {"status": _("Hồ sơ %(ref)s đã kết thúc: không ghi thêm được.") % {"ref": case}}
        )


def _not_future(day: date | None, name: str, label: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError(
            {name: _("%(label)s không được sau ngày hôm nay.") % {"label": label}}
        )


def _not_before_opening(case: Case, day: date | None, name: str, label: str) -> None:
    if day is not None and day < case.opened_on:
        raise ValidationError(
            {
                name: _("%(label)s (%(day)s) không được trước ngày lập hồ sơ %(opened)s.")
                % {
                    "label": label,
                    "day": format_date(day),
                    "opened": format_date(case.opened_on),
                }
            }
        )


# --- metrics ------------------------------------------------------------------------------


def cases_metrics_sync(*, actor: Actor | None, years: Iterable[int]) -> int:
    """Re-publish the case metrics for the year periods of ``years`` (up to this year)."""
    this_year = timezone.localdate().year
    codes = [Period(PeriodKind.YEAR, y).code for y in sorted(set(years)) if y <= this_year]
    changed = 0
    for metric in Metric.objects.filter(
        code__in=METRIC_CODES,
        source=MetricSource.PROVIDER,
        provider_key=PROVIDER_KEY,
        is_active=True,
        period_kind=PeriodKind.YEAR,
    ):
        for code in codes:
            changed += provider_values_sync(actor=actor, metric=metric, period_code=code)
    return changed


def _sync(actor: Actor | None, *days: date | None) -> None:
    """Re-publish from the earliest touched year to this year ("open" counts carry over)."""
    years = [d.year for d in days if d is not None]
    if years:
        cases_metrics_sync(actor=actor, years=range(min(years), timezone.localdate().year + 1))


# --- case types ---------------------------------------------------------------------------


@dataclass
class CaseTypeInput:
    code: str
    name: str
    purpose: str
    legal_basis: str
    province: OrgUnit | None = None
    name_en: str = ""
    purpose_en: str = ""
    duration_months: int | None = None
    review_every_days: int = 30
    extra_fields: list[str] = field(default_factory=list)


@transaction.atomic
def case_type_create(*, actor: Actor, data: CaseTypeInput) -> CaseType:
    """Add a case type (national, or for one province) and its option in the type breakdown."""
    if data.province is not None and data.province.kind != UnitKind.PROVINCE:
        raise ValidationError({"province": _("Loại hồ sơ riêng chỉ đặt cho một tỉnh.")})
    if not permissions.can_configure_types(actor, data.province):
        raise _not_found()
    labels = [label.strip() for label in data.extra_fields if label.strip()]
    if len(set(labels)) != len(labels):
        raise ValidationError({"extra_fields": _("Tên các trường bổ sung không được trùng nhau.")})
    case_type = CaseType(
        code=data.code.strip(),
        name=data.name.strip(),
        name_en=data.name_en.strip(),
        purpose=data.purpose.strip(),
        purpose_en=data.purpose_en.strip(),
        legal_basis=data.legal_basis.strip(),
        province=data.province,
        duration_months=data.duration_months,
        review_every_days=data.review_every_days,
        extra_fields=labels,
        sort_order=(CaseType.objects.count() + 1) * 10,
    )
    case_type.full_clean()
    case_type.save()
    breakdown = Disaggregation.objects.filter(code=CASE_TYPE_DISAGGREGATION).first()
    if breakdown is not None:
        DisaggregationOption.objects.get_or_create(
            disaggregation=breakdown,
            code=case_type.code,
            defaults={
                "name": case_type.name,
                "name_en": case_type.name_en,
                "sort_order": case_type.sort_order,
            },
        )
    audit_event_record(
        actor=actor,
        action="case_type.create",
        obj=case_type,
        orgunit=data.province,
        after=model_snapshot(
            case_type, ["code", "name", "name_en", "duration_months", "review_every_days"]
        ),
    )
    return case_type


# --- the case -----------------------------------------------------------------------------


@dataclass
class CaseInput:
    case_type: CaseType
    full_name: str
    opened_on: date
    birth_year: int | None = None
    identity_number: str = ""
    home_village: OrgUnit | None = None
    judgment_number: str = ""
    judgment_date: date | None = None
    release_date: date | None = None
    support_until: date | None = None
    needs: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


def _apply(case: Case, data: CaseInput) -> None:
    errors: dict[str, list[str]] = {}
    if data.case_type not in selectors.case_types(user=None, unit=case.orgunit):
        errors["case_type"] = [_("Loại hồ sơ này không dùng được ở xã, phường của hồ sơ.")]
    name = " ".join((data.full_name or "").split())
    if not name:
        errors["full_name"] = [_("Hãy nhập họ và tên người được hỗ trợ.")]
    identity = (data.identity_number or "").strip()
    if identity and not (identity.isdigit() and len(identity) in IDENTITY_LENGTHS):
        errors["identity_number"] = [_("Số định danh cá nhân phải gồm đúng 12 chữ số.")]
    village = data.home_village
    if village is not None and (
        village.kind != UnitKind.VILLAGE or village.parent_id != case.orgunit_id
    ):
        errors["home_village"] = [_("Thôn, tổ dân phố phải thuộc xã, phường của hồ sơ.")]
    unknown = [n for n in data.needs if n not in Need.values]
    if unknown:
        errors["needs"] = [_("Nhu cầu không hợp lệ: %(codes)s.") % {"codes": ", ".join(unknown)}]
    allowed = set(data.case_type.extra_fields or [])
    extra_unknown = [k for k in data.extra if k not in allowed]
    if extra_unknown:
        errors["extra"] = [
            _("Loại hồ sơ này không có trường: %(names)s.") % {"names": ", ".join(extra_unknown)}
        ]
    today = timezone.localdate()
    for name_, day, label in (
        ("opened_on", data.opened_on, _("Ngày lập hồ sơ")),
        ("release_date", data.release_date, _("Ngày chấp hành xong, được đặc xá")),
        ("judgment_date", data.judgment_date, _("Ngày bản án, quyết định")),
    ):
        if day is not None and day > today:
            errors[name_] = [_("%(label)s không được sau ngày hôm nay.") % {"label": label}]
    if (
        data.release_date
        and data.judgment_date
        and data.release_date < data.judgment_date
        and "release_date" not in errors
    ):
        errors["release_date"] = [
            _("Ngày chấp hành xong không được trước ngày bản án, quyết định.")
        ]
    if data.support_until and data.support_until < data.opened_on:
        errors["support_until"] = [
            _("Hết thời hạn quản lý, hỗ trợ không được trước ngày lập hồ sơ.")
        ]
    if errors:
        raise ValidationError(errors)
    case.case_type = data.case_type
    case.full_name = name
    case.full_name_folded = fold(name)
    case.opened_on = data.opened_on
    case.birth_year = data.birth_year
    case.identity_number = identity
    case.home_village = village
    case.judgment_number = (data.judgment_number or "").strip()
    case.judgment_date = data.judgment_date
    case.release_date = data.release_date
    support_until = data.support_until
    if support_until is None and data.case_type.duration_months:
        months = data.case_type.duration_months
        start = data.opened_on
        year, month = divmod(start.month - 1 + months, 12)
        support_until = date(start.year + year, month + 1, min(start.day, 28))
    case.support_until = support_until
    case.needs = sorted(set(data.needs), key=Need.values.index)
    case.extra = {k: v.strip() for k, v in data.extra.items() if v and v.strip()}


@transaction.atomic
def case_open(*, actor: Actor, unit: OrgUnit, data: CaseInput) -> Case:
    """Open a case in the commune ``unit`` (its chief only; anyone else: 404)."""
    if unit.kind != UnitKind.COMMUNE or not permissions.is_chief(actor, unit):
        raise _not_found()
    case = Case(orgunit=unit, opened_by=_user(actor))
    _apply(case, data)
    case.full_clean()
    case.save()
    _audit(actor, "case.open", case)
    _sync(actor, case.opened_on)
    return case


@transaction.atomic
def case_update(*, actor: Actor, case: Case, data: CaseInput) -> Case:
    """Correct the case's person, legal basis and needs (e.g. a correction request)."""
    _require_manage(actor, case)
    case = _locked(case)
    if case.is_anonymised:
        raise ValidationError({"status": _("Hồ sơ đã ẩn danh: không sửa được.")})
    old_opened = case.opened_on
    _apply(case, data)
    case.full_clean()
    case.save()
    _audit(actor, "case.update", case)
    _sync(actor, old_opened, case.opened_on)
    return case


@transaction.atomic
def case_read(*, actor: Actor, pk: int, channel: str = CaseRead.Channel.PAGE) -> Case:
    """Fetch a case for ``actor`` and log the read (``Http404`` when missing or forbidden)."""
    case = selectors.case_get(user=actor, pk=pk)
    _log_reads(actor, [case], channel)
    return case


def _log_reads(actor: Actor, cases: list[Case], channel: str, field: str = "") -> None:
    user = _user(actor)
    label = user.get_username()[:150] if user is not None else "system"
    CaseRead.objects.bulk_create(
        [CaseRead(case=c, user=user, user_label=label, channel=channel, field=field) for c in cases]
    )


@transaction.atomic
def cases_list_read(*, actor: Actor, cases: list[Case]) -> None:
    """Log a read of each case shown on a list page (name, type, status)."""
    _log_reads(actor, cases, CaseRead.Channel.LIST)


@transaction.atomic
def cases_read_for_export(*, actor: Actor, unit: OrgUnit) -> list[Case]:
    """Return the commune's cases for the Excel export and log one read per case."""
    if not permissions.is_chief(actor, unit):
        raise _not_found()
    cases = list(selectors.case_list(user=actor, unit=unit).prefetch_related("outcomes", "helpers"))
    _log_reads(actor, cases, CaseRead.Channel.EXPORT)
    return cases


@transaction.atomic
def case_field_reveal(*, actor: Actor, pk: int, field: str) -> Case:
    """Log a reveal of a hidden field (identity number or judgment) and return the case.

    Refused with a message, and nothing logged, without the field permission.
    """
    case = selectors.case_get(user=actor, pk=pk)
    if field not in selectors.HIDDEN_FIELDS:
        raise ValidationError(
            {"field": _("Trường '%(field)s' không phải trường bị ẩn.") % {"field": field}}
        )
    if not permissions.can_reveal(actor, case):
        raise PermissionDenied(
            _("Bạn không có quyền xem số định danh và thông tin bản án của hồ sơ này.")
        )
    _log_reads(actor, [case], CaseRead.Channel.REVEAL, field)
    audit_event_record(
        actor=actor, action="case.reveal", obj=case, orgunit=case.orgunit, after={"field": field}
    )
    return case


@transaction.atomic
def access_history_read(*, actor: Actor, pk: int) -> Case:
    """Fetch a case for its access history page (chief only) and log that read too."""
    case = selectors.case_get(user=actor, pk=pk)
    if not permissions.can_manage(actor, case):
        raise Http404(selectors.not_found_message())
    _log_reads(actor, [case], CaseRead.Channel.HISTORY)
    return case


# --- helpers, plan, reviews, outcomes -----------------------------------------------------


@transaction.atomic
def helper_assign(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    name: str = "",
    user: Any = None,
    can_reveal: bool = False,
    assigned_on: date | None = None,
) -> Helper:
    """Assign a person or organisation to help; a ``user`` must work in the case's commune."""
    _require_manage(actor, case)
    case = _locked(case)
    _require_open(case)
    assigned_on = assigned_on or timezone.localdate()
    _not_future(assigned_on, "assigned_on", _("Ngày phân công"))
    _not_before_opening(case, assigned_on, "assigned_on", _("Ngày phân công"))
    if user is not None and not permissions.works_in(user, case.orgunit):
        raise ValidationError(
            {"user": _("Tài khoản được giao phải có vai trò tại xã, phường của hồ sơ.")}
        )
    if user is not None and case.helpers.filter(user=user, ended_on__isnull=True).exists():
        raise ValidationError({"user": _("Tài khoản này đã được giao giúp đỡ hồ sơ.")})
    name = " ".join((name or "").split())
    if not name and user is not None:
        name = user.get_full_name() or user.get_username()
    if not name:
        raise ValidationError({"name": _("Hãy nhập họ tên hoặc tên tổ chức được giao giúp đỡ.")})
    helper = Helper(
        case=case,
        kind=kind,
        name=name,
        user=user,
        can_reveal=bool(can_reveal and user is not None),
        assigned_on=assigned_on,
    )
    helper.full_clean()
    helper.save()
    _audit(
        actor,
        "case.helper_assign",
        case,
        helper=helper.pk,
        kind=helper.kind,
        account=bool(user),
        can_reveal=helper.can_reveal,
    )
    return helper


@transaction.atomic
def helper_end(*, actor: Actor, helper: Helper, ended_on: date | None = None) -> Helper:
    """End an assignment: the helper's account loses access to the case."""
    _require_manage(actor, helper.case)
    ended_on = ended_on or timezone.localdate()
    if helper.ended_on is not None:
        raise ValidationError({"ended_on": _("Người này đã thôi được giao giúp đỡ.")})
    if ended_on < helper.assigned_on:
        raise ValidationError(
            {"ended_on": _("Ngày thôi phân công không được trước ngày phân công.")}
        )
    helper.ended_on = ended_on
    helper.full_clean()
    helper.save()
    _audit(actor, "case.helper_end", helper.case, helper=helper.pk)
    return helper


@transaction.atomic
def support_task_add(
    *, actor: Actor, case: Case, need: str, title: str, due_on: date
) -> SupportTask:
    """Add a step to the support plan."""
    _require_read(actor, case)
    case = _locked(case)
    _require_open(case)
    _not_before_opening(case, due_on, "due_on", _("Hạn"))
    task = SupportTask(case=case, need=need, title=" ".join((title or "").split()), due_on=due_on)
    task.full_clean()
    task.save()
    _audit(actor, "case.task_add", case, task=task.pk, need=task.need, due_on=task.due_on)
    return task


@transaction.atomic
def support_task_done(*, actor: Actor, task: SupportTask, done_on: date) -> SupportTask:
    """Mark a plan step done on ``done_on``."""
    _require_read(actor, task.case)
    _require_open(task.case)
    _not_future(done_on, "done_on", _("Ngày hoàn thành"))
    _not_before_opening(task.case, done_on, "done_on", _("Ngày hoàn thành"))
    task.done_on = done_on
    task.full_clean()
    task.save()
    _audit(actor, "case.task_done", task.case, task=task.pk, done_on=done_on)
    return task


@transaction.atomic
def review_record(
    *, actor: Actor, case: Case, kind: str, held_on: date, summary: str = ""
) -> Review:
    """Record a contact or a review: what was done and by whom (the actor)."""
    _require_read(actor, case)
    case = _locked(case)
    _require_open(case)
    _not_future(held_on, "held_on", _("Ngày gặp gỡ, đánh giá"))
    _not_before_opening(case, held_on, "held_on", _("Ngày gặp gỡ, đánh giá"))
    review = Review(
        case=case,
        kind=kind,
        held_on=held_on,
        summary=(summary or "").strip(),
        recorded_by=_user(actor),
    )
    review.full_clean()
    review.save()
    _audit(actor, "case.review", case, review=review.pk, kind=kind, held_on=held_on)
    return review


@transaction.atomic
def outcome_record(
    *, actor: Actor, case: Case, kind: str, achieved_on: date, note: str = ""
) -> Outcome:
    """Record a result of the support (a job, a loan, papers issued…)."""
    _require_read(actor, case)
    case = _locked(case)
    _require_open(case)
    _not_future(achieved_on, "achieved_on", _("Ngày đạt"))
    _not_before_opening(case, achieved_on, "achieved_on", _("Ngày đạt"))
    outcome = Outcome(case=case, kind=kind, achieved_on=achieved_on, note=(note or "").strip())
    outcome.full_clean()
    outcome.save()
    _audit(actor, "case.outcome", case, outcome=outcome.pk, kind=kind, achieved_on=achieved_on)
    _sync(actor, achieved_on)
    return outcome


@transaction.atomic
def case_close(*, actor: Actor, case: Case, closed_on: date, reason: str, note: str = "") -> Case:
    """Close the case with its reason."""
    _require_manage(actor, case)
    case = _locked(case)
    _require_open(case)
    _not_future(closed_on, "closed_on", _("Ngày kết thúc"))
    _not_before_opening(case, closed_on, "closed_on", _("Ngày kết thúc"))
    if reason not in Case.ClosureReason.values:
        raise ValidationError({"closure_reason": _("Hãy chọn lý do kết thúc hồ sơ.")})
    if case.handovers.filter(status=Handover.Status.PENDING).exists():
        raise ValidationError(
            {"status": _("Hồ sơ đang chờ xã khác tiếp nhận: hãy hủy việc chuyển trước.")}
        )
    case.status = Case.Status.CLOSED
    case.closed_on = closed_on
    case.closure_reason = reason
    case.closure_note = (note or "").strip()
    case.full_clean()
    case.save()
    _audit(actor, "case.close", case)
    _sync(actor, closed_on)
    return case


# --- handover -----------------------------------------------------------------------------


@transaction.atomic
def handover_request(
    *, actor: Actor, case: Case, to_unit: OrgUnit, requested_on: date | None = None
) -> Handover:
    """Send the case to another commune; it stays here until that commune accepts it."""
    _require_manage(actor, case)
    case = _locked(case)
    _require_open(case)
    requested_on = requested_on or timezone.localdate()
    _not_future(requested_on, "requested_on", _("Ngày chuyển"))
    if to_unit.kind != UnitKind.COMMUNE or not to_unit.is_current:
        raise ValidationError({"to_unit": _("Nơi nhận phải là một xã, phường đang hoạt động.")})
    if to_unit.pk == case.orgunit_id:
        raise ValidationError(
            {"to_unit": _("Không thể chuyển hồ sơ cho chính xã, phường đang quản lý.")}
        )
    if case.handovers.filter(status=Handover.Status.PENDING).exists():
        raise ValidationError({"to_unit": _("Hồ sơ đã có một lần chuyển đang chờ tiếp nhận.")})
    handover = Handover(
        case=case,
        from_unit=case.orgunit,
        to_unit=to_unit,
        requested_on=requested_on,
        requested_by=_user(actor),
    )
    handover.full_clean()
    handover.save()
    _audit(actor, "case.handover_request", case, handover=handover.pk, to_unit=to_unit.code)
    return handover


@transaction.atomic
def handover_accept(*, actor: Actor, handover: Handover) -> Case:
    """Accept a case into the receiving commune: it moves whole, the sender keeps the row."""
    handover = (
        Handover.objects.select_for_update().select_related("case", "to_unit").get(pk=handover.pk)
    )
    if not permissions.is_chief(actor, handover.to_unit):
        raise _not_found()
    if handover.status != Handover.Status.PENDING:
        raise ValidationError({"status": _("Việc chuyển hồ sơ này đã được xử lý.")})
    case = _locked(handover.case)
    case.orgunit = handover.to_unit
    # The village belongs to the old commune; the receiving commune records the new one.
    case.home_village = None
    case.full_clean()
    case.save()
    # Assignments of the sending commune end: its users must not keep access.
    case.helpers.filter(ended_on__isnull=True).update(ended_on=timezone.localdate())
    handover.status = Handover.Status.ACCEPTED
    handover.decided_at = timezone.now()
    handover.decided_by = _user(actor)
    handover.full_clean()
    handover.save()
    _audit(actor, "case.handover_accept", case, handover=handover.pk)
    _sync(actor, case.opened_on)
    return case


@transaction.atomic
def handover_cancel(*, actor: Actor, handover: Handover) -> Handover:
    """Withdraw a pending handover (the sending chief)."""
    if not permissions.is_chief(actor, handover.from_unit):
        raise _not_found()
    if handover.status != Handover.Status.PENDING:
        raise ValidationError({"status": _("Việc chuyển hồ sơ này đã được xử lý.")})
    handover.status = Handover.Status.CANCELLED
    handover.decided_at = timezone.now()
    handover.decided_by = _user(actor)
    handover.full_clean()
    handover.save()
    _audit(actor, "case.handover_cancel", handover.case, handover=handover.pk)
    return handover


# --- data-subject requests ----------------------------------------------------------------


def add_working_days(start: date, days: int) -> date:
    """Return the date ``days`` working days (Monday to Friday) after ``start``."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@transaction.atomic
def subject_request_open(
    *, actor: Actor, case: Case, kind: str, received_on: date, details: str = ""
) -> SubjectRequest:
    """Register a data-subject request; it is due in ``CASES_SUBJECT_REQUEST_WORKING_DAYS``."""
    _require_manage(actor, case)
    _not_future(received_on, "received_on", _("Ngày nhận yêu cầu"))
    request = SubjectRequest(
        case=case,
        kind=kind,
        received_on=received_on,
        due_on=add_working_days(received_on, settings.CASES_SUBJECT_REQUEST_WORKING_DAYS),
        details=(details or "").strip(),
    )
    request.full_clean()
    request.save()
    _audit(
        actor, "case.subject_request", case, request=request.pk, kind=kind, due_on=request.due_on
    )
    return request


def _legal_basis_ended(case: Case) -> bool:
    today = timezone.localdate()
    return not case.is_open or (case.support_until is not None and case.support_until < today)


@transaction.atomic
def subject_request_complete(
    *, actor: Actor, request: SubjectRequest, status: str, response: str, completed_on: date
) -> SubjectRequest:
    """Answer a data-subject request; an accepted deletion anonymises the case at once.

    A deletion is accepted only where the legal basis has ended (case closed, or its support
    period over); otherwise it must be refused with its reason.
    """
    _require_manage(actor, request.case)
    if request.status != SubjectRequest.Status.OPEN:
        raise ValidationError({"status": _("Yêu cầu này đã được trả lời.")})
    if status not in (SubjectRequest.Status.DONE, SubjectRequest.Status.REFUSED):
        raise ValidationError({"status": _("Hãy chọn đã đáp ứng hoặc từ chối.")})
    if not (response or "").strip():
        raise ValidationError({"response": _("Hãy ghi nội dung trả lời cho chủ thể dữ liệu.")})
    _not_future(completed_on, "completed_on", _("Ngày trả lời"))
    if completed_on < request.received_on:
        raise ValidationError(
            {"completed_on": _("Ngày trả lời không được trước ngày nhận yêu cầu.")}
        )
    case = request.case
    deletion = status == SubjectRequest.Status.DONE and request.kind == SubjectRequest.Kind.DELETION
    if deletion and not _legal_basis_ended(case):
        raise ValidationError(
            {
                "status": _(
                    "Hồ sơ còn trong thời hạn quản lý, hỗ trợ: căn cứ pháp lý chưa chấm "
                    "dứt nên không xóa được; hãy từ chối và nêu lý do."
                )
            }
        )
    request.status = status
    request.response = response.strip()
    request.completed_on = completed_on
    request.handled_by = _user(actor)
    request.full_clean()
    request.save()
    _audit(actor, "case.subject_request_done", case, request=request.pk, status=status)
    if deletion:
        if case.is_open:
            case.status = Case.Status.CLOSED
            case.closed_on = completed_on
            case.closure_reason = Case.ClosureReason.PERIOD_ENDED
            case.save()
            _sync(actor, completed_on)
        _anonymise(actor, case)
    return request


@transaction.atomic
def subject_export_read(*, actor: Actor, pk: int) -> SubjectRequest:
    """Fetch a request for the export of everything held about the person; log the read."""
    request = selectors.subject_request_get(user=actor, pk=pk)
    _log_reads(actor, [request.case], CaseRead.Channel.SUBJECT_EXPORT)
    return request


# --- retention ----------------------------------------------------------------------------


def _anonymise(actor: Actor | None, case: Case) -> None:
    case.full_name = ""
    case.full_name_folded = ""
    case.birth_year = None
    case.identity_number = ""
    case.home_village = None
    case.judgment_number = ""
    case.judgment_date = None
    case.extra = {}
    case.closure_note = ""
    case.anonymised_at = timezone.now()
    case.save()
    case.helpers.update(name="", user=None, can_reveal=False)
    case.tasks.update(title="—")
    case.reviews.update(summary="")
    case.outcomes.update(note="")
    case.subject_requests.update(details="", response="")
    _audit(actor, "case.anonymise", case)


@transaction.atomic
def case_anonymise(*, actor: Actor, case: Case) -> Case:
    """Anonymise one closed case now (its chief); its figures stay in the aggregates."""
    _require_manage(actor, case)
    case = _locked(case)
    if case.is_open:
        raise ValidationError(
            {"status": _("Không thể ẩn danh hồ sơ đang hỗ trợ: hãy kết thúc hồ sơ trước.")}
        )
    if case.is_anonymised:
        raise ValidationError({"status": _("Hồ sơ đã được ẩn danh.")})
    _anonymise(actor, case)
    return case


@transaction.atomic
def cases_anonymise_expired(*, actor: Actor | None = None, today: date | None = None) -> int:
    """Anonymise every case closed more than ``CASES_RETENTION_DAYS`` ago (the daily task)."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.CASES_RETENTION_DAYS)
    expired = Case.objects.select_for_update().filter(
        status=Case.Status.CLOSED, closed_on__lt=cutoff, anonymised_at__isnull=True
    )
    count = 0
    for case in expired.select_related("orgunit"):
        _anonymise(actor, case)
        count += 1
    return count
