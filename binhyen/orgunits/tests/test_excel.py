"""Excel/CSV import of villages and establishments: all rows or none, every error with its row."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.core.models import AuditEvent
from binhyen.orgunits import excel
from binhyen.orgunits.models import OrgUnit, Subkind, UnitKind
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

pytestmark = pytest.mark.django_db

HEADER = ["Tên", "Loại", "Dân số", "Số hộ", "Vĩ độ", "Kinh độ", "Địa chỉ", "Ghi chú"]


def xlsx(rows: list[list[Any]], name: str = "danh-sach.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(text: str, name: str = "danh-sach.csv", bom: bool = False) -> SimpleUploadedFile:
    data = text.encode("utf-8")
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + data)


@pytest.fixture
def commune() -> Any:
    return CommuneFactory(code="07840", name="Xã Lương Phong", parent=ProvinceFactory(code="24"))


@pytest.fixture
def officer(commune):
    return user_with_role(Role.COMMUNE_OFFICER, commune)


def run(officer, commune, upload) -> excel.ImportResult:
    return excel.import_units(actor=officer, commune=commune, upload=upload)


def problems(result) -> list[tuple[int | None, str]]:
    return [(p.row, p.column) for p in result.problems]


def test_good_file_saves_every_row(commune, officer):
    # given a file mixing labels, values, blank types, grouped numbers and decimal commas
    upload = xlsx(
        [
            HEADER,
            ["Thôn Đông", "Thôn", 1250, 310, 21.0285, 105.8542, "Đường 1", "Ghi chú"],
            ["Tổ dân phố 3", "to dan pho", "1.500", "", "21,03", "105,85", None, None],
            ["Thôn Tây", None, None, None, None, None, None, None],
            [None, None, None, None, None, None, None, None],
            ["Trường THCS Lương Phong", "Cơ sở giáo dục", None, None, None, None, None, None],
            ["Công ty May", "doanh_nghiep", None, None, None, None, None, None],
        ]
    )
    # when imported
    result = run(officer, commune, upload)
    # then every row is saved with the right kind, type and numbers
    assert result.ok, result.problems
    units = {u.name: u for u in OrgUnit.objects.filter(parent=commune)}
    assert len(units) == 5
    assert units["Thôn Đông"].population == 1250
    assert units["Tổ dân phố 3"].subkind == Subkind.TO_DAN_PHO
    assert units["Tổ dân phố 3"].population == 1500
    assert units["Tổ dân phố 3"].latitude == pytest.approx(21.03)
    assert units["Thôn Tây"].subkind == Subkind.THON  # blank type in a xã: thôn
    assert units["Trường THCS Lương Phong"].kind == UnitKind.ESTABLISHMENT
    assert units["Công ty May"].code == "07840-E002"
    assert AuditEvent.objects.filter(action="orgunit.import").count() == 1


def test_three_bad_rows_are_all_listed_and_nothing_is_saved(commune, officer):
    # given a file whose rows 3, 4 and 6 are wrong (row 6 repeats row 2's name)
    upload = xlsx(
        [
            HEADER,
            ["Thôn Đông", "Thôn", 100, 20, None, None, None, None],
            [None, "Thôn", 100, 20, None, None, None, None],
            ["Thôn Bắc", "Làng xã", "nhiều", 20, None, None, None, None],
            ["Thôn Nam", "Thôn", 100, 20, None, None, None, None],
            ["thon dong", "Thôn", 100, 20, None, None, None, None],
        ]
    )
    # when imported
    result = run(officer, commune, upload)
    # then each problem is reported with its Excel row and column, and nothing is saved
    assert problems(result) == [(3, "Tên"), (4, "Loại"), (4, "Dân số"), (6, "Tên")]
    assert {p.row for p in result.problems} == {3, 4, 6}
    assert not OrgUnit.objects.filter(parent=commune).exists()
    assert not AuditEvent.objects.exists()


def test_duplicates_against_existing_units(commune, officer):
    VillageFactory(parent=commune, name="Thôn Đông")
    result = run(officer, commune, xlsx([HEADER[:2], ["THÔN ĐÔNG", "Thôn"]]))
    assert problems(result) == [(2, "Tên")]
    assert "cùng tên" in result.problems[0].message


def test_coordinates_must_come_in_pairs_and_in_range(commune, officer):
    result = run(
        officer,
        commune,
        xlsx(
            [
                HEADER,
                ["Thôn A", "Thôn", None, None, 21.0, None, None, None],
                ["Thôn B", "Thôn", None, None, 95, 105, None, None],
            ]
        ),
    )
    assert problems(result) == [(2, "Kinh độ"), (3, "Vĩ độ")]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Tên thôn", "Loại"], ["Tên thôn", "Tên"]),
        (["Loại", "Dân số"], ["Tên"]),
        (["Tên", "Tên"], ["Tên"]),
        (["", ""], [""]),
    ],
)
def test_wrong_or_missing_headers_are_refused(commune, officer, header, expected):
    # when the header row is wrong
    result = run(officer, commune, xlsx([header, ["Thôn A", "Thôn"]]))
    # then each header problem is reported on row 1 and nothing is saved
    assert [p.column for p in result.problems] == expected
    assert all(p.row == 1 for p in result.problems)
    assert not OrgUnit.objects.filter(parent=commune).exists()


def test_headers_ignore_case_diacritics_and_notes(commune, officer):
    result = run(officer, commune, xlsx([["TEN (bắt buộc)*", "loai"], ["Thôn A", "Thôn"]]))
    assert result.ok, result.problems


def test_data_under_a_blank_header_is_not_dropped_silently(commune, officer):
    result = run(officer, commune, xlsx([["Tên", None, "Loại"], ["Thôn A", "lạ", "Thôn"]]))
    assert problems(result) == [(2, "B")]


def test_csv_with_bom_and_semicolons(commune, officer):
    text = 'Tên;Loại;Dân số;Số hộ\nThôn Đông;Thôn;1.200;300\n"Thôn Tây; mới";Bản;;\n'
    result = run(officer, commune, csv_file(text, bom=True))
    assert result.ok, result.problems
    assert set(OrgUnit.objects.filter(parent=commune).values_list("name", flat=True)) == {
        "Thôn Đông",
        "Thôn Tây; mới",
    }


def test_csv_with_commas_without_bom_reports_rows(commune, officer):
    text = 'Tên,Loại,Vĩ độ,Kinh độ\nThôn Đông,Thôn,"21,5","105,1"\n,Thôn,,\n'
    result = run(officer, commune, csv_file(text))
    assert problems(result) == [(3, "Tên")]


def test_csv_not_in_utf8_is_refused(commune, officer):
    upload = SimpleUploadedFile("ds.csv", "Tên;Loai\nThôn Dông;Thôn\n".encode("latin-1"))
    result = run(officer, commune, upload)
    assert problems(result) == [(None, "")]
    assert "UTF-8" in result.problems[0].message


def test_exe_renamed_to_xlsx_is_refused(commune, officer):
    upload = SimpleUploadedFile("danh-sach.xlsx", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    result = run(officer, commune, upload)
    assert not result.ok
    assert "Excel" in result.problems[0].message
    assert not OrgUnit.objects.filter(parent=commune).exists()


def test_corrupt_zip_named_xlsx_is_refused(commune, officer):
    upload = SimpleUploadedFile("danh-sach.xlsx", b"PK\x03\x04" + b"rubbish" * 20)
    assert "Excel" in run(officer, commune, upload).problems[0].message


@pytest.mark.parametrize("name", ["danh-sach.pdf", "danh-sach.exe", "danh-sach", "ds.xls"])
def test_other_file_types_are_refused(commune, officer, name):
    result = run(officer, commune, SimpleUploadedFile(name, b"Ten\nThon A\n"))
    assert problems(result) == [(None, "")]


def test_files_over_5_mb_are_refused(commune, officer):
    upload = SimpleUploadedFile("ds.csv", b"Ten\n" + b"a" * (5 * 1024 * 1024))
    result = run(officer, commune, upload)
    assert "5 MB" in result.problems[0].message


def test_more_than_5000_rows_are_refused(commune, officer):
    text = "Tên\n" + "".join(f"Thôn {i}\n" for i in range(5001))
    result = run(officer, commune, csv_file(text))
    assert "5.000" in result.problems[0].message
    assert not OrgUnit.objects.filter(parent=commune).exists()


def test_empty_file_is_refused(commune, officer):
    result = run(officer, commune, xlsx([HEADER]))
    assert problems(result) == [(None, "")]


def test_template_has_header_example_and_guide(commune, officer):
    # given the downloaded template
    content = excel.template_workbook(commune)
    workbook = load_workbook(io.BytesIO(content))
    # then it has the header, an example row and a guide listing the allowed types
    assert workbook.sheetnames == ["Danh sách", "Hướng dẫn"]
    rows = list(workbook["Danh sách"].iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADER, "Xã/phường cũ (trước 01/07/2025)"]
    assert rows[1][1] == "Thôn"
    guide = [cell for row in workbook["Hướng dẫn"].iter_rows(values_only=True) for cell in row]
    for label in ("Thôn", "Bản", "Tổ dân phố", "Ấp", "Khối", "Cơ quan", "Doanh nghiệp"):
        assert label in guide
    # and importing it unchanged creates the example unit
    result = run(officer, commune, SimpleUploadedFile("mau.xlsx", content))
    assert result.ok, result.problems
    assert len(result.created) == 1


def test_template_for_a_ward_suggests_residential_groups(officer):
    ward: Any = CommuneFactory(subkind=Subkind.PHUONG)
    rows = list(
        load_workbook(io.BytesIO(excel.template_workbook(ward)))["Danh sách"].iter_rows(
            values_only=True
        )
    )
    assert rows[1][1] == "Tổ dân phố"


def test_export_keeps_formula_like_names_as_text(commune):
    VillageFactory(parent=commune, name='=HYPERLINK("x")')
    content = excel.export_workbook(OrgUnit.objects.filter(parent=commune), commune.name)
    sheet = load_workbook(io.BytesIO(content)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == '=HYPERLINK("x")'
    assert cell.data_type == "s"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.lists(st.text(max_size=30), min_size=8, max_size=8))
def test_any_cell_text_gives_problems_or_units_never_a_crash(commune, cells):
    # given a row of arbitrary text
    upload = csv_file("Tên;Loại;Dân số;Số hộ;Vĩ độ;Kinh độ;Địa chỉ;Ghi chú\n")
    _rows, found = excel.parse_upload(upload, commune)
    assert found  # no data rows
    line = ";".join(
        c.replace(";", " ").replace("\n", " ").replace("\r", " ").replace('"', "") for c in cells
    )
    _rows, found = excel.parse_upload(
        csv_file("Tên;Loại;Dân số;Số hộ;Vĩ độ;Kinh độ;Địa chỉ;Ghi chú\n" + line + "\n"), commune
    )
    # then parsing returns inputs and/or problems with row numbers
    assert all(p.row in (None, 2) for p in found)


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\ufeff", "\u200d", "\u2066"])
def test_names_with_hidden_or_control_characters_are_refused_with_row_and_nothing_saved(
    commune, officer, hidden
):
    # given a file whose second unit's name hides a right-to-left override, zero-width or BOM
    before = OrgUnit.objects.count()
    upload = xlsx([HEADER, ["Thôn A", "Thôn"], [f"Thôn {hidden}B", "Thôn"]])
    # when imported
    result = run(officer, commune, upload)
    # then the row and column are named, the code point is shown, and nothing is saved
    assert problems(result) == [(3, "Tên")]
    assert f"U+{ord(hidden):04X}" in result.problems[0].message
    assert OrgUnit.objects.count() == before


def test_names_are_nfc_normalised_on_import(commune, officer):
    # given a name typed with combining accents; when imported; then stored precomposed
    import unicodedata

    run(officer, commune, xlsx([HEADER, [unicodedata.normalize("NFD", "Thôn Lương"), "Thôn"]]))
    assert OrgUnit.objects.filter(name="Thôn Lương", parent=commune).exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [("Dân số", 10**30), ("Số hộ", 10**20), ("Vĩ độ", float("nan")), ("Kinh độ", float("inf"))],
)
def test_absurd_numbers_are_refused_and_nothing_saved(commune, officer, column, value):
    # given a row with 10^30 people, or a NaN/infinite coordinate
    before = OrgUnit.objects.count()
    row: list[Any] = ["Thôn A", "Thôn", None, None, 21.0, 105.0, None, None]
    row[HEADER.index(column)] = value
    # when imported; then the cell is refused and nothing saved
    result = run(officer, commune, xlsx([HEADER, row]))
    assert (2, column) in problems(result)
    assert OrgUnit.objects.count() == before


FORMER = "Xã/phường cũ (trước 01/07/2025)"


def test_former_commune_column_by_code_or_name_and_bad_rows_named():
    # given Hiệp Hòa with former communes Lương Phong and Đoan Bái; Xã Xa went elsewhere
    from binhyen.orgunits.tests.test_services_former import _create

    world_data = _former_world()
    h, officer = world_data["h"], world_data["officer"]
    _create(officer, h, name="Thôn Có", former_parent=world_data["db"])
    # when a file names the old commune by code, bare code, name without diacritics, and
    # has an unknown one, one leading elsewhere, one place with two old communes and an
    # existing village with another old commune
    bad = xlsx(
        [
            ["Tên", "Loại", FORMER],
            ["Thôn A", "Thôn", "L07846"],
            ["Thôn B", "Thôn", "07847"],
            ["Thôn C", "Thôn", "xa luong phong"],
            ["Thôn D", "Thôn", "Không Có"],
            ["Thôn E", "Thôn", "Xã Xa"],
            ["Thôn C", "Thôn", "Xã Đoan Bái"],
            ["Thôn Có", "Thôn", "Lương Phong"],
        ]
    )
    result = run(officer, h, bad)
    # then every bad row is named in the former-commune column and nothing is saved
    assert problems(result) == [(5, FORMER), (6, FORMER), (7, FORMER), (8, FORMER)]
    assert not OrgUnit.objects.filter(name="Thôn A").exists()
    # when the good rows alone are imported / then each keeps its old commune
    good = xlsx([["Tên", "Loại", FORMER], *good_rows()])
    result = run(officer, h, good)
    assert not result.problems
    formers = dict(
        OrgUnit.objects.filter(parent=h, name__in=["Thôn A", "Thôn B", "Thôn C"]).values_list(
            "name", "former_parent__code"
        )
    )
    assert formers == {"Thôn A": "L07846", "Thôn B": "L07847", "Thôn C": "L07846"}


def good_rows() -> list[list[str]]:
    return [
        ["Thôn A", "Thôn", "L07846"],
        ["Thôn B", "Thôn", "07847"],
        ["Thôn C", "Thôn", "xa luong phong"],
    ]


def _former_world() -> Any:
    from binhyen.orgunits.tests import test_services_former

    return test_services_former.world.__wrapped__()  # type: ignore[attr-defined]


def test_template_has_the_former_commune_column_and_an_example():
    world_data = _former_world()
    sheet = load_workbook(io.BytesIO(excel.template_workbook(world_data["h"])))["Danh sách"]
    header, example = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    assert header[-1] == FORMER
    assert example[-1] == "Xã Đoan Bái"
