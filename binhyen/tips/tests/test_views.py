"""Public pages (no login) and officer pages (scoped, 404 outside scope)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from binhyen.accounts.tests.factories import scene
from binhyen.core.models import AuditEvent
from binhyen.tips import pow
from binhyen.tips.models import Status, Tip, TipMedia, TipMessage
from binhyen.tips.tests.factories import EXE_BYTES, jpeg_with_gps, make_tip, submit, upload

pytestmark = pytest.mark.django_db
NEW = "/tips/new/"
IP = "203.0.113.77"
UA = "Mozilla/5.0 (Linux; Android 14; SM-A556E) UniqueAgent/9.9"


@pytest.fixture
def s():
    return scene()


def form_data(s, **extra):
    challenge = pow.challenge_issue()
    data = {
        "kind": "crime",
        "description": "Có nhóm người lạ đánh bạc trong nhà văn hóa thôn.",
        "province": s.province.code,
        "commune": s.commune.code,
        "village": s.village.code,
        "anonymous": "1",
        "website": "",
        "pow_token": challenge.token,
        "pow_solution": pow.solve(challenge.token, challenge.bits),
    }
    data.update(extra)
    return data


def test_form_page_is_public_and_vietnamese(client, s):
    # given no login, when the form is opened for a village
    response = client.get(NEW + f"?unit={s.village.code}")
    # then it is the Vietnamese form with a challenge, the village chosen, never cached
    assert response.status_code == 200
    body = response.content.decode()
    assert "Gửi tin báo, phản ánh" in body and 'data-pow-token="' in body
    assert f'value="{s.village.code}" selected' in body
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )


def test_anonymous_web_tip_stores_no_identifying_data(client, s):
    # given a citizen posting anonymously from a phone, with a geotagged photo
    data = form_data(s, attachments=[upload("IMG_20250101_nha-toi.jpg", jpeg_with_gps())])
    response = client.post(NEW, data, REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)
    # then a code and a secret are shown once
    assert response.status_code == 201
    body = response.content.decode()
    tip = Tip.objects.get()
    assert tip.tracking_code in body
    # and nothing that identifies the sender is stored anywhere with the tip
    rows: list[dict[str, Any]] = []
    for queryset in (
        Tip.objects.filter(pk=tip.pk),
        AuditEvent.objects.filter(object_id=str(tip.pk)),
        TipMessage.objects.filter(tip=tip),
        TipMedia.objects.filter(tip=tip),
    ):
        rows.extend(dict(row) for row in queryset.values())
    dump = repr(rows)
    for needle in (IP, "203.0.113", "UniqueAgent", "SM-A556E", "nha-toi"):
        assert needle not in dump
    assert all(r.get("ip_address") is None for r in rows if "ip_address" in r)
    assert all(r.get("actor_id") is None for r in rows if "actor_id" in r)
    assert (tip.contact_name, tip.contact_phone, tip.contact_email) == ("", "", "")
    assert "sessionid" not in response.cookies
    photo = TipMedia.objects.get(tip=tip).file.read()
    assert b"Phone Model X" not in photo


def test_empty_text_gets_a_clear_error_and_saves_nothing(client, s):
    # given a tip without a description, when it is posted
    response = client.post(NEW, form_data(s, description=""), REMOTE_ADDR=IP)
    # then 400 says what is missing and nothing is saved
    assert response.status_code == 400
    assert "Hãy mô tả sự việc" in response.content.decode()
    assert Tip.objects.count() == 0


def test_disguised_exe_is_refused(client, s):
    # given a program renamed to .jpg, when it is attached
    data = form_data(s, attachments=[upload("anh.jpg", EXE_BYTES)])
    response = client.post(NEW, data, REMOTE_ADDR=IP)
    # then the file is refused by its content and nothing is saved
    assert response.status_code == 400
    assert "không phải ảnh" in response.content.decode()
    assert Tip.objects.count() == 0 and TipMedia.objects.count() == 0


def test_unknown_commune_is_refused(client, s):
    # given a commune code that does not exist, when the tip is posted
    response = client.post(NEW, form_data(s, commune="99999", village=""), REMOTE_ADDR=IP)
    # then 400 names the code and nothing is saved
    assert response.status_code == 400
    assert "99999" in response.content.decode()
    assert Tip.objects.count() == 0


def test_honeypot_is_refused(client, s):
    # given the hidden anti-bot field filled in, when the tip is posted
    response = client.post(NEW, form_data(s, website="http://spam"), REMOTE_ADDR=IP)
    # then it is refused with its own message and nothing is saved
    assert response.status_code == 400 and "ô ẩn" in response.content.decode()
    assert Tip.objects.count() == 0


def test_missing_proof_of_work_is_refused(client, s):
    # given no proof-of-work solution (JavaScript off), when the tip is posted
    response = client.post(NEW, form_data(s, pow_solution=""), REMOTE_ADDR=IP)
    # then 400 says JavaScript is needed and nothing is saved
    assert response.status_code == 400 and "JavaScript" in response.content.decode()
    assert Tip.objects.count() == 0


def test_oversized_request_is_413(client, s, settings):
    # given a request limit smaller than the photo
    settings.TIPS_MAX_REQUEST_BYTES = 1000
    data = form_data(s, attachments=[upload("a.jpg", jpeg_with_gps(400, 400))])
    # when the tip is posted
    response = client.post(NEW, data, REMOTE_ADDR=IP)
    # then 413 says the upload is too large
    assert response.status_code == 413 and "quá lớn" in response.content.decode()


def test_rate_limit_is_429(client, s, settings):
    # given one submission per hour from a source, already used once
    settings.TIPS_RATE_LIMITS = {**settings.TIPS_RATE_LIMITS, "submit": "1/3600"}
    assert client.post(NEW, form_data(s), REMOTE_ADDR=IP).status_code == 201
    # when the same source posts again
    response = client.post(NEW, form_data(s), REMOTE_ADDR=IP)
    # then 429 asks to wait and only the first tip is stored
    assert response.status_code == 429 and "quá nhiều" in response.content.decode()
    assert Tip.objects.count() == 1


def test_receipt_and_follow_up(client, s):
    # given a submitted tip, its code and its secret
    result = submit(s.commune)
    code, secret = result.tip.tracking_code, result.secret
    # when the receipt is downloaded, then it holds the code and the secret
    receipt = client.post(reverse("tips:receipt"), {"code": code, "secret": secret})
    assert receipt.status_code == 200 and receipt["Content-Type"].startswith("text/plain")
    assert code in receipt.content.decode() and secret in receipt.content.decode()
    # when the secret is wrong, then 404 says so
    wrong = client.post(reverse("tips:follow"), {"code": code, "secret": "AAAA-AAAA"})
    assert wrong.status_code == 404 and "không đúng" in wrong.content.decode()
    # when the code is typed loosely with the right secret, then the tip opens
    page = client.post(
        reverse("tips:follow"), {"code": code.lower().replace("-", ""), "secret": secret}
    )
    assert page.status_code == 200
    found = re.search(r'name="access" value="([^"]+)"', page.content.decode())
    assert found is not None
    access = found.group(1)
    # and when the citizen adds information, then it joins the tip
    added = client.post(reverse("tips:follow"), {"access": access, "body": "Thêm: xe máy màu đỏ."})
    assert added.status_code == 200 and "Đã gửi thông tin bổ sung" in added.content.decode()
    assert result.tip.messages.filter(body__contains="xe máy màu đỏ").exists()


def test_unit_options_are_public(client, s):
    # given no login, when the communes of a province are asked, then they are listed
    response = client.get(reverse("tips:unit_options") + f"?province={s.province.code}")
    assert s.commune.name in response.content.decode()
    # and when the villages of a commune are asked, then they are listed
    response = client.get(reverse("tips:unit_options") + f"?commune={s.commune.code}")
    assert s.village.name in response.content.decode()


# --- officer pages: in scope, out of scope, anonymous -------------------------------------------


def test_inbox_permissions(client, s):
    # given a tip of the commune
    tip = make_tip(s.commune)
    # when nobody is signed in, then the inbox asks for a login
    assert client.get(reverse("tips:inbox")).status_code == 302
    # when the commune officer opens it, then the tip is listed
    client.force_login(s.commune_officer)
    response = client.get(reverse("tips:inbox"))
    assert response.status_code == 200 and tip.tracking_code in response.content.decode()
    # when an officer of another province opens it, then the tip is not listed
    client.force_login(s.far_officer)
    response = client.get(reverse("tips:inbox"))
    assert tip.tracking_code not in response.content.decode()
    # when someone who may not triage opens it, then 404
    client.force_login(s.village_member)
    assert client.get(reverse("tips:inbox")).status_code == 404


def test_detail_permissions(client, s):
    # given a tip of the commune
    tip = make_tip(s.commune)
    url = reverse("tips:detail", args=[tip.pk])
    # when nobody is signed in, then a login is asked
    assert client.get(url).status_code == 302
    # when the commune officer opens it, then 200
    client.force_login(s.commune_officer)
    assert client.get(url).status_code == 200
    # when an officer elsewhere opens it, or a missing tip, then the same 404
    client.force_login(s.far_officer)
    assert client.get(url).status_code == 404
    assert client.get(reverse("tips:detail", args=[tip.pk + 999])).status_code == 404


def test_officer_of_another_commune_gets_404_on_actions(client, s):
    # given a tip of the commune and an officer of another province
    tip = make_tip(s.commune)
    client.force_login(s.far_officer)
    # when that officer tries to claim it
    response = client.post(reverse("tips:claim", args=[tip.pk]))
    # then 404 and the tip is not claimed
    assert response.status_code == 404
    tip.refresh_from_db()
    assert tip.claimed_by is None


def test_officer_claims_replies_and_concludes(client, s):
    # given a tip and the commune officer
    tip = make_tip(s.commune)
    client.force_login(s.commune_officer)
    # when the officer claims it and replies
    assert client.post(reverse("tips:claim", args=[tip.pk])).status_code == 302
    client.post(reverse("tips:reply", args=[tip.pk]), {"body": "Đã tiếp nhận."})
    # when the outcome is too short, then the conclusion is refused
    bad = client.post(
        reverse("tips:conclude", args=[tip.pk]), {"status": "resolved", "outcome": "xong"}
    )
    assert bad.status_code == 400
    # when it is concluded with what was done
    client.post(
        reverse("tips:conclude", args=[tip.pk]),
        {"status": "resolved", "outcome": "Đã bắt quả tang, lập biên bản xử phạt."},
    )
    # then the tip is resolved and still held by the officer
    tip.refresh_from_db()
    assert tip.status == Status.RESOLVED and tip.claimed_by == s.commune_officer
    # and its page no longer says someone is handling it
    page = client.get(reverse("tips:detail", args=[tip.pk])).content.decode()
    assert 'data-testid="claim-banner"' not in page


def test_contact_reveal_page(client, s):
    # given a named tip with a phone number
    tip = make_tip(s.commune, is_anonymous=False, contact_phone="0912000222")
    url = reverse("tips:contact", args=[tip.pk])
    # when an officer without the contact right looks, then no number and revealing is 404
    client.force_login(s.commune_officer)
    assert "0912000222" not in client.get(reverse("tips:detail", args=[tip.pk])).content.decode()
    assert client.post(url).status_code == 404
    # when the chief reveals it
    client.force_login(s.commune_chief)
    response = client.post(url)
    # then the number is shown and the view is audited
    assert response.status_code == 200 and "0912000222" in response.content.decode()
    assert AuditEvent.objects.filter(action="tip.contact_view").count() == 1


def test_media_is_served_only_in_scope(client, s):
    # given a tip with a photo added by the citizen
    data_tip = submit(s.commune).tip
    from binhyen.tips import media, services

    services.tip_follow_up(
        actor=None,
        tip=data_tip,
        body="ảnh",
        media=media.process_uploads([upload("a.jpg", jpeg_with_gps())]),
        channel="web",
    )
    item = TipMedia.objects.get()
    url = reverse("tips:media", args=[data_tip.pk, item.pk])
    # when the commune officer opens the photo, then it is served
    client.force_login(s.commune_officer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    # when an officer elsewhere asks for it, then 404
    client.force_login(s.far_officer)
    assert client.get(url).status_code == 404


def test_duplicate_suggestions_say_how_alike_in_words_not_a_score(client):
    # given two tips about the same theft in the same commune
    from binhyen.accounts.tests.factories import login_verified, scene
    from binhyen.tips.tests.factories import make_tip

    s = scene()
    first = make_tip(s.commune, description="Trộm gà ban đêm ở xóm Đông nhà ông Ba")
    make_tip(s.commune, description="Trộm gà ban đêm ở xóm Đông nhà bà Tư")
    login_verified(client, s.commune_officer)
    # when the officer opens one of them
    html = client.get(f"/tips/{first.pk}/").content.decode()
    # then the similar tip is listed with a worded level, never a raw score like "0,32"
    assert "giống)" in html
    import re

    assert not re.search(r"; 0[,.]\d+\)", html)
