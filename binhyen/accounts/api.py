"""REST endpoints of the accounts app: who am I, and my API tokens.

Every endpoint acts on the authenticated user only; another user's token is a 404.
A token's secret appears once, in the response that creates it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from binhyen.accounts import permissions, selectors, services
from binhyen.accounts.models import ApiToken
from binhyen.core.api_kit import api_user
from binhyen.core.schemas import ErrorOut

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str = Field(description="Role code, e.g. commune_officer")
    role_label: str
    unit_code: str
    unit_name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    position: str
    roles: list[RoleOut]
    two_factor_required: bool
    two_factor_enabled: bool


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret; shown only in this response, never again.")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)


def _token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
    }


@router.get("/me", response=MeOut, summary="The signed-in user and their roles")
def me(request: HttpRequest) -> dict[str, Any]:
    user = api_user(request)
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "position": user.position,
        "roles": [
            {
                "role": a.role,
                "role_label": str(a.get_role_display()),
                "unit_code": a.orgunit.code,
                "unit_name": a.orgunit.name,
            }
            for a in selectors.assignments_of(user)
        ],
        "two_factor_required": permissions.requires_two_factor(user),
        "two_factor_enabled": selectors.has_confirmed_totp(user),
    }


@router.get("/tokens", response=list[TokenOut], summary="My active API tokens")
def token_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_token_out(t) for t in selectors.api_tokens_of(api_user(request))]


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token")
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    token, raw = services.api_token_create(actor=api_user(request), name=payload.name)
    return Status(201, {**_token_out(token), "token": raw})


@router.delete(
    "/tokens/{token_id}",
    response={204: None, 404: ErrorOut},
    summary="Revoke one of my API tokens",
)
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    token = selectors.api_tokens_of(api_user(request)).filter(pk=token_id).first()
    if token is None:
        raise Http404(_("Không tìm thấy mã truy cập."))
    services.api_token_revoke(actor=api_user(request), token=token)
    return Status(204, None)
