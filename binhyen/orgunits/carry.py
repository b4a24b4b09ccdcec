"""Moving a running record from units closed by the 2025 reform onto their successors.

The shared part of every "carry forward" (schemes, security teams, hotspot designations):
which closed units move where, the refusals every such move has in common, and how a move
is written down in the audit trail. The apps keep their own record of where the record was
and their own permission checks (they pass them in).

Invariants:
- A closed unit goes to its default successor (``history.successor_map(default_only=True)``,
  chains followed; a closed village without lineage of its own follows its old commune). When
  the record needs a unit of a given kind (a security team sits on a village), a successor of
  another kind is no successor.
- Refusals are ``ValidationError({field: message})`` naming the record and the units: nothing
  to move (current units only), stopped before the old unit closed, no successor. Rights are
  checked on both sides of every move; a missing right is ``PermissionDenied`` naming both.
- Read-only: the apps write the move in their own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from binhyen.orgunits.history import successor_map
from binhyen.orgunits.models import OrgUnit, UnitKind

Move = tuple[OrgUnit, OrgUnit]


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def closed_units(units: Sequence[OrgUnit], *, what: str, field: str) -> list[OrgUnit]:
    """Return the closed units among ``units``; refuse when there are none.

    ``what`` names the record for the message ("Mô hình “An toàn”").
    """
    closed = [u for u in units if u.valid_to is not None]
    if not closed:
        raise ValidationError(
            {
                field: _("%(what)s đã ghi trên đơn vị hiện hành, không có gì để chuyển.")
                % {"what": what}
            }
        )
    return closed


def refuse_stopped(
    closed: Sequence[OrgUnit], *, what: str, state: str, since: date | None, field: str
) -> None:
    """Refuse a record that stopped (``state`` since ``since``) before its old units closed."""
    last_day = max(u.valid_to for u in closed if u.valid_to is not None)
    if since is not None and since <= last_day:
        raise ValidationError(
            {
                field: _(
                    "%(what)s đã %(state)s từ ngày %(since)s, trước khi đơn vị cũ giải thể: giữ "
                    "nguyên trên đơn vị cũ."
                )
                % {"what": what, "state": state, "since": _fmt(since)}
            }
        )


def plan_moves(closed: Sequence[OrgUnit], *, field: str, kind: str | None = None) -> list[Move]:
    """Return (closed unit, its default successor) for each of ``closed``.

    With ``kind``, the successor must be a unit of that kind. Refused, naming them, when some
    closed unit has no such successor.
    """
    mapping = successor_map([u.pk for u in closed], default_only=True)
    targets = OrgUnit.objects.select_related("parent").in_bulk(
        {mapping[u.pk][0] for u in closed if mapping.get(u.pk)}
    )

    def target(unit: OrgUnit) -> OrgUnit | None:
        ids = mapping.get(unit.pk)
        found = targets.get(ids[0]) if ids else None
        if found is None or (kind is not None and found.kind != kind):
            return None
        return found

    lost = [u.name for u in closed if target(u) is None]
    if lost:
        raise ValidationError(
            {field: _("Không tìm thấy đơn vị kế thừa của: %(names)s.") % {"names": ", ".join(lost)}}
        )
    return [(u, target_unit) for u in closed if (target_unit := target(u)) is not None]


def plan_carry(
    units: Sequence[OrgUnit],
    *,
    what: str,
    field: str,
    kind: str | None = None,
    state: str,
    since: date | None,
    since_field: str,
) -> list[Move]:
    """Return the moves of a record standing on ``units`` onto their successors.

    Refused in this order: none of ``units`` is closed (``closed_units``), the record stopped
    (``state`` since ``since``; None for a running one) before they closed
    (``refuse_stopped``, on ``since_field``), a closed unit has no successor (of ``kind``).
    """
    closed = closed_units(units, what=what, field=field)
    refuse_stopped(closed, what=what, state=state, since=since, field=since_field)
    return plan_moves(closed, field=field, kind=kind)


def both_sides_allowed(
    moves: Sequence[Move],
    *,
    may_old: Callable[[OrgUnit], bool],
    may_new: Callable[[OrgUnit], bool],
) -> bool:
    """Return True if the actor may record on every closed unit and every successor."""
    return all(may_old(old) and may_new(new) for old, new in moves)


def require_both_sides(
    moves: Sequence[Move],
    *,
    may_old: Callable[[OrgUnit], bool],
    may_new: Callable[[OrgUnit], bool],
) -> None:
    """Raise ``PermissionDenied`` naming the first move the actor may not make."""
    for old, new in moves:
        if not (may_old(old) and may_new(new)):
            raise PermissionDenied(
                _("Bạn không có quyền chuyển từ %(old)s sang %(new)s.")
                % {"old": old.name, "new": new.name}
            )


def moves_audit(moves: Sequence[Move]) -> list[dict[str, Any]]:
    """The moves as the audit trail keeps them (codes and the old unit's last day)."""
    return [{"from": old.code, "until": old.valid_to, "to": new.code} for old, new in moves]


def moves_text(moves: Sequence[Move]) -> str:
    """The moves as a confirmation page shows them ("Xã A → Xã B; …")."""
    return "; ".join(f"{old.name} → {new.name}" for old, new in moves)


def first_day_after(moves: Sequence[Move]) -> date:
    """The first day the moved record stands on a successor (figures change from there)."""
    return min(old.valid_to for old, _new in moves if old.valid_to) + timedelta(days=1)


def per_old_commune(
    rows: Iterable[tuple[int, int, str, int | None]], *, limit: int
) -> list[tuple[OrgUnit, set[int]]]:
    """Group records still on closed units by the closed commune they stand in.

    ``rows``: (record id, unit id, unit kind, unit's parent id); a village or establishment
    stands in its parent. Returns the ``limit`` communes with the most records first, each
    with the ids of its records (for the to-do entries that point officers to the moves).
    """
    per_commune: dict[int, set[int]] = {}
    for record_id, unit_id, kind, parent_id in rows:
        commune = unit_id if kind == UnitKind.COMMUNE else parent_id
        if commune is not None:
            per_commune.setdefault(commune, set()).add(record_id)
    top = sorted(per_commune, key=lambda c: (-len(per_commune[c]), c))[:limit]
    units = OrgUnit.objects.in_bulk(top)
    return [(units[c], per_commune[c]) for c in top if c in units]


def left_per_old_commune(
    records: Any, unit_field: str, *, paths: list[str], limit: int
) -> list[tuple[OrgUnit, set[int]]]:
    """``per_old_commune`` of the ``records`` (a queryset of open records) whose
    ``unit_field`` is a closed unit of the history of ``paths`` (a user's scope).

    The records left on closed units are few (none once the moves are done): they are read
    first, and the scope's history (long for a national scope) only if there are any.
    """
    from binhyen.orgunits.history import predecessor_ids

    if not paths:
        return []
    left = list(
        records.filter(**{f"{unit_field}__valid_to__isnull": False}).values_list(
            "pk", f"{unit_field}_id", f"{unit_field}__kind", f"{unit_field}__parent_id"
        )
    )
    history = predecessor_ids(paths) if left else set()
    if not history:
        return []
    return per_old_commune([row for row in left if row[1] in history], limit=limit)


def move_possible(plan: Callable[[], Any], allowed: Callable[[Any], bool]) -> bool:
    """Return True if ``plan()`` finds a move (no ``ValidationError``) that is ``allowed``:
    whether a record's page offers the "move to the new unit" button."""
    try:
        planned = plan()
    except ValidationError:
        return False
    return allowed(planned)
