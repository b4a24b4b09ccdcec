"""Which rule gave a figure: the predecessor note, and the engine after shares are set."""

from __future__ import annotations

from decimal import Decimal

import pytest

from binhyen.accounts.tests.factories import login_verified
from binhyen.indicators import engine
from binhyen.indicators.lineage_notes import note_text, predecessor_notes
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, link, old_unit, put
from binhyen.orgunits import services_shares
from binhyen.orgunits.models import LineageKind, UnitKind
from binhyen.orgunits.tests.shares_world import shares_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = shares_world()
    # and a merge into S1 as well
    w["m"] = old_unit("L51003", UnitKind.COMMUNE, w["p"].parent, name="Xã Mai")
    link(w["m"], w["s1"], LineageKind.MERGE)
    return w


def test_note_names_each_predecessor_and_its_rule(world):
    # given no shares: P goes whole to its default successor S1, nothing to S2
    notes = predecessor_notes(["51001", "51002"])
    assert note_text(notes["51001"]) == (
        "gồm số liệu của đơn vị tiền thân: Xã Mai (sáp nhập), "
        "Xã Phú (chia tách — toàn bộ cho đơn vị kế thừa mặc định)"
    )
    assert [n.code for n in notes["51002"]] == ["L51002"]  # only Q, of which S2 is the default
    # when shares are set 40 / 60
    services_shares.lineage_shares_set(
        actor=world["officer"],
        predecessor=world["p"],
        shares={"51001": Decimal("0.4"), "51002": Decimal("0.6")},
    )
    notes = predecessor_notes(["51001", "51002"])
    # then the note says the share
    assert "Xã Phú (chia tách — 40 % theo tỷ lệ đã đặt)" in note_text(notes["51001"])
    assert "Xã Phú (chia tách — 60 % theo tỷ lệ đã đặt)" in note_text(notes["51002"])
    assert note_text([]) == ""


def test_the_engine_apportions_once_shares_are_set(world):
    # given 100 recorded on P in 2024
    metric = MetricFactory()
    put(metric, world["p"], "2024M06", 100)
    year = [parse_period("2024")]

    def figures():
        rows = engine.run(metrics=[metric], units=[world["s1"], world["s2"]], periods=year)
        return {r.unit: r.value for r in rows}

    # then without shares everything goes to the default successor S1
    before = figures()
    assert before["51001"] == 100 and not before["51002"]
    # when the officer sets 40 / 60
    services_shares.lineage_shares_set(
        actor=world["officer"],
        predecessor=world["p"],
        shares={"51001": Decimal("0.4"), "51002": Decimal("0.6")},
    )
    # then S1 shows 40 and S2 60
    got = figures()
    assert got["51001"] == pytest.approx(40) and got["51002"] == pytest.approx(60)


def test_dashboard_shows_the_rule(client, world, settings):
    # given a dashboard metric with 100 recorded on P, split without shares
    metric = MetricFactory(code="t_dashboard")
    settings.INDICATORS_DASHBOARD_METRICS = [metric.code]
    put(metric, world["p"], "2024M06", 100)
    login_verified(client, world["officer"])
    page = client.get("/indicators/u/51001/?period=2024M06")
    assert page.status_code == 200
    # then the card says the figure came whole to the default successor
    html = page.content.decode()
    assert 'data-testid="predecessor-rule"' in html
    assert "Xã Phú (chia tách — toàn bộ cho đơn vị kế thừa mặc định)" in html


def test_api_gives_the_note(client, world):
    from binhyen.orgunits.tests.test_api_import import bearer

    body = client.get(
        "/api/v1/indicators/units/51001/predecessor-note", **bearer(world["officer"])
    ).json()
    assert body["predecessors"][1] == {
        "code": "L51001",
        "name": "Xã Phú",
        "rule": "default",
        "share": None,
    }
    assert body["note"].startswith("gồm số liệu của đơn vị tiền thân: Xã Mai (sáp nhập)")
    other = client.get(
        "/api/v1/indicators/units/51001/predecessor-note", **bearer(world["officer_b"])
    )
    assert other.status_code == 404
    assert client.get("/api/v1/indicators/units/51001/predecessor-note").status_code == 401
