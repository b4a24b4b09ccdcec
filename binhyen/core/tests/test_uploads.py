"""Uploads: the real type decides, images are re-encoded without EXIF/GPS, disguises refused."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from binhyen.core.uploads import clean_document, clean_image

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (64, 48), orientation: int | None = None) -> bytes:
    """Return a JPEG carrying camera make, GPS coordinates and a comment."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (21.0, 1.0, 42.0), 3: "E", 4: (105.0, 51.0, 12.0)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret note")
    return out.getvalue()


def png_bytes(mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (10, 10), (0, 0, 255, 128) if mode == "RGBA" else (0, 0, 255)).save(out, "PNG")
    return out.getvalue()


def test_jpeg_loses_exif_gps_and_comment():
    # given a phone photo with GPS coordinates
    upload = SimpleUploadedFile("anh.jpg", jpeg_with_gps(), content_type="image/jpeg")
    # when it is cleaned
    clean = clean_image(upload)
    # then the stored JPEG has no EXIF, no GPS and no comment
    data = clean.content.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "comment" not in image.info
        assert "exif" not in image.info
    assert b"CameraMaker" not in data and b"secret note" not in data
    assert (clean.width, clean.height) == (64, 48)


def test_orientation_is_applied_to_the_pixels():
    # given a photo whose EXIF says "rotate 90°"
    upload = SimpleUploadedFile("anh.jpg", jpeg_with_gps((64, 48), orientation=6))
    # then the cleaned photo is upright (width and height swapped) and has no EXIF
    clean = clean_image(upload)
    assert (clean.width, clean.height) == (48, 64)


def test_transparent_png_stays_png():
    clean = clean_image(SimpleUploadedFile("logo.png", png_bytes()))
    assert clean.mime == "image/png"
    assert (clean.content.name or "").endswith(".png")


def test_large_images_are_scaled_down():
    out = io.BytesIO()
    Image.new("RGB", (5000, 1000), (1, 2, 3)).save(out, "JPEG")
    clean = clean_image(SimpleUploadedFile("big.jpg", out.getvalue()))
    assert clean.width == 2560


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("anh.jpg", b"%PDF-1.4 not an image", "không phải là loại"),
        ("anh.jpg", b"<html><script>alert(1)</script></html>", "không phải là loại"),
        ("anh.png", jpeg_with_gps(), "đuôi .png"),
        ("anh.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "Không đọc được ảnh"),
        ("anh.jpg", b"", "không có nội dung"),
    ],
)
def test_disguised_or_broken_files_are_refused(name, content, fragment):
    with pytest.raises(ValidationError) as caught:
        clean_image(SimpleUploadedFile(name, content))
    assert fragment in " ".join(caught.value.messages)


def test_documents_accept_pdf_as_is_and_reencode_images():
    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    clean = clean_document(SimpleUploadedFile("qd.pdf", pdf))
    assert clean.mime == "application/pdf"
    assert clean.content.read() == pdf
    scan = clean_document(SimpleUploadedFile("qd.jpg", jpeg_with_gps()))
    assert b"CameraMaker" not in scan.content.read()


def test_documents_refuse_other_types():
    with pytest.raises(ValidationError):
        clean_document(SimpleUploadedFile("qd.pdf", b"PK\x03\x04 a zip disguised as pdf" * 4))
    with pytest.raises(ValidationError) as caught:
        clean_document(SimpleUploadedFile("qd.docx", b"%PDF-1.4 ..."))
    assert "đuôi .docx" in " ".join(caught.value.messages)
