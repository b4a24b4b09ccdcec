"""Officers' work on a tip: claim, assign, classify, verify, reply, conclude, transfer, merge.

Invariants:
- Each action needs ``TRIAGE_TIPS`` on the tip's unit (else ``PermissionDenied``) and the
  claim: a tip claimed by someone else (and not lapsed) refuses it with "đang xử lý: <name>";
  chiefs and province officers may take over and assign.
- Concluding always records what happened (``outcome``); a citizen's later message on a
  concluded tip flags it for officers instead of getting lost.
- Each action runs in one transaction, saves after ``full_clean`` and records an
  ``AuditEvent`` with the triage fields before and after (never contact data); revealing a
  named tip's contact is itself audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as acc_perms
from binhyen.core.actors import Actor
from binhyen.core.errors import Conflict
from binhyen.core.models import WebhookEvent
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.tips import events
from binhyen.tips import permissions as tip_perms
from binhyen.tips.models import (
    Category,
    Channel,
    Direction,
    Priority,
    Status,
    Tip,
    TipKind,
    TipMessage,
    ZaloPush,
)
from binhyen.tips.selectors.tips import claim_active, claimer_name
from binhyen.tips.services.common import full_clean_fields, webhook_tip_emit
from binhyen.tips.services.metrics import metrics_after_commit
from binhyen.tips.services.zalo_delivery import zalo_push_enqueue

TRIAGE_FIELDS = [
    "status",
    "priority",
    "orgunit",
    "commune",
    "claimed_by",
    "assigned_to",
    "is_valuable",
    "duplicate_of",
    "transferred_to_body",
    "kind",
    "category",
]
MIN_REASON = 5


def _require_triage(actor: Actor, tip: Tip) -> None:
    if not tip_perms.can_triage(actor, tip):
        raise PermissionDenied(_("Bạn không có quyền xử lý tin này."))


def _is_supervisor(actor: Actor, tip: Tip) -> bool:
    """Chiefs and province officers (who manage people there) may take over and assign."""
    return acc_perms.has_perm_on(actor, acc_perms.MANAGE_USERS, tip.orgunit)


def _locked(actor: Actor, tip: Tip) -> Tip:
    """Return the tip locked for update after checking scope and the claim; claim it if free."""
    _require_triage(actor, tip)
    locked = (
        Tip.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "orgunit")
        .get(pk=tip.pk)
    )
    now = timezone.now()
    if claim_active(locked, now) and locked.claimed_by_id != actor.pk:
        raise Conflict(
            _("Tin đang do %(name)s xử lý. Hãy trao đổi với người này, hoặc nhờ lãnh đạo giao lại.")
            % {"name": claimer_name(locked)}
        )
    locked.claimed_by = actor
    locked.claimed_at = now
    return locked


def _save(
    tip: Tip, actor: Actor, action: str, before: dict[str, Any], extra: dict[str, Any] | None = None
) -> Tip:
    full_clean_fields(tip)
    tip.save()
    after = model_snapshot(tip, TRIAGE_FIELDS)
    if extra:
        after.update(extra)
    audit_event_record(
        actor=actor, action=action, obj=tip, orgunit=tip.orgunit, before=before, after=after
    )
    return tip


def _event(tip: Tip, actor: Actor, event_code: str, **params: Any) -> None:
    events.event_record(tip, event_code, params, author=actor)


def _acknowledge(tip: Tip, now: datetime) -> None:
    if tip.acknowledged_at is None:
        tip.acknowledged_at = now


@transaction.atomic
def tip_claim(*, actor: Actor, tip: Tip, take_over: bool = False) -> Tip:
    """Take the tip ("đang xử lý: <name>"); a supervisor may take over someone's claim."""
    _require_triage(actor, tip)
    locked = (
        Tip.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "orgunit")
        .get(pk=tip.pk)
    )
    before = model_snapshot(locked, TRIAGE_FIELDS)
    now = timezone.now()
    if claim_active(locked, now) and locked.claimed_by_id != actor.pk:
        if not (take_over and _is_supervisor(actor, locked)):
            raise Conflict(_("Tin đang do %(name)s xử lý.") % {"name": claimer_name(locked)})
        _event(locked, actor, events.TAKEN_OVER, name=claimer_name(locked))
    locked.claimed_by = actor
    locked.claimed_at = now
    return _save(locked, actor, "tip.claim", before)


@transaction.atomic
def tip_release(*, actor: Actor, tip: Tip) -> Tip:
    """Give the tip back to the queue (the claimer, or a supervisor)."""
    _require_triage(actor, tip)
    locked = (
        Tip.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "orgunit")
        .get(pk=tip.pk)
    )
    if locked.claimed_by_id not in (None, actor.pk) and not _is_supervisor(actor, locked):
        raise Conflict(_("Chỉ người đang xử lý hoặc lãnh đạo mới trả lại được tin này."))
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.claimed_by = None
    locked.claimed_at = None
    return _save(locked, actor, "tip.release", before)


@transaction.atomic
def tip_assign(*, actor: Actor, tip: Tip, assignee: Actor) -> Tip:
    """Give the tip to an officer who may triage it; they hold the claim from now on."""
    _require_triage(actor, tip)
    locked = (
        Tip.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "orgunit")
        .get(pk=tip.pk)
    )
    now = timezone.now()
    if (
        claim_active(locked, now)
        and locked.claimed_by_id != actor.pk
        and not _is_supervisor(actor, locked)
    ):
        raise Conflict(_("Tin đang do %(name)s xử lý.") % {"name": claimer_name(locked)})
    if not tip_perms.can_triage(assignee, locked):
        raise ValidationError(
            {"assignee": _("Người được giao không có quyền xử lý tin của đơn vị này.")}
        )
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.assigned_to = assignee
    locked.claimed_by = assignee
    locked.claimed_at = now
    _event(locked, actor, events.ASSIGNED, name=getattr(assignee, "display_name", ""))
    return _save(locked, actor, "tip.assign", before)


@transaction.atomic
def tip_set_priority(*, actor: Actor, tip: Tip, priority: int) -> Tip:
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Mức ưu tiên không hợp lệ.")})
    locked = _locked(actor, tip)
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.priority = priority
    return _save(locked, actor, "tip.priority", before)


@transaction.atomic
def tip_classify(*, actor: Actor, tip: Tip, kind: str, category: Category | None) -> Tip:
    """Correct the kind and category (tips from Zalo arrive unclassified)."""
    if kind not in TipKind.values:
        raise ValidationError({"kind": _("Loại tin không hợp lệ.")})
    if category is not None and category.kind != kind:
        raise ValidationError({"category": _("Nhóm tin không thuộc loại tin đã chọn.")})
    locked = _locked(actor, tip)
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.kind = kind
    locked.category = category
    return _save(locked, actor, "tip.classify", before)


@transaction.atomic
def tip_verify_start(*, actor: Actor, tip: Tip) -> Tip:
    """Move a new tip to "đang xác minh"; this acknowledges it."""
    locked = _locked(actor, tip)
    if locked.status != Status.NEW:
        raise ValidationError({"status": _("Chỉ tin mới mới chuyển sang xác minh được.")})
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.status = Status.VERIFYING
    _acknowledge(locked, timezone.now())
    return _save(locked, actor, "tip.verify", before)


@transaction.atomic
def tip_conclude(*, actor: Actor, tip: Tip, status: str, outcome: str) -> Tip:
    """Conclude as handled or unfounded, saying what was done (never a bare "closed")."""
    if status not in (Status.RESOLVED, Status.UNFOUNDED):
        raise ValidationError({"status": _("Chọn kết quả: đã xử lý hoặc không có cơ sở.")})
    locked = _locked(actor, tip)
    if not locked.is_open:
        raise ValidationError({"status": _("Tin đã kết thúc; hãy mở lại trước khi kết luận lại.")})
    before = model_snapshot(locked, TRIAGE_FIELDS)
    now = timezone.now()
    locked.status = status
    locked.outcome = (outcome or "").strip()
    locked.concluded_at = now
    locked.awaiting_officer = False
    _acknowledge(locked, now)
    saved = _save(locked, actor, "tip.conclude", before, {"outcome_length": len(locked.outcome)})
    _event(saved, actor, events.CONCLUDED, status=saved.status)
    webhook_tip_emit(WebhookEvent.TIP_CLOSED, saved)
    metrics_after_commit([saved.created_at, now], throttle=False)
    return saved


@transaction.atomic
def tip_reopen(*, actor: Actor, tip: Tip, reason: str) -> Tip:
    """Reopen a concluded tip (new information, wrong conclusion); the reason is kept."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("Hãy ghi lý do mở lại.")})
    locked = _locked(actor, tip)
    if locked.is_open:
        raise ValidationError({"status": _("Tin đang được xử lý, không cần mở lại.")})
    before = model_snapshot(locked, TRIAGE_FIELDS)
    concluded_at = locked.concluded_at
    locked.status = Status.VERIFYING
    locked.concluded_at = None
    locked.duplicate_of = None
    locked.transferred_to_body = ""
    _event(locked, actor, events.REOPENED, reason=reason)
    saved = _save(locked, actor, "tip.reopen", before)
    metrics_after_commit([saved.created_at, concluded_at], throttle=False)
    return saved


@transaction.atomic
def tip_reply(*, actor: Actor, tip: Tip, body: str) -> TipMessage:
    """Send a message to the citizen (read with the tracking code; via Zalo for Zalo tips)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Hãy nhập nội dung trả lời.")})
    locked = _locked(actor, tip)
    before = model_snapshot(locked, TRIAGE_FIELDS)
    message = TipMessage(
        tip=locked, direction=Direction.TO_CITIZEN, body=body, author=actor, channel=locked.channel
    )
    full_clean_fields(message)
    message.save()
    _acknowledge(locked, timezone.now())
    locked.awaiting_officer = False
    _save(locked, actor, "tip.reply", before, {"reply_length": len(body)})
    if locked.channel == Channel.ZALO and locked.zalo_sender_hash:
        push = ZaloPush.objects.create(message=message)
        zalo_push_enqueue(push.pk)
    return message


@transaction.atomic
def tip_note_add(*, actor: Actor, tip: Tip, body: str) -> TipMessage:
    """Add an internal note (never shown to the citizen)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Hãy nhập nội dung ghi chú.")})
    locked = _locked(actor, tip)
    before = model_snapshot(locked, TRIAGE_FIELDS)
    message = TipMessage(tip=locked, direction=Direction.INTERNAL, body=body, author=actor)
    full_clean_fields(message)
    message.save()
    _save(locked, actor, "tip.note", before)
    return message


@transaction.atomic
def tip_transfer(
    *, actor: Actor, tip: Tip, reason: str, to_unit: OrgUnit | None = None, to_body: str = ""
) -> Tip:
    """Send the tip to another commune (it re-enters that queue) or conclude it as passed on
    to another body (Viện kiểm sát, UBND, ...), with the reason."""
    reason = (reason or "").strip()
    to_body = (to_body or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("Hãy ghi lý do chuyển.")})
    if (to_unit is None) == (not to_body):
        raise ValidationError(
            {"to_unit": _("Chọn một xã/phường nhận tin, hoặc ghi tên cơ quan nhận tin.")}
        )
    locked = _locked(actor, tip)
    if not locked.is_open:
        raise ValidationError({"status": _("Tin đã kết thúc, không chuyển được.")})
    before = model_snapshot(locked, TRIAGE_FIELDS)
    now = timezone.now()
    if to_unit is not None:
        if to_unit.kind != UnitKind.COMMUNE or not to_unit.is_current:
            raise ValidationError({"to_unit": _("Chỉ chuyển được cho một xã/phường hiện hành.")})
        if to_unit.pk == locked.orgunit_id:
            raise ValidationError({"to_unit": _("Tin đã ở xã/phường này.")})
        old_name = locked.orgunit.name
        locked.orgunit = to_unit
        locked.commune = to_unit
        if locked.village is not None and locked.village.parent_id != to_unit.pk:
            locked.village = None
        locked.status = Status.NEW
        locked.claimed_by = None
        locked.claimed_at = None
        locked.assigned_to = None
        _event(
            locked, actor, events.TRANSFERRED_UNIT, old=old_name, new=to_unit.name, reason=reason
        )
        saved = _save(locked, actor, "tip.transfer", before)
        metrics_after_commit([saved.created_at], throttle=False)
        return saved
    locked.status = Status.TRANSFERRED
    locked.transferred_to_body = to_body[:200]
    locked.outcome = _("Đã chuyển đến %(body)s. Lý do: %(reason)s") % {
        "body": to_body,
        "reason": reason,
    }
    locked.concluded_at = now
    _acknowledge(locked, now)
    saved = _save(locked, actor, "tip.transfer", before)
    _event(saved, actor, events.TRANSFERRED_BODY, body=to_body, reason=reason)
    webhook_tip_emit(WebhookEvent.TIP_CLOSED, saved)
    metrics_after_commit([saved.created_at, now], throttle=False)
    return saved


@transaction.atomic
def tip_merge(*, actor: Actor, tip: Tip, into: Tip, note: str = "") -> Tip:
    """Mark ``tip`` a duplicate of ``into``: it is concluded, ``into`` carries on."""
    if tip.pk == into.pk:
        raise ValidationError({"into": _("Không thể gộp một tin với chính nó.")})
    _require_triage(actor, into)
    locked = _locked(actor, tip)
    target = Tip.objects.select_for_update().get(pk=into.pk)
    if target.status == Status.DUPLICATE:
        raise ValidationError(
            {
                "into": _("Tin %(code)s cũng là tin trùng; hãy gộp vào tin gốc.")
                % {"code": target.tracking_code}
            }
        )
    if not locked.is_open:
        raise ValidationError({"status": _("Tin đã kết thúc, không gộp được.")})
    before = model_snapshot(locked, TRIAGE_FIELDS)
    now = timezone.now()
    locked.status = Status.DUPLICATE
    locked.duplicate_of = target
    locked.outcome = _("Trùng với tin %(code)s, được xử lý chung với tin đó.") % {
        "code": target.tracking_code
    } + (f" {note.strip()}" if note.strip() else "")
    locked.concluded_at = now
    _acknowledge(locked, now)
    saved = _save(locked, actor, "tip.merge", before, {"into": target.tracking_code})
    _event(target, actor, events.MERGED, code=saved.tracking_code)
    Tip.objects.filter(pk=target.pk).update(
        is_valuable=target.is_valuable or saved.is_valuable, updated_at=now
    )
    webhook_tip_emit(WebhookEvent.TIP_CLOSED, saved)
    metrics_after_commit([saved.created_at, target.created_at], throttle=False)
    return saved


@transaction.atomic
def tip_mark_valuable(*, actor: Actor, tip: Tip, valuable: bool) -> Tip:
    """Flag (or unflag) the tip as "tin có giá trị"; the monthly count follows at once."""
    locked = _locked(actor, tip)
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.is_valuable = valuable
    saved = _save(locked, actor, "tip.valuable", before)
    metrics_after_commit([saved.created_at], throttle=False)
    return saved


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str


@transaction.atomic
def tip_contact_reveal(*, actor: Actor, tip: Tip) -> Contact:
    """Return a named tip's contact details to an allowed officer, logging the view."""
    if not tip_perms.can_view_contact(actor, tip):
        raise PermissionDenied(_("Bạn không có quyền xem thông tin liên hệ của người báo tin."))
    if tip.is_anonymous or not tip.has_contact:
        raise Conflict(_("Tin ẩn danh: không có thông tin liên hệ nào được lưu."))
    audit_event_record(actor=actor, action="tip.contact_view", obj=tip, orgunit=tip.orgunit)
    return Contact(name=tip.contact_name, phone=tip.contact_phone, email=tip.contact_email)
