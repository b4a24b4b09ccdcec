"""Scoped reads of the map: who sees what, search without diacritics, lineage, breadcrumbs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.http import Http404
from hypothesis import given, settings
from hypothesis import strategies as st

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import UserFactory, user_with_role
from binhyen.orgunits import selectors
from binhyen.orgunits.models import Lineage, LineageKind, Subkind, UnitKind
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    EstablishmentFactory,
    OrgUnitFactory,
    ProvinceFactory,
    VillageFactory,
    country,
)

pytestmark = pytest.mark.django_db
CLOSED = date(2025, 6, 30)
REFORM = date(2025, 7, 1)


@pytest.fixture
def tree() -> dict[str, Any]:
    """Province 24 with two communes; Lương Phong absorbed two pre-2025 communes."""
    province: Any = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    commune: Any = CommuneFactory(code="07840", name="Xã Lương Phong", parent=province)
    other: Any = CommuneFactory(
        code="07900", name="Phường Kinh Bắc", subkind=Subkind.PHUONG, parent=province
    )
    district: Any = OrgUnitFactory(
        code="L223",
        name="Huyện Hiệp Hòa",
        kind=UnitKind.DISTRICT,
        subkind=Subkind.HUYEN,
        parent=province,
        valid_to=CLOSED,
    )
    old_a: Any = CommuneFactory(
        code="L07846", name="Xã Lương Phong", parent=district, valid_to=CLOSED
    )
    old_b: Any = CommuneFactory(code="L07849", name="Xã Đoan Bái", parent=district, valid_to=CLOSED)
    old_other: Any = CommuneFactory(code="L07999", name="Xã Khác", parent=district, valid_to=CLOSED)
    for old in (old_a, old_b):
        Lineage.objects.create(
            predecessor=old, successor=commune, kind=LineageKind.MERGE, effective_date=REFORM
        )
    Lineage.objects.create(
        predecessor=old_other, successor=other, kind=LineageKind.MERGE, effective_date=REFORM
    )
    return {
        "root": country(),
        "province": province,
        "commune": commune,
        "other": other,
        "district": district,
        "old_a": old_a,
        "old_b": old_b,
        "old_other": old_other,
        "east": VillageFactory(parent=commune, name="Thôn Đông"),
        "west": VillageFactory(parent=commune, name="Thôn Tây"),
        "school": EstablishmentFactory(parent=commune, name="Trường THCS Lương Phong"),
        "other_village": VillageFactory(parent=other, name="Tổ dân phố 1"),
    }


def _codes(units) -> set[str]:
    return {u.code for u in units}


def test_commune_officer_sees_own_commune_villages_and_predecessors(tree):
    # given an officer of Lương Phong
    officer = user_with_role(Role.COMMUNE_OFFICER, tree["commune"])
    # when they search everything
    seen = _codes(selectors.unit_search(user=officer, q=""))
    # then they see their commune, its villages and school, and its two predecessors only
    assert seen == {
        "07840",
        tree["east"].code,
        tree["west"].code,
        tree["school"].code,
        "L07846",
        "L07849",
    }


def test_unit_get_gives_the_same_404_for_missing_and_forbidden(tree):
    officer = user_with_role(Role.COMMUNE_OFFICER, tree["commune"])
    assert selectors.unit_get(user=officer, code="L07846") == tree["old_a"]
    with pytest.raises(Http404) as forbidden:
        selectors.unit_get(user=officer, code="07900")
    with pytest.raises(Http404) as missing:
        selectors.unit_get(user=officer, code="00000")
    assert str(forbidden.value) == str(missing.value)


def test_users_without_roles_and_anonymous_see_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    for user in (UserFactory(), AnonymousUser()):
        assert not selectors.unit_search(user=user, q="").exists()
        with pytest.raises(Http404):
            selectors.unit_get(user=user, code="07840")


def test_province_officer_sees_the_whole_province(tree):
    officer = user_with_role(Role.PROVINCE_OFFICER, tree["province"])
    seen = _codes(selectors.unit_search(user=officer, q=""))
    assert {"24", "07840", "07900", "L223", "L07999", tree["other_village"].code} <= seen
    assert "VN" not in seen


def test_search_ignores_diacritics_and_case(tree):
    # given a province officer
    officer = user_with_role(Role.PROVINCE_OFFICER, tree["province"])
    # when they type without diacritics
    results = list(selectors.unit_search(user=officer, q="luong phong"))
    # then the open commune comes first, the closed one of the same name next, then the school
    assert [u.code for u in results] == ["07840", "L07846", tree["school"].code]
    assert tree["school"] in results
    assert selectors.unit_search(user=officer, q="LƯƠNG   PHÔNG").first() == tree["commune"]


def test_search_ranks_exact_and_prefix_matches_first(tree):
    officer = user_with_role(Role.PROVINCE_OFFICER, tree["province"])
    VillageFactory(parent=tree["commune"], name="Xóm Đông Lạnh")
    results = [u.name for u in selectors.unit_search(user=officer, q="thon dong")]
    assert results[0] == "Thôn Đông"


def test_search_matches_code_prefix_and_filters(tree):
    officer = user_with_role(Role.PROVINCE_OFFICER, tree["province"])
    assert _codes(selectors.unit_search(user=officer, q="0784")) >= {"07840", tree["east"].code}
    assert _codes(selectors.unit_search(user=officer, q="L078")) == {"L07846", "L07849"}
    villages = selectors.unit_search(user=officer, q="", kind=UnitKind.VILLAGE)
    assert {u.kind for u in villages} == {UnitKind.VILLAGE}
    current = selectors.unit_search(user=officer, q="luong phong", current_only=True)
    assert "L07846" not in _codes(current)
    on_old_day = selectors.unit_search(
        user=officer, q="", on=date(2025, 1, 1), kind=UnitKind.COMMUNE
    )
    assert "L07846" in _codes(on_old_day)
    below = selectors.unit_search(user=officer, q="", parent=tree["commune"])
    assert _codes(below) == {tree["east"].code, tree["west"].code, tree["school"].code}


@settings(max_examples=30, deadline=None)
@given(q=st.text(max_size=300))
def test_search_accepts_any_text(q):
    # given any query text from a user
    root = country()
    admin = UserFactory(is_superuser=True)
    # then search returns a queryset that evaluates without error
    list(selectors.unit_search(user=admin, q=q)[:5])
    assert root.pk


def test_children_are_scoped_searchable_and_open_first(tree):
    officer = user_with_role(Role.COMMUNE_OFFICER, tree["commune"])
    closed: Any = VillageFactory(parent=tree["commune"], name="Thôn Cũ", valid_to=date(2024, 1, 1))
    children = list(selectors.unit_children(user=officer, unit=tree["commune"]))
    assert children[-1] == closed
    assert _codes(selectors.unit_children(user=officer, unit=tree["commune"], q="tay")) == {
        tree["west"].code
    }
    only_schools = selectors.unit_children(
        user=officer, unit=tree["commune"], kind=UnitKind.ESTABLISHMENT
    )
    assert list(only_schools) == [tree["school"]]
    # children of the province: only the officer's own commune is visible to them
    assert list(selectors.unit_children(user=officer, unit=tree["province"])) == [tree["commune"]]


def test_lineage_both_ways_only_visible(tree):
    officer = user_with_role(Role.COMMUNE_OFFICER, tree["commune"])
    lineage = selectors.unit_lineage(user=officer, unit=tree["commune"])
    assert [link.unit.code for link in lineage["predecessors"]] == ["L07849", "L07846"]
    assert lineage["successors"] == []
    back = selectors.unit_lineage(user=officer, unit=tree["old_a"])
    assert [(link.unit, link.is_default) for link in back["successors"]] == [
        (tree["commune"], True)
    ]


def test_split_successors_default_first(tree):
    admin = UserFactory(is_superuser=True)
    old: Any = CommuneFactory(parent=tree["district"], code="L08000", valid_to=CLOSED)
    for successor, default in ((tree["other"], False), (tree["commune"], True)):
        Lineage.objects.create(
            predecessor=old,
            successor=successor,
            kind=LineageKind.SPLIT,
            is_default=default,
            effective_date=REFORM,
        )
    links = selectors.unit_lineage(user=admin, unit=old)["successors"]
    assert [(link.unit.code, link.is_default) for link in links] == [
        ("07840", True),
        ("07900", False),
    ]


def test_ancestors_name_all_but_link_only_visible(tree):
    officer = user_with_role(Role.COMMUNE_OFFICER, tree["commune"])
    crumbs = selectors.unit_ancestors(tree["east"], user=officer)
    assert [(a.name, a.visible) for a in crumbs] == [
        ("Việt Nam", False),
        ("Tỉnh Bắc Ninh", False),
        ("Xã Lương Phong", True),
    ]
    assert all(not a.visible for a in selectors.unit_ancestors(tree["east"]))
    assert selectors.unit_ancestors(tree["root"]) == []


def test_closed_since_is_the_day_after_valid_to(tree):
    assert selectors.unit_closed_since(tree["old_a"]) == REFORM
    assert selectors.unit_closed_since(tree["commune"]) is None


def test_map_points_include_unit_and_children_with_coordinates(tree):
    officer = user_with_role(Role.COMMUNE_OFFICER, tree["commune"])
    commune = tree["commune"]
    commune.latitude, commune.longitude = 21.3, 105.9
    VillageFactory(parent=commune, name="Thôn Có Tọa Độ", latitude=21.31, longitude=105.91)
    points = selectors.unit_map_points(user=officer, unit=commune)
    assert [(p["name"], p["self"]) for p in points] == [
        ("Xã Lương Phong", True),
        ("Thôn Có Tọa Độ", False),
    ]


def test_home_assignments_and_superuser_root(tree):
    officer = user_with_role(Role.COMMUNE_OFFICER, tree["commune"])
    assert [a.orgunit for a in selectors.user_home_assignments(user=officer)] == [tree["commune"]]
    assert selectors.user_home_units(user=officer) == []
    admin = UserFactory(is_superuser=True)
    assert selectors.user_home_units(user=admin) == [tree["root"]]


def test_units_visible_keeps_order_and_scope(tree):
    officer = user_with_role(Role.COMMUNE_OFFICER, tree["commune"])
    units = [tree["other"], tree["old_b"], tree["commune"]]
    assert selectors.units_visible(user=officer, units=units) == [tree["old_b"], tree["commune"]]


def test_children_list_villages_before_establishments(tree):
    officer = user_with_role(Role.COMMUNE_OFFICER, tree["commune"])
    kinds = [u.kind for u in selectors.unit_children(user=officer, unit=tree["commune"])]
    assert kinds == [UnitKind.VILLAGE, UnitKind.VILLAGE, UnitKind.ESTABLISHMENT]


# --- subtree filters ----------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(prefix=st.sampled_from(["/VN/", "/VN/9", "/VN/91/", "/VN/91/9100", "/VN/92/", "/VN/L9"]))
def test_path_startswith_finds_exactly_the_units_whose_path_begins_so(prefix):
    # Given a small map whose codes share leading digits (91, 910, 9100…)
    from binhyen.orgunits.models import OrgUnit

    if not OrgUnit.objects.filter(code="91").exists():
        country()
        p91 = ProvinceFactory(code="91", name="Tỉnh 91")
        ProvinceFactory(code="92", name="Tỉnh 92")
        for code in ("91001", "91002", "91010"):
            CommuneFactory(code=code, name=f"Xã {code}", parent=p91)
    everything = list(OrgUnit.objects.values_list("path", flat=True))
    # When filtering with path__startswith (a range on SQLite, LIKE elsewhere)
    found = set(OrgUnit.objects.filter(path__startswith=prefix).values_list("path", flat=True))
    # Then it is exactly the units whose path begins with the prefix
    assert found == {p for p in everything if p.startswith(prefix)}
