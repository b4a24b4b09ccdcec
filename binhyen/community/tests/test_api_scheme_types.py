"""POST /api/v1/community/scheme-types: the catalogue page's rules over the API — province
types by whoever manages the province's community records, national ones by the keepers of
the metric catalogue; anybody else 404; bad input 400 naming the field, nothing saved."""

from __future__ import annotations

from typing import Any

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.community.models import SchemeType
from binhyen.community.tests.test_api import Api

pytestmark = pytest.mark.django_db
PATH = "/scheme-types"


def body(s: Any, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "province": s.province.code,
        "name": "Mô hình Camera an ninh",
        "category": "khac",
        "description": "Camera do dân góp",
        "typical": True,
    }
    data.update(over)
    return data


def test_province_officer_adds_a_typical_province_type(client, s):
    # when the province officer adds a type to their province's catalogue
    resp = Api(client, s.province_officer).send("post", PATH, body(s))
    # then it is stored for the province, marked typical, and listed
    assert resp.status_code == 201, resp.content
    created = resp.json()
    assert (created["province"], created["is_typical"]) == (s.province.code, True)
    assert created["code"]
    item = SchemeType.objects.get(pk=created["id"])
    assert item.province == s.province and item.typical_in.filter(pk=s.province.pk).exists()
    listed = Api(client, s.commune_officer).get(PATH, province=s.province.code).json()
    assert created["id"] in {t["id"] for t in listed}


def test_system_admin_adds_a_national_type(client, s):
    # Given a system administrator
    admin = user_with_role(Role.SYSTEM_ADMIN, s.province)
    # When they add a type without a province
    resp = Api(client, admin).send("post", PATH, body(s, province=None, typical=False))
    # Then it lands in the national catalogue
    assert resp.status_code == 201, resp.content
    assert resp.json()["province"] is None


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"name": "   "}, "name"),
        ({"category": "khong_co"}, "category"),
        ({"sort_order": -1}, "sort_order"),
    ],
)
def test_bad_input_is_400_naming_the_field(client, s, over, field):
    # Given the province officer
    before = SchemeType.objects.count()
    # When they post a type with one bad field
    resp = Api(client, s.province_officer).send("post", PATH, body(s, **over))
    # Then the answer is 400 naming it and nothing is saved
    assert resp.status_code == 400, resp.content
    assert resp.json()["field"] == field
    assert SchemeType.objects.count() == before


def test_permissions(client, s):
    # Given users without the catalogue permission
    before = SchemeType.objects.count()
    viewer = user_with_role(Role.VIEWER, s.province)
    # anonymous: 401
    # When they post a type
    # Then each gets 401 or 404 and nothing is saved
    assert Api(client).send("post", PATH, body(s)).status_code == 401
    # a commune officer, a viewer and another province's officer: 404 for the province
    for user in (s.commune_officer, viewer, s.far_officer):
        assert Api(client, user).send("post", PATH, body(s)).status_code == 404
    # the national catalogue is not the province officer's: 404
    resp = Api(client, s.province_officer).send("post", PATH, body(s, province=None))
    assert resp.status_code == 404
    # a unit that is not a province: 404
    resp = Api(client, s.province_officer).send("post", PATH, body(s, province=s.commune.code))
    assert resp.status_code == 404
    assert SchemeType.objects.count() == before
