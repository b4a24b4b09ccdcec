"""Moving running schemes from units closed by the 2025 reform onto their successors.

Invariants:
- ``scheme_carry_forward`` re-points a scheme's closed units to their default successors
  (``orgunits.history.successor_map(default_only=True)``): several old communes merged into
  one become one unit. One transaction, one ``AuditEvent`` (``scheme.carry_forward``).
- The old units stay on the record: one ``SchemeUnitHistory`` row per closed unit says the
  scheme covered it up to its last day (``until``) and which successor took it over. The
  scheme's own dates never change; figures of periods before the reform must read the old
  units from those rows (only periods from the reform on are recomputed here).
- Refused, with a specific message, for a scheme on current units only, a scheme that had
  stopped before its old units closed, and a closed unit whose records go nowhere.
- The actor must be able to record on every closed unit (history of their scope) and manage
  every successor; otherwise ``PermissionDenied``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as perms
from binhyen.community import permissions as community_perms
from binhyen.community import providers, selectors
from binhyen.community.models import Scheme, SchemeStatus, SchemeUnitHistory
from binhyen.community.services.checks import _fmt, _today
from binhyen.community.services.metrics import _resync
from binhyen.community.services.schemes import _scheme_snapshot
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.orgunits.history import can_record, successor_map
from binhyen.orgunits.models import OrgUnit


@dataclass(frozen=True)
class CarryPlan:
    """What a move would do: each closed unit and the current unit it goes to."""

    moves: list[tuple[OrgUnit, OrgUnit]]
    units_after: list[OrgUnit]


def scheme_carry_plan(*, scheme: Scheme) -> CarryPlan:
    """Return the moves ``scheme_carry_forward`` would make (raises ``ValidationError``)."""
    units = list(scheme.units.select_related("parent").order_by("path"))
    closed = [u for u in units if u.valid_to is not None]
    if not closed:
        raise ValidationError(
            {
                "units": _(
                    "Mô hình “%(name)s” đã ghi trên đơn vị hiện hành, không có gì để chuyển."
                )
                % {"name": scheme.name}
            }
        )
    last_day = max(u.valid_to for u in closed if u.valid_to is not None)
    if scheme.status != SchemeStatus.ACTIVE and scheme.status_since <= last_day:
        raise ValidationError(
            {
                "status": _(
                    "Mô hình “%(name)s” đã %(status)s từ ngày %(since)s, trước khi đơn vị cũ "
                    "giải thể: giữ nguyên trên đơn vị cũ."
                )
                % {
                    "name": scheme.name,
                    "status": scheme.get_status_display().lower(),
                    "since": _fmt(scheme.status_since),
                }
            }
        )
    mapping = successor_map([u.pk for u in closed], default_only=True)
    lost = [u.name for u in closed if not mapping.get(u.pk)]
    if lost:
        raise ValidationError(
            {
                "units": _("Không tìm thấy đơn vị kế thừa của: %(names)s.")
                % {"names": ", ".join(lost)}
            }
        )
    targets = OrgUnit.objects.select_related("parent").in_bulk({mapping[u.pk][0] for u in closed})
    moves = [(u, targets[mapping[u.pk][0]]) for u in closed]
    after: dict[int, OrgUnit] = {u.pk: u for u in units if u.valid_to is None}
    for _old, new in moves:
        after.setdefault(new.pk, new)
    return CarryPlan(moves=moves, units_after=sorted(after.values(), key=lambda u: u.path))


def carry_may_try(actor: Actor, scheme: Scheme) -> bool:
    """Return True if ``actor`` may record on some unit the scheme covers (old or current):
    the only users told why a scheme cannot be moved; everyone else gets a 404."""
    return any(
        can_record(actor, perms.MANAGE_COMMUNITY, community_perms.commune_of(u) or u)
        for u in scheme.units.select_related("parent")
    )


def carry_allowed(actor: Actor, plan: CarryPlan) -> bool:
    """Return True if ``actor`` may record on every closed unit and every successor."""
    return all(_both_sides(actor, old, new) for old, new in plan.moves)


def _both_sides(actor: Actor, old: OrgUnit, new: OrgUnit) -> bool:
    home = community_perms.commune_of(old) or old
    return can_record(actor, perms.MANAGE_COMMUNITY, home) and community_perms.can_manage(
        actor, new
    )


def _require_both_sides(actor: Actor, plan: CarryPlan) -> None:
    for old, new in plan.moves:
        if not _both_sides(actor, old, new):
            raise PermissionDenied(
                _("Bạn không có quyền chuyển mô hình từ %(old)s sang %(new)s.")
                % {"old": old.name, "new": new.name}
            )


@transaction.atomic
def scheme_carry_forward(*, actor: Actor, obj: Scheme) -> Scheme:
    """Move a running scheme from its closed units onto their successors, history kept."""
    scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=obj.pk)
    if not carry_may_try(actor, scheme):
        raise PermissionDenied(_("Bạn không có quyền chuyển mô hình này."))
    plan = scheme_carry_plan(scheme=scheme)
    _require_both_sides(actor, plan)
    before = _scheme_snapshot(scheme)
    today = _today()
    SchemeUnitHistory.objects.bulk_create(
        [
            SchemeUnitHistory(
                scheme=scheme,
                orgunit=old,
                until=old.valid_to or today,
                successor=new,
                carried_on=today,
            )
            for old, new in plan.moves
        ]
    )
    scheme.units.set(plan.units_after)
    home = community_perms.commune_of(plan.units_after[0]) or plan.units_after[0]
    audit_event_record(
        actor=actor,
        action="scheme.carry_forward",
        obj=scheme,
        orgunit=home,
        before=before,
        after={
            **_scheme_snapshot(scheme),
            "carried": [
                {"from": old.code, "until": old.valid_to, "to": new.code} for old, new in plan.moves
            ],
        },
    )
    first_day = min(old.valid_to for old, _new in plan.moves if old.valid_to) + timedelta(days=1)
    _resync(actor=actor, codes=providers.SCHEME_METRICS, start=first_day)
    return scheme


@dataclass(frozen=True)
class BulkResult:
    moved: list[Scheme]
    skipped: list[tuple[Scheme, str]]


def schemes_carry_forward_all(*, actor: Actor, unit: OrgUnit) -> BulkResult:
    """Move every running scheme recorded on the closed ``unit`` (or below it) onto the
    successors; each scheme in its own transaction, the refused ones named with the reason."""
    if unit.valid_to is None:
        raise ValidationError(
            {
                "unit": _("%(unit)s là đơn vị hiện hành, không có gì để chuyển.")
                % {"unit": unit.name}
            }
        )
    candidates = list(
        selectors.schemes_visible(actor)
        .filter(
            units__path__startswith=unit.path,
            status=SchemeStatus.ACTIVE,
        )
        .distinct()
        .order_by("name_folded", "id")
    )
    moved: list[Scheme] = []
    skipped: list[tuple[Scheme, str]] = []
    for scheme in candidates:
        try:
            moved.append(scheme_carry_forward(actor=actor, obj=scheme))
        except ValidationError as exc:
            skipped.append((scheme, "; ".join(_messages(exc))))
        except PermissionDenied as exc:
            skipped.append((scheme, str(exc)))
    return BulkResult(moved=moved, skipped=skipped)


def _messages(exc: ValidationError) -> list[str]:
    out: list[Any] = []
    if hasattr(exc, "message_dict"):
        for values in exc.message_dict.values():
            out.extend(values)
    else:
        out.extend(exc.messages)
    return [str(m) for m in out]
