"""``GET /api/v1/indicators/units/{code}/predecessor-note``: how a unit's figures include its
predecessors' (the dashboards' note, ``lineage_notes``), for a unit the caller may read."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from binhyen.core.api_kit import api_user, not_found_as
from binhyen.indicators import selectors
from binhyen.indicators.lineage_notes import note_text, predecessor_notes
from binhyen.indicators.schemas import ErrorOut

router = Router(tags=["indicators"])


class PredecessorNoteOut(Schema):
    code: str
    name: str
    rule: str  # "merge", "shares" (share set) or "default" (whole to the default successor)
    share: float | None


class UnitPredecessorNoteOut(Schema):
    unit: str
    note: str
    predecessors: list[PredecessorNoteOut]


@router.get(
    "/indicators/units/{code}/predecessor-note",
    response={200: UnitPredecessorNoteOut, 404: ErrorOut},
    summary="Which predecessors' figures count in a unit's figures, and by which rule",
)
def unit_predecessor_note(request: HttpRequest, code: str) -> Any:
    user = api_user(request)
    with not_found_as("code"):
        if not selectors.visible_units(user).filter(code=code).exists():
            raise PermissionDenied
    notes = predecessor_notes([code]).get(code, [])
    return {
        "unit": code,
        "note": note_text(notes),
        "predecessors": [
            {"code": n.code, "name": n.name, "rule": n.rule, "share": n.share} for n in notes
        ],
    }
