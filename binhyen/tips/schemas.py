"""API shapes of the tips app (django-ninja / pydantic)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from binhyen.core.schemas import ErrorOut as ErrorOut
from binhyen.tips.models import MAX_DESCRIPTION

KindLiteral = Literal["crime", "feedback", "other"]


class ChallengeOut(Schema):
    token: str = Field(description="Signed challenge; send it back with the solution")
    bits: int = Field(description="Leading zero bits sha256(token + ':' + solution) must have")
    expires_in: int = Field(description="Seconds the challenge stays valid")


class ContactIn(Schema):
    name: str = Field("", max_length=150)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)


class ProofIn(Schema):
    token: str = Field(max_length=500)
    solution: str = Field(max_length=20)


class TipSubmitIn(Schema):
    kind: KindLiteral
    description: str = Field(max_length=MAX_DESCRIPTION)
    category: str = Field("", max_length=40, description="Category code (optional)")
    occurred_at: datetime | None = None
    province_code: str = Field("", max_length=32)
    commune_code: str = Field("", max_length=32)
    village_code: str = Field("", max_length=32)
    address: str = Field("", max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    location_unknown: bool = False
    anonymous: bool = True
    contact: ContactIn | None = None
    proof: ProofIn | None = Field(None, description="Solved proof-of-work from /tips/challenge")
    website: str = Field("", max_length=200, description="Leave empty (anti-bot field)")


class ReceiptOut(Schema):
    tracking_code: str
    secret: str = Field(description="Shown once; only a hash is stored")
    status: str
    unit: str = Field(description="Name of the unit the tip was sent to")
    ack_due_at: datetime
    due_at: datetime


class CitizenLookupIn(Schema):
    code: str = Field(max_length=20)
    secret: str = Field(max_length=40)


class PublicMessageOut(Schema):
    direction: str = Field(description="from_citizen or to_citizen")
    body: str
    created_at: datetime


class CitizenStatusOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    outcome: str
    unit: str
    created_at: datetime
    messages: list[PublicMessageOut]


class FollowUpOut(Schema):
    tracking_code: str
    created_at: datetime
    media: int


class TipOut(Schema):
    id: int
    tracking_code: str
    channel: str
    kind: str
    category: str | None
    status: str
    priority: int
    description: str
    unit_code: str
    unit_name: str
    commune_code: str | None
    is_anonymous: bool
    is_valuable: bool
    claimed_by: str | None
    created_at: datetime
    ack_due_at: datetime
    due_at: datetime
    acknowledged_at: datetime | None
    concluded_at: datetime | None
    outcome: str
    escalation_level: int


class TipPageOut(Schema):
    count: int
    items: list[TipOut]


# --- officer actions -----------------------------------------------------------------------------

StateLiteral = Literal["verifying", "resolved", "unfounded"]


class ClaimIn(Schema):
    take_over: bool = Field(False, description="A supervisor takes over someone else's claim")


class AssignIn(Schema):
    assignee: int = Field(description="Id of an officer who may triage the tip")


class PriorityIn(Schema):
    priority: int = Field(description="1 (low) to 4 (urgent)")


class ClassifyIn(Schema):
    kind: KindLiteral
    category: str = Field("", max_length=40, description="Category code (optional)")


class StateIn(Schema):
    status: StateLiteral = Field(
        description=(
            "verifying: start verifying a new tip, or reopen a concluded one (with reason); "
            "resolved / unfounded: conclude (with outcome)"
        )
    )
    outcome: str = Field("", max_length=MAX_DESCRIPTION, description="What was done (conclude)")
    reason: str = Field("", max_length=1000, description="Why the tip is reopened")


class MessageIn(Schema):
    body: str = Field("", max_length=MAX_DESCRIPTION)
    template: str = Field("", max_length=40, description="Reply template code; fills an empty body")


class NoteIn(Schema):
    body: str = Field(max_length=MAX_DESCRIPTION)


class TransferIn(Schema):
    reason: str = Field(max_length=1000)
    to_unit: str = Field("", max_length=32, description="Code of the receiving commune")
    to_body: str = Field("", max_length=200, description="Or the name of another body")


class PlaceIn(Schema):
    commune_code: str = Field(max_length=32, description="Code of the commune the tip belongs to")
    reason: str = Field(max_length=1000)


class MergeIn(Schema):
    into: str = Field(max_length=20, description="Tracking code of the original tip")
    note: str = Field("", max_length=500)


class ValuableIn(Schema):
    valuable: bool = True


class MessageOut(Schema):
    id: int
    direction: str = Field(description="to_citizen or internal")
    body: str
    author: str | None
    created_at: datetime


class DuplicateOut(Schema):
    id: int
    tracking_code: str
    description: str
    status: str
    created_at: datetime
    score: float
    reasons: list[str]


class ContactOut(Schema):
    name: str
    phone: str
    email: str


class ReplyTemplateOut(Schema):
    code: str
    name: str
    body: str
