"""API: the proposal path, scope (404 outside), bad input (400 naming the field)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from binhyen.accounts.tests.factories import login_verified
from binhyen.awards.tests.factories import YEAR, scene

pytestmark = pytest.mark.django_db
API = "/api/v1/awards"


def _as(client, user):
    login_verified(client, user)
    return client


def test_the_proposal_path_over_the_api(client):
    s = scene(villages=2)
    c = _as(client, s.chief)
    made = c.post(
        f"{API}/proposals",
        {"unit": s.commune.code, "year": YEAR, "form": "giay-khen-giam-doc-ca-tinh"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    added = c.post(
        f"{API}/proposals/{pk}/nominees",
        {"kind": "village", "unit": s.villages[0].code},
        content_type="application/json",
    )
    assert added.status_code == 201
    sent = c.post(f"{API}/proposals/{pk}/submit")
    assert sent.json()["current_unit"] == s.province.code
    c = _as(client, s.province_officer)
    done = c.post(
        f"{API}/proposals/{pk}/decide",
        {"number": "1/QĐ", "decided_on": timezone.localdate().isoformat(), "signer": "GĐ"},
        content_type="application/json",
    )
    assert done.json()["status"] == "decided"
    assert [s_["action"] for s_ in done.json()["history"]] == ["submitted", "decided"]
    figures = c.get(f"{API}/figures", {"unit": s.province.code, "year": YEAR}).json()
    assert figures["collective"] == 1
    assert c.get(f"{API}/rewards").json()["count"] == 1


def test_bad_input_and_scope(client):
    s = scene(villages=1)
    c = _as(client, s.province_officer)
    refused = c.post(
        f"{API}/proposals",
        {"unit": s.province.code, "year": YEAR, "form": "giay-khen-chu-tich-xa"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["field"] == "form"
    c = _as(client, s.far_officer)
    outside = c.post(
        f"{API}/drives",
        {
            "unit": s.commune.code,
            "title": "X",
            "year": YEAR,
            "starts_on": f"{YEAR}-01-01",
            "ends_on": f"{YEAR}-12-31",
        },
        content_type="application/json",
    )
    assert outside.status_code == 404
    used = c.post(f"{API}/collect", {"code": "ZZZZZ-ZZZZZ"}, content_type="application/json")
    assert used.status_code == 400 and used.json()["field"] == "code"


def test_anonymous_gets_401(client):
    assert client.get(f"{API}/proposals").status_code == 401
