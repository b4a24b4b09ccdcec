# mypy: disable-error-code="arg-type, union-attr"
"""The reports items of the to-do home: due and late for the user's units, children late."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import UserFactory, user_with_role
from binhyen.core.todo import Severity
from binhyen.indicators import todo
from binhyen.indicators.models import Submission, SubmissionStatus
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, form_with
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)  # November's report is due on 16/12, October's was due on 16/11


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(todo, "today", lambda: TODAY)


@pytest.fixture
def w():
    country()
    province = ProvinceFactory(code="97", name="Tỉnh Thử")
    a = CommuneFactory(code="97001", parent=province, name="Xã An")
    b = CommuneFactory(code="97002", parent=province, name="Xã Bình")
    far_province = ProvinceFactory(code="98", name="Tỉnh Xa")
    c = CommuneFactory(code="98001", parent=far_province, name="Xã Xa")
    form = form_with([MetricFactory(code="t_todo_m")], code="t_todo")
    return {
        "form": form,
        "a": a,
        "b": b,
        "c": c,
        "officer": user_with_role(Role.COMMUNE_OFFICER, a, username="cb_a"),
        "province": user_with_role(Role.PROVINCE_OFFICER, province, username="tinh_97"),
        "far_province": user_with_role(Role.PROVINCE_OFFICER, far_province, username="tinh_98"),
    }


def _mine(user, form):
    return [i for i in todo.ReportsTodo().items(user) if form.name in i.title]


def _report(form, unit, code, status):
    period = parse_period(code)
    return Submission.objects.create(
        form=form,
        orgunit=unit,
        period=code,
        period_start=period.start,
        period_end=period.end,
        status=status,
    )


def test_a_commune_officer_sees_the_report_due_and_the_one_late(w):
    # given a commune that sent neither October's nor November's report
    # when its officer's items are listed
    items = _mine(w["officer"], w["form"])
    # then November is due on 16/12 and October is late since 16/11, each a link to the report
    by_due = {i.due: i for i in items}
    assert set(by_due) == {date(2026, 12, 16), date(2026, 11, 16)}
    assert by_due[date(2026, 12, 16)].severity == Severity.DUE
    assert "Tháng 11/2026" in by_due[date(2026, 12, 16)].title
    assert by_due[date(2026, 12, 16)].url == "/indicators/reports/t_todo/97001/2026M11/"
    assert by_due[date(2026, 11, 16)].severity == Severity.LATE
    assert all(i.count == 1 and i.detail == "Xã An" for i in items)


def test_sent_reports_are_no_longer_listed_and_a_returned_one_is(w):
    # given October approved and November returned by the province
    _report(w["form"], w["a"], "2026M10", SubmissionStatus.APPROVED)
    _report(w["form"], w["a"], "2026M11", SubmissionStatus.RETURNED)
    # when listed; then only November remains, as a report to correct and send again
    items = _mine(w["officer"], w["form"])
    assert [(i.key, i.due) for i in items] == [("indicators.returned", date(2026, 12, 16))]


def test_the_province_sees_how_many_communes_are_late_with_a_link_to_completeness(w):
    # given commune A sent October's report and B did not
    _report(w["form"], w["a"], "2026M10", SubmissionStatus.SUBMITTED)
    # when the province officer's items are listed
    items = [i for i in _mine(w["province"], w["form"]) if i.key == "indicators.children_late"]
    # then one commune is late for October, linked to the completeness page filtered to late
    assert [(i.count, i.severity, i.due) for i in items] == [(1, Severity.LATE, date(2026, 11, 16))]
    assert items[0].url == "/indicators/completeness/t_todo/97/2026M10/?show=late"
    assert "Tháng 10/2026" in items[0].title


def test_reports_waiting_for_review_are_counted(w):
    # given commune B's November report waiting for the province
    _report(w["form"], w["b"], "2026M11", SubmissionStatus.SUBMITTED)
    # when listed for the province officer; then one report waits for review
    items = [i for i in todo.ReportsTodo().items(w["province"]) if i.key == "indicators.review"]
    assert [i.count for i in items] == [1]


def test_nothing_out_of_scope_is_counted(w):
    # given the province of commune C (which sent nothing) and reports of A and B missing
    # when the other province's officer lists their items
    items = [i for i in _mine(w["far_province"], w["form"]) if i.key == "indicators.children_late"]
    # then only their own commune is counted, and nothing names A or B
    assert [i.count for i in items] == [1]
    assert all("Xã An" not in i.detail and "Xã Bình" not in i.detail for i in items)
    # and A's officer sees nothing of commune C
    assert all(i.detail == "Xã An" for i in _mine(w["officer"], w["form"]))


def test_a_user_without_roles_has_nothing(w):
    # given a user holding no role; when listed; then nothing
    assert list(todo.ReportsTodo().items(UserFactory())) == []


def test_the_counts_take_few_queries(w):
    # given a province officer; when the items are listed
    with CaptureQueriesContext(connection) as ctx:
        list(todo.ReportsTodo().items(w["province"]))
    # then a handful of queries per form (a count each), never one per commune
    from binhyen.indicators.models import ReportForm

    forms = ReportForm.objects.filter(is_active=True).count()
    assert len(ctx.captured_queries) <= 6 + forms, "\n".join(
        q["sql"][:150] for q in ctx.captured_queries
    )
