from datetime import timedelta

import pytest
from django.utils import timezone

from binhyen.accounts.tests.factories import login_verified
from binhyen.cases import services
from binhyen.cases.models import Case, CaseRead, Handover, Review
from binhyen.cases.tests.factories import open_case
from binhyen.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases"


def _body(scene, **overrides):
    today = timezone.localdate()
    body = {
        "unit": scene.commune.code,
        "case_type": "reintegration",
        "full_name": "Phạm Văn Tư",
        "opened_on": today.isoformat(),
        "identity_number": "001090009876",
        "release_date": (today - timedelta(days=3)).isoformat(),
        "needs": ["job"],
    }
    body.update(overrides)
    return body


def test_chief_opens_a_case_masked_and_the_read_is_logged(client, scene):
    client.force_login(scene.commune_chief)
    response = client.post(f"{URL}/cases", _body(scene), content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert data["identity_number"] == "•••••••••876"
    assert "49/2020/NĐ-CP" in data["legal_basis"]
    assert CaseRead.objects.filter(case_id=data["id"], channel="api").count() == 1


def test_case_for_a_unit_outside_scope_is_404_and_nothing_saved(client, scene):
    client.force_login(scene.commune_chief)
    body = _body(scene, unit=scene.sibling_commune.code)
    response = client.post(f"{URL}/cases", body, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["field"] == "unit"
    assert not Case.objects.exists()


def test_release_date_after_today_is_400_naming_the_field(client, scene):
    client.force_login(scene.commune_chief)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        f"{URL}/cases", _body(scene, release_date=tomorrow), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "release_date"
    assert "không được sau ngày hôm nay" in response.json()["message"]
    assert not Case.objects.exists() and not AuditEvent.objects.filter(action="case.open")


def test_review_before_opening_is_400_and_nothing_saved(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_chief)
    response = client.post(
        f"{URL}/cases/{case.pk}/reviews",
        {"kind": "review", "held_on": (case.opened_on - timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "held_on"
    assert "không được trước ngày lập hồ sơ" in response.json()["message"]
    assert not Review.objects.exists()


def test_handover_to_the_same_commune_is_400(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_chief)
    response = client.post(
        f"{URL}/cases/{case.pk}/handover",
        {"to_unit": scene.commune.code},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "chính xã, phường đang quản lý" in response.json()["message"]
    assert not Handover.objects.exists()


def test_anonymising_an_open_case_is_400(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_chief)
    response = client.post(f"{URL}/cases/{case.pk}/anonymise")
    assert response.status_code == 400
    assert "Không thể ẩn danh hồ sơ đang hỗ trợ" in response.json()["message"]
    case.refresh_from_db()
    assert not case.is_anonymised


def test_reveal_without_the_field_permission_is_403_and_not_logged(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    services.helper_assign(
        actor=scene.commune_chief, case=case, kind="officer", user=scene.commune_officer
    )
    client.force_login(scene.commune_officer)
    response = client.post(
        f"{URL}/cases/{case.pk}/reveal",
        {"field": "identity_number"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "không có quyền xem số định danh" in response.json()["message"]
    assert not CaseRead.objects.filter(channel="reveal").exists()
    # the assigned officer may record a review but not close the case (403 with the reason)
    ok = client.post(
        f"{URL}/cases/{case.pk}/reviews",
        {"kind": "contact", "held_on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert ok.status_code == 200
    closed = client.post(
        f"{URL}/cases/{case.pk}/close",
        {"closed_on": timezone.localdate().isoformat(), "reason": "settled"},
        content_type="application/json",
    )
    assert closed.status_code == 403 and "trưởng công an xã" in closed.json()["message"]


def test_list_shows_only_own_cases_and_logs_each(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_officer)
    assert client.get(f"{URL}/cases").json() == {"count": 0, "items": []}
    client.force_login(scene.commune_chief)
    listing = client.get(f"{URL}/cases").json()
    assert [c["id"] for c in listing["items"]] == [case.pk]
    assert CaseRead.objects.filter(case=case, channel="list").count() == 1


def test_subject_request_export_holds_everything_and_is_logged(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    client.force_login(scene.commune_chief)
    created = client.post(
        f"{URL}/cases/{case.pk}/subject-requests",
        {"kind": "access", "received_on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert created.status_code == 201
    export = client.get(f"{URL}/subject-requests/{created.json()['id']}/export")
    text = str(export.json())
    assert "001090001234" in text and "Nguyễn Văn Bình" in text
    assert CaseRead.objects.filter(case=case, channel="subject_export").exists()


def test_province_officer_gets_figures_but_never_a_case(client, scene):
    case = open_case(scene.commune_chief, scene.commune)
    login_verified(client, scene.province_officer)
    assert client.get(f"{URL}/cases/{case.pk}").status_code == 404
    assert client.get(f"{URL}/cases/{case.pk}/access-history").status_code == 404
    figures = client.get(f"{URL}/figures", {"unit": scene.province.code})
    assert figures.status_code == 200
    values = {(f["metric"], f["option"]): f["value"] for f in figures.json()["figures"]}
    assert values[("cases_open", "")] == 1
    assert values[("cases_open", "reintegration")] == 1


def test_the_types_carry_their_english_name_and_the_label_follows_the_language(client, scene):
    # given an officer who reads the list of case types
    client.force_login(scene.commune_officer)
    # when they ask in English
    response = client.get(f"{URL}/types", HTTP_ACCEPT_LANGUAGE="en")
    # then each built-in type has its English name, and the label is the English one
    assert response.status_code == 200
    by_code = {t["code"]: t for t in response.json()}
    reintegration = by_code["reintegration"]
    assert reintegration["name_en"] == "Reintegration after a prison sentence or a pardon"
    assert reintegration["label"] == reintegration["name_en"]
    assert reintegration["purpose_en"].startswith("Help a person who has served")
    assert reintegration["name"].startswith("Hỗ trợ người chấp hành xong án phạt tù")
