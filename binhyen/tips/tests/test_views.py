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
    response = client.get(NEW + f"?unit={s.village.code}")
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
    response = client.post(NEW, form_data(s, description=""), REMOTE_ADDR=IP)
    assert response.status_code == 400
    assert "Hãy mô tả sự việc" in response.content.decode()
    assert Tip.objects.count() == 0


def test_disguised_exe_is_refused(client, s):
    data = form_data(s, attachments=[upload("anh.jpg", EXE_BYTES)])
    response = client.post(NEW, data, REMOTE_ADDR=IP)
    assert response.status_code == 400
    assert "không phải ảnh" in response.content.decode()
    assert Tip.objects.count() == 0 and TipMedia.objects.count() == 0


def test_unknown_commune_is_refused(client, s):
    response = client.post(NEW, form_data(s, commune="99999", village=""), REMOTE_ADDR=IP)
    assert response.status_code == 400
    assert "99999" in response.content.decode()
    assert Tip.objects.count() == 0


def test_honeypot_is_refused(client, s):
    response = client.post(NEW, form_data(s, website="http://spam"), REMOTE_ADDR=IP)
    assert response.status_code == 400 and "ô ẩn" in response.content.decode()
    assert Tip.objects.count() == 0


def test_missing_proof_of_work_is_refused(client, s):
    response = client.post(NEW, form_data(s, pow_solution=""), REMOTE_ADDR=IP)
    assert response.status_code == 400 and "JavaScript" in response.content.decode()
    assert Tip.objects.count() == 0


def test_oversized_request_is_413(client, s, settings):
    settings.TIPS_MAX_REQUEST_BYTES = 1000
    data = form_data(s, attachments=[upload("a.jpg", jpeg_with_gps(400, 400))])
    response = client.post(NEW, data, REMOTE_ADDR=IP)
    assert response.status_code == 413 and "quá lớn" in response.content.decode()


def test_rate_limit_is_429(client, s, settings):
    settings.TIPS_RATE_LIMITS = {**settings.TIPS_RATE_LIMITS, "submit": "1/3600"}
    assert client.post(NEW, form_data(s), REMOTE_ADDR=IP).status_code == 201
    response = client.post(NEW, form_data(s), REMOTE_ADDR=IP)
    assert response.status_code == 429 and "quá nhiều" in response.content.decode()
    assert Tip.objects.count() == 1


def test_receipt_and_follow_up(client, s):
    result = submit(s.commune)
    code, secret = result.tip.tracking_code, result.secret
    receipt = client.post(reverse("tips:receipt"), {"code": code, "secret": secret})
    assert receipt.status_code == 200 and receipt["Content-Type"].startswith("text/plain")
    assert code in receipt.content.decode() and secret in receipt.content.decode()
    wrong = client.post(reverse("tips:follow"), {"code": code, "secret": "AAAA-AAAA"})
    assert wrong.status_code == 404 and "không đúng" in wrong.content.decode()
    page = client.post(
        reverse("tips:follow"), {"code": code.lower().replace("-", ""), "secret": secret}
    )
    assert page.status_code == 200
    found = re.search(r'name="access" value="([^"]+)"', page.content.decode())
    assert found is not None
    access = found.group(1)
    added = client.post(reverse("tips:follow"), {"access": access, "body": "Thêm: xe máy màu đỏ."})
    assert added.status_code == 200 and "Đã gửi thông tin bổ sung" in added.content.decode()
    assert result.tip.messages.filter(body__contains="xe máy màu đỏ").exists()


def test_unit_options_are_public(client, s):
    response = client.get(reverse("tips:unit_options") + f"?province={s.province.code}")
    assert s.commune.name in response.content.decode()
    response = client.get(reverse("tips:unit_options") + f"?commune={s.commune.code}")
    assert s.village.name in response.content.decode()


# --- officer pages: in scope, out of scope, anonymous -------------------------------------------


def test_inbox_permissions(client, s):
    tip = make_tip(s.commune)
    assert client.get(reverse("tips:inbox")).status_code == 302
    client.force_login(s.commune_officer)
    response = client.get(reverse("tips:inbox"))
    assert response.status_code == 200 and tip.tracking_code in response.content.decode()
    client.force_login(s.far_officer)
    response = client.get(reverse("tips:inbox"))
    assert tip.tracking_code not in response.content.decode()
    client.force_login(s.village_member)
    assert client.get(reverse("tips:inbox")).status_code == 404


def test_detail_permissions(client, s):
    tip = make_tip(s.commune)
    url = reverse("tips:detail", args=[tip.pk])
    assert client.get(url).status_code == 302
    client.force_login(s.commune_officer)
    assert client.get(url).status_code == 200
    client.force_login(s.far_officer)
    assert client.get(url).status_code == 404
    assert client.get(reverse("tips:detail", args=[tip.pk + 999])).status_code == 404


def test_officer_of_another_commune_gets_404_on_actions(client, s):
    tip = make_tip(s.commune)
    client.force_login(s.far_officer)
    response = client.post(reverse("tips:claim", args=[tip.pk]))
    assert response.status_code == 404
    tip.refresh_from_db()
    assert tip.claimed_by is None


def test_officer_claims_replies_and_concludes(client, s):
    tip = make_tip(s.commune)
    client.force_login(s.commune_officer)
    assert client.post(reverse("tips:claim", args=[tip.pk])).status_code == 302
    client.post(reverse("tips:reply", args=[tip.pk]), {"body": "Đã tiếp nhận."})
    bad = client.post(
        reverse("tips:conclude", args=[tip.pk]), {"status": "resolved", "outcome": "xong"}
    )
    assert bad.status_code == 400
    client.post(
        reverse("tips:conclude", args=[tip.pk]),
        {"status": "resolved", "outcome": "Đã bắt quả tang, lập biên bản xử phạt."},
    )
    tip.refresh_from_db()
    assert tip.status == Status.RESOLVED and tip.claimed_by == s.commune_officer


def test_contact_reveal_page(client, s):
    tip = make_tip(s.commune, is_anonymous=False, contact_phone="0912000222")
    url = reverse("tips:contact", args=[tip.pk])
    client.force_login(s.commune_officer)
    assert "0912000222" not in client.get(reverse("tips:detail", args=[tip.pk])).content.decode()
    assert client.post(url).status_code == 404
    client.force_login(s.commune_chief)
    response = client.post(url)
    assert response.status_code == 200 and "0912000222" in response.content.decode()
    assert AuditEvent.objects.filter(action="tip.contact_view").count() == 1


def test_media_is_served_only_in_scope(client, s):
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
    client.force_login(s.commune_officer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(s.far_officer)
    assert client.get(url).status_code == 404
