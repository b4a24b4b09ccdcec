"""The split-shares page, its export and import: in scope, out of scope, anonymous."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from binhyen.accounts.tests.factories import login_verified
from binhyen.orgunits.models import Lineage
from binhyen.orgunits.tests.shares_world import shares_world

pytestmark = pytest.mark.django_db

PAGE = "/units/51/shares/"


@pytest.fixture
def world() -> dict[str, Any]:
    return shares_world()


def test_officer_sees_the_splits_and_saves_percentages(client, world):
    # given the province officer signed in
    login_verified(client, world["officer"])
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Xã Phú" in page.content.decode() and "Xã Quý" in page.content.decode()
    # when they save 40 % / 60 % for Xã Phú
    answer = client.post(PAGE, {"split": "L51001", "share-51001": "40", "share-51002": "60"})
    # then they are stored as fractions
    assert answer.status_code == 302
    assert Lineage.objects.get(predecessor=world["p"], successor=world["s1"]).share == Decimal(
        "0.4"
    )


def test_a_bad_sum_is_shown_and_nothing_saved(client, world):
    login_verified(client, world["officer"])
    answer = client.post(PAGE, {"split": "L51001", "share-51001": "40", "share-51002": "50"})
    assert answer.status_code == 400
    assert "90 %" in answer.content.decode()
    assert not Lineage.objects.filter(share__isnull=False).exists()


def test_a_cross_province_split_cannot_be_posted_by_one_province(client, world):
    login_verified(client, world["officer"])
    answer = client.post(PAGE, {"split": "L51002", "share-51002": "50", "share-52001": "50"})
    assert answer.status_code == 404


@pytest.mark.parametrize("url", [PAGE, "/units/51/shares.xlsx", "/units/51/shares/import/"])
def test_out_of_scope_and_anonymous(client, world, url):
    login_verified(client, world["officer_b"])
    assert client.get(url).status_code == 404
    client.logout()
    login_verified(client, world["chief"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_export_and_import_pages(client, world):
    login_verified(client, world["officer"])
    export = client.get("/units/51/shares.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    workbook = Workbook()
    for row in (
        ["Mã đơn vị cũ", "Mã đơn vị kế thừa", "Tỷ lệ (%)"],
        ["L51001", "51001", 30],
        ["L51001", "51002", 70],
    ):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    answer = client.post(
        "/units/51/shares/import/", {"file": SimpleUploadedFile("t.xlsx", buffer.getvalue())}
    )
    assert answer.status_code == 302
    assert Lineage.objects.get(predecessor=world["p"], successor=world["s2"]).share == Decimal(
        "0.7"
    )
