"""Zalo Official Account: webhook verification, event parsing, the OA API and its token.

Verification follows Zalo's scheme: the header ``X-ZEvent-Signature: mac=<hex>`` must equal
``sha256(app_id + raw_body + timestamp + oa_secret_key)`` where ``timestamp`` is the event's
own ``timestamp`` field (milliseconds). The comparison is constant-time; a missing header
is 401, a wrong MAC, another app's event or a timestamp older than
``TIPS_ZALO_MAX_AGE_SECONDS`` is 403.

Privacy: the sender is known by ``sender_hash`` = HMAC(SECRET_KEY, "zalo:" + user id). It
attaches follow-ups to the sender's open tip. The raw user id is kept only in
``ZaloContact`` while the OA may still write to the sender, so that officer replies can be
pushed at once (see ``binhyen.tips.models``). Zalo tips are pseudonymous, not anonymous.

Senders (``TIPS_ZALO_SENDER``, a dotted path) implement ``send(recipient_hash, text,
user_id)``. The default ``RecordingSender`` keeps messages in ``OutboundMessage`` and logs
them; ``ZaloApiSender`` posts to the OA API at ``TIPS_ZALO_API_BASE`` with the access token
from ``ZaloToken``, refreshed through ``TIPS_ZALO_OAUTH_BASE`` before it expires. A refresh
token is single-use: ``token_refresh`` holds the row lock while it spends it and stores the
new pair in the same transaction; a failure leaves the old pair and logs no secret.

This module owns its data classes and never imports the tips services (they import it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from binhyen.tips.media import ProcessedMedia, clean_image, sniff
from binhyen.tips.models import Channel, OutboundMessage, ZaloToken

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ZEvent-Signature"
USER_EVENTS = ("user_send_text", "user_send_image")
MESSAGE_PATH = "/v3.0/oa/message/cs"
TOKEN_PATH = "/v4/oa/access_token"  # noqa: S105 (a URL path, not a secret)
# OA API answers meaning "this access token is not (or no longer) valid".
TOKEN_ERRORS = frozenset({-216, -124, -230})
MAX_IMAGES = 5
MAX_TEXT = 5000


@dataclass(frozen=True)
class ZaloInbound:
    """One parsed Zalo user message (see ``parse_event``)."""

    msg_id: str
    event_name: str
    sender_hash: str
    oa_id: str
    # Kept only in ZaloContact, while the OA may answer (see the module docstring).
    user_id: str = field(default="", repr=False)
    text: str = ""
    image_urls: tuple[str, ...] = ()
    media: tuple[ProcessedMedia, ...] = ()
    sent_at: datetime | None = None


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


def parse_event(event: dict[str, Any], fetcher: MediaFetcher | None = None) -> ZaloInbound | None:
    """Turn a verified event into a ``ZaloInbound``, or None for events that are not tips.

    With a fetcher, images are downloaded and cleaned like uploads (EXIF stripped); a
    failed download keeps the URL as a reference instead.
    """
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
        OutboundMessage.objects.create(
            channel=Channel.ZALO, recipient_hash=recipient_hash, body=text
        )
        logger.info("zalo reply recorded for %s…", recipient_hash[:8])


class ZaloApiError(Exception):
    """The OA API answered with an error code (kept; the message text is not)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"zalo api error {code}")
        self.code = code


class ZaloTokenError(Exception):
    """No usable access token, or the refresh was refused."""


def _post_json(url: str, body: dict[str, Any], headers: dict[str, str], timeout: int) -> Any:
    request = urllib.request.Request(  # noqa: S310 (the URL comes from settings)
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read() or b"{}")


def token_refresh(*, force: bool = False, spent_access_token: str = "") -> str:
    """Return a fresh access token, refreshing it through the OA token endpoint when needed.

    The single ``ZaloToken`` row is locked for the whole refresh so that concurrent workers
    wait and then reuse the new token instead of spending the same refresh token twice.
    ``force`` refreshes even if the token is not near expiry, unless another worker already
    replaced ``spent_access_token``. A failure raises ``ZaloTokenError`` and leaves the old
    pair in place; nothing secret is logged.
    """
    now = timezone.now()
    margin = timedelta(seconds=settings.TIPS_ZALO_TOKEN_MARGIN_SECONDS)
    with transaction.atomic():
        ZaloToken.objects.get_or_create(
            pk=1,
            defaults={
                "access_token": settings.TIPS_ZALO_ACCESS_TOKEN,
                "refresh_token": settings.TIPS_ZALO_REFRESH_TOKEN,
            },
        )
        row = ZaloToken.objects.select_for_update().get(pk=1)
        fresh = (
            row.access_token
            and row.access_expires_at is not None
            and row.access_expires_at > now + margin
        )
        replaced = force and spent_access_token and row.access_token != spent_access_token
        if (fresh and not force) or (replaced and row.access_token):
            return row.access_token
        if not row.refresh_token:
            if row.access_token and row.access_expires_at is None and not force:
                return row.access_token  # a token set by hand, of unknown lifetime
            raise ZaloTokenError("no refresh token")
        form = urllib.parse.urlencode(
            {
                "refresh_token": row.refresh_token,
                "app_id": settings.TIPS_ZALO_APP_ID,
                "grant_type": "refresh_token",
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL comes from settings)
            settings.TIPS_ZALO_OAUTH_BASE.rstrip("/") + TOKEN_PATH,
            data=form,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "secret_key": settings.TIPS_ZALO_APP_SECRET,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
            access = str(answer.get("access_token") or "")
            refresh = str(answer.get("refresh_token") or "")
            lifetime = int(answer.get("expires_in") or 0)
        except (OSError, ValueError, TypeError) as exc:
            logger.warning("zalo token refresh failed: %s", type(exc).__name__)
            raise ZaloTokenError(type(exc).__name__) from None
        if not access or not refresh or lifetime <= 0:
            logger.warning("zalo token refresh refused: error %s", answer.get("error", "?"))
            raise ZaloTokenError(f"refused {answer.get('error', '?')}")
        row.access_token = access
        row.refresh_token = refresh
        row.access_expires_at = now + timedelta(seconds=lifetime)
        row.refreshed_at = now
        row.save()
        logger.info("zalo access token refreshed; valid until %s", row.access_expires_at)
        return access


class ZaloApiSender:
    """Send a customer-service text through the OA API (token from ``token_refresh``)."""

    timeout = 10

    def _send_once(self, token: str, user_id: str, text: str) -> None:
        body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        url = settings.TIPS_ZALO_API_BASE.rstrip("/") + MESSAGE_PATH
        answer = _post_json(url, body, {"access_token": token}, self.timeout)
        code = int(answer.get("error", 0) or 0) if isinstance(answer, dict) else -1
        if code != 0:
            raise ZaloApiError(code)

    def send(self, recipient_hash: str, text: str, user_id: str = "") -> None:
        if not user_id:
            raise ValueError("the Zalo API needs the user id of the sender")
        token = token_refresh()
        try:
            self._send_once(token, user_id, text)
        except ZaloApiError as exc:
            if exc.code not in TOKEN_ERRORS:
                raise
            # Revoked or expired early: refresh once (unless another worker already did).
            token = token_refresh(force=True, spent_access_token=token)
            self._send_once(token, user_id, text)


def get_sender() -> Sender:
    sender: Sender = import_string(settings.TIPS_ZALO_SENDER)()
    return sender


def send_replies(recipient_hash: str, texts: Sequence[str], user_id: str = "") -> None:
    """Send ``texts`` to the sender of the current event (after the transaction commits)."""
    sender = get_sender()
    for text in texts:
        sender.send(recipient_hash, text, user_id)
