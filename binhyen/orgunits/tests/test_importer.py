"""The national map import, checked on the real package data.

The map is imported once for the whole module, inside a transaction that is rolled back
when the module ends; each test runs in its own savepoint on top of it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q

from binhyen.core.models import AuditEvent
from binhyen.orgunits.importer import (
    ImportReport,
    MapSourceError,
    UnitSpec,
    build_map_source,
    crosscheck_current_units,
    orgunits_import_map,
)
from binhyen.orgunits.models import Lineage, LineageKind, OrgUnit, Subkind, UnitKind
from binhyen.orgunits.tests.factories import VillageFactory

pytestmark = [pytest.mark.fullmap, pytest.mark.django_db]

REFORM = date(2025, 7, 1)
CLOSED = date(2025, 6, 30)
ISLAND_DISTRICTS = {
    "L318": "11948",  # Bạch Long Vĩ (Hải Phòng)
    "L471": "19742",  # Cồn Cỏ (Quảng Trị)
    "L498": "20333",  # Hoàng Sa (Đà Nẵng)
    "L536": "21548",  # Lý Sơn (Quảng Ngãi)
    "L755": "26732",  # Côn Đảo (Bà Rịa - Vũng Tàu → Hồ Chí Minh)
}


@pytest.fixture(scope="module")
def imported(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[ImportReport, str]]:
    """Import the whole map once; roll it back when the module is done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            report = orgunits_import_map(stdout=out)
            yield report, out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def report(imported: tuple[ImportReport, str]) -> ImportReport:
    return imported[0]


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.select_related("parent").get(code=code)


def parent(child: OrgUnit) -> OrgUnit:
    assert child.parent is not None
    return child.parent


def successors(code: str) -> list[tuple[str, str, bool]]:
    links = Lineage.objects.filter(predecessor__code=code).order_by(
        "-is_default", "successor__code"
    )
    return [(link.successor.code, link.kind, link.is_default) for link in links]


def test_report_counts_every_level_of_both_eras(report: ImportReport) -> None:
    # Given the first import of the real data (module fixture)
    # Then the report counts the 2025 and the pre-2025 map and the lineage
    assert report.current_provinces == 34
    assert report.current_communes == 3321
    assert report.current_communes_by_subkind == {"dac_khu": 13, "phuong": 687, "xa": 2621}
    assert report.legacy_provinces == 63
    assert report.legacy_districts == 696
    assert report.legacy_communes == 10035
    assert report.lineage_split == 1033
    assert report.lineage_merge == 63 + 9569
    assert report.units_created == 1 + 34 + 3321 + 63 + 696 + 10035
    assert report.lineage_created == report.lineage_merge + report.lineage_split
    assert report.changed


def test_database_holds_the_counted_units(report: ImportReport) -> None:
    # When the database is counted directly
    current = OrgUnit.objects.current()
    legacy = OrgUnit.objects.filter(valid_to=CLOSED)
    # Then it matches the report
    assert current.filter(kind=UnitKind.PROVINCE).count() == 34
    communes = dict(
        current.filter(kind=UnitKind.COMMUNE).values_list("subkind").annotate(n=Count("id"))
    )
    assert communes == {Subkind.XA: 2621, Subkind.PHUONG: 687, Subkind.DAC_KHU: 13}
    assert legacy.filter(kind=UnitKind.PROVINCE).count() == 63
    assert legacy.filter(kind=UnitKind.DISTRICT).count() == 696
    assert legacy.filter(kind=UnitKind.COMMUNE).count() == 10035
    assert Lineage.objects.filter(kind=LineageKind.MERGE).count() == report.lineage_merge
    assert Lineage.objects.filter(kind=LineageKind.SPLIT).count() == report.lineage_split


def test_root_is_the_country(report: ImportReport) -> None:
    root = unit("VN")
    assert (root.name, root.kind, root.subkind) == ("Việt Nam", UnitKind.COUNTRY, Subkind.COUNTRY)
    assert (root.parent, root.path, root.level) == (None, "/VN/", 0)
    assert root.valid_from is None and root.valid_to is None
    assert OrgUnit.objects.filter(parent__isnull=True).count() == 1


def test_current_units_carry_official_codes_and_open_on_the_reform_date(
    report: ImportReport,
) -> None:
    # Given Xã Hiệp Hòa, a 2025 commune of Tỉnh Bắc Ninh
    commune = unit("07840")
    # Then it carries its official code, names, place in the tree and geography
    assert commune.name == "Xã Hiệp Hòa"
    assert commune.short_name == "Hiệp Hòa"
    assert commune.name_folded == "xa hiep hoa"
    assert (commune.official_code, commune.kind, commune.subkind) == ("07840", "commune", "xa")
    assert (parent(commune).code, parent(commune).name) == ("24", "Tỉnh Bắc Ninh")
    assert (commune.path, commune.level) == ("/VN/24/07840/", 2)
    assert (commune.valid_from, commune.valid_to) == (REFORM, None)
    assert commune.latitude and commune.longitude and commune.area_km2
    assert unit("01").subkind == Subkind.THANH_PHO_TW
    assert unit("24").subkind == Subkind.TINH
    assert unit("26732").subkind == Subkind.DAC_KHU
    # And no current unit opens on another day
    current = OrgUnit.objects.current().exclude(code="VN")
    assert current.exclude(valid_from=REFORM).count() == 0


def test_legacy_units_are_prefixed_and_closed_the_day_before(report: ImportReport) -> None:
    # Given Xã Lương Phong of Huyện Hiệp Hòa, Tỉnh Bắc Giang (before 2025)
    commune = unit("L07846")
    # Then it hangs under its old district and province, closed on 2025-06-30
    assert (commune.name, commune.official_code, commune.subkind) == (
        "Xã Lương Phong",
        "07846",
        "xa",
    )
    assert commune.short_name == "Lương Phong"
    assert (commune.path, commune.level) == ("/VN/L24/L223/L07846/", 3)
    assert (commune.valid_from, commune.valid_to) == (None, CLOSED)
    district = parent(commune)
    assert (district.code, district.name, district.kind, district.subkind) == (
        "L223",
        "Huyện Hiệp Hòa",
        UnitKind.DISTRICT,
        Subkind.HUYEN,
    )
    assert (parent(district).code, parent(district).name) == ("L24", "Tỉnh Bắc Giang")
    # And every legacy unit is closed on the same day and never opened after the reform
    legacy = OrgUnit.objects.filter(code__startswith="L")
    assert legacy.count() == 63 + 696 + 10035
    assert legacy.exclude(valid_to=CLOSED).count() == 0
    assert legacy.filter(valid_from__isnull=False).count() == 0
    subkinds = set(legacy.filter(kind=UnitKind.DISTRICT).values_list("subkind", flat=True))
    assert subkinds == {Subkind.QUAN, Subkind.HUYEN, Subkind.THI_XA, Subkind.THANH_PHO_THUOC_TINH}
    assert legacy.filter(kind=UnitKind.COMMUNE, subkind=Subkind.THI_TRAN).exists()
    # And names spelled "Thị Trấn ..." in the source get the canonical prefix
    names = legacy.filter(name__istartswith="thị trấn ").values_list("name", flat=True)
    assert names and all(name.startswith("Thị trấn ") for name in names)


def test_several_old_communes_merge_into_xa_hiep_hoa(report: ImportReport) -> None:
    # When the predecessors of Xã Hiệp Hòa (2025) are listed
    links = Lineage.objects.filter(successor__code="07840").select_related("predecessor")
    predecessors = {link.predecessor.code for link in links}
    # Then Lương Phong is one of several merged old communes, each a default merge edge
    assert "L07846" in predecessors
    assert len(predecessors) > 1
    assert {(link.kind, link.is_default, link.effective_date) for link in links} == {
        (LineageKind.MERGE, True, REFORM)
    }
    assert successors("L07846") == [("07840", LineageKind.MERGE, True)]


def test_a_split_commune_has_exactly_one_default_successor(report: ImportReport) -> None:
    # Given Xã Tân Thạnh (Huyện Thới Lai, Cần Thơ), split between two 2025 communes
    edges = successors("L31268")
    # Then it has two split edges, exactly one of them the default
    assert len(edges) == 2
    assert {kind for _code, kind, _default in edges} == {LineageKind.SPLIT}
    assert [default for _code, _kind, default in edges] == [True, False]
    # And that holds for every split predecessor (471 in the catalogue)
    per_predecessor = (
        Lineage.objects.filter(kind=LineageKind.SPLIT)
        .values("predecessor")
        .annotate(defaults=Count("id", filter=Q(is_default=True)), edges=Count("id"))
    )
    assert per_predecessor.count() == 471
    assert all(row["defaults"] == 1 and row["edges"] >= 2 for row in per_predecessor)


def test_every_old_unit_has_a_successor(report: ImportReport) -> None:
    without = OrgUnit.objects.filter(valid_to=CLOSED, successor_links__isnull=True)
    # Only districts that had communes lack their own edge (their communes carry it)
    assert not without.filter(kind__in=[UnitKind.PROVINCE, UnitKind.COMMUNE]).exists()
    assert without.filter(kind=UnitKind.DISTRICT).count() == 696 - len(ISLAND_DISTRICTS)


def test_island_districts_without_communes_become_special_zones(report: ImportReport) -> None:
    for district, zone in ISLAND_DISTRICTS.items():
        assert successors(district) == [(zone, LineageKind.MERGE, True)]
        assert unit(zone).subkind == Subkind.DAC_KHU
        assert not OrgUnit.objects.filter(parent__code=district).exists()
    # Côn Đảo moved province: from Bà Rịa - Vũng Tàu to Hồ Chí Minh
    assert parent(unit("L755")).code == "L77"
    assert parent(unit("26732")).code == "79"


def test_old_provinces_merge_into_new_ones(report: ImportReport) -> None:
    assert successors("L24") == [("24", LineageKind.MERGE, True)]
    assert unit("L24").name == "Tỉnh Bắc Giang"
    assert unit("24").name == "Tỉnh Bắc Ninh"
    assert {link.predecessor.code for link in unit("24").predecessor_links.all()} == {"L24", "L27"}
    # Every old province has exactly one successor, every new one at least one predecessor
    per_old = Lineage.objects.filter(predecessor__kind=UnitKind.PROVINCE).values("predecessor")
    assert per_old.annotate(n=Count("id")).filter(n=1).count() == 63
    assert (
        OrgUnit.objects.current()
        .filter(kind=UnitKind.PROVINCE, predecessor_links__isnull=True)
        .count()
        == 0
    )


def test_one_audit_event_summarises_the_import(report: ImportReport) -> None:
    events = AuditEvent.objects.filter(action="orgunit.map_import")
    assert events.count() == 1
    event = events.get()
    assert event.actor is None and event.actor_label == "system"
    assert event.object_id == str(unit("VN").pk)
    assert event.changes["after"]["units_created"] == report.units_created
    assert event.changes["after"]["lineage_split"] == 1033


def test_progress_is_reported_per_stage(imported: tuple[ImportReport, str]) -> None:
    _report, output = imported
    assert "vietnamadminunits" in output
    assert "vietnam-provinces" in output
    assert "Cấp xã/phường/thị trấn cũ: 10035 đơn vị, thêm 10035, cập nhật 0." in output
    assert "Sáp nhập/chia tách: 10665 quan hệ, thêm 10665" in output


def test_a_second_run_changes_nothing(report: ImportReport) -> None:
    # When the import runs again on the imported map
    again = orgunits_import_map()
    # Then it writes no unit, no edge and no audit event
    assert not again.changed
    assert (again.units_created, again.units_updated, again.descendants_moved) == (0, 0, 0)
    assert (again.lineage_created, again.lineage_updated) == (0, 0)
    assert again.units_unchanged == report.units_created
    assert again.lineage_unchanged == report.lineage_created
    assert AuditEvent.objects.filter(action="orgunit.map_import").count() == 1


def test_a_rerun_restores_changed_names_coordinates_and_edges(report: ImportReport) -> None:
    # Given a commune renamed and moved on the map, and a split edge whose default changed
    OrgUnit.objects.filter(code="07840").update(name="Xã Sai Tên", latitude=1.0, longitude=2.0)
    Lineage.objects.filter(predecessor__code="L31268").update(is_default=False)
    # When the import runs again
    again = orgunits_import_map()
    # Then exactly those rows are put back and the run is audited
    assert (again.units_updated, again.lineage_updated) == (1, 1)
    commune = unit("07840")
    assert (commune.name, commune.name_folded) == ("Xã Hiệp Hòa", "xa hiep hoa")
    assert commune.latitude != 1.0 and commune.longitude != 2.0
    assert [default for _c, _k, default in successors("L31268")] == [True, False]
    assert AuditEvent.objects.filter(action="orgunit.map_import").count() == 2


def test_a_rerun_moves_user_units_under_a_moved_commune(report: ImportReport) -> None:
    # Given a village under Xã Hiệp Hòa, and the commune found under the wrong province
    commune = unit("07840")
    village = cast(OrgUnit, VillageFactory(parent=commune, code="07840-T001", name="Thôn Đông"))
    wrong = unit("01")
    OrgUnit.objects.filter(pk=commune.pk).update(parent=wrong, path="/VN/01/07840/")
    OrgUnit.objects.filter(pk=village.pk).update(path="/VN/01/07840/07840-T001/")
    # When the import runs again
    again = orgunits_import_map()
    # Then the commune is back under Bắc Ninh and the village path follows it
    assert (again.units_updated, again.descendants_moved) == (1, 1)
    assert unit("07840").path == "/VN/24/07840/"
    village.refresh_from_db()
    assert (village.path, village.level) == ("/VN/24/07840/07840-T001/", 3)


def test_cross_check_warnings_do_not_stop_the_import(report: ImportReport) -> None:
    # vietnam-provinces follows the draft catalogue: some codes differ, reported only
    assert any(w.startswith("vietnam-provinces") for w in report.warnings)
    assert OrgUnit.objects.filter(code="00199", name="Phường Láng").exists()


def test_command_says_when_nothing_changed(report: ImportReport) -> None:
    out = io.StringIO()
    call_command("orgunits_import", stdout=out)
    text = out.getvalue()
    assert "Không có gì thay đổi" in text
    assert "34 tỉnh/thành phố, 3321 xã/phường/đặc khu" in text
    assert "63 tỉnh/thành phố, 696 quận/huyện, 10035 xã/phường/thị trấn" in text
    assert "9632 sáp nhập, 1033 chia tách" in text
    assert "giây" in text


def test_command_is_silent_at_verbosity_zero(report: ImportReport) -> None:
    out = io.StringIO()
    call_command("orgunits_import", stdout=out, verbosity=0)
    assert out.getvalue() == ""


# --- Without the database -----------------------------------------------------------------


def _spec(code: str, name: str, subkind: str, parent: str | None = "01") -> UnitSpec:
    return UnitSpec(
        code=code,
        official_code=code,
        name=name,
        short_name=name.split(" ", 1)[1],
        kind=UnitKind.COMMUNE,
        subkind=subkind,
        parent_code=parent,
        valid_from=REFORM,
        valid_to=None,
    )


def test_cross_check_reports_a_subkind_disagreement() -> None:
    warnings = crosscheck_current_units([_spec("00097", "Phường Hồng Hà", Subkind.XA)])
    assert any("00097" in w and "phường" in w for w in warnings)


def test_cross_check_reports_a_code_unknown_there() -> None:
    warnings = crosscheck_current_units([_spec("99999", "Xã Không Có", Subkind.XA)])
    assert any("99999" in w for w in warnings)


CURRENT_ROW = {
    "province": "Tỉnh Thử",
    "provinceShort": "Thử",
    "provinceCode": "90",
    "provinceLat": None,
    "provinceLon": None,
    "provinceKey": "tinhthu",
    "ward": "Xã Mới",
    "wardShort": "Mới",
    "wardType": "Xã",
    "wardCode": "90001",
    "wardLat": None,
    "wardLon": None,
    "wardAreaKm2": 10.0,
    "wardKey": "xamoi",
}
LEGACY_ROW = {
    "province": "Tỉnh Cũ",
    "provinceShort": "Cũ",
    "provinceCode": "91",
    "provinceLat": None,
    "provinceLon": None,
    "provinceKey": "tinhcu",
    "district": "Huyện Cũ",
    "districtShort": "Cũ",
    "districtType": "Huyện",
    "districtCode": "910",
    "districtLat": None,
    "districtLon": None,
    "districtKey": "huyencu",
    "ward": "Xã Cũ",
    "wardShort": "Cũ",
    "wardType": "Xã",
    "wardCode": "91001",
    "wardLat": None,
    "wardLon": None,
    "wardKey": "xacu",
}


def test_a_split_without_a_single_default_is_refused() -> None:
    converter = {
        "DICT_PROVINCE": {"tinhthu": ["tinhcu"]},
        "DICT_PROVINCE_WARD_NO_DIVIDED": {},
        "DICT_PROVINCE_WARD_DIVIDED": {
            "tinhthu": {
                "tinhcu_huyencu_xacu": [
                    {"newWardKey": "xamoi", "isDefaultNewWard": False},
                ]
            }
        },
    }
    with pytest.raises(MapSourceError):
        build_map_source([CURRENT_ROW], [LEGACY_ROW], converter)


def test_an_unknown_key_in_the_converter_is_refused() -> None:
    converter = {
        "DICT_PROVINCE": {"tinhthu": ["tinhcu"]},
        "DICT_PROVINCE_WARD_NO_DIVIDED": {"tinhthu": {"xamoi": ["tinhcu_huyencu_xakhac"]}},
        "DICT_PROVINCE_WARD_DIVIDED": {},
    }
    with pytest.raises(MapSourceError):
        build_map_source([CURRENT_ROW], [LEGACY_ROW], converter)


def test_a_small_consistent_source_builds_units_and_edges() -> None:
    converter = {
        "DICT_PROVINCE": {"tinhthu": ["tinhcu"]},
        "DICT_PROVINCE_WARD_NO_DIVIDED": {"tinhthu": {"xamoi": ["tinhcu_huyencu_xacu"]}},
        "DICT_PROVINCE_WARD_DIVIDED": {},
    }
    source = build_map_source([CURRENT_ROW], [LEGACY_ROW], converter)
    codes = [u.code for u in source.units]
    assert codes == ["VN", "90", "90001", "L91", "L910", "L91001"]
    assert {(e.predecessor, e.successor, e.kind) for e in source.edges} == {
        ("L91", "90", LineageKind.MERGE),
        ("L91001", "90001", LineageKind.MERGE),
    }
    province = source.units[1]
    assert (province.area_km2, province.subkind) == (10.0, Subkind.TINH)
