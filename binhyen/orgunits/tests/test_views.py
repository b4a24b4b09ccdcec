"""Unit pages: deny by default, 404 outside scope, and what each page shows."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import UserFactory, login_verified, user_with_role
from binhyen.orgunits.models import Lineage, LineageKind, OrgUnit, Subkind, UnitKind
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    OrgUnitFactory,
    ProvinceFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tree() -> dict[str, Any]:
    province: Any = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    commune: Any = CommuneFactory(
        code="07840", name="Xã Lương Phong", parent=province, latitude=21.3, longitude=105.9
    )
    other: Any = CommuneFactory(code="07900", name="Phường Kinh Bắc", parent=province)
    district: Any = OrgUnitFactory(
        code="L223",
        name="Huyện Hiệp Hòa",
        kind=UnitKind.DISTRICT,
        subkind=Subkind.HUYEN,
        parent=province,
        valid_to=date(2025, 6, 30),
    )
    old: Any = CommuneFactory(
        code="L07846", name="Xã Đoan Bái", parent=district, valid_to=date(2025, 6, 30)
    )
    Lineage.objects.create(
        predecessor=old, successor=commune, kind=LineageKind.MERGE, effective_date=date(2025, 7, 1)
    )
    return {
        "province": province,
        "commune": commune,
        "other": other,
        "old": old,
        "village": VillageFactory(
            parent=commune, name="Thôn Đông", latitude=21.31, longitude=105.91
        ),
        "other_village": VillageFactory(parent=other, name="Tổ dân phố 1"),
        "empty": CommuneFactory(code="07950", name="Xã Trống", parent=province),
    }


@pytest.fixture
def officer(tree):
    return user_with_role(Role.COMMUNE_OFFICER, tree["commune"], username="canbo")


@pytest.fixture
def viewer(tree):
    return user_with_role(Role.VIEWER, tree["commune"])


def _url(name: str, code: str | None = None) -> str:
    return reverse(f"orgunits:{name}", args=[code] if code else [])


OBJECT_VIEWS = [
    ("detail", "commune", {}),
    ("children", "commune", HTMX),
    ("edit", "village", {}),
    ("create", "commune", {}),
    ("import", "commune", {}),
    ("import_template", "commune", {}),
    ("export", "commune", {}),
]


# --- deny by default ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/units/",
        "/units/picker/?q=a",
        "/units/07840/",
        "/units/07840/children/",
        "/units/07840/children.xlsx",
        "/units/07840/new/",
        "/units/07840-T001/edit/",
        "/units/07840/import/",
        "/units/07840/import/template.xlsx",
    ],
)
def test_anonymous_users_are_sent_to_login(client, tree, url):
    # when an anonymous visitor opens any unit page
    response = client.get(url)
    # then they are redirected to the login page
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_close_is_sent_to_login(client, tree):
    response = client.post(_url("close", tree["village"].code), {"valid_to": "2025-01-01"})
    assert response.status_code == 302
    tree["village"].refresh_from_db()
    assert tree["village"].valid_to is None


@pytest.mark.parametrize(("name", "target", "headers"), OBJECT_VIEWS)
def test_object_views_in_scope(client, tree, officer, name, target, headers):
    # given an officer of the commune
    client.force_login(officer)
    # when they open a page of their commune or village
    response = client.get(_url(name, tree[target].code), **headers)
    # then it is served
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "target", "headers"), OBJECT_VIEWS)
def test_object_views_out_of_scope_are_404(client, tree, officer, name, target, headers):
    # given an officer of Lương Phong
    client.force_login(officer)
    other = {"commune": "other", "village": "other_village"}[target]
    # when they open the same page for another commune, or an unknown code
    forbidden = client.get(_url(name, tree[other].code), **headers)
    missing = client.get(_url(name, "00000"), **headers)
    # then both are the same 404
    assert forbidden.status_code == 404
    assert missing.status_code == 404


@pytest.mark.parametrize("name", ["edit", "create", "import", "import_template"])
def test_write_pages_are_404_for_read_only_roles(client, tree, viewer, name):
    client.force_login(viewer)
    target = tree["village"] if name == "edit" else tree["commune"]
    assert client.get(_url(name, target.code)).status_code == 404


@pytest.mark.parametrize("name", ["create", "import", "import_template"])
def test_adding_is_only_for_communes(client, tree, name):
    login_verified(client, UserFactory(is_superuser=True))
    for unit in (tree["village"], tree["province"]):
        assert client.get(_url(name, unit.code)).status_code == 404
    # a pre-2025 commune takes villages one by one (they go under its successor), not files
    expected = 200 if name == "create" else 404
    assert client.get(_url(name, tree["old"].code)).status_code == expected


def test_close_in_scope_out_of_scope_and_read_only(client, tree, officer, viewer):
    # given a viewer, and an officer of the commune
    client.force_login(viewer)
    assert (
        client.post(_url("close", tree["village"].code), {"valid_to": "2025-01-01"}).status_code
        == 404
    )
    client.force_login(officer)
    # when the officer closes a village of another commune, then it is a 404
    response = client.post(_url("close", tree["other_village"].code), {"valid_to": "2025-01-01"})
    assert response.status_code == 404
    # when they close their own village, then it is closed
    response = client.post(_url("close", tree["village"].code), {"valid_to": "2025-01-01"})
    assert response.status_code == 302
    tree["village"].refresh_from_db()
    assert tree["village"].valid_to == date(2025, 1, 1)


def test_close_with_a_bad_date_shows_the_error(client, tree, officer):
    client.force_login(officer)
    response = client.post(_url("close", tree["village"].code), {"valid_to": "hôm qua"})
    assert response.status_code == 400
    assert "Hãy nhập ngày theo dạng ngày/tháng/năm." in response.content.decode()


# --- home ---------------------------------------------------------------------------------


def test_home_lists_assigned_units_and_the_picker(client, tree, officer):
    client.force_login(officer)
    body = client.get("/").content.decode()
    assert "Xin chào" in body
    assert _url("detail", "07840") in body
    assert reverse("orgunits:picker") in body
    assert "js/orgunits.js" in body


def test_home_shows_the_to_do_items_grouped_with_count_and_due_date(client, tree, officer):
    # given a provider with a late item for every user
    from binhyen.core.todo import Severity, TodoItem, todo_providers

    class Late:
        key = "test.home"

        def items(self, user):
            return [
                TodoItem(
                    key="test.late",
                    title="Gửi báo cáo tháng",
                    url="/indicators/reports/",
                    count=3,
                    severity=Severity.LATE,
                    due=date(2026, 11, 16),
                    group="Báo cáo định kỳ",
                )
            ]

    todo_providers.register(Late())
    try:
        # when the officer opens the home
        client.force_login(officer)
        body = client.get("/").content.decode()
    finally:
        todo_providers.unregister("test.home")
    # then the item is a link under its group, with its count, severity and due date
    assert 'data-key="test.late"' in body
    assert 'href="/indicators/reports/"' in body
    assert "Báo cáo định kỳ" in body and "Quá hạn" in body and "16/11/2026" in body
    assert "Không có việc cần làm" not in body


def test_home_without_items_says_there_is_nothing_to_do(client, tree):
    # given a viewer of the commune (nothing to act on); when the home opens
    client.force_login(user_with_role(Role.VIEWER, tree["commune"]))
    # then a true empty state
    body = client.get("/").content.decode()
    assert 'data-testid="todo-empty"' in body
    assert "Không có việc cần làm" in body


def test_home_without_role_explains_what_to_do(client, tree):
    client.force_login(UserFactory())
    body = client.get("/").content.decode()
    assert (
        "Tài khoản của bạn chưa được phân quyền trên đơn vị nào. Hãy liên hệ quản trị viên." in body
    )
    assert reverse("orgunits:picker") not in body


def test_home_for_a_superuser_without_role_links_the_country(client, tree):
    login_verified(client, UserFactory(is_superuser=True))
    assert _url("detail", "VN") in client.get("/").content.decode()


# --- list and picker ----------------------------------------------------------------------


def test_list_searches_only_visible_units(client, tree, officer):
    client.force_login(officer)
    body = client.get(_url("list"), {"q": "thon"}).content.decode()
    assert "Thôn Đông" in body
    assert "Tổ dân phố 1" not in body
    response = client.get(_url("list"), {"q": "kinh bac"})
    assert response.status_code == 200
    assert "Phường Kinh Bắc" not in response.content.decode()


def test_list_filters_and_paginates(client, tree, officer):
    client.force_login(officer)
    for i in range(30):
        VillageFactory(parent=tree["commune"], name=f"Xóm {i:02d}")
    first = client.get(_url("list"), {"q": "xom", "kind": "village", "current": "1"})
    assert first.status_code == 200
    assert first.context["page"].paginator.count == 30
    assert len(first.context["page"].object_list) == 25
    second = client.get(_url("list"), {"q": "xom", "kind": "village", "page": "2"})
    assert len(second.context["page"].object_list) == 5


def test_list_with_a_bad_kind_is_400_not_500(client, tree, officer):
    client.force_login(officer)
    response = client.get(_url("list"), {"kind": "planet"})
    assert response.status_code == 400


def test_picker_finds_units_without_diacritics(client, tree, officer):
    client.force_login(officer)
    response = client.get(_url("picker"), {"q": "luong phong"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Xã Lương Phong" in body
    assert _url("detail", "07840") in body
    assert "<html" not in body


def test_picker_out_of_scope_finds_nothing(client, tree, officer):
    client.force_login(officer)
    body = client.get(_url("picker"), {"q": "kinh bac"}, **HTMX).content.decode()
    assert "Phường Kinh Bắc" not in body
    assert "Không tìm thấy" in body


def test_picker_without_htmx_falls_back_to_the_list(client, tree, officer):
    client.force_login(officer)
    response = client.get(_url("picker"), {"q": "luong phong"})
    assert response.status_code == 302
    assert response["Location"] == f"{_url('list')}?q=luong+phong"


# --- unit page ----------------------------------------------------------------------------


def test_unit_page_shows_breadcrumbs_facts_lineage_children_and_map(client, tree, officer):
    client.force_login(officer)
    response = client.get(_url("detail", "07840"))
    body = response.content.decode()
    # breadcrumbs: the province is named but not linked (out of scope)
    assert "Tỉnh Bắc Ninh" in body
    assert _url("detail", "24") not in body
    # facts, lineage, children, buttons and map data
    assert re.search(r"10[.,]?000</dd>", body)
    assert "21.3, 105.9" in body
    assert "Trước đây gồm:" in body and _url("detail", "L07846") in body
    assert "Thôn Đông" in body
    assert "Thêm thôn/tổ dân phố" in body and "Nhập từ Excel" in body
    assert 'id="unit-map-data"' in body and "vendor/leaflet/leaflet.js" in body


def test_closed_unit_shows_dissolution_badge_and_successor(client, tree, officer):
    client.force_login(officer)
    body = client.get(_url("detail", "L07846")).content.decode()
    assert "Đã giải thể từ 01/07/2025" in body
    assert "Nay thuộc:" in body and _url("detail", "07840") in body
    # its villages are added there once, under the successor (no file import on a closed unit)
    assert "Thêm thôn/tổ dân phố" in body and _url("import", "L07846") not in body


def test_read_only_user_gets_no_write_buttons(client, tree, viewer):
    client.force_login(viewer)
    body = client.get(_url("detail", "07840")).content.decode()
    assert "Thêm thôn/tổ dân phố" not in body
    assert _url("edit", "07840") not in body


def test_commune_without_villages_has_an_empty_state_with_next_steps(client, tree):
    client.force_login(user_with_role(Role.COMMUNE_CHIEF, tree["empty"]))
    body = client.get(_url("detail", "07950")).content.decode()
    assert 'data-testid="children-empty"' in body
    assert _url("create", "07950") in body and _url("import", "07950") in body
    assert 'id="unit-map-data"' not in body


def test_children_partial_searches_and_paginates(client, tree, officer):
    client.force_login(officer)
    for i in range(26):
        VillageFactory(parent=tree["commune"], name=f"Xóm {i:02d}")
    response = client.get(_url("children", "07840"), {"q": "xom", "page": "2"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="children-table">')
    assert "Xóm 25" in body and "Thôn Đông" not in body
    nothing = client.get(_url("children", "07840"), {"q": "zzz"}, **HTMX).content.decode()
    assert "Không có đơn vị trực thuộc nào khớp" in nothing


def test_children_without_htmx_goes_to_the_unit_page(client, tree, officer):
    client.force_login(officer)
    response = client.get(_url("children", "07840"), {"q": "dong"})
    assert response.status_code == 302
    assert response["Location"] == f"{_url('detail', '07840')}?q=dong#children"


# --- create, edit -------------------------------------------------------------------------


def test_create_village_then_redirect_to_it(client, tree, officer):
    client.force_login(officer)
    page = client.get(_url("create", "07840"), {"kind": "village"})
    assert "Tổ dân phố" in page.content.decode()
    response = client.post(
        _url("create", "07840"),
        {"kind": "village", "name": "Thôn Bắc", "subkind": "thon", "population": "800"},
    )
    unit = OrgUnit.objects.get(name="Thôn Bắc")
    assert response.status_code == 302
    assert response["Location"] == _url("detail", unit.code)
    assert unit.population == 800


def test_create_establishment_and_add_another(client, tree, officer):
    client.force_login(officer)
    response = client.post(
        _url("create", "07840"),
        {
            "kind": "establishment",
            "name": "Trường Tiểu học",
            "subkind": "co_so_giao_duc",
            "add_another": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_url('create', '07840')}?kind=establishment"
    assert OrgUnit.objects.get(name="Trường Tiểu học").code == "07840-E001"


def test_create_shows_vietnamese_field_errors(client, tree, officer):
    client.force_login(officer)
    response = client.post(
        _url("create", "07840"),
        {"kind": "village", "name": "thon dong", "subkind": "thon", "latitude": "21,5"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Hãy nhập một số, ví dụ 21.0285" in body
    response = client.post(
        _url("create", "07840"), {"kind": "village", "name": "thon dong", "subkind": "thon"}
    )
    assert response.status_code == 400
    assert "Xã/phường đã có một thôn, tổ dân phố cùng tên." in response.content.decode()
    assert OrgUnit.objects.filter(name_folded="thon dong").count() == 1


def test_edit_village(client, tree, officer):
    client.force_login(officer)
    code = tree["village"].code
    response = client.post(
        _url("edit", code),
        {"name": "Thôn Đông Mới", "subkind": "thon", "latitude": "", "longitude": ""},
    )
    assert response.status_code == 302
    tree["village"].refresh_from_db()
    assert tree["village"].name == "Thôn Đông Mới"
    assert tree["village"].latitude is None


def test_edit_commune_offers_only_population_households_note(client, tree, officer):
    client.force_login(officer)
    form = client.get(_url("edit", "07840")).context["form"]
    assert set(form.fields) == {"population", "households", "note"}
    response = client.post(
        _url("edit", "07840"), {"population": "11000", "households": "", "name": "Khác"}
    )
    assert response.status_code == 302
    tree["commune"].refresh_from_db()
    assert (tree["commune"].name, tree["commune"].population) == ("Xã Lương Phong", 11000)


def _unit_state(code: str) -> tuple[Any, ...]:
    unit = OrgUnit.objects.get(code=code)
    return (unit.name, unit.subkind, unit.population, unit.households, unit.latitude, unit.note)


@pytest.mark.parametrize("which", ["commune", "village"])
def test_a_post_with_only_the_csrf_token_changes_nothing(client, tree, officer, which):
    # Given a unit with population, households and a note stored
    unit = tree[which]
    OrgUnit.objects.filter(pk=unit.pk).update(population=9000, households=2100, note="Ghi chú")
    before = _unit_state(unit.code)
    client.force_login(officer)
    # When the edit form is posted with nothing but the CSRF token
    response = client.post(_url("edit", unit.code), {"csrfmiddlewaretoken": "x"})
    # Then nothing changed
    assert response.status_code == 302
    assert _unit_state(unit.code) == before


def test_only_a_field_sent_empty_clears_its_value(client, tree, officer):
    # Given a commune with population and households
    OrgUnit.objects.filter(code="07840").update(population=9000, households=2100)
    client.force_login(officer)
    # When households is sent empty and population is not sent at all
    response = client.post(_url("edit", "07840"), {"households": ""})
    # Then households is cleared and population kept
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="07840")
    assert (unit.population, unit.households) == (9000, None)


# --- import, template, export -------------------------------------------------------------


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_import_good_file_redirects_with_all_rows_saved(client, tree, officer):
    client.force_login(officer)
    upload = SimpleUploadedFile(
        "ds.xlsx", _xlsx([["Tên", "Loại"], ["Thôn A", "Thôn"], ["Thôn B", "Bản"]])
    )
    response = client.post(_url("import", "07840"), {"file": upload})
    assert response.status_code == 302
    assert (
        OrgUnit.objects.filter(parent=tree["commune"], name__in=["Thôn A", "Thôn B"]).count() == 2
    )


def test_import_bad_file_lists_rows_and_saves_nothing(client, tree, officer):
    client.force_login(officer)
    upload = SimpleUploadedFile(
        "ds.xlsx", _xlsx([["Tên", "Dân số"], ["Thôn A", "x"], ["", "1"], ["Thôn Đông", "2"]])
    )
    response = client.post(_url("import", "07840"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="import-problems"' in body
    assert [p.row for p in response.context["result"].problems] == [2, 3, 4]
    assert not OrgUnit.objects.filter(name="Thôn A").exists()


def test_import_without_file_says_so(client, tree, officer):
    client.force_login(officer)
    response = client.post(_url("import", "07840"), {})
    assert response.status_code == 400
    assert "Hãy chọn một tệp để nhập." in response.content.decode()


def test_template_download_is_an_xlsx(client, tree, officer):
    client.force_login(officer)
    response = client.get(_url("import_template", "07840"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Danh sách", "Hướng dẫn"]


def test_export_children_to_excel(client, tree, viewer):
    client.force_login(viewer)
    response = client.get(_url("export", "07840"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Mã", "Tên")
    assert [r[1] for r in rows[1:]] == ["Thôn Đông"]


@pytest.mark.parametrize(
    ("which", "body", "field"),
    [
        ("commune", {"population": str(10**30)}, "population"),
        ("commune", {"households": "99999999999999"}, "households"),
        ("commune", {"population": "-5"}, "population"),
        ("village", {"name": "Thôn \u202eĐông", "subkind": "thon"}, "name"),
        ("village", {"name": "Thôn\u200b Đông", "subkind": "thon"}, "name"),
        ("village", {"name": "", "subkind": "thon"}, "name"),
        ("village", {"latitude": "nan", "longitude": "105"}, "latitude"),
    ],
)
def test_bad_input_on_the_edit_form_changes_nothing(client, tree, officer, which, body, field):
    # Given a unit with values stored
    unit = tree[which]
    OrgUnit.objects.filter(pk=unit.pk).update(population=9000, households=2100)
    before = _unit_state(unit.code)
    client.force_login(officer)
    # When the edit form is posted with an absurd number, a hidden character or a blank name
    response = client.post(_url("edit", unit.code), body)
    # Then the form comes back with the field's error and the unit is unchanged
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert _unit_state(unit.code) == before


# --- villages across the reform -----------------------------------------------------------


def test_village_added_under_the_old_commune_shows_both_ways(client, tree, officer):
    # given the officer of the current commune on the old commune's page
    client.force_login(officer)
    page = client.get(_url("create", "L07846"), {"kind": "village"})
    assert page.status_code == 200
    assert "Nay thuộc xã/phường" in page.content.decode()
    # when they add a village there
    response = client.post(
        _url("create", "L07846"),
        {"kind": "village", "name": "Thôn Cũ", "subkind": "thon", "successor": tree["commune"].pk},
    )
    unit = OrgUnit.objects.get(name="Thôn Cũ")
    assert response.status_code == 302
    assert unit.parent == tree["commune"] and unit.former_parent == tree["old"]
    # then the village page names the old commune, the old commune lists it as now elsewhere,
    # and the current commune's list shows the former commune column
    detail = client.get(_url("detail", unit.code)).content.decode()
    assert 'data-testid="former-parent"' in detail and "Xã Đoan Bái" in detail
    old_page = client.get(_url("detail", "L07846")).content.decode()
    assert "Thôn Cũ" in old_page and "nay thuộc Xã Lương Phong" in old_page
    new_page = client.get(_url("detail", "07840")).content.decode()
    assert "Xã/phường cũ" in new_page


def test_create_with_former_commune_choice_and_edit_clears_it(client, tree, officer):
    client.force_login(officer)
    response = client.post(
        _url("create", "07840"),
        {"kind": "village", "name": "Thôn Nam", "subkind": "thon", "former_parent": tree["old"].pk},
    )
    unit = OrgUnit.objects.get(name="Thôn Nam")
    assert response.status_code == 302 and unit.former_parent == tree["old"]
    response = client.post(_url("edit", unit.code), {"name": "Thôn Nam", "former_parent": ""})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.former_parent is None


def test_adding_under_the_old_commune_needs_the_successor_in_scope(client, tree):
    # given an officer of another commune, a viewer of this one, and an anonymous visitor
    other = user_with_role(Role.COMMUNE_OFFICER, tree["other"])
    viewer = user_with_role(Role.VIEWER, tree["commune"])
    for user in (other, viewer):
        client.force_login(user)
        assert client.get(_url("create", "L07846")).status_code == 404
    client.logout()
    assert client.get(_url("create", "L07846")).status_code == 302
