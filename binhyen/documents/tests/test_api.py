"""The API: templates, drafts, edits, issuing, render tasks and their download."""

from __future__ import annotations

import json

from binhyen.accounts.tests.factories import login_verified
from binhyen.documents.tests.test_services import text_of

BASE = "/api/v1/documents"


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_document_workflow(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.commune_chief)
    templates = client.get(f"{BASE}/templates").json()
    assert {t["code"] for t in templates} >= {"bao-cao-phong-trao-xa", "bao-cao-phong-trao-tinh"}
    created = post(
        client,
        BASE,
        {"template": "bao-cao-phong-trao-xa", "unit": world.commune.code, "period": "2026S1"},
    )
    assert created.status_code == 201
    doc = created.json()
    patched = client.patch(
        f"{BASE}/{doc['id']}",
        data=json.dumps({"narrative": {"plan": "Tiếp tục tuyên truyền."}}),
        content_type="application/json",
    )
    assert patched.json()["narrative"]["plan"] == "Tiếp tục tuyên truyền."
    refused = post(client, f"{BASE}/{doc['id']}/issue", {})
    assert refused.status_code == 400
    assert refused.json()["field"] == "number"
    issued = post(client, f"{BASE}/{doc['id']}/issue", {"number": 21})
    assert issued.json()["reference"] == "21/BC-CAX"
    again = client.patch(
        f"{BASE}/{doc['id']}", data=json.dumps({"summary": "x"}), content_type="application/json"
    )
    assert again.status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        task = post(client, f"{BASE}/render", {"format": "docx", "document": doc["id"]})
    assert task.status_code == 202
    polled = client.get(f"{BASE}/tasks/{task.json()['id']}").json()
    assert polled["status"] == "done"
    download = client.get(polled["download"])
    assert "Số: 21/BC-CAX" in text_of(b"".join(download.streaming_content))


def test_render_without_a_document(world, client, django_capture_on_commit_callbacks):
    login_verified(client, world.province_officer)
    with django_capture_on_commit_callbacks(execute=True):
        task = post(
            client,
            f"{BASE}/render",
            {
                "format": "docx",
                "template": "bao-cao-phong-trao-tinh",
                "unit": world.province.code,
                "period": "2026S1",
            },
        )
    assert task.status_code == 202
    assert client.get(f"{BASE}/tasks/{task.json()['id']}").json()["status"] == "done"


def test_bad_input_and_scope(world, client):
    client.force_login(world.commune_chief)
    bad_period = post(
        client,
        BASE,
        {"template": "bao-cao-phong-trao-xa", "unit": world.commune.code, "period": "2026X9"},
    )
    assert bad_period.status_code == 400
    assert bad_period.json()["field"] == "period"
    outside = post(
        client,
        BASE,
        {"template": "bao-cao-phong-trao-xa", "unit": world.far_commune.code, "period": "2026S1"},
    )
    assert outside.status_code == 404
    other = client.get(f"{BASE}/tasks/00000000-0000-4000-8000-000000000000")
    assert other.status_code == 404
