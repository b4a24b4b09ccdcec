"""Hotspot pages: deny by default, 404 outside scope, the workflow forms, attachments, export."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from binhyen.accounts.tests.factories import login_verified
from binhyen.hotspots import services
from binhyen.hotspots.models import Designation, PlanTask, Relapse
from binhyen.hotspots.tests.factories import designate, province_scene

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def s(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scene = SimpleNamespace(**vars(province_scene()))
    scene.designation = designate(
        scene.officer, scene.communes[0], decision_file=SimpleUploadedFile("qd.pdf", PDF)
    )
    scene.task = services.plan_task_create(
        actor=scene.officer,
        designation=scene.designation,
        title="Xóa tụ điểm",
        owner="Công an xã",
        deadline=date(2024, 6, 30),
    )
    scene.responsibility = services.responsibility_create(
        actor=scene.officer, designation=scene.designation, department="Phòng PV05"
    )
    return scene


def _reads(s):
    d = s.designation.pk
    return [
        ("list", [], {}),
        ("export", [], {}),
        ("board", [], {"unit": s.province.code}),
        ("detail", [d], {}),
        ("attachment", [d, "decision"], {}),
        ("task", [s.task.pk], {}),
    ]


def _writes(s):
    d = s.designation.pk
    return [
        ("create", [], {}),
        ("edit", [d], {}),
        ("responsibility_add", [d], {"department": "X"}),
        ("responsibility_delete", [d, s.responsibility.pk], {}),
        ("task_add", [d], {"title": "x", "owner": "y", "deadline": "2024-07-01"}),
        ("removal_propose", [d], {"proposed_on": "2024-11-01"}),
        (
            "removal",
            [d],
            {"decision_number": "1", "decision_date": "2024-12-01", "issuing_body": "UBND"},
        ),
        ("relapse_add", [d], {"day": "2025-01-01", "description": "x"}),
    ]


def test_anonymous_users_are_sent_to_sign_in(client, s):
    for name, args, params in _reads(s) + _writes(s):
        response = client.get(reverse(f"hotspots:{name}", args=args), params)
        assert response.status_code == 302, name
        assert "/accounts/login/" in response["Location"], name


def test_out_of_scope_users_get_404(client, s):
    login_verified(client, s.far_officer)
    for name, args, params in _reads(s):
        if name in ("list", "export"):
            continue
        assert client.get(reverse(f"hotspots:{name}", args=args), params).status_code == 404, name
    for name, args, data in _writes(s):
        if name == "create":
            continue
        assert client.post(reverse(f"hotspots:{name}", args=args), data).status_code == 404, name
    assert "Xã Số 1" not in client.get(reverse("hotspots:list")).content.decode()
    s.designation.refresh_from_db()
    assert s.designation.removal_date is None


def test_commune_police_read_and_report_but_do_not_manage(client, s):
    client.force_login(s.commune_officer)
    for name, args, params in _reads(s):
        if name == "board":
            continue
        assert client.get(reverse(f"hotspots:{name}", args=args), params).status_code == 200, name
    for name, args, data in _writes(s):
        method = client.get if name in ("create", "edit") else client.post
        assert method(reverse(f"hotspots:{name}", args=args), data).status_code == 404, name
    response = client.post(
        reverse("hotspots:task", args=[s.task.pk]),
        {"form": "report", "progress": "40", "status": "in_progress", "evidence": "Đã họp dân"},
    )
    assert response.status_code == 302
    s.task.refresh_from_db()
    assert (s.task.progress, s.task.status) == (40, "in_progress")
    response = client.post(
        reverse("hotspots:task", args=[s.task.pk]),
        {"form": "task", "title": "x", "owner": "y", "deadline": "2024-07-01"},
    )
    assert response.status_code == 404


def test_province_officer_runs_the_workflow(client, s):
    login_verified(client, s.officer)
    for name, args, params in _reads(s):
        assert client.get(reverse(f"hotspots:{name}", args=args), params).status_code == 200, name
    d = s.designation.pk
    # a removal decision dated before the designation is refused, nothing saved
    response = client.post(
        reverse("hotspots:removal", args=[d]),
        {"decision_number": "9", "decision_date": "2024-01-15", "issuing_body": "UBND tỉnh"},
    )
    assert response.status_code == 400
    assert "phải sau ngày quyết định đưa vào diện" in response.content.decode()
    s.designation.refresh_from_db()
    assert s.designation.removal_date is None
    for name, args, data in _writes(s)[2:]:
        response = client.post(reverse(f"hotspots:{name}", args=args), data)
        assert response.status_code == 302, (name, response.content.decode()[:3000])
    s.designation.refresh_from_db()
    assert s.designation.removal_date == date(2024, 12, 1)
    assert Relapse.objects.count() == 1
    assert PlanTask.objects.count() == 2


def test_create_and_edit_a_designation(client, s):
    login_verified(client, s.officer)
    response = client.post(
        reverse("hotspots:create"),
        {
            "regime": "drug_area",
            "unit": s.communes[1].code,
            "year": "2025",
            "drug_area_type": "type_2",
            "categories": ["ma_tuy"],
            "decision_number": "5/QĐ-UBND",
            "decision_date": "2025-01-10",
            "issuing_body": "UBND tỉnh",
            "decision_file": SimpleUploadedFile("qd.pdf", PDF),
        },
    )
    assert response.status_code == 302
    designation = Designation.objects.get(regime="drug_area")
    assert designation.decision_file
    response = client.post(
        reverse("hotspots:edit", args=[designation.pk]),
        {
            "regime": "drug_area",
            "unit": s.communes[1].code,
            "year": "2025",
            "drug_area_type": "",
            "decision_number": "5/QĐ-UBND",
            "decision_date": "2025-01-10",
            "issuing_body": "UBND tỉnh",
        },
    )
    assert response.status_code == 400
    assert "Hãy chọn phân loại" in response.content.decode()
    # a disguised attachment is refused with its reason
    response = client.post(
        reverse("hotspots:create"),
        {
            "regime": "transformation",
            "unit": s.communes[2].code,
            "year": "2025",
            "decision_number": "6",
            "decision_date": "2025-01-10",
            "issuing_body": "UBND",
            "decision_file": SimpleUploadedFile("qd.pdf", b"<script>x</script>"),
        },
    )
    assert response.status_code == 400
    assert "không phải là loại được nhận" in response.content.decode()


def test_list_filters_and_empty_state(client, s):
    login_verified(client, s.officer)
    html = client.get(reverse("hotspots:list"), {"regime": "ministry_hotspot"}).content.decode()
    assert 'data-testid="empty-state"' in html
    html = client.get(reverse("hotspots:list"), {"status": "active"}).content.decode()
    assert "Xã Số 1" in html


def test_export(client, s):
    login_verified(client, s.officer)
    response = client.get(reverse("hotspots:export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "Xã Số 1"
    assert rows[1][14] == 1  # overdue tasks


# --- absent fields keep their values ---------------------------------------------------------


def _stored(obj):
    from django.forms.models import model_to_dict

    data = model_to_dict(type(obj).objects.get(pk=obj.pk))
    return {k: (v.name if hasattr(v, "field") else v) for k, v in data.items()}


@pytest.mark.parametrize(
    ("name", "target", "extra"),
    [
        ("edit", "designation", {}),
        ("task", "task", {"form": "task"}),
        ("task", "task", {"form": "report"}),
    ],
)
def test_a_post_with_only_the_csrf_token_changes_nothing(client, s, name, target, extra):
    # Given a stored designation and task
    obj = getattr(s, target)
    before = _stored(obj)
    login_verified(client, s.officer)
    # When an edit form is posted with nothing but the CSRF token (and which form it is)
    client.post(reverse(f"hotspots:{name}", args=[obj.pk]), {"csrfmiddlewaretoken": "x", **extra})
    # Then nothing of it changed
    assert _stored(obj) == before
