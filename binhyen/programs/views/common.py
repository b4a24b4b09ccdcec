"""What the programme pages share: one service call whose refusal is a 404, the criteria set
of a URL, file answers.
"""

from __future__ import annotations

from typing import TypeVar

from django.http import HttpRequest, HttpResponse

from binhyen.programs import selectors
from binhyen.programs.models import (
    CriteriaSet,
    Program,
)

T = TypeVar("T")


def _require(condition: bool) -> None:
    if not condition:
        raise selectors.not_found()


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _set(request: HttpRequest, code: str, version: int) -> tuple[Program, CriteriaSet]:
    program = selectors.program_get(user=request.user, code=code)
    return program, selectors.criteria_set_get(user=request.user, program=program, version=version)
