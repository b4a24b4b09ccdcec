"""Shares of split edges: how a split unit's figures are apportioned among its successors.

A split predecessor (an old commune divided between several new ones) has one ``Lineage``
edge per successor, exactly one of them the default. Its figures go to the successors by
``share / sum(shares)`` when shares are set, else whole to the default successor (the
engine's rule). Users set shares here.

Invariants:
- The shares of one split are all empty, or all set with each ``0 < share <= 1`` and a sum of
  1 (within ``SUM_TOLERANCE``). Shares are stored as fractions with 4 decimals; pages show
  percentages.
- Who may edit: whoever holds ``CHANGE_UNITS`` on the *province* of every successor (a
  province officer, a ministry officer or the system admin through their scope; a superuser).
  A split whose successors lie in several provinces needs a scope covering all of them. Who
  may read a split: whoever may edit in the province of at least one successor. Anyone else
  gets ``PermissionDenied`` (answered 404, as for a missing unit).
- ``lineage_shares_set`` is atomic and audited (``lineage.shares``, before/after per
  successor code); a change of shares is a change of the map's structure: the structure
  version moves on and the pre-aggregated figures are rebuilt (``structure_changed``).
- ``lineage_shares_bulk_set`` (the Excel import) sets many splits all-or-nothing, one
  structure change at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.accounts import permissions
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.orgunits.models import Lineage, LineageKind, OrgUnit
from binhyen.orgunits.structure import structure_changed

SUM_TOLERANCE = Decimal("0.0001")
SHARE_PLACES = Decimal("0.0001")


@dataclass
class Split:
    """A split predecessor, its edges (default first) and whether the reader may edit it."""

    predecessor: OrgUnit
    edges: list[Lineage] = field(default_factory=list)
    editable: bool = False

    @property
    def has_shares(self) -> bool:
        return any(e.share is not None for e in self.edges)

    @property
    def provinces(self) -> list[str]:
        return sorted({province_path(e.successor.path) for e in self.edges})


def province_path(path: str) -> str:
    """Return the path of the province a unit lies in (``/VN/01/...`` → ``/VN/01/``)."""
    parts = [p for p in path.strip("/").split("/") if p]
    return "/" + "/".join(parts[:2]) + "/"


def _province_perm(user: Any, province: str) -> bool:
    if permissions.is_superadmin(user):
        return True
    return any(
        province.startswith(p) for p in permissions.scope_paths(user, permissions.CHANGE_UNITS)
    )


def can_edit_split(user: Any, successors: Sequence[OrgUnit]) -> bool:
    """Return True if ``user`` holds ``CHANGE_UNITS`` on every successor's province."""
    provinces = {province_path(s.path) for s in successors}
    return bool(provinces) and all(_province_perm(user, p) for p in provinces)


def can_read_split(user: Any, successors: Sequence[OrgUnit]) -> bool:
    """Return True if ``user`` holds ``CHANGE_UNITS`` on the province of some successor."""
    return any(_province_perm(user, province_path(s.path)) for s in successors)


def _splits(user: Any, pred_ids: Any) -> list[Split]:
    edges = (
        Lineage.objects.filter(predecessor_id__in=pred_ids, kind=LineageKind.SPLIT)
        .select_related("predecessor", "successor")
        .order_by("predecessor__name_folded", "predecessor__code", "-is_default", "successor__path")
    )
    grouped: dict[int, Split] = {}
    for edge in edges:
        split = grouped.setdefault(edge.predecessor_id, Split(edge.predecessor))
        split.edges.append(edge)
    for split in grouped.values():
        split.editable = can_edit_split(user, [e.successor for e in split.edges])
    return list(grouped.values())


def province_splits(*, user: Any, province: OrgUnit) -> list[Split]:
    """Return the splits with a successor in ``province`` (which ``user`` may change)."""
    if not _province_perm(user, province_path(province.path)):
        raise PermissionDenied(_("Bạn không có quyền đặt tỷ lệ chia tách của tỉnh này."))
    pred_ids = Lineage.objects.filter(
        kind=LineageKind.SPLIT, successor__path__startswith=province.path
    ).values("predecessor_id")
    return _splits(user, pred_ids)


def split_get(*, user: Any, code: str) -> Split:
    """Return the split whose predecessor has ``code``; ``PermissionDenied`` if not readable."""
    found = _splits(user, OrgUnit.objects.filter(code=code).values("pk"))
    if not found or not can_read_split(user, [e.successor for e in found[0].edges]):
        raise PermissionDenied(_("Không tìm thấy đơn vị chia tách hoặc bạn không có quyền."))
    return found[0]


def parse_share(raw: Any, *, percent: bool) -> Decimal | None:
    """Return a share (0–1) from a number or text; percentages when ``percent``.

    Raises ``ValueError`` for text that is not a number. ``None``/blank gives None.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = str(raw).strip().replace("%", "").strip().replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value / 100 if percent else value


def shares_validate(
    split: Split, shares: Mapping[str, Decimal | None]
) -> dict[str, Decimal | None]:
    """Check ``shares`` (successor code → fraction or None) for ``split``; return them rounded.

    Raises ``ValidationError`` keyed by successor code (or ``shares`` for the whole split).
    """
    codes = [e.successor.code for e in split.edges]
    errors: dict[str, str] = {}
    for code in shares:
        if code not in codes:
            errors[code] = _("%(code)s không phải là đơn vị kế thừa của %(unit)s.") % {
                "code": code,
                "unit": split.predecessor.name,
            }
    cleaned: dict[str, Decimal | None] = {}
    for edge in split.edges:
        value = shares.get(edge.successor.code)
        if value is not None:
            value = value.quantize(SHARE_PLACES)
            if not (Decimal(0) < value <= Decimal(1)):
                errors[edge.successor.code] = _(
                    "Tỷ lệ của %(unit)s phải lớn hơn 0 %% và không quá 100 %%."
                ) % {"unit": edge.successor.name}
        cleaned[edge.successor.code] = value
    if errors:
        raise ValidationError(errors)
    given = [v for v in cleaned.values() if v is not None]
    if given and len(given) != len(cleaned):
        missing = ", ".join(
            e.successor.name for e in split.edges if cleaned[e.successor.code] is None
        )
        raise ValidationError(
            {
                "shares": _(
                    "Tỷ lệ của %(unit)s: nhập cho tất cả đơn vị kế thừa hoặc để trống tất cả "
                    "(còn thiếu: %(missing)s)."
                )
                % {"unit": split.predecessor.name, "missing": missing}
            }
        )
    if given and abs(sum(given) - Decimal(1)) > SUM_TOLERANCE:
        raise ValidationError(
            {
                "shares": _("Tỷ lệ của %(unit)s cộng lại là %(total)s %%, phải bằng 100 %%.")
                % {"unit": split.predecessor.name, "total": _percent(sum(given, Decimal(0)))}
            }
        )
    return cleaned


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}".replace(".", ",")


def _write(actor: Actor, split: Split, cleaned: Mapping[str, Decimal | None]) -> bool:
    """Store ``cleaned`` on the split's edges and audit; return True if anything changed."""
    before = {e.successor.code: e.share for e in split.edges}
    if all(before[c] == cleaned[c] for c in before):
        return False
    for edge in split.edges:
        new = cleaned[edge.successor.code]
        if edge.share != new:
            # A queryset update sends no signal: one structure change is recorded by the caller.
            Lineage.objects.filter(pk=edge.pk).update(share=new)
            edge.share = new
    audit_event_record(
        actor=actor,
        action="lineage.shares",
        obj=split.predecessor,
        orgunit=split.predecessor,
        before={k: None if v is None else str(v) for k, v in before.items()},
        after={k: None if v is None else str(v) for k, v in cleaned.items()},
    )
    return True


@transaction.atomic
def lineage_shares_set(
    *, actor: Actor, predecessor: OrgUnit, shares: Mapping[str, Decimal | None]
) -> Split:
    """Set the shares of the split of ``predecessor`` (successor code → fraction or None)."""
    found = _splits(actor, OrgUnit.objects.filter(pk=predecessor.pk).values("pk"))
    if not found or not found[0].editable:
        raise PermissionDenied(_("Bạn không có quyền đặt tỷ lệ chia tách của đơn vị này."))
    split = found[0]
    # Lock the edges: two officers saving the same split one after the other, never interleaved.
    list(Lineage.objects.select_for_update().filter(pk__in=[e.pk for e in split.edges]))
    cleaned = shares_validate(split, shares)
    if _write(actor, split, cleaned):
        structure_changed(sender=Lineage)
    return split


@dataclass(frozen=True)
class SharesRow:
    """One row of a shares file: predecessor code, successor code, share, the file's row."""

    predecessor: str
    successor: str
    share: Decimal | None
    row: int


@transaction.atomic
def lineage_shares_bulk_set(
    *, actor: Actor, province: OrgUnit, rows: Sequence[SharesRow]
) -> tuple[int, list[tuple[int | None, str, str]]]:
    """Set the shares of many splits of ``province``, all or none.

    Returns (splits changed, problems as (row, column key, message)); nothing is saved when
    there are problems. Column keys: ``predecessor``, ``successor``, ``share``.
    """
    splits = {s.predecessor.code: s for s in province_splits(user=actor, province=province)}
    problems: list[tuple[int | None, str, str]] = []
    wanted: dict[str, dict[str, Decimal | None]] = defaultdict(dict)
    first_row: dict[str, int] = {}
    for r in rows:
        split = splits.get(r.predecessor)
        if split is None:
            problems.append(
                (
                    r.row,
                    "predecessor",
                    _("%(code)s không phải là đơn vị chia tách của tỉnh này.")
                    % {"code": r.predecessor},
                )
            )
            continue
        if not split.editable:
            problems.append(
                (
                    r.row,
                    "predecessor",
                    _(
                        "%(unit)s có đơn vị kế thừa ở tỉnh khác: chỉ người có quyền trên tất cả "
                        "các tỉnh đó mới đặt được tỷ lệ."
                    )
                    % {"unit": split.predecessor.name},
                )
            )
            continue
        if r.successor not in {e.successor.code for e in split.edges}:
            problems.append(
                (
                    r.row,
                    "successor",
                    _("%(code)s không phải là đơn vị kế thừa của %(unit)s.")
                    % {"code": r.successor, "unit": split.predecessor.name},
                )
            )
            continue
        if r.successor in wanted[r.predecessor]:
            problems.append((r.row, "successor", _("Dòng trùng với một dòng phía trên.")))
            continue
        wanted[r.predecessor][r.successor] = r.share
        first_row.setdefault(r.predecessor, r.row)
    changed = 0
    checked: list[tuple[Split, dict[str, Decimal | None]]] = []
    for code, shares in wanted.items():
        split = splits[code]
        for edge in split.edges:
            shares.setdefault(edge.successor.code, edge.share)
        try:
            checked.append((split, shares_validate(split, shares)))
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                problems.extend((first_row[code], "share", m) for m in messages)
    if problems:
        return 0, problems
    for split, cleaned in checked:
        changed += _write(actor, split, cleaned)
    if changed:
        structure_changed(sender=Lineage)
    return changed, []
