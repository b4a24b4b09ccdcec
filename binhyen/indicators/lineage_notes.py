"""Which rule gave a figure that includes predecessors' values: a note for dashboards.

``predecessor_notes(codes)`` returns, per current unit code, its predecessors (the units
whose edges lead to it, chains of changes followed) and how their figures count here:

- ``merge``: everything (a merge);
- ``shares``: the share set for this successor, as a fraction of the split's shares;
- ``default``: everything, as the default successor of a split without shares.

A successor of a split without shares that is not the default receives nothing from it and
is not listed. ``note_text`` words it: "gồm số liệu của đơn vị tiền thân: Xã A (sáp nhập),
Xã B (chia tách — 40 % theo tỷ lệ đã đặt), Xã C (chia tách — toàn bộ cho đơn vị kế thừa mặc
định)". It reads the lineage (two queries per step of a chain), never the values; pages
cache it per request (``templatetags.lineage_notes``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from binhyen.orgunits.history import MAX_CHAIN
from binhyen.orgunits.models import Lineage, LineageKind


@dataclass(frozen=True)
class PredecessorNote:
    code: str
    name: str
    rule: str  # "merge", "shares" or "default"
    share: float | None  # the fraction of the predecessor's figures counted here


class _Edge(NamedTuple):
    """The fields of a lineage edge the notes need (rows, not model instances: a province's
    communes have hundreds of edges)."""

    predecessor_id: int
    successor_id: int
    kind: str
    is_default: bool
    share: Decimal | None
    predecessor__code: str
    predecessor__name: str


def predecessor_notes(codes: Iterable[str]) -> dict[str, list[PredecessorNote]]:
    """Return unit code → the predecessors whose figures count there, and by which rule."""
    wanted = sorted(set(codes))
    out: dict[str, list[PredecessorNote]] = {c: [] for c in wanted}
    # frontier: (unit code the note is for, successor id, weight so far)
    frontier: list[tuple[str, int, float]] = []
    ids = dict(
        Lineage.objects.filter(successor__code__in=wanted).values_list(
            "successor__code", "successor_id"
        )
    )
    frontier = [(code, sid, 1.0) for code, sid in ids.items()]
    seen: set[tuple[str, int]] = set()
    for _step in range(MAX_CHAIN):
        if not frontier:
            break
        edges = [
            _Edge(*row)
            for row in Lineage.objects.filter(successor_id__in={s for _c, s, _w in frontier})
            .order_by("predecessor__name_folded")
            .values_list(*_Edge._fields)
        ]
        siblings: dict[int, list[tuple[int, bool, Decimal | None]]] = defaultdict(list)
        split_ids = {e.predecessor_id for e in edges if e.kind == LineageKind.SPLIT}
        for pid, sid, default, edge_share in Lineage.objects.filter(
            predecessor_id__in=split_ids
        ).values_list("predecessor_id", "successor_id", "is_default", "share"):
            siblings[pid].append((sid, default, edge_share))
        into: dict[int, list[_Edge]] = defaultdict(list)  # successor id → its edges, in order
        for edge in edges:
            into[edge.successor_id].append(edge)
        following: list[tuple[str, int, float]] = []
        for code, sid, weight in frontier:
            for edge in into.get(sid, ()):
                if (code, edge.predecessor_id) in seen:
                    continue
                rule, part = _rule(edge, siblings.get(edge.predecessor_id, []))
                if rule is None:
                    continue
                seen.add((code, edge.predecessor_id))
                share = weight * part
                out[code].append(
                    PredecessorNote(
                        edge.predecessor__code,
                        edge.predecessor__name,
                        rule,
                        share if rule == "shares" or weight != 1.0 else None,
                    )
                )
                following.append((code, edge.predecessor_id, share))
        frontier = following
    return out


def _rule(
    edge: _Edge, siblings: Sequence[tuple[int, bool, Decimal | None]]
) -> tuple[str | None, float]:
    if edge.kind != LineageKind.SPLIT:
        return "merge", 1.0
    shares = [float(s) for _sid, _d, s in siblings if s is not None]
    if shares and sum(shares) > 0:
        own = float(edge.share) if edge.share is not None else 0.0
        return ("shares", own / sum(shares)) if own > 0 else (None, 0.0)
    return ("default", 1.0) if edge.is_default else (None, 0.0)


def _percent(value: float) -> str:
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def note_text(notes: Sequence[PredecessorNote]) -> str:
    """Return the sentence for ``notes`` ("" when there are none)."""
    if not notes:
        return ""
    parts = []
    for n in notes:
        if n.rule == "merge":
            how = _("sáp nhập")
        elif n.rule == "shares":
            how = _("chia tách — %(percent)s %% theo tỷ lệ đã đặt") % {
                "percent": _percent(n.share or 0.0)
            }
        else:
            how = _("chia tách — toàn bộ cho đơn vị kế thừa mặc định")
        parts.append(f"{n.name} ({how})")
    return _("gồm số liệu của đơn vị tiền thân: %(list)s") % {"list": ", ".join(parts)}
