"""Fixtures of the programme tests: uploads go to a temporary folder; a small scene."""

from __future__ import annotations

import pytest

from binhyen.accounts.tests.factories import Scene, scene


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def s(db) -> Scene:
    """Two provinces; the first has two communes and a village. One user per typical role."""
    return scene()


@pytest.fixture
def today(monkeypatch):
    """Freeze the programmes' idea of today (deadlines, decision dates) at 25/11/2025."""
    from datetime import date

    from binhyen.programs import selectors

    day = date(2025, 11, 25)
    monkeypatch.setattr(selectors, "today", lambda: day)
    return day
