"""API shapes of the activity log (django-ninja / pydantic)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from binhyen.core.schemas import ErrorOut as ErrorOut

KindLiteral = Literal[
    "outreach",
    "media_post",
    "weapons_surrender",
    "camera",
    "lighting",
    "mediation",
    "patrol",
    "training",
    "volunteer",
]


class ItemIO(Schema):
    item_kind: Literal["sung", "dan", "vat_lieu_no", "cong_cu_ho_tro", "phao"]
    quantity: int = Field(..., description="At least 1")
    description: str = Field("", max_length=200)


class ActivityIn(Schema):
    """An activity; fields that the kind does not use must stay empty (0, "" or null)."""

    kind: KindLiteral
    unit: str = Field(..., description="Code of the commune or village", max_length=32)
    date: date
    title: str = Field("", max_length=200, description="Empty: the topic or the kind's name")
    description: str = ""
    participants: int | None = Field(None, description="Empty: not counted (unknown, not 0)")
    villages: list[str] = Field(default_factory=list, description="Village codes")
    topic: str = Field("", max_length=200)
    place: str = Field("", max_length=255)
    leaflets: int = 0
    posters: int = 0
    bulletin_boards: int = 0
    channel: Literal["", "facebook_page", "zalo_group", "zalo_oa", "loudspeaker"] = ""
    posts: int = 0
    cameras: int = 0
    camera_ownership: Literal["", "public", "household"] = ""
    latitude: float | None = None
    longitude: float | None = None
    light_points: int = 0
    lit_km: Decimal = Decimal("0")
    cases_resolved: int = 0
    items: list[ItemIO] = Field(default_factory=list)


class ActivityOut(Schema):
    id: int
    kind: str
    kind_label: str
    unit: str
    unit_name: str
    date: date
    title: str
    description: str
    participants: int | None
    villages: list[str]
    topic: str
    place: str
    leaflets: int
    posters: int
    bulletin_boards: int
    channel: str
    posts: int
    cameras: int
    camera_ownership: str
    latitude: float | None
    longitude: float | None
    light_points: int
    lit_km: Decimal
    cases_resolved: int
    items: list[ItemIO]
    photos: int


class ActivityPageOut(Schema):
    count: int
    items: list[ActivityOut]
