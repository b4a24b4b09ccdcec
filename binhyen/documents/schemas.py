"""API schemas of the documents app (names unique across the whole API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from binhyen.core.schemas import ErrorOut

__all__ = ["ErrorOut"]


class DocTemplateOut(Schema):
    code: str
    kind: str
    title: str
    type_code: str
    levels: list[str]
    narrative: list[str]
    fields: list[str]
    version: str = Field(
        description="The version the caller's province renders: VN vN, 24 vN or shipped"
    )


class DocumentOut(Schema):
    id: int
    template: str
    kind: str
    unit: str
    unit_name: str
    period: str
    summary: str
    status: str
    number: int | None
    reference: str
    issued_on: date | None
    narrative: dict[str, str]
    template_version: str
    created_at: datetime


class DocumentPageOut(Schema):
    count: int
    items: list[DocumentOut]


class DocumentCreateIn(Schema):
    template: str = Field(max_length=40)
    unit: str = Field(max_length=32)
    period: str = Field(max_length=16, description="2026S1, 2026M06, 2026, …")


class DocumentPatchIn(Schema):
    summary: str | None = Field(None, max_length=300)
    narrative: dict[str, str] | None = None


class DocumentIssueIn(Schema):
    number: int | None = Field(None, ge=1, le=99_999)
    issued_on: date | None = None


class RenderIn(Schema):
    format: Literal["docx", "pdf", "zip"]
    document: int | None = Field(None, ge=1, le=2_147_483_647, description="An existing document")
    template: str = Field("", max_length=40, description="Without a document: the template")
    unit: str = Field("", max_length=32)
    period: str = Field("", max_length=16)


class RenderTaskOut(Schema):
    id: str
    status: str
    progress: int
    step: str
    format: str
    filename: str
    error: str
    download: str = Field(description="Where to download the file once status is done")
