"""API shapes of the community app (django-ninja / pydantic)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from binhyen.community.models import (
    CommunityDecision,
    Pledge,
    Scheme,
    SchemeType,
    SecurityTeam,
    TeamMember,
)
from binhyen.core.schemas import ErrorOut as ErrorOut

LeadOrgLiteral = Literal[
    "police",
    "veterans",
    "farmers",
    "youth",
    "women",
    "front",
    "village",
    "clan",
    "school",
    "religious",
    "enterprise",
    "other",
]
StatusLiteral = Literal["active", "suspended", "dissolved"]
QualityLiteral = Literal["good", "fair", "average", "weak"]
RoleLiteral = Literal["leader", "deputy", "member"]
OriginLiteral = Literal["part_time_police", "civil_guard", "civil_defence", "new"]
GradeLiteral = Literal["excellent", "good", "completed", "not_completed", ""]
SignerLiteral = Literal["village", "households", "agency", "school"]


class UnitRefOut(Schema):
    code: str
    name: str
    kind: str


class DecisionOut(Schema):
    id: int
    kind: str
    number: str
    issued_on: date
    issuing_body: str
    has_file: bool
    file_url: str | None

    @staticmethod
    def resolve_has_file(obj: CommunityDecision) -> bool:
        return bool(obj.file)

    @staticmethod
    def resolve_file_url(obj: CommunityDecision) -> str | None:
        from django.urls import reverse

        return reverse("community:decision_file", args=[obj.pk]) if obj.file else None


class DecisionIn(Schema):
    number: str = Field("", max_length=50)
    issued_on: date
    issuing_body: str = Field("", max_length=200)


class SchemeTypeOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    category: str
    province: str | None
    is_active: bool
    is_typical: bool = False

    @staticmethod
    def resolve_province(obj: SchemeType) -> str | None:
        return obj.province.code if obj.province_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_is_typical(obj: Any) -> bool:
        return bool(getattr(obj, "is_typical", False))


class RosterIn(Schema):
    full_name: str = Field(..., max_length=150)
    role: str = Field("", max_length=100)


class RosterOut(Schema):
    id: int
    full_name: str
    role: str


class SiteOut(Schema):
    id: int
    unit: UnitRefOut
    established_on: date
    ended_on: date | None
    note: str

    @staticmethod
    def resolve_unit(obj: Any) -> Any:
        return obj.orgunit


class SchemeGradingOut(Schema):
    period: str
    level: str
    graded_on: date
    note: str


class SchemeOut(Schema):
    id: int
    name: str
    scheme_type: SchemeTypeOut
    category: str
    units: list[UnitRefOut]
    lead_org_kind: str
    lead_org_name: str
    founded_on: date
    member_count: int | None
    status: str
    status_since: date
    replicated_from: int | None
    note: str
    founding_decision: DecisionOut | None
    recorded_on_predecessor: bool = Field(
        False, description="Found through a predecessor of the unit filtered by"
    )

    @staticmethod
    def resolve_category(obj: Scheme) -> str:
        return obj.scheme_type.category

    @staticmethod
    def resolve_units(obj: Scheme) -> list[Any]:
        return list(obj.units.all())

    @staticmethod
    def resolve_replicated_from(obj: Scheme) -> int | None:
        return obj.replicated_from_id

    @staticmethod
    def resolve_recorded_on_predecessor(obj: Any) -> bool:
        return bool(getattr(obj, "recorded_on_predecessor", False))


class UnitHistoryOut(Schema):
    """A unit the scheme covered up to ``until`` before it was moved onto ``successor``."""

    unit: UnitRefOut
    until: date
    successor: UnitRefOut
    carried_on: date

    @staticmethod
    def resolve_unit(obj: Any) -> Any:
        return obj.orgunit


class SchemeDetailOut(SchemeOut):
    roster: list[RosterOut]
    sites: list[SiteOut]
    gradings: list[SchemeGradingOut]
    unit_history: list[UnitHistoryOut]

    @staticmethod
    def resolve_unit_history(obj: Scheme) -> list[Any]:
        return list(obj.unit_history.select_related("orgunit", "successor"))

    @staticmethod
    def resolve_roster(obj: Scheme) -> list[Any]:
        return list(obj.roster.order_by("id"))

    @staticmethod
    def resolve_sites(obj: Scheme) -> list[Any]:
        return list(obj.sites.select_related("orgunit").order_by("established_on"))

    @staticmethod
    def resolve_gradings(obj: Scheme) -> list[Any]:
        return list(obj.gradings.order_by("-graded_on"))


class SchemePageOut(Schema):
    count: int
    items: list[SchemeOut]


class SchemeIn(Schema):
    scheme_type: int
    name: str = Field(..., max_length=200)
    units: list[str] = Field(..., min_length=1, max_length=200, description="Unit codes")
    lead_org_kind: LeadOrgLiteral
    lead_org_name: str = Field("", max_length=200)
    founded_on: date
    member_count: int | None = None
    roster: list[RosterIn] = Field(default_factory=list, max_length=500)
    replicated_from: int | None = None
    note: str = ""
    founding_decision: DecisionIn | None = None


class SchemePatchIn(Schema):
    scheme_type: int | None = None
    name: str | None = Field(None, max_length=200)
    units: list[str] | None = Field(None, min_length=1, max_length=200)
    lead_org_kind: LeadOrgLiteral | None = None
    lead_org_name: str | None = Field(None, max_length=200)
    founded_on: date | None = None
    member_count: int | None = None
    replicated_from: int | None = None
    note: str | None = None
    founding_decision: DecisionIn | None = None


class StatusIn(Schema):
    status: StatusLiteral
    since: date


class SiteIn(Schema):
    unit: str
    established_on: date
    note: str = Field("", max_length=255)


class SchemeGradingIn(Schema):
    period: str = Field(..., max_length=16)
    level: QualityLiteral
    graded_on: date
    note: str = ""


class MemberOut(Schema):
    id: int
    team: int
    full_name: str
    birth_date: date
    role: str
    origin: str
    joined_on: date
    left_on: date | None
    recognition_decision: DecisionOut | None

    @staticmethod
    def resolve_team(obj: TeamMember) -> int:
        return obj.team_id


class TeamOut(Schema):
    id: int
    name: str
    village: UnitRefOut
    commune: UnitRefOut | None
    established_on: date
    dissolved_on: date | None
    is_active: bool
    active_members: int | None = None
    note: str
    establishment_decision: DecisionOut | None
    recognition_decision: DecisionOut | None
    recorded_on_predecessor: bool = Field(
        False, description="Found through a predecessor of the unit filtered by"
    )

    @staticmethod
    def resolve_commune(obj: SecurityTeam) -> Any:
        return obj.village.parent

    @staticmethod
    def resolve_active_members(obj: Any) -> int | None:
        return getattr(obj, "active_members", None)

    @staticmethod
    def resolve_recorded_on_predecessor(obj: Any) -> bool:
        return bool(getattr(obj, "recorded_on_predecessor", False))


class TeamDetailOut(TeamOut):
    members: list[MemberOut]
    unit_history: list[UnitHistoryOut] = Field(
        default_factory=list,
        description="The closed village the team stood on before it was moved onto its successor",
    )

    @staticmethod
    def resolve_unit_history(obj: SecurityTeam) -> list[Any]:
        from types import SimpleNamespace

        old = obj.former_village
        if old is None or old.valid_to is None or obj.carried_on is None:
            return []
        return [
            SimpleNamespace(
                orgunit=old, until=old.valid_to, successor=obj.village, carried_on=obj.carried_on
            )
        ]

    @staticmethod
    def resolve_members(obj: SecurityTeam) -> list[Any]:
        from binhyen.community.selectors import team_members

        return list(team_members(team=obj))


class TeamPageOut(Schema):
    count: int
    items: list[TeamOut]


class TeamIn(Schema):
    village: str
    established_on: date
    name: str = Field("", max_length=200)
    note: str = ""
    establishment_decision: DecisionIn | None = None
    recognition_decision: DecisionIn | None = None


class TeamPatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    established_on: date | None = None
    note: str | None = None
    establishment_decision: DecisionIn | None = None
    recognition_decision: DecisionIn | None = None


class DissolveIn(Schema):
    dissolved_on: date


class MemberIn(Schema):
    full_name: str = Field(..., max_length=150)
    birth_date: date
    role: RoleLiteral
    origin: OriginLiteral
    joined_on: date
    recognition_decision: DecisionIn | None = None


class MemberPatchIn(Schema):
    full_name: str | None = Field(None, max_length=150)
    birth_date: date | None = None
    role: RoleLiteral | None = None
    origin: OriginLiteral | None = None
    joined_on: date | None = None
    left_on: date | None = None
    recognition_decision: DecisionIn | None = None


class TrainingIn(Schema):
    held_on: date
    title: str = Field(..., max_length=200)
    organiser: str = Field("", max_length=200)
    hours: Decimal | None = None
    attendees: int | None = None
    note: str = ""


class TrainingOut(Schema):
    id: int
    held_on: date
    title: str
    organiser: str
    hours: Decimal | None
    attendees: int | None


class GradeRowIn(Schema):
    id: int
    level: GradeLiteral
    task_pct: Decimal | None = None
    note: str = Field("", max_length=500)


class GradingIn(Schema):
    teams: list[GradeRowIn] = Field(default_factory=list, max_length=2000)
    members: list[GradeRowIn] = Field(default_factory=list, max_length=20000)


class GradeRowOut(Schema):
    id: int
    name: str
    role: str | None = None
    months_active: int
    level: str | None
    task_pct: Decimal | None


class GradingTeamOut(GradeRowOut):
    members: list[GradeRowOut]


class GradingSheetOut(Schema):
    commune: str
    year: int
    period_start: date
    period_end: date
    rules_source: str
    teams: list[GradingTeamOut]


class GradingResultOut(Schema):
    saved: int
    removed: int


class PledgeOut(Schema):
    id: int
    unit: UnitRefOut
    signer_kind: str
    year: int
    signed_on: date
    signed_by: str
    household_count: int | None
    note: str
    document: DecisionOut | None
    recorded_on_predecessor: bool = Field(
        False, description="Found through a predecessor of the unit filtered by"
    )

    @staticmethod
    def resolve_unit(obj: Pledge) -> Any:
        return obj.orgunit

    @staticmethod
    def resolve_recorded_on_predecessor(obj: Any) -> bool:
        return bool(getattr(obj, "recorded_on_predecessor", False))


class PledgePageOut(Schema):
    count: int
    items: list[PledgeOut]


class PledgeIn(Schema):
    unit: str
    signer_kind: SignerLiteral
    year: int
    signed_on: date
    signed_by: str = Field(..., max_length=200)
    household_count: int | None = None
    note: str = ""
    document: DecisionIn | None = None


class PledgePatchIn(Schema):
    year: int | None = None
    signed_on: date | None = None
    signed_by: str | None = Field(None, max_length=200)
    household_count: int | None = None
    note: str | None = None
    document: DecisionIn | None = None
