"""Tests for ``binhyen.indicators.movement``: the movement's figures beside a report."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.indicators.models import Metric
from binhyen.indicators.movement import movement_figures
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, form_with, put
from binhyen.indicators.tests.test_api import bearer
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db
PERIOD = "2026M10"


@pytest.fixture(autouse=True)
def _no_otp(settings: Any) -> None:
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture
def w() -> dict[str, Any]:
    """A commune with outreach sessions, guns and rounds and cameras published for October."""
    country()
    p = ProvinceFactory(code="95", name="Tỉnh Thử")
    a: Any = CommuneFactory(code="95001", name="Xã An", parent=p)
    b: Any = CommuneFactory(code="95002", name="Xã Bình", parent=p)
    crimes = MetricFactory(code="t_crimes", name="Tội phạm", capture_kinds=["commune"])
    sessions = Metric.objects.get(code="outreach_sessions")
    weapons = Metric.objects.get(code="weapons_surrendered")
    cameras = Metric.objects.get(code="cameras_installed")
    put(sessions, a, PERIOD, 26)
    put(weapons, a, PERIOD, 7, option="sung")
    put(weapons, a, PERIOD, 72, option="dan")
    put(cameras, a, PERIOD, 2, option="public")
    return {
        "a": a,
        "b": b,
        "form": form_with([crimes, sessions], code="t_month"),
        "officer": user_with_role(Role.COMMUNE_OFFICER, a),
        "neighbour": user_with_role(Role.COMMUNE_OFFICER, b),
    }


def _figures(groups: list[Any]) -> dict[str, float]:
    return {
        f"{f.metric}.{f.option}" if f.option else f.metric: f.value
        for g in groups
        for f in g.figures
    }


def test_figures_come_grouped_by_where_they_are_recorded(w: dict[str, Any]) -> None:
    # given published activity and scheme figures
    # when the movement figures of the month are read
    groups = movement_figures(unit=w["a"], period=parse_period(PERIOD))
    # then each group links to its records, and guns and rounds are never added together
    by_label = {g.label: g for g in groups}
    assert "Hoạt động phong trào" in by_label
    assert by_label["Hoạt động phong trào"].url == "/activities/?unit=95001"
    figures = _figures(groups)
    assert figures["outreach_sessions"] == 26
    assert figures["weapons_surrendered.sung"] == 7
    assert figures["weapons_surrendered.dan"] == 72
    assert "weapons_surrendered" not in figures
    assert figures["cameras_installed"] == 2


def test_figures_the_report_asks_for_are_not_repeated(w: dict[str, Any]) -> None:
    sessions = Metric.objects.get(code="outreach_sessions")
    groups = movement_figures(unit=w["a"], period=parse_period(PERIOD), exclude={sessions.pk})
    assert "outreach_sessions" not in _figures(groups)


def test_a_unit_without_records_gets_no_group(w: dict[str, Any]) -> None:
    assert movement_figures(unit=w["b"], period=parse_period(PERIOD)) == []


def test_yearly_figures_stay_out_of_a_monthly_report(w: dict[str, Any]) -> None:
    grades = Metric.objects.get(code="lit_villages")
    assert grades.period_kind == "year"
    put(grades, w["a"], "2026", 4)
    assert grades.code not in {
        k.split(".")[0]
        for k in _figures(movement_figures(unit=w["a"], period=parse_period(PERIOD)))
    }


def test_the_report_page_shows_the_movement_read_only(client: Any, w: dict[str, Any]) -> None:
    url = reverse("indicators:report", args=[w["form"].code, "95001", PERIOD])
    # anonymous users are sent to sign in; the neighbour commune gets 404
    assert client.get(url).status_code == 302
    client.force_login(w["neighbour"])
    assert client.get(url).status_code == 404
    # the commune's officer sees the figures, not as inputs, and not the one the form asks
    client.force_login(w["officer"])
    page = client.get(url).content.decode()
    assert 'data-testid="movement"' in page
    assert 'data-testid="movement-weapons_surrendered.sung"' in page
    assert 'data-testid="movement-outreach_sessions"' not in page
    assert 'name="v_weapons_surrendered' not in page
    assert 'href="/activities/?unit=95001"' in page


def test_an_empty_month_says_so(client: Any, w: dict[str, Any]) -> None:
    client.force_login(w["neighbour"])
    url = reverse("indicators:report", args=[w["form"].code, "95002", PERIOD])
    assert 'data-testid="movement-empty"' in client.get(url).content.decode()


def test_the_report_api_carries_the_movement(client: Any, w: dict[str, Any]) -> None:
    url = f"/api/v1/indicators/reports/{w['form'].code}/95001/{PERIOD}"
    body = client.get(url, **bearer(w["officer"])).json()
    figures = {
        (f["metric"], f["option"]): f["value"] for g in body["movement"] for f in g["figures"]
    }
    assert figures[("weapons_surrendered", "dan")] == 72
    assert ("outreach_sessions", "") not in figures
    assert client.get(url, **bearer(w["neighbour"])).status_code == 404
    assert client.get(url).status_code == 401
