"""API schemas every app shares.

django-ninja publishes a schema under its class name, so a name must belong to one class in
the whole API: the error body is defined here once and every app imports it.
"""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema


class ErrorOut(Schema):
    message: str
    field: str | None = None


# The largest offset a list accepts: a larger one is refused (422) instead of overflowing
# the database's 64-bit OFFSET.
OFFSET_MAX = 1_000_000_000


class PageQuery(Schema):
    """The ``limit`` and ``offset`` query parameters of every list operation."""

    limit: int = Field(50, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)
