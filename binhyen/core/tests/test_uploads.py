"""Uploads: the real type decides, images are re-encoded without EXIF/GPS, disguises refused."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from binhyen.core.uploads import clean_document, clean_image, clean_upload
from binhyen.tips.media import process_upload

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


# --- one cleaner, every kind of metadata ---------------------------------------------------
# Each marker is a string that must not survive in the cleaned bytes.

MARKERS = [b"CAMERA_MARK", b"XMP_MARK", b"IPTC_MARK", b"ICC_MARK", b"COMMENT_MARK"]


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "CAMERA_MARK"  # Make
    exif[GPS_IFD] = {1: "N", 2: (21.0, 1.0, 42.0), 3: "E", 4: (105.0, 51.0, 12.0)}
    return exif


def _icc() -> bytes:
    # An ICC profile with a text tag is enough to carry a name or a device id.
    return b"\x00\x00\x01\x00ICC_MARK profile description" + b"\x00" * 64


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">XMP_MARK GPS 21.05,105.85</x:xmpmeta>'


def _with_iptc(jpeg: bytes) -> bytes:
    """Return ``jpeg`` with a Photoshop APP13 (IPTC) segment after SOI."""
    payload = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0e\x1c\x02\x50\x00\x09IPTC_MARK"
    segment = b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + segment + jpeg[2:]


def jpeg_with_everything() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(
        out, "JPEG", exif=_exif(), comment=b"COMMENT_MARK", icc_profile=_icc(), xmp=XMP
    )
    return _with_iptc(out.getvalue())


def png_with_everything(mode: str = "RGB") -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "COMMENT_MARK")  # tEXt
    info.add_itxt("XML:com.adobe.xmp", "XMP_MARK")  # iTXt
    info.add_text("Author", "IPTC_MARK", zip=True)  # zTXt (compressed: checked via info)
    out = io.BytesIO()
    color = (0, 0, 255, 128) if mode == "RGBA" else (0, 0, 255)
    Image.new(mode, (20, 20), color).save(
        out, "PNG", pnginfo=info, exif=_exif(), icc_profile=_icc()
    )
    return out.getvalue()


def webp_with_everything() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 10, 10)).save(
        out, "WEBP", exif=_exif(), xmp=XMP, icc_profile=_icc()
    )
    return out.getvalue()


SAMPLES = [
    ("photo.jpg", jpeg_with_everything),
    ("scan.png", png_with_everything),
    ("logo.png", lambda: png_with_everything("RGBA")),
    ("anh.webp", webp_with_everything),
]


def _assert_bare(data: bytes) -> None:
    for marker in MARKERS:
        assert marker not in data, marker
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert not set(image.info) & {"exif", "xmp", "icc_profile", "comment", "photoshop"}
        assert not {k for k in image.info if k in ("Comment", "Author", "XML:com.adobe.xmp")}
        assert not getattr(image, "text", {})  # PNG tEXt/iTXt/zTXt
        if image.format == "JPEG":
            # only JFIF (APP0): no APP1 (EXIF/XMP), APP2 (ICC), APP13 (IPTC)
            applist = getattr(image, "applist", [])
            assert all(name == "APP0" for name, _payload in applist)


@pytest.mark.parametrize(("name", "make"), SAMPLES)
def test_the_samples_really_carry_the_metadata(name, make):
    # given each sample; then it carries what the cleaner must remove (the test is not empty)
    data = make()
    assert b"CAMERA_MARK" in data and (b"XMP_MARK" in data or b"COMMENT_MARK" in data)
    with Image.open(io.BytesIO(data)) as image:
        assert image.info.get("icc_profile") and image.getexif().get_ifd(GPS_IFD)


@pytest.mark.parametrize(("name", "make"), SAMPLES)
@pytest.mark.parametrize("cleaner", ["image", "document", "scan", "tip"])
def test_no_metadata_survives_any_cleaner(name, make, cleaner):
    # given a JPEG, PNG or WebP with EXIF+GPS, XMP, IPTC or text chunks, ICC and a comment
    upload = SimpleUploadedFile(name, make())
    # when any of the product's cleaners takes it
    if cleaner == "image":
        data = clean_image(upload).content.read()
    elif cleaner == "document":
        data = clean_document(upload).content.read()
    elif cleaner == "scan":
        if name.endswith(".webp"):
            pytest.skip("scans of decisions are PDF, JPEG or PNG only")
        data = clean_upload(upload).content.read()
    else:
        data = process_upload(upload).content
    # then no metadata of any kind survives
    _assert_bare(data)


@pytest.mark.parametrize(
    ("cleaner", "fragment"),
    [("image", "đuôi .jpg"), ("document", "đuôi .jpg"), ("scan", "PDF, JPG hoặc PNG")],
)
def test_a_disguised_file_is_refused(cleaner, fragment):
    # given a PNG named .jpg for the name-checking cleaners, a program for the scan cleaner
    if cleaner == "scan":
        upload = SimpleUploadedFile("quyet-dinh.jpg", b"MZ\x90\x00\x03" + b"\x00" * 64)
    else:
        upload = SimpleUploadedFile("anh.jpg", png_with_everything())
    # when cleaned; then it is refused with the reason
    with pytest.raises(ValidationError) as caught:
        {"image": clean_image, "document": clean_document, "scan": clean_upload}[cleaner](upload)
    assert fragment in " ".join(caught.value.messages)
