"""Plans, resolutions, directives and coordination regulations, with their tasks.

Part of ``binhyen.targets.services`` (its docstring states the invariants).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.text import fold
from binhyen.core.uploads import clean_upload
from binhyen.orgunits.models import OrgUnit
from binhyen.targets.models import (
    Plan,
    PlanKind,
    PlanTask,
)
from binhyen.targets.services.common import PLAN_FIELDS, _raise, _require, _text

# --- plans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    kind: str
    number: str
    issued_on: date
    title: str
    period_start: date
    period_end: date
    summary: str = ""
    partners: str = ""


def _plan_errors(data: PlanInput) -> tuple[dict[str, Any], dict[str, Any]]:
    errors: dict[str, Any] = {}
    clean = {
        "number": _text(data.number, _("Số, ký hiệu"), "number", errors),
        "title": _text(data.title, _("Trích yếu"), "title", errors),
        "summary": _text(data.summary, _("Nội dung chính"), "summary", errors, multiline=True),
        "partners": _text(data.partners, _("Cơ quan phối hợp"), "partners", errors),
    }
    if data.kind not in PlanKind.values:
        errors["kind"] = _("Loại văn bản không hợp lệ.")
    if "number" not in errors and not clean["number"]:
        errors["number"] = _("Nhập số, ký hiệu của văn bản.")
    if "title" not in errors and not clean["title"]:
        errors["title"] = _("Nhập trích yếu của văn bản.")
    if data.issued_on and data.issued_on > timezone.localdate():
        errors["issued_on"] = _("Ngày ban hành không được sau hôm nay.")
    if data.period_start and data.period_end and data.period_end < data.period_start:
        errors["period_end"] = _("Ngày kết thúc thực hiện phải sau ngày bắt đầu.")
    if data.kind == PlanKind.COORDINATION and not clean["partners"] and "partners" not in errors:
        errors["partners"] = _("Quy chế phối hợp cần ghi cơ quan phối hợp.")
    return clean, errors


@transaction.atomic
def plan_create(*, actor: Actor, unit: OrgUnit, data: PlanInput, upload: Any = None) -> Plan:
    """Record a plan, resolution, directive or coordination regulation of ``unit``."""
    _require(actor, unit)
    clean, errors = _plan_errors(data)
    cleaned_file = None
    if upload is not None:
        try:
            cleaned_file = clean_upload(upload, field="document")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _raise(errors)
    plan = Plan(
        orgunit=unit,
        kind=data.kind,
        issued_on=data.issued_on,
        period_start=data.period_start,
        period_end=data.period_end,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **clean,
    )
    plan.title_folded = fold(f"{plan.number} {plan.title}")
    if cleaned_file is not None:
        plan.document = cleaned_file.content
    plan.full_clean()
    plan.save()
    audit_event_record(
        actor=actor,
        action="plan.create",
        obj=plan,
        orgunit=unit,
        after=model_snapshot(plan, PLAN_FIELDS),
    )
    return plan


@transaction.atomic
def plan_update(*, actor: Actor, plan: Plan, data: PlanInput, upload: Any = None) -> Plan:
    """Change a plan's details (and replace its document when a file is sent)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require(actor, plan.orgunit)
    before = model_snapshot(plan, PLAN_FIELDS)
    clean, errors = _plan_errors(data)
    cleaned_file = None
    if upload is not None:
        try:
            cleaned_file = clean_upload(upload, field="document")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    outside = plan.targets.exclude(
        period_start__gte=data.period_start, period_end__lte=data.period_end
    ).exists()
    if outside:
        errors["period_start"] = _("Kế hoạch đã có chỉ tiêu ngoài thời gian mới.")
    _raise(errors)
    for name, value in clean.items():
        setattr(plan, name, value)
    plan.kind, plan.issued_on = data.kind, data.issued_on
    plan.period_start, plan.period_end = data.period_start, data.period_end
    plan.title_folded = fold(f"{plan.number} {plan.title}")
    if cleaned_file is not None:
        plan.document = cleaned_file.content
    plan.full_clean()
    plan.save()
    audit_event_record(
        actor=actor,
        action="plan.update",
        obj=plan,
        orgunit=plan.orgunit,
        before=before,
        after=model_snapshot(plan, PLAN_FIELDS),
    )
    return plan


@transaction.atomic
def plan_task_add(
    *,
    actor: Actor,
    plan: Plan,
    description: str,
    assignee: str,
    due_on: date,
    progress: int = 0,
    note: str = "",
) -> PlanTask:
    """Add a task (who, what, by when) to a plan."""
    _require(actor, plan.orgunit)
    errors: dict[str, Any] = {}
    task = PlanTask(
        plan=plan,
        description=_text(description, _("Nội dung công việc"), "description", errors),
        assignee=_text(assignee, _("Đơn vị, người thực hiện"), "assignee", errors),
        due_on=due_on,
        progress=progress,
        note=_text(note, _("Ghi chú"), "note", errors),
    )
    if "description" not in errors and not task.description:
        errors["description"] = _("Nhập nội dung công việc.")
    if "assignee" not in errors and not task.assignee:
        errors["assignee"] = _("Nhập đơn vị, người thực hiện.")
    if not 0 <= progress <= 100:
        errors["progress"] = _("Tiến độ phải từ 0 đến 100 %.")
    _raise(errors)
    task.full_clean()
    task.save()
    audit_event_record(
        actor=actor,
        action="plan_task.create",
        obj=task,
        orgunit=plan.orgunit,
        after=model_snapshot(task, ["description", "assignee", "due_on", "progress"]),
    )
    return task


@transaction.atomic
def plan_task_update(*, actor: Actor, task: PlanTask, progress: int, note: str = "") -> PlanTask:
    """Report how far a task has come (0–100 %)."""
    task = PlanTask.objects.select_for_update().select_related("plan__orgunit").get(pk=task.pk)
    _require(actor, task.plan.orgunit)
    errors: dict[str, Any] = {}
    before = model_snapshot(task, ["progress", "note"])
    task.note = _text(note, _("Ghi chú"), "note", errors)
    if not 0 <= progress <= 100:
        errors["progress"] = _("Tiến độ phải từ 0 đến 100 %.")
    _raise(errors)
    task.progress = progress
    task.full_clean()
    task.save()
    audit_event_record(
        actor=actor,
        action="plan_task.update",
        obj=task,
        orgunit=task.plan.orgunit,
        before=before,
        after=model_snapshot(task, ["progress", "note"]),
    )
    return task
