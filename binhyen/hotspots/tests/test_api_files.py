"""/api/v1/hotspots attachments: decision, removal decision and task evidence uploaded through
the pages' services, served only in scope; anonymous, out-of-scope and read-only callers."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from binhyen.accounts.models import ApiToken, Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.core.tests.test_uploads import jpeg_with_gps
from binhyen.hotspots import services
from binhyen.hotspots.models import Designation, PlanTask
from binhyen.hotspots.tests.factories import designate, province_scene

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def bearer(user: Any) -> dict[str, str]:
    raw = generate_secret()
    ApiToken.objects.create(user=user, name="t", prefix=prefix_of(raw), key_hash=hash_secret(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def s(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scene = SimpleNamespace(**vars(province_scene()))
    scene.designation = designate(scene.officer, scene.communes[0])
    scene.task = services.plan_task_create(
        actor=scene.officer,
        designation=scene.designation,
        title="Xóa tụ điểm",
        owner="Công an xã",
        deadline=date(2024, 6, 30),
    )
    scene.viewer = user_with_role(Role.VIEWER, scene.province, username="xem")
    return scene


def base(s) -> str:
    return f"/api/v1/hotspots/designations/{s.designation.pk}"


def pdf(name: str = "qd.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)


def put_file(client, path: str, upload: Any, headers: dict[str, str]):
    data = {"file": upload} if upload is not None else {}
    return client.post(path, data, **headers)


# --- decision file ---------------------------------------------------------------------------


def test_decision_file_upload_and_download(client, s):
    # when the province officer attaches the decision
    resp = put_file(client, base(s) + "/files/decision", pdf(), bearer(s.officer))
    # then it is stored, every other field kept, and served to a reader of the province
    assert resp.status_code == 200, resp.content
    assert resp.json()["has_decision_file"] is True
    assert resp.json()["decision_number"] == "15/QĐ-BCĐ"
    served = client.get(base(s) + "/files/decision", **bearer(s.viewer))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == PDF


def test_disguised_decision_file_is_400_and_nothing_stored(client, s):
    resp = put_file(
        client,
        base(s) + "/files/decision",
        SimpleUploadedFile("qd.pdf", b"<script>x</script>"),
        bearer(s.officer),
    )
    assert resp.status_code == 400 and resp.json()["field"] == "file"
    resp = put_file(client, base(s) + "/files/decision", None, bearer(s.officer))
    assert resp.status_code == 400 and resp.json()["field"] == "file"
    assert not Designation.objects.get().decision_file


def test_decision_file_permissions(client, s):
    path = base(s) + "/files/decision"
    assert put_file(client, path, pdf(), {}).status_code == 401
    assert client.get(path).status_code == 401
    # another province, and readers who may not manage hotspots: 404, nothing stored
    for user in (s.far_officer, s.viewer, s.commune_officer):
        assert put_file(client, path, pdf(), bearer(user)).status_code == 404
    assert client.get(path, **bearer(s.far_officer)).status_code == 404
    assert not Designation.objects.get().decision_file
    # no file attached yet: 404 for the download
    assert client.get(path, **bearer(s.officer)).status_code == 404
    assert client.get(base(s) + "/files/removal", **bearer(s.officer)).status_code == 404


# --- removal with its decision ---------------------------------------------------------------


def removal(upload: Any = None, **over: Any) -> dict[str, Any]:
    data = {
        "decision_number": "20/QĐ-BCĐ",
        "decision_date": "2025-12-01",
        "issuing_body": "Ban Chỉ đạo 138 tỉnh",
    }
    data.update(over)
    if upload is not None:
        data["file"] = upload
    return data


def test_removal_with_file_then_409_when_repeated(client, s):
    path = base(s) + "/removal/file"
    resp = client.post(path, removal(pdf()), **bearer(s.officer))
    assert resp.status_code == 200, resp.content
    assert resp.json()["removal_date"] == "2025-12-01"
    served = client.get(base(s) + "/files/removal", **bearer(s.officer))
    assert served.status_code == 200
    resp = client.post(path, removal(pdf()), **bearer(s.officer))
    assert resp.status_code == 409


def test_removal_bad_input_is_refused_and_nothing_saved(client, s):
    path = base(s) + "/removal/file"
    bad = SimpleUploadedFile("qd.pdf", b"MZ\x90\x00 not a pdf")
    resp = client.post(path, removal(bad), **bearer(s.officer))
    assert resp.status_code == 400 and resp.json()["field"] == "file"
    resp = client.post(path, removal(pdf(), decision_date="not a date"), **bearer(s.officer))
    assert resp.status_code == 400 and resp.json()["field"] == "decision_date"
    resp = client.post(path, removal(pdf(), decision_number=""), **bearer(s.officer))
    assert resp.status_code == 400 and resp.json()["field"] == "decision_number"
    # a decision dated before the designation is refused by the service, naming the date
    resp = client.post(path, removal(pdf(), decision_date="01/01/2000"), **bearer(s.officer))
    assert resp.status_code == 400 and resp.json()["field"] == "decision_date"
    resp = client.post(path, removal(None), **bearer(s.officer))
    assert resp.status_code == 400 and resp.json()["field"] == "file"
    d = Designation.objects.get()
    assert d.removal_date is None and not d.removal_file


def test_removal_permissions(client, s):
    path = base(s) + "/removal/file"
    assert client.post(path, removal(pdf())).status_code == 401
    for user in (s.far_officer, s.viewer, s.commune_officer):
        assert client.post(path, removal(pdf()), **bearer(user)).status_code == 404
    assert Designation.objects.get().removal_date is None


# --- task evidence ---------------------------------------------------------------------------


def task_path(s) -> str:
    return f"/api/v1/hotspots/tasks/{s.task.pk}"


def report(upload: Any, **over: Any) -> dict[str, Any]:
    data = {"progress": "100", "status": "done", "completed_on": "2024-06-20", "evidence": "Ảnh"}
    data.update(over)
    if upload is not None:
        data["file"] = upload
    return data


def test_commune_officer_reports_with_evidence_photo(client, s):
    photo = SimpleUploadedFile("anh.jpg", jpeg_with_gps())
    resp = client.post(task_path(s) + "/progress/file", report(photo), **bearer(s.commune_officer))
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "done" and resp.json()["progress"] == 100
    served = client.get(task_path(s) + "/evidence", **bearer(s.viewer))
    assert served.status_code == 200
    assert b"CameraMaker" not in b"".join(served.streaming_content)


def test_task_report_bad_input(client, s):
    path = task_path(s) + "/progress/file"
    resp = client.post(path, report(pdf(), progress="150"), **bearer(s.commune_officer))
    assert resp.status_code == 400 and resp.json()["field"] == "progress"
    assert "0 đến 100" in resp.json()["message"]
    resp = client.post(path, report(pdf(), status="bogus"), **bearer(s.commune_officer))
    assert resp.status_code == 400 and resp.json()["field"] == "status"
    resp = client.post(
        path, report(SimpleUploadedFile("a.pdf", b"junk")), **bearer(s.commune_officer)
    )
    assert resp.status_code == 400 and resp.json()["field"] == "file"
    resp = client.post(path, report(None), **bearer(s.commune_officer))
    assert resp.status_code == 400 and resp.json()["field"] == "file"
    task = PlanTask.objects.get()
    assert task.progress == 0 and not task.evidence_file


def test_task_evidence_permissions(client, s):
    path = task_path(s) + "/progress/file"
    assert client.post(path, report(pdf())).status_code == 401
    assert client.get(task_path(s) + "/evidence").status_code == 401
    for user in (s.far_officer, s.viewer):
        assert client.post(path, report(pdf()), **bearer(user)).status_code == 404
    assert client.get(task_path(s) + "/evidence", **bearer(s.far_officer)).status_code == 404
    assert PlanTask.objects.get().progress == 0


@pytest.mark.parametrize("pk", ["-5", "0", "99999999999999999999"])
def test_ids_no_row_can_have_answer_json_404(client, s, pk):
    for path in (
        f"/api/v1/hotspots/designations/{pk}/files/decision",
        f"/api/v1/hotspots/tasks/{pk}/evidence",
    ):
        resp = client.get(path, **bearer(s.officer))
        assert resp.status_code == 404 and resp.json()["message"], path
