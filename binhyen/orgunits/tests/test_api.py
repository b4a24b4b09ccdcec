"""The /api/v1/orgunits endpoints: scope, 404/422 JSON with the field, token auth, writes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from binhyen.accounts.models import ApiToken, Role
from binhyen.accounts.tests.factories import UserFactory, user_with_role
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.orgunits import api as orgunits_api
from binhyen.orgunits.models import Lineage, LineageKind, OrgUnit, Subkind, UnitKind
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    OrgUnitFactory,
    ProvinceFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgunits"


@pytest.fixture
def tree() -> dict[str, Any]:
    province: Any = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    commune: Any = CommuneFactory(
        code="07840", name="Xã Lương Phong", parent=province, valid_from=date(2025, 7, 1)
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
        "village": VillageFactory(parent=commune, name="Thôn Đông"),
        "other_village": VillageFactory(parent=other, name="Tổ dân phố 1"),
    }


def token_for(user) -> str:
    """Create an API token for ``user`` directly and return its secret."""
    raw = generate_secret()
    ApiToken.objects.create(
        user=user, name="test", prefix=prefix_of(raw), key_hash=hash_secret(raw)
    )
    return raw


class Api:
    """A test client that sends a bearer token."""

    def __init__(self, client, user=None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}

    def get(self, path: str, **params):
        return self.client.get(f"{BASE}{path}", params, **self.headers)

    def send(self, method: str, path: str, body: dict):
        return getattr(self.client, method)(
            f"{BASE}{path}", json.dumps(body), content_type="application/json", **self.headers
        )


@pytest.fixture
def officer_api(client, tree) -> Api:
    return Api(client, user_with_role(Role.COMMUNE_OFFICER, tree["commune"]))


@pytest.fixture
def anonymous_api(client) -> Api:
    return Api(client)


READ_ENDPOINTS = ["/07840", "/07840/children", "/07840/lineage"]


# --- deny by default ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["", "/resolve?address=x", "/07840", "/07840/children", "/07840/lineage"]
)
def test_anonymous_gets_401(anonymous_api, tree, path):
    response = anonymous_api.client.get(f"{BASE}{path}")
    assert response.status_code == 401
    assert set(response.json()) >= {"message", "field"}


def test_anonymous_writes_get_401(anonymous_api, tree):
    assert anonymous_api.send("post", "/07840/children", {}).status_code == 401
    assert anonymous_api.send("patch", "/07840", {"note": "x"}).status_code == 401


def test_revoked_token_is_refused(client, tree):
    user = user_with_role(Role.COMMUNE_OFFICER, tree["commune"])
    api = Api(client, user)
    ApiToken.objects.update(revoked_at="2025-01-01T00:00:00Z")
    assert api.get("/07840").status_code == 401


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_reads_in_scope(officer_api, path):
    assert officer_api.get(path).status_code == 200


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_reads_out_of_scope_and_unknown_are_the_same_404(officer_api, path):
    forbidden = officer_api.get(path.replace("07840", "07900"))
    missing = officer_api.get(path.replace("07840", "99999"))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    assert forbidden.json()["field"] == "code"
    assert forbidden.json()["message"]


# --- list ---------------------------------------------------------------------------------


def test_list_is_scoped_and_paginated(officer_api, tree):
    body = officer_api.get("", limit=2).json()
    # the commune, its village and its predecessor: nothing of 07900
    assert body["count"] == 3
    assert len(body["items"]) == 2
    codes = {i["code"] for i in officer_api.get("", limit=50).json()["items"]}
    assert codes == {"07840", tree["village"].code, "L07846"}
    page2 = officer_api.get("", limit=2, offset=2).json()["items"]
    assert {i["code"] for i in page2}.isdisjoint({i["code"] for i in body["items"]})


def test_list_search_and_filters(officer_api, tree):
    found = officer_api.get("", q="luong phong").json()
    assert found["items"][0]["code"] == "07840"
    assert found["items"][0]["kind_label"] == "Xã/phường/đặc khu"
    assert found["items"][0]["parent_code"] == "24"
    villages = officer_api.get("", kind="village").json()
    assert [i["code"] for i in villages["items"]] == [tree["village"].code]
    current = officer_api.get("", current="true").json()
    assert "L07846" not in {i["code"] for i in current["items"]}
    old_day = officer_api.get("", on="2025-01-01", kind="commune").json()
    assert {i["code"] for i in old_day["items"]} == {"L07846"}
    below = officer_api.get("", parent="07840").json()
    assert [i["code"] for i in below["items"]] == [tree["village"].code]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"on": "2025-13-01"}, "on"),
        ({"on": "hôm nay"}, "on"),
        ({"kind": "planet"}, "kind"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"current": "maybe"}, "current"),
    ],
)
def test_list_bad_params_are_422_naming_the_field(officer_api, params, field):
    response = officer_api.get("", **params)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_list_parent_out_of_scope_is_404_on_parent(officer_api):
    response = officer_api.get("", parent="07900")
    assert response.status_code == 404
    assert response.json()["field"] == "parent"


# --- one unit, children, lineage ----------------------------------------------------------


def test_detail_fields(officer_api, tree):
    body = officer_api.get("/L07846").json()
    assert body["code"] == "L07846"
    assert body["is_current"] is False
    assert body["valid_to"] == "2025-06-30"
    assert body["parent_code"] == "L223"


def test_children_search(officer_api, tree):
    VillageFactory(parent=tree["commune"], name="Thôn Tây")
    body = officer_api.get("/07840/children", q="tay").json()
    assert [i["name"] for i in body["items"]] == ["Thôn Tây"]
    assert officer_api.get("/07840/children", kind="nope").json()["field"] == "kind"


def test_lineage_both_ways(officer_api, tree):
    body = officer_api.get("/07840/lineage").json()
    assert [link["unit"]["code"] for link in body["predecessors"]] == ["L07846"]
    assert body["successors"] == []
    back = officer_api.get("/L07846/lineage").json()
    assert back["successors"][0]["unit"]["code"] == "07840"
    assert back["successors"][0]["is_default"] is True
    assert back["successors"][0]["kind"] == "merge"


# --- resolve ------------------------------------------------------------------------------


@dataclass
class FakeMatch:
    unit: OrgUnit
    era: str
    successors: list[OrgUnit] = field(default_factory=list)
    province: OrgUnit | None = None


def test_resolve_returns_unit_era_successors_and_province(officer_api, tree, monkeypatch):
    # given a resolver that reads the address as the pre-2025 commune
    seen: dict[str, Any] = {}

    def fake(text, on):
        seen.update(text=text, on=on)
        return FakeMatch(tree["old"], "legacy", [tree["commune"], tree["other"]], tree["province"])

    monkeypatch.setattr(orgunits_api, "_resolve_address", fake)
    # when resolving
    response = officer_api.get("/resolve", address=" xã Đoan Bái, Hiệp Hòa ", on="2024-05-01")
    # then the unit, its era, the visible successors and the province come back
    body = response.json()
    assert response.status_code == 200
    assert seen == {"text": "xã Đoan Bái, Hiệp Hòa", "on": date(2024, 5, 1)}
    assert body["unit"]["code"] == "L07846"
    assert body["era"] == "legacy"
    assert [s["code"] for s in body["successors"]] == ["07840"]
    assert body["province"]["code"] == "24"


def test_resolve_nothing_found_is_404_on_address(officer_api, monkeypatch):
    monkeypatch.setattr(orgunits_api, "_resolve_address", lambda text, on: None)
    response = officer_api.get("/resolve", address="không có")
    assert response.status_code == 404
    assert response.json()["field"] == "address"


def test_resolve_out_of_scope_is_the_same_404(officer_api, tree, monkeypatch):
    monkeypatch.setattr(
        orgunits_api, "_resolve_address", lambda text, on: FakeMatch(tree["other"], "current")
    )
    response = officer_api.get("/resolve", address="Phường Kinh Bắc")
    assert response.status_code == 404
    assert response.json()["field"] == "address"


@pytest.mark.parametrize("params", [{}, {"address": "   "}])
def test_resolve_empty_address_is_422(officer_api, params):
    response = officer_api.get("/resolve", **params)
    assert response.status_code == 422
    assert response.json()["field"] == "address"


def test_resolve_bad_date_is_422(officer_api):
    response = officer_api.get("/resolve", address="x", on="31/12/2024")
    assert response.status_code == 422
    assert response.json()["field"] == "on"


def test_resolve_is_not_read_as_a_unit_code(officer_api, monkeypatch):
    monkeypatch.setattr(orgunits_api, "_resolve_address", lambda text, on: None)
    assert officer_api.get("/resolve", address="x").json()["field"] == "address"


# --- writes -------------------------------------------------------------------------------


def test_create_child(officer_api, tree):
    response = officer_api.send(
        "post",
        "/07840/children",
        {"kind": "village", "subkind": "thon", "name": "Thôn Bắc", "population": 900},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["code"].startswith("07840-T")
    assert body["parent_code"] == "07840"
    assert OrgUnit.objects.get(code=body["code"]).population == 900


def test_create_child_validation_is_400_naming_the_field(officer_api, tree):
    response = officer_api.send(
        "post", "/07840/children", {"kind": "village", "subkind": "thon", "name": "thon dong"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    response = officer_api.send(
        "post", "/07840/children", {"kind": "village", "subkind": "xa", "name": "Thôn Mới"}
    )
    assert response.json()["field"] == "subkind"


def test_create_child_schema_errors_are_422(officer_api):
    response = officer_api.send(
        "post", "/07840/children", {"kind": "commune", "subkind": "xa", "name": "X"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "kind"
    response = officer_api.send(
        "post",
        "/07840/children",
        {"kind": "village", "subkind": "thon", "name": "X", "latitude": 200},
    )
    assert response.json()["field"] == "latitude"


def test_create_child_out_of_scope_or_read_only_is_404(client, officer_api, tree):
    response = officer_api.send(
        "post", "/07900/children", {"kind": "village", "subkind": "thon", "name": "X"}
    )
    assert response.status_code == 404
    viewer_api = Api(client, user_with_role(Role.VIEWER, tree["commune"]))
    response = viewer_api.send(
        "post", "/07840/children", {"kind": "village", "subkind": "thon", "name": "X"}
    )
    assert response.status_code == 404
    assert not OrgUnit.objects.filter(name="X").exists()


def test_create_under_a_village_is_400_on_parent(officer_api, tree):
    response = officer_api.send(
        "post",
        f"/{tree['village'].code}/children",
        {"kind": "village", "subkind": "thon", "name": "X"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "parent"


def test_patch_village_and_commune(officer_api, tree):
    code = tree["village"].code
    response = officer_api.send("patch", f"/{code}", {"name": "Thôn Đông Mới", "households": 40})
    assert response.status_code == 200
    assert response.json()["name"] == "Thôn Đông Mới"
    response = officer_api.send("patch", "/07840", {"population": 12345})
    assert response.json()["population"] == 12345
    response = officer_api.send("patch", "/07840", {"name": "Xã Khác"})
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert officer_api.send("patch", "/07840", {}).status_code == 400


def test_patch_out_of_scope_read_only_and_unknown_are_404(client, officer_api, tree):
    assert officer_api.send("patch", "/07900", {"note": "x"}).status_code == 404
    assert officer_api.send("patch", "/99999", {"note": "x"}).status_code == 404
    viewer_api = Api(client, user_with_role(Role.VIEWER, tree["commune"]))
    assert viewer_api.send("patch", "/07840", {"note": "x"}).status_code == 404


def test_patch_bad_values_are_422(officer_api, tree):
    response = officer_api.send("patch", f"/{tree['village'].code}", {"population": -5})
    assert response.status_code == 422
    assert response.json()["field"] == "population"


def test_session_auth_works_for_reads(client, tree):
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, tree["commune"]))
    assert client.get(f"{BASE}/07840").status_code == 200


def test_user_without_role_sees_an_empty_list(client, tree):
    api = Api(client, UserFactory())
    assert api.get("").json() == {"count": 0, "items": []}


def test_nul_characters_never_reach_the_database(officer_api, tree):
    # given texts with NUL characters (PostgreSQL text cannot store them)
    search = officer_api.get("", q="luong\x00")
    code = officer_api.get("/0784%000")
    created = officer_api.send(
        "post", "/07840/children", {"kind": "village", "subkind": "thon", "name": "Thôn\x00A"}
    )
    patched = officer_api.send("patch", "/07840", {"note": "a\x00b"})
    # then the API refuses each naming the field (the rule of every operation), never a 500
    for response, name in ((search, "q"), (code, "code"), (created, "name"), (patched, "note")):
        assert response.status_code == 422
        assert response.json()["field"] == name


@pytest.mark.parametrize("path", ["", "/07840/children"])
def test_an_offset_past_the_limit_is_refused_not_a_500(officer_api, path):
    # when paging far beyond what the database can count
    response = officer_api.get(path, offset=2**63)
    # then the parameter is named, nothing breaks
    assert response.status_code == 422 and response.json()["field"] == "offset"


# --- villages across the reform -----------------------------------------------------------


def test_village_posted_under_the_old_commune_is_one_row_with_its_former_commune(officer_api, tree):
    # when the officer posts a village under the pre-2025 commune
    response = officer_api.send(
        "post", "/L07846/children", {"kind": "village", "subkind": "thon", "name": "Thôn Cũ"}
    )
    # then one row sits under the current commune and names the old one
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["parent_code"] == "07840"
    assert body["former_parent_code"] == "L07846"
    assert body["former_parent_name"] == "Xã Đoan Bái"
    # and the old commune's children list it for history, the new commune's too
    old_children = officer_api.get("/L07846/children").json()["items"]
    assert [c["name"] for c in old_children] == ["Thôn Cũ"]
    new_children = {c["name"] for c in officer_api.get("/07840/children").json()["items"]}
    assert "Thôn Cũ" in new_children


def test_village_former_commune_by_name_set_and_cleared(officer_api, tree):
    created = officer_api.send(
        "post",
        "/07840/children",
        {"kind": "village", "subkind": "thon", "name": "Thôn Mới", "former_parent": "doan bai"},
    )
    assert created.status_code == 201, created.json()
    code = created.json()["code"]
    assert created.json()["former_parent_code"] == "L07846"
    cleared = officer_api.send("patch", f"/{code}", {"former_parent": ""})
    assert cleared.status_code == 200 and cleared.json()["former_parent_code"] is None
    # a commune that does not lead here is refused with the field named; nothing changes
    bad = officer_api.send("patch", f"/{code}", {"former_parent": "Không Có"})
    assert bad.status_code == 400
    assert bad.json()["field"] == "former_parent"


def test_posting_under_an_old_commune_outside_scope_is_404(client, tree):
    # given an officer of another commune
    api = Api(client, user_with_role(Role.COMMUNE_OFFICER, tree["other"]))
    response = api.send(
        "post", "/L07846/children", {"kind": "village", "subkind": "thon", "name": "Thôn X"}
    )
    assert response.status_code == 404
    assert not OrgUnit.objects.filter(name="Thôn X").exists()


def test_former_commune_of_a_read_only_user_is_404_not_a_lookup(client, tree):
    # given a viewer of the commune / when they try to set a former commune / then 404, unchanged
    api = Api(client, user_with_role(Role.VIEWER, tree["commune"]))
    code = tree["village"].code
    response = api.send("patch", f"/{code}", {"former_parent": "Không Có"})
    assert response.status_code == 404
    assert OrgUnit.objects.get(code=code).former_parent is None
