# mypy: disable-error-code="arg-type, list-item, union-attr"
"""GET /api/v1/analytics: values, scope, and bad input named in 4xx answers."""

from __future__ import annotations

import pytest

from binhyen.accounts.models import ApiToken, Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.indicators.tests.factories import MetricFactory, link, old_unit, put
from binhyen.orgunits.models import UnitKind
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db
URL = "/api/v1/analytics"


def bearer(user) -> dict[str, str]:
    raw = generate_secret()
    ApiToken.objects.create(user=user, name="t", prefix=prefix_of(raw), key_hash=hash_secret(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def data():
    root = country()
    p = ProvinceFactory(code="93")
    a = CommuneFactory(code="93001", parent=p, population=2000)
    b = CommuneFactory(code="93002", parent=p)
    old = old_unit("L93009", UnitKind.COMMUNE, root)
    link(old, a)
    m = MetricFactory(code="t_fires")
    put(m, a, "2025M07", 4)
    put(m, b, "2025M07", 6)
    put(m, old, "2024M07", 10)
    return {"p": p, "a": a, "b": b, "old": old, "m": m}


def test_province_officer_gets_children_rollup(client, data):
    # given a province officer with a token / when asking for the province's children
    user = user_with_role(Role.PROVINCE_OFFICER, data["p"])
    resp = client.get(
        URL,
        {
            "metrics": "t_fires",
            "units": "93",
            "periods": "2025M07",
            "children": "true",
            "per_1000": "true",
        },
        **bearer(user),
    )
    # then one row per commune with values, rates and last year's figure from the old unit
    assert resp.status_code == 200, resp.content
    body = resp.json()
    rows = {r["unit"]: r for r in body["rows"]}
    assert rows["93001"]["value"] == 4
    assert rows["93001"]["value_per_1000"] == 2.0
    assert rows["93001"]["last_year"] == 10
    assert rows["93001"]["yoy_pct"] == -60.0
    assert rows["93001"]["includes_predecessors"] is True
    assert rows["93002"]["value"] == 6
    assert body["notes"]
    assert body["periods"][0]["start"] == "2025-07-01"


def test_commune_officer_in_scope_with_session(client, data):
    user = user_with_role(Role.COMMUNE_OFFICER, data["a"])
    client.force_login(user)
    resp = client.get(URL, {"metrics": "t_fires", "units": "93001,L93009", "periods": "2024M07"})
    assert resp.status_code == 200, resp.content
    values = {r["unit"]: r["value"] for r in resp.json()["rows"]}
    assert values == {"93001": 10, "L93009": 10}


def test_out_of_scope_unit_is_404_naming_it(client, data):
    user = user_with_role(Role.COMMUNE_OFFICER, data["a"])
    client.force_login(user)
    resp = client.get(URL, {"metrics": "t_fires", "units": "93002", "periods": "2025M07"})
    assert resp.status_code == 404
    assert "93002" in resp.json()["message"]
    missing = client.get(URL, {"metrics": "t_fires", "units": "XX999", "periods": "2025M07"})
    assert missing.status_code == 404
    assert missing.json()["message"].replace("XX999", "93002") == resp.json()["message"]


def test_anonymous_is_401(client, data):
    resp = client.get(URL, {"metrics": "t_fires", "units": "93", "periods": "2025M07"})
    assert resp.status_code == 401


@pytest.mark.parametrize(
    ("params", "field", "named"),
    [
        ({"metrics": "t_fires,nope", "periods": "2025M07"}, "metrics", "nope"),
        ({"metrics": "t_fires", "periods": "2025M13"}, "periods", "2025M13"),
        ({"metrics": "t_fires", "periods": "2025Q1,abc"}, "periods", "abc"),
        ({"metrics": "", "periods": "2025M07"}, "metrics", ""),
    ],
)
def test_bad_codes_are_400_naming_the_value(client, data, params, field, named):
    user = user_with_role(Role.COMMUNE_OFFICER, data["a"])
    client.force_login(user)
    resp = client.get(URL, {"units": "93001", **params})
    assert resp.status_code == 400
    body = resp.json()
    assert body["field"] == field
    assert named in body["message"]


def test_catalogue_and_period_endpoints(client, data):
    user = user_with_role(Role.COMMUNE_OFFICER, data["a"])
    client.force_login(user)
    resp = client.get("/api/v1/indicators/metrics")
    assert resp.status_code == 200
    codes = {m["code"]: m for m in resp.json()}
    assert codes["weapons_surrendered"]["options"] == [
        "sung",
        "dan",
        "vat_lieu_no",
        "cong_cu_ho_tro",
        "phao",
    ]
    assert client.get("/api/v1/indicators/periods/SM2025M07").json()["start"] == "2025-06-15"
    bad = client.get("/api/v1/indicators/periods/2025X1")
    assert bad.status_code == 400 and "2025X1" in bad.json()["message"]


def test_metric_create_through_the_api(client, data):
    # given a system administrator (token) / when posting a metric / then it is in the catalogue
    admin = user_with_role(Role.SYSTEM_ADMIN, data["p"])
    url = "/api/v1/indicators/metrics"
    body = {
        "code": "t_new_api",
        "name": "Mới",
        "capture_kinds": ["commune"],
        "disaggregation": "weapon_kind",
    }
    resp = client.post(url, body, content_type="application/json", **bearer(admin))
    assert resp.status_code == 201, resp.content
    assert resp.json()["options"][0] == "sung"
    bad = client.post(
        url,
        {**body, "code": "t_other", "disaggregation": "nope"},
        content_type="application/json",
        **bearer(admin),
    )
    assert bad.status_code == 400 and "nope" in bad.json()["message"]
    invalid = client.post(
        url, {**body, "code": "Bad Code"}, content_type="application/json", **bearer(admin)
    )
    assert invalid.status_code == 400 and invalid.json()["field"] == "code"
    officer = user_with_role(Role.COMMUNE_OFFICER, data["a"])
    denied = client.post(
        url, {**body, "code": "t_x"}, content_type="application/json", **bearer(officer)
    )
    assert denied.status_code == 403
