# mypy: disable-error-code="arg-type, list-item, union-attr"
"""Catalogue writes: report form and validation rule changes (checked, atomic, audited)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.core.models import AuditEvent
from binhyen.indicators import services
from binhyen.indicators.models import ReportForm, ValidationRule
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, form_with, rule
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    p = ProvinceFactory()
    c = CommuneFactory(parent=p)
    a = MetricFactory(code="t_a", capture_kinds=["commune"])
    b = MetricFactory(code="t_b", capture_kinds=["commune"])
    quarterly = MetricFactory(code="t_q", period_kind="quarter", capture_kinds=["commune"])
    return {
        "p": p,
        "c": c,
        "a": a,
        "b": b,
        "q": quarterly,
        "admin": user_with_role(Role.SYSTEM_ADMIN, p),
        "officer": user_with_role(Role.COMMUNE_OFFICER, c),
        "form": form_with([a], code="t_form"),
    }


def _codes(form: ReportForm) -> list[str]:
    return [link.metric.code for link in form.form_metrics.select_related("metric")]


def test_report_form_update_changes_fields_and_metrics_in_order(cat):
    # given a form with one metric / when a manager renames it and sets two metrics
    form = services.report_form_update(
        actor=cat["admin"], form=cat["form"], name="Biểu mới", metrics=[cat["b"], cat["a"]]
    )
    # then the form has the new name, the metrics in the given order, and one audit event
    form.refresh_from_db()
    assert form.name == "Biểu mới"
    assert _codes(form) == ["t_b", "t_a"]
    event = AuditEvent.objects.get(action="report_form.update")
    assert event.changes["before"]["metrics"] == ["t_a"]
    assert event.changes["after"]["metrics"] == ["t_b", "t_a"]
    assert event.changes["after"]["name"] == "Biểu mới"


def test_report_form_update_keeps_metrics_when_not_given(cat):
    services.report_form_update(actor=cat["admin"], form=cat["form"], deadline_day=20)
    cat["form"].refresh_from_db()
    assert cat["form"].deadline_day == 20 and _codes(cat["form"]) == ["t_a"]


def test_report_form_update_refuses_a_metric_of_another_period_kind(cat):
    # given a monthly form / when a quarterly metric is added / then refused, nothing saved
    with pytest.raises(ValidationError) as exc:
        services.report_form_update(
            actor=cat["admin"], form=cat["form"], name="X", metrics=[cat["a"], cat["q"]]
        )
    assert "t_q" in exc.value.message_dict["metrics"][0]
    cat["form"].refresh_from_db()
    assert cat["form"].name != "X" and _codes(cat["form"]) == ["t_a"]
    assert not AuditEvent.objects.filter(action="report_form.update").exists()


def test_report_form_update_refuses_a_period_kind_its_metrics_do_not_have(cat):
    with pytest.raises(ValidationError) as exc:
        services.report_form_update(actor=cat["admin"], form=cat["form"], period_kind="quarter")
    assert "t_a" in exc.value.message_dict["metrics"][0]


def test_report_form_update_refuses_no_metric_duplicates_and_unknown_fields(cat):
    with pytest.raises(ValidationError) as exc:
        services.report_form_update(actor=cat["admin"], form=cat["form"], metrics=[])
    assert "metrics" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.report_form_update(actor=cat["admin"], form=cat["form"], metrics=[cat["a"]] * 2)
    with pytest.raises(ValidationError):
        services.report_form_update(actor=cat["admin"], form=cat["form"], colour="red")
    assert _codes(cat["form"]) == ["t_a"]


def test_report_form_update_refuses_a_duplicate_code(cat):
    form_with([cat["b"]], code="t_other")
    with pytest.raises(ValidationError) as exc:
        services.report_form_update(actor=cat["admin"], form=cat["form"], code="t_other")
    assert "code" in exc.value.message_dict


def test_report_form_code_and_period_are_frozen_once_reports_exist(cat):
    # given a unit has opened a report of the form
    services.submission_open(
        actor=user_with_role(Role.COMMUNE_OFFICER, cat["c"]),
        form=cat["form"],
        unit=cat["c"],
        period_code="2025M07",
    )
    # when the code changes / then refused naming the field; other fields still change
    with pytest.raises(ValidationError) as exc:
        services.report_form_update(actor=cat["admin"], form=cat["form"], code="t_renamed")
    assert "code" in exc.value.message_dict
    services.report_form_update(actor=cat["admin"], form=cat["form"], name="Đổi tên")


def test_report_form_update_needs_the_manage_permission(cat):
    with pytest.raises(PermissionDenied):
        services.report_form_update(actor=cat["officer"], form=cat["form"], name="X")


def test_report_form_create_refuses_duplicate_metrics(cat):
    with pytest.raises(ValidationError) as exc:
        services.report_form_create(
            actor=cat["admin"],
            code="t_dup",
            name="Dup",
            period_kind="month",
            submitting_kinds=["commune"],
            metrics=[cat["a"], cat["a"]],
        )
    assert "metrics" in exc.value.message_dict
    assert not ReportForm.objects.filter(code="t_dup").exists()


def test_validation_rule_update_changes_and_audits(cat):
    r = rule("t_rule", cat["b"], "le", cat["a"])
    services.validation_rule_update(
        actor=cat["admin"], rule=r, operator="lt", severity="warning", name="Mới"
    )
    r.refresh_from_db()
    assert (r.operator, r.severity, r.name) == ("lt", "warning", "Mới")
    event = AuditEvent.objects.get(action="validation_rule.update")
    assert event.changes["before"]["operator"] == "le"
    assert event.changes["after"]["operator"] == "lt"
    assert event.changes["after"]["left_metric"] == "t_b"


def test_validation_rule_update_refuses_bad_input(cat):
    r = rule("t_rule", cat["b"], "le", cat["a"])
    rule("t_rule2", cat["a"], "ge", cat["b"])
    with pytest.raises(ValidationError) as exc:
        services.validation_rule_update(actor=cat["admin"], rule=r, operator="zz")
    assert "operator" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.validation_rule_update(actor=cat["admin"], rule=r, code="t_rule2")
    assert "code" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.validation_rule_update(actor=cat["officer"], rule=r, is_active=False)
    assert ValidationRule.objects.get(code="t_rule").operator == "le"


def test_an_inactive_rule_is_not_checked(cat):
    # given a rule b ≤ a broken by the values b=5, a=1
    r = rule("t_rule", cat["b"], "le", cat["a"])
    args = {
        "unit": cat["c"],
        "period": parse_period("2025M07"),
        "values": {cat["a"].pk: 1.0, cat["b"].pk: 5.0},
        "metric_ids": [cat["a"].pk, cat["b"].pk],
    }
    assert [b.rule.code for b in services.rules_check(**args)] == ["t_rule"]
    # when the rule is switched off / then it is no longer checked
    services.validation_rule_update(actor=cat["admin"], rule=r, is_active=False)
    assert services.rules_check(**args) == []
