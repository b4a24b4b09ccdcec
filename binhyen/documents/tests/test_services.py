"""Drafting, editing and issuing documents; the Word file read back with python-docx."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from binhyen.core.models import AuditEvent
from binhyen.documents import services
from binhyen.documents.models import DocumentStatus


def text_of(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts).replace("\u00a0", " ")


def draft(world, code="bao-cao-phong-trao-xa", unit=None, period="2026S1", actor=None):
    return services.document_draft_create(
        actor=actor or world.commune_chief,
        template_code=code,
        unit=unit or world.commune,
        period=period,
    )


def test_issue_freezes_numbers_and_stores_the_word_file(world):
    doc = draft(world)
    assert doc.status == DocumentStatus.DRAFT
    assert doc.symbol == "BC-CAX"
    services.document_update(
        actor=world.commune_officer,
        document=doc,
        narrative={"situation": "Tình hình ổn định.\nKhông có vụ việc phức tạp."},
    )
    issued = services.document_issue(
        actor=world.commune_chief, document=doc, number=12, issued_on=date(2026, 7, 15)
    )
    assert issued.reference == "12/BC-CAX"
    with default_storage.open(issued.docx_file, "rb") as handle:
        text = text_of(handle.read())
    assert "CÔNG AN XÃ HIỆP HÒA" in text
    assert "CÔNG AN TỈNH BẮC NINH" in text
    assert "Số: 12/BC-CAX" in text
    assert "Hiệp Hòa, ngày 15 tháng 7 năm 2026" in text
    assert "Nơi nhận:" in text
    assert "Tình hình ổn định." in text
    assert "DỰ THẢO" not in text
    # 5 + 3 sessions this half-year; 4 the same half last year (+100 %); crimes 8 against 10
    assert "tăng 100 %" in text
    assert "giảm 20 %" in text
    assert AuditEvent.objects.filter(action="documents.issue").count() == 1


def test_a_period_not_closed_says_so_on_the_draft(world):
    doc = draft(world, period="2099S1")
    context = services.document_context(user=world.commune_chief, document=doc)
    assert "DỰ THẢO" in context["doc"]["draft_note"]
    assert "chưa kết thúc" in context["doc"]["draft_note"]


def test_issuing_needs_a_number_unique_per_body_and_year(world):
    first = draft(world)
    services.document_issue(
        actor=world.commune_chief, document=first, number=3, issued_on=date(2026, 7, 1)
    )
    second = draft(world)
    with pytest.raises(ValidationError) as missing:
        services.document_issue(actor=world.commune_chief, document=second, number=None)
    assert "number" in missing.value.message_dict
    with pytest.raises(ValidationError) as taken:
        services.document_issue(
            actor=world.commune_chief, document=second, number=3, issued_on=date(2026, 7, 2)
        )
    assert "đã được dùng" in taken.value.message_dict["number"][0]
    second.refresh_from_db()
    assert second.status == DocumentStatus.DRAFT
    # the same number in another year, or for another body, is fine
    services.document_issue(
        actor=world.commune_chief, document=second, number=3, issued_on=date(2025, 12, 30)
    )


def test_an_issued_document_is_frozen(world):
    doc = draft(world)
    services.document_issue(actor=world.commune_chief, document=doc, number=1)
    with pytest.raises(services.DocumentStateError):
        services.document_update(
            actor=world.commune_chief, document=doc, narrative={"situation": "khác"}
        )


def test_only_roles_that_issue_may_issue(world):
    doc = draft(world, actor=world.commune_officer)
    with pytest.raises(PermissionDenied):
        services.document_issue(actor=world.commune_officer, document=doc, number=1)
    with pytest.raises(PermissionDenied):
        draft(world, actor=world.far_officer)


def test_a_template_for_the_wrong_level_is_refused(world):
    with pytest.raises(ValidationError) as error:
        draft(world, code="bao-cao-phong-trao-tinh")
    assert "unit" in error.value.message_dict


def test_figures_of_an_issued_document_do_not_move(world):
    from binhyen.indicators.models import Metric
    from binhyen.indicators.tests.factories import put

    doc = services.document_issue(
        actor=world.commune_chief, document=draft(world), number=30, issued_on=date(2026, 7, 1)
    )
    before = services.document_context(user=world.commune_chief, document=doc)
    put(Metric.objects.get(code="outreach_sessions"), world.commune, "2026M04", 100)
    doc.refresh_from_db()
    after = services.document_context(user=world.commune_chief, document=doc)
    assert after == before
    live = services.document_context(user=world.commune_chief, document=draft(world))
    assert live["figures"] != before["figures"]
