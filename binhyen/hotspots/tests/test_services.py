"""Hotspot services: regimes kept apart, dates in order, uniqueness, audit, metrics in step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from binhyen.core.models import AuditEvent
from binhyen.hotspots import services
from binhyen.hotspots.models import (
    Designation,
    DrugAreaType,
    PlanTask,
    ProblemCategory,
    Regime,
    Relapse,
    TaskStatus,
)
from binhyen.hotspots.tests.factories import DECIDED, designate, designation_input, province_scene
from binhyen.indicators.models import DataValue

pytestmark = pytest.mark.django_db


def _values(code: str) -> dict[tuple[str, str, str], float]:
    return {
        (dv.orgunit.code, dv.period, dv.option): dv.value
        for dv in DataValue.objects.filter(metric__code=code).select_related("orgunit")
    }


def _refused(call, field: str, fragment: str = "") -> None:
    counts = (
        Designation.objects.count(),
        PlanTask.objects.count(),
        Relapse.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(ValidationError) as caught:
        call()
    errors = caught.value.message_dict
    assert field in errors, errors
    if fragment:
        assert any(fragment in m for m in errors[field]), errors
    assert counts == (
        Designation.objects.count(),
        PlanTask.objects.count(),
        Relapse.objects.count(),
        AuditEvent.objects.count(),
    )


def test_designation_is_recorded_audited_and_published(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Given a province officer and a scanned decision
    s = province_scene()
    pdf = SimpleUploadedFile("qd.pdf", b"%PDF-1.4\n%%EOF\n")
    # When a commune is designated with a problem category
    designation = services.designation_create(
        actor=s.officer,
        data=designation_input(
            s.communes[0],
            categories=list(ProblemCategory.objects.filter(code="ma_tuy")),
            decision_file=pdf,
        ),
    )
    # Then the file and categories are kept, the write is audited and the numbers published
    assert (designation.decision_file.name or "").endswith(".pdf")
    assert [c.code for c in designation.categories.all()] == ["ma_tuy"]
    assert AuditEvent.objects.filter(action="hotspot.designate").count() == 1
    assert _values("hotspots_designated") == {(s.communes[0].code, "2024", "transformation"): 1.0}
    today = timezone.localdate()
    in_force = _values("hotspots_in_force")
    assert in_force[(s.communes[0].code, str(today.year), "transformation")] == 1.0
    assert in_force[(s.communes[0].code, "2024", "transformation")] == 1.0


def test_removal_before_designation_is_a_clear_error():
    # Given a designation decided on DECIDED
    s = province_scene()
    designation = designate(s.officer, s.communes[0])
    # When a removal is dated on or before that day, then it is refused naming the date
    for day in (DECIDED, DECIDED - timedelta(days=10)):
        _refused(
            lambda day=day: services.designation_remove(
                actor=s.officer,
                designation=designation,
                decision_number="9/QĐ",
                decision_date=day,
                issuing_body="UBND tỉnh",
            ),
            "removal_date",
            "phải sau ngày quyết định đưa vào diện",
        )
    # And nothing was saved
    designation.refresh_from_db()
    assert designation.removal_date is None


def test_removal_and_relapse_in_order():
    # Given a designation in force
    s = province_scene()
    designation = designate(s.officer, s.communes[0])
    # When a relapse comes before any removal, or a proposal before the decision,
    # then each is refused
    _refused(
        lambda: services.relapse_create(
            actor=s.officer, designation=designation, day=date(2024, 6, 1), description="x"
        ),
        "date",
        "sau khi địa bàn đã được đưa ra khỏi diện",
    )
    _refused(
        lambda: services.designation_removal_propose(
            actor=s.officer, designation=designation, proposed_on=date(2024, 1, 1), proposal="x"
        ),
        "removal_proposed_on",
    )
    # When removal is proposed, decided, and a relapse recorded, each in order
    services.designation_removal_propose(
        actor=s.officer,
        designation=designation,
        proposed_on=date(2024, 11, 20),
        proposal="Đạt 5/5 tiêu chí",
    )
    _refused(
        lambda: services.designation_remove(
            actor=s.officer,
            designation=designation,
            decision_number="9",
            decision_date=date(2024, 11, 1),
            issuing_body="UBND",
        ),
        "removal_date",
        "không được trước ngày đề nghị",
    )
    services.designation_remove(
        actor=s.officer,
        designation=designation,
        decision_number="9/QĐ-UBND",
        decision_date=date(2024, 12, 15),
        issuing_body="UBND tỉnh",
    )
    _refused(
        lambda: services.relapse_create(
            actor=s.officer, designation=designation, day=date(2024, 12, 15), description="x"
        ),
        "date",
        "phải sau ngày đưa ra khỏi diện",
    )
    services.relapse_create(
        actor=s.officer,
        designation=designation,
        day=date(2025, 2, 1),
        description="Tụ điểm ma túy mới",
    )
    # Then removal and relapse are published and the area is no longer in force
    code = s.communes[0].code
    assert _values("hotspots_removed") == {(code, "2024", "transformation"): 1.0}
    assert _values("hotspots_relapsed") == {(code, "2024", "transformation"): 1.0}
    assert (code, "2025", "transformation") not in _values("hotspots_in_force")


def test_regime_rules():
    # Given a province officer
    s = province_scene()
    # When a designation breaks a rule of its regime (drug type, unit kind, future date, old year)
    # Then it is refused naming the field
    _refused(lambda: designate(s.officer, s.communes[0], regime=Regime.DRUG_AREA), "drug_area_type")
    _refused(
        lambda: designate(s.officer, s.communes[0], drug_area_type=DrugAreaType.TYPE_1),
        "drug_area_type",
    )
    _refused(lambda: designate(s.officer, s.province), "orgunit")
    tomorrow = timezone.localdate() + timedelta(days=1)
    _refused(
        lambda: designate(s.officer, s.communes[0], decision_date=tomorrow, year=tomorrow.year),
        "decision_date",
    )
    _refused(lambda: designate(s.officer, s.communes[0], year=2019), "year")
    # And a drug area with its type is accepted
    drug = designate(
        s.officer, s.communes[0], regime=Regime.DRUG_AREA, drug_area_type=DrugAreaType.TYPE_2
    )
    assert drug.drug_area_type == "type_2"


def test_one_designation_in_force_per_regime():
    # Given a commune designated once under transformation
    s = province_scene()
    unit = s.communes[0]
    designate(s.officer, unit)
    # the same transformation list year twice is refused, another year is fine
    _refused(
        lambda: designate(s.officer, unit, decision_number="16"), "year", "đã có trong danh sách"
    )
    designate(s.officer, unit, year=2025, decision_date=date(2025, 2, 1))
    # a ministry hotspot while one is in force is refused, regimes stay apart
    first = designate(s.officer, unit, regime=Regime.MINISTRY_HOTSPOT)
    _refused(
        lambda: designate(
            s.officer, unit, regime=Regime.MINISTRY_HOTSPOT, decision_date=date(2024, 9, 1)
        ),
        "orgunit",
        "đang thuộc diện này",
    )
    services.designation_remove(
        actor=s.officer,
        designation=first,
        decision_number="1",
        decision_date=date(2024, 10, 1),
        issuing_body="Bộ Công an",
    )
    designate(
        s.officer, unit, regime=Regime.MINISTRY_HOTSPOT, decision_date=date(2025, 1, 5), year=2025
    )
    # Then the four designations that respect the rule are stored
    assert Designation.objects.filter(orgunit=unit).count() == 4


def test_only_managers_in_scope_may_designate():
    # Given commune officers, a commune chief and another province's officer
    s = province_scene()
    # When they designate a commune of this province, then they are refused
    for actor in (s.commune_officer, s.commune_chief, s.far_officer):
        with pytest.raises(PermissionDenied):
            designate(actor, s.communes[0])
    # And the ministry may; only its designation is stored
    designate(s.ministry, s.communes[0])
    assert Designation.objects.count() == 1


def test_plan_tasks_progress_and_overdue():
    # Given a designation
    s = province_scene()
    designation = designate(s.officer, s.communes[0])
    # When a task's deadline is before the designation, then it is refused
    _refused(
        lambda: services.plan_task_create(
            actor=s.officer,
            designation=designation,
            title="Khảo sát",
            owner="Công an xã",
            deadline=date(2024, 1, 1),
        ),
        "deadline",
    )
    # When a task with a past deadline is planned, then it counts as overdue
    task = services.plan_task_create(
        actor=s.officer,
        designation=designation,
        title="Xóa tụ điểm",
        owner="Công an xã",
        deadline=date(2024, 6, 30),
    )
    code = s.communes[0].code
    today = timezone.localdate()
    assert _values("hotspot_tasks_overdue")[(code, str(today.year), "transformation")] == 1.0
    # the commune police report progress; inconsistent reports are refused
    _refused(
        lambda: services.plan_task_report(
            actor=s.commune_officer,
            task=task,
            progress=100,
            status=TaskStatus.IN_PROGRESS,
            completed_on=None,
            evidence="",
        ),
        "status",
    )
    _refused(
        lambda: services.plan_task_report(
            actor=s.commune_officer,
            task=task,
            progress=100,
            status=TaskStatus.DONE,
            completed_on=None,
            evidence="",
        ),
        "completed_on",
    )
    services.plan_task_report(
        actor=s.commune_officer,
        task=task,
        progress=100,
        status=TaskStatus.DONE,
        completed_on=date(2024, 8, 1),
        evidence="Đã xóa 2 tụ điểm",
    )
    overdue = _values("hotspot_tasks_overdue")
    assert (code, str(today.year), "transformation") not in overdue
    # done late: it was overdue at the end of June... counted in 2024 only until done
    assert (code, "2024", "transformation") not in overdue
    # And the commune police may report but not change the task
    with pytest.raises(PermissionDenied):
        services.plan_task_update(
            actor=s.commune_officer, task=task, title="x", owner="y", deadline=date(2024, 7, 1)
        )


def test_responsibilities():
    # Given a designation
    s = province_scene()
    designation = designate(s.officer, s.communes[0])
    # When a department is assigned, one without a name refused, and the assignment removed
    item = services.responsibility_create(
        actor=s.officer,
        designation=designation,
        department="Phòng PV05",
        officer_name="Đại úy A",
        duty="Theo dõi",
    )
    _refused(
        lambda: services.responsibility_create(
            actor=s.officer, designation=designation, department=""
        ),
        "department",
    )
    services.responsibility_delete(actor=s.officer, responsibility=item)
    # Then none is left and both writes are audited
    assert not designation.responsibilities.exists()
    assert AuditEvent.objects.filter(action__startswith="hotspot.responsibility").count() == 2


def test_attachments_are_checked_and_nothing_is_left_behind(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Given a file named .pdf that is not a PDF
    s = province_scene()
    fake = SimpleUploadedFile("qd.pdf", b"<html>not a pdf</html>")
    # When it is attached to a designation, then it is refused naming the field
    _refused(
        lambda: services.designation_create(
            actor=s.officer, data=designation_input(s.communes[0], decision_file=fake)
        ),
        "decision_file",
    )
    # And no file is left in the media folder
    assert not any(tmp_path.rglob("*.*"))
