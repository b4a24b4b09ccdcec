"""Split shares: validation (sum 1 or all empty), who may set them, audit, structure version,
and the Excel round trip (all or nothing, every problem named)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from binhyen.core.models import AuditEvent
from binhyen.orgunits import excel_shares, services_shares
from binhyen.orgunits.models import Lineage
from binhyen.orgunits.structure import current_version
from binhyen.orgunits.tests.shares_world import shares_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    return shares_world()


def shares_of(pred: Any) -> dict[str, Decimal | None]:
    return dict(Lineage.objects.filter(predecessor=pred).values_list("successor__code", "share"))


def test_valid_shares_are_saved_audited_and_move_the_structure_version(world):
    # given the province officer and a split without shares
    before = current_version()
    # when they set 40 % / 60 %
    services_shares.lineage_shares_set(
        actor=world["officer"],
        predecessor=world["p"],
        shares={"51001": Decimal("0.4"), "51002": Decimal("0.6")},
    )
    # then both are stored, one audit event, and the map's structure moved on
    assert shares_of(world["p"]) == {"51001": Decimal("0.4000"), "51002": Decimal("0.6000")}
    event = AuditEvent.objects.get(action="lineage.shares")
    assert event.changes["after"] == {"51001": "0.4000", "51002": "0.6000"}
    assert current_version() > before


def test_shares_that_do_not_sum_to_one_are_refused_with_nothing_saved(world):
    # when the shares sum to 90 %
    with pytest.raises(ValidationError) as caught:
        services_shares.lineage_shares_set(
            actor=world["officer"],
            predecessor=world["p"],
            shares={"51001": Decimal("0.4"), "51002": Decimal("0.5")},
        )
    # then the message names the unit and the total, and nothing is stored
    assert "Xã Phú" in caught.value.message_dict["shares"][0]
    assert "90 %" in caught.value.message_dict["shares"][0]
    assert shares_of(world["p"]) == {"51001": None, "51002": None}
    assert not AuditEvent.objects.filter(action="lineage.shares").exists()


@pytest.mark.parametrize(
    ("shares", "key"),
    [
        ({"51001": Decimal("0"), "51002": Decimal("1")}, "51001"),
        ({"51001": Decimal("1.2"), "51002": Decimal("-0.2")}, "51001"),
        ({"51001": Decimal("1"), "51002": None}, "shares"),
        ({"51001": Decimal("0.5"), "99999": Decimal("0.5")}, "99999"),
    ],
)
def test_bad_shares_name_the_successor_or_the_split(world, shares, key):
    with pytest.raises(ValidationError) as caught:
        services_shares.lineage_shares_set(
            actor=world["officer"], predecessor=world["p"], shares=shares
        )
    assert key in caught.value.message_dict
    assert shares_of(world["p"]) == {"51001": None, "51002": None}


def test_all_empty_clears_the_shares_and_a_tiny_rounding_is_accepted(world):
    # given shares of a third each (rounded: 0.3333 + 0.6667 = 1)
    services_shares.lineage_shares_set(
        actor=world["officer"],
        predecessor=world["p"],
        shares={"51001": Decimal("0.33333"), "51002": Decimal("0.66667")},
    )
    assert shares_of(world["p"])["51001"] == Decimal("0.3333")
    # when all are emptied, then the split goes whole to the default successor again
    services_shares.lineage_shares_set(
        actor=world["officer"], predecessor=world["p"], shares={"51001": None, "51002": None}
    )
    assert shares_of(world["p"]) == {"51001": None, "51002": None}


def test_who_may_set_shares(world):
    shares = {"51001": Decimal("0.5"), "51002": Decimal("0.5")}
    # a commune chief of a successor holds CHANGE_UNITS on the commune only: refused
    with pytest.raises(PermissionDenied):
        services_shares.lineage_shares_set(
            actor=world["chief"], predecessor=world["p"], shares=shares
        )
    # the officer of another province: refused
    with pytest.raises(PermissionDenied):
        services_shares.lineage_shares_set(
            actor=world["officer_b"], predecessor=world["p"], shares=shares
        )
    assert shares_of(world["p"]) == {"51001": None, "51002": None}


def test_a_split_across_two_provinces_needs_both(world):
    # given Q split into S2 (province A) and T (province B)
    shares = {"51002": Decimal("0.7"), "52001": Decimal("0.3")}
    # then neither province's officer may edit it alone (each may read it)
    for officer in (world["officer"], world["officer_b"]):
        assert not services_shares.split_get(user=officer, code="L51002").editable
        with pytest.raises(PermissionDenied):
            services_shares.lineage_shares_set(actor=officer, predecessor=world["q"], shares=shares)
    # and a superuser may
    admin = get_user_model().objects.create_superuser("root", "r@example.org", "x")
    services_shares.lineage_shares_set(actor=admin, predecessor=world["q"], shares=shares)
    assert shares_of(world["q"])["52001"] == Decimal("0.3000")


def test_province_splits_lists_the_splits_reaching_the_province(world):
    splits = services_shares.province_splits(user=world["officer"], province=world["a"])
    assert [s.predecessor.code for s in splits] == ["L51001", "L51002"]
    assert [e.successor.code for e in splits[0].edges] == ["51001", "51002"]  # default first
    assert [s.editable for s in splits] == [True, False]
    with pytest.raises(PermissionDenied):
        services_shares.province_splits(user=world["chief"], province=world["a"])


def upload(rows: list[list[Any]]) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("ty-le.xlsx", buffer.getvalue())


def test_excel_round_trip(world):
    # given the exported workbook of province A
    splits = services_shares.province_splits(user=world["officer"], province=world["a"])
    sheet = load_workbook(io.BytesIO(excel_shares.export_workbook(splits))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Mã đơn vị cũ" and len(rows) == 5
    # when the officer fills P's shares and uploads the rows of P
    header, p1, p2 = rows[0], rows[1], rows[2]
    p1[5], p2[5] = 25, "75"
    result = excel_shares.import_shares(
        actor=world["officer"], province=world["a"], upload=upload([header, p1, p2])
    )
    # then they are saved
    assert result.ok, result.problems
    assert shares_of(world["p"]) == {"51001": Decimal("0.2500"), "51002": Decimal("0.7500")}


def test_excel_import_is_all_or_nothing_and_names_every_row(world):
    header = ["Mã đơn vị cũ", "Mã đơn vị kế thừa", "Tỷ lệ (%)"]
    result = excel_shares.import_shares(
        actor=world["officer"],
        province=world["a"],
        upload=upload(
            [
                header,
                ["L51001", "51001", 40],
                ["L51001", "51002", 50],  # sums to 90 %
                ["L51002", "51002", 100],  # crosses into province B
                ["L99999", "51001", 10],  # not a split of the province
                ["L51001", "51001", "abc"],  # not a number
            ]
        ),
    )
    assert not result.ok
    found = {(p.row, p.column) for p in result.problems}
    assert (6, "Tỷ lệ (%)") in found
    result = excel_shares.import_shares(
        actor=world["officer"],
        province=world["a"],
        upload=upload(
            [
                header,
                ["L51001", "51001", 40],
                ["L51001", "51002", 50],
                ["L51002", "51002", 100],
                ["L99999", "51001", 10],
            ]
        ),
    )
    messages = {(p.row, p.column): p.message for p in result.problems}
    assert "90 %" in messages[(2, "Tỷ lệ (%)")]
    assert "tỉnh khác" in messages[(4, "Mã đơn vị cũ")]
    assert "L99999" in messages[(5, "Mã đơn vị cũ")]
    assert shares_of(world["p"]) == {"51001": None, "51002": None}
