"""Records of closed units seen from the units that succeeded them (the 2025 reform).

Invariants:
- A list filtered by a current unit also holds the records of that unit's predecessors
  (lineage followed transitively, ``orgunits.history.predecessor_ids``): one id-set read per
  list, never one per row. Such rows carry ``recorded_on_predecessor``.
- A list filtered by a closed unit holds that unit's own records; the current units they
  continue in are named for the rows of one page at once (``successor_names``).
- Read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q

from binhyen.orgunits.history import predecessor_ids, successor_map, under_q
from binhyen.orgunits.models import OrgUnit, UnitKind


def history_ids(unit: OrgUnit | None) -> set[int]:
    """Return the ids of the closed units whose records continue in the current ``unit``.

    Empty for no unit and for a closed unit (its own records are found by its path).
    """
    if unit is None or unit.valid_to is not None:
        return set()
    return predecessor_ids([unit.path])


def unit_or_history_q(field: str, unit: OrgUnit, history: set[int]) -> Q:
    """Q for "the unit ``field`` lies under ``unit`` (as it was) or is one of its predecessors"."""
    condition = under_q(field, unit)
    if history:
        condition |= Q(**{f"{field}_id__in": history})
    return condition


def successor_names(unit_ids: Iterable[int]) -> dict[int, str]:
    """Return closed unit id → the names of the current units its records continue in."""
    mapping = {k: v for k, v in successor_map(unit_ids).items() if v != [k]}
    if not mapping:
        return {}
    names = dict(
        OrgUnit.objects.filter(pk__in={i for ids in mapping.values() for i in ids}).values_list(
            "pk", "name"
        )
    )
    return {k: ", ".join(names[i] for i in ids if i in names) for k, ids in mapping.items()}


def history_notes(rows: Iterable[Any], units_of: Callable[[Any], Iterable[OrgUnit | None]]) -> None:
    """Set ``old_units`` and ``continues_in`` on the rows of one page.

    ``old_units``: the names of the closed units the row is recorded on ("ghi trên đơn vị cũ");
    ``continues_in``: the names of the current units those continue in. One lineage read for
    the whole page.
    """
    rows = list(rows)
    closed: dict[int, list[OrgUnit]] = {}
    for row in rows:
        units = [u for u in units_of(row) if u is not None and u.valid_to is not None]
        closed[id(row)] = units
    names = successor_names({u.pk for units in closed.values() for u in units})
    for row in rows:
        units = closed[id(row)]
        row.old_units = ", ".join(u.name for u in units)
        continuing: list[str] = []
        for unit in units:
            name = names.get(unit.pk)
            if name and name not in continuing:
                continuing.append(name)
        row.continues_in = ", ".join(continuing)


def provinces_reached(units: Iterable[OrgUnit]) -> list[OrgUnit]:
    """Return the provinces of ``units`` and of the current units closed ones continue in.

    A province's own catalogue (scheme types) applies on its pre-2025 communes: their path
    lies under the old province, but their successors lie in the new one.
    """
    units = list(units)
    paths = {u.path for u in units}
    closed = [u.pk for u in units if u.valid_to is not None]
    if closed:
        targets = {i for ids in successor_map(closed).values() for i in ids}
        paths |= set(OrgUnit.objects.filter(pk__in=targets).values_list("path", flat=True))
    codes = {[*p.strip("/").split("/"), "", ""][1] for p in paths} - {""}
    return list(OrgUnit.objects.filter(code__in=codes, kind=UnitKind.PROVINCE).order_by("path"))


def scheme_unit_history(*, scheme: Any) -> list[Any]:
    """Return the units ``scheme`` covered before it was moved onto successors (oldest first)."""
    return list(scheme.unit_history.select_related("orgunit", "successor"))
