# mypy: disable-error-code="arg-type, union-attr"
"""Per-1,000 rates after the population workbook, and "chưa có dân số" where none is known:
on the dashboard's cards and children table, and as a null rate in the API."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.indicators import engine
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, put
from binhyen.orgunits import excel_population
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

pytestmark = pytest.mark.django_db
PERIOD = "2025M07"


@pytest.fixture(autouse=True)
def _no_otp(settings):
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture
def w() -> dict[str, Any]:
    p = ProvinceFactory(code="95", name="Tỉnh Dân Số")
    a = CommuneFactory(code="95001", name="Xã Có Dân", parent=p, population=4000)
    b = CommuneFactory(code="95002", name="Xã Chưa Có", parent=p, population=None)
    VillageFactory(parent=b, code="95002-T001", population=None)
    m = MetricFactory(code="t_thefts", name="Trộm cắp", capture_kinds=["commune"])
    put(m, a, PERIOD, 8)
    put(m, b, PERIOD, 3)
    return {"p": p, "a": a, "b": b, "m": m, "officer": user_with_role(Role.PROVINCE_OFFICER, p)}


def rates(w: dict[str, Any]) -> dict[str, engine.Row]:
    units = [w["a"], w["b"], w["p"]]
    for unit in units:
        unit.refresh_from_db()
    rows = engine.run(
        metrics=[w["m"]], units=units, periods=[parse_period(PERIOD)], per_1000=True, compare=False
    )
    return {r.unit: r for r in rows}


def upload(rows: list[list[Any]]) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in [["Mã", "Dân số", "Số hộ"], *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("dan-so.xlsx", buffer.getvalue())


def test_rates_follow_the_imported_populations(w):
    # given commune B without any population
    before = rates(w)
    assert before["95002"].value_per_1000 is None and before["95002"].no_population
    assert before["95"].population == 4000  # the province sums what it knows
    # when the province imports B's population and a new one for A
    result = excel_population.import_population(
        actor=w["officer"],
        scope=w["p"],
        upload=upload([["95001", 8000, 2000], ["95002", 1500, 400]]),
    )
    assert result.ok, result.problems
    # then every rate divides by the imported figures, the province's by their sum
    after = rates(w)
    assert after["95001"].value_per_1000 == pytest.approx(1.0)
    assert after["95002"].value_per_1000 == pytest.approx(2.0)
    assert after["95002"].no_population is False
    assert after["95"].population == 9500
    assert after["95"].value_per_1000 == pytest.approx(11 / 9.5, abs=1e-4)


def test_dashboard_says_no_population_instead_of_a_blank(client, w, settings):
    # given the province dashboard with B lacking a population
    settings.INDICATORS_DASHBOARD_METRICS = ["t_thefts"]
    client.force_login(w["officer"])
    # when the children table and B's cards are shown
    html = client.get(
        reverse("indicators:dashboard", args=["95"]), {"period": PERIOD, "metric": "t_thefts"}
    ).content.decode()
    card = client.get(reverse("indicators:dashboard", args=["95002"]), {"period": PERIOD})
    # then B's rate reads "chưa có dân số", A's rate is a number
    assert html.count('data-testid="no-population"') == 1
    assert "chưa có dân số" in html and "2,00" in html
    assert 'data-testid="no-population"' in card.content.decode()


def test_api_gives_a_null_rate_and_says_why(client, w):
    client.force_login(w["officer"])
    response = client.get(
        "/api/v1/analytics",
        {
            "metrics": "t_thefts",
            "units": "95",
            "periods": PERIOD,
            "children": "true",
            "per_1000": "true",
        },
    )
    assert response.status_code == 200, response.content
    rows = {r["unit"]: r for r in response.json()["rows"]}
    assert rows["95002"]["value_per_1000"] is None and rows["95002"]["no_population"] is True
    assert rows["95001"]["value_per_1000"] == 2.0 and rows["95001"]["no_population"] is False
