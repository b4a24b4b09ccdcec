"""Founding decisions and signed documents attached to schemes, teams and pledges.

Invariants:
- A decision is written only inside the service that saves its record (same transaction,
  same audit event); all-empty input means "no decision" and a blank one detaches it.
- CommunityDecision fields are reported with a prefix (``founding_decision_issued_on``...), and the
  upload is cleaned before the first write, so nothing is half-saved.
- A scanned file is replaced or removed only through ``decision_file_attach`` or the owning
  record's service; the permission is the owning record's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.community import permissions as community_perms
from binhyen.community.models import (
    CommunityDecision,
)
from binhyen.community.services.checks import _clean_model, _not_future, _raise, _text, clean_upload
from binhyen.core.actors import Actor
from binhyen.core.models import WebhookEvent
from binhyen.core.services import audit_event_record
from binhyen.core.uploads import CleanFile
from binhyen.core.webhooks import webhook_emit
from binhyen.orgunits.models import OrgUnit

# --- decisions -------------------------------------------------------------------------------


@dataclass
class DecisionInput:
    """A decision or signed document as typed in: all empty means "no decision"."""

    number: str = ""
    issued_on: date | None = None
    issuing_body: str = ""
    upload: Any = None
    remove_file: bool = False

    def is_blank(self) -> bool:
        return not (
            (self.number or "").strip()
            or self.issued_on
            or (self.issuing_body or "").strip()
            or self.upload
        )


class AttachedDecision(NamedTuple):
    """A decision slot of a record: its foreign key ``field``, the ``kind`` and the input."""

    field: str
    kind: str
    data: DecisionInput | None


@dataclass
class _DecisionPlan:
    existing: CommunityDecision | None
    data: DecisionInput | None
    kind: str
    clean: CleanFile | None = None
    detach: bool = False


def _plan_decision(
    *,
    existing: CommunityDecision | None,
    data: DecisionInput | None,
    kind: str,
    prefix: str,
    errors: dict[str, Any],
) -> _DecisionPlan:
    """Check a decision's fields and its file; nothing is written yet."""
    plan = _DecisionPlan(existing=existing, data=data, kind=kind)
    if data is None:
        return plan
    if data.is_blank() and (existing is None or not existing.file or data.remove_file):
        plan.detach = True
        return plan
    _text(data.number, 50, f"{prefix}_number", _("Số, ký hiệu văn bản"), errors)
    _text(data.issuing_body, 200, f"{prefix}_issuing_body", _("Cơ quan ban hành"), errors)
    if data.issued_on is None:
        errors[f"{prefix}_issued_on"] = _("Nhập ngày ban hành (ngày ký) của văn bản.")
    else:
        _not_future(errors, f"{prefix}_issued_on", data.issued_on, _("Ngày ban hành"))
    if data.upload is not None:
        try:
            plan.clean = clean_upload(data.upload, field=f"{prefix}_file")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return plan


def _write_decision(plan: _DecisionPlan, orgunit: OrgUnit) -> CommunityDecision | None:
    """Save a checked decision; return what the record should point to."""
    data = plan.data
    if data is None:
        return plan.existing
    if plan.detach:
        return None
    created = plan.existing is None
    decision = plan.existing or CommunityDecision(kind=plan.kind, orgunit=orgunit)
    decision.number = (data.number or "").strip()
    decision.issued_on = data.issued_on  # type: ignore[assignment]
    decision.issuing_body = (data.issuing_body or "").strip()
    old_name = decision.file.name if decision.file else ""
    if data.remove_file and not plan.clean:
        decision.file = ""  # type: ignore[assignment]
        decision.content_type = ""
    if plan.clean is not None:
        decision.file.save(f"scan.{plan.clean.extension}", plan.clean.content, save=False)
        decision.content_type = plan.clean.content_type
    decision.full_clean()
    decision.save()
    if created:
        webhook_emit(
            event=WebhookEvent.DECISION_RECORDED,
            object_type="community_decision",
            object_id=decision.pk,
            unit_code=orgunit.code,
            summary={"kind": decision.kind},
        )
    new_name = decision.file.name if decision.file else ""
    if old_name and old_name != new_name:
        storage = decision.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return decision


def _save_with_decisions(
    obj: Any,
    *,
    decisions: Sequence[AttachedDecision],
    orgunit: Callable[[], OrgUnit],
    errors: dict[str, Any],
    check_model: bool = True,
) -> None:
    """Check ``obj`` and its attached decisions together, raise every
    problem at once, then write the decisions (filed under ``orgunit()``) and save ``obj``.
    Nothing is written when anything is wrong."""
    fields = [d.field for d in decisions]
    plans = [
        _plan_decision(
            existing=getattr(obj, d.field), data=d.data, kind=d.kind, prefix=d.field, errors=errors
        )
        for d in decisions
    ]
    if check_model:
        _clean_model(obj, errors, exclude=fields)
    _raise(errors)
    unit = orgunit()
    for name, plan in zip(fields, plans, strict=True):
        setattr(obj, name, _write_decision(plan, unit))
    obj.save()


def _decision_summary(decision: CommunityDecision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "number": decision.number,
        "issued_on": decision.issued_on,
        "issuing_body": decision.issuing_body,
        "file": bool(decision.file),
    }


@transaction.atomic
def decision_file_attach(
    *, actor: Actor, decision: CommunityDecision, upload: Any
) -> CommunityDecision:
    """Replace a decision's scanned file (the caller has checked the user may edit its record)."""
    if not community_perms.can_manage(actor, decision.orgunit):
        raise PermissionDenied(_("Bạn không có quyền sửa văn bản này."))
    errors: dict[str, Any] = {}
    plan = _plan_decision(
        existing=decision,
        data=DecisionInput(
            number=decision.number,
            issued_on=decision.issued_on,
            issuing_body=decision.issuing_body,
            upload=upload,
        ),
        kind=decision.kind,
        prefix="decision",
        errors=errors,
    )
    if upload is None:
        errors["decision_file"] = _("Hãy chọn tệp bản scan.")
    _raise(errors)
    saved = _write_decision(plan, decision.orgunit) or decision
    audit_event_record(
        actor=actor,
        action="decision.file_attach",
        obj=saved,
        orgunit=saved.orgunit,
        after={"content_type": saved.content_type},
    )
    return saved
