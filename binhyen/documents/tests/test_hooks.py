"""The targets hook: a document's figures read the unit's targets for its period."""

from __future__ import annotations

import pytest

from binhyen.documents.hooks import unit_targets
from binhyen.indicators.periods import parse_period
from binhyen.targets import services
from binhyen.targets.tests.factories import scene, schemes_target, this_year

pytestmark = pytest.mark.django_db


def test_the_hook_returns_the_units_targets_for_the_reports_metrics_only():
    # given a province target of 12 new schemes allocated equally to its two communes
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    services.allocation_create(actor=s.officer, target=target, method="equal")
    period = parse_period(str(this_year()))
    # when a commune report asks for its targets
    found = unit_targets(
        user=s.chief, unit=s.communes[0], period=period, metric_codes=["schemes_active"]
    )
    other = unit_targets(
        user=s.chief, unit=s.communes[0], period=period, metric_codes=["cameras_installed"]
    )
    # then it gets its share, and nothing for metrics the report does not carry
    assert found == {"schemes_active": 6.0}
    assert other == {}


def test_the_hook_is_the_default_of_the_documents_settings(settings):
    # given the shipped settings, then documents read targets through the hook
    assert settings.DOCUMENTS["TARGETS"] == "binhyen.documents.hooks.unit_targets"
