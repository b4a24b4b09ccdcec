from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.cases import selectors, services
from binhyen.cases.models import Case, CaseRead, CaseType, Handover, Helper, SubjectRequest
from binhyen.cases.tests.factories import case_input, open_case
from binhyen.core.models import AuditEvent
from binhyen.orgunits.tests.factories import VillageFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _refused(call, field, message_part):
    cases, audits = Case.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        call()
    assert field in exc.value.message_dict, exc.value.message_dict
    assert message_part in " ".join(exc.value.message_dict[field])
    assert (Case.objects.count(), AuditEvent.objects.count()) == (cases, audits)


def test_the_two_legal_types_are_seeded_with_purpose_and_legal_basis():
    types = {t.code: t for t in CaseType.objects.all()}
    assert "49/2020/NĐ-CP" in types["reintegration"].legal_basis
    assert "120/2021/NĐ-CP" in types["commune_education"].legal_basis
    assert types["commune_education"].duration_months == 6
    assert all(t.purpose for t in types.values())


def test_chief_opens_a_case_and_the_audit_holds_no_personal_data(scene):
    case = open_case(scene.commune_chief, scene.commune)
    assert case.full_name_folded == "nguyen van binh"
    event = AuditEvent.objects.get(action="case.open")
    text = str(event.changes) + event.object_repr
    assert "Bình" not in text and "001090001234" not in text and "45/2022" not in text
    assert event.object_repr == case.reference


def test_commune_education_gets_its_period_end_from_the_type(scene):
    opened = date(2026, 1, 15)
    case = open_case(
        scene.commune_chief,
        scene.commune,
        case_type=CaseType.objects.get(code="commune_education"),
        opened_on=opened,
        release_date=None,
    )
    assert case.support_until == date(2026, 7, 15)


@pytest.mark.parametrize("who", ["province_officer", "commune_officer", "far_officer"])
def test_only_the_chief_of_the_commune_opens_a_case(scene, who):
    with pytest.raises(PermissionDenied):
        open_case(getattr(scene, who), scene.commune)
    assert not Case.objects.exists()


def test_a_case_outside_the_chiefs_commune_is_refused_as_missing(scene):
    with pytest.raises(PermissionDenied) as exc:
        open_case(scene.commune_chief, scene.sibling_commune)
    assert "Không tìm thấy hồ sơ" in str(exc.value)
    assert not Case.objects.exists()


def test_release_date_after_today_is_refused(scene):
    _refused(
        lambda: open_case(
            scene.commune_chief, scene.commune, release_date=TODAY() + timedelta(days=1)
        ),
        "release_date",
        "Ngày chấp hành xong, được đặc xá không được sau ngày hôm nay",
    )


def test_identity_number_must_have_twelve_digits(scene):
    _refused(
        lambda: open_case(scene.commune_chief, scene.commune, identity_number="12345"),
        "identity_number",
        "12 chữ số",
    )


def test_home_village_must_be_of_the_commune(scene):
    other = VillageFactory(parent=scene.sibling_commune)
    _refused(
        lambda: open_case(scene.commune_chief, scene.commune, home_village=other),
        "home_village",
        "phải thuộc xã, phường của hồ sơ",
    )


def test_review_before_the_case_opened_is_refused(scene):
    case = open_case(scene.commune_chief, scene.commune)
    with pytest.raises(ValidationError) as exc:
        services.review_record(
            actor=scene.commune_chief,
            case=case,
            kind="review",
            held_on=case.opened_on - timedelta(days=1),
        )
    assert "không được trước ngày lập hồ sơ" in exc.value.message_dict["held_on"][0]
    assert not case.reviews.exists()


def test_handover_to_the_same_commune_is_refused(scene):
    case = open_case(scene.commune_chief, scene.commune)
    with pytest.raises(ValidationError) as exc:
        services.handover_request(actor=scene.commune_chief, case=case, to_unit=scene.commune)
    assert "chính xã, phường đang quản lý" in exc.value.message_dict["to_unit"][0]
    assert not Handover.objects.exists()


def test_anonymising_an_open_case_is_refused(scene):
    case = open_case(scene.commune_chief, scene.commune)
    with pytest.raises(ValidationError) as exc:
        services.case_anonymise(actor=scene.commune_chief, case=case)
    assert "Không thể ẩn danh hồ sơ đang hỗ trợ" in exc.value.message_dict["status"][0]
    case.refresh_from_db()
    assert case.full_name and case.anonymised_at is None


def test_reveal_without_the_field_permission_is_refused_and_not_logged(scene):
    case = open_case(scene.commune_chief, scene.commune)
    services.helper_assign(
        actor=scene.commune_chief, case=case, kind="officer", user=scene.commune_officer
    )
    with pytest.raises(PermissionDenied) as exc:
        services.case_field_reveal(actor=scene.commune_officer, pk=case.pk, field="identity_number")
    assert "không có quyền xem số định danh" in str(exc.value)
    assert not CaseRead.objects.filter(channel="reveal").exists()


def test_helper_account_must_work_in_the_commune(scene):
    case = open_case(scene.commune_chief, scene.commune)
    with pytest.raises(ValidationError) as exc:
        services.helper_assign(
            actor=scene.commune_chief, case=case, kind="officer", user=scene.far_officer
        )
    assert "vai trò tại xã, phường của hồ sơ" in exc.value.message_dict["user"][0]
    assert not Helper.objects.exists()


def test_assigned_user_reads_until_the_assignment_ends(scene):
    case = open_case(scene.commune_chief, scene.commune)
    helper = services.helper_assign(
        actor=scene.commune_chief, case=case, kind="officer", user=scene.commune_officer
    )
    assert services.case_read(actor=scene.commune_officer, pk=case.pk) == case
    services.helper_end(actor=scene.commune_chief, helper=helper)
    with pytest.raises(Http404):
        services.case_read(actor=scene.commune_officer, pk=case.pk)


def test_village_member_helper_reads_the_case(scene):
    case = open_case(scene.commune_chief, scene.commune)
    services.helper_assign(
        actor=scene.commune_chief, case=case, kind="other", user=scene.village_member
    )
    assert services.case_read(actor=scene.village_member, pk=case.pk) == case


def test_superuser_sees_no_case(scene, django_user_model):
    case = open_case(scene.commune_chief, scene.commune)
    root = django_user_model.objects.create_superuser("root", "r@example.vn", "x")
    with pytest.raises(Http404):
        selectors.case_get(user=root, pk=case.pk)
    assert not selectors.case_list(user=root).exists()


def test_every_read_is_logged_with_its_channel(scene):
    case = open_case(scene.commune_chief, scene.commune)
    services.case_read(actor=scene.commune_chief, pk=case.pk, channel="api")
    services.cases_read_for_export(actor=scene.commune_chief, unit=scene.commune)
    channels = list(CaseRead.objects.order_by("pk").values_list("channel", flat=True))
    assert channels == ["api", "export"]


def test_masking_keeps_the_last_three_digits(scene):
    case = open_case(scene.commune_chief, scene.commune)
    hidden = selectors.masked(case)
    assert hidden["identity_number"] == "•••••••••234"
    assert "45/2022" not in hidden["judgment_number"]
    shown = selectors.masked(case, frozenset({"identity_number", "judgment"}))
    assert shown["identity_number"] == "001090001234"
    assert shown["judgment_date"] == "10/05/2022"


def test_close_requires_a_reason_and_not_in_the_future(scene):
    case = open_case(scene.commune_chief, scene.commune)
    with pytest.raises(ValidationError) as exc:
        services.case_close(actor=scene.commune_chief, case=case, closed_on=TODAY(), reason="")
    assert "lý do kết thúc" in exc.value.message_dict["closure_reason"][0]
    with pytest.raises(ValidationError) as exc:
        services.case_close(
            actor=scene.commune_chief,
            case=case,
            closed_on=TODAY() + timedelta(days=1),
            reason="settled",
        )
    assert "không được sau ngày hôm nay" in exc.value.message_dict["closed_on"][0]
    case.refresh_from_db()
    assert case.is_open


def test_officer_cannot_close_even_when_assigned(scene):
    case = open_case(scene.commune_chief, scene.commune)
    services.helper_assign(
        actor=scene.commune_chief, case=case, kind="officer", user=scene.commune_officer
    )
    with pytest.raises(PermissionDenied) as exc:
        services.case_close(
            actor=scene.commune_officer, case=case, closed_on=TODAY(), reason="settled"
        )
    assert "trưởng công an xã" in str(exc.value)


def test_subject_request_deadline_counts_working_days(scene):
    case = open_case(scene.commune_chief, scene.commune)
    friday = date(2026, 11, 27)
    request = services.subject_request_open(
        actor=scene.commune_chief, case=case, kind="access", received_on=friday
    )
    assert request.due_on == date(2026, 12, 1)


def test_deletion_while_the_legal_basis_runs_is_refused(scene):
    case = open_case(scene.commune_chief, scene.commune, support_until=TODAY() + timedelta(days=30))
    request = services.subject_request_open(
        actor=scene.commune_chief, case=case, kind="deletion", received_on=TODAY()
    )
    with pytest.raises(ValidationError) as exc:
        services.subject_request_complete(
            actor=scene.commune_chief,
            request=request,
            status="done",
            response="Đã xóa",
            completed_on=TODAY(),
        )
    assert "căn cứ pháp lý chưa chấm dứt" in exc.value.message_dict["status"][0]
    request.refresh_from_db()
    assert request.status == SubjectRequest.Status.OPEN


def test_deletion_after_the_period_anonymises(scene):
    case = open_case(scene.commune_chief, scene.commune, support_until=TODAY() - timedelta(days=1))
    request = services.subject_request_open(
        actor=scene.commune_chief, case=case, kind="deletion", received_on=TODAY()
    )
    services.subject_request_complete(
        actor=scene.commune_chief,
        request=request,
        status="done",
        response="Đã xóa dữ liệu cá nhân",
        completed_on=TODAY(),
    )
    case.refresh_from_db()
    assert case.is_anonymised and not case.full_name and not case.identity_number
    assert case.status == Case.Status.CLOSED


@override_settings(CASES_RETENTION_DAYS=30)
def test_retention_leaves_recent_closures_alone(scene):
    case = open_case(scene.commune_chief, scene.commune)
    services.case_close(
        actor=scene.commune_chief,
        case=case,
        closed_on=TODAY() - timedelta(days=10),
        reason="settled",
    )
    assert services.cases_anonymise_expired() == 0
    assert services.cases_anonymise_expired(today=TODAY() + timedelta(days=30)) == 1
    case.refresh_from_db()
    assert case.is_anonymised


def test_province_may_add_a_type_with_its_own_fields(scene):
    data = services.CaseTypeInput(
        code="cai_nghien",
        name="Hỗ trợ sau cai nghiện",
        purpose="Hỗ trợ người sau cai nghiện",
        legal_basis="Luật Phòng, chống ma túy 2021",
        province=scene.province,
        review_every_days=14,
        extra_fields=["Cơ sở cai nghiện"],
    )
    created = services.case_type_create(actor=scene.province_officer, data=data)
    assert created.extra_fields == ["Cơ sở cai nghiện"]
    case = open_case(
        scene.commune_chief,
        scene.commune,
        case_type=created,
        extra={"Cơ sở cai nghiện": "Cơ sở số 2"},
    )
    assert case.extra == {"Cơ sở cai nghiện": "Cơ sở số 2"}
    with pytest.raises(ValidationError) as exc:
        open_case(scene.commune_chief, scene.commune, case_type=created, extra={"Tôn giáo": "x"})
    assert "không có trường" in exc.value.message_dict["extra"][0]


def test_a_province_type_is_not_usable_in_another_province(scene):
    created = services.case_type_create(
        actor=scene.province_officer,
        data=services.CaseTypeInput(
            code="rieng", name="Riêng", purpose="p", legal_basis="b", province=scene.province
        ),
    )
    chief = user_with_role(Role.COMMUNE_CHIEF, scene.far_commune, username="truongxa")
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=chief, unit=scene.far_commune, data=case_input(case_type=created))
    assert "không dùng được" in exc.value.message_dict["case_type"][0]
