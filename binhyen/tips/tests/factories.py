"""Builders for tips tests: tips are made through the real intake service."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from binhyen.tips import services
from binhyen.tips.models import Channel, Tip


def submit(unit: Any = None, *, channel: str = Channel.WEB, **fields: Any) -> services.Submitted:
    """Submit a tip located in ``unit`` (a commune or a village) through the service."""
    data: dict[str, Any] = {"kind": "crime", "description": "Có người lạ trộm gà ban đêm."}
    if unit is not None:
        key = "village_code" if unit.kind == "village" else "commune_code"
        data[key] = unit.code
    data.update(fields)
    return services.tip_submit(actor=None, data=services.TipInput(**data), channel=channel)


def make_tip(unit: Any = None, **fields: Any) -> Tip:
    return submit(unit, **fields).tip


GPS_LATITUDE = (21.0, 17.0, 30.0)


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    """Return a JPEG carrying EXIF with a GPS position and a camera model."""
    img = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Phone Model X"  # Model
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "E", 4: (105.0, 51.0, 0.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"PE\x00\x00"
)


def mp4_with_location() -> bytes:
    """Return a minimal MP4 whose moov/udta carries a ©xyz location string."""
    import struct

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    xyz = box(b"\xa9xyz", b"\x00\x12\x15\xc7+21.0500+105.8500/")
    udta = box(b"udta", xyz)
    mvhd = box(b"mvhd", b"\x00" * 100)
    moov = box(b"moov", mvhd + udta)
    mdat = box(b"mdat", b"\x00\x01\x02\x03" * 16)
    return ftyp + moov + mdat
