"""Request ids and JSON logs: ids on every line and response, never tip text or bodies."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.core.cache import cache

from binhyen.accounts.tests.factories import login_verified, scene
from binhyen.core.logging import RequestContextFilter, json_formatter
from binhyen.tips import pow

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Ông Trần Văn Bí Mật ở số 9 ngõ Kín buôn bán hàng cấm"


@pytest.fixture
def json_log():
    """Capture every INFO+ line as the production JSON handler would write it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    access = logging.getLogger("binhyen.request")
    old_root, old_access = root.level, access.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    access.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_root)
    access.setLevel(old_access)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_tip_submission_logs_no_tip_text(client, settings, tmp_path, json_log):
    # Given the public form and a tip naming a person
    settings.TIPS_POW_BITS = 4
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    s = scene()
    challenge = pow.challenge_issue()
    data = {
        "kind": "crime",
        "description": SECRET_TEXT,
        "province": s.province.code,
        "commune": s.commune.code,
        "village": s.village.code,
        "anonymous": "0",
        "contact_name": "Nguyễn Thị Người Báo",
        "contact_phone": "0912345678",
        "website": "",
        "pow_token": challenge.token,
        "pow_solution": pow.solve(challenge.token, challenge.bits),
    }
    # When the citizen submits it
    response = client.post("/tips/new/", data, HTTP_X_REQUEST_ID="lb-req-000123")
    assert response.status_code == 201
    # Then the access line carries the request id and the URL pattern, and no line carries
    # the tip text, the contact or the tracking details
    records = lines(json_log)
    access = [r for r in records if r["logger"] == "binhyen.request"]
    assert access and access[-1]["request_id"] == "lb-req-000123"
    assert access[-1]["route"] == "tips/new/" and access[-1]["status"] == 201
    dump = json_log.getvalue()
    for needle in ("Bí Mật", "ngõ Kín", "Người Báo", "0912345678", challenge.token):
        assert needle not in dump
    assert response["X-Request-ID"] == "lb-req-000123"


def test_request_id_is_made_when_missing_or_malformed_and_user_id_logged(client, json_log):
    # Given a signed-in officer
    s = scene()
    login_verified(client, s.commune_officer)
    # When a request comes without an id, and one with a malformed id
    first = client.get("/tips/inbox/")
    second = client.get("/tips/inbox/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    # Then each gets a fresh id, and the access lines name the user by id only
    assert len(first["X-Request-ID"]) == 32
    assert second["X-Request-ID"] != "bad id\nwith newline"
    access = [r for r in lines(json_log) if r["logger"] == "binhyen.request"]
    assert {r["user_id"] for r in access} == {s.commune_officer.pk}
    assert s.commune_officer.username not in json_log.getvalue()


def test_django_error_lines_lose_the_request_object(json_log):
    # Given Django's request logger writing a line with the request attached
    from django.test import RequestFactory

    request = RequestFactory().post("/tips/new/", {"description": SECRET_TEXT})
    logging.getLogger("django.request").error(
        "Bad Request: %s", "/tips/new/", extra={"request": request}
    )
    # Then the JSON line has the message but neither the request nor its body
    (record,) = [r for r in lines(json_log) if r["logger"] == "django.request"]
    assert "request" not in record
    assert SECRET_TEXT not in json_log.getvalue()
