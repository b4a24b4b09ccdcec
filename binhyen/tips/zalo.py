"""Zalo Official Account: webhook verification, event parsing, and pluggable senders.

Verification follows Zalo's scheme: the header ``X-ZEvent-Signature: mac=<hex>`` must equal
``sha256(app_id + raw_body + timestamp + oa_secret_key)`` where ``timestamp`` is the event's
own ``timestamp`` field (milliseconds). The comparison is constant-time; a missing header
is 401, a wrong MAC, another app's event or a timestamp older than
``TIPS_ZALO_MAX_AGE_SECONDS`` is 403.

Privacy: the sender is known only by ``sender_hash`` = HMAC(SECRET_KEY, "zalo:" + user id).
It attaches follow-ups to the sender's open tip and lets officer replies reach them the next
time they write; the raw Zalo user id is used in memory to answer the current message and is
never stored. Zalo tips are therefore pseudonymous, not anonymous (the public page says so).

Senders (``TIPS_ZALO_SENDER``, a dotted path) implement ``send(recipient_hash, text,
user_id)``. The default ``RecordingSender`` keeps messages in ``OutboundMessage`` and logs
them; ``ZaloApiSender`` posts to the OA API. Tests use a fake; nothing here is called over
the network in tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from binhyen.tips.media import ProcessedMedia, clean_image, sniff

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ZEvent-Signature"
USER_EVENTS = ("user_send_text", "user_send_image")
OA_MESSAGE_URL = "https://openapi.zalo.me/v3.0/oa/message/cs"
MAX_IMAGES = 5
MAX_TEXT = 5000


class SignatureMissing(Exception):
    """No signature header: 401."""


class SignatureInvalid(Exception):
    """Wrong MAC, another app, or a stale event: 403."""


class EventInvalid(Exception):
    """The body is not a Zalo event we can read: 400."""


def expected_mac(app_id: str, raw_body: bytes, timestamp: str, secret: str) -> str:
    data = app_id.encode() + raw_body + timestamp.encode() + secret.encode()
    return hashlib.sha256(data).hexdigest()


def verify(
    raw_body: bytes, signature_header: str | None, *, now: float | None = None
) -> dict[str, Any]:
    """Return the event as a dict if it is signed for our app and fresh; raise otherwise."""
    if not signature_header:
        raise SignatureMissing
    app_id = settings.TIPS_ZALO_APP_ID
    secret = settings.TIPS_ZALO_OA_SECRET
    if not app_id or not secret:
        raise SignatureInvalid("webhook not configured")
    try:
        event = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        raise EventInvalid from None
    if not isinstance(event, dict):
        raise EventInvalid
    timestamp = str(event.get("timestamp", ""))
    mac = signature_header.strip()
    if mac.startswith("mac="):
        mac = mac[4:]
    good = expected_mac(app_id, raw_body, timestamp, secret)
    if not hmac.compare_digest(mac.strip().lower().encode(), good.encode()):
        raise SignatureInvalid("bad mac")
    if str(event.get("app_id", "")) != app_id:
        raise SignatureInvalid("other app")
    try:
        sent = int(timestamp) / 1000
    except ValueError:
        raise SignatureInvalid("bad timestamp") from None
    current = time.time() if now is None else now
    if abs(current - sent) > settings.TIPS_ZALO_MAX_AGE_SECONDS:
        raise SignatureInvalid("stale")
    return event


def sender_hash(user_id: str) -> str:
    """Return the keyed hash a Zalo user is known by (never the id itself)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"zalo:{user_id}".encode(), hashlib.sha256
    ).hexdigest()


# --- media fetching ------------------------------------------------------------------------------


class MediaFetcher(Protocol):
    def fetch(self, url: str) -> bytes: ...


def get_fetcher() -> MediaFetcher | None:
    """Return the configured image fetcher, or None to keep Zalo image URLs as references."""
    path = settings.TIPS_ZALO_MEDIA_FETCHER
    return import_string(path)() if path else None


class HttpFetcher:
    """Download a Zalo-hosted image (bounded size, https only)."""

    timeout = 10

    def fetch(self, url: str) -> bytes:
        if not url.startswith("https://"):
            raise ValueError("only https image URLs are fetched")
        request = urllib.request.Request(url, headers={"User-Agent": "binhyen"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            data: bytes = response.read(settings.TIPS_MAX_IMAGE_BYTES + 1)
        if len(data) > settings.TIPS_MAX_IMAGE_BYTES:
            raise ValueError("image too large")
        return data


# --- parsing -------------------------------------------------------------------------------------


def parse_event(event: dict[str, Any], fetcher: MediaFetcher | None = None) -> Any:
    """Turn a verified event into a ``ZaloInbound``, or None for events that are not tips.

    With a fetcher, images are downloaded and cleaned like uploads (EXIF stripped); a
    failed download keeps the URL as a reference instead.
    """
    from binhyen.tips.services import ZaloInbound

    name = str(event.get("event_name", ""))
    if name not in USER_EVENTS:
        return None
    sender = event.get("sender") or {}
    recipient = event.get("recipient") or {}
    message = event.get("message") or {}
    if not isinstance(sender, dict) or not isinstance(message, dict):
        raise EventInvalid
    user_id = str(sender.get("id", "")).strip()
    msg_id = str(message.get("msg_id", "")).strip()
    if not user_id or not msg_id or len(msg_id) > 100:
        raise EventInvalid
    urls: list[str] = []
    for attachment in message.get("attachments") or []:
        if not isinstance(attachment, dict) or attachment.get("type") != "image":
            continue
        payload = attachment.get("payload") or {}
        url = str(payload.get("url", "")).strip() if isinstance(payload, dict) else ""
        if url.startswith(("https://", "http://")) and len(url) <= 1000:
            urls.append(url)
    urls = urls[:MAX_IMAGES]
    media: list[ProcessedMedia] = []
    if fetcher is not None:
        kept: list[str] = []
        for url in urls:
            try:
                data = fetcher.fetch(url)
                if sniff(data[:8192]) is None:
                    raise ValueError("not an image")
                media.append(clean_image(data, url.rsplit("/", 1)[-1][:80]))
            except Exception:  # an unreachable or bad image must not lose the message
                logger.warning("zalo image not fetched; keeping its URL", exc_info=True)
                kept.append(url)
        urls = kept
    try:
        sent_at = datetime.fromtimestamp(int(str(event.get("timestamp"))) / 1000, tz=UTC)
    except ValueError:
        sent_at = None
    return ZaloInbound(
        msg_id=msg_id,
        user_id=user_id,
        event_name=name,
        sender_hash=sender_hash(user_id),
        oa_id=str(recipient.get("id", "")) if isinstance(recipient, dict) else "",
        text=str(message.get("text", ""))[:MAX_TEXT],
        image_urls=tuple(urls),
        media=tuple(media),
        sent_at=sent_at,
    )


# --- replies -------------------------------------------------------------------------------------


def ack_text(code: str, secret: str) -> str:
    return _(
        "Công an đã nhận tin của bạn. Mã theo dõi: %(code)s. Mã bí mật: %(secret)s (giữ kín, "
        "dùng để xem trả lời trên trang tra cứu). Bạn có thể nhắn tiếp tại đây để bổ sung; "
        "bắt đầu tin nhắn bằng “#moi” nếu muốn báo một việc khác."
    ) % {"code": code, "secret": secret}


def follow_up_text(code: str) -> str:
    return _("Đã bổ sung thông tin vào tin %(code)s. Cảm ơn bạn.") % {"code": code}


def reply_text(code: str, body: str) -> str:
    return _("Trả lời cho tin %(code)s: %(body)s") % {"code": code, "body": body}


class Sender(Protocol):
    def send(self, recipient_hash: str, text: str, user_id: str = "") -> None: ...


class RecordingSender:
    """Keep outbound messages in ``OutboundMessage`` (by recipient hash) and log them."""

    def send(self, recipient_hash: str, text: str, user_id: str = "") -> None:
        from binhyen.tips.models import Channel, OutboundMessage

        OutboundMessage.objects.create(
            channel=Channel.ZALO, recipient_hash=recipient_hash, body=text
        )
        logger.info("zalo reply recorded for %s…", recipient_hash[:8])


class ZaloApiSender:
    """Send a customer-service text through the OA API (``TIPS_ZALO_ACCESS_TOKEN``)."""

    timeout = 10

    def __init__(self, opener: Callable[..., Any] | None = None) -> None:
        self.opener = opener or urllib.request.urlopen

    def send(self, recipient_hash: str, text: str, user_id: str = "") -> None:
        if not user_id:
            raise ValueError("the Zalo API needs the user id of the current conversation")
        body = json.dumps({"recipient": {"user_id": user_id}, "message": {"text": text}}).encode()
        request = urllib.request.Request(
            OA_MESSAGE_URL,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "access_token": settings.TIPS_ZALO_ACCESS_TOKEN,
            },
        )
        with self.opener(request, timeout=self.timeout) as response:
            answer = json.loads(response.read() or b"{}")
        if answer.get("error", 0) != 0:
            raise RuntimeError(f"zalo api error {answer.get('error')}: {answer.get('message')}")


def get_sender() -> Sender:
    sender: Sender = import_string(settings.TIPS_ZALO_SENDER)()
    return sender


def send_replies(recipient_hash: str, texts: Sequence[str], user_id: str = "") -> None:
    """Send ``texts`` to the sender of the current event (after the transaction commits)."""
    sender = get_sender()
    for text in texts:
        sender.send(recipient_hash, text, user_id)
