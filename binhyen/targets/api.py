"""REST endpoints of the targets app, under /api/v1/targets.

Reads go through ``selectors`` (scoped to the caller), writes through ``services``; one
endpoint per page action. A unit, plan, target or campaign outside the caller's scope
answers exactly like a missing one (404); a write on a unit the caller may read but not
manage is 404 too. Bad input answers 400 naming the field (imports: every row's problem).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from binhyen.core import tabular
from binhyen.core.api_kit import api_import, api_user
from binhyen.core.schemas import OFFSET_MAX
from binhyen.indicators.models import Metric
from binhyen.orgunits.models import OrgUnit
from binhyen.targets import excel, selectors, services
from binhyen.targets.models import Campaign, Plan, Target
from binhyen.targets.permissions import can_manage
from binhyen.targets.progress import Progress
from binhyen.targets.schemas import (
    AllocationIn,
    CampaignIn,
    CampaignOut,
    CampaignPageOut,
    ErrorOut,
    HotspotTargetsIn,
    PlanIn,
    PlanOut,
    PlanPageOut,
    PlanTaskIn,
    PlanTaskProgressIn,
    TargetDetailOut,
    TargetImportErrorOut,
    TargetImportOut,
    TargetIn,
    TargetListOut,
    TargetOut,
    TargetUpdateIn,
    TargetValuesOut,
)

router = Router(tags=["targets"])
READ = {401: ErrorOut, 404: ErrorOut}
WRITE = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PlanListQuery(Schema):
    unit: str | None = Field(None, description="Only this unit and its subtree")
    kind: str | None = Field(None, max_length=16)
    year: int | None = Field(None, ge=2000, le=2100)
    q: str = Field("", max_length=200)
    limit: int = Field(50, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


class CampaignListQuery(Schema):
    q: str = Field("", max_length=200)
    limit: int = Field(50, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


def _managed(user: Any, unit: OrgUnit) -> None:
    if not can_manage(user, unit):
        raise selectors.not_found()


def _metric(code: str | None, field: str) -> Metric | None:
    if not code:
        return None
    metric = Metric.objects.filter(code=code, is_active=True).first()
    if metric is None:
        raise ValidationError(
            {field: _("Không có số liệu “%(code)s” trong danh mục.") % {"code": code}}
        )
    return metric


def plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "unit": plan.orgunit.code,
        "unit_name": plan.orgunit.name,
        "recorded_on_predecessor": bool(getattr(plan, "recorded_on_predecessor", False)),
        "kind": plan.kind,
        "kind_label": plan.get_kind_display(),
        "number": plan.number,
        "issued_on": plan.issued_on,
        "title": plan.title,
        "summary": plan.summary,
        "partners": plan.partners,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "has_document": bool(plan.document),
        "tasks": [
            {
                "id": t.pk,
                "description": t.description,
                "assignee": t.assignee,
                "due_on": t.due_on,
                "progress": t.progress,
                "note": t.note,
            }
            for t in plan.tasks.all()
        ],
        "target_ids": [t.pk for t in plan.targets.all()],
    }


def progress_out(p: Progress) -> dict[str, Any]:
    return {
        "actual": p.actual,
        "percent": p.percent,
        "status": p.status,
        "label": p.label,
        "light": p.light,
        "running": p.running,
        "projection": p.projection,
        "expected_share": p.expected_share,
        "seasonal": p.seasonal,
    }


def target_out(p: Progress) -> dict[str, Any]:
    t = p.target
    return {
        "id": t.pk,
        "unit": t.orgunit.code,
        "unit_name": t.orgunit.name,
        "name": t.name,
        "metric": t.metric.code,
        "option": t.option,
        "kind": t.kind,
        "comparison": t.comparison,
        "value": t.value,
        "denominator": t.denominator.code if t.denominator else None,
        "period": t.period,
        "source": t.source,
        "parent_id": t.parent_id,
        "plan_id": t.plan_id,
        "progress": progress_out(p),
    }


def _detail_out(user: Any, target: Target) -> dict[str, Any]:
    d = selectors.target_detail(user=user, target=target)
    return {
        "target": target_out(d.progress),
        "children": [
            {
                "unit": r.unit.code,
                "unit_name": r.unit.name,
                "allocated": r.target.value if r.target else None,
                "own": r.own.value if r.own else None,
                "progress": progress_out(r.progress) if r.progress else None,
            }
            for r in d.children
        ],
        "allocations": [
            {
                "id": a.allocation.pk,
                "version": a.allocation.version,
                "method": a.allocation.method,
                "is_current": a.allocation.is_current,
                "note": a.allocation.note,
                "created_at": a.allocation.created_at.isoformat(),
                "total": a.total,
                "shares": [{"unit": u.code, "value": v} for u, v in a.shares],
            }
            for a in d.allocations
        ],
        "allocated_total": d.allocated_total,
        "shortfall": d.shortfall,
        "without_target": [u.code for u in d.without_target],
    }


# --- plans ---------------------------------------------------------------------------------


@router.get("/plans", response={200: PlanPageOut, **READ}, summary="The register of plans")
def plan_list(request: HttpRequest, filters: Query[PlanListQuery]) -> Any:
    user = api_user(request)
    unit = selectors.unit_get(user=user, code=filters.unit) if filters.unit else None
    plans = selectors.plan_list(
        user=user, unit=unit, q=filters.q, kind=filters.kind, year=filters.year
    ).prefetch_related("tasks", "targets")
    items = plans[filters.offset : filters.offset + filters.limit]
    return {"count": plans.count(), "items": [plan_out(p) for p in items]}


@router.post("/plans", response={201: PlanOut, **WRITE}, summary="Record a plan of a unit")
def plan_create(request: HttpRequest, payload: PlanIn) -> Any:
    user = api_user(request)
    unit = selectors.unit_get(user=user, code=payload.unit)
    _managed(user, unit)
    data = services.PlanInput(**payload.dict(exclude={"unit"}))
    try:
        plan = services.plan_create(actor=user, unit=unit, data=data)
    except PermissionDenied as exc:
        raise selectors.not_found() from exc
    return Status(201, plan_out(plan))


@router.get("/plans/{int:plan_id}", response={200: PlanOut, **READ}, summary="One plan")
def plan_detail(request: HttpRequest, plan_id: int) -> Any:
    return plan_out(selectors.plan_get(user=api_user(request), pk=plan_id))


@router.put("/plans/{int:plan_id}", response={200: PlanOut, **WRITE}, summary="Correct a plan")
def plan_update(request: HttpRequest, plan_id: int, payload: PlanIn) -> Any:
    user = api_user(request)
    plan = selectors.plan_get(user=user, pk=plan_id)
    _managed(user, plan.orgunit)
    data = services.PlanInput(**payload.dict(exclude={"unit"}))
    return plan_out(services.plan_update(actor=user, plan=plan, data=data))


@router.post("/plans/{int:plan_id}/tasks", response={201: PlanOut, **WRITE}, summary="Add a task")
def plan_task_add(request: HttpRequest, plan_id: int, payload: PlanTaskIn) -> Any:
    user = api_user(request)
    plan = selectors.plan_get(user=user, pk=plan_id)
    _managed(user, plan.orgunit)
    services.plan_task_add(actor=user, plan=plan, **payload.dict())
    return Status(201, plan_out(selectors.plan_get(user=user, pk=plan_id)))


@router.post(
    "/tasks/{int:task_id}", response={200: PlanOut, **WRITE}, summary="Report a task's progress"
)
def plan_task_update(request: HttpRequest, task_id: int, payload: PlanTaskProgressIn) -> Any:
    user = api_user(request)
    task = selectors.task_get(user=user, pk=task_id)
    _managed(user, task.plan.orgunit)
    services.plan_task_update(actor=user, task=task, **payload.dict())
    return plan_out(selectors.plan_get(user=user, pk=task.plan_id))


# --- targets -------------------------------------------------------------------------------


@router.get(
    "/units/{code}/targets",
    response={200: TargetListOut, **READ},
    summary="A unit's targets with actual, percent, status and projection",
)
def unit_targets(request: HttpRequest, code: str, filters: Query[YearQuery]) -> Any:
    user = api_user(request)
    unit = selectors.unit_get(user=user, code=code)
    year = filters.year or timezone.localdate().year
    items = selectors.unit_progress(user=user, unit=unit, year=year)
    return {"unit": unit.code, "items": [target_out(p) for p in items]}


@router.get(
    "/units/{code}/target-values",
    response={200: TargetValuesOut, **READ},
    summary="The unit's running targets keyed by metric code (criteria rules' t.<metric>)",
)
def unit_target_values(request: HttpRequest, code: str) -> Any:
    unit = selectors.unit_get(user=api_user(request), code=code)
    today = timezone.localdate()
    return {"unit": unit.code, "on": today, "values": selectors.unit_target_values(unit=unit)}


def _unit_plan(unit: Any, pk: int | None) -> Plan | None:
    """Return the unit's plan ``pk`` (None when not given); another unit's plan is refused."""
    if pk is None:
        return None
    plan = selectors.unit_plans(unit).filter(pk=pk).first()
    if plan is None:
        raise ValidationError({"plan": _("Kế hoạch không phải của đơn vị này.")})
    return plan


@router.post(
    "/units/{code}/targets", response={201: TargetOut, **WRITE}, summary="Set a unit's target"
)
def target_create(request: HttpRequest, code: str, payload: TargetIn) -> Any:
    user = api_user(request)
    unit = selectors.unit_get(user=user, code=code)
    _managed(user, unit)
    plan = _unit_plan(unit, payload.plan)
    data = services.TargetInput(
        metric=_metric(payload.metric, "metric"),
        kind=payload.kind,
        value=payload.value,
        period=payload.period,
        comparison=payload.comparison,
        name=payload.name,
        option=payload.option,
        denominator=_metric(payload.denominator, "denominator"),
        denominator_option=payload.denominator_option,
        plan=plan,
    )
    target = services.target_create(actor=user, unit=unit, data=data)
    return Status(201, target_out(selectors.progress_of([target])[0]))


@router.post(
    "/units/{code}/targets/import",
    response={201: TargetImportOut, 400: TargetImportErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Import a unit's targets from a spreadsheet (all rows or none)",
)
def targets_import(
    request: HttpRequest,
    code: str,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Multipart field ``file`` (.xlsx); 400 lists every problem, and nothing is saved."""
    user = api_user(request)
    unit = selectors.unit_get(user=user, code=code)
    _managed(user, unit)

    def read_and_import(upload: UploadedFile) -> tabular.ImportResult[Target]:
        rows, problems = excel.read_targets(upload)
        if problems:
            return tabular.ImportResult(problems=problems)
        return tabular.ImportResult(services.targets_import(actor=user, unit=unit, rows=rows))

    created = api_import(file, read_and_import).created
    return Status(201, {"created": len(created), "ids": [t.pk for t in created]})


@router.post(
    "/units/{code}/hotspot-targets",
    response={201: TargetListOut, **WRITE},
    summary="Give a province its hotspot transformation targets (today's defaults)",
)
def hotspot_targets(request: HttpRequest, code: str, payload: HotspotTargetsIn) -> Any:
    user = api_user(request)
    unit = selectors.unit_get(user=user, code=code)
    _managed(user, unit)
    made = services.hotspot_targets_seed(
        actor=user, province=unit, year=payload.year, defaults=selectors.hotspot_defaults()
    )
    return Status(
        201, {"unit": unit.code, "items": [target_out(p) for p in selectors.progress_of(made)]}
    )


@router.get(
    "/targets/{int:target_id}",
    response={200: TargetDetailOut, **READ},
    summary="A target with its children, shortfall and allocation versions",
)
def target_detail(request: HttpRequest, target_id: int) -> Any:
    user = api_user(request)
    return _detail_out(user, selectors.target_get(user=user, pk=target_id))


@router.patch(
    "/targets/{int:target_id}", response={200: TargetOut, **WRITE}, summary="Change a target"
)
def target_update(request: HttpRequest, target_id: int, payload: TargetUpdateIn) -> Any:
    user = api_user(request)
    target = selectors.target_get(user=user, pk=target_id)
    _managed(user, target.orgunit)
    saved = services.target_update(
        actor=user, target=target, value=payload.value, name=payload.name
    )
    return target_out(selectors.progress_of([saved])[0])


@router.delete("/targets/{int:target_id}", response={204: None, **WRITE}, summary="Delete a target")
def target_delete(request: HttpRequest, target_id: int) -> Any:
    user = api_user(request)
    target = selectors.target_get(user=user, pk=target_id)
    _managed(user, target.orgunit)
    services.target_delete(actor=user, target=target)
    return Status(204, None)


@router.post(
    "/targets/{int:target_id}/allocations",
    response={201: TargetDetailOut, **WRITE},
    summary="Allocate a target to the unit's children (a new version)",
)
def allocation_create(request: HttpRequest, target_id: int, payload: AllocationIn) -> Any:
    user = api_user(request)
    target = selectors.target_get(user=user, pk=target_id)
    _managed(user, target.orgunit)
    if payload.method != "manual" and payload.shares:
        raise ValidationError({"shares": _("Chỉ gửi mức giao từng đơn vị với cách “manual”.")})
    services.allocation_create(
        actor=user, target=target, method=payload.method, shares=payload.shares, note=payload.note
    )
    return Status(201, _detail_out(user, selectors.target_get(user=user, pk=target_id)))


@router.post(
    "/targets/{int:target_id}/allocations/import",
    response={201: TargetDetailOut, 400: TargetImportErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Allocate a target from a spreadsheet (all rows or none)",
)
def allocation_import(
    request: HttpRequest,
    target_id: int,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Multipart field ``file`` (.xlsx) as the allocation sheet gives it."""
    user = api_user(request)
    target = selectors.target_get(user=user, pk=target_id)
    _managed(user, target.orgunit)

    def read_and_allocate(upload: UploadedFile) -> tabular.ImportResult[None]:
        shares, problems = excel.read_shares(upload)
        if problems:
            return tabular.ImportResult(problems=problems)
        try:
            services.allocation_import(actor=user, target=target, shares=shares)
        except tabular.BulkValidationError:
            raise
        except ValidationError as exc:
            return tabular.ImportResult(
                problems=[tabular.ImportProblem(None, "", m) for m in exc.messages]
            )
        return tabular.ImportResult()

    api_import(file, read_and_allocate)
    return Status(201, _detail_out(user, selectors.target_get(user=user, pk=target_id)))


# --- campaigns -----------------------------------------------------------------------------


def campaign_out(user: Any, campaign: Campaign) -> dict[str, Any]:
    board = selectors.campaign_board(user=user, campaign=campaign)

    def cell(c: Any) -> dict[str, Any]:
        return {
            "metric": c.tracked.metric.code,
            "actual": c.actual,
            "target": c.target,
            "percent": c.percent,
            "status": c.status,
            "label": c.label,
        }

    return {
        "id": campaign.pk,
        "unit": campaign.orgunit.code,
        "name": campaign.name,
        "start": campaign.start,
        "end": campaign.end,
        "frequency": campaign.frequency,
        "status": campaign.status,
        "form": campaign.form.code if campaign.form else None,
        "periods": [p.code for p in board.periods],
        "totals": [cell(c) for c in board.totals],
        "rows": [
            {
                "unit": r.unit.code,
                "unit_name": r.unit.name,
                "cells": [cell(c) for c in r.cells],
                "reported": r.reported,
                "expected": r.expected,
            }
            for r in board.rows
        ],
        "not_reported": [
            {"period": p.code, "units": [u.code for u in us]} for p, us in board.not_reported
        ],
        "summary": campaign.summary or {},
    }


@router.get("/campaigns", response={200: CampaignPageOut, **READ}, summary="Peak campaigns")
def campaign_list(request: HttpRequest, filters: Query[CampaignListQuery]) -> Any:
    campaigns = selectors.campaign_list(user=api_user(request), q=filters.q)
    items = campaigns[filters.offset : filters.offset + filters.limit]
    return {
        "count": campaigns.count(),
        "items": [
            {
                "id": c.pk,
                "unit": c.orgunit.code,
                "name": c.name,
                "start": c.start,
                "end": c.end,
                "frequency": c.frequency,
                "status": c.status,
            }
            for c in items
        ],
    }


@router.post(
    "/campaigns",
    response={201: CampaignOut, **WRITE},
    summary="Open a peak campaign with its own report form",
)
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Any:
    user = api_user(request)
    unit = selectors.unit_get(user=user, code=payload.unit)
    _managed(user, unit)
    units = list(selectors.visible_units(user).filter(code__in=payload.units))
    missing = sorted(set(payload.units) - {u.code for u in units})
    if missing:
        raise ValidationError(
            {"units": _("Không có đơn vị %(codes)s.") % {"codes": ", ".join(missing[:20])}}
        )
    tracked = []
    for item in payload.tracked:
        metric = _metric(item.metric, "tracked")
        if metric is not None:
            tracked.append((metric, item.target))
    plan = _unit_plan(unit, payload.plan)
    campaign = services.campaign_create(
        actor=user,
        unit=unit,
        data=services.CampaignInput(
            name=payload.name,
            start=payload.start,
            end=payload.end,
            frequency=payload.frequency,
            units=units,
            tracked=tracked,
            plan=plan,
        ),
    )
    return Status(201, campaign_out(user, selectors.campaign_get(user=user, pk=campaign.pk)))


@router.get(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignOut, **READ},
    summary="A campaign's board: figures against targets by unit, who has not reported",
)
def campaign_detail(request: HttpRequest, campaign_id: int) -> Any:
    user = api_user(request)
    return campaign_out(user, selectors.campaign_get(user=user, pk=campaign_id))


@router.post(
    "/campaigns/{int:campaign_id}/close",
    response={200: CampaignOut, **WRITE},
    summary="Close a campaign and keep its summary",
)
def campaign_close(request: HttpRequest, campaign_id: int) -> Any:
    user = api_user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    _managed(user, campaign.orgunit)
    board = selectors.campaign_board(user=user, campaign=campaign)
    services.campaign_close(
        actor=user, campaign=campaign, summary=selectors.campaign_summary(board)
    )
    return campaign_out(user, selectors.campaign_get(user=user, pk=campaign_id))
