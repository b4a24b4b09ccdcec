"""Uploads: real type sniffed, metadata stripped, sizes and counts enforced."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image

from binhyen.tips import media
from binhyen.tips.tests.factories import EXE_BYTES, jpeg_with_gps, mp4_with_location, upload


def test_jpeg_gps_and_camera_are_removed():
    # given a photo with EXIF GPS and a camera model
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    # when it is processed
    cleaned = media.process_upload(upload("anh.jpg", original))
    # then the stored JPEG has no EXIF at all, and the picture is kept
    img = Image.open(io.BytesIO(cleaned.content))
    assert img.format == "JPEG"
    assert len(img.getexif()) == 0
    assert "exif" not in img.info
    assert b"Phone Model X" not in cleaned.content
    assert (cleaned.width, cleaned.height) == (64, 48)


def test_png_is_reencoded_as_jpeg():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, format="PNG")
    cleaned = media.process_upload(upload("a.png", out.getvalue(), "image/png"))
    assert cleaned.content_type == "image/jpeg" and cleaned.extension == "jpg"


def test_exe_named_jpg_is_refused():
    # given a Windows program renamed to .jpg and declared as an image
    with pytest.raises(ValidationError) as exc:
        media.process_upload(upload("anh.jpg", EXE_BYTES))
    # then the message names the file and the real content
    message = exc.value.messages[0]
    assert "anh.jpg" in message and "không phải ảnh" in message


def test_oversized_image_is_refused(settings):
    settings.TIPS_MAX_IMAGE_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        media.process_upload(upload("to.jpg", jpeg_with_gps()))
    assert "quá lớn" in exc.value.messages[0]


def test_too_many_files_is_refused(settings):
    settings.TIPS_MAX_FILES = 1
    files = [upload("a.jpg", jpeg_with_gps()), upload("b.jpg", jpeg_with_gps())]
    with pytest.raises(ValidationError) as exc:
        media.process_uploads(files)
    assert "tối đa 1" in exc.value.message_dict["attachments"][0]


def test_truncated_jpeg_is_refused():
    broken = jpeg_with_gps()[:40]
    with pytest.raises(ValidationError):
        media.process_upload(upload("hong.jpg", broken))


def test_mp4_metadata_box_is_blanked_without_moving_data():
    # given an MP4 whose moov/udta holds a GPS string
    original = mp4_with_location()
    # when processed
    cleaned = media.process_upload(upload("v.mp4", original, "video/mp4"))
    # then the same length, the location is gone, the media data untouched
    assert len(cleaned.content) == len(original)
    assert b"+21.0500+105.8500" not in cleaned.content
    assert b"udta" not in cleaned.content and b"free" in cleaned.content
    assert cleaned.content.endswith(b"\x00\x01\x02\x03" * 16)


def test_videos_can_be_switched_off(settings):
    settings.TIPS_ALLOW_VIDEO = False
    with pytest.raises(ValidationError) as exc:
        media.process_upload(upload("v.mp4", mp4_with_location(), "video/mp4"))
    assert "video" in exc.value.messages[0]


@hsettings(max_examples=40, deadline=None)
@given(st.binary(min_size=1, max_size=400))
def test_random_bytes_never_crash(data):
    # any bytes either become a clean file or a clear ValidationError, never another error
    try:
        result = media.process_upload(upload("x.bin", data, "application/octet-stream"))
    except ValidationError as exc:
        assert exc.messages
    else:
        assert result.content
