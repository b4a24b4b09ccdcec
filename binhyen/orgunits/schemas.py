"""API shapes of the administrative map (django-ninja / pydantic)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from binhyen.core.idempotency import version_of
from binhyen.core.schemas import ErrorOut as ErrorOut
from binhyen.orgunits.models import OrgUnit

KindLiteral = Literal["country", "province", "district", "commune", "village", "establishment"]
CreatableKind = Literal["village", "establishment"]


class UnitBriefOut(Schema):
    code: str
    name: str
    kind: str
    subkind: str
    is_current: bool

    @staticmethod
    def resolve_is_current(obj: OrgUnit) -> bool:
        return obj.valid_to is None


class UnitOut(UnitBriefOut):
    official_code: str
    short_name: str
    kind_label: str
    subkind_label: str
    parent_code: str | None
    path: str
    level: int
    valid_from: date | None
    valid_to: date | None
    latitude: float | None
    longitude: float | None
    area_km2: float | None
    population: int | None
    households: int | None
    address: str
    note: str
    version: str = Field(description="Send it back as `If-Match` to edit only this version")

    @staticmethod
    def resolve_version(obj: OrgUnit) -> str:
        return version_of(obj)

    @staticmethod
    def resolve_kind_label(obj: OrgUnit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_subkind_label(obj: OrgUnit) -> str:
        return str(obj.get_subkind_display())

    @staticmethod
    def resolve_parent_code(obj: OrgUnit) -> str | None:
        return obj.parent.code if obj.parent_id and obj.parent else None

    former_parent_code: str | None = Field(
        None, description="The pre-2025 commune this village or establishment belonged to"
    )
    former_parent_name: str | None = None

    @staticmethod
    def resolve_former_parent_code(obj: OrgUnit) -> str | None:
        return obj.former_parent.code if obj.former_parent_id and obj.former_parent else None

    @staticmethod
    def resolve_former_parent_name(obj: OrgUnit) -> str | None:
        return obj.former_parent.name if obj.former_parent_id and obj.former_parent else None


class UnitPageOut(Schema):
    count: int
    items: list[UnitOut]


class LinkOut(Schema):
    unit: UnitBriefOut
    kind: str
    is_default: bool
    share: Decimal | None
    effective_date: date


class LineageOut(Schema):
    predecessors: list[LinkOut]
    successors: list[LinkOut]


class ResolveOut(Schema):
    unit: UnitOut
    era: Literal["current", "legacy"]
    successors: list[UnitBriefOut]
    province: UnitBriefOut | None


class UnitCreateIn(Schema):
    kind: CreatableKind
    subkind: str = Field(..., min_length=1, max_length=24)
    name: str = Field(..., min_length=1, max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    population: int | None = Field(None, ge=0, le=2_147_483_647)
    households: int | None = Field(None, ge=0, le=2_147_483_647)
    address: str = Field("", max_length=255)
    note: str = Field("", max_length=5000)
    former_parent: str = Field(
        "",
        max_length=200,
        description="The pre-2025 commune it belonged to: code (with or without L) or name",
    )
    successor: str = Field(
        "",
        max_length=32,
        description="Posting under a pre-2025 commune: the code of the current successor "
        "(default: the default successor)",
    )


class UnitUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    subkind: str | None = Field(None, min_length=1, max_length=24)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    population: int | None = Field(None, ge=0, le=2_147_483_647)
    households: int | None = Field(None, ge=0, le=2_147_483_647)
    address: str | None = Field(None, max_length=255)
    note: str | None = Field(None, max_length=5000)
    former_parent: str | None = Field(
        None,
        max_length=200,
        description="The pre-2025 commune (code or name); an empty string clears it",
    )
