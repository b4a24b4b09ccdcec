"""The shipped templates: reproducible, valid; uploads checked and versioned per province."""

from __future__ import annotations

import io

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binhyen.documents import layout, lint, selectors, services
from binhyen.documents.catalogue import SPECS, spec_get

REPORT = "bao-cao-phong-trao-xa"


def edited(code: str, old: str, new: str) -> bytes:
    """Return the shipped template of ``code`` with one paragraph's text replaced."""
    spec = spec_get(code)
    assert spec is not None
    document = docx.Document(str(spec.shipped_path))
    for paragraph in document.paragraphs:
        if old in paragraph.text:
            for run in paragraph.runs:
                if old in run.text:
                    run.text = run.text.replace(old, new)
                    break
            break
    else:
        raise AssertionError(old)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_committed_templates_are_what_the_script_builds():
    for spec in SPECS:
        assert layout.build(spec) == spec.shipped_path.read_bytes(), (
            f"{spec.filename} differs: run manage.py documents_build_templates"
        )


def test_every_shipped_template_passes_the_check():
    for spec in SPECS:
        lint.check(spec.shipped_path.read_bytes(), spec)


def test_a_broken_tag_is_refused_naming_the_paragraph():
    spec = spec_get(REPORT)
    broken = edited(REPORT, "I. TÌNH HÌNH CHUNG", "I. TÌNH HÌNH {{ unit.name ")
    with pytest.raises(lint.TemplateProblem) as problem:
        lint.check(broken, spec)
    assert "đoạn" in problem.value.message
    assert "TÌNH HÌNH" in problem.value.message
    assert problem.value.paragraph


def test_an_unclosed_block_is_refused():
    spec = spec_get(REPORT)
    broken = edited(REPORT, "III. ĐÁNH GIÁ CHUNG", "{% if unit.name %}III. ĐÁNH GIÁ CHUNG")
    with pytest.raises(lint.TemplateProblem) as problem:
        lint.check(broken, spec)
    assert "Thẻ lỗi" in problem.value.message


def test_an_unknown_field_is_refused_naming_it_and_its_paragraph():
    spec = spec_get(REPORT)
    unknown = edited(REPORT, "III. ĐÁNH GIÁ CHUNG", "III. {{ so_lieu_la }}")
    with pytest.raises(lint.TemplateProblem) as problem:
        lint.check(unknown, spec)
    assert "so_lieu_la" in problem.value.message
    assert "đoạn" in problem.value.message
    typo = edited(REPORT, "III. ĐÁNH GIÁ CHUNG", "III. {{ body.nme }}")
    with pytest.raises(lint.TemplateProblem) as problem:
        lint.check(typo, spec)
    assert "body.nme" in problem.value.message


def test_a_file_that_is_not_word_is_refused():
    with pytest.raises(lint.TemplateProblem):
        lint.check(b"%PDF-1.4 not a docx", spec_get(REPORT))


def test_uploads_are_versioned_per_province_and_used_by_its_units(world):
    content = edited(REPORT, "I. TÌNH HÌNH CHUNG", "I. TÌNH HÌNH CHUNG CỦA TỈNH")
    first = services.template_upload(
        actor=world.province_officer,
        code=REPORT,
        province=world.province,
        content=content,
        filename="mau.docx",
    )
    second = services.template_upload(
        actor=world.province_officer,
        code=REPORT,
        province=world.province,
        content=content,
        filename="mau.docx",
    )
    assert (first.version, second.version) == (1, 2)
    spec = spec_get(REPORT)
    assert selectors.template_for(spec=spec, unit=world.commune).row == second
    assert selectors.template_for(spec=spec, unit=world.far_commune).row is None  # shipped
    with pytest.raises(PermissionDenied):
        services.template_upload(
            actor=world.province_officer,
            code=REPORT,
            province=None,
            content=content,
            filename="mau.docx",
        )


def test_a_broken_upload_is_refused_and_nothing_is_stored(world):
    broken = edited(REPORT, "I. TÌNH HÌNH CHUNG", "{{ khong_co }}")
    with pytest.raises(ValidationError) as error:
        services.template_upload(
            actor=world.province_officer,
            code=REPORT,
            province=world.province,
            content=broken,
            filename="mau.docx",
        )
    assert "khong_co" in error.value.message_dict["file"][0]
    assert not selectors.template_versions(code=REPORT, province=world.province).exists()
