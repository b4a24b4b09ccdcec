"""The REST intake: challenge, submit, status, follow-up; officers' scoped reads."""

from __future__ import annotations

import pytest

from binhyen.accounts.tests.factories import scene
from binhyen.tips import pow
from binhyen.tips.models import Channel, Tip
from binhyen.tips.tests.factories import EXE_BYTES, jpeg_with_gps, make_tip, upload

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tips"


@pytest.fixture
def s():
    return scene()


def proof(client):
    challenge = client.get(f"{BASE}/challenge").json()
    return {
        "token": challenge["token"],
        "solution": pow.solve(challenge["token"], challenge["bits"]),
    }


def test_submit_status_and_follow_up(client, s):
    # given a client that solved the challenge
    payload = {
        "kind": "feedback",
        "description": "Đèn đường thôn Cấm hỏng, tối dễ mất trộm.",
        "commune_code": s.commune.code,
        "proof": proof(client),
    }
    response = client.post(f"{BASE}/", payload, content_type="application/json")
    # then 201 with a code and a one-time secret
    assert response.status_code == 201, response.content
    body = response.json()
    tip = Tip.objects.get(tracking_code=body["tracking_code"])
    assert tip.channel == Channel.API and body["unit"] == s.commune.name
    # the citizen reads the status with code + secret
    status = client.post(
        f"{BASE}/status",
        {"code": body["tracking_code"], "secret": body["secret"]},
        content_type="application/json",
    )
    assert status.status_code == 200 and status.json()["status"] == "new"
    # and adds a photo
    added = client.post(
        f"{BASE}/follow-up",
        {
            "code": body["tracking_code"],
            "secret": body["secret"],
            "body": "Ảnh",
            "files": upload("a.jpg", jpeg_with_gps()),
        },
    )
    assert added.status_code == 201 and added.json()["media"] == 1


def test_errors_are_json_with_field(client, s):
    # given submissions wrong in one way each: no proof, unknown commune, blank text, honeypot
    missing_proof = client.post(
        f"{BASE}/",
        {"kind": "crime", "description": "x", "commune_code": s.commune.code},
        content_type="application/json",
    )
    # then each is a 400 naming its field, and nothing is stored
    assert missing_proof.status_code == 400 and missing_proof.json()["field"] == "proof"
    unknown = client.post(
        f"{BASE}/",
        {
            "kind": "crime",
            "description": "Có trộm",
            "commune_code": "99999",
            "proof": proof(client),
        },
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "commune"
    empty = client.post(
        f"{BASE}/",
        {
            "kind": "crime",
            "description": "  ",
            "commune_code": s.commune.code,
            "proof": proof(client),
        },
        content_type="application/json",
    )
    assert empty.status_code == 400 and empty.json()["field"] == "description"
    honeypot = client.post(
        f"{BASE}/",
        {"kind": "crime", "description": "a", "website": "x", "proof": proof(client)},
        content_type="application/json",
    )
    assert honeypot.status_code == 400 and honeypot.json()["field"] == "website"
    assert Tip.objects.count() == 0


def test_a_replayed_proof_is_refused(client, s):
    # given a tip sent with a solved challenge
    payload = {
        "kind": "crime",
        "description": "Có người lạ dò xét nhà trong ngõ.",
        "commune_code": s.commune.code,
        "proof": proof(client),
    }
    assert client.post(f"{BASE}/", payload, content_type="application/json").status_code == 201
    # when the same proof is sent again
    again = client.post(f"{BASE}/", payload, content_type="application/json")
    # then it is refused on the proof field, in Vietnamese, and nothing more is stored
    assert again.status_code == 400 and again.json()["field"] == "proof"
    assert "đã được dùng" in again.json()["message"]
    assert Tip.objects.count() == 1


def test_an_expired_proof_is_refused(client, s, settings):
    # given a challenge that expires at once
    settings.TIPS_POW_TTL_SECONDS = -1
    payload = {
        "kind": "crime",
        "description": "Có người lạ dò xét nhà trong ngõ.",
        "commune_code": s.commune.code,
        "proof": proof(client),
    }
    # when it is used, then the answer says so in Vietnamese and nothing is stored
    response = client.post(f"{BASE}/", payload, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "proof"
    assert "hết hạn" in response.json()["message"]
    assert Tip.objects.count() == 0


def test_wrong_secret_is_404(client, s):
    # given a tip, when its status is asked with a wrong secret
    tip = make_tip(s.commune)
    response = client.post(
        f"{BASE}/status",
        {"code": tip.tracking_code, "secret": "AAAA"},
        content_type="application/json",
    )
    # then 404, as for a code that does not exist
    assert response.status_code == 404


def test_follow_up_refuses_disguised_files(client, s):
    from binhyen.tips.tests.factories import submit

    # given a tip, when the citizen adds a program renamed to .jpg
    result = submit(s.commune)
    response = client.post(
        f"{BASE}/follow-up",
        {
            "code": result.tip.tracking_code,
            "secret": result.secret,
            "files": upload("anh.jpg", EXE_BYTES),
        },
    )
    # then 400 names the file and no message is added
    assert response.status_code == 400 and "không phải ảnh" in response.json()["message"]
    assert result.tip.messages.count() == 0


def test_rate_limited_submit_is_429(client, s, settings):
    # given a limit of no submission at all, when a tip is submitted
    settings.TIPS_RATE_LIMITS = {**settings.TIPS_RATE_LIMITS, "submit": "0/60"}
    response = client.post(
        f"{BASE}/", {"kind": "crime", "description": "a"}, content_type="application/json"
    )
    # then 429 asks to wait
    assert response.status_code == 429 and "quá nhiều" in response.json()["message"]


def test_officer_reads_are_scoped(client, s):
    # given a tip of the commune; without credentials the inbox is 401
    tip = make_tip(s.commune)
    assert client.get(f"{BASE}/inbox").status_code == 401
    # when the commune officer reads, then the tip is listed (no contact) and opens
    client.force_login(s.commune_officer)
    listing = client.get(f"{BASE}/inbox").json()
    assert listing["count"] == 1 and listing["items"][0]["tracking_code"] == tip.tracking_code
    assert "contact_phone" not in listing["items"][0]
    assert client.get(f"{BASE}/{tip.pk}").status_code == 200
    # when an officer elsewhere reads, then nothing is listed and the tip is 404
    client.force_login(s.far_officer)
    assert client.get(f"{BASE}/inbox").json()["count"] == 0
    assert client.get(f"{BASE}/{tip.pk}").status_code == 404


def test_an_inbox_offset_past_the_limit_is_refused_not_a_500(client, s):
    # given a signed-in officer
    client.force_login(s.commune_officer)
    # when paging far beyond what the database can count
    response = client.get(f"{BASE}/inbox", {"offset": 2**63})
    # then the parameter is named, nothing breaks
    assert response.status_code == 422 and response.json()["field"] == "offset"


def test_an_inbox_filter_with_a_nul_character_is_refused_not_a_500(client, s):
    # given a signed-in officer
    client.force_login(s.commune_officer)
    # when filtering the inbox with a NUL character (PostgreSQL cannot compare one)
    response = client.get(f"{BASE}/inbox", {"q": "trộm\x00"})
    # then the parameter is named, nothing breaks
    assert response.status_code == 422 and response.json()["field"] == "q"
