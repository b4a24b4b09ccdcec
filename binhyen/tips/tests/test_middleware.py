"""A lost database answers 503 with Retry-After, as JSON for the API and a page otherwise."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from binhyen.accounts.tests.factories import scene
from binhyen.tips import services
from binhyen.tips.models import Tip
from binhyen.tips.services import fast_insert
from binhyen.tips.tests.factories import make_tip


@pytest.mark.django_db
def test_api_intake_answers_503_when_the_database_is_down(client, monkeypatch):
    # given a database that refuses connections as the tip is stored
    def broken(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(services, "tip_submit", broken)
    monkeypatch.setattr("binhyen.tips.pow.challenge_verify", lambda *a, **k: None)
    # when a tip is submitted through the API
    response = client.post(
        "/api/v1/tips/",
        {"kind": "crime", "description": "a", "proof": {"token": "t", "solution": "1"}},
        content_type="application/json",
    )
    # then 503 with Retry-After says nothing was done
    assert response.status_code == 503 and response["Retry-After"]
    assert "CHƯA" in response.json()["message"]


@pytest.mark.django_db
def test_page_answers_503_when_the_database_is_down(client, monkeypatch):
    # given a database lost while a citizen looks a tip up
    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("binhyen.tips.selectors.tip_for_citizen", broken)
    # when the follow page is posted
    response = client.post("/tips/follow/", {"code": "ABCD-EFGH", "secret": "x"})
    # then the page answers 503 and says nothing was done
    assert response.status_code == 503 and "CHƯA" in response.content.decode()


@pytest.mark.django_db
def test_a_lost_database_after_routing_from_memory_answers_503(client, monkeypatch):
    # given a commune the intake already remembers
    s = scene()
    make_tip(s.commune)

    # when the database is lost as the next tip is written
    def lost(tip):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(fast_insert, "_tip_insert", lost)
    monkeypatch.setattr("binhyen.tips.pow.challenge_verify", lambda *a, **k: None)
    response = client.post(
        "/api/v1/tips/",
        {
            "kind": "crime",
            "description": "Có người lạ dò xét nhà trong ngõ.",
            "commune_code": s.commune.code,
            "proof": {"token": "t", "solution": "1"},
        },
        content_type="application/json",
    )
    # then the answer is 503 and nothing more was stored
    assert response.status_code == 503 and response["Retry-After"]
    assert Tip.objects.count() == 1
