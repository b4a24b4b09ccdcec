"""API schemas of the targets app (names are unique across the whole API)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema

from binhyen.core.schemas import ErrorOut

__all__ = ["ErrorOut"]

PlanKindLiteral = Literal["plan", "resolution", "directive", "coordination"]
TargetKindLiteral = Literal["count", "increase", "rate", "change"]
ComparisonLiteral = Literal["at_least", "at_most"]
MethodLiteral = Literal["equal", "population", "households", "last_year", "manual"]


class PlanIn(Schema):
    unit: str = Field(..., max_length=64, description="Code of the issuing unit")
    kind: PlanKindLiteral
    number: str = Field(..., max_length=60)
    issued_on: date
    title: str = Field(..., max_length=300)
    period_start: date
    period_end: date
    summary: str = Field("", max_length=20000)
    partners: str = Field("", max_length=300)


class PlanTaskOut(Schema):
    id: int
    description: str
    assignee: str
    due_on: date
    progress: int
    note: str


class PlanOut(Schema):
    id: int
    unit: str
    unit_name: str
    kind: str
    kind_label: str
    number: str
    issued_on: date
    title: str
    summary: str
    partners: str
    period_start: date
    period_end: date
    has_document: bool
    tasks: list[PlanTaskOut]
    target_ids: list[int]
    recorded_on_predecessor: bool = Field(
        False, description="Found through a predecessor of the unit filtered by"
    )


class PlanPageOut(Schema):
    count: int
    items: list[PlanOut]


class PlanTaskIn(Schema):
    description: str = Field(..., max_length=300)
    assignee: str = Field(..., max_length=200)
    due_on: date
    progress: int = Field(0, ge=0, le=100)


class PlanTaskProgressIn(Schema):
    progress: int = Field(..., ge=0, le=100)
    note: str = Field("", max_length=300)


class TargetIn(Schema):
    metric: str = Field(..., max_length=64)
    kind: TargetKindLiteral = "count"
    comparison: ComparisonLiteral = "at_least"
    value: float | str
    period: str = Field(..., max_length=16)
    name: str = Field("", max_length=300)
    option: str = Field("", max_length=32)
    denominator: str | None = Field(None, max_length=64)
    denominator_option: str = Field("", max_length=32)
    plan: int | None = None


class TargetUpdateIn(Schema):
    value: float | str
    name: str = Field("", max_length=300)


class TargetProgressOut(Schema):
    actual: float | None
    percent: float | None
    status: str
    label: str
    light: str
    running: bool
    projection: float | None
    expected_share: float | None
    seasonal: bool


class TargetOut(Schema):
    id: int
    unit: str
    unit_name: str
    name: str
    metric: str
    option: str
    kind: str
    comparison: str
    value: float
    denominator: str | None
    period: str
    source: str
    parent_id: int | None
    plan_id: int | None
    progress: TargetProgressOut


class TargetChildOut(Schema):
    unit: str
    unit_name: str
    allocated: float | None
    own: float | None
    progress: TargetProgressOut | None


class AllocationShareOut(Schema):
    unit: str
    value: float


class AllocationOut(Schema):
    id: int
    version: int
    method: str
    is_current: bool
    note: str
    created_at: str
    total: float
    shares: list[AllocationShareOut]


class TargetDetailOut(Schema):
    target: TargetOut
    children: list[TargetChildOut]
    allocations: list[AllocationOut]
    allocated_total: float
    shortfall: float | None
    without_target: list[str]


class TargetListOut(Schema):
    unit: str
    items: list[TargetOut]


class AllocationIn(Schema):
    method: MethodLiteral
    shares: dict[str, float | str] | None = None
    note: str = Field("", max_length=300)


class TargetImportProblemOut(Schema):
    row: int | None
    field: str | None
    message: str


class TargetImportErrorOut(Schema):
    message: str
    field: str | None = None
    errors: list[TargetImportProblemOut]


class TargetImportOut(Schema):
    created: int
    ids: list[int]


class HotspotTargetsIn(Schema):
    year: int = Field(..., ge=2000, le=2100)


class TargetValuesOut(Schema):
    unit: str
    on: date
    values: dict[str, float]


class CampaignMetricIn(Schema):
    metric: str = Field(..., max_length=64)
    target: float | str


class CampaignIn(Schema):
    unit: str = Field(..., max_length=64)
    name: str = Field(..., max_length=300)
    start: date
    end: date
    frequency: Literal["day", "week"] = "week"
    units: list[str] = Field(..., max_length=5000)
    tracked: list[CampaignMetricIn] = Field(..., max_length=50)
    plan: int | None = None


class CampaignCellOut(Schema):
    metric: str
    actual: float
    target: float
    percent: float | None
    status: str
    label: str


class CampaignUnitOut(Schema):
    unit: str
    unit_name: str
    cells: list[CampaignCellOut]
    reported: int
    expected: int


class CampaignNotReportedOut(Schema):
    period: str
    units: list[str]


class CampaignOut(Schema):
    id: int
    unit: str
    name: str
    start: date
    end: date
    frequency: str
    status: str
    form: str | None
    periods: list[str]
    totals: list[CampaignCellOut]
    rows: list[CampaignUnitOut]
    not_reported: list[CampaignNotReportedOut]
    summary: dict[str, object]


class CampaignBriefOut(Schema):
    id: int
    unit: str
    name: str
    start: date
    end: date
    frequency: str
    status: str


class CampaignPageOut(Schema):
    count: int
    items: list[CampaignBriefOut]
