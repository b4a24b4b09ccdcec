"""Each step of the workflow as a service: permissions, bad input, audit, published numbers."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from binhyen.core.models import AuditEvent
from binhyen.indicators.models import DataValue
from binhyen.programs import evaluation, selectors, services
from binhyen.programs.models import Criterion, EnrollmentStatus
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(s):
    return f.ministry_admin()


@pytest.fixture
def program(admin):
    return f.program(admin)


@pytest.fixture
def enrolled(s, program):
    f.crimes_data(s.commune, crimes_now=8, crimes_before=10, serious=0)
    return services.enrollment_create(
        actor=s.commune_officer, program=program, unit=s.commune, period_code="2025"
    )


def submitted(s, enrolled):
    f.evidence_ready(s.commune_officer, enrolled)
    return services.enrollment_submit(actor=s.commune_officer, enrollment=enrolled)


# --- programmes and criteria sets -----------------------------------------------------------


def test_only_managers_of_the_owner_create_programmes(s):
    # given a commune officer, when they try to create a national programme, then refused
    with pytest.raises(PermissionDenied):
        f.program(s.commune_officer)
    # and a province officer may create one owned by their province, not by another
    f.program(s.province_officer, owner=s.province, code="tinh-bac-ninh")
    with pytest.raises(PermissionDenied):
        f.program(s.province_officer, owner=s.other_province, code="tinh-khac")


def test_invalid_cel_is_refused_with_its_position(admin, program):
    draft = services.criteria_set_new_version(actor=admin, program=program)
    data = services.CriterionInput(code="9", title="Sai", kind="rule", expression="m.crimez > 1.0")
    with pytest.raises(ValidationError) as caught:
        services.criterion_save(actor=admin, criteria_set=draft, data=data)
    message = caught.value.message_dict["expression"][0]
    assert "crimez" in message and "dòng 1, cột 3" in message
    assert not draft.criteria.filter(code="9").exists()


def test_a_used_version_is_locked_and_a_new_version_is_an_editable_copy(admin, program, enrolled):
    # given the published set is used by an enrolment
    used = program.current_set
    data = services.CriterionInput(code="5", title="Mới", kind="evidence")
    # then it cannot change
    with pytest.raises(ValidationError):
        services.criterion_save(actor=admin, criteria_set=used, data=data)
    # and a new version copies every criterion and accepts the change
    draft = services.criteria_set_new_version(actor=admin, program=program)
    assert draft.version == 2 and draft.criteria.count() == used.criteria.count()
    services.criterion_save(actor=admin, criteria_set=draft, data=data)
    services.criteria_set_publish(actor=admin, criteria_set=draft)
    program.refresh_from_db()
    assert program.current_set == draft
    # while the enrolment stays on the version it started with
    enrolled.refresh_from_db()
    assert enrolled.criteria_set == used


def test_publishing_an_empty_set_is_refused(admin):
    empty = f.program(admin, code="trong", criteria=[], publish=False)
    with pytest.raises(ValidationError) as caught:
        services.criteria_set_publish(actor=admin, criteria_set=empty.sets.get())
    assert "chưa có tiêu chí" in str(caught.value)


def test_levels_must_go_from_best_to_worst(admin, program):
    draft = services.criteria_set_new_version(actor=admin, program=program)
    data = services.SetInput(
        groups=list(draft.groups),
        levels=[{"level": "fair", "min_points": 70}, {"level": "excellent", "min_points": 90}],
    )
    with pytest.raises(ValidationError) as caught:
        services.criteria_set_update(actor=admin, criteria_set=draft, data=data)
    assert "levels" in caught.value.message_dict


def test_builtin_templates_are_installed():
    from binhyen.programs.models import Program

    village = Program.objects.get(code="an-toan-antt-khu-dan-cu")
    criteria = list(village.current_set.criteria.all())
    assert len(criteria) == 6
    assert [c.code for c in criteria if c.needs_completion] == ["4", "5"]
    ward = Program.objects.get(code="cong-an-phuong-kieu-mau")
    assert ward.current_set is None
    assert ward.sets.get().groups == [
        "I. Xây dựng lực lượng",
        "II. An ninh, trật tự",
        "III. Văn minh đô thị",
    ]


# --- enrolment and self-assessment -----------------------------------------------------------


def test_enrolment_checks_kind_period_duplicates_and_scope(s, program, enrolled):
    with pytest.raises(ValidationError) as caught:
        services.enrollment_create(
            actor=s.commune_officer, program=program, unit=s.commune, period_code="2025"
        )
    assert "đã đăng ký" in caught.value.message_dict["unit"][0]
    with pytest.raises(ValidationError) as caught:
        services.enrollment_create(
            actor=s.commune_officer, program=program, unit=s.village, period_code="MY2025"
        )
    assert {"unit", "period"} <= set(caught.value.message_dict)
    with pytest.raises(PermissionDenied):
        services.enrollment_create(
            actor=s.far_officer, program=program, unit=s.commune, period_code="2024"
        )


def test_the_province_may_assign_a_commune(s, program):
    enrollment = services.enrollment_create(
        actor=s.province_officer, program=program, unit=s.sibling_commune, period_code="2025"
    )
    assert enrollment.assigned
    event = AuditEvent.objects.get(action="enrollment.assign")
    assert event.object_id == str(enrollment.pk)


def test_points_above_the_maximum_are_refused(s, admin):
    prog = f.program(admin, code="diem", kind="classification", criteria=f.points_items([10]))
    enrollment = services.enrollment_create(
        actor=s.commune_officer, program=prog, unit=s.commune, period_code="2025"
    )
    item = Criterion.objects.get(criteria_set=enrollment.criteria_set, code="P1")
    with pytest.raises(ValidationError) as caught:
        services.assessment_save(
            actor=s.commune_officer, enrollment=enrollment, criterion=item, self_points="12"
        )
    assert "10" in caught.value.message_dict["self_points"][0]


def test_evidence_photos_lose_their_exif_and_lies_are_refused(s, enrolled):
    criterion = Criterion.objects.get(criteria_set=enrolled.criteria_set, code="3")
    # given a JPEG carrying a camera EXIF block
    exif = Image.Exif()
    exif[0x010F] = "May anh"
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 90, 0)).save(buffer, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("anh.jpg", buffer.getvalue())
    evidence = services.evidence_add(
        actor=s.commune_officer, enrollment=enrolled, criterion=criterion, upload=upload
    )
    # then the stored photo has no EXIF left
    with Image.open(evidence.file.path) as stored:
        assert not stored.getexif()
    # and a PDF named like a photo is refused
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            actor=s.commune_officer,
            enrollment=enrolled,
            criterion=criterion,
            upload=SimpleUploadedFile("anh.jpg", f.pdf().read()),
        )
    assert "file" in caught.value.message_dict


def test_submitting_with_missing_evidence_lists_what_is_missing(s, enrolled):
    # given the commune claims criterion 3 met but uploads nothing, and skips criterion 4
    criterion = Criterion.objects.get(criteria_set=enrolled.criteria_set, code="3")
    services.assessment_save(
        actor=s.commune_officer, enrollment=enrolled, criterion=criterion, self_met=True
    )
    # when it submits, then it is refused with each missing item listed
    with pytest.raises(ValidationError) as caught:
        services.enrollment_submit(actor=s.commune_officer, enrollment=enrolled)
    missing = caught.value.message_dict["missing"]
    assert any(m.startswith("3.") and "Chưa có minh chứng" in m for m in missing)
    assert any(m.startswith("4.") and "Chưa tự đánh giá" in m for m in missing)
    enrolled.refresh_from_db()
    assert enrolled.status == EnrollmentStatus.ENROLLED


def test_submission_freezes_rule_results_and_figures(s, enrolled):
    sub = submitted(s, enrolled)
    assert sub.status == EnrollmentStatus.SUBMITTED
    # when the data change after submission
    from binhyen.indicators.tests.factories import put

    put(f.metric("serious_crimes"), s.commune, "2025M09", 3)
    # then the verifier still sees what was submitted
    by_code = {r.criterion.code: r for r in evaluation.progress(sub).results}
    assert by_code["1"].status == evaluation.MET
    assert by_code["1"].figures[0].current == 0.0
    assert (sub.met_count, sub.criteria_count, sub.condition_met) == (4, 4, True)


# --- verification, decision, withdrawal --------------------------------------------------------


def test_verification_needs_reasons_and_every_verdict(s, enrolled):
    sub = submitted(s, enrolled)
    criterion = Criterion.objects.get(criteria_set=sub.criteria_set, code="3")
    with pytest.raises(ValidationError) as caught:
        services.assessment_verify(
            actor=s.province_officer, enrollment=sub, criterion=criterion, verdict="disagree"
        )
    assert "comment" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.enrollment_verify(actor=s.province_officer, enrollment=sub)
    assert len(caught.value.message_dict["verdicts"]) == 4
    # a commune cannot verify its own file
    with pytest.raises(PermissionDenied):
        services.assessment_verify(
            actor=s.commune_chief, enrollment=sub, criterion=criterion, verdict="agree"
        )


def test_verifier_disagreement_flips_the_result_and_blocks_recognition(s, enrolled):
    sub = submitted(s, enrolled)
    criterion = Criterion.objects.get(criteria_set=sub.criteria_set, code="3")
    services.assessment_verify(
        actor=s.province_officer,
        enrollment=sub,
        criterion=criterion,
        verdict="disagree",
        comment="Nghị quyết chưa ban hành",
    )
    for other in sub.criteria_set.criteria.exclude(pk=criterion.pk):
        services.assessment_verify(
            actor=s.province_officer, enrollment=sub, criterion=other, verdict="agree"
        )
    verified = services.enrollment_verify(actor=s.province_officer, enrollment=sub)
    assert (verified.met_count, verified.condition_met) == (3, False)
    with pytest.raises(ValidationError) as caught:
        services.decision_record(
            actor=s.province_officer,
            program=verified.program,
            period_code="2025",
            enrollments=[verified],
            recognised={verified.pk},
            data=f.decision_input(),
        )
    assert "chưa đủ điều kiện" in caught.value.message_dict["recognised"][0]


def test_return_sends_the_file_back_to_the_unit(s, enrolled):
    sub = submitted(s, enrolled)
    back = services.enrollment_return(
        actor=s.province_officer, enrollment=sub, reason="Bổ sung ảnh buổi ra mắt mô hình"
    )
    assert back.status == EnrollmentStatus.ENROLLED
    actions = [e.action for e in selectors.timeline(back)]
    assert actions[-2:] == ["enrollment.submit", "enrollment.return"]


def test_deciding_out_of_scope_is_refused(s, admin, enrolled):
    sub = submitted(s, enrolled)
    verified = f.verify_all(s.province_officer, sub)
    # a province officer of another province cannot decide this file
    from binhyen.accounts.models import Role
    from binhyen.accounts.tests.factories import user_with_role

    stranger = user_with_role(Role.PROVINCE_OFFICER, s.other_province, username="tinhkhac")
    with pytest.raises(PermissionDenied):
        services.decision_record(
            actor=stranger,
            program=verified.program,
            period_code="2025",
            enrollments=[verified],
            recognised={verified.pk},
            data=f.decision_input(),
        )
    with pytest.raises(Exception) as caught:
        selectors.enrollment_get(user=stranger, pk=verified.pk)
    assert caught.type.__name__ == "Http404"


def test_decision_needs_its_particulars_and_a_real_scan(s, enrolled):
    verified = f.verify_all(s.province_officer, submitted(s, enrolled))
    with pytest.raises(ValidationError) as caught:
        services.decision_record(
            actor=s.province_officer,
            program=verified.program,
            period_code="2025",
            enrollments=[verified],
            recognised={verified.pk},
            data=f.decision_input(
                number="", signer="", scan=SimpleUploadedFile("qd.pdf", b"MZ\x90")
            ),
        )
    assert {"number", "signer", "scan"} <= set(caught.value.message_dict)


def test_recognition_publishes_numbers_and_can_be_withdrawn(s, admin):
    # given a programme publishing "communes recognised"
    prog = f.program(admin, code="co-so-lieu")
    prog = services.program_update(
        actor=admin, program=prog, fields={"recognised_metric": "communes_recognised_safe"}
    )
    f.crimes_data(s.commune, crimes_now=8, crimes_before=10, serious=0)
    enrollment = services.enrollment_create(
        actor=s.commune_officer, program=prog, unit=s.commune, period_code="2025"
    )
    verified = f.verify_all(s.province_officer, submitted(s, enrollment))
    decision = services.decision_record(
        actor=s.province_officer,
        program=prog,
        period_code="2025",
        enrollments=[verified],
        recognised={verified.pk},
        data=f.decision_input(scan=f.pdf()),
    )
    verified.refresh_from_db()
    assert verified.status == EnrollmentStatus.RECOGNISED and verified.decision == decision
    assert decision.scan_mime == "application/pdf"
    value = DataValue.objects.get(metric__code="communes_recognised_safe", orgunit=s.commune)
    assert value.value == 1.0
    sibling = DataValue.objects.get(
        metric__code="communes_recognised_safe", orgunit=s.sibling_commune
    )
    assert sibling.value == 0.0
    # when the recognition is withdrawn with a reason
    with pytest.raises(ValidationError):
        services.enrollment_withdraw(actor=s.province_officer, enrollment=verified, reason=" ")
    services.enrollment_withdraw(
        actor=s.province_officer, enrollment=verified, reason="Xảy ra vụ án nghiêm trọng"
    )
    value.refresh_from_db()
    assert value.value == 0.0
    actions = [e.action for e in selectors.timeline(verified)]
    assert "decision.record" in actions and actions[-1] == "enrollment.withdraw"


def test_every_step_is_audited_on_the_file(s, enrolled):
    f.verify_all(s.province_officer, submitted(s, enrolled))
    actions = [e.action for e in selectors.timeline(enrolled)]
    assert actions[0] == "enrollment.create"
    assert {"assessment.self", "evidence.add", "enrollment.submit", "assessment.verify"} <= set(
        actions
    )
    assert actions[-1] == "enrollment.verify"


def test_points_total_counts_rule_points_when_met(s, admin):
    items = f.points_items([10, 5])
    items.append(
        services.CriterionInput(
            code="R",
            title="Không có án nghiêm trọng",
            kind="rule",
            expression="m.serious_crimes == 0.0",
            max_points=Decimal(3),
        )
    )
    f.metric("serious_crimes")
    prog = f.program(admin, code="diem-tong", criteria=items)
    f.crimes_data(s.commune, crimes_now=1, crimes_before=1, serious=0)
    enrollment = services.enrollment_create(
        actor=s.commune_officer, program=prog, unit=s.commune, period_code="2025"
    )
    f.evidence_ready(s.commune_officer, enrollment)
    assert evaluation.progress(enrollment).points_total == Decimal(18)


def test_a_returned_file_is_verified_again_after_resubmission(s, enrolled):
    sub = submitted(s, enrolled)
    criterion = Criterion.objects.get(criteria_set=sub.criteria_set, code="3")
    services.assessment_verify(
        actor=s.province_officer,
        enrollment=sub,
        criterion=criterion,
        verdict="disagree",
        comment="Thiếu chữ ký",
    )
    back = services.enrollment_return(actor=s.province_officer, enrollment=sub, reason="Bổ sung")
    result = next(r for r in evaluation.progress(back).results if r.criterion.code == "3")
    assert not result.verified and result.assessment.verifier_comment == "Thiếu chữ ký"
    again = services.enrollment_submit(actor=s.commune_officer, enrollment=back)
    rule = next(r for r in evaluation.progress(again).results if r.criterion.code == "1")
    assert rule.status == evaluation.MET and not rule.verified


def test_a_recorded_decision_is_a_webhook_event(s, enrolled, settings):
    import json

    from binhyen.core import webhooks
    from binhyen.core.models import WebhookDelivery

    # given a webhook for decisions
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    webhooks.webhook_subscription_create(
        actor=None,
        name="Kho",
        url="http://127.0.0.1:9/h",
        secret="khoa-bi-mat-rat-dai-0123",
        events=["decision.recorded"],
    )
    verified = f.verify_all(s.province_officer, submitted(s, enrolled))
    # when the province records the decision
    decision = services.decision_record(
        actor=s.province_officer,
        program=verified.program,
        period_code="2025",
        enrollments=[verified],
        recognised={verified.pk},
        data=f.decision_input(),
    )
    # then one delivery is queued with ids and codes only (no number, no signer)
    payload = json.loads(WebhookDelivery.objects.get().body)
    assert payload["object"] == {"type": "program_decision", "id": str(decision.pk)}
    assert payload["unit"] == decision.orgunit.code
    assert payload["summary"] == {
        "program": verified.program.code,
        "kind": verified.program.kind,
        "period": "2025",
        "units": 1,
    }
    assert decision.signer not in json.dumps(payload, ensure_ascii=False)
