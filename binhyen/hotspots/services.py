"""Writes of the hotspots app: designations, responsibilities, plan tasks, removal, relapse.

Invariants:
- The actor holds ``MANAGE_HOTSPOTS`` on the designation's commune (``RECORD_ACTIVITIES`` is
  enough to report a task's progress); otherwise ``PermissionDenied`` is raised and
  callers answer 404.
- Every write is one transaction: the model's rules (dates, regime fields, removal after
  designation, relapse after removal) and the uniqueness rules below are checked before
  anything is stored, one ``AuditEvent`` is recorded, and the hotspot metrics of every
  year the change touches are re-published (``provider_values_sync``).
- Uniqueness, checked while the commune row is locked: for ``transformation`` one
  designation per commune and list year; for the other regimes no two designations of a
  commune may be in force at the same time.
- Attachments are checked by content and images re-encoded (``core.uploads``); a file is
  removed again if the transaction does not commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.formats import format_date
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.uploads import clean_document
from binhyen.hotspots.models import (
    Designation,
    PlanTask,
    ProblemCategory,
    Regime,
    Relapse,
    Responsibility,
)
from binhyen.hotspots.permissions import can_manage, can_report_progress
from binhyen.hotspots.providers import LIST_METRICS, PROVIDER_KEY, STATE_METRICS
from binhyen.indicators.models import Metric, MetricSource
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.services import provider_values_sync
from binhyen.indicators.tasks import provider_resync_after_commit
from binhyen.orgunits import carry
from binhyen.orgunits.carry import Move
from binhyen.orgunits.models import OrgUnit, UnitKind

DESIGNATION_FIELDS: list[str] = [
    "regime",
    "orgunit",
    "year",
    "drug_area_type",
    "decision_number",
    "decision_date",
    "issuing_body",
    "survey_date",
    "survey_findings",
    "plan_summary",
]
REMOVAL_FIELDS: list[str] = [
    "removal_proposed_on",
    "removal_proposal",
    "removal_decision_number",
    "removal_date",
    "removal_issuing_body",
]
TASK_FIELDS: list[str] = [
    "title",
    "owner",
    "deadline",
    "progress",
    "status",
    "completed_on",
    "evidence",
]


@dataclass
class DesignationInput:
    """A designation as parsed from a form or the API."""

    regime: str
    unit: OrgUnit
    year: int
    decision_number: str
    decision_date: date
    issuing_body: str
    drug_area_type: str = ""
    categories: list[ProblemCategory] = field(default_factory=list)
    survey_date: date | None = None
    survey_findings: str = ""
    plan_summary: str = ""
    decision_file: UploadedFile | None = None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền thay đổi địa bàn trọng điểm này."))


class _Files:
    """Store checked attachments; delete them again if the service fails after storing.

    Files replaced by a new upload are deleted only once the transaction commits.
    """

    def __init__(self) -> None:
        self.stored: list[tuple[Any, str]] = []
        self.replaced: list[tuple[Any, str]] = []

    def store(self, target: FieldFile, upload: UploadedFile | None, field_name: str) -> None:
        if not upload:
            return
        try:
            clean = clean_document(upload)
        except ValidationError as exc:
            raise ValidationError({field_name: exc.messages}) from exc
        if target.name:
            self.replaced.append((target.storage, target.name))
        target.save(clean.content.name or "tep", clean.content, save=False)
        self.stored.append((target.storage, target.name or ""))

    def __enter__(self) -> _Files:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            for storage, name in self.stored:
                storage.delete(name)
            return
        replaced = list(self.replaced)
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in replaced])


def _clean(obj: Any, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude))


def _check_unique(designation: Designation) -> None:
    """Refuse a second designation of the commune under the same regime (see module docstring)."""
    others = Designation.objects.filter(orgunit=designation.orgunit, regime=designation.regime)
    if designation.pk is not None:
        others = others.exclude(pk=designation.pk)
    if designation.regime == Regime.TRANSFORMATION:
        other = others.filter(year=designation.year).first()
        if other is not None:
            raise ValidationError(
                {
                    "year": _(
                        "%(unit)s đã có trong danh sách chuyển hóa năm %(year)s (quyết định "
                        "%(number)s)."
                    )
                    % {
                        "unit": designation.orgunit.name,
                        "year": designation.year,
                        "number": other.decision_number,
                    }
                }
            )
        return
    start = designation.decision_date
    end = designation.removal_date
    for other in others:
        other_end = other.removal_date
        overlaps = (end is None or other.decision_date < end) and (
            other_end is None or start < other_end
        )
        if overlaps:
            raise ValidationError(
                {
                    "orgunit": _(
                        "%(unit)s đang thuộc diện này theo quyết định %(number)s ngày %(day)s; "
                        "hãy ghi quyết định đưa ra khỏi diện trước khi đưa vào diện lần mới."
                    )
                    % {
                        "unit": designation.orgunit.name,
                        "number": other.decision_number,
                        "day": format_date(other.decision_date),
                    }
                }
            )


def hotspots_metrics_sync(
    *,
    actor: Actor | None,
    list_years: Iterable[int],
    since: date,
    now_periods: int | None = None,
) -> int:
    """Re-publish the hotspot metrics: list metrics for ``list_years``, state metrics
    (in force, overdue) for every period from ``since`` to today.

    With ``now_periods`` (a write), only the latest ``now_periods`` periods of each state
    metric are re-published at once; the older ones are handed to the worker after commit
    (one coalesced task per metric and period), so a save never re-publishes years of months
    before answering."""
    today = timezone.localdate()
    metrics = Metric.objects.filter(
        code__in=(*LIST_METRICS, *STATE_METRICS),
        source=MetricSource.PROVIDER,
        provider_key=PROVIDER_KEY,
        is_active=True,
    )
    changed = 0
    years = sorted(set(list_years))
    for metric in metrics:
        if metric.code in LIST_METRICS:
            if metric.period_kind != PeriodKind.YEAR:
                continue
            codes = [Period(PeriodKind.YEAR, y).code for y in years]
        else:
            first = Period.containing(metric.period_kind, min(since, today))
            last = Period.containing(metric.period_kind, today)
            codes = []
            period = first
            while period <= last:
                codes.append(period.code)
                period = period.next()
        if now_periods is not None and metric.code not in LIST_METRICS:
            cut = max(len(codes) - max(now_periods, 0), 0)
            later, codes = codes[:cut], codes[cut:]
            if later:
                provider_resync_after_commit(metrics=[metric], period_codes=later)
        for code in codes:
            changed += provider_values_sync(actor=actor, metric=metric, period_code=code)
    return changed


def _sync_for(
    actor: Actor,
    designation: Designation,
    *,
    extra_years: Iterable[int] = (),
    since: date | None = None,
) -> None:
    dates = [designation.decision_date]
    dates.extend(t for t in designation.tasks.values_list("deadline", flat=True))
    if since is not None:
        dates.append(since)
    hotspots_metrics_sync(
        actor=actor,
        list_years={designation.year, *extra_years},
        since=min(dates),
        now_periods=settings.HOTSPOTS_RESYNC_MAX_PERIODS,
    )


def _lock_unit(unit: OrgUnit) -> None:
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()


def _snapshot(designation: Designation) -> dict[str, Any]:
    data = model_snapshot(designation, DESIGNATION_FIELDS + REMOVAL_FIELDS)
    if designation.pk is not None:
        data["categories"] = sorted(designation.categories.values_list("code", flat=True))
    return data


def _apply(designation: Designation, data: DesignationInput) -> None:
    designation.regime = data.regime
    designation.orgunit = data.unit
    designation.year = data.year
    designation.drug_area_type = data.drug_area_type or ""
    designation.decision_number = (data.decision_number or "").strip()
    designation.decision_date = data.decision_date
    designation.issuing_body = (data.issuing_body or "").strip()
    designation.survey_date = data.survey_date
    designation.survey_findings = (data.survey_findings or "").strip()
    designation.plan_summary = (data.plan_summary or "").strip()


@transaction.atomic
def designation_create(*, actor: Actor, data: DesignationInput) -> Designation:
    """Put a commune on a hotspot list under one regime, with its decision."""
    _require(can_manage(actor, data.unit))
    _lock_unit(data.unit)
    designation = Designation(
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    _apply(designation, data)
    _clean(designation, exclude=["decision_file", "removal_file", "recorded_by"])
    _check_unique(designation)
    with _Files() as files:
        files.store(designation.decision_file, data.decision_file, "decision_file")
        designation.save()
        designation.categories.set(data.categories)
        audit_event_record(
            actor=actor,
            action="hotspot.designate",
            obj=designation,
            orgunit=designation.orgunit,
            after=_snapshot(designation),
        )
        _sync_for(actor, designation)
    return designation


@transaction.atomic
def designation_update(
    *, actor: Actor, designation: Designation, data: DesignationInput
) -> Designation:
    """Correct a designation's decision, survey or plan (removal has its own services)."""
    _require(can_manage(actor, designation.orgunit))
    _require(can_manage(actor, data.unit))
    _lock_unit(data.unit)
    designation = Designation.objects.select_for_update().get(pk=designation.pk)
    before = _snapshot(designation)
    old_year, old_date = designation.year, designation.decision_date
    _apply(designation, data)
    _clean(designation, exclude=["decision_file", "removal_file", "recorded_by"])
    _check_unique(designation)
    with _Files() as files:
        files.store(designation.decision_file, data.decision_file, "decision_file")
        designation.save()
        designation.categories.set(data.categories)
        audit_event_record(
            actor=actor,
            action="hotspot.update",
            obj=designation,
            orgunit=designation.orgunit,
            before=before,
            after=_snapshot(designation),
        )
        _sync_for(actor, designation, extra_years=[old_year], since=old_date)
    return designation


@transaction.atomic
def designation_removal_propose(
    *, actor: Actor, designation: Designation, proposed_on: date, proposal: str
) -> Designation:
    """Record the proposal to remove the area from the list (đề nghị đưa ra khỏi diện)."""
    _require(can_manage(actor, designation.orgunit))
    designation = Designation.objects.select_for_update().get(pk=designation.pk)
    before = model_snapshot(designation, REMOVAL_FIELDS)
    if designation.removal_date is not None:
        raise ValidationError({"removal_proposed_on": _("Địa bàn đã được đưa ra khỏi diện.")})
    designation.removal_proposed_on = proposed_on
    designation.removal_proposal = (proposal or "").strip()
    _clean(designation, exclude=["decision_file", "removal_file", "recorded_by"])
    designation.save()
    audit_event_record(
        actor=actor,
        action="hotspot.removal_propose",
        obj=designation,
        orgunit=designation.orgunit,
        before=before,
        after=model_snapshot(designation, REMOVAL_FIELDS),
    )
    return designation


@transaction.atomic
def designation_remove(
    *,
    actor: Actor,
    designation: Designation,
    decision_number: str,
    decision_date: date,
    issuing_body: str,
    attachment: UploadedFile | None = None,
) -> Designation:
    """Record the decision removing the area from the list; it must follow the designation."""
    _require(can_manage(actor, designation.orgunit))
    _lock_unit(designation.orgunit)
    designation = Designation.objects.select_for_update().get(pk=designation.pk)
    before = model_snapshot(designation, REMOVAL_FIELDS)
    if designation.removal_date is not None:
        raise ValidationError(
            {
                "removal_date": _("Địa bàn đã được đưa ra khỏi diện ngày %(day)s.")
                % {"day": format_date(designation.removal_date)}
            }
        )
    designation.removal_decision_number = (decision_number or "").strip()
    designation.removal_date = decision_date
    designation.removal_issuing_body = (issuing_body or "").strip()
    _clean(designation, exclude=["decision_file", "removal_file", "recorded_by"])
    _check_unique(designation)
    with _Files() as files:
        files.store(designation.removal_file, attachment, "removal_file")
        designation.save()
        audit_event_record(
            actor=actor,
            action="hotspot.remove",
            obj=designation,
            orgunit=designation.orgunit,
            before=before,
            after=model_snapshot(designation, REMOVAL_FIELDS),
        )
        _sync_for(actor, designation)
    return designation


@transaction.atomic
def relapse_create(
    *, actor: Actor, designation: Designation, day: date, description: str
) -> Relapse:
    """Record that a removed area became complex again."""
    _require(can_manage(actor, designation.orgunit))
    designation = Designation.objects.select_for_update().get(pk=designation.pk)
    relapse = Relapse(
        designation=designation,
        date=day,
        description=(description or "").strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _clean(relapse, exclude=["recorded_by"])
    relapse.save()
    audit_event_record(
        actor=actor,
        action="hotspot.relapse",
        obj=designation,
        orgunit=designation.orgunit,
        after={"date": day.isoformat(), "description": relapse.description[:200]},
    )
    _sync_for(actor, designation)
    return relapse


@transaction.atomic
def responsibility_create(
    *,
    actor: Actor,
    designation: Designation,
    department: str,
    officer_name: str = "",
    duty: str = "",
) -> Responsibility:
    """Assign a department (and officer) to follow the area."""
    _require(can_manage(actor, designation.orgunit))
    item = Responsibility(
        designation=designation,
        department=(department or "").strip(),
        officer_name=(officer_name or "").strip(),
        duty=(duty or "").strip(),
    )
    _clean(item)
    item.save()
    audit_event_record(
        actor=actor,
        action="hotspot.responsibility_add",
        obj=designation,
        orgunit=designation.orgunit,
        after=model_snapshot(item, ["department", "officer_name", "duty"]),
    )
    return item


@transaction.atomic
def responsibility_delete(*, actor: Actor, responsibility: Responsibility) -> None:
    designation = responsibility.designation
    _require(can_manage(actor, designation.orgunit))
    audit_event_record(
        actor=actor,
        action="hotspot.responsibility_remove",
        obj=designation,
        orgunit=designation.orgunit,
        before=model_snapshot(responsibility, ["department", "officer_name", "duty"]),
    )
    responsibility.delete()


@transaction.atomic
def plan_task_create(
    *, actor: Actor, designation: Designation, title: str, owner: str, deadline: date
) -> PlanTask:
    """Add a task to the area's transformation plan."""
    _require(can_manage(actor, designation.orgunit))
    designation = Designation.objects.get(pk=designation.pk)
    task = PlanTask(
        designation=designation,
        title=(title or "").strip(),
        owner=(owner or "").strip(),
        deadline=deadline,
    )
    _clean(task, exclude=["evidence_file"])
    task.save()
    audit_event_record(
        actor=actor,
        action="hotspot.task_add",
        obj=designation,
        orgunit=designation.orgunit,
        after=model_snapshot(task, TASK_FIELDS),
    )
    _sync_for(actor, designation)
    return task


@transaction.atomic
def plan_task_update(
    *, actor: Actor, task: PlanTask, title: str, owner: str, deadline: date
) -> PlanTask:
    """Change what a task is, who owns it and its deadline."""
    designation = task.designation
    _require(can_manage(actor, designation.orgunit))
    task = PlanTask.objects.select_for_update().get(pk=task.pk)
    before = model_snapshot(task, TASK_FIELDS)
    old_deadline = task.deadline
    task.title = (title or "").strip()
    task.owner = (owner or "").strip()
    task.deadline = deadline
    _clean(task, exclude=["evidence_file"])
    task.save()
    audit_event_record(
        actor=actor,
        action="hotspot.task_update",
        obj=designation,
        orgunit=designation.orgunit,
        before=before,
        after=model_snapshot(task, TASK_FIELDS),
    )
    _sync_for(actor, designation, since=old_deadline)
    return task


@transaction.atomic
def plan_task_report(
    *,
    actor: Actor,
    task: PlanTask,
    progress: int,
    status: str,
    completed_on: date | None,
    evidence: str,
    evidence_file: UploadedFile | None = None,
) -> PlanTask:
    """Report a task's progress, status and evidence (the commune police may do this)."""
    designation = task.designation
    _require(can_report_progress(actor, designation.orgunit))
    task = PlanTask.objects.select_for_update().get(pk=task.pk)
    before = model_snapshot(task, TASK_FIELDS)
    old_completed = task.completed_on
    task.progress = progress
    task.status = status
    task.completed_on = completed_on
    task.evidence = (evidence or "").strip()
    _clean(task, exclude=["evidence_file"])
    with _Files() as files:
        files.store(task.evidence_file, evidence_file, "evidence_file")
        task.save()
        audit_event_record(
            actor=actor,
            action="hotspot.task_report",
            obj=designation,
            orgunit=designation.orgunit,
            before=before,
            after=model_snapshot(task, TASK_FIELDS),
        )
        since = min(d for d in (task.deadline, old_completed, completed_on) if d is not None)
        _sync_for(actor, designation, since=since)
    return task


# --- moving onto the successor commune -------------------------------------------------------


def _what(designation: Designation) -> str:
    return _("Địa bàn trọng điểm %(unit)s (%(regime)s, %(year)s)") % {
        "unit": designation.orgunit.name,
        "regime": designation.get_regime_display(),
        "year": designation.year,
    }


def designation_carry_plan(*, designation: Designation) -> list[Move]:
    """Return the move ``designation_carry_forward`` would make (raises ``ValidationError``)."""
    return carry.plan_carry(
        [designation.orgunit],
        what=_what(designation),
        field="orgunit",
        kind=UnitKind.COMMUNE,
        state=_("được đưa ra khỏi diện"),
        since=designation.removal_date,
        since_field="removal_date",
    )


def _sides(actor: Actor) -> dict[str, Any]:
    return {
        "may_old": lambda old: can_manage(actor, old),
        "may_new": lambda new: can_manage(actor, new),
    }


def designation_carry_allowed(actor: Actor, moves: list[Move]) -> bool:
    """Return True if ``actor`` may manage designations on the old commune and its successor."""
    return carry.both_sides_allowed(moves, **_sides(actor))


@transaction.atomic
def designation_carry_forward(*, actor: Actor, obj: Designation) -> Designation:
    """Move a designation in force from its closed commune onto the successor commune.

    Its plan tasks and responsibilities go with it; the old commune stays on the record
    (``former_orgunit``) and its figures before the reform do not change.
    """
    _require(can_manage(actor, obj.orgunit))
    designation = (
        Designation.objects.select_for_update(of=("self",)).select_related("orgunit").get(pk=obj.pk)
    )
    moves = designation_carry_plan(designation=designation)
    carry.require_both_sides(moves, **_sides(actor))
    old, new = moves[0]
    _lock_unit(new)
    before = _snapshot(designation)
    designation.former_orgunit = old
    designation.orgunit = new
    designation.carried_on = timezone.localdate()
    _check_unique(designation)
    designation.save(update_fields=["former_orgunit", "orgunit", "carried_on", "updated_at"])
    audit_event_record(
        actor=actor,
        action="hotspot.carry_forward",
        obj=designation,
        orgunit=new,
        before=before,
        after={
            **_snapshot(designation),
            "carried": carry.moves_audit(moves),
            "tasks": designation.tasks.count(),
            "responsibilities": designation.responsibilities.count(),
        },
    )
    _sync_for(actor, designation, since=carry.first_day_after(moves))
    return designation
