"""Uploaded photos and videos: sniff the real type, strip metadata, enforce size and count.

Invariants (see docs/adr/0005-tip-media.md):
- The file name and the declared content type are never trusted: the type comes from the
  file's first bytes (``filetype``), so an .exe named .jpg is refused.
- Every image goes through the product's one image cleaner (``core.uploads.reencode_image``):
  a new JPEG with no EXIF, GPS, XMP, IPTC, ICC or comment data, orientation applied to the
  pixels first; decompression bombs and undecodable files are refused. This module keeps
  only what is specific to tips: videos, the file count, the sizes of the tip settings.
- MP4/MOV videos keep their bytes, but every metadata box (``udta``, ``meta``, also inside
  tracks) is overwritten in place by a ``free`` box of the same size, so the GPS position
  phones write there is gone and no offset in the file moves. WebM is stored as is (browsers
  write no location into it). ``TIPS_ALLOW_VIDEO=0`` refuses videos altogether.
- Nothing here writes to storage or the database: the service saves ``ProcessedMedia``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from binhyen.core.uploads import reencode_image

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp"}
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
# Metadata boxes blanked in MP4/MOV and the containers searched for them.
MP4_METADATA_BOXES = {b"udta", b"meta", b"uuid"}
MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf"}
SNIFF_BYTES = 8192


class Upload(Protocol):
    """The part of an uploaded file this module reads (Django's ``UploadedFile`` fits)."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def read(self, size: int = -1) -> bytes: ...

    def seek(self, offset: int, whence: int = 0) -> Any: ...


@dataclass(frozen=True)
class ProcessedMedia:
    """A cleaned file ready to store: bytes without metadata, its type and extension."""

    kind: str  # "image" | "video"
    content: bytes
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _label(upload: Upload, index: int) -> str:
    name = (upload.name or "").rsplit("/", 1)[-1][:80]
    return name or _("tệp thứ %(n)s") % {"n": index + 1}


def _read_limited(upload: Upload, limit: int, label: str) -> bytes:
    size = upload.size
    if size is not None and size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” quá lớn (%(size)s MB); tối đa %(max)s MB.")
            % {"name": label, "size": _mb(size), "max": _mb(limit)}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("Tệp “%(name)s” quá lớn; tối đa %(max)s MB.") % {"name": label, "max": _mb(limit)}
        )
    return data


def sniff(head: bytes) -> str | None:
    """Return the MIME type the content really has, or None when unknown."""
    kind = filetype.guess(head[:SNIFF_BYTES])
    return kind.mime if kind is not None else None


def clean_image(data: bytes, label: str) -> ProcessedMedia:
    """Re-encode ``data`` as a JPEG without any metadata (``core.uploads`` does the work)."""
    image = reencode_image(
        data, name=label, max_side=settings.TIPS_MAX_IMAGE_SIDE, keep_alpha=False
    )
    return ProcessedMedia(
        kind="image",
        content=image.content,
        content_type=image.mime,
        extension="jpg",
        width=image.width,
        height=image.height,
    )


def blank_mp4_metadata(data: bytes) -> bytes:
    """Return ``data`` with every MP4 metadata box turned into a zero-filled ``free`` box.

    Box sizes do not change, so sample offsets (``stco``/``co64``) stay valid.
    Raise ``ValueError`` when the box structure is broken.
    """
    buf = bytearray(data)

    def walk(start: int, end: int, depth: int) -> None:
        pos = start
        while pos + 8 <= end:
            size, box = struct.unpack(">I4s", bytes(buf[pos : pos + 8]))
            header = 8
            if size == 1:
                if pos + 16 > end:
                    raise ValueError("truncated large box")
                size = struct.unpack(">Q", bytes(buf[pos + 8 : pos + 16]))[0]
                header = 16
            elif size == 0:
                size = end - pos
            if size < header or pos + size > end:
                raise ValueError("bad box size")
            if box in MP4_METADATA_BOXES:
                buf[pos + 4 : pos + 8] = b"free"
                buf[pos + header : pos + size] = bytes(size - header)
            elif box in MP4_CONTAINERS and depth < 6:
                walk(pos + header, pos + size, depth + 1)
            pos += size

    walk(0, len(buf), 0)
    return bytes(buf)


def clean_video(data: bytes, mime: str, label: str) -> ProcessedMedia:
    if not settings.TIPS_ALLOW_VIDEO:
        raise ValidationError(
            _("Chưa nhận video (tệp “%(name)s”); hãy gửi ảnh hoặc mô tả bằng chữ.")
            % {"name": label}
        )
    if mime in ("video/mp4", "video/quicktime"):
        try:
            data = blank_mp4_metadata(data)
        except ValueError:
            raise ValidationError(
                _("Không đọc được video “%(name)s”: tệp hỏng.") % {"name": label}
            ) from None
    return ProcessedMedia(
        kind="video", content=data, content_type=mime, extension=VIDEO_TYPES[mime]
    )


def process_upload(upload: Upload, index: int = 0) -> ProcessedMedia:
    """Check one uploaded file and return its cleaned content; raise a clear error otherwise."""
    label = _label(upload, index)
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    if not head:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": label})
    mime = sniff(head)
    if mime in IMAGE_TYPES:
        return clean_image(_read_limited(upload, settings.TIPS_MAX_IMAGE_BYTES, label), label)
    if mime in VIDEO_TYPES:
        return clean_video(_read_limited(upload, settings.TIPS_MAX_VIDEO_BYTES, label), mime, label)
    if mime in ("image/heic", "image/heif", "image/avif"):
        raise ValidationError(
            _(
                "Ảnh “%(name)s” ở định dạng HEIC/AVIF chưa được hỗ trợ; hãy chụp màn hình ảnh "
                "đó hoặc chọn định dạng JPEG trong cài đặt máy ảnh."
            )
            % {"name": label}
        )
    raise ValidationError(
        _(
            "Tệp “%(name)s” không phải ảnh (JPEG, PNG, WebP) hay video (MP4, WebM) nên không "
            "được nhận (nội dung thực: %(type)s)."
        )
        % {"name": label, "type": mime or _("không xác định")}
    )


def process_uploads(uploads: Sequence[Upload]) -> list[ProcessedMedia]:
    """Check every file of one submission; raise one error listing every bad file."""
    if len(uploads) > settings.TIPS_MAX_FILES:
        raise ValidationError(
            {
                "attachments": _("Chỉ gửi được tối đa %(n)s ảnh/video mỗi lần (bạn chọn %(got)s).")
                % {"n": settings.TIPS_MAX_FILES, "got": len(uploads)}
            }
        )
    done: list[ProcessedMedia] = []
    errors: list[str] = []
    for index, upload in enumerate(uploads):
        try:
            done.append(process_upload(upload, index))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return done
