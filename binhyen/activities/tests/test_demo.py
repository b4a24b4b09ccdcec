"""The demo loads the seed figures through the services, and loading twice changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from binhyen.activities import demo
from binhyen.activities.models import Activity
from binhyen.indicators.models import DataValue
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.orgunits import demo as base_demo
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent():
    # Given the demo's units and users
    country()
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province)
    CommuneFactory(code="07210", name="Phường Bắc Giang", parent=province)
    base_demo.load()
    # When the demo is loaded twice
    # Then the second load adds nothing, and the numbers are published
    first = demo.load(today=date(2026, 12, 2))
    assert first["activities"] == 33
    assert first["history_activities"] > 0
    assert demo.load(today=date(2026, 12, 2)) == {"activities": 0, "history_activities": 0}
    # And the seed article's half-year is as the article tells it: 26 sessions in 10 villages
    seed = Activity.objects.filter(kind="outreach", description="")
    assert seed.count() == 26
    assert seed.values("villages").distinct().count() == 10
    assert not Activity.objects.filter(
        orgunit__code="07840",
        date__range=(date(2025, 7, 1), date(2025, 12, 31)),
        description=demo.DEMO_NOTE,
    ).exists()
    # And the published figure counts every village reached in 2025, each once
    reached = (
        Activity.objects.filter(kind="outreach", date__year=2025, orgunit__code="07840")
        .values("villages")
        .exclude(villages=None)
        .distinct()
        .count()
    )
    outreach_villages = DataValue.objects.get(
        metric__code="outreach_villages", period="2025", orgunit__code="07840"
    )
    assert outreach_villages.value == reached >= 10


def test_history_covers_every_commune_and_month():
    # Given the demo's units and users, with a third commune
    country()
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province)
    CommuneFactory(code="07210", name="Phường Bắc Giang", parent=province)
    CommuneFactory(code="07300", name="Xã Yên Dũng", parent=province)
    base_demo.load()
    # When the history is loaded on 2 December 2026
    created = demo.load_history(today=date(2026, 12, 2))
    # Then each commune has made-up activities, marked, from December 2024 to November 2026
    history = Activity.objects.filter(description=demo.DEMO_NOTE)
    assert history.count() == created > 0
    assert set(history.values_list("orgunit__code", flat=True)) == {"07840", "07210", "07300"}
    first, last = (
        min(history.values_list("date", flat=True)),
        max(history.values_list("date", flat=True)),
    )
    assert date(2024, 12, 1) <= first < date(2025, 3, 1)
    assert date(2026, 9, 1) <= last <= date(2026, 11, 30)
    # And their figures are published: patrols of a month equal the log
    month = history.filter(kind="patrol", orgunit__code="07300").first()
    assert month is not None
    period = Period.containing(PeriodKind.MONTH, month.date)
    logged = history.filter(
        kind="patrol", orgunit__code="07300", date__range=(period.start, period.end)
    ).count()
    published = DataValue.objects.get(
        metric__code="patrols", orgunit__code="07300", period=period.code
    )
    assert published.value == logged
