"""Lineage through time: where a closed unit's records go, and who may write history.

One place for the questions every app asks about units that closed at a boundary change
(the 2025 reform closed every district and most communes on 2025-06-30):

- ``successors_of(unit)``: the current units a closed unit's records continue in (chains of
  changes followed; the default successor of a split first).
- ``successor_map(ids)``: the same for many units at once (closed unit id → current ids).
- ``predecessor_ids(paths)``: every closed unit whose lineage reaches a unit under one of
  ``paths`` (chains followed), for "history of the units in my scope".
- ``check_record_date(unit, day)``: a record dated outside the unit's lifetime is refused with
  a message naming the successor(s) (or the predecessors, before the unit existed).
- ``commune_on(prefix, day)``: SQL for "the commune a record's unit belonged to on ``day``"
  (a village or establishment with a ``former_parent`` belonged to it up to its last day).
- ``carried_unit`` / ``carried_commune_on``: SQL for the unit (commune) a record moved onto a
  successor stood on in a period: its former unit while that was open, else its current one.
- ``under_q(field, unit)``: a filter for "recorded under ``unit`` as it was" (a closed unit's
  subtree includes the villages and establishments that kept it as ``former_parent``).
- ``can_record(user, perm, unit)``: a user holding ``perm`` on a current unit may also record
  on its predecessors (for dates in their lifetime: ``check_record_date``).

Invariants:
- A closed unit that has no lineage edges of its own follows its nearest ancestor's edges
  (an old village or establishment goes where its old commune went), as the engine does.
- Chains are followed at most ``MAX_CHAIN`` steps; a cycle in bad data cannot loop.
- Read-only: nothing here writes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from binhyen.orgunits.models import Lineage, OrgUnit

MAX_CHAIN = 8


def _edges_from(pred_ids: Iterable[int]) -> dict[int, list[tuple[int, bool]]]:
    """Return predecessor id → [(successor id, is_default)] for the given predecessors."""
    out: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    ids = list(set(pred_ids))
    for start in range(0, len(ids), 2000):
        for pid, sid, default in (
            Lineage.objects.filter(predecessor_id__in=ids[start : start + 2000])
            .order_by()
            .values_list("predecessor_id", "successor_id", "is_default")
        ):
            out[pid].append((sid, default))
    for edges in out.values():
        edges.sort(key=lambda e: (not e[1], e[0]))
    return out


def _anchors(units: Sequence[OrgUnit]) -> dict[int, int]:
    """Return unit id → the id of itself or its nearest ancestor that has successor edges."""
    codes: set[str] = set()
    for unit in units:
        codes.update(unit.ancestor_codes)
    by_code = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "id"))
    chains = {
        u.pk: [u.pk, *[by_code[c] for c in reversed(u.ancestor_codes) if c in by_code]]
        for u in units
    }
    with_edges = set(
        Lineage.objects.filter(
            predecessor_id__in={i for chain in chains.values() for i in chain}
        ).values_list("predecessor_id", flat=True)
    )
    anchors: dict[int, int] = {}
    for uid, chain in chains.items():
        for candidate in chain:
            if candidate in with_edges:
                anchors[uid] = candidate
                break
    return anchors


def successor_map(unit_ids: Iterable[int], *, default_only: bool = False) -> dict[int, list[int]]:
    """Return closed unit id → ids of the current units its records continue in.

    Open units map to themselves. A closed unit without lineage (itself or an ancestor) is
    left out. With ``default_only`` a split goes to its default successor only.
    """
    units = list(OrgUnit.objects.filter(pk__in=set(unit_ids)).only("id", "path", "valid_to"))
    result: dict[int, list[int]] = {u.pk: [u.pk] for u in units if u.valid_to is None}
    closed = [u for u in units if u.valid_to is not None]
    if not closed:
        return result
    anchors = _anchors(closed)
    frontier = {a: [a] for a in set(anchors.values())}  # anchor → units reached so far
    done: dict[int, list[int]] = {}
    open_ids: set[int] = set()
    for _step in range(MAX_CHAIN):
        pending = {u for reached in frontier.values() for u in reached}
        if not pending:
            break
        edges = _edges_from(pending)
        known_open = set(
            OrgUnit.objects.filter(
                pk__in={s for e in edges.values() for s, _d in e}, valid_to__isnull=True
            ).values_list("pk", flat=True)
        )
        open_ids |= known_open
        next_frontier: dict[int, list[int]] = {}
        for anchor, reached in frontier.items():
            forward: list[int] = []
            for uid in reached:
                chosen = edges.get(uid, [])
                if default_only and chosen:
                    chosen = chosen[:1]
                for sid, _default in chosen:
                    if sid in open_ids:
                        done.setdefault(anchor, [])
                        if sid not in done[anchor]:
                            done[anchor].append(sid)
                    else:
                        forward.append(sid)
            if forward:
                next_frontier[anchor] = forward
        frontier = next_frontier
    for uid, anchor in anchors.items():
        if done.get(anchor):
            result[uid] = list(done[anchor])
    return result


def successors_of(unit: OrgUnit, *, default_only: bool = False) -> list[OrgUnit]:
    """Return the current units ``unit``'s records continue in (default successor first)."""
    if unit.valid_to is None:
        return [unit]
    ids = successor_map([unit.pk], default_only=default_only).get(unit.pk, [])
    found = OrgUnit.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def predecessor_ids(paths: Sequence[str]) -> set[int]:
    """Return the ids of closed units whose lineage reaches a unit under one of ``paths``.

    The predecessors' own subtrees (an old district's communes, an old province's districts)
    are included, since their records went where their ancestor went.

    Three queries whatever the scope: the chains are followed by one recursive query, and
    the subtrees of many predecessors (a national scope reaches every old province) are
    matched in Python against the closed units, not by one path range per predecessor.
    """
    if not paths:
        return set()
    found = _reaching(paths)
    if not found:
        return set()
    roots: list[str] = []
    for path in sorted(found.values()):
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    # Only path ranges in the SQL and no ordering, so that SQLite answers from the index on
    # ``path`` range by range (ordered, or with ``valid_to`` in the condition, it may scan
    # the whole map); closed units are kept in Python.
    if len(roots) <= MAX_ROOT_RANGES:
        from django.db.models import Q

        below = Q()
        for path in roots:
            below |= Q(path__startswith=path)
        candidates = OrgUnit.objects.filter(below)
    else:
        candidates = OrgUnit.objects.filter(path__gte=roots[0], path__lte=roots[-1] + "\uffff")
    descendants = {
        pk
        for pk, path, valid_to in candidates.order_by().values_list("pk", "path", "valid_to")
        if valid_to is not None and _under(path, roots)
    } - found.keys()
    # Sub-units of a predecessor that have lineage of their own follow it, not the parent's.
    own = set(_edges_from(descendants))
    descendants -= own
    return set(found) | descendants


MAX_ROOT_RANGES = 8  # above this many subtrees, one range and a check in Python


def _under(path: str, roots: list[str]) -> bool:
    """Whether ``path`` lies in one of the sorted, prefix-free ``roots``: the only root that
    can be a prefix of ``path`` is the last one sorting before it."""
    at = bisect_right(roots, path) - 1
    return at >= 0 and path.startswith(roots[at])


def _reaching(paths: Sequence[str]) -> dict[int, str]:
    """Return id → path of the units whose lineage reaches a unit under ``paths``: the
    predecessors of those units, their predecessors, and so on (``MAX_CHAIN`` steps)."""
    from django.db import connections, router
    from django.db.models import Q

    under = Q()
    for path in paths:
        under |= Q(successor__path__startswith=path)
    anchor, params = (
        Lineage.objects.filter(under).order_by().values("predecessor_id").query.sql_with_params()
    )
    connection = connections[router.db_for_read(Lineage)]
    quote = connection.ops.quote_name
    lineage, units = quote(Lineage._meta.db_table), quote(OrgUnit._meta.db_table)
    sql = f"""
        WITH RECURSIVE found(id, step) AS (
            SELECT anchor.predecessor_id, 1 FROM ({anchor}) anchor
            UNION
            SELECT l.predecessor_id, f.step + 1 FROM {lineage} l
            JOIN found f ON l.successor_id = f.id WHERE f.step < %s
        )
        SELECT DISTINCT u.id, u.path FROM found f JOIN {units} u ON u.id = f.id"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, MAX_CHAIN])
        return dict(cursor.fetchall())


def commune_on(prefix: str, day: date) -> Any:
    """Return SQL for "the commune of this unit on ``day``" (``prefix``: the lookup to the unit).

    A commune is its own commune. A village or establishment belongs to its ``former_parent``
    while that commune was open (``day`` up to its ``valid_to``), else to its parent.
    """
    from django.db.models import Case, F, IntegerField, When

    from binhyen.orgunits.models import UnitKind

    return Case(
        When(**{f"{prefix}kind": UnitKind.COMMUNE}, then=F(f"{prefix}id")),
        When(
            **{
                f"{prefix}former_parent__isnull": False,
                f"{prefix}former_parent__valid_to__gte": day,
            },
            then=F(f"{prefix}former_parent_id"),
        ),
        default=F(f"{prefix}parent_id"),
        output_field=IntegerField(),
    )


def carried_unit(prefix: str, start: date) -> Any:
    """Return SQL for the unit a record moved onto a successor stood on in a period from
    ``start``: its ``former_…`` unit while that was open (``valid_to >= start``), else its
    current one. ``prefix`` names both fields: ``("village", "former_village")``-style pairs
    are given as ``"village"`` and the former field is ``former_<prefix>``.
    """
    from django.db.models import Case, F, IntegerField, When

    current, former = _carried_fields(prefix)
    return Case(
        When(**{f"{former}__valid_to__gte": start}, then=F(f"{former}_id")),
        default=F(f"{current}_id"),
        output_field=IntegerField(),
    )


def carried_commune_on(prefix: str, start: date, day: date) -> Any:
    """Return SQL for the commune (``commune_on``) of a moved record's unit in a period from
    ``start`` to ``day`` (see ``carried_unit``)."""
    from django.db.models import Case, IntegerField, When

    current, former = _carried_fields(prefix)
    return Case(
        When(**{f"{former}__valid_to__gte": start}, then=commune_on(f"{former}__", day)),
        default=commune_on(f"{current}__", day),
        output_field=IntegerField(),
    )


def _carried_fields(prefix: str) -> tuple[str, str]:
    """``"team__village"`` → (``"team__village"``, ``"team__former_village"``)."""
    head, _sep, name = prefix.rpartition("__")
    lead = f"{head}__" if head else ""
    return prefix, f"{lead}former_{name}"


def under_q(field: str, unit: OrgUnit) -> Any:
    """Return a Q for "the unit in ``field`` lies under ``unit`` as ``unit`` was".

    Its subtree by path; for a closed unit also the villages and establishments that belonged
    to it or to a unit below it (``former_parent``), which now sit under a current commune.
    """
    from django.db.models import Q

    condition = Q(**{f"{field}__path__startswith": unit.path})
    if unit.valid_to is not None:
        condition |= Q(**{f"{field}__former_parent__path__startswith": unit.path})
    return condition


def _names(units: Sequence[OrgUnit]) -> str:
    return ", ".join(u.name for u in units)


def check_record_date(unit: OrgUnit, day: date | None, *, field: str = "date") -> None:
    """Refuse a record on ``unit`` dated outside its lifetime, naming where it belongs.

    Raises ``ValidationError({field: message})``.
    """
    if day is None:
        return
    if unit.valid_to is not None and day > unit.valid_to:
        successors = successors_of(unit)
        if successors:
            message = _(
                "%(unit)s không còn tồn tại từ ngày %(since)s: ghi vào đơn vị kế thừa "
                "(%(successors)s)."
            ) % {
                "unit": unit.name,
                "since": _day_after(unit.valid_to),
                "successors": _names(successors),
            }
        else:
            message = _("%(unit)s không còn tồn tại từ ngày %(since)s.") % {
                "unit": unit.name,
                "since": _day_after(unit.valid_to),
            }
        raise ValidationError({field: message})
    if unit.valid_from is not None and day < unit.valid_from:
        predecessors = list(
            OrgUnit.objects.filter(successor_links__successor=unit).order_by("name_folded")
        )
        if predecessors:
            message = _(
                "%(unit)s được thành lập từ ngày %(since)s: ghi vào đơn vị tiền thân "
                "(%(predecessors)s)."
            ) % {
                "unit": unit.name,
                "since": _format(unit.valid_from),
                "predecessors": _names(predecessors),
            }
        else:
            message = _("%(unit)s được thành lập từ ngày %(since)s.") % {
                "unit": unit.name,
                "since": _format(unit.valid_from),
            }
        raise ValidationError({field: message})


def _format(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _day_after(day: date) -> str:
    from datetime import timedelta

    return _format(day + timedelta(days=1))


def can_record(user: Any, perm: str, unit: OrgUnit | None) -> bool:
    """Return True if ``user`` may record with ``perm`` on ``unit``.

    Holding ``perm`` on the unit (or an ancestor) is enough; on a closed unit it is also
    enough to hold it on a unit the closed one's lineage reaches (history of one's scope),
    directly or through a role that holds it for history only
    (``permissions.HISTORY_PERMISSIONS``).
    Dates are checked separately (``check_record_date``).
    """
    from binhyen.accounts import permissions

    if unit is None:
        return False
    if permissions.has_perm_on(user, perm, unit):
        return True
    if unit.valid_to is None:
        return False
    paths = permissions.history_scope_paths(user, perm)
    if not paths:
        return False
    targets = successor_map([unit.pk]).get(unit.pk, [])
    return OrgUnit.objects.filter(pk__in=targets).filter(_any_prefix(paths)).exists()


def _any_prefix(paths: Sequence[str]) -> Any:
    from django.db.models import Q

    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def recordable_predecessors(user: Any, perm: str) -> Any:
    """Return the closed units ``user`` may record history on with ``perm`` (a queryset)."""
    from binhyen.accounts import permissions

    if permissions.is_superadmin(user):
        return OrgUnit.objects.filter(valid_to__isnull=False)
    paths = permissions.history_scope_paths(user, perm)
    return OrgUnit.objects.filter(pk__in=predecessor_ids(paths))
