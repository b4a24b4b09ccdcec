"""Pydantic schemas of the indicators API."""

from __future__ import annotations

from ninja import Field, Schema

from binhyen.core.schemas import ErrorOut as ErrorOut


class AnalyticsQuery(Schema):
    metrics: str = Field(..., max_length=4000, description="Metric codes, comma-separated")
    units: str = Field(..., max_length=20000, description="Unit codes, comma-separated")
    periods: str = Field(
        ...,
        max_length=4000,
        description="Period codes, comma-separated: 2025, 2025S1, 2025Q3, 2025M07, 2025W05, "
        "2025-07-14, SM2025M07, MY2025, TY2025",
    )
    children: bool = Field(False, description="Answer for the children of the given units")
    per_1000: bool = Field(False, description="Add the rate per 1,000 inhabitants")
    compare: bool = Field(True, description="Add previous period and same period last year")
    disaggregate: bool = Field(False, description="One row per disaggregation option")


class AnalyticsRowOut(Schema):
    metric: str
    unit: str
    unit_name: str
    period: str
    option: str
    value: float | None
    includes_predecessors: bool
    population: float | None = None
    value_per_1000: float | None = None
    no_population: bool = Field(
        False, description="A rate was asked for but the unit has no population (rate null)"
    )
    previous_period: str = ""
    previous: float | None = None
    change_abs: float | None = None
    change_pct: float | None = None
    within_ordinary_variation: bool | None = None
    p_value: float | None = None
    last_year_period: str = ""
    last_year: float | None = None
    yoy_abs: float | None = None
    yoy_pct: float | None = None
    yoy_within_ordinary_variation: bool | None = None
    yoy_p_value: float | None = None


class MetricOut(Schema):
    code: str
    name: str
    name_en: str
    description: str
    unit_of_measure: str
    value_type: str
    aggregation: str
    counting: str = Field(
        "quantity", description="quantity (sums through the map) or distinct (things counted once)"
    )
    period_kind: str
    capture_kinds: list[str]
    source: str
    disaggregation: str | None
    options: list[str]
    provider_key: str = ""
    min_value: float | None = None
    max_value: float | None = None
    is_active: bool = True
    sort_order: int = 0


class PeriodOut(Schema):
    code: str
    kind: str
    label: str
    start: str
    end: str


class AnalyticsOut(Schema):
    rows: list[AnalyticsRowOut]
    metrics: list[MetricOut]
    periods: list[PeriodOut]
    notes: list[str]


class MetricIn(Schema):
    code: str = Field(..., max_length=64)
    name: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200)
    description: str = Field("", max_length=4000)
    unit_of_measure: str = Field("", max_length=40)
    value_type: str = "integer"
    aggregation: str = "sum"
    counting: str = Field(
        "quantity",
        description="quantity (sums through the map) or distinct (things counted once; "
        "provider metrics only)",
    )
    period_kind: str = "month"
    capture_kinds: list[str] = Field(default_factory=lambda: ["commune"])
    disaggregation: str | None = None
    source: str = Field("form", description="form, import or provider")
    provider_key: str = Field("", max_length=64)
    min_value: float | None = None
    max_value: float | None = None


class MetricUpdateIn(Schema):
    """Fields to change; fields left out keep their value."""

    code: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=4000)
    unit_of_measure: str | None = Field(None, max_length=40)
    value_type: str | None = None
    aggregation: str | None = None
    counting: str | None = Field(
        None, description="quantity or distinct; fixed once the metric has data"
    )
    period_kind: str | None = None
    capture_kinds: list[str] | None = None
    disaggregation: str | None = Field(None, description="Disaggregation code; null for none")
    source: str | None = None
    provider_key: str | None = Field(None, max_length=64)
    min_value: float | None = None
    max_value: float | None = None
    is_active: bool | None = None
    sort_order: int | None = Field(None, ge=0)


class ReportFormOut(Schema):
    code: str
    name: str
    description: str
    period_kind: str
    submitting_kinds: list[str]
    metrics: list[str]
    deadline_month_offset: int
    deadline_day: int
    is_active: bool


class ReportFormIn(Schema):
    code: str = Field(..., max_length=64)
    name: str = Field(..., max_length=200)
    description: str = Field("", max_length=4000)
    period_kind: str = "month"
    submitting_kinds: list[str] = Field(default_factory=lambda: ["commune"])
    metrics: list[str] = Field(..., description="Metric codes, in their order on the form")
    deadline_month_offset: int = Field(1, ge=0, le=12)
    deadline_day: int = Field(16, ge=1, le=31)
    is_active: bool = True


class ReportFormUpdateIn(Schema):
    """Fields to change; fields left out keep their value (``metrics`` replaces the list)."""

    code: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=4000)
    period_kind: str | None = None
    submitting_kinds: list[str] | None = None
    metrics: list[str] | None = None
    deadline_month_offset: int | None = Field(None, ge=0, le=12)
    deadline_day: int | None = Field(None, ge=1, le=31)
    is_active: bool | None = None


class RuleOut(Schema):
    code: str
    name: str
    left_metric: str
    operator: str
    right_metric: str
    severity: str
    is_active: bool


class RuleIn(Schema):
    code: str = Field(..., max_length=64)
    name: str = Field(..., max_length=200)
    left_metric: str = Field(..., max_length=64, description="Metric code")
    operator: str = Field(..., description="le, lt, eq, ge or gt")
    right_metric: str = Field(..., max_length=64, description="Metric code")
    severity: str = "error"
    is_active: bool = True


class RuleUpdateIn(Schema):
    """Fields to change; fields left out keep their value."""

    code: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=200)
    left_metric: str | None = Field(None, max_length=64)
    operator: str | None = None
    right_metric: str | None = Field(None, max_length=64)
    severity: str | None = None
    is_active: bool | None = None
