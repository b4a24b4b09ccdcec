"""/api/v1/orgunits/<code>/split-shares and /<province>/splits: read, set, refuse, scope."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from binhyen.orgunits.models import Lineage
from binhyen.orgunits.tests.shares_world import shares_world
from binhyen.orgunits.tests.test_api_import import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    return shares_world()


URL = "/api/v1/orgunits/L51001/split-shares"


def put(client, user, body) -> Any:
    return client.put(URL, json.dumps(body), content_type="application/json", **bearer(user))


def test_officer_reads_and_sets_the_shares(client, world):
    # given the province officer
    headers = bearer(world["officer"])
    # when they read the split
    body = client.get(URL, **headers).json()
    assert body["rule"] == "default" and body["editable"]
    assert [s["code"] for s in body["successors"]] == ["51001", "51002"]
    # and set 40 / 60
    answer = put(client, world["officer"], {"shares": {"51001": 0.4, "51002": 0.6}})
    # then the shares are stored and returned
    assert answer.status_code == 200, answer.content
    assert answer.json()["rule"] == "shares"
    assert Lineage.objects.get(successor=world["s2"], predecessor=world["p"]).share == Decimal(
        "0.6"
    )


def test_a_bad_sum_answers_400_naming_it(client, world):
    answer = put(client, world["officer"], {"shares": {"51001": 0.4, "51002": 0.4}})
    assert answer.status_code == 400
    assert answer.json()["field"] == "shares" and "80 %" in answer.json()["message"]
    assert not Lineage.objects.filter(share__isnull=False).exists()


def test_out_of_scope_and_anonymous_callers_get_404_and_401(client, world):
    assert client.get(URL, **bearer(world["officer_b"])).status_code == 404
    assert put(client, world["chief"], {"shares": {"51001": 1, "51002": None}}).status_code == 404
    assert client.get(URL).status_code == 401
    assert not Lineage.objects.filter(share__isnull=False).exists()


def test_province_split_list(client, world):
    body = client.get("/api/v1/orgunits/51/splits", **bearer(world["officer"])).json()
    assert [i["code"] for i in body["items"]] == ["L51001", "L51002"]
    assert client.get("/api/v1/orgunits/51/splits", **bearer(world["officer_b"])).status_code == 404
    assert (
        client.get("/api/v1/orgunits/51001/splits", **bearer(world["officer"])).status_code == 404
    )
