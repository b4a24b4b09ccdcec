"""Scanned decisions and pledges: check what a file really is, and clean images.

Invariants:
- The type comes from the file's content (``filetype`` sniffing), never from its name or the
  browser's claim; only PDF, JPEG and PNG are accepted.
- Images are decoded and re-encoded with Pillow, which drops EXIF (GPS position, camera,
  owner) and anything appended to the image; JPEG orientation is applied first so the
  picture still stands upright. A file Pillow cannot decode is refused.
- The size limit is ``settings.COMMUNITY["UPLOAD_MAX_MB"]``.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

ACCEPTED: dict[str, str] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile[bytes]
    content_type: str
    extension: str


def max_bytes() -> int:
    from binhyen.community.selectors import setting

    return int(setting("UPLOAD_MAX_MB", 10)) * 1024 * 1024


def _read(upload: Any, field: str) -> bytes:
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({field: _too_big(limit)})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({field: _too_big(limit)})
    if not data:
        raise ValidationError({field: _("Tệp đã chọn không có nội dung.")})
    return bytes(data)


def _too_big(limit: int) -> str:
    return _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": limit // (1024 * 1024)}


def _reencode(data: bytes, mime: str, field: str) -> bytes:
    """Decode and write the image again without metadata; refuse what does not decode."""
    broken = ValidationError({field: _("Ảnh bị hỏng hoặc không đọc được.")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationError({field: _("Ảnh quá lớn (quá nhiều điểm ảnh).")})
                image.load()
                out = io.BytesIO()
                if mime == "image/jpeg":
                    upright = ImageOps.exif_transpose(image) or image
                    if upright.mode not in ("RGB", "L"):
                        upright = upright.convert("RGB")
                    upright.save(out, format="JPEG", quality=90, optimize=True)
                else:
                    clean = image.copy()
                    clean.info.clear()
                    clean.save(out, format="PNG", optimize=True)
                return out.getvalue()
    except ValidationError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as exc:
        raise broken from exc


def clean_upload(upload: Any, *, field: str = "file") -> CleanFile:
    """Return the upload as a safe file to store, or raise ``ValidationError`` on ``field``."""
    data = _read(upload, field)
    kind = filetype.guess(data)
    mime = kind.mime if kind is not None else ""
    if mime not in ACCEPTED:
        raise ValidationError({field: _("Chỉ nhận tệp PDF, JPG hoặc PNG (bản scan, ảnh chụp).")})
    if mime == "application/pdf":
        if not data.startswith(b"%PDF-"):
            raise ValidationError({field: _("Tệp PDF bị hỏng hoặc không đọc được.")})
        cleaned = data
    else:
        cleaned = _reencode(data, mime, field)
    extension = ACCEPTED[mime]
    return CleanFile(
        content=ContentFile(cleaned, name=f"scan.{extension}"),
        content_type=mime,
        extension=extension,
    )
