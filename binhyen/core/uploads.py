"""Checking and cleaning uploaded files: photos and scanned documents.

Invariants:
- The type of a file is decided by its content (``filetype`` magic numbers), never by its
  name or the browser's claim; a file whose content does not match an allowed type, or
  whose name claims another type, is refused ("ảnh.jpg" that is really a PDF or a script).
- Every accepted image is decoded by Pillow and re-encoded from its pixels, so nothing of
  the original file survives: no EXIF (camera, GPS position, time), no comments, no ICC
  profile, no trailing payload. The orientation recorded in EXIF is applied to the pixels
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
from dataclasses import dataclass

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


def _read(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(_("Tệp lớn hơn 10 MB. Hãy chọn tệp nhỏ hơn."), code="too_large")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("Tệp lớn hơn 10 MB. Hãy chọn tệp nhỏ hơn."), code="too_large")
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


def _reencode(data: bytes, name: str) -> tuple[bytes, str, int, int]:
    """Decode and re-encode an image from its pixels; return (bytes, mime, width, height)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("Ảnh “%(name)s” quá lớn (%(w)s×%(h)s điểm ảnh).")
                    % {"name": name, "w": width, "h": height},
                    code="too_many_pixels",
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
                upright.mode == "P" and "transparency" in upright.info
            )
            clean = upright.convert("RGBA" if has_alpha else "RGB")
            clean.thumbnail((MAX_SIDE, MAX_SIDE))
            clean.info = {}
            out = io.BytesIO()
            if has_alpha:
                clean.save(out, format="PNG", optimize=True)
                mime = "image/png"
            else:
                clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
                mime = "image/jpeg"
            return out.getvalue(), mime, clean.width, clean.height
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError(
            _("Không đọc được ảnh “%(name)s”: tệp bị hỏng hoặc không phải là ảnh.")
            % {"name": name},
            code="bad_image",
        ) from exc


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
