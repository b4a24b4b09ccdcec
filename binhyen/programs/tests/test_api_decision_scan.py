"""A decision's signed scan through the API: its download address and the download itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from binhyen.accounts.models import ApiToken
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.core.models import AuditEvent
from binhyen.programs import services
from binhyen.programs.models import Decision
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1/programs"


def bearer(user: Any) -> dict[str, str]:
    raw = generate_secret()
    ApiToken.objects.create(
        user=user, name="test", prefix=prefix_of(raw), key_hash=hash_secret(raw)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def decide(s: Any, **extra: Any) -> Decision:
    """Record a recognition decision for the commune's verified file."""
    program = f.program(f.ministry_admin())
    f.crimes_data(s.commune, crimes_now=8, crimes_before=10, serious=0)
    enrollment = services.enrollment_create(
        actor=s.commune_officer, program=program, unit=s.commune, period_code="2025"
    )
    f.evidence_ready(s.commune_officer, enrollment)
    submitted = services.enrollment_submit(actor=s.commune_officer, enrollment=enrollment)
    verified = f.verify_all(s.province_officer, submitted)
    return services.decision_record(
        actor=s.province_officer,
        program=program,
        period_code="2025",
        enrollments=[verified],
        recognised={verified.pk},
        data=f.decision_input(**extra),
    )


def test_decision_gives_the_scan_address_and_the_scan_downloads(client, s):
    # given a decision recorded with a PDF scan
    decision = decide(s, scan=f.pdf())
    headers = bearer(s.province_officer)
    # when reading it
    body = client.get(f"{BASE}/decisions/{decision.pk}", **headers).json()
    # then it names the download address and the type
    assert body["scan_url"] == f"{BASE}/decisions/{decision.pk}/scan"
    assert body["scan_mime"] == "application/pdf"
    # and the address serves the file as an attachment
    response = client.get(body["scan_url"], **headers)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_decided_commune_reads_the_scan_too(client, s):
    decision = decide(s, scan=f.png("quyet-dinh.png"))
    headers = bearer(s.commune_officer)
    body = client.get(f"{BASE}/decisions/{decision.pk}", **headers).json()
    # then the image (re-encoded without metadata) is readable with its type
    assert body["scan_mime"].startswith("image/")
    response = client.get(body["scan_url"], **headers)
    assert response.status_code == 200 and response["Content-Type"] == body["scan_mime"]


def test_decision_without_scan(client, s):
    decision = decide(s)
    headers = bearer(s.province_officer)
    body = client.get(f"{BASE}/decisions/{decision.pk}", **headers).json()
    assert body["scan_url"] is None and body["scan_mime"] is None
    assert client.get(f"{BASE}/decisions/{decision.pk}/scan", **headers).status_code == 404


def test_scan_out_of_scope_is_404_and_anonymous_401(client, s):
    decision = decide(s, scan=f.pdf())
    far = bearer(s.far_officer)
    # an officer of another province: answered like a missing decision
    assert client.get(f"{BASE}/decisions/{decision.pk}", **far).status_code == 404
    outside = client.get(f"{BASE}/decisions/{decision.pk}/scan", **far)
    missing = client.get(f"{BASE}/decisions/{decision.pk + 99}/scan", **far)
    assert outside.status_code == missing.status_code == 404
    assert outside.json()["message"] == missing.json()["message"]
    # anonymous
    assert client.get(f"{BASE}/decisions/{decision.pk}/scan").status_code == 401


# --- upload --------------------------------------------------------------------------------------

EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"PE\x00\x00"


def test_upload_attaches_a_scan_audited(client, s):
    # given a decision recorded without a scan
    decision = decide(s)
    headers = bearer(s.province_officer)
    # when the deciding officer uploads the signed PDF
    response = client.post(f"{BASE}/decisions/{decision.pk}/scan", {"scan": f.pdf()}, **headers)
    # then the decision names it and it downloads
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scan_mime"] == "application/pdf" and body["scan_url"]
    assert client.get(body["scan_url"], **headers).status_code == 200
    event = AuditEvent.objects.get(action="decision.scan", object_id=str(decision.pk))
    assert event.actor == s.province_officer and event.orgunit == decision.orgunit


def test_upload_strips_image_metadata_and_replaces(client, s):
    import io

    from PIL import Image

    decision = decide(s, scan=f.pdf())
    headers = bearer(s.province_officer)
    image = Image.new("RGB", (40, 30), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0110] = "Phone Model X"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    photo = SimpleUploadedFile("qd.jpg", buffer.getvalue(), content_type="image/jpeg")
    response = client.post(f"{BASE}/decisions/{decision.pk}/scan", {"scan": photo}, **headers)
    assert response.status_code == 200, response.content
    decision.refresh_from_db()
    assert decision.scan_mime == "image/jpeg"
    with decision.scan.open("rb") as stored:
        assert b"Phone Model X" not in stored.read()


def test_upload_refuses_a_disguised_file_on_the_field(client, s):
    decision = decide(s, scan=f.pdf())
    before = Decision.objects.get(pk=decision.pk).scan.name
    headers = bearer(s.province_officer)
    disguised = SimpleUploadedFile("quyet-dinh.pdf", EXE_BYTES, content_type="application/pdf")
    response = client.post(f"{BASE}/decisions/{decision.pk}/scan", {"scan": disguised}, **headers)
    assert response.status_code == 400
    assert response.json()["field"] == "scan" and response.json()["message"]
    assert Decision.objects.get(pk=decision.pk).scan.name == before
    assert not AuditEvent.objects.filter(action="decision.scan").exists()


def test_upload_scope(client, s):
    decision = decide(s)
    url = f"{BASE}/decisions/{decision.pk}/scan"
    # anonymous
    assert client.post(url, {"scan": f.pdf()}).status_code == 401
    # another province: like a missing decision
    outside = client.post(url, {"scan": f.pdf()}, **bearer(s.far_officer))
    assert outside.status_code == 404
    # the decided commune reads the decision but may not change it: also 404
    commune = client.post(url, {"scan": f.pdf()}, **bearer(s.commune_officer))
    assert commune.status_code == 404
    decision.refresh_from_db()
    assert not decision.scan
    # a missing file is named
    missing = client.post(url, {}, **bearer(s.province_officer))
    assert missing.status_code == 422 and missing.json()["field"].endswith("scan")
