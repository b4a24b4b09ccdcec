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


@pytest.fixture
def world(s):
    """A national programme with a decided file (the commune) and a pending one (its sibling)."""
    from binhyen.programs import services
    from binhyen.programs.models import Evidence
    from binhyen.programs.tests import factories as f

    admin = f.ministry_admin()
    program = f.program(admin)
    f.crimes_data(s.commune, crimes_now=8, crimes_before=10, serious=0)
    f.crimes_data(s.sibling_commune, crimes_now=8, crimes_before=10, serious=0)
    done = services.enrollment_create(
        actor=s.commune_officer, program=program, unit=s.commune, period_code="2025"
    )
    f.evidence_ready(s.commune_officer, done)
    services.enrollment_submit(actor=s.commune_officer, enrollment=done)
    f.verify_all(s.province_officer, done)
    decision = services.decision_record(
        actor=s.province_officer,
        program=program,
        period_code="2025",
        enrollments=[done],
        recognised={done.pk},
        data=f.decision_input(scan=f.pdf()),
    )
    pending = services.enrollment_create(
        actor=s.province_officer, program=program, unit=s.sibling_commune, period_code="2025"
    )
    from binhyen.accounts.models import Role
    from binhyen.accounts.tests.factories import user_with_role

    return {
        "sibling_officer": user_with_role(Role.COMMUNE_OFFICER, s.sibling_commune, username="cb2"),
        "admin": admin,
        "program": program,
        "done": done,
        "pending": pending,
        "decision": decision,
        "evidence": Evidence.objects.filter(assessment__enrollment=done).first(),
    }
