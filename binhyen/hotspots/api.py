"""REST endpoints of the hotspots app, under /api/v1/hotspots.

Reads go through ``selectors`` (scoped to the caller), writes through ``services``. A
designation or unit outside the caller's scope answers exactly like a missing one: 404
``{"message", "field"}``; bad input answers 400 naming the field (``ValidationError``).
Attachments are uploaded and downloaded through ``api_files``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from binhyen.core.api_kit import PageQuery, api_page, api_user, not_found_as
from binhyen.core.web import not_found
from binhyen.hotspots import selectors, services
from binhyen.hotspots.models import Designation, ProblemCategory
from binhyen.hotspots.schemas import (
    BoardOut,
    DesignationIn,
    DesignationOut,
    DesignationPageOut,
    ErrorOut,
    ProposalIn,
    RegimeLiteral,
    RelapseIn,
    RemovalIn,
    TaskIn,
    TaskOut,
    TaskReportIn,
)

router = Router(tags=["hotspots"])
WRITE = {200: DesignationOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class DesignationListQuery(PageQuery):
    unit: str | None = Field(None, description="Only this unit and its subtree")
    regime: RegimeLiteral | None = None
    year: int | None = None
    status: str | None = Field(None, description="active, proposed, removed or relapsed")
    q: str = Field("", max_length=200)


class BoardQuery(Schema):
    unit: str | None = Field(None, description="Province or country code (default: your scope)")
    year: int | None = Field(None, ge=2000, le=2100)
    regime: RegimeLiteral | None = None


def task_out(task: Any, today: Any = None) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "owner": task.owner,
        "deadline": task.deadline,
        "progress": task.progress,
        "status": task.status,
        "completed_on": task.completed_on,
        "evidence": task.evidence,
        "overdue": task.is_overdue(today),
    }


def designation_out(d: Designation) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "id": d.pk,
        "regime": d.regime,
        "regime_label": d.get_regime_display(),
        "unit": d.orgunit.code,
        "unit_name": d.orgunit.name,
        "recorded_on_predecessor": bool(getattr(d, "recorded_on_predecessor", False)),
        "year": d.year,
        "drug_area_type": d.drug_area_type,
        "categories": [c.code for c in d.categories.all()],
        "decision_number": d.decision_number,
        "decision_date": d.decision_date,
        "issuing_body": d.issuing_body,
        "has_decision_file": bool(d.decision_file),
        "survey_date": d.survey_date,
        "survey_findings": d.survey_findings,
        "plan_summary": d.plan_summary,
        "removal_proposed_on": d.removal_proposed_on,
        "removal_proposal": d.removal_proposal,
        "removal_decision_number": d.removal_decision_number,
        "removal_date": d.removal_date,
        "removal_issuing_body": d.removal_issuing_body,
        "responsibilities": [
            {"department": r.department, "officer_name": r.officer_name, "duty": r.duty}
            for r in d.responsibilities.all()
        ],
        "tasks": [task_out(t, today) for t in d.tasks.all()],
        "relapses": [{"date": r.date, "description": r.description} for r in d.relapses.all()],
        "unit_history": _unit_history(d),
    }


def _unit_history(d: Designation) -> list[dict[str, Any]]:
    old = d.former_orgunit
    if old is None or old.valid_to is None or d.carried_on is None:
        return []
    return [
        {
            "unit": old.code,
            "unit_name": old.name,
            "until": old.valid_to,
            "successor": d.orgunit.code,
            "successor_name": d.orgunit.name,
            "carried_on": d.carried_on,
        }
    ]


def _fresh(user: Any, pk: int) -> dict[str, Any]:
    return designation_out(selectors.designation_get(user=user, pk=pk))


@router.get(
    "/designations",
    response={200: DesignationPageOut, 401: ErrorOut, 404: ErrorOut},
    summary="List hotspot designations",
)
def designation_list(request: HttpRequest, filters: Query[DesignationListQuery]) -> Any:
    user = api_user(request)
    unit = None
    if filters.unit:
        with not_found_as("unit", selectors.not_found_message()):
            unit = selectors.unit_get(user=user, code=filters.unit)
    queryset = selectors.designation_list(
        user=user,
        unit=unit,
        regime=filters.regime,
        year=filters.year,
        status=filters.status,
        q=filters.q,
    ).prefetch_related("categories", "responsibilities", "tasks", "relapses")
    page = api_page(queryset, filters)
    return {"count": page["count"], "items": [designation_out(x) for x in page["items"]]}


@router.get(
    "/designations/{int:pk}",
    response={200: DesignationOut, 401: ErrorOut, 404: ErrorOut},
    summary="One designation with its plan, removal and relapses",
)
def designation_detail(request: HttpRequest, pk: int) -> Any:
    with not_found_as("id", selectors.not_found_message()):
        return _fresh(api_user(request), pk)


def _designation_input(user: Any, payload: DesignationIn) -> services.DesignationInput:
    unit = selectors.unit_get(user=user, code=payload.unit)
    categories = list(ProblemCategory.objects.filter(code__in=payload.categories))
    unknown = sorted(set(payload.categories) - {c.code for c in categories})
    if unknown:
        raise ValidationError(
            {"categories": _("Không có nhóm vấn đề “%(code)s”.") % {"code": unknown[0]}}
        )
    data = payload.dict(exclude={"unit", "categories"})
    return services.DesignationInput(unit=unit, categories=categories, **data)


@router.post(
    "/designations",
    response={201: DesignationOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Designate a commune under one regime",
)
def designation_create(request: HttpRequest, payload: DesignationIn) -> Any:
    user = api_user(request)
    with not_found_as("unit", selectors.not_found_message()):
        saved = services.designation_create(actor=user, data=_designation_input(user, payload))
    return Status(201, _fresh(user, saved.pk))


@router.put("/designations/{int:pk}", response=WRITE, summary="Correct a designation")
def designation_update(request: HttpRequest, pk: int, payload: DesignationIn) -> Any:
    user = api_user(request)
    with not_found_as("id", selectors.not_found_message()):
        designation = selectors.designation_get(user=user, pk=pk)
        services.designation_update(
            actor=user, designation=designation, data=_designation_input(user, payload)
        )
    return _fresh(user, pk)


@router.post(
    "/designations/{int:pk}/tasks",
    response={201: TaskOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add a task to the transformation plan",
)
def task_create(request: HttpRequest, pk: int, payload: TaskIn) -> Any:
    user = api_user(request)
    with not_found_as("id", selectors.not_found_message()):
        designation = selectors.designation_get(user=user, pk=pk)
        task = services.plan_task_create(actor=user, designation=designation, **payload.dict())
    return Status(201, task_out(task))


@router.post(
    "/tasks/{int:pk}/progress",
    response={200: TaskOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Report a task's progress",
)
def task_report(request: HttpRequest, pk: int, payload: TaskReportIn) -> Any:
    user = api_user(request)
    with not_found_as("id", selectors.not_found_message()):
        task = selectors.task_get(user=user, pk=pk)
        saved = services.plan_task_report(actor=user, task=task, **payload.dict())
    return task_out(saved)


@router.post("/designations/{int:pk}/removal-proposal", response=WRITE, summary="Propose removal")
def removal_propose(request: HttpRequest, pk: int, payload: ProposalIn) -> Any:
    user = api_user(request)
    with not_found_as("id", selectors.not_found_message()):
        designation = selectors.designation_get(user=user, pk=pk)
        services.designation_removal_propose(actor=user, designation=designation, **payload.dict())
    return _fresh(user, pk)


@router.post(
    "/designations/{int:pk}/removal", response=WRITE, summary="Record the removal decision"
)
def removal_decide(request: HttpRequest, pk: int, payload: RemovalIn) -> Any:
    user = api_user(request)
    with not_found_as("id", selectors.not_found_message()):
        designation = selectors.designation_get(user=user, pk=pk)
        services.designation_remove(actor=user, designation=designation, **payload.dict())
    return _fresh(user, pk)


@router.post(
    "/designations/{int:pk}/carry-forward",
    response=WRITE,
    summary="Move a designation in force from its commune closed by the reform onto the successor",
)
def designation_carry_forward(request: HttpRequest, pk: int) -> Any:
    user = api_user(request)
    with not_found_as("id", selectors.not_found_message()):
        designation = selectors.designation_get(user=user, pk=pk)
        services.designation_carry_forward(actor=user, obj=designation)
    return _fresh(user, pk)


@router.post("/designations/{int:pk}/relapses", response=WRITE, summary="Record a relapse")
def relapse_create(request: HttpRequest, pk: int, payload: RelapseIn) -> Any:
    user = api_user(request)
    with not_found_as("id", selectors.not_found_message()):
        designation = selectors.designation_get(user=user, pk=pk)
        services.relapse_create(
            actor=user, designation=designation, day=payload.date, description=payload.description
        )
    return _fresh(user, pk)


def _figures_out(figures: list[selectors.RegimeFigures]) -> list[dict[str, Any]]:
    return [
        {
            "regime": f.regime,
            "label": f.label,
            "designated": f.designated,
            "removed": f.removed,
            "removed_pct": f.removed_pct,
            "relapsed": f.relapsed,
            "no_relapse_pct": f.no_relapse_pct,
            "in_force": f.in_force,
            "removal_target": f.removal_target,
            "no_relapse_target": f.no_relapse_target,
            "meets_removal_target": f.meets_removal_target,
            "meets_no_relapse_target": f.meets_no_relapse_target,
            "targets_from_plan": f.targets_from_plan,
        }
        for f in figures
    ]


@router.get(
    "/board",
    response={200: BoardOut, 401: ErrorOut, 404: ErrorOut},
    summary='The hotspot board: "removed N/M (x %)" per regime, relapses, overdue tasks',
)
def board(request: HttpRequest, query: Query[BoardQuery]) -> Any:
    user = api_user(request)
    with not_found_as("unit", selectors.not_found_message()):
        if query.unit:
            root = selectors.unit_get(user=user, code=query.unit)
        else:
            roots = selectors.board_roots(user=user)
            if not roots:
                raise not_found()
            root = roots[0]
        result = selectors.board(
            user=user, root=root, year=query.year or timezone.localdate().year, regime=query.regime
        )
    return {
        "unit": result.root.code,
        "unit_name": result.root.name,
        "year": result.year,
        "totals": _figures_out(result.totals),
        "rows": [
            {"unit": r.unit.code, "unit_name": r.unit.name, "figures": _figures_out(r.figures)}
            for r in result.rows
        ],
        "overdue_tasks": result.overdue_count,
        "lacking_scheme": [d.pk for d in result.lacking_scheme]
        if result.lacking_scheme is not None
        else None,
    }
