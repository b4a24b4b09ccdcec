"""Designations in force on communes closed by the 2025 reform, moved onto the successor."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhyen.accounts.tests.factories import login_verified
from binhyen.core.models import AuditEvent
from binhyen.hotspots import selectors, services
from binhyen.hotspots.models import Regime
from binhyen.hotspots.providers import HotspotMetricsProvider
from binhyen.hotspots.tests.factories import designate, province_scene
from binhyen.hotspots.tests.test_api import Api
from binhyen.hotspots.todo import DesignationCarryTodo
from binhyen.indicators.periods import parse_period
from binhyen.orgunits.models import Lineage, LineageKind
from binhyen.orgunits.tests.factories import CommuneFactory

pytestmark = pytest.mark.django_db
CLOSED = date(2025, 6, 30)
REFORM = date(2025, 7, 1)


@pytest.fixture
def scene() -> Any:
    """Xã Cũ (closed 30/06/2025) merged into Xã Số 1; a designation with a plan on it."""
    s: Any = province_scene()
    s.new = s.communes[0]
    s.new.valid_from = REFORM
    s.new.save()
    s.old = CommuneFactory(parent=s.province, code="L07846", name="Xã Cũ", valid_to=CLOSED)
    Lineage.objects.create(
        predecessor=s.old, successor=s.new, kind=LineageKind.MERGE, effective_date=REFORM
    )
    s.designation = designate(s.officer, s.old, decision_date=date(2024, 3, 1), year=2024)
    services.plan_task_create(
        actor=s.officer,
        designation=s.designation,
        title="Tuần tra",
        owner="Công an xã",
        deadline=date(2026, 12, 31),
    )
    services.responsibility_create(actor=s.officer, designation=s.designation, department="PC06")
    return s


def _provided(code: str, period: str) -> dict[int, float]:
    return {
        v.orgunit_id: v.value
        for v in HotspotMetricsProvider().values(metric_code=code, period=parse_period(period))
    }


def test_designation_moves_with_its_plan_history_kept(scene):
    # when the province officer moves the designation
    services.designation_carry_forward(actor=scene.officer, obj=scene.designation)
    # then it stands on the successor with its tasks and responsibilities, the old commune kept
    d = selectors.designation_get(user=scene.officer, pk=scene.designation.pk)
    assert d.orgunit == scene.new and d.former_orgunit == scene.old
    assert d.carried_since == REFORM
    assert [t.title for t in d.tasks.all()] == ["Tuần tra"]
    assert [r.department for r in d.responsibilities.all()] == ["PC06"]
    event = AuditEvent.objects.filter(action="hotspot.carry_forward").get()
    assert event.changes["after"]["tasks"] == 1
    assert event.changes["after"]["carried"][0]["to"] == scene.new.code
    # and it can still be corrected: its dates are checked against the old commune
    d.full_clean(exclude=["decision_file", "removal_file", "recorded_by"])


def test_moved_designation_counts_on_the_old_commune_before_and_the_new_one_after(scene):
    services.designation_carry_forward(actor=scene.officer, obj=scene.designation)
    assert _provided("hotspots_in_force", "2024") == {scene.old.pk: 1.0}
    assert _provided("hotspots_designated", "2024") == {scene.old.pk: 1.0}
    assert _provided("hotspots_in_force", "2026") == {scene.new.pk: 1.0}


def test_moved_designation_is_found_by_the_old_and_the_new_commune(scene):
    services.designation_carry_forward(actor=scene.officer, obj=scene.designation)
    for unit in (scene.old, scene.new):
        found = selectors.designation_list(user=scene.officer, unit=unit)
        assert [d.pk for d in found] == [scene.designation.pk]


def test_refused_when_on_a_current_commune(scene):
    d = designate(scene.officer, scene.communes[1], decision_date=date(2025, 8, 1), year=2025)
    with pytest.raises(ValidationError) as exc:
        services.designation_carry_forward(actor=scene.officer, obj=d)
    assert "không có gì để chuyển" in str(exc.value.message_dict["orgunit"])


def test_refused_when_removed_before_the_commune_closed(scene):
    services.designation_remove(
        actor=scene.officer,
        designation=scene.designation,
        decision_number="2",
        decision_date=date(2025, 5, 1),
        issuing_body="UBND",
    )
    with pytest.raises(ValidationError) as exc:
        services.designation_carry_forward(actor=scene.officer, obj=scene.designation)
    assert "01/05/2025" in str(exc.value.message_dict["removal_date"])


def test_refused_without_a_successor(scene):
    lone = CommuneFactory(parent=scene.province, code="L07999", name="Xã Lẻ", valid_to=CLOSED)
    d = designate(scene.officer, lone, decision_date=date(2024, 3, 1), year=2024)
    with pytest.raises(ValidationError) as exc:
        services.designation_carry_forward(actor=scene.officer, obj=d)
    assert "Xã Lẻ" in str(exc.value.message_dict["orgunit"])


def test_refused_when_the_successor_is_already_on_the_list(scene):
    designate(scene.officer, scene.new, decision_date=date(2025, 8, 1), year=2024)
    with pytest.raises(ValidationError) as exc:
        services.designation_carry_forward(actor=scene.officer, obj=scene.designation)
    assert scene.new.name in str(exc.value)
    scene.designation.refresh_from_db()
    assert scene.designation.orgunit == scene.old


def test_needs_rights_on_both_sides(scene):
    with pytest.raises(PermissionDenied):
        services.designation_carry_forward(actor=scene.far_officer, obj=scene.designation)
    with pytest.raises(PermissionDenied):
        services.designation_carry_forward(actor=scene.commune_officer, obj=scene.designation)


def test_detail_button_confirms_and_shows_history(client, scene):
    login_verified(client, scene.officer)
    detail = reverse("hotspots:detail", args=[scene.designation.pk])
    assert "Chuyển sang đơn vị mới" in client.get(detail).content.decode()
    url = reverse("hotspots:carry_forward", args=[scene.designation.pk])
    assert "Xã Cũ → Xã Số 1" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    page = client.get(detail).content.decode()
    assert "trước 01/07/2025: Xã Cũ" in page
    assert "Chuyển sang đơn vị mới" not in page
    login_verified(client, scene.far_officer)
    assert client.get(url).status_code == 404


def test_api_carry_forward(client, scene):
    path = f"/designations/{scene.designation.pk}/carry-forward"
    assert Api(client).post(path, {}).status_code == 401
    assert Api(client, scene.far_officer).post(path, {}).status_code == 404
    response = Api(client, scene.officer).post(path, {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit"] == scene.new.code
    assert body["unit_history"][0]["unit_name"] == "Xã Cũ"
    assert body["unit_history"][0]["until"] == "2025-06-30"
    again = Api(client, scene.officer).post(path, {})
    assert again.status_code == 400 and again.json()["field"] == "orgunit"


def test_todo_lists_designations_on_closed_communes(scene):
    items = list(DesignationCarryTodo().items(scene.officer))
    assert [(i.detail, i.count) for i in items] == [("Xã Cũ", 1)]
    assert items[0].url == reverse("hotspots:detail", args=[scene.designation.pk])
    assert list(DesignationCarryTodo().items(scene.far_officer)) == []
    services.designation_carry_forward(actor=scene.officer, obj=scene.designation)
    assert list(DesignationCarryTodo().items(scene.officer)) == []


def test_regime_kept(scene):
    services.designation_carry_forward(actor=scene.officer, obj=scene.designation)
    scene.designation.refresh_from_db()
    assert scene.designation.regime == Regime.TRANSFORMATION
