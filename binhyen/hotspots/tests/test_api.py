"""The /api/v1/hotspots endpoints: scope, JSON errors naming the field, the board."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pytest

from binhyen.hotspots.models import Designation
from binhyen.hotspots.tests.factories import designate, province_scene
from binhyen.orgunits.tests.test_api import token_for

pytestmark = pytest.mark.django_db
BASE = "/api/v1/hotspots"


class Api:
    def __init__(self, client, user=None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}

    def get(self, path: str, **params):
        return self.client.get(f"{BASE}{path}", params, **self.headers)

    def post(self, path: str, body: dict, method: str = "post"):
        return getattr(self.client, method)(
            f"{BASE}{path}", json.dumps(body), content_type="application/json", **self.headers
        )


@pytest.fixture
def s():
    scene = SimpleNamespace(**vars(province_scene()))
    scene.designation = designate(scene.officer, scene.communes[0])
    return scene


def new(s, **overrides):
    body = {
        "regime": "ministry_hotspot",
        "unit": s.communes[1].code,
        "year": 2024,
        "decision_number": "123/QĐ-BCA",
        "decision_date": "2024-04-02",
        "issuing_body": "Bộ Công an",
        "categories": ["toi_pham_hinh_su"],
    }
    body.update(overrides)
    return body


def test_anonymous_gets_401(client, s):
    api = Api(client)
    for path in ("/designations", f"/designations/{s.designation.pk}", "/board"):
        assert api.get(path).status_code == 401, path
    assert api.post("/designations", new(s)).status_code == 401


def test_reads_are_scoped(client, s):
    assert Api(client, s.officer).get("/designations").json()["count"] == 1
    far = Api(client, s.far_officer)
    assert far.get("/designations").json()["count"] == 0
    response = far.get(f"/designations/{s.designation.pk}")
    assert response.status_code == 404
    assert response.json()["field"] == "id"
    assert far.get("/board", unit=s.province.code).status_code == 404


def test_full_workflow(client, s):
    api = Api(client, s.officer)
    created = api.post("/designations", new(s))
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    task = api.post(
        f"/designations/{pk}/tasks",
        {"title": "Khảo sát", "owner": "PV05", "deadline": "2024-05-01"},
    )
    assert task.status_code == 201
    report = api.post(
        f"/tasks/{task.json()['id']}/progress",
        {"progress": 100, "status": "done", "completed_on": "2024-04-20", "evidence": "Xong"},
    )
    assert report.status_code == 200
    assert (
        api.post(f"/designations/{pk}/removal-proposal", {"proposed_on": "2024-10-01"}).status_code
        == 200
    )
    removed = api.post(
        f"/designations/{pk}/removal",
        {
            "decision_number": "9/QĐ-BCA",
            "decision_date": "2024-12-01",
            "issuing_body": "Bộ Công an",
        },
    )
    assert removed.json()["removal_date"] == "2024-12-01"
    relapse = api.post(
        f"/designations/{pk}/relapses", {"date": "2025-02-01", "description": "Tái phức tạp"}
    )
    assert len(relapse.json()["relapses"]) == 1
    board = api.get("/board", unit=s.province.code, year=2024, regime="ministry_hotspot").json()
    assert board["totals"][0]["designated"] == 1
    assert board["totals"][0]["removed"] == 1
    assert board["totals"][0]["relapsed"] == 1


def test_bad_input_is_400_naming_the_field(client, s):
    api = Api(client, s.officer)
    pk = s.designation.pk
    response = api.post(
        f"/designations/{pk}/removal",
        {"decision_number": "9", "decision_date": "2024-01-01", "issuing_body": "UBND"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "removal_date"
    response = api.post("/designations", new(s, categories=["khong_co"]))
    assert response.status_code == 400
    assert response.json()["field"] == "categories"
    response = api.post("/designations", new(s, regime="drug_area"))
    assert response.status_code == 400
    assert response.json()["field"] == "drug_area_type"
    assert Designation.objects.count() == 1
    assert Designation.objects.get().removal_date is None


def test_writes_outside_scope_are_404(client, s):
    far = Api(client, s.far_officer)
    response = far.post("/designations", new(s))
    assert response.status_code == 404
    assert response.json()["field"] == "unit"
    response = far.post(
        f"/designations/{s.designation.pk}/removal",
        {"decision_number": "9", "decision_date": "2024-12-01", "issuing_body": "UBND"},
    )
    assert response.status_code == 404
    commune = Api(client, s.commune_officer)
    assert (
        commune.post(
            "/designations",
            new(s, unit=s.communes[0].code, regime="drug_area", drug_area_type="type_1"),
        ).status_code
        == 404
    )
    assert Designation.objects.count() == 1
    assert Designation.objects.get().removal_date is None
    assert s.designation.decision_date == date(2024, 3, 1)


def test_an_offset_past_the_limit_is_refused_not_a_500(client, s):
    # when paging far beyond what the database can count
    response = Api(client, s.officer).get("/designations", offset=2**63)
    # then the parameter is named, nothing breaks
    assert response.status_code == 422 and response.json()["field"] == "offset"
