"""/api/v1/orgunits/<commune>/import: all rows or none, every problem with its row and column;
the template; in-scope, out-of-scope, anonymous and viewer callers."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from binhyen.accounts.models import ApiToken, Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.core.models import AuditEvent
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

pytestmark = pytest.mark.django_db


def bearer(user: Any) -> dict[str, str]:
    raw = generate_secret()
    ApiToken.objects.create(user=user, name="t", prefix=prefix_of(raw), key_hash=hash_secret(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def xlsx(rows: list[list[Any]], name: str = "ds.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def tree() -> dict[str, Any]:
    province = ProvinceFactory(code="24")
    commune = CommuneFactory(code="07840", name="Xã Lương Phong", parent=province)
    other = CommuneFactory(code="07900", parent=province)
    VillageFactory(parent=commune, name="Thôn Đông")
    return {
        "commune": commune,
        "officer": user_with_role(Role.COMMUNE_OFFICER, commune),
        "neighbour": user_with_role(Role.COMMUNE_OFFICER, other),
        "stranger": user_with_role(Role.PROVINCE_OFFICER, ProvinceFactory(code="25")),
        "viewer": user_with_role(Role.VIEWER, commune),
    }


URL = "/api/v1/orgunits/07840/import"


def children(tree) -> set[str]:
    return set(OrgUnit.objects.filter(parent=tree["commune"]).values_list("name", flat=True))


def test_good_file_creates_every_row(client, tree):
    # given a commune officer and a clean file of two villages
    upload = xlsx([["Tên", "Loại", "Dân số"], ["Thôn A", "Thôn", 120], ["Thôn B", "Bản", None]])
    # when uploaded
    resp = client.post(URL, {"file": upload}, **bearer(tree["officer"]))
    # then both are created under the commune and listed in the answer
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["created"] == 2
    assert {u["name"] for u in body["units"]} == {"Thôn A", "Thôn B"}
    assert children(tree) == {"Thôn Đông", "Thôn A", "Thôn B"}
    assert AuditEvent.objects.filter(action="orgunit.import").count() == 1


def test_bad_rows_are_all_listed_and_nothing_saved(client, tree):
    # given rows 2, 3 and 4 wrong (bad number, no name, a name the commune already has)
    upload = xlsx([["Tên", "Dân số"], ["Thôn A", "x"], ["", "1"], ["Thôn Đông", "2"]])
    # when uploaded
    resp = client.post(URL, {"file": upload}, **bearer(tree["officer"]))
    # then 400 lists each row with its column, and nothing is created
    assert resp.status_code == 400
    body = resp.json()
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (2, "Dân số"),
        (3, "Tên"),
        (4, "Tên"),
    ]
    assert body["message"] == body["errors"][0]["message"]
    assert children(tree) == {"Thôn Đông"}
    assert not AuditEvent.objects.filter(action="orgunit.import").exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("ds.xlsx", b""),
        SimpleUploadedFile("ds.xlsx", b"not a spreadsheet"),
        SimpleUploadedFile("ds.exe", b"MZ\x90\x00"),
    ],
)
def test_unreadable_or_empty_file_is_400_for_the_whole_file(client, tree, upload):
    resp = client.post(URL, {"file": upload}, **bearer(tree["officer"]))
    assert resp.status_code == 400
    error = resp.json()["errors"][0]
    assert error["row"] is None and error["field"] == "file" and error["message"]
    assert children(tree) == {"Thôn Đông"}


def test_missing_file_is_refused(client, tree):
    resp = client.post(URL, {}, **bearer(tree["officer"]))
    assert resp.status_code == 400
    assert resp.json()["errors"] == [
        {"row": None, "field": "file", "message": "Hãy chọn một tệp để nhập."}
    ]


def test_import_permissions(client, tree):
    good = [["Tên"], ["Thôn A"]]
    # anonymous: 401
    assert client.post(URL, {"file": xlsx(good)}).status_code == 401
    # another commune, another province and a viewer of the commune: 404, nothing saved
    for who in ("neighbour", "stranger", "viewer"):
        resp = client.post(URL, {"file": xlsx(good)}, **bearer(tree[who]))
        assert resp.status_code == 404, who
    # a village or a missing unit is not an import target: 404
    village = OrgUnit.objects.get(name="Thôn Đông")
    resp = client.post(
        f"/api/v1/orgunits/{village.code}/import", {"file": xlsx(good)}, **bearer(tree["officer"])
    )
    assert resp.status_code == 404
    resp = client.post(
        "/api/v1/orgunits/99999/import", {"file": xlsx(good)}, **bearer(tree["officer"])
    )
    assert resp.status_code == 404
    assert children(tree) == {"Thôn Đông"}


def test_template_download(client, tree):
    resp = client.get(URL + "/template", **bearer(tree["officer"]))
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(resp.content)).sheetnames == ["Danh sách", "Hướng dẫn"]
    assert client.get(URL + "/template").status_code == 401
    for who in ("neighbour", "stranger", "viewer"):
        assert client.get(URL + "/template", **bearer(tree[who])).status_code == 404, who
