"""API shapes of the hotspots app (django-ninja / pydantic)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from binhyen.core.schemas import ErrorOut as ErrorOut

RegimeLiteral = Literal["ministry_hotspot", "transformation", "drug_area"]
DrugTypeLiteral = Literal["", "type_1", "type_2", "type_3", "drug_free"]
StatusLiteral = Literal["not_started", "in_progress", "done"]


class DesignationIn(Schema):
    regime: RegimeLiteral
    unit: str = Field(..., max_length=32, description="Commune code")
    year: int = Field(..., description="Year of the list")
    decision_number: str = Field(..., max_length=60)
    decision_date: date
    issuing_body: str = Field(..., max_length=200)
    drug_area_type: DrugTypeLiteral = ""
    categories: list[str] = Field(default_factory=list, description="Problem category codes")
    survey_date: date | None = None
    survey_findings: str = ""
    plan_summary: str = ""


class ResponsibilityOut(Schema):
    department: str
    officer_name: str
    duty: str


class TaskIn(Schema):
    title: str = Field(..., max_length=255)
    owner: str = Field(..., max_length=200)
    deadline: date


class TaskReportIn(Schema):
    progress: int = Field(..., description="0 to 100")
    status: StatusLiteral
    completed_on: date | None = None
    evidence: str = ""


class TaskOut(Schema):
    id: int
    title: str
    owner: str
    deadline: date
    progress: int
    status: str
    completed_on: date | None
    evidence: str
    overdue: bool


class RelapseIn(Schema):
    date: date
    description: str


class RelapseOut(Schema):
    date: date
    description: str


class ProposalIn(Schema):
    proposed_on: date
    proposal: str = ""


class RemovalIn(Schema):
    decision_number: str = Field(..., max_length=60)
    decision_date: date
    issuing_body: str = Field(..., max_length=200)


class PlaceHistoryOut(Schema):
    """The closed commune a designation stood on up to ``until`` before it was moved."""

    unit: str
    unit_name: str
    until: date
    successor: str
    successor_name: str
    carried_on: date


class DesignationOut(Schema):
    id: int
    regime: str
    regime_label: str
    unit: str
    unit_name: str
    year: int
    drug_area_type: str
    categories: list[str]
    decision_number: str
    decision_date: date
    issuing_body: str
    has_decision_file: bool
    survey_date: date | None
    survey_findings: str
    plan_summary: str
    removal_proposed_on: date | None
    removal_proposal: str
    removal_decision_number: str
    removal_date: date | None
    removal_issuing_body: str
    responsibilities: list[ResponsibilityOut]
    tasks: list[TaskOut]
    relapses: list[RelapseOut]
    unit_history: list[PlaceHistoryOut] = Field(
        default_factory=list,
        description="The closed commune the designation stood on before it was moved",
    )
    recorded_on_predecessor: bool = Field(
        False, description="Found through a predecessor of the unit filtered by"
    )


class DesignationPageOut(Schema):
    count: int
    items: list[DesignationOut]


class FiguresOut(Schema):
    regime: str
    label: str
    designated: int
    removed: int
    removed_pct: Decimal | None
    relapsed: int
    no_relapse_pct: Decimal | None
    in_force: int
    removal_target: int | None
    no_relapse_target: int | None
    meets_removal_target: bool | None
    meets_no_relapse_target: bool | None
    targets_from_plan: bool  # the unit's own plan targets, else the configured defaults


class BoardRowOut(Schema):
    unit: str
    unit_name: str
    figures: list[FiguresOut]


class BoardOut(Schema):
    unit: str
    unit_name: str
    year: int
    totals: list[FiguresOut]
    rows: list[BoardRowOut]
    overdue_tasks: int
    lacking_scheme: list[int] | None
