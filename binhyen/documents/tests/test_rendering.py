"""Word and PDF read back: the command, the background jobs, the province's report pack."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from openpyxl import load_workbook

from binhyen.documents import services, tasks
from binhyen.documents.catalogue import SPECS, spec_get
from binhyen.documents.models import JobStatus
from binhyen.documents.tests.test_services import draft, text_of

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice or poppler-utils missing: run make setup",
)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout.replace("\u00a0", " ")


def test_document_render_writes_a_word_file(world, tmp_path):
    out = tmp_path / "bao-cao.docx"
    call_command(
        "document_render",
        "--template=bao-cao-phong-trao-xa",
        f"--unit={world.commune.code}",
        "--period=2026S1",
        "--format=docx",
        f"-o={out}",
    )
    text = text_of(out.read_bytes())
    assert "CÔNG AN XÃ HIỆP HÒA" in text
    assert "Số:" in text and "/BC-CAX" in text
    assert "Hiệp Hòa, ngày" in text
    assert "6 tháng đầu năm 2026" in text
    assert "tăng 100 %" in text  # 8 sessions against 4 the same half of last year
    assert "Nơi nhận:" in text


@needs_soffice
def test_document_render_writes_a_pdf(world, tmp_path):
    out = tmp_path / "bao-cao.pdf"
    call_command(
        "document_render",
        "--template=bao-cao-phong-trao-xa",
        f"--unit={world.commune.code}",
        "--period=2026S1",
        "--format=pdf",
        f"-o={out}",
    )
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "CÔNG AN XÃ HIỆP HÒA" in text
    assert "Số:" in text
    assert "Hiệp Hòa, ngày" in text
    assert "tăng 100 %" in text
    assert "Nơi nhận:" in text


@needs_soffice
def test_a_pdf_job_of_an_issued_document_is_kept(
    world, tmp_path, django_capture_on_commit_callbacks
):
    doc = draft(world)
    services.document_issue(actor=world.commune_chief, document=doc, number=7)
    with django_capture_on_commit_callbacks(execute=True):
        job = tasks.render_job_start(actor=world.commune_chief, fmt="pdf", document=doc)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with default_storage.open(job.file, "rb") as handle:
        text = pdf_text(handle.read(), tmp_path)
    assert "Số: 7/BC-CAX" in text
    doc.refresh_from_db()
    assert doc.pdf_file


def test_a_docx_job_of_a_draft(world, django_capture_on_commit_callbacks):
    doc = draft(world, period="2099S1")
    with django_capture_on_commit_callbacks(execute=True):
        job = tasks.render_job_start(actor=world.commune_officer, fmt="docx", document=doc)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with default_storage.open(job.file, "rb") as handle:
        text = text_of(handle.read())
    assert "DỰ THẢO" in text
    assert "chưa kết thúc" in text


def test_the_province_pack(world, django_capture_on_commit_callbacks, settings):
    settings.DOCUMENTS = {**settings.DOCUMENTS, "SOFFICE": "khong-co-soffice"}
    with django_capture_on_commit_callbacks(execute=True):
        job = tasks.render_job_start(
            actor=world.province_officer, fmt="zip", unit=world.province, period="2026S1"
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with default_storage.open(job.file, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    names = archive.namelist()
    assert any(n.endswith(".docx") for n in names)
    assert {
        "phu-luc-theo-xa.xlsx",
        "tinh-hinh-nop-bao-cao.xlsx",
        "xa-con-thieu-bao-cao.xlsx",
    } <= set(names)
    report = text_of(archive.read(next(n for n in names if n.endswith(".docx"))))
    assert "CÔNG AN TỈNH BẮC NINH" in report
    assert "PHỤ LỤC" in report
    assert "1.234" in report  # the sibling commune's sessions, in the annex
    annex = load_workbook(io.BytesIO(archive.read("phu-luc-theo-xa.xlsx"))).active
    values = list(annex.iter_rows(min_row=2, values_only=True))
    assert any(1234 in row for row in values)  # a number, not text
    missing = load_workbook(io.BytesIO(archive.read("xa-con-thieu-bao-cao.xlsx"))).active
    names_missing = {row[2] for row in missing.iter_rows(min_row=2, values_only=True)}
    assert world.commune.name in names_missing


def test_a_pack_is_only_for_a_province(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        tasks.render_job_start(
            actor=world.province_officer, fmt="zip", unit=world.commune, period="2026S1"
        )


@pytest.mark.parametrize("code", [s.code for s in SPECS])
def test_every_template_renders_for_its_level(world, tmp_path, code):
    spec = spec_get(code)
    unit = world.commune if "commune" in spec.levels else world.province
    out = tmp_path / f"{code}.docx"
    call_command(
        "document_render",
        f"--template={code}",
        f"--unit={unit.code}",
        "--period=2026",
        f"-o={out}",
    )
    text = text_of(out.read_bytes())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert str(spec.type_name).upper() in text


def test_the_tip_summary_holds_aggregates_only(world):
    from binhyen.tips.tests.factories import make_tip

    tip = make_tip(world.commune)
    doc = draft(world, code="bao-cao-tin-bao", period="2026")
    context = services.document_context(user=world.commune_chief, document=doc)
    flat = str(context)
    assert tip.tracking_code not in flat
    assert tip.description not in flat
    assert set(context) <= spec_get("bao-cao-tin-bao").fields
