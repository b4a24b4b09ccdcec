"""Checks shared by the community writes: text, counts, dates, uploads, name limits.

Invariants:
- Nothing here writes: every helper adds its Vietnamese message to an ``errors`` dict keyed
  by field name (or raises one ``ValidationError`` from it), so a service can run all its
  checks before its first write and report every problem at once.
- ``today`` is the one clock (``selectors.today``); no date after it is accepted where a
  helper says "not in the future".
- Uploads go through the core cleaner, within ``COMMUNITY["UPLOAD_MAX_MB"]``.
- ``_require_manage`` is the one refusal for writing records of a unit: ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from binhyen.community import permissions as community_perms
from binhyen.community import selectors
from binhyen.core.actors import Actor
from binhyen.core.formats import format_date
from binhyen.core.text import clean_text
from binhyen.core.uploads import CleanFile
from binhyen.core.uploads import clean_upload as _clean_upload
from binhyen.orgunits.history import check_record_date
from binhyen.orgunits.models import OrgUnit, UnitKind

NAME_MAX = 200
PERSON_NAME_MAX = 150
RECORD_KINDS = (UnitKind.COMMUNE, UnitKind.VILLAGE, UnitKind.ESTABLISHMENT)


def _today() -> date:
    return selectors.today()


def _fmt(day: date) -> str:
    return format_date(day)


def _raise(errors: Mapping[str, Any]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def _not_future(errors: dict[str, Any], field: str, value: date | None, label: str) -> None:
    if value is not None and value > _today():
        errors[field] = _("%(label)s (%(date)s) không được sau hôm nay.") % {
            "label": label,
            "date": _fmt(value),
        }


def clean_upload(upload: Any, *, field: str = "file") -> CleanFile:
    """Check a scanned decision or pledge with the core cleaner, within the community limit."""
    limit = int(selectors.setting("UPLOAD_MAX_MB", 10)) * 1024 * 1024
    return _clean_upload(upload, field=field, max_bytes=limit)


def _text(value: str | None, limit: int, field: str, label: str, errors: dict[str, Any]) -> str:
    try:
        text = clean_text(value, label=label, multiline=limit > NAME_MAX)
    except ValidationError as exc:
        errors[field] = exc.messages[0]
        return (value or "").strip()
    if len(text) > limit:
        errors[field] = _("%(label)s dài quá %(max)s ký tự.") % {"label": label, "max": limit}
    return text


def _count(value: int | None, field: str, label: str, errors: dict[str, Any]) -> int | None:
    if value is None:
        return None
    if value < 0:
        errors[field] = _("%(label)s không được nhỏ hơn 0 (đã nhập %(value)s).") % {
            "label": label,
            "value": value,
        }
    return value


def _clean_model(obj: Any, errors: dict[str, Any], exclude: Sequence[str] = ()) -> None:
    """Run ``full_clean`` and merge its messages into ``errors`` (checks before writes)."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)


def _record_date(errors: dict[str, Any], unit: OrgUnit, day: date | None, field: str) -> None:
    """Refuse ``day`` after a closed ``unit``'s last day, naming its successors (history is
    recorded on the pre-reform unit, later records on the new one)."""
    if day is None or unit.valid_to is None or day <= unit.valid_to:
        return
    try:
        check_record_date(unit, day, field=field)
    except ValidationError as exc:
        errors.setdefault(field, " ".join(exc.message_dict[field]))


def _require_manage(actor: Actor, unit: OrgUnit) -> None:
    if not community_perms.can_manage(actor, unit):
        raise PermissionDenied(_("Bạn không có quyền ghi dữ liệu cho đơn vị này."))
