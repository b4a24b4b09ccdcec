from datetime import timedelta

import pytest
from django.utils import timezone

from binhyen.cases import services
from binhyen.cases.providers import METRIC_CODES, PROVIDER_KEY, CaseMetricsProvider
from binhyen.cases.tests.factories import open_case
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.providers import registry

pytestmark = pytest.mark.django_db


def _values(code, year):
    provided = CaseMetricsProvider().values(metric_code=code, period=Period(PeriodKind.YEAR, year))
    return {(v.orgunit_id, v.option): v.value for v in provided}


def test_registered_with_its_metrics():
    assert registry.get(PROVIDER_KEY).metric_codes == METRIC_CODES
    metrics = Metric.objects.filter(code__in=METRIC_CODES, provider_key=PROVIDER_KEY)
    assert metrics.count() == len(METRIC_CODES)


def test_counts_by_type_outcome_and_closure_reason(scene):
    today = timezone.localdate()
    case = open_case(scene.commune_chief, scene.commune)
    other = open_case(scene.commune_chief, scene.commune, full_name="Hà Thị Lan")
    services.outcome_record(
        actor=scene.commune_chief, case=case, kind="loan_granted", achieved_on=today
    )
    services.case_close(actor=scene.commune_chief, case=other, closed_on=today, reason="moved")
    unit = scene.commune.pk
    assert _values("cases_open", today.year) == {(unit, "reintegration"): 1.0}
    assert _values("cases_loans", today.year) == {(unit, ""): 1.0}
    assert _values("cases_employed", today.year) == {}
    assert _values("cases_closed", today.year) == {(unit, "moved"): 1.0}


def test_a_case_closed_last_year_is_not_open_this_year(scene):
    today = timezone.localdate()
    case = open_case(
        scene.commune_chief,
        scene.commune,
        opened_on=today - timedelta(days=800),
        release_date=today - timedelta(days=801),
    )
    services.case_close(
        actor=scene.commune_chief,
        case=case,
        closed_on=today.replace(month=1, day=1) - timedelta(days=1),
        reason="period_ended",
    )
    assert _values("cases_open", today.year) == {}
    assert _values("cases_open", today.year - 1) == {}
    assert _values("cases_open", today.year - 2) == {(scene.commune.pk, "reintegration"): 1.0}
