"""Checking and cleaning uploaded files: the one cleaner of photos and scanned documents.

Every upload of the product goes through this module (activity photos, hotspot and programme
evidence, community decisions and pledges, tip photos; ``tips.media`` only adds what is
specific to videos). Privacy-critical code has one implementation and one test suite.

Invariants:
- The type of a file is decided by its content (``filetype`` magic numbers), never by its
  name or the browser's claim; a file whose content does not match an allowed type, or
  whose name claims another type, is refused ("ảnh.jpg" that is really a PDF or a script).
- Every accepted image is decoded by Pillow and re-encoded from its pixels into a fresh
  image, so nothing of the original file survives: no EXIF (camera, GPS position, time), no
  XMP, no IPTC, no JPEG comment (COM) segment, no PNG text chunks (tEXt/iTXt/zTXt/eXIf), no
  ICC profile, no trailing payload. The orientation recorded in EXIF is applied to the pixels
  first so the photo is not shown sideways.
- Images larger than ``MAX_SIDE`` are scaled down; images with more than ``MAX_PIXELS``
  pixels are refused before decoding (decompression bombs).
- PDFs are accepted as they are (they must start with ``%PDF-``); they are documents signed
  by an authority, and rewriting them would change what was signed.
- Errors are ``ValidationError`` with a message in the user's language naming the reason.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2560
JPEG_QUALITY = 85

IMAGE_MIMES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
PDF_MIME = "application/pdf"
# The extensions a file name may carry for each accepted type.
EXTENSIONS = {
    "image/jpeg": {"jpg", "jpeg", "jfif"},
    "image/png": {"png"},
    "image/webp": {"webp"},
    PDF_MIME: {"pdf"},
}


@dataclass(frozen=True)
class CleanFile:
    """A checked (and for images, re-encoded) file ready to store."""

    content: ContentFile
    mime: str
    width: int | None = None
    height: int | None = None

    @property
    def content_type(self) -> str:
        return self.mime

    @property
    def extension(self) -> str:
        """Return the extension of the stored name ("jpg", "png", "pdf")."""
        return (self.content.name or "").rsplit(".", 1)[-1]


def _read(upload: Any, limit: int = MAX_BYTES) -> bytes:
    too_large = ValidationError(
        _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, code="too_large"
    )
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_large
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = bytes(upload.read(limit + 1))
    if len(data) > limit:
        raise too_large
    if not data:
        raise ValidationError(_("Tệp đã chọn không có nội dung."), code="empty")
    return data


def _sniff(data: bytes, name: str, allowed: set[str]) -> str:
    """Return the MIME type found in ``data``; refuse types not allowed or a lying name."""
    kind = filetype.guess(data)
    mime = kind.mime if kind is not None else ""
    if mime not in allowed:
        raise ValidationError(
            _("Nội dung tệp “%(name)s” không phải là loại được nhận (%(allowed)s).")
            % {"name": name, "allowed": _allowed_label(allowed)},
            code="bad_type",
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension and extension not in EXTENSIONS[mime]:
        raise ValidationError(
            _("Tệp “%(name)s” có đuôi .%(ext)s nhưng nội dung lại là %(real)s: tệp bị từ chối.")
            % {"name": name, "ext": extension, "real": _allowed_label({mime})},
            code="disguised",
        )
    return mime


def _allowed_label(allowed: set[str]) -> str:
    labels = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", PDF_MIME: "PDF"}
    return ", ".join(labels[m] for m in sorted(allowed))


@dataclass(frozen=True)
class CleanImage:
    """An image re-encoded from its pixels: bytes, type and size."""

    content: bytes
    mime: str
    width: int
    height: int


def reencode_image(
    data: bytes,
    *,
    name: str,
    max_side: int = MAX_SIDE,
    keep_alpha: bool = True,
    max_pixels: int = MAX_PIXELS,
    png_stays_png: bool = False,
) -> CleanImage:
    """Decode ``data`` and encode its pixels into a new file without any metadata.

    The result is a PNG when ``keep_alpha`` and the image is transparent, else a JPEG (a
    transparent image is then laid on white); with ``png_stays_png`` a PNG stays a PNG
    (scans of documents: lossless). Raise ``ValidationError`` naming the file when
    it does not decode or has more than ``max_pixels`` pixels.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                if width * height > max_pixels:
                    raise ValidationError(
                        _("Ảnh “%(name)s” quá lớn (%(w)s×%(h)s điểm ảnh).")
                        % {"name": name, "w": width, "h": height},
                        code="too_many_pixels",
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                source_format = image.format
                image.load()
                upright = ImageOps.exif_transpose(image) or image
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
                    upright.mode == "P" and "transparency" in upright.info
                )
                if has_alpha and keep_alpha:
                    pixels = upright.convert("RGBA")
                elif has_alpha:
                    rgba = upright.convert("RGBA")
                    pixels = Image.new("RGB", rgba.size, (255, 255, 255))
                    pixels.paste(rgba, mask=rgba.getchannel("A"))
                else:
                    pixels = upright.convert("RGB")
                pixels.thumbnail((max_side, max_side))
                # A fresh image from raw pixels carries no info: no EXIF, XMP, ICC, comments.
                clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationError(
            _("Không đọc được ảnh “%(name)s”: tệp bị hỏng hoặc không phải là ảnh.")
            % {"name": name},
            code="bad_image",
        ) from exc
    out = io.BytesIO()
    if clean.mode == "RGBA" or (png_stays_png and source_format == "PNG"):
        clean.save(out, format="PNG", optimize=True)
        mime = "image/png"
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        mime = "image/jpeg"
    return CleanImage(out.getvalue(), mime, clean.width, clean.height)


def _reencode(data: bytes, name: str) -> tuple[bytes, str, int, int]:
    image = reencode_image(data, name=name)
    return image.content, image.mime, image.width, image.height


def clean_image(upload: UploadedFile) -> CleanFile:
    """Return ``upload`` as a freshly encoded JPEG or PNG without any metadata."""
    name = upload.name or "anh"
    data = _read(upload)
    _sniff(data, name, set(IMAGE_MIMES))
    content, mime, width, height = _reencode(data, name)
    extension = "png" if mime == "image/png" else "jpg"
    return CleanFile(
        content=ContentFile(content, name=f"{uuid.uuid4().hex}.{extension}"),
        mime=mime,
        width=width,
        height=height,
    )


def clean_document(upload: UploadedFile) -> CleanFile:
    """Return a decision scan: a PDF as it is, or an image re-encoded without metadata."""
    name = upload.name or "tep"
    data = _read(upload)
    mime = _sniff(data, name, {*IMAGE_MIMES, PDF_MIME})
    if mime == PDF_MIME:
        if not data.startswith(b"%PDF-"):
            raise ValidationError(
                _("Tệp “%(name)s” không phải là tệp PDF hợp lệ.") % {"name": name},
                code="bad_pdf",
            )
        return CleanFile(content=ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"), mime=mime)
    content, mime, width, height = _reencode(data, name)
    extension = "png" if mime == "image/png" else "jpg"
    return CleanFile(
        content=ContentFile(content, name=f"{uuid.uuid4().hex}.{extension}"),
        mime=mime,
        width=width,
        height=height,
    )


SCAN_MIMES = {PDF_MIME, "image/jpeg", "image/png"}


def clean_upload(upload: Any, *, field: str = "file", max_bytes: int = MAX_BYTES) -> CleanFile:
    """Return a scanned decision or pledge (PDF as it is, JPEG/PNG re-encoded without any
    metadata) or raise ``ValidationError`` on ``field``. Only the content decides the type."""
    try:
        data = _read(upload, max_bytes)
        kind = filetype.guess(data)
        mime = kind.mime if kind is not None else ""
        if mime not in SCAN_MIMES:
            raise ValidationError(_("Chỉ nhận tệp PDF, JPG hoặc PNG (bản scan, ảnh chụp)."))
        if mime == PDF_MIME:
            if not data.startswith(b"%PDF-"):
                raise ValidationError(_("Tệp PDF bị hỏng hoặc không đọc được."))
            return CleanFile(content=ContentFile(data, name="scan.pdf"), mime=mime)
        image = reencode_image(data, name=getattr(upload, "name", "") or "anh", png_stays_png=True)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    extension = "png" if image.mime == "image/png" else "jpg"
    return CleanFile(
        content=ContentFile(image.content, name=f"scan.{extension}"),
        mime=image.mime,
        width=image.width,
        height=image.height,
    )
