"""REST endpoints of split shares, under /api/v1/orgunits.

- ``GET /{code}/splits``: the splits with a successor in province ``code``;
- ``GET /{code}/split-shares``: the split of predecessor ``code``, its successors and shares;
- ``PUT /{code}/split-shares``: set them (``{"shares": {successor code: 0–1 or null}}``),
  all empty or summing to 1; 400 names the problem, nothing saved.

Shares are fractions (0–1) here; pages show percentages. Who may read and edit: see
``services_shares``. Anything else answers 404, as for a missing unit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from binhyen.core.api_kit import api_user, not_found_as
from binhyen.orgunits import selectors, services_shares
from binhyen.orgunits.models import UnitKind
from binhyen.orgunits.schemas import ErrorOut

router = Router(tags=["orgunits"])


class SplitEdgeOut(Schema):
    code: str
    name: str
    is_default: bool
    share: Decimal | None
    effective_date: date


class SplitOut(Schema):
    code: str
    name: str
    editable: bool
    rule: str  # "shares" or "default"
    successors: list[SplitEdgeOut]


class SplitListOut(Schema):
    count: int
    items: list[SplitOut]


class SharesIn(Schema):
    shares: dict[str, Decimal | None]


def _out(split: services_shares.Split) -> dict[str, Any]:
    return {
        "code": split.predecessor.code,
        "name": split.predecessor.name,
        "editable": split.editable,
        "rule": "shares" if split.has_shares else "default",
        "successors": [
            {
                "code": e.successor.code,
                "name": e.successor.name,
                "is_default": e.is_default,
                "share": e.share,
                "effective_date": e.effective_date,
            }
            for e in split.edges
        ],
    }


@router.get(
    "/{code}/splits",
    response={200: SplitListOut, 404: ErrorOut},
    summary="The splits with a successor in a province, and their shares",
)
def province_split_list(request: HttpRequest, code: str) -> Any:
    user = api_user(request)
    with not_found_as("code", selectors.not_found_message()):
        province = selectors.unit_get(user=user, code=code)
        if province.kind != UnitKind.PROVINCE or not province.is_current:
            raise PermissionDenied
        splits = services_shares.province_splits(user=user, province=province)
    return {"count": len(splits), "items": [_out(s) for s in splits]}


@router.get(
    "/{code}/split-shares",
    response={200: SplitOut, 404: ErrorOut},
    summary="The shares of one split (predecessor code)",
)
def split_shares_get(request: HttpRequest, code: str) -> Any:
    with not_found_as("code", selectors.not_found_message()):
        split = services_shares.split_get(user=api_user(request), code=code)
    return _out(split)


@router.put(
    "/{code}/split-shares",
    response={200: SplitOut, 400: ErrorOut, 404: ErrorOut},
    summary="Set the shares of one split: all empty, or each in (0, 1] summing to 1",
)
def split_shares_put(request: HttpRequest, code: str, payload: SharesIn) -> Any:
    user = api_user(request)
    with not_found_as("code", selectors.not_found_message()):
        split = services_shares.split_get(user=user, code=code)
        services_shares.lineage_shares_set(
            actor=user, predecessor=split.predecessor, shares=payload.shares
        )
    return _out(services_shares.split_get(user=user, code=code))
