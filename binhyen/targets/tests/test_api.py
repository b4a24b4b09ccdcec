"""The /api/v1/targets endpoints: scope, errors naming the field, allocation, imports."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from binhyen.orgunits.tests.test_api import token_for
from binhyen.targets.models import Target
from binhyen.targets.tests.factories import plan, scene, schemes_target, this_year

pytestmark = pytest.mark.django_db
BASE = "/api/v1/targets"


class Api:
    def __init__(self, client, user=None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}

    def get(self, path: str, **params):
        return self.client.get(f"{BASE}{path}", params, **self.headers)

    def send(self, path: str, body: dict, method: str = "post"):
        return getattr(self.client, method)(
            f"{BASE}{path}", json.dumps(body), content_type="application/json", **self.headers
        )

    def upload(self, path: str, content: bytes, name: str = "t.xlsx"):
        return self.client.post(
            f"{BASE}{path}", {"file": SimpleUploadedFile(name, content)}, **self.headers
        )


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_anonymous_gets_401(client):
    assert Api(client).get("/plans").status_code == 401


def test_target_create_allocate_and_read(client):
    s = scene()
    api = Api(client, s.officer)
    made = api.send(
        f"/units/{s.province.code}/targets",
        {
            "metric": "schemes_active",
            "kind": "increase",
            "value": 12,
            "period": str(this_year()),
            "name": "Xây dựng mới 12 mô hình",
        },
    )
    assert made.status_code == 201, made.content
    target_id = made.json()["id"]
    allocated = api.send(f"/targets/{target_id}/allocations", {"method": "population"})
    assert allocated.status_code == 201
    body = allocated.json()
    assert body["allocated_total"] == 12 and body["shortfall"] == 0
    assert [a["version"] for a in body["allocations"]] == [1]
    listed = api.get(f"/units/{s.province.code}/targets", year=this_year()).json()
    assert listed["items"][0]["progress"]["status"] == "not_met"
    values = Api(client, s.chief).get(f"/units/{s.communes[0].code}/target-values").json()
    assert values["values"] == {"schemes_active": 6.0}


def test_rate_without_denominator_is_400_naming_the_field(client):
    s = scene()
    response = Api(client, s.officer).send(
        f"/units/{s.province.code}/targets",
        {"metric": "villages_pledged", "kind": "rate", "value": 70, "period": str(this_year())},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "denominator"
    assert not Target.objects.exists()


def test_outsiders_and_readers_get_404_on_writes(client):
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    assert Api(client, s.far_officer).get(f"/targets/{target.pk}").status_code == 404
    assert Api(client, s.viewer).get(f"/targets/{target.pk}").status_code == 200
    refused = Api(client, s.viewer).send(f"/targets/{target.pk}/allocations", {"method": "equal"})
    assert refused.status_code == 404
    refused = Api(client, s.chief).send(f"/targets/{target.pk}", {"value": 3}, method="patch")
    assert refused.status_code == 404


def test_manual_allocation_outside_the_subtree_is_400(client):
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    response = Api(client, s.officer).send(
        f"/targets/{target.pk}/allocations",
        {"method": "manual", "shares": {s.far_commune.code: 12}},
    )
    assert response.status_code == 400
    assert s.far_commune.code in response.json()["message"]


def test_targets_import_lists_row_errors_and_saves_nothing(client):
    s = scene()
    api = Api(client, s.officer)
    header = ["Mã số liệu", "Loại chỉ tiêu", "Mức chỉ tiêu", "Kỳ", "Mẫu số"]
    bad = _xlsx(
        [
            header,
            ["schemes_active", "increase", 12, this_year(), None],
            ["villages_pledged", "rate", 70, this_year(), None],
            ["khong_co", "count", "abc", this_year(), None],
        ]
    )
    response = api.upload(f"/units/{s.province.code}/targets/import", bad)
    assert response.status_code == 400
    rows = {e["row"] for e in response.json()["errors"]}
    assert rows == {4}  # the unknown metric is found while reading the sheet
    response = api.upload(
        f"/units/{s.province.code}/targets/import",
        _xlsx(
            [
                header,
                ["schemes_active", "increase", 12, this_year(), None],
                ["villages_pledged", "rate", 70, this_year(), None],
            ]
        ),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 3
    assert response.json()["errors"][0]["field"] == "denominator"
    assert not Target.objects.exists()
    good = _xlsx(
        [
            header,
            ["schemes_active", "Tăng thêm trong kỳ (xây dựng mới)", 12, str(this_year()), None],
        ]
    )
    response = api.upload(f"/units/{s.province.code}/targets/import", good)
    assert response.status_code == 201 and response.json()["created"] == 1


def test_allocation_import_from_the_sheet(client):
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    api = Api(client, s.officer)
    sheet = _xlsx(
        [
            ["Mã đơn vị", "Tên đơn vị", "Mức giao"],
            [s.communes[0].code, "x", 5],
            [s.communes[1].code, "y", 7],
        ]
    )
    response = api.upload(f"/targets/{target.pk}/allocations/import", sheet)
    assert response.status_code == 201
    assert response.json()["allocations"][0]["method"] == "sheet"
    wrong = _xlsx([["Mã đơn vị", "Mức giao"], ["99999", 5]])
    response = api.upload(f"/targets/{target.pk}/allocations/import", wrong)
    assert response.status_code == 400 and response.json()["errors"][0]["row"] == 2


def test_plans_search_with_and_without_diacritics(client):
    s = scene()
    plan(
        s.officer,
        s.province,
        title="Quy chế phối hợp với Hội Cựu chiến binh",
        kind="coordination",
        partners="Hội Cựu chiến binh tỉnh",
    )
    api = Api(client, s.viewer)
    assert api.get("/plans", q="cựu chiến binh").json()["count"] == 1
    assert api.get("/plans", q="cuu chien binh").json()["count"] == 1
    assert api.get("/plans", q="ma tuy").json()["count"] == 0
    assert Api(client, s.far_officer).get("/plans").json()["count"] == 0


def test_plan_tasks_and_campaign_through_the_api(client):
    from binhyen.targets.tests.factories import weekly_metric

    s = scene()
    api = Api(client, s.officer)
    created = api.send(
        "/plans",
        {
            "unit": s.province.code,
            "kind": "plan",
            "number": "7/KH",
            "issued_on": "2026-01-05",
            "title": "Kế hoạch cao điểm Tết",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert created.status_code == 201
    plan_id = created.json()["id"]
    task = api.send(
        f"/plans/{plan_id}/tasks",
        {"description": "Ra quân", "assignee": "PV05", "due_on": "2026-02-01"},
    )
    assert task.status_code == 201
    task_id = task.json()["tasks"][0]["id"]
    assert api.send(f"/tasks/{task_id}", {"progress": 50}).json()["tasks"][0]["progress"] == 50
    weekly_metric()
    campaign = api.send(
        "/campaigns",
        {
            "unit": s.province.code,
            "name": "Đợt cao điểm Tết",
            "start": "2026-01-05",
            "end": "2026-02-01",
            "frequency": "week",
            "units": [c.code for c in s.communes],
            "tracked": [{"metric": "weapons_weekly", "target": 40}],
            "plan": plan_id,
        },
    )
    assert campaign.status_code == 201, campaign.content
    body = campaign.json()
    assert len(body["periods"]) == 4 and body["form"].startswith("campaign_")
    closed = api.send(f"/campaigns/{body['id']}/close", {})
    assert closed.json()["status"] == "closed" and closed.json()["summary"]["figures"]
