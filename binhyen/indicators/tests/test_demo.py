"""The demo's 24 months of typed figures: deterministic, marked, never over real data,
consistent with the validation rules, and loaded once."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date

import pytest

from binhyen.indicators import demo
from binhyen.indicators.models import DataValue, Metric, Submission, SubmissionStatus
from binhyen.indicators.tests.factories import put
from binhyen.orgunits import demo as base_demo
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)


@pytest.fixture
def demo_units():
    country()
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province)
    CommuneFactory(code="07210", name="Phường Bắc Giang", parent=province)
    CommuneFactory(code="07300", name="Xã Yên Dũng", parent=province)
    base_demo.load()
    return province


def test_months_are_the_24_that_have_ended():
    # Given 2 December 2026
    # When the demo's months are asked for
    months = demo.demo_months(TODAY)
    # Then they run from December 2024 to November 2026, the current month excluded
    assert [months[0].code, months[-1].code, len(months)] == ["2024M12", "2026M11", 24]


def test_load_is_marked_idempotent_and_keeps_real_values(demo_units):
    # Given a value an officer entered before the demo was loaded
    crimes = Metric.objects.get(code="fires")
    other = OrgUnit.objects.get(code="07300")
    put(crimes, other, "2026M10", 7)
    # When the demo figures are loaded twice
    first = demo.load(io.StringIO(), today=TODAY)
    second = demo.load(io.StringIO(), today=TODAY)
    # Then the first load made values and reports, the second nothing
    assert first["values"] > 500
    assert first["submissions"] > 0
    assert second == {"values": 0, "submissions": 0}
    # And every made-up value is marked as demo data, the officer's value untouched
    assert demo.demo_values().count() == first["values"]
    kept = DataValue.objects.get(metric=crimes, orgunit=other, period="2026M10")
    assert (kept.value, kept.source) == (7, "form")


def test_figures_are_deterministic(demo_units):
    # Given the demo loaded once
    demo.load(today=TODAY)
    before = sorted(
        demo.demo_values().values_list("metric__code", "orgunit__code", "period", "option", "value")
    )
    # When it is removed and loaded again
    demo.demo_values().delete()
    Submission.objects.all().delete()
    demo.load(today=TODAY)
    after = sorted(
        demo.demo_values().values_list("metric__code", "orgunit__code", "period", "option", "value")
    )
    # Then the figures are the same
    assert before == after


def test_figures_obey_the_validation_rules(demo_units):
    # Given the demo loaded
    demo.load(today=TODAY)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    serious: dict[tuple[str, str], float] = {}
    for code, unit, period, value in demo.demo_values().values_list(
        "metric__code", "orgunit__code", "period", "value"
    ):
        if code == "crimes":
            totals[(unit, period)] += value
        elif code == "serious_crimes":
            serious[(unit, period)] = value
    # Then serious crimes never exceed the crimes of the same commune and month
    assert serious
    assert all(value <= totals[key] for key, value in serious.items())
    # And safe residential areas are only given where the map has villages, within their number
    villages = {
        u.code: OrgUnit.objects.filter(parent=u, kind="village").count()
        for u in OrgUnit.objects.filter(code__in=["07840", "07210", "07300"])
    }
    safe = demo.demo_values().filter(metric__code="villages_safe")
    assert safe.exists()
    assert all(v.value <= villages[v.orgunit.code] for v in safe.select_related("orgunit"))
    assert not safe.filter(orgunit__code="07300").exists()


def test_reports_and_the_demo_officers_own_month(demo_units):
    # Given the demo loaded on 2 December 2026
    demo.load(today=TODAY)
    # Then another commune's older reports are approved
    other = Submission.objects.filter(orgunit__code="07300")
    assert other.filter(period="2026M10").get().status == SubmissionStatus.APPROVED
    # And the demo communes' reports are left to the demo users
    assert not Submission.objects.filter(orgunit__code__in=["07840", "07210"]).exists()
    # And the demo commune's last month has no figures yet: entering it is the officer's task
    assert not demo.demo_values().filter(orgunit__code="07840", period="2026M11").exists()
    assert demo.demo_values().filter(orgunit__code="07840", period="2026M10").exists()
