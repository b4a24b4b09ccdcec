"""The built-in movement classification (QĐ 510/QĐ-BCA-V05): what it ships, what its page
says about who completes it, and the whole cycle once a province has imported its sheet —
adopt, import the score sheet and bands from Excel, publish, enrol, self-assess, verify,
decide, classify."""

from __future__ import annotations

import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps as global_apps
from django.urls import reverse
from openpyxl import load_workbook

from binhyen.accounts.tests.factories import login_verified
from binhyen.programs import services
from binhyen.programs.models import EnrollmentStatus, Program
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db

shipped = importlib.import_module("binhyen.programs.migrations.0005_classification_sources")

# A province's sheet (three items, 100 points) and its bands, as the province fills them in.
SHEET = [("1", "Lãnh đạo, chỉ đạo", 30), ("2", "Tuyên truyền, vận động", 30), ("3", "Kết quả", 40)]
BANDS = {"xuất sắc": 90, "khá": 70, "trung bình": 50}


def classification() -> Program:
    return Program.objects.get(code=shipped.CODE)


def test_the_shipped_classification_names_its_sources_and_invents_no_number():
    program = classification()
    draft = program.sets.get(version=1)
    # the sources are named and the sheet is marked provisional
    assert "510/QĐ-BCA-V05" in program.description
    assert "514/QĐ-UBND" in program.description and "Công an tỉnh" in program.description
    assert draft.note.startswith("Tạm thời")
    # nothing is published, no item and no threshold is made up
    assert program.current_set is None and draft.published_at is None
    assert not draft.criteria.exists()
    assert [lv["min_points"] for lv in draft.levels] == [None, None, None, None]


def test_a_commune_officer_reads_who_completes_it_and_gets_no_button(client, s):
    client.force_login(s.commune_officer)
    page = client.get(reverse("programs:detail", args=[shipped.CODE])).content.decode()
    assert 'data-testid="not-usable"' in page and 'data-testid="who-imports"' in page
    assert "Công an tỉnh bấm “Áp dụng”" in page
    assert 'data-testid="import-link"' not in page and 'data-testid="enrol-form"' not in page


def test_the_page_in_english_says_the_same(client, s, settings):
    client.force_login(s.commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("programs:detail", args=[shipped.CODE])).content.decode()
    assert "the provincial police press “Adopt”" in page


def test_the_ministry_is_offered_the_import_into_the_draft(client, s):
    login_verified(client, f.ministry_admin())
    page = client.get(reverse("programs:detail", args=[shipped.CODE])).content.decode()
    assert 'data-testid="import-link"' in page


def _filled_sheet(workbook_bytes: bytes) -> bytes:
    """Fill the exported draft in as a province does: its items and its bands."""
    workbook = load_workbook(io.BytesIO(workbook_bytes))
    criteria = workbook["Tiêu chí"]
    header = [c.value for c in criteria[1]]
    for code, title, points in SHEET:
        row: list[str | int | None] = [None] * len(header)
        row[header.index("Mã")] = code
        row[header.index("Nội dung tiêu chí")] = title
        row[header.index("Loại")] = "chấm điểm"
        row[header.index("Điểm tối đa")] = points
        criteria.append(row)
    for cells in workbook["Xếp loại"].iter_rows(min_row=2):
        cells[1].value = BANDS.get(str(cells[0].value))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_province_adopts_imports_its_sheet_and_classifies_its_communes(client, s):
    # given the provincial police, signed in
    login_verified(client, s.province_officer)
    # when they adopt the national classification for their province
    response = client.post(
        reverse("programs:adopt", args=[shipped.CODE]), {"code": "xep-loai-tinh"}
    )
    assert response.status_code == 302
    copy = Program.objects.get(code="xep-loai-tinh")
    assert copy.owner == s.province and copy.based_on == classification()
    # and fill in the exported draft with their sheet and bands, import it and publish it
    exported = client.get(reverse("programs:set_export", args=[copy.code, 1, "xlsx"]))
    assert exported.status_code == 200
    upload = io.BytesIO(_filled_sheet(exported.content))
    upload.name = "phieu-cham-diem.xlsx"
    response = client.post(reverse("programs:set_import", args=[copy.code, 1]), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:3000]
    client.post(reverse("programs:set_publish", args=[copy.code, 1]))
    copy.refresh_from_db()
    assert copy.current_set is not None
    assert copy.current_set.levels[0] == {"level": "excellent", "min_points": 90}
    # then the page offers enrolment
    page = client.get(reverse("programs:detail", args=[copy.code])).content.decode()
    assert 'data-testid="enrol-form"' in page
    # and a commune enrolled, scored 30 + 25 + 38 = 93, verified and decided is "excellent"
    enrollment = services.enrollment_create(
        actor=s.province_officer, program=copy, unit=s.commune, period_code="2025"
    )
    for criterion, points in zip(enrollment.criteria_set.criteria.all(), (30, 25, 38), strict=True):
        services.assessment_save(
            actor=s.commune_officer, enrollment=enrollment, criterion=criterion, self_points=points
        )
    services.enrollment_submit(actor=s.commune_officer, enrollment=enrollment)
    f.verify_all(s.province_officer, enrollment)
    services.decision_record(
        actor=s.province_officer,
        program=copy,
        period_code="2025",
        enrollments=[enrollment],
        recognised=set(),
        data=f.decision_input(),
    )
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CLASSIFIED
    assert (enrollment.points_total, enrollment.level) == (Decimal(93), "excellent")


def test_the_migration_is_idempotent_reversible_and_leaves_edits_alone():
    program = classification()
    shipped.forward(global_apps, None)
    program.refresh_from_db()
    assert program.description == shipped.DESCRIPTION
    shipped.backward(global_apps, None)
    program.refresh_from_db()
    assert program.description == shipped.OLD_DESCRIPTION
    assert program.sets.get(version=1).note == shipped.OLD_NOTE
    # a description the ministry rewrote is not overwritten
    Program.objects.filter(pk=program.pk).update(description="Văn bản do Bộ sửa.")
    shipped.forward(global_apps, None)
    program.refresh_from_db()
    assert program.description == "Văn bản do Bộ sửa."
    assert program.sets.get(version=1).note == shipped.NOTE
