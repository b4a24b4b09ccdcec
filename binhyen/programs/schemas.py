"""API shapes of the programmes app (pydantic via django-ninja)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from binhyen.core.schemas import ErrorOut as ErrorOut


class CriterionOut(Schema):
    id: int
    code: str
    group: str
    order: int
    title: str
    title_en: str
    guidance: str
    mandatory: bool
    kind: str
    expression: str
    metric_codes: list[str]
    max_points: Decimal | None
    pass_points: Decimal | None
    needs_completion: bool


class CriteriaSetOut(Schema):
    version: int
    published: bool
    locked: bool
    note: str
    groups: list[str]
    min_optional_met: int
    min_points: Decimal | None
    levels: list[dict[str, Any]]
    caps: list[dict[str, Any]]
    criteria: list[CriterionOut]


class ProgramOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    owner: str | None = Field(None, description="Owner unit code; null for national programmes")
    unit_kinds: list[str]
    unit_subkinds: list[str]
    period_kind: str
    verifier_level: str
    decider_level: str
    submit_deadline: str = Field(..., description="dd/mm in the year the window ends")
    decide_deadline: str
    current_version: int | None
    current_period: str


class ProgramDetailOut(ProgramOut):
    description: str
    versions: list[int]
    current_set: CriteriaSetOut | None


class ValidateIn(Schema):
    expression: str = Field(..., max_length=4000)


class ValidateOut(Schema):
    valid: bool
    message: str = ""
    code: str = ""
    line: int | None = None
    column: int | None = None
    metrics: list[str] = []


class CriterionIn(Schema):
    code: str = Field(..., max_length=32)
    title: str = Field(..., max_length=1000)
    title_en: str = Field("", max_length=1000)
    kind: str = Field("evidence", max_length=16)
    group: str = Field("", max_length=200)
    order: int = Field(0, ge=0)
    guidance: str = ""
    mandatory: bool = True
    expression: str = Field("", max_length=4000)
    max_points: Decimal | None = None
    pass_points: Decimal | None = None
    needs_completion: bool = False


class EnrollIn(Schema):
    unit: str = Field(..., max_length=32, description="Unit code")
    period: str = Field("", max_length=16, description="Period code; empty: the current cycle")


class FigureOut(Schema):
    code: str
    name: str
    unit_of_measure: str
    current: float | None
    previous: float | None
    reads_previous: bool


class ResultOut(Schema):
    criterion_id: int
    code: str
    group: str
    title: str
    kind: str
    mandatory: bool
    status: str
    status_label: str
    points: Decimal | None
    figures: list[FigureOut]
    missing: list[str]
    message: str
    evidence_count: int
    verified: bool
    verdict: str
    verifier_comment: str


class EnrollmentOut(Schema):
    id: int
    program: str
    unit: str
    unit_name: str
    period: str
    status: str
    status_label: str
    assigned: bool
    submitted_at: datetime | None
    verified_at: datetime | None
    met_count: int | None
    criteria_count: int | None
    points_total: Decimal | None
    condition_met: bool | None
    level: str
    decision: str | None


class ProgressOut(Schema):
    met: int
    total: int
    points_total: Decimal
    condition_met: bool
    missing: list[str]
    results: list[ResultOut]


class PredecessorResultOut(Schema):
    """A recognition of a pre-reform unit whose records continue in the file's unit."""

    enrollment: int
    unit: str
    unit_name: str
    program: str
    period: str
    year: int
    status: str
    met_count: int | None
    criteria_count: int | None
    text: str


class EnrollmentDetailOut(EnrollmentOut):
    version: int
    submit_deadline: date
    decide_deadline: date
    progress: ProgressOut
    predecessor_results: list[PredecessorResultOut] = Field(
        default_factory=list,
        description="Recognitions of the unit's predecessors in this programme (lineage).",
    )


class AssessIn(Schema):
    self_met: bool | None = None
    self_points: Decimal | None = None
    note: str = Field("", max_length=4000)


class VerdictIn(Schema):
    verdict: str = Field(..., description="agree or disagree")
    comment: str = Field("", max_length=4000)
    points: Decimal | None = None


class ProgramNoteIn(Schema):
    note: str = Field("", max_length=4000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=4000)
    number: str = Field("", max_length=60)


class ProgramDecisionIn(Schema):
    period: str = Field(..., max_length=16)
    enrollments: list[int] = Field(..., min_length=1, max_length=2000)
    recognised: list[int] = []
    number: str = Field(..., max_length=60)
    issued_on: date
    signer: str = Field(..., max_length=150)
    signer_title: str = Field("", max_length=150)
    issuing_body: str = Field(..., max_length=200)


class ProgramDecisionOut(Schema):
    id: int
    program: str
    period: str
    number: str
    issued_on: date
    signer: str
    signer_title: str
    issuing_body: str
    deciding_unit: str
    scan_url: str | None = Field(
        None, description="Download address of the signed scan (same authentication), if any"
    )
    scan_mime: str | None = Field(None, description="application/pdf, image/jpeg or image/png")
    enrollments: list[EnrollmentOut]


class TimelineOut(Schema):
    at: datetime
    actor: str
    action: str
    changes: dict[str, Any]


class ChildOut(Schema):
    unit: str
    name: str
    enrolled: int
    submitted: int
    verified: int
    recognised: int


class FailingOut(Schema):
    code: str
    title: str
    not_met: int
    insufficient: int
    pending: int


class OverviewOut(Schema):
    program: str
    unit: str
    period: str
    totals: ChildOut
    children: list[ChildOut]
    failing: list[FailingOut]
    overdue_submit: list[int]
    overdue_decide: list[int]


class ImportOut(Schema):
    version: int
    criteria: int


class ProgramIn(Schema):
    code: str = Field(..., max_length=64)
    name: str = Field(..., max_length=300)
    name_en: str = Field("", max_length=300)
    description: str = ""
    owner: str | None = Field(None, max_length=32, description="Owner unit code; null: national")
    kind: str = Field("recognition", max_length=16)
    unit_kinds: list[str]
    unit_subkinds: list[str] = []
    period_kind: str = Field("year", max_length=16)
    verifier_level: str = Field("province", max_length=16)
    decider_level: str = Field("province", max_length=16)
    submit_deadline_day: int = Field(20, ge=1, le=31)
    submit_deadline_month: int = Field(11, ge=1, le=12)
    decide_deadline_day: int = Field(30, ge=1, le=31)
    decide_deadline_month: int = Field(11, ge=1, le=12)
    enrolled_metric: str = Field("", max_length=64)
    recognised_metric: str = Field("", max_length=64)
    is_active: bool = True
    groups: list[str] = Field([], description="Groups of the first (draft) criteria set")


class SetSettingsIn(Schema):
    groups: list[str] = []
    min_optional_met: int = Field(0, ge=0)
    min_points: Decimal | None = None
    levels: list[dict[str, Any]] = []
    caps: list[dict[str, Any]] = []
    note: str = ""
