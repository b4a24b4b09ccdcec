"""The /api/v1/activities endpoints: scope, JSON errors naming the field, service writes."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from binhyen.activities.models import Activity
from binhyen.activities.tests.factories import commune_scene, outreach, record
from binhyen.indicators.models import DataValue
from binhyen.orgunits.tests.test_api import token_for

pytestmark = pytest.mark.django_db
BASE = "/api/v1/activities"


class Api:
    def __init__(self, client, user=None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}

    def get(self, path: str = "", **params):
        return self.client.get(f"{BASE}{path}", params, **self.headers)

    def send(self, method: str, path: str, body: dict | None = None):
        return getattr(self.client, method)(
            f"{BASE}{path}", json.dumps(body or {}), content_type="application/json", **self.headers
        )


@pytest.fixture
def s():
    scene = SimpleNamespace(**vars(commune_scene()))
    scene.activity = record(scene.officer, outreach(scene.commune))
    return scene


def body(s, **overrides):
    data = {
        "kind": "weapons_surrender",
        "unit": s.villages[0].code,
        "date": "2025-03-10",
        "items": [{"item_kind": "sung", "quantity": 7}, {"item_kind": "dan", "quantity": 72}],
    }
    data.update(overrides)
    return data


def test_anonymous_gets_401(client, s):
    api = Api(client)
    assert api.get().status_code == 401
    assert api.get(f"/{s.activity.pk}").status_code == 401
    assert api.send("post", "", body(s)).status_code == 401
    assert not Activity.objects.filter(kind="weapons_surrender").exists()


def test_list_and_detail_are_scoped(client, s):
    mine = Api(client, s.officer)
    listed = mine.get().json()
    assert listed["count"] == 1
    assert listed["items"][0]["topic"] == "Phòng chống ma túy"
    assert mine.get(f"/{s.activity.pk}").json()["unit"] == s.commune.code
    outsider = Api(client, s.other_officer)
    assert outsider.get().json()["count"] == 0
    response = outsider.get(f"/{s.activity.pk}")
    assert response.status_code == 404
    assert response.json()["field"] == "id"
    assert outsider.get(unit=s.commune.code).status_code == 404


def test_create_update_delete(client, s, django_capture_on_commit_callbacks):
    api = Api(client, s.officer)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.send("post", "", body(s))
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["title"] == "Vận động giao nộp vũ khí, vật liệu nổ, pháo"
    assert {i["item_kind"]: i["quantity"] for i in data["items"]} == {"sung": 7, "dan": 72}
    pk = data["id"]
    with django_capture_on_commit_callbacks(execute=True):
        updated = api.send("put", f"/{pk}", body(s, items=[{"item_kind": "sung", "quantity": 8}]))
    assert updated.status_code == 200
    assert DataValue.objects.get(metric__code="weapons_surrendered", option="sung").value == 8
    with django_capture_on_commit_callbacks(execute=True):
        assert api.send("delete", f"/{pk}").status_code == 204
    assert not DataValue.objects.filter(metric__code="weapons_surrendered").exists()


def test_api_writes_publish_through_the_worker_after_commit(
    client, s, django_capture_on_commit_callbacks
):
    # Given an officer sending an activity through the API (as the field app's outbox does)
    api = Api(client, s.officer)
    # When the request is answered, before the transaction's follow-ups run
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = api.send("post", "", body(s))
    # Then the activity is stored but its figures wait for the re-publishing task
    assert created.status_code == 201
    assert not DataValue.objects.filter(metric__code="weapons_surrendered").exists()
    assert len(callbacks) == 1
    # and once it runs (the test queue runs tasks at once) the figures are there
    callbacks[0]()
    assert DataValue.objects.get(metric__code="weapons_surrendered", option="sung").value == 7


def test_bad_input_answers_400_with_the_field_and_saves_nothing(client, s):
    api = Api(client, s.officer)
    response = api.send("post", "", body(s, kind="outreach", items=[], topic="x", leaflets=-1))
    assert response.status_code == 400
    assert response.json()["field"] == "leaflets"
    response = api.send("post", "", body(s, date="2099-01-01"))
    assert response.status_code == 400
    assert response.json()["field"] == "date"
    response = api.send("post", "", body(s, items=[{"item_kind": "sung", "quantity": 0}]))
    assert response.status_code == 400
    assert response.json()["field"] == "items"
    response = api.send("post", "", body(s, villages=["khong-co"]))
    assert response.status_code == 404
    assert response.json()["field"] == "villages"
    assert Activity.objects.count() == 1


def test_writes_outside_scope_answer_404(client, s):
    api = Api(client, s.other_officer)
    response = api.send("post", "", body(s))
    assert response.status_code == 404
    assert response.json()["field"] == "unit"
    assert api.send("delete", f"/{s.activity.pk}").status_code == 404
    viewer = Api(client, s.viewer)
    assert viewer.send("post", "", body(s, unit=s.commune.code)).status_code == 404
    assert Activity.objects.count() == 1


def test_an_offset_past_the_limit_is_refused_not_a_500(client, s):
    # when paging far beyond what the database can count
    response = Api(client, s.officer).get("", offset=2**63)
    # then the parameter is named, nothing breaks
    assert response.status_code == 422 and response.json()["field"] == "offset"


def test_a_filter_with_a_nul_character_is_refused_not_a_500(client, s):
    # when searching with a NUL character (PostgreSQL cannot compare one)
    response = Api(client, s.officer).get("", q="ma\x00túy")
    # then the parameter is named, nothing breaks
    assert response.status_code == 422 and response.json()["field"] == "q"
