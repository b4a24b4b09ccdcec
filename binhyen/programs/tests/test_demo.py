"""The demo creates files at every step, through the services, and never twice."""

from __future__ import annotations

import io

import pytest

from binhyen.orgunits import demo as base_demo
from binhyen.orgunits.models import Subkind, UnitKind
from binhyen.orgunits.tests.factories import CommuneFactory, OrgUnitFactory, country
from binhyen.programs import demo
from binhyen.programs.models import Decision, Enrollment, EnrollmentStatus

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # given the units the base demo needs (without the national import)
    province = OrgUnitFactory(
        code="24",
        name="Tỉnh Bắc Ninh",
        kind=UnitKind.PROVINCE,
        subkind=Subkind.TINH,
        parent=country(),
    )
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province)
    CommuneFactory(code="07210", name="Phường Bắc Giang", parent=province, subkind=Subkind.PHUONG)
    base_demo.load(io.StringIO())
    # when the programmes demo loads twice
    first = demo.load(io.StringIO())
    second = demo.load(io.StringIO())
    # then 13 village files and 2 commune files exist once, 7 villages recognised
    assert first["files"] == 15 and first["decisions"] == 1
    assert not any(second.values())
    statuses = list(Enrollment.objects.values_list("status", flat=True))
    assert statuses.count(EnrollmentStatus.RECOGNISED) == 7
    assert statuses.count(EnrollmentStatus.SUBMITTED) == 2
    assert Decision.objects.count() == 1
