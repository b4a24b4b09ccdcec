"""The population workbook: template, import (all or nothing, every bad row named), the page
and the API beside it, and who may use them."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from binhyen.accounts.models import ApiToken, Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.core.models import AuditEvent
from binhyen.orgunits import excel_population
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    EstablishmentFactory,
    ProvinceFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

HEADER = ["Mã", "Tên", "Xã/phường", "Dân số", "Số hộ", "Năm"]


@pytest.fixture(autouse=True)
def _no_otp(settings):
    settings.OTP_REQUIRED_ROLES = []


def xlsx(rows: list[list[Any]], name: str = "dan-so.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def bearer(user: Any) -> dict[str, str]:
    raw = generate_secret()
    ApiToken.objects.create(user=user, name="t", prefix=prefix_of(raw), key_hash=hash_secret(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def tree() -> dict[str, Any]:
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    a = CommuneFactory(code="07840", name="Xã Lương Phong", parent=province, population=None)
    b = CommuneFactory(code="07900", name="Xã Hoàng Vân", parent=province)
    village = VillageFactory(parent=a, name="Thôn Đông", code="07840-T001")
    closed = VillageFactory(parent=a, name="Thôn Cũ", code="07840-T002", valid_to=date(2025, 3, 1))
    other_province = ProvinceFactory(code="25", name="Tỉnh Khác")
    foreign = CommuneFactory(code="08100", name="Xã Ngoài", parent=other_province)
    school = EstablishmentFactory(parent=a, code="07840-E001")
    return {
        "province": province,
        "a": a,
        "b": b,
        "village": village,
        "closed": closed,
        "foreign": foreign,
        "school": school,
        "officer": user_with_role(Role.PROVINCE_OFFICER, province),
        "commune_officer": user_with_role(Role.COMMUNE_OFFICER, a),
        "stranger": user_with_role(Role.PROVINCE_OFFICER, other_province),
        "viewer": user_with_role(Role.VIEWER, province),
    }


def run(
    tree: dict[str, Any], rows: list[list[Any]], *, scope: str = "province", user: str = "officer"
):
    return excel_population.import_population(
        actor=tree[user], scope=tree[scope], upload=xlsx([HEADER, *rows])
    )


def test_template_lists_open_communes_and_villages_with_their_figures(tree):
    # given a province with two communes, an open and a closed village, and an establishment
    # when its template is downloaded
    sheet = load_workbook(io.BytesIO(excel_population.template_workbook(tree["province"]))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    # then the header, then each commune followed by its open villages, with their figures
    assert rows[0] == HEADER
    codes = [r[0] for r in rows[1:]]
    assert codes == ["07840", "07840-T001", "07900"]
    assert rows[2][1:3] == ["Thôn Đông", "Xã Lương Phong"]
    assert rows[3][3:5] == [10000, 2500]


def test_good_file_sets_every_figure_and_audits_once(tree):
    # given a file with new figures for a commune and a village, and a row left as it is
    year = timezone.localdate().year
    rows = [
        ["07840", "Xã Lương Phong", "", 12500, "3.100", year - 1],
        ["07840-T001", "Thôn Đông", "Xã Lương Phong", 1250, 310, None],
        ["07900", "Xã Hoàng Vân", "", None, None, None],
    ]
    # when imported by the province officer
    result = run(tree, rows)
    # then the figures and years are saved, and one audit event counts the batch
    assert result.ok, result.problems
    assert result.created == [2] and result.rows_read == 3
    a = OrgUnit.objects.get(code="07840")
    assert (a.population, a.households, a.population_year) == (12500, 3100, year - 1)
    village = OrgUnit.objects.get(code="07840-T001")
    assert (village.population, village.households, village.population_year) == (1250, 310, year)
    assert OrgUnit.objects.get(code="07900").population == 10000  # blank keeps the figure
    events = AuditEvent.objects.filter(action="orgunit.population_import")
    assert events.count() == 1
    assert events.get().changes["after"]["rows"] == 3
    assert events.get().changes["after"]["changed"] == 2
    assert not AuditEvent.objects.filter(action="orgunit.update").exists()


def test_csv_is_read_too(tree):
    upload = SimpleUploadedFile("ds.csv", "Mã;Dân số;Số hộ\n07900;9000;2000\n".encode())
    result = excel_population.import_population(
        actor=tree["officer"], scope=tree["province"], upload=upload
    )
    assert result.ok, result.problems
    assert OrgUnit.objects.get(code="07900").population == 9000


def test_every_bad_row_is_named_and_nothing_is_saved(tree):
    # given a file with one good row and one row per reason of refusal
    rows = [
        ["07900", "", "", 11111, 2000, None],  # row 2: good
        ["99999", "", "", 100, 10, None],  # row 3: unknown code
        ["08100", "", "", 100, 10, None],  # row 4: a commune of another province
        ["07840-T002", "", "", 100, 10, None],  # row 5: a closed village
        ["07840-T001", "", "", -5, 10, None],  # row 6: negative
        ["07840", "", "", "nhiều", 10, None],  # row 7: not a number
        ["07900", "", "", 100, 10, None],  # row 8: duplicate of row 2
        ["24", "", "", 100, 10, None],  # row 9: the province itself
        ["07840-E001", "", "", 100, 10, None],  # row 10: an establishment
        ["07840", "", "", 100, 500, None],  # row 11: duplicate (row 7) as well
        [None, "", "", 100, 10, None],  # row 12: no code
        ["07840-T001", "", "", 100, 10, 1800],  # row 13: duplicate code and bad year
    ]
    # when imported
    result = run(tree, rows)
    # then each bad row is named with its column and reason, and nothing changed
    assert not result.ok
    found = {(p.row, p.column): p.message for p in result.problems}
    assert "99999" in found[(3, "Mã")]
    assert "Tỉnh Bắc Ninh" in found[(4, "Mã")]
    assert "giải thể" in found[(5, "Mã")]
    assert "âm" in found[(6, "Dân số")]
    assert "nhiều" in found[(7, "Dân số")]
    assert "dòng 2" in found[(8, "Mã")]
    assert (9, "Mã") in found and (10, "Mã") in found
    assert "dòng 7" in found[(11, "Mã")]
    assert (12, "Mã") in found
    assert (2, "Mã") not in found
    assert OrgUnit.objects.get(code="07900").population == 10000
    assert not AuditEvent.objects.filter(action="orgunit.population_import").exists()


def test_households_above_population_and_year_out_of_range_are_refused(tree):
    rows = [
        ["07900", "", "", 100, 500, None],
        ["07840-T001", "", "", None, 50, None],  # the village has no population: accepted
        ["07840", "", "", 100, 10, 1999],
    ]
    result = run(tree, rows)
    found = {(p.row, p.column): p.message for p in result.problems}
    assert "500" in found[(2, "Số hộ")] and "100" in found[(2, "Số hộ")]
    assert (3, "Số hộ") not in found
    assert "2000" in found[(4, "Năm")]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(population=st.integers(0, 10**6), households=st.integers(0, 10**6))
def test_households_never_exceed_the_population_saved(tree, population, households):
    # given any pair of figures / when imported for one commune
    result = run(tree, [["07900", "", "", population, households, None]])
    # then the batch is saved exactly when households fit in the population
    saved = OrgUnit.objects.get(code="07900")
    assert result.ok == (households <= population)
    if result.ok:
        assert (saved.population, saved.households) == (population, households)
    else:
        assert saved.households is None or saved.households <= (saved.population or 0)


def test_commune_officer_imports_their_commune_and_villages_only(tree):
    # given the commune officer of A / when importing A, its village and commune B
    rows = [["07840", "", "", 8000, 2000, None], ["07840-T001", "", "", 900, 200, None]]
    result = run(tree, [*rows, ["07900", "", "", 100, 10, None]], scope="a", user="commune_officer")
    # then B is outside their commune, and nothing is saved
    assert [(p.row, p.column) for p in result.problems] == [(4, "Mã")]
    assert OrgUnit.objects.get(code="07840").population is None
    # when importing their own units only / then it is saved
    assert run(tree, rows, scope="a", user="commune_officer").ok
    assert OrgUnit.objects.get(code="07840-T001").population == 900


# --- the page and the API ------------------------------------------------------------------


def test_page_in_scope_out_of_scope_and_anonymous(client, tree):
    url = reverse("orgunits:population_import", args=["24"])
    template = reverse("orgunits:population_template", args=["24"])
    assert client.get(url).status_code == 302  # anonymous → sign in
    client.force_login(tree["stranger"])
    assert client.get(url).status_code == 404
    assert client.get(template).status_code == 404
    client.force_login(tree["viewer"])
    assert client.get(url).status_code == 404
    client.force_login(tree["commune_officer"])
    assert client.get(url).status_code == 404  # not the province
    assert client.get(reverse("orgunits:population_import", args=["07840"])).status_code == 200
    assert client.get(reverse("orgunits:population_import", args=["07840-T001"])).status_code == 404
    client.force_login(tree["officer"])
    assert client.get(url).status_code == 200
    response = client.get(template)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('dan-so-24.xlsx"')


def test_page_shows_every_problem_or_the_result(client, tree):
    client.force_login(tree["officer"])
    url = reverse("orgunits:population_import", args=["24"])
    bad = xlsx([HEADER, ["99999", "", "", 10, 1, None]])
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert 'data-testid="import-problems"' in response.content.decode()
    assert "99999" in response.content.decode()
    good = xlsx([HEADER, ["07900", "", "", 12000, 3000, None]])
    response = client.post(url, {"file": good}, follow=True)
    assert response.status_code == 200
    assert "cập nhật dân số của 1 đơn vị" in response.content.decode()
    assert OrgUnit.objects.get(code="07900").population == 12000


def test_detail_page_links_to_the_workbook(client, tree):
    client.force_login(tree["officer"])
    html = client.get(reverse("orgunits:detail", args=["24"])).content.decode()
    assert reverse("orgunits:population_import", args=["24"]) in html


def test_api_imports_all_or_nothing(client, tree):
    url = "/api/v1/orgunits/24/population"
    assert client.post(url, {"file": xlsx([HEADER])}).status_code == 401
    assert client.post(url, {"file": xlsx([HEADER])}, **bearer(tree["stranger"])).status_code == 404
    headers = bearer(tree["officer"])
    response = client.post(url, {"file": xlsx([HEADER, ["08100", "", "", 5, 1, None]])}, **headers)
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "row": 2,
        "field": "Mã",
        "message": response.json()["message"],
    }
    response = client.post(
        url, {"file": xlsx([HEADER, ["07900", "", "", 7000, 1500, None]])}, **headers
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"rows": 1, "changed": 1}
    assert client.post(url, {}, **headers).status_code == 400  # no file
    template = client.get(f"{url}/template", **headers)
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert [r[3] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "07900"] == [7000]
