"""Pydantic schemas of the indicators API."""

from __future__ import annotations

from ninja import Field, Schema


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
    period_kind: str
    capture_kinds: list[str]
    source: str
    disaggregation: str | None
    options: list[str]


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


class ErrorOut(Schema):
    message: str
    field: str | None = None


class MetricIn(Schema):
    code: str = Field(..., max_length=64)
    name: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200)
    description: str = Field("", max_length=4000)
    unit_of_measure: str = Field("", max_length=40)
    value_type: str = "integer"
    aggregation: str = "sum"
    period_kind: str = "month"
    capture_kinds: list[str] = Field(default_factory=lambda: ["commune"])
    disaggregation: str | None = None
    min_value: float | None = None
    max_value: float | None = None
