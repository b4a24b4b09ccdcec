"""Zalo OA webhook: signature, idempotency, follow-ups, replies through a pluggable sender."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from binhyen.accounts.tests.factories import scene
from binhyen.tips import permissions, services, zalo
from binhyen.tips.models import (
    Channel,
    Direction,
    OutboundMessage,
    PushStatus,
    Tip,
    TipMedia,
    ZaloContact,
    ZaloDelivery,
    ZaloPush,
)
from binhyen.tips.tests.factories import jpeg_with_gps, make_tip
from binhyen.tips.tests.zalo_payloads import IMAGE_EVENT, OA_ID, TEXT_EVENT, event, signed

URL = "/tips/zalo/webhook/"


@pytest.fixture
def s(settings):
    sc = scene()
    settings.TIPS_ZALO_OA_UNITS = {OA_ID: sc.commune.code}
    return sc


def post(client: Client, data: dict, secret: str | None = None, header: str | None = None):
    raw, mac = signed(data) if secret is None else signed(data, secret)
    headers: dict[str, Any] = {} if header == "" else {"HTTP_X_ZEVENT_SIGNATURE": header or mac}
    return client.post(URL, data=raw, content_type="application/json", **headers)


@pytest.mark.django_db
def test_text_event_creates_a_tip_and_replies_with_the_code(
    client, s, sent, django_capture_on_commit_callbacks
):
    # given a signed user_send_text event
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event(TEXT_EVENT))
    # then one tip in the OA's commune, anonymous but with the sender's keyed hash
    assert response.status_code == 200 and response.json()["status"] == "created"
    tip = Tip.objects.get()
    assert tip.channel == Channel.ZALO and tip.orgunit == s.commune and tip.is_anonymous
    assert tip.zalo_sender_hash and "4143027627557839389" not in tip.zalo_sender_hash
    # and the reply went through the sender, with the code
    assert len(sent) == 1 and tip.tracking_code in sent[0][1]
    assert sent[0][2] == "4143027627557839389"


@pytest.mark.django_db
def test_replayed_event_makes_no_second_tip(client, s):
    data = event(TEXT_EVENT)
    assert post(client, data).json()["status"] == "created"
    # when Zalo redelivers the very same event
    again = post(client, data)
    # then it is acknowledged but nothing new is stored
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert Tip.objects.count() == 1 and ZaloDelivery.objects.count() == 1


@pytest.mark.django_db
def test_bad_signature_is_rejected(client, s):
    # given an event signed with another secret, when it is delivered
    response = post(client, event(TEXT_EVENT), secret="wrong-secret")
    # then 403 and no tip
    assert response.status_code == 403
    assert Tip.objects.count() == 0


@pytest.mark.django_db
def test_missing_signature_is_401(client, s):
    # given no signature header, when the event is delivered, then 401
    assert post(client, event(TEXT_EVENT), header="").status_code == 401


@pytest.mark.django_db
def test_stale_and_foreign_events_are_rejected(client, s):
    # given an event from long ago, then 403
    stale = event(TEXT_EVENT)
    stale["timestamp"] = "1700000000000"
    assert post(client, stale).status_code == 403
    # given an event of another app, then 403, and no tip either way
    other_app = event(TEXT_EVENT, app_id="someone-else")
    assert post(client, other_app).status_code == 403
    assert Tip.objects.count() == 0


@pytest.mark.django_db
def test_tampered_body_is_rejected(client, s):
    # given a signed event whose text was changed after signing
    data = event(TEXT_EVENT)
    raw, mac = signed(data)
    tampered = raw.replace("ma túy".encode(), "xe máy".encode())
    # when it is delivered
    response = client.post(
        URL, data=tampered, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=mac
    )
    # then the signature no longer matches: 403
    assert response.status_code == 403


@pytest.mark.django_db
def test_next_message_follows_up_the_open_tip(client, s):
    # given a sender with an open tip
    post(client, event(TEXT_EVENT))
    # when the sender sends a photo
    response = post(client, event(IMAGE_EVENT))
    # then it joins that tip, the image kept as a reference
    assert response.json()["status"] == "follow_up"
    tip = Tip.objects.get()
    assert tip.messages.filter(direction=Direction.FROM_CITIZEN).count() == 1
    media = TipMedia.objects.get(tip=tip)
    assert media.source_url.endswith("c.jpg") and not media.file


@pytest.mark.django_db
def test_hash_moi_starts_a_new_tip(client, s):
    # given a sender with an open tip
    post(client, event(TEXT_EVENT))
    # when the next message starts with "#moi"
    post(client, event(TEXT_EVENT, msg_id="m-2", text="#moi Có vụ cháy nhỏ ở chợ"))
    # then it is a new tip
    assert Tip.objects.count() == 2


@pytest.mark.django_db
def test_another_sender_gets_their_own_tip(client, s):
    # given one sender with an open tip
    post(client, event(TEXT_EVENT))
    # when another sender writes
    post(client, event(TEXT_EVENT, msg_id="m-3", sender="999"))
    # then that sender gets a tip of their own
    assert Tip.objects.count() == 2


@pytest.mark.django_db
def test_ignored_events_are_acknowledged(client, s):
    # given an event that is not a message (a follow)
    data = event(TEXT_EVENT, event_name="follow")
    # when it is delivered
    response = post(client, data)
    # then it is acknowledged and ignored
    assert response.status_code == 200 and response.json()["status"] == "ignored"


class FakeFetcher:
    def fetch(self, url: str) -> bytes:
        return jpeg_with_gps()


@pytest.mark.django_db
def test_fetched_images_are_cleaned(client, s, settings):
    # given images are downloaded, and the photo carries GPS and a camera model
    settings.TIPS_ZALO_MEDIA_FETCHER = "binhyen.tips.tests.test_zalo.FakeFetcher"
    # when the photo arrives
    post(client, event(IMAGE_EVENT))
    # then the stored copy has no metadata and no URL is kept
    media = TipMedia.objects.get()
    data = media.file.read()
    assert not media.source_url and b"Phone Model X" not in data
    assert len(Image.open(io.BytesIO(data)).getexif()) == 0


@pytest.mark.django_db
def test_officer_reply_is_pushed_at_once(client, s, sent, django_capture_on_commit_callbacks):
    # given a sender who wrote in
    post(client, event(TEXT_EVENT))
    tip = Tip.objects.get()
    sent.clear()
    # when an officer replies
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.tip_reply(actor=s.commune_officer, tip=tip, body="Đã cử người xác minh.")
    # then the reply went to the sender's Zalo id at once and is marked delivered
    assert [(text, user) for _h, text, user in sent] == [
        (zalo.reply_text(tip.tracking_code, "Đã cử người xác minh."), "4143027627557839389")
    ]
    reply.refresh_from_db()
    assert reply.delivered_at is not None and reply.zalo_push.status == PushStatus.SENT


@pytest.mark.django_db
def test_officer_reply_waits_for_the_sender_when_the_window_has_passed(
    client, s, sent, django_capture_on_commit_callbacks
):
    # given a sender whose last message is older than the reply window
    post(client, event(TEXT_EVENT))
    tip = Tip.objects.get()
    ZaloContact.objects.update(last_seen_at=timezone.now() - timedelta(days=8))
    sent.clear()
    # when an officer replies / then nothing is pushed; the reply is held
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.tip_reply(actor=s.commune_officer, tip=tip, body="Đã cử người xác minh.")
    assert sent == []
    assert ZaloPush.objects.get().status == PushStatus.HELD
    # when the sender writes again / then the held reply goes out in that conversation
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event(TEXT_EVENT, msg_id="m-4", text="Họ vẫn đang ở đó."))
    assert any("Đã cử người xác minh." in text for _h, text, _u in sent)
    reply.refresh_from_db()
    assert reply.delivered_at is not None
    assert ZaloPush.objects.get().status == PushStatus.SENT


@pytest.mark.django_db
def test_contacts_are_purged_after_the_window(client, s):
    # given a sender who wrote eight days ago
    post(client, event(TEXT_EVENT))
    ZaloContact.objects.update(last_seen_at=timezone.now() - timedelta(days=8))
    # when the retention job runs / then their Zalo id is gone, the hash stays on the tip
    assert services.zalo_contacts_purge() == 1
    assert not ZaloContact.objects.exists() and Tip.objects.get().zalo_sender_hash


@pytest.mark.django_db
def test_recording_sender_keeps_only_the_hash():
    # given the recording sender, when it sends a reply
    zalo.RecordingSender().send("abc123", "Xin chào", "4143027627557839389")
    # then the stored row knows the hash, never the Zalo id
    row = OutboundMessage.objects.get()
    assert row.recipient_hash == "abc123" and "4143027627557839389" not in str(row.__dict__)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_concurrent_redeliveries_make_one_tip(s):
    # given one signed event
    data = event(TEXT_EVENT)
    raw, mac = signed(data)
    results: list[int] = []

    def deliver() -> None:
        response = Client().post(
            URL, data=raw, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=mac
        )
        results.append(response.status_code)
        connection.close()

    # when Zalo delivers it four times at once
    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then every delivery is acknowledged and one tip exists
    assert results == [200, 200, 200, 200]
    assert Tip.objects.count() == 1


def test_reverse_url():
    # given the URL configured at Zalo, then it is the webhook URL
    assert reverse("tips:zalo_webhook") == URL


@pytest.mark.django_db
def test_a_tracking_code_collision_on_zalo_intake_draws_again(client, s, monkeypatch):
    # given a stored tip, and a code generator whose first draw is that tip's code
    first = make_tip(s.commune)
    codes = iter([first.tracking_code, "ZZZZ-ZZZZ"])
    monkeypatch.setattr(permissions, "tracking_code_new", lambda: next(codes, "YYYY-YYYY"))
    # when a Zalo message makes a new tip
    response = post(client, event(TEXT_EVENT))
    # then it is stored under a fresh code, in the same transaction as its delivery
    assert response.status_code == 200 and response.json()["status"] == "created"
    tip = Tip.objects.get(channel=Channel.ZALO)
    assert tip.tracking_code == "ZZZZ-ZZZZ"
    assert ZaloDelivery.objects.get().tip == tip
