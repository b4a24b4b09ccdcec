import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from binhyen.accounts.tests.factories import login_verified
from binhyen.cases.models import Case, CaseRead, CaseType
from binhyen.cases.tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_release_date_after_today_shows_the_message_and_saves_nothing(client, scene):
    client.force_login(scene.commune_chief)
    today = timezone.localdate()
    response = client.post(
        reverse("cases:create"),
        {
            "unit": scene.commune.code,
            "case_type": "1",
            "full_name": "Lê Văn Ba",
            "opened_on": today.isoformat(),
            "release_date": (today + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Ngày chấp hành xong, được đặc xá không được sau ngày hôm nay." in (
        response.content.decode()
    )
    assert not Case.objects.exists()


def test_review_before_opening_on_the_page_is_400(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_chief)
    response = client.post(
        reverse("cases:review_add", args=[case.pk]),
        {"kind": "review", "held_on": (case.opened_on - timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 400
    assert "không được trước ngày lập hồ sơ" in response.content.decode()
    assert not case.reviews.exists()


def test_handover_to_an_unknown_code_is_400(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_chief)
    response = client.post(
        reverse("cases:handover", args=[case.pk]),
        {"to_unit": "99999", "requested_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert "Không có xã, phường mang mã 99999." in response.content.decode()
    assert not case.handovers.exists()


def test_the_chiefs_excel_export_is_masked_and_logged(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_chief)
    response = client.get(reverse("cases:export", args=[scene.commune.code]))
    assert response.status_code == 200
    sheet = load_workbook(filename=io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == case.reference and rows[1][4] == "•••••••••234"
    assert CaseRead.objects.filter(case=case, channel="export").count() == 1


def test_the_export_of_another_commune_is_404(client, scene):
    open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_chief)
    assert client.get(reverse("cases:export", args=[scene.sibling_commune.code])).status_code == 404
    assert not CaseRead.objects.exists()


def test_the_menu_shows_cases_only_to_who_may_open_one(client, scene):
    client.force_login(scene.commune_chief)
    assert 'data-testid="nav-cases"' in client.get(reverse("cases:types")).content.decode()
    client.force_login(scene.commune_officer)
    assert 'data-testid="nav-cases"' not in client.get(reverse("cases:types")).content.decode()
    assert client.get(reverse("cases:list")).status_code == 404


def test_case_types_show_purpose_and_legal_basis(client, scene):
    client.force_login(scene.commune_officer)
    page = client.get(reverse("cases:types")).content.decode()
    assert "49/2020/NĐ-CP" in page and "120/2021/NĐ-CP" in page


def test_english_pages_are_translated(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_chief)
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Support plan" in page and "Access history" in page


def test_the_list_flags_cases_whose_review_is_due(client, scene):
    open_case(scene.commune_chief, scene.commune)  # opened 120 days ago, never reviewed
    client.force_login(scene.commune_chief)
    page = client.get(reverse("cases:list")).content.decode()
    assert 'data-testid="review-due"' in page


def test_english_pages_name_the_built_in_case_types_in_english(client, scene):
    # given a case of the built-in reintegration type and a chief who reads in English
    case = open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_chief)
    client.post(reverse("set_language"), {"language": "en"})
    # when they open the list of types and the case
    types = client.get(reverse("cases:types")).content.decode()
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    # then the types' names and purposes are English, the legal basis keeps its references
    assert "Reintegration after a prison sentence or a pardon" in types
    assert "Education in the commune (administrative measure)" in types
    assert "Help a person who has served a prison sentence" in types
    assert "Hỗ trợ người chấp hành xong án phạt tù" not in types
    assert "49/2020/NĐ-CP" in types
    assert "Reintegration after a prison sentence or a pardon" in detail


def test_vietnamese_pages_keep_the_vietnamese_names(client, scene):
    client.force_login(scene.commune_officer)
    page = client.get(reverse("cases:types")).content.decode()
    assert "Hỗ trợ người chấp hành xong án phạt tù" in page
    assert "Reintegration after a prison sentence" not in page


def test_a_case_type_is_added_with_its_english_name(client, scene):
    # given a province officer who may add a type for their province
    login_verified(client, scene.province_officer)
    # when they add a type with an English name and purpose
    response = client.post(
        reverse("cases:type_create"),
        {
            "code": "tinh_rieng",
            "name": "Hỗ trợ riêng của tỉnh",
            "name_en": "Province support",
            "purpose": "Giúp ổn định cuộc sống.",
            "purpose_en": "Help settle back.",
            "legal_basis": "Nghị quyết của tỉnh.",
            "province": scene.province.pk,
            "review_every_days": 30,
        },
    )
    # then the type keeps both names
    assert response.status_code == 302, response.content.decode()[:2000]
    created = CaseType.objects.get(code="tinh_rieng")
    assert (created.name_en, created.purpose_en) == ("Province support", "Help settle back.")
