"""What every tips service shares: field validation, stored media, webhook events.

Invariants:
- ``full_clean_fields`` validates fields and ``clean()`` only; uniqueness, constraints and
  foreign keys are left to the database, which checks them race-free.
- Webhook events about a tip carry its internal id, unit code, status and channel only, never
  its text, contact or tracking code (docs/privacy.md).
- ``media_store`` names every stored file it wrote, so that a failed submission removes them
  (``files_delete``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from binhyen.core.webhooks import webhook_emit
from binhyen.tips.media import ProcessedMedia
from binhyen.tips.models import Tip, TipMedia, TipMessage

logger = logging.getLogger(__name__)


def full_clean_fields(obj: Any) -> None:
    """Validate fields and ``clean()``; leave to the database what it checks race-free.

    Uniqueness, constraints and foreign keys are enforced by the database; checking them
    here would add a racy SELECT per field to every public submission (foreign keys are
    set from rows this transaction has just read).
    """
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


def webhook_tip_emit(event: str, tip: Tip) -> None:
    """Emit a tip event to webhook subscribers: internal id, unit code, status and channel only
    (never the text, contact or tracking code; docs/privacy.md)."""
    webhook_emit(
        event=event,
        object_type="tip",
        object_id=tip.pk,
        unit_code=tip.orgunit.code,
        summary={"status": tip.status, "channel": tip.channel},
    )


def media_store(
    tip: Tip, items: Sequence[ProcessedMedia], message: TipMessage | None, saved: list[str]
) -> None:
    """Store cleaned ``items`` for ``tip``; append each stored file's name to ``saved``."""
    now = timezone.now()
    for item in items:
        name = default_storage.save(
            f"tips/{now:%Y/%m}/{secrets.token_hex(16)}.{item.extension}",
            ContentFile(item.content),
        )
        saved.append(name)
        media = TipMedia(
            tip=tip,
            message=message,
            kind=item.kind,
            file=name,
            content_type=item.content_type,
            size=len(item.content),
            width=item.width,
            height=item.height,
        )
        media.full_clean(validate_unique=False, validate_constraints=False)
        media.save()


def files_delete(names: list[str]) -> None:
    """Remove the stored files of a submission that failed (best effort, logged)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not remove an upload of a failed submission")
