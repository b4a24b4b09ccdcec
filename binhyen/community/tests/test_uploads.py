"""Uploads: the real type is sniffed, images lose their metadata, limits hold."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from binhyen.community.services import clean_upload
from binhyen.community.tests import factories as f


def test_pdf_is_kept_as_is():
    # Given a PDF named .jpg
    data = f.upload().read()
    # When it is cleaned
    cleaned = clean_upload(f.upload("scan.jpg"))
    # Then it is kept as a PDF, byte for byte
    assert cleaned.content_type == "application/pdf" and cleaned.extension == "pdf"
    assert cleaned.content.read() == data


def test_jpeg_is_reencoded_without_exif_whatever_its_name():
    # Given an image with EXIF named .pdf
    # When it is cleaned
    cleaned = clean_upload(f.upload("quyet-dinh.pdf", f.png_bytes(exif=True)))
    # Then it becomes a JPEG without EXIF
    assert cleaned.content_type == "image/jpeg"
    with Image.open(io.BytesIO(cleaned.content.read())) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_png_metadata_is_dropped():
    # Given a PNG with text metadata
    image = Image.new("RGB", (4, 4))
    out = io.BytesIO()
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nguyễn Văn A")
    image.save(out, format="PNG", pnginfo=info)
    # When it is cleaned
    cleaned = clean_upload(f.upload("a.png", out.getvalue()))
    # Then the metadata is gone
    with Image.open(io.BytesIO(cleaned.content.read())) as again:
        assert "Author" not in again.info


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"MZ\x90\x00\x03", "PDF, JPG hoặc PNG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PDF, JPG hoặc PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "hỏng"),
        (b"", "không có nội dung"),
    ],
)
def test_other_or_broken_files_are_refused_naming_the_field(content, text):
    # Given a file that is no PDF, JPG or PNG
    # When it is cleaned for a named field
    # Then the error names that field
    with pytest.raises(ValidationError) as exc:
        clean_upload(f.upload("x.pdf", content), field="document_file")
    assert text in exc.value.message_dict["document_file"][0]


def test_size_limit_comes_from_settings(settings):
    # Given an upload limit of 1 MB
    settings.COMMUNITY = {**settings.COMMUNITY, "UPLOAD_MAX_MB": 1}
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    # When a larger file is cleaned
    # Then it is refused
    with pytest.raises(ValidationError) as exc:
        clean_upload(f.upload("big.pdf", big))
    assert "tối đa 1 MB" in exc.value.message_dict["file"][0]
