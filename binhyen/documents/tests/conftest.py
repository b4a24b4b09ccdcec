"""Fixtures of the documents tests: the two-province scene and figures for two half-years."""

from __future__ import annotations

import pytest

from binhyen.accounts.tests.factories import scene
from binhyen.indicators.models import Metric
from binhyen.indicators.tests.factories import put


@pytest.fixture
def world(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    s = scene()
    sessions = Metric.objects.get(code="outreach_sessions")
    crimes = Metric.objects.get(code="crimes")
    for month, value in (("2026M01", 5), ("2026M02", 3), ("2025M01", 4), ("2025M08", 2)):
        put(sessions, s.commune, month, value)
    put(crimes, s.commune, "2026M03", 8)
    put(crimes, s.commune, "2025M03", 10)
    put(sessions, s.sibling_commune, "2026M02", 1234)
    return s
