"""The accounts API: /me and the caller's own tokens; token and session authentication."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhyen.accounts import services
from binhyen.accounts.models import ApiToken
from binhyen.accounts.tests.factories import login_verified, scene

pytestmark = pytest.mark.django_db

BASE = "/api/v1/accounts"


@pytest.fixture
def s():
    return scene()


def _bearer(raw: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_me_with_a_token(client, s):
    _token, raw = services.api_token_create(actor=s.commune_officer, name="A")
    response = client.get(f"{BASE}/me", **_bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "canbo"
    assert body["roles"] == [
        {
            "role": "commune_officer",
            "role_label": "Cán bộ Công an xã/phường",
            "unit_code": s.commune.code,
            "unit_name": "Xã Hiệp Hòa",
        }
    ]
    assert body["two_factor_required"] is False


def test_me_with_the_api_key_header(client, s):
    _token, raw = services.api_token_create(actor=s.commune_officer, name="A")
    assert client.get(f"{BASE}/me", HTTP_X_API_KEY=raw).status_code == 200


def test_anonymous_and_wrong_tokens_get_401_json(client, s):
    response = client.get(f"{BASE}/me")
    assert response.status_code == 401
    assert response.json()["message"]
    assert client.get(f"{BASE}/me", **_bearer("by_00000000_sai")).status_code == 401


def test_revoked_token_and_inactive_user_get_401(client, s):
    token, raw = services.api_token_create(actor=s.commune_officer, name="A")
    services.api_token_revoke(actor=s.commune_officer, token=token)
    assert client.get(f"{BASE}/me", **_bearer(raw)).status_code == 401
    _token2, raw2 = services.api_token_create(actor=s.commune_officer, name="B")
    services.user_set_active(actor=s.commune_chief, user=s.commune_officer, is_active=False)
    assert client.get(f"{BASE}/me", **_bearer(raw2)).status_code == 401


def test_token_use_records_last_used(client, s):
    token, raw = services.api_token_create(actor=s.commune_officer, name="A")
    client.get(f"{BASE}/me", **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_session_auth_accepts_a_session_that_needs_no_second_factor(client, s):
    client.force_login(s.commune_officer)
    assert client.get(f"{BASE}/me").status_code == 200


def test_session_auth_refuses_an_unverified_session_but_a_token_works(client, s):
    # given a province officer signed in with a password only
    TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    client.force_login(s.province_officer)
    # then the session alone is refused
    assert client.get(f"{BASE}/me").status_code == 401
    # but their token is accepted (the non-interactive path)
    _token, raw = services.api_token_create(actor=s.province_officer, name="A")
    response = client.get(f"{BASE}/me", **_bearer(raw))
    assert response.status_code == 200
    assert response.json()["two_factor_required"] is True
    assert response.json()["two_factor_enabled"] is True


def test_session_auth_accepts_a_verified_session(client, s):
    login_verified(client, s.province_officer)
    assert client.get(f"{BASE}/me").status_code == 200


def test_token_lifecycle(client, s):
    from django.test import Client

    machine = Client()  # no session: only the token authenticates it
    client.force_login(s.commune_officer)
    created = client.post(f"{BASE}/tokens", {"name": "Phần mềm A"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    raw = body["token"]
    assert raw.startswith(f"by_{body['prefix']}_")
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    listed = client.get(f"{BASE}/tokens").json()
    assert [t["name"] for t in listed] == ["Phần mềm A"]
    assert "token" not in listed[0]
    assert raw not in client.get(f"{BASE}/tokens").content.decode()
    # the new token works, and stops working once revoked
    assert machine.get(f"{BASE}/me", **_bearer(raw)).status_code == 200
    assert client.delete(f"{BASE}/tokens/{body['id']}").status_code == 204
    assert machine.get(f"{BASE}/me", **_bearer(raw)).status_code == 401
    assert client.get(f"{BASE}/tokens").json() == []
    assert client.delete(f"{BASE}/tokens/{body['id']}").status_code == 404


def test_tokens_of_other_users_are_invisible(client, s):
    other, _raw = services.api_token_create(actor=s.commune_chief, name="Của trưởng")
    client.force_login(s.commune_officer)
    assert client.get(f"{BASE}/tokens").json() == []
    response = client.delete(f"{BASE}/tokens/{other.pk}")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_token_create_errors_name_the_field(client, s):
    client.force_login(s.commune_officer)
    empty = client.post(f"{BASE}/tokens", {"name": ""}, content_type="application/json")
    assert empty.status_code == 422
    assert empty.json()["field"] == "name"
    blank = client.post(f"{BASE}/tokens", {"name": "   "}, content_type="application/json")
    assert blank.status_code == 400
    assert blank.json()["field"] == "name"
    client.post(f"{BASE}/tokens", {"name": "A"}, content_type="application/json")
    dup = client.post(f"{BASE}/tokens", {"name": "A"}, content_type="application/json")
    assert dup.status_code == 400
    assert dup.json()["field"] == "name"


def test_revoking_a_token_that_is_not_mine_is_a_documented_404(client, s):
    from config.api import api

    # given a token of another user
    _mine, raw = services.api_token_create(actor=s.commune_officer, name="A")
    theirs, _raw = services.api_token_create(actor=s.far_officer, name="B")
    # when revoking it
    response = client.delete(f"{BASE}/tokens/{theirs.pk}", **_bearer(raw))
    # then it is not found, and the document says the operation may answer so
    assert response.status_code == 404 and response.json()["message"]
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    responses = api.get_openapi_schema()["paths"][f"{BASE}/tokens/{{token_id}}"]["delete"]
    assert 404 in responses["responses"]


def test_a_token_name_with_a_nul_character_is_refused_naming_the_field(client, s):
    # given a signed-in caller
    _token, raw = services.api_token_create(actor=s.commune_officer, name="A")
    before = ApiToken.objects.count()
    # when naming a new token with a NUL character (PostgreSQL cannot store one)
    response = client.post(
        f"{BASE}/tokens", {"name": "máy\x00chủ"}, content_type="application/json", **_bearer(raw)
    )
    # then the field is named, in Vietnamese, and nothing is stored
    assert response.status_code == 422
    assert response.json()["field"] == "name"
    assert response.json()["message"] == "Không được chứa ký tự NUL."
    assert ApiToken.objects.count() == before
