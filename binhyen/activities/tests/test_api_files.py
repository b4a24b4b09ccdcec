"""/api/v1/activities/import/<commune> and the photo endpoints: all rows or none with each
problem, photos cleaned and served only in scope; anonymous, out-of-scope and viewer callers."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from binhyen.accounts.models import ApiToken
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.activities.models import Activity, ActivityPhoto
from binhyen.activities.tests.factories import commune_scene, outreach, record
from binhyen.core.tests.test_uploads import jpeg_with_gps

pytestmark = pytest.mark.django_db

HEADER = ["Ngày", "Loại hoạt động", "Thôn ghi nhận", "Số người tham gia", "Chủ đề", "Tờ rơi"]


def bearer(user: Any) -> dict[str, str]:
    raw = generate_secret()
    ApiToken.objects.create(user=user, name="t", prefix=prefix_of(raw), key_hash=hash_secret(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append(HEADER)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("hoat-dong.xlsx", buffer.getvalue())


@pytest.fixture
def s(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scene = SimpleNamespace(**vars(commune_scene()))
    scene.activity = record(scene.officer, outreach(scene.commune))
    return scene


IMPORT = "/api/v1/activities/import/07840"
GOOD = [[date(2025, 3, 1), "Tuyên truyền", "", 50, "Ma túy", 30]]


# --- import ----------------------------------------------------------------------------------


def test_import_records_every_row(client, s):
    # given a clean file of two activities
    upload = xlsx([*GOOD, ["02/03/2025", "Tuyên truyền", "Thôn 1", 20, "Cháy nổ", None]])
    # when an officer of the commune uploads it
    resp = client.post(IMPORT, {"file": upload}, **bearer(s.officer))
    # then both are recorded and their ids returned
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["created"] == 2
    assert set(Activity.objects.filter(pk__in=body["ids"]).values_list("title", flat=True)) == {
        "Ma túy",
        "Cháy nổ",
    }


def test_import_bad_rows_are_all_listed_and_nothing_saved(client, s):
    # given row 3 with a negative count and row 4 with a bad date and kind
    upload = xlsx(
        [
            *GOOD,
            [date(2025, 3, 2), "Tuyên truyền", "", -5, "Ma túy", None],
            ["hôm qua", "đi chơi", None, None, None, None],
        ]
    )
    # when uploaded
    resp = client.post(IMPORT, {"file": upload}, **bearer(s.officer))
    # then 400 lists each problem with its row and column; only the fixture's activity exists
    assert resp.status_code == 400
    found = {(e["row"], e["field"]) for e in resp.json()["errors"]}
    assert {(3, "Số người tham gia"), (4, "Ngày"), (4, "Loại hoạt động")} <= found
    assert list(Activity.objects.values_list("pk", flat=True)) == [s.activity.pk]


@pytest.mark.parametrize("content", [b"", b"not a spreadsheet"])
def test_import_unreadable_file_is_400_for_the_file(client, s, content):
    upload = SimpleUploadedFile("x.xlsx", content)
    resp = client.post(IMPORT, {"file": upload}, **bearer(s.officer))
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["field"] == "file"
    assert Activity.objects.count() == 1


def test_import_without_file_is_400(client, s):
    resp = client.post(IMPORT, {}, **bearer(s.officer))
    assert resp.status_code == 400 and resp.json()["field"] == "file"


def test_import_permissions(client, s):
    assert client.post(IMPORT, {"file": xlsx(GOOD)}).status_code == 401
    for user in (s.other_officer, s.viewer):
        assert client.post(IMPORT, {"file": xlsx(GOOD)}, **bearer(user)).status_code == 404
    # a village is not an import target
    village = f"/api/v1/activities/import/{s.villages[0].code}"
    assert client.post(village, {"file": xlsx(GOOD)}, **bearer(s.officer)).status_code == 404
    assert Activity.objects.count() == 1


def test_import_template(client, s):
    resp = client.get(IMPORT + "/template", **bearer(s.officer))
    assert resp.status_code == 200
    assert load_workbook(io.BytesIO(resp.content)).sheetnames
    assert client.get(IMPORT + "/template").status_code == 401
    for user in (s.other_officer, s.viewer):
        assert client.get(IMPORT + "/template", **bearer(user)).status_code == 404


# --- photos ----------------------------------------------------------------------------------


def photos_url(s) -> str:
    return f"/api/v1/activities/{s.activity.pk}/photos"


def test_photo_upload_strips_gps_then_list_download_delete(client, s):
    # when an officer uploads a photo carrying GPS
    image = SimpleUploadedFile("p.jpg", jpeg_with_gps())
    resp = client.post(photos_url(s), {"image": image, "caption": "Buổi họp"}, **bearer(s.officer))
    # then it is stored re-encoded, listed, and served without the metadata
    assert resp.status_code == 201, resp.content
    photo_id = resp.json()["id"]
    assert resp.json()["caption"] == "Buổi họp"
    listed = client.get(photos_url(s), **bearer(s.viewer))
    assert [p["id"] for p in listed.json()] == [photo_id]
    served = client.get(f"/api/v1/activities/photos/{photo_id}", **bearer(s.viewer))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"CameraMaker" not in b"".join(served.streaming_content)
    # when deleted by the officer, then it is gone
    resp = client.delete(f"/api/v1/activities/photos/{photo_id}", **bearer(s.officer))
    assert resp.status_code == 204
    assert not ActivityPhoto.objects.exists()


def test_disguised_or_missing_image_is_400_naming_image(client, s):
    fake = SimpleUploadedFile("p.jpg", b"%PDF-1.4 disguised")
    resp = client.post(photos_url(s), {"image": fake}, **bearer(s.officer))
    assert resp.status_code == 400 and resp.json()["field"] == "image"
    resp = client.post(photos_url(s), {"caption": "x"}, **bearer(s.officer))
    assert resp.status_code == 400 and resp.json()["field"] == "image"
    assert not ActivityPhoto.objects.exists()


def test_photo_permissions(client, s):
    photo = ActivityPhoto.objects.create(
        activity=s.activity, image=SimpleUploadedFile("a.jpg", jpeg_with_gps())
    )
    one = f"/api/v1/activities/photos/{photo.pk}"
    # anonymous: 401 everywhere
    assert client.get(photos_url(s)).status_code == 401
    assert client.get(one).status_code == 401
    assert (
        client.post(
            photos_url(s), {"image": SimpleUploadedFile("p.jpg", jpeg_with_gps())}
        ).status_code
        == 401
    )
    # another commune: 404 for reads and writes
    other = bearer(s.other_officer)
    assert client.get(photos_url(s), **other).status_code == 404
    assert client.get(one, **other).status_code == 404
    assert client.delete(one, **other).status_code == 404
    # a viewer reads but may not add or delete
    viewer = bearer(s.viewer)
    assert client.get(one, **viewer).status_code == 200
    image = SimpleUploadedFile("p.jpg", jpeg_with_gps())
    assert client.post(photos_url(s), {"image": image}, **viewer).status_code == 404
    assert client.delete(one, **viewer).status_code == 404
    assert list(ActivityPhoto.objects.values_list("pk", flat=True)) == [photo.pk]


@pytest.mark.parametrize("pk", ["-5", "0", "99999999999999999999"])
def test_ids_no_row_can_have_answer_json_404(client, s, pk):
    for path in (f"/api/v1/activities/{pk}/photos", f"/api/v1/activities/photos/{pk}"):
        resp = client.get(path, **bearer(s.officer))
        assert resp.status_code == 404 and resp.json()["message"], path
