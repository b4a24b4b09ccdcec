# mypy: disable-error-code="arg-type, list-item, union-attr"
"""Catalogue API: metrics (PUT), report forms and validation rules (GET, POST, PUT)."""

from __future__ import annotations

import pytest

from binhyen.accounts.models import ApiToken, Role
from binhyen.accounts.tests.factories import UserFactory, user_with_role
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.core.models import AuditEvent
from binhyen.indicators.models import Metric, ReportForm, ValidationRule
from binhyen.indicators.tests.factories import MetricFactory, form_with, put, rule
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/indicators"


def bearer(user) -> dict[str, str]:
    raw = generate_secret()
    ApiToken.objects.create(user=user, name="t", prefix=prefix_of(raw), key_hash=hash_secret(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def cat():
    p = ProvinceFactory(code="96")
    c = CommuneFactory(code="96001", parent=p)
    a = MetricFactory(code="t_api_a", name="Cũ", capture_kinds=["commune"])
    b = MetricFactory(code="t_api_b", capture_kinds=["commune"])
    q = MetricFactory(code="t_api_q", period_kind="quarter", capture_kinds=["commune"])
    form_with([a], code="t_api_form")
    rule("t_api_rule", b, "le", a)
    return {
        "c": c,
        "a": a,
        "b": b,
        "q": q,
        "admin": bearer(user_with_role(Role.SYSTEM_ADMIN, p)),
        "officer": bearer(user_with_role(Role.COMMUNE_OFFICER, c)),
        "nobody": bearer(UserFactory()),
    }


def _put(client, url, body, auth):
    return client.put(url, body, content_type="application/json", **auth)


def _post(client, url, body, auth):
    return client.post(url, body, content_type="application/json", **auth)


# --- PUT /indicators/metrics/{code} -----------------------------------------------------------


def test_metric_update_by_a_manager_is_saved_and_audited(client, cat):
    resp = _put(
        client, f"{BASE}/metrics/t_api_a", {"name": "Mới", "is_active": False}, cat["admin"]
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["name"] == "Mới" and resp.json()["is_active"] is False
    assert Metric.objects.get(code="t_api_a").name == "Mới"
    event = AuditEvent.objects.get(action="metric.update")
    assert (event.changes["before"]["name"], event.changes["after"]["name"]) == ("Cũ", "Mới")


def test_metric_update_forbidden_and_missing_are_the_same_404(client, cat):
    denied = _put(client, f"{BASE}/metrics/t_api_a", {"name": "X"}, cat["officer"])
    missing = _put(client, f"{BASE}/metrics/t_nope", {"name": "X"}, cat["admin"])
    assert denied.status_code == 404 and missing.status_code == 404
    assert Metric.objects.get(code="t_api_a").name == "Cũ"


def test_metric_update_anonymous_is_401(client, cat):
    assert (
        client.put(f"{BASE}/metrics/t_api_a", {}, content_type="application/json").status_code
        == 401
    )


def test_metric_update_frozen_field_is_400_naming_it(client, cat):
    # given a metric with data / when its period kind changes / then 400 naming the field
    put(cat["a"], cat["c"], "2025M07", 2)
    resp = _put(client, f"{BASE}/metrics/t_api_a", {"period_kind": "quarter"}, cat["admin"])
    assert resp.status_code == 400
    assert resp.json()["field"] == "period_kind"
    assert Metric.objects.get(code="t_api_a").period_kind == "month"


def test_metric_counting_is_set_through_the_api_and_audited(client, cat):
    # given a provider metric without data / when its counting becomes distinct / then saved,
    # shown and audited with before and after
    Metric.objects.filter(code="t_api_b").update(source="provider", provider_key="x.y")
    resp = _put(client, f"{BASE}/metrics/t_api_b", {"counting": "distinct"}, cat["admin"])
    assert resp.status_code == 200 and resp.json()["counting"] == "distinct"
    event = AuditEvent.objects.get(action="metric.update")
    assert event.changes["before"]["counting"] == "quantity"
    assert event.changes["after"]["counting"] == "distinct"


def test_metric_counting_is_frozen_once_the_metric_has_data(client, cat):
    # given a provider metric with a value / when its counting changes / then 400 naming
    # counting, nothing saved
    Metric.objects.filter(code="t_api_b").update(source="provider", provider_key="x.y")
    put(cat["b"], cat["c"], "2025M07", 2)
    resp = _put(client, f"{BASE}/metrics/t_api_b", {"counting": "distinct"}, cat["admin"])
    assert resp.status_code == 400
    assert resp.json()["field"] == "counting"
    assert "cách đếm" in resp.json()["message"]
    assert Metric.objects.get(code="t_api_b").counting == "quantity"
    # the same value again is not a change
    same = _put(client, f"{BASE}/metrics/t_api_b", {"counting": "quantity"}, cat["admin"])
    assert same.status_code == 200


def test_metric_create_counting_distinct_through_the_api(client, cat):
    # given a manager / when posting a provider metric counting distinct things / then 201
    body = {
        "code": "t_api_d",
        "name": "Mô hình",
        "counting": "distinct",
        "aggregation": "last",
        "source": "provider",
        "provider_key": "x.y",
    }
    resp = _post(client, f"{BASE}/metrics", body, cat["admin"])
    assert resp.status_code == 201 and resp.json()["counting"] == "distinct"
    # and a typed metric cannot count distinct things: 400 naming counting
    typed = _post(
        client, f"{BASE}/metrics", {**body, "code": "t_api_e", "source": "form"}, cat["admin"]
    )
    assert typed.status_code == 400 and typed.json()["field"] == "counting"
    assert not Metric.objects.filter(code="t_api_e").exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "t_api_b"}, 400, "code"),
        ({"counting": "twice"}, 400, "counting"),
        ({"disaggregation": "nope"}, 400, "disaggregation"),
        ({"capture_kinds": ["nowhere"]}, 400, "capture_kinds"),
        ({"sort_order": "abc"}, 422, "sort_order"),
    ],
)
def test_metric_update_bad_input(client, cat, body, status, field):
    resp = _put(client, f"{BASE}/metrics/t_api_a", body, cat["admin"])
    assert resp.status_code == status
    assert resp.json()["field"] == field
    assert not AuditEvent.objects.filter(action="metric.update").exists()


def test_metric_list_can_include_inactive_metrics(client, cat):
    Metric.objects.filter(code="t_api_b").update(is_active=False)
    codes = {m["code"] for m in client.get(f"{BASE}/metrics", **cat["officer"]).json()}
    assert "t_api_b" not in codes
    resp = client.get(f"{BASE}/metrics", {"include_inactive": "true"}, **cat["officer"])
    assert "t_api_b" in {m["code"] for m in resp.json()}


# --- /indicators/forms ------------------------------------------------------------------------

FORM = {
    "code": "t_api_form2",
    "name": "Biểu API",
    "period_kind": "month",
    "submitting_kinds": ["commune"],
    "metrics": ["t_api_b", "t_api_a"],
}


def test_form_list_for_a_reader(client, cat):
    resp = client.get(f"{BASE}/forms", **cat["officer"])
    assert resp.status_code == 200
    forms = {f["code"]: f for f in resp.json()}
    assert forms["t_api_form"]["metrics"] == ["t_api_a"]


def test_form_list_without_any_role_is_404_and_anonymous_401(client, cat):
    assert client.get(f"{BASE}/forms", **cat["nobody"]).status_code == 404
    assert client.get(f"{BASE}/forms").status_code == 401


def test_form_create_by_a_manager(client, cat):
    resp = _post(client, f"{BASE}/forms", FORM, cat["admin"])
    assert resp.status_code == 201, resp.content
    assert resp.json()["metrics"] == ["t_api_b", "t_api_a"]
    assert AuditEvent.objects.filter(action="report_form.create").exists()


def test_form_create_without_the_right_is_403_and_anonymous_401(client, cat):
    assert _post(client, f"{BASE}/forms", FORM, cat["officer"]).status_code == 403
    assert client.post(f"{BASE}/forms", FORM, content_type="application/json").status_code == 401
    assert not ReportForm.objects.filter(code="t_api_form2").exists()


@pytest.mark.parametrize(
    ("change", "status", "field", "named"),
    [
        ({"metrics": ["t_api_a", "t_nope"]}, 400, "metrics", "t_nope"),
        ({"metrics": ["t_api_a", "t_api_q"]}, 400, "metrics", "t_api_q"),
        ({"metrics": []}, 400, "metrics", ""),
        ({"code": "t_api_form"}, 400, "code", ""),
        ({"deadline_day": 40}, 422, "deadline_day", ""),
    ],
)
def test_form_create_bad_input(client, cat, change, status, field, named):
    resp = _post(client, f"{BASE}/forms", {**FORM, **change}, cat["admin"])
    assert resp.status_code == status
    assert resp.json()["field"] == field and named in resp.json()["message"]
    assert ReportForm.objects.filter(code__startswith="t_api_form").count() == 1


def test_form_update_by_a_manager(client, cat):
    body = {"name": "Đổi", "metrics": ["t_api_b", "t_api_a"]}
    resp = _put(client, f"{BASE}/forms/t_api_form", body, cat["admin"])
    assert resp.status_code == 200, resp.content
    assert resp.json()["metrics"] == ["t_api_b", "t_api_a"] and resp.json()["name"] == "Đổi"
    event = AuditEvent.objects.get(action="report_form.update")
    assert event.changes["before"]["metrics"] == ["t_api_a"]


def test_form_update_forbidden_missing_and_anonymous(client, cat):
    assert (
        _put(client, f"{BASE}/forms/t_api_form", {"name": "X"}, cat["officer"]).status_code == 404
    )
    assert _put(client, f"{BASE}/forms/t_nope", {"name": "X"}, cat["admin"]).status_code == 404
    anon = client.put(f"{BASE}/forms/t_api_form", {}, content_type="application/json")
    assert anon.status_code == 401


def test_form_update_wrong_period_kind_and_unknown_metric(client, cat):
    bad = _put(client, f"{BASE}/forms/t_api_form", {"period_kind": "quarter"}, cat["admin"])
    assert bad.status_code == 400 and bad.json()["field"] == "metrics"
    unknown = _put(client, f"{BASE}/forms/t_api_form", {"metrics": ["t_nope"]}, cat["admin"])
    assert unknown.status_code == 400 and "t_nope" in unknown.json()["message"]
    assert ReportForm.objects.get(code="t_api_form").period_kind == "month"


# --- /indicators/rules ------------------------------------------------------------------------

RULE = {
    "code": "t_api_rule2",
    "name": "A ≥ B",
    "left_metric": "t_api_a",
    "operator": "ge",
    "right_metric": "t_api_b",
}


def test_rule_list_for_a_reader(client, cat):
    resp = client.get(f"{BASE}/rules", **cat["officer"])
    assert resp.status_code == 200
    rules = {r["code"]: r for r in resp.json()}
    assert rules["t_api_rule"]["left_metric"] == "t_api_b"
    assert client.get(f"{BASE}/rules", **cat["nobody"]).status_code == 404
    assert client.get(f"{BASE}/rules").status_code == 401


def test_rule_create_by_a_manager(client, cat):
    resp = _post(client, f"{BASE}/rules", RULE, cat["admin"])
    assert resp.status_code == 201, resp.content
    assert resp.json()["is_active"] is True
    assert AuditEvent.objects.filter(action="validation_rule.create").exists()


def test_rule_create_without_the_right_is_403_and_anonymous_401(client, cat):
    assert _post(client, f"{BASE}/rules", RULE, cat["officer"]).status_code == 403
    assert client.post(f"{BASE}/rules", RULE, content_type="application/json").status_code == 401
    assert not ValidationRule.objects.filter(code="t_api_rule2").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"left_metric": "t_nope"}, "left_metric"),
        ({"right_metric": "t_nope"}, "right_metric"),
        ({"operator": "zz"}, "operator"),
        ({"code": "t_api_rule"}, "code"),
    ],
)
def test_rule_create_bad_input(client, cat, change, field):
    resp = _post(client, f"{BASE}/rules", {**RULE, **change}, cat["admin"])
    assert resp.status_code == 400
    assert resp.json()["field"] == field
    assert not ValidationRule.objects.filter(code="t_api_rule2").exists()


def test_rule_update_switches_off_and_audits(client, cat):
    resp = _put(client, f"{BASE}/rules/t_api_rule", {"is_active": False}, cat["admin"])
    assert resp.status_code == 200, resp.content
    assert ValidationRule.objects.get(code="t_api_rule").is_active is False
    event = AuditEvent.objects.get(action="validation_rule.update")
    assert event.changes["before"]["is_active"] is True
    assert event.changes["after"]["is_active"] is False


def test_rule_update_forbidden_missing_anonymous_and_bad_input(client, cat):
    assert (
        _put(client, f"{BASE}/rules/t_api_rule", {"name": "X"}, cat["officer"]).status_code == 404
    )
    assert _put(client, f"{BASE}/rules/t_nope", {"name": "X"}, cat["admin"]).status_code == 404
    anon = client.put(f"{BASE}/rules/t_api_rule", {}, content_type="application/json")
    assert anon.status_code == 401
    bad = _put(client, f"{BASE}/rules/t_api_rule", {"right_metric": "t_nope"}, cat["admin"])
    assert bad.status_code == 400 and bad.json()["field"] == "right_metric"
    assert ValidationRule.objects.get(code="t_api_rule").right_metric.code == "t_api_a"
