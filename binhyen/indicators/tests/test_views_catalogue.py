# mypy: disable-error-code="arg-type, list-item, union-attr"
"""Catalogue pages: metrics, report forms, validation rules (permissions, bad input, audit)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import UserFactory, user_with_role
from binhyen.core.models import AuditEvent
from binhyen.indicators.models import Metric, ReportForm, ValidationRule
from binhyen.indicators.tests.factories import MetricFactory, form_with, put, rule
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_otp(settings):
    # Two-factor is covered by the accounts app; these pages are tested for their own rules.
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture
def cat():
    p = ProvinceFactory(code="95")
    c = CommuneFactory(code="95001", parent=p)
    a = MetricFactory(code="t_cat_a", name="Vụ cháy rừng", capture_kinds=["commune"])
    b = MetricFactory(code="t_cat_b", name="Số buổi tuyên truyền", capture_kinds=["commune"])
    q = MetricFactory(code="t_cat_q", period_kind="quarter", capture_kinds=["commune"])
    return {
        "p": p,
        "c": c,
        "a": a,
        "b": b,
        "q": q,
        "form": form_with([a], code="t_cat_form"),
        "rule": rule("t_cat_rule", b, "le", a),
        "admin": user_with_role(Role.SYSTEM_ADMIN, p),
        "officer": user_with_role(Role.COMMUNE_OFFICER, c),
        "viewer": user_with_role(Role.VIEWER, c),
    }


def _pages(cat) -> dict[str, str]:
    return {
        "metric_list": reverse("indicators:metric_list"),
        "metric_create": reverse("indicators:metric_create"),
        "metric_edit": reverse("indicators:metric_edit", args=["t_cat_a"]),
        "form_list": reverse("indicators:form_list"),
        "form_create": reverse("indicators:form_create"),
        "form_edit": reverse("indicators:form_edit", args=["t_cat_form"]),
        "rule_list": reverse("indicators:rule_list"),
        "rule_create": reverse("indicators:rule_create"),
        "rule_edit": reverse("indicators:rule_edit", args=["t_cat_rule"]),
    }


MANAGER_ONLY = ["metric_create", "metric_edit", "form_create", "form_edit"]
MANAGER_ONLY += ["rule_create", "rule_edit"]
LISTS = ["metric_list", "form_list", "rule_list"]


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", LISTS + MANAGER_ONLY)
def test_manager_opens_every_page(client, cat, name):
    # given a system administrator / when opening the page / then it answers 200
    client.force_login(cat["admin"])
    assert client.get(_pages(cat)[name]).status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_reader_sees_the_lists_without_edit_links(client, cat, name):
    # given a commune officer (reads numbers, may not manage the catalogue)
    client.force_login(cat["officer"])
    resp = client.get(_pages(cat)[name])
    # then the list shows, without add or edit links
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "/edit/" not in html and "/new/" not in html


@pytest.mark.parametrize("name", MANAGER_ONLY)
def test_user_without_the_right_gets_404(client, cat, name):
    # given a commune officer / when opening a manager page / then 404 like a missing page
    client.force_login(cat["officer"])
    assert client.get(_pages(cat)[name]).status_code == 404


@pytest.mark.parametrize("name", LISTS)
def test_user_without_any_role_gets_404_on_lists(client, cat, name):
    client.force_login(UserFactory())
    assert client.get(_pages(cat)[name]).status_code == 404


@pytest.mark.parametrize("name", LISTS + MANAGER_ONLY + ["rule_toggle"])
def test_anonymous_is_sent_to_login(client, cat, name):
    url = reverse("indicators:rule_toggle", args=["t_cat_rule"]) if name == "rule_toggle" else None
    url = url or _pages(cat)[name]
    resp = client.post(url) if name == "rule_toggle" else client.get(url)
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("code", ["nope", "t_cat_a"])
def test_missing_and_forbidden_edit_answer_the_same_404(client, cat, code):
    client.force_login(cat["admin"] if code == "nope" else cat["officer"])
    resp = client.get(reverse("indicators:metric_edit", args=[code]))
    assert resp.status_code == 404


def test_manager_sees_add_and_edit_links(client, cat):
    client.force_login(cat["admin"])
    html = client.get(reverse("indicators:metric_list")).content.decode()
    assert reverse("indicators:metric_create") in html
    assert reverse("indicators:metric_edit", args=["t_cat_a"]) in html


def test_dashboard_links_to_the_catalogue(client, cat):
    client.force_login(cat["officer"])
    resp = client.get(reverse("indicators:dashboard", args=["95001"]))
    assert reverse("indicators:metric_list") in resp.content.decode()


# --- metric list: search, filters, pages ------------------------------------------------------


def test_metric_search_and_filters(client, cat):
    client.force_login(cat["officer"])
    url = reverse("indicators:metric_list")
    html = client.get(url, {"q": "cháy rừng"}).content.decode()
    assert "t_cat_a" in html and "t_cat_b" not in html
    html = client.get(url, {"q": "T_CAT_B"}).content.decode()
    assert "t_cat_b" in html and "t_cat_a" not in html
    html = client.get(url, {"q": "t_cat", "period_kind": "quarter"}).content.decode()
    assert "t_cat_q" in html and "t_cat_a" not in html
    Metric.objects.filter(code="t_cat_b").update(is_active=False)
    html = client.get(url, {"q": "t_cat", "active": "0"}).content.decode()
    assert "t_cat_b" in html and "t_cat_a" not in html
    html = client.get(url, {"q": "t_cat", "source": "provider"}).content.decode()
    assert 'data-testid="empty-state"' in html


def test_metric_list_bad_filter_is_400(client, cat):
    client.force_login(cat["officer"])
    resp = client.get(reverse("indicators:metric_list"), {"source": "nowhere"})
    assert resp.status_code == 400


def test_metric_list_is_paginated(client, cat, settings):
    settings.PAGE_SIZE = 2
    client.force_login(cat["officer"])
    url = reverse("indicators:metric_list")
    first = client.get(url, {"q": "t_cat"}).content.decode()
    second = client.get(url, {"q": "t_cat", "page": 2}).content.decode()
    assert "t_cat_a" in first and "t_cat_b" in first and "t_cat_q" not in first
    assert "t_cat_q" in second


# --- metric create / edit -------------------------------------------------------------------

METRIC_POST = {
    "code": "t_cat_new",
    "name": "Chỉ tiêu mới",
    "value_type": "integer",
    "aggregation": "sum",
    "counting": "quantity",
    "period_kind": "month",
    "capture_kinds": ["commune"],
    "source": "form",
    "sort_order": "0",
    "is_active": "on",
}


def test_metric_create_saves_and_audits(client, cat):
    client.force_login(cat["admin"])
    resp = client.post(reverse("indicators:metric_create"), METRIC_POST)
    assert resp.status_code == 302
    assert Metric.objects.get(code="t_cat_new").capture_kinds == ["commune"]
    assert AuditEvent.objects.filter(action="metric.create", actor=cat["admin"]).exists()


def test_metric_create_duplicate_code_is_shown_next_to_the_field(client, cat):
    client.force_login(cat["admin"])
    resp = client.post(reverse("indicators:metric_create"), {**METRIC_POST, "code": "t_cat_a"})
    assert resp.status_code == 400
    assert resp.context["form"].errors["code"]
    assert not AuditEvent.objects.filter(action="metric.create").exists()


def test_metric_create_of_a_distinct_provider_metric(client, cat):
    # given a manager / when posting a provider metric counting distinct things / then saved so
    client.force_login(cat["admin"])
    post = {**METRIC_POST, "counting": "distinct", "source": "provider", "provider_key": "x.y"}
    resp = client.post(reverse("indicators:metric_create"), post)
    assert resp.status_code == 302
    assert Metric.objects.get(code="t_cat_new").counting == "distinct"


def test_metric_create_distinct_typed_metric_is_refused_next_to_counting(client, cat):
    # given a manager / when a typed (form) metric asks to count distinct things / then 400
    client.force_login(cat["admin"])
    resp = client.post(reverse("indicators:metric_create"), {**METRIC_POST, "counting": "distinct"})
    assert resp.status_code == 400
    assert resp.context["form"].errors["counting"]
    assert not Metric.objects.filter(code="t_cat_new").exists()


def test_metric_create_bad_input_names_the_fields(client, cat):
    client.force_login(cat["admin"])
    post = {**METRIC_POST, "code": "Bad Code", "min_value": "5", "max_value": "1"}
    resp = client.post(reverse("indicators:metric_create"), post)
    assert resp.status_code == 400
    assert set(resp.context["form"].errors) >= {"code", "max_value"}


def test_metric_create_denied_to_a_user_without_the_right(client, cat):
    client.force_login(cat["officer"])
    resp = client.post(reverse("indicators:metric_create"), METRIC_POST)
    assert resp.status_code == 404
    assert not Metric.objects.filter(code="t_cat_new").exists()


def test_metric_edit_saves_and_audits(client, cat):
    client.force_login(cat["admin"])
    post = {**METRIC_POST, "code": "t_cat_a", "name": "Tên mới", "is_active": ""}
    resp = client.post(reverse("indicators:metric_edit", args=["t_cat_a"]), post)
    assert resp.status_code == 302
    cat["a"].refresh_from_db()
    assert cat["a"].name == "Tên mới" and cat["a"].is_active is False
    event = AuditEvent.objects.get(action="metric.update")
    assert event.changes["before"]["name"] == "Vụ cháy rừng"


def test_metric_edit_frozen_field_error_is_shown_and_nothing_saved(client, cat):
    # given a metric with data / when its period kind changes / then refused next to the field
    put(cat["a"], cat["c"], "2025M07", 3)
    client.force_login(cat["admin"])
    post = {**METRIC_POST, "code": "t_cat_a", "name": "X", "period_kind": "quarter"}
    resp = client.post(reverse("indicators:metric_edit", args=["t_cat_a"]), post)
    assert resp.status_code == 400
    assert resp.context["form"].errors["period_kind"]
    cat["a"].refresh_from_db()
    assert (cat["a"].name, cat["a"].period_kind) == ("Vụ cháy rừng", "month")


# --- report forms -----------------------------------------------------------------------------

FORM_POST = {
    "code": "t_cat_form2",
    "name": "Biểu thử",
    "period_kind": "month",
    "submitting_kinds": ["commune"],
    "metrics": ["t_cat_a", "t_cat_b"],
    "deadline_month_offset": "1",
    "deadline_day": "16",
    "is_active": "on",
}


def test_form_create_saves_and_audits(client, cat):
    client.force_login(cat["admin"])
    resp = client.post(reverse("indicators:form_create"), FORM_POST)
    assert resp.status_code == 302, resp.content
    form = ReportForm.objects.get(code="t_cat_form2")
    assert {m.code for m in form.metrics.all()} == {"t_cat_a", "t_cat_b"}
    assert AuditEvent.objects.filter(action="report_form.create").exists()


@pytest.mark.parametrize(
    ("change", "field", "named"),
    [
        ({"metrics": ["t_cat_a", "t_nope"]}, "metrics", "t_nope"),
        ({"metrics": ["t_cat_a", "t_cat_q"]}, "metrics", "t_cat_q"),
        ({"metrics": []}, "metrics", ""),
        ({"code": "t_cat_form"}, "code", ""),
        ({"submitting_kinds": []}, "submitting_kinds", ""),
        ({"deadline_day": "40"}, "deadline_day", ""),
    ],
)
def test_form_create_bad_input(client, cat, change, field, named):
    client.force_login(cat["admin"])
    resp = client.post(reverse("indicators:form_create"), {**FORM_POST, **change})
    assert resp.status_code == 400
    errors = resp.context["form"].errors[field]
    assert named in " ".join(errors)
    assert not ReportForm.objects.filter(code="t_cat_form2").exists()


def test_form_edit_saves_keeps_order_and_audits(client, cat):
    client.force_login(cat["admin"])
    post = {**FORM_POST, "code": "t_cat_form", "name": "Đổi tên"}
    resp = client.post(reverse("indicators:form_edit", args=["t_cat_form"]), post)
    assert resp.status_code == 302
    form = ReportForm.objects.get(code="t_cat_form")
    assert form.name == "Đổi tên"
    assert [link.metric.code for link in form.form_metrics.all()] == ["t_cat_a", "t_cat_b"]
    assert AuditEvent.objects.filter(action="report_form.update").exists()


def test_form_edit_wrong_period_kind_is_refused(client, cat):
    client.force_login(cat["admin"])
    post = {**FORM_POST, "code": "t_cat_form", "period_kind": "quarter", "metrics": ["t_cat_a"]}
    resp = client.post(reverse("indicators:form_edit", args=["t_cat_form"]), post)
    assert resp.status_code == 400
    assert "t_cat_a" in " ".join(resp.context["form"].errors["metrics"])
    assert ReportForm.objects.get(code="t_cat_form").period_kind == "month"


def test_form_edit_denied_to_a_user_without_the_right(client, cat):
    client.force_login(cat["officer"])
    post = {**FORM_POST, "code": "t_cat_form", "name": "X"}
    assert (
        client.post(reverse("indicators:form_edit", args=["t_cat_form"]), post).status_code == 404
    )
    assert ReportForm.objects.get(code="t_cat_form").name != "X"


# --- validation rules -------------------------------------------------------------------------

RULE_POST = {
    "code": "t_cat_rule2",
    "name": "B không quá A",
    "left_metric": "t_cat_b",
    "operator": "le",
    "right_metric": "t_cat_a",
    "severity": "warning",
    "is_active": "on",
}


def test_rule_create_saves_and_audits(client, cat):
    client.force_login(cat["admin"])
    resp = client.post(reverse("indicators:rule_create"), RULE_POST)
    assert resp.status_code == 302
    assert ValidationRule.objects.get(code="t_cat_rule2").severity == "warning"
    assert AuditEvent.objects.filter(action="validation_rule.create").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"left_metric": "t_nope"}, "left_metric"),
        ({"operator": "xx"}, "operator"),
        ({"code": "t_cat_rule"}, "code"),
    ],
)
def test_rule_create_bad_input(client, cat, change, field):
    client.force_login(cat["admin"])
    resp = client.post(reverse("indicators:rule_create"), {**RULE_POST, **change})
    assert resp.status_code == 400
    assert resp.context["form"].errors[field]
    assert not ValidationRule.objects.filter(code="t_cat_rule2").exists()


def test_rule_edit_saves_and_audits(client, cat):
    client.force_login(cat["admin"])
    post = {**RULE_POST, "code": "t_cat_rule", "operator": "lt"}
    resp = client.post(reverse("indicators:rule_edit", args=["t_cat_rule"]), post)
    assert resp.status_code == 302
    assert ValidationRule.objects.get(code="t_cat_rule").operator == "lt"
    assert AuditEvent.objects.filter(action="validation_rule.update").exists()


def test_rule_toggle_switches_off_and_on(client, cat):
    client.force_login(cat["admin"])
    url = reverse("indicators:rule_toggle", args=["t_cat_rule"])
    assert client.post(url, {"active": "0"}).status_code == 302
    assert ValidationRule.objects.get(code="t_cat_rule").is_active is False
    client.post(url, {"active": "1"})
    assert ValidationRule.objects.get(code="t_cat_rule").is_active is True
    assert AuditEvent.objects.filter(action="validation_rule.update").count() == 2


def test_rule_toggle_bad_value_is_400(client, cat):
    client.force_login(cat["admin"])
    resp = client.post(reverse("indicators:rule_toggle", args=["t_cat_rule"]), {"active": "x"})
    assert resp.status_code == 400
    assert ValidationRule.objects.get(code="t_cat_rule").is_active is True
    assert not AuditEvent.objects.filter(action="validation_rule.update").exists()


def test_rule_toggle_denied_and_missing_are_404(client, cat):
    client.force_login(cat["officer"])
    url = reverse("indicators:rule_toggle", args=["t_cat_rule"])
    assert client.post(url, {"active": "0"}).status_code == 404
    assert ValidationRule.objects.get(code="t_cat_rule").is_active is True
    client.force_login(cat["admin"])
    missing = reverse("indicators:rule_toggle", args=["t_nope"])
    assert client.post(missing, {"active": "0"}).status_code == 404


# --- absent fields keep their values ---------------------------------------------------------


def _stored(obj):
    from django.forms.models import model_to_dict

    return model_to_dict(type(obj).objects.get(pk=obj.pk))


@pytest.mark.parametrize(("name", "key"), [("metric_edit", "a"), ("rule_edit", "rule")])
def test_a_post_with_only_the_csrf_token_changes_nothing(client, cat, name, key):
    # Given a stored metric or rule
    before = _stored(cat[key])
    client.force_login(cat["admin"])
    # When its edit form is posted with nothing but the CSRF token
    client.post(_pages(cat)[name], {"csrfmiddlewaretoken": "x"})
    # Then nothing of it changed
    assert _stored(cat[key]) == before


@pytest.mark.parametrize(
    "body",
    [
        {"max_value": "inf"},
        {"max_value": "nan"},
        {"min_value": "-1e400"},
        {"name": "Vụ cháy\u202e rừng"},
    ],
)
def test_bad_bounds_or_hidden_characters_on_the_metric_form_change_nothing(client, cat, body):
    # Given a stored metric
    before = _stored(cat["a"])
    client.force_login(cat["admin"])
    # When the edit form carries an infinite or NaN bound or a hidden character
    response = client.post(_pages(cat)["metric_edit"], body)
    # Then the form comes back with the error, and nothing changed
    assert response.status_code == 400
    assert _stored(cat["a"]) == before
