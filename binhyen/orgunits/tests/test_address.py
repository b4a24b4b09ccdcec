"""Resolving free-text addresses, old and new, on the real imported map.

The map is imported once for the whole module, inside a transaction rolled back at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from django.db import transaction

from binhyen.orgunits.address import (
    CURRENT,
    LEGACY,
    AddressMatch,
    resolve_address,
    resolve_address_to_current,
)
from binhyen.orgunits.importer import orgunits_import_map
from binhyen.orgunits.models import Lineage

pytestmark = [pytest.mark.fullmap, pytest.mark.django_db]


@pytest.fixture(scope="module", autouse=True)
def imported(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Import the whole map once; roll it back when the module is done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            orgunits_import_map()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def resolved(text: str, **kwargs: Any) -> AddressMatch:
    match = resolve_address(text, **kwargs)
    assert match is not None, text
    return match


def current_code(text: str) -> str | None:
    unit = resolve_address_to_current(text)
    return unit.code if unit is not None else None


def codes(match: AddressMatch) -> list[str]:
    return [unit.code for unit in match.successors]


def test_an_old_address_resolves_to_the_old_commune_and_its_successor() -> None:
    # Given an address written before the reform (the 2025 reading alone would say
    # "Phường Bắc Giang, Tỉnh Bắc Ninh")
    match = resolved("Xã Lương Phong, Huyện Hiệp Hòa, Tỉnh Bắc Giang")
    # Then it is the old commune, closed on 2025-06-30, now part of Xã Hiệp Hòa, Bắc Ninh
    assert (match.unit.code, match.era) == ("L07846", LEGACY)
    assert match.unit.valid_to == date(2025, 6, 30)
    assert codes(match) == ["07840"]
    assert match.successors[0].name == "Xã Hiệp Hòa"
    assert match.province is not None and match.province.name == "Tỉnh Bắc Ninh"
    assert match.current == match.successors[0]
    assert match.confidence == 1.0


def test_an_old_ward_with_its_city_resolves_to_the_old_ward() -> None:
    match = resolved("phường Hà Huy Tập, Vinh, Nghệ An")
    assert (match.unit.code, match.unit.name, match.era) == ("L16666", "Phường Hà Huy Tập", LEGACY)
    expected = Lineage.objects.filter(predecessor=match.unit).order_by("-is_default")
    assert codes(match) == [link.successor.code for link in expected]
    assert all(unit.is_current for unit in match.successors)
    assert match.province is not None and match.province.code == "40"


def test_a_2025_ward_resolves_to_the_current_unit() -> None:
    # The pre-2025 reading finds only the province here
    match = resolved("Phường Hồng Hà, Hà Nội")
    assert (match.unit.code, match.era) == ("00097", CURRENT)
    assert codes(match) == ["00097"]
    assert match.province is not None and match.province.code == "01"


def test_an_address_without_diacritics_resolves() -> None:
    match = resolved("luong phong hiep hoa bac giang")
    assert match.unit.code == "L07846"
    assert codes(match) == ["07840"]
    assert 0 < match.confidence < 1


def test_abbreviated_types_resolve() -> None:
    match = resolved("P.1, Q.3, TP.HCM")
    assert match.unit.parent is not None
    assert (match.unit.name, match.unit.parent.name, match.era) == ("Phường 1", "Quận 3", LEGACY)
    assert match.province is not None and match.province.code == "79"


def test_a_split_commune_lists_every_successor_default_first() -> None:
    # Given Xã Tân Thạnh (Huyện Thới Lai, Cần Thơ), split between two 2025 communes
    match = resolved("Xã Tân Thạnh, Huyện Thới Lai, Cần Thơ")
    assert match.unit.code == "L31268"
    # Then both successors come back, the default one first
    assert len(match.successors) == 2
    default = Lineage.objects.get(predecessor=match.unit, is_default=True).successor
    assert match.successors[0] == default
    assert resolve_address_to_current("Xã Tân Thạnh, Huyện Thới Lai, Cần Thơ") == default


def test_an_island_district_resolves_to_its_special_zone() -> None:
    match = resolved("Huyện Côn Đảo, Bà Rịa - Vũng Tàu")
    assert (match.unit.code, match.era) == ("L755", LEGACY)
    assert codes(match) == ["26732"]
    assert match.province is not None and match.province.code == "79"


def test_an_old_district_lies_in_the_successor_of_its_province() -> None:
    match = resolved("Vinh, Nghệ An")
    assert match.unit.code == "L412"
    assert codes(match) == ["40"]


def test_a_2025_commune_written_with_its_old_province_resolves() -> None:
    match = resolved("Xã Hiệp Hòa, Bắc Giang")
    assert (match.unit.code, match.era) == ("07840", CURRENT)
    assert "province:old_name" in match.notes


def test_an_old_province_alone_resolves_to_itself_then_its_successor() -> None:
    match = resolved("Bắc Giang")
    assert (match.unit.code, match.era) == ("L24", LEGACY)
    assert codes(match) == ["24"]
    assert current_code("Tỉnh Bắc Giang") == "24"


def test_the_date_breaks_a_tie_between_eras() -> None:
    assert resolved("Hà Nội").unit.code == "01"
    assert resolved("Hà Nội", on=date(2024, 5, 1)).unit.code == "L01"
    assert resolved("Hà Nội", on=datetime(2025, 7, 1, 8, 0)).unit.code == "01"


def test_resolve_to_current_gives_the_default_successor() -> None:
    assert current_code("Xã Lương Phong, Huyện Hiệp Hòa, Tỉnh Bắc Giang") == "07840"
    assert current_code("Phường Hồng Hà, Hà Nội") == "00097"
    assert current_code("zzzz qqqq") is None


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\t", "asdkjh qwe zzz", "john smith", "123 !!! ,,,", "Xin chào các bạn"],
)
def test_text_naming_no_unit_resolves_to_none(text: str) -> None:
    assert resolve_address(text) is None


def test_none_resolves_to_none() -> None:
    assert resolve_address(None) is None
    assert resolve_address_to_current(None) is None


def test_very_long_text_is_handled() -> None:
    text = "Phường Hồng Hà, Hà Nội " + "x" * 10_000
    assert resolved(text).unit.code == "00097"


def test_a_parser_failure_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    import vietnamadminunits

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("parser failed")

    monkeypatch.setattr(vietnamadminunits, "parse_address", broken)
    assert resolve_address("Phường Hồng Hà, Hà Nội") is None
