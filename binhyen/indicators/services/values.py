"""Writes of values: a batch typed or uploaded, a provider's numbers, the pre-aggregated figures.

Invariants:
- A batch of values is all-or-nothing: one bad cell refuses the whole batch with an error
  per cell (``ValuesRefused``, each problem with its row and cell when it came from a file).
- Values of a (unit, period) whose report is submitted or approved are locked.
- A provider's stored values always equal its last answer; every write moves the
  pre-aggregated figures in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.core.tabular import ImportProblem
from binhyen.indicators import permissions as ind_perms
from binhyen.indicators import rollups
from binhyen.indicators.models import (
    LOCKED_STATUSES,
    DataItem,
    DataValue,
    Metric,
    MetricSource,
    ReportFormMetric,
    ValueSource,
)
from binhyen.indicators.periods import Period, PeriodError, parse_period
from binhyen.indicators.providers import registry
from binhyen.orgunits.history import check_record_date
from binhyen.orgunits.models import OrgUnit


@dataclass(frozen=True)
class ValueInput:
    """One cell to save: ``value`` None clears it. ``ref`` says where it came from (a cell),
    ``row`` the spreadsheet row when it came from an uploaded file."""

    metric: Metric
    value: float | None
    option: str = ""
    ref: str = ""
    row: int | None = None


class ValuesRefused(ValidationError):
    """A batch of values refused: the messages (each starting with its cell's ``ref``) and
    the same problems with their row and cell, as an uploaded file's rows are reported."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__([p.message for p in problems])


def _parse(code: str) -> Period:
    try:
        return parse_period(code)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from exc


def _locked_metric_ids(unit: OrgUnit, period_code: str) -> set[int]:
    return set(
        ReportFormMetric.objects.filter(
            form__submissions__orgunit=unit,
            form__submissions__period=period_code,
            form__submissions__status__in=LOCKED_STATUSES,
        ).values_list("metric_id", flat=True)
    )


def _apply_values(
    *,
    actor: Actor,
    unit: OrgUnit,
    period: Period,
    values: Sequence[ValueInput],
    source: str,
    check_lock: bool = True,
) -> tuple[int, dict[str, list[Any]]]:
    """Validate every cell, then write; raise one ``ValuesRefused`` listing every bad cell."""
    errors: list[ImportProblem] = []
    locked = _locked_metric_ids(unit, period.code) if check_lock else set()
    existing = {
        (dv.metric_id, dv.option): dv
        for dv in DataValue.objects.select_for_update().filter(
            orgunit=unit, period=period.code, metric__in=[v.metric for v in values]
        )
    }
    before = {d.pk: d.value for d in existing.values()}  # the loop below edits them
    seen: set[tuple[int, str]] = set()
    to_save: list[DataValue] = []
    to_delete: list[DataValue] = []
    changes: dict[str, list[Any]] = {}
    user = actor if getattr(actor, "is_authenticated", False) else None
    for item in values:
        where = f"{item.ref}: " if item.ref else ""
        cell = item.ref if item.row is not None else ""
        key = (item.metric.pk, item.option)
        label = item.metric.code + (f"[{item.option}]" if item.option else "")
        if key in seen:
            message = where + _("Chỉ tiêu %(m)s bị nhập hai lần.") % {"m": label}
            errors.append(ImportProblem(row=item.row, column=cell, message=message))
            continue
        seen.add(key)
        current = existing.get(key)
        old = current.value if current is not None else None
        if old == item.value:
            continue
        if item.metric.pk in locked:
            message = where + _(
                "Số liệu %(m)s kỳ %(p)s đã khóa vì báo cáo đã gửi hoặc đã duyệt."
            ) % {"m": label, "p": period.code}
            errors.append(ImportProblem(row=item.row, column=cell, message=message))
            continue
        if item.value is None:
            if current is not None:
                to_delete.append(current)
                changes[label] = [old, None]
            continue
        dv = current or DataValue(
            metric=item.metric,
            orgunit=unit,
            period=period.code,
            period_start=period.start,
            period_end=period.end,
            option=item.option,
        )
        dv.value = float(item.value)
        dv.source = source
        dv.entered_by = user
        try:
            dv.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.extend(
                    ImportProblem(row=item.row, column=cell, message=where + m) for m in messages
                )
            continue
        to_save.append(dv)
        changes[label] = [old, dv.value]
    if errors:
        raise ValuesRefused(errors)
    moves: list[rollups.ValueMove] = []
    for dv in to_save:
        old_value = before.get(dv.pk) if dv.pk else None
        dv.save()
        moves.append(
            rollups.ValueMove(dv.metric_id, unit.pk, period.end, dv.option, old_value, dv.value)
        )
    if to_delete:
        DataValue.objects.filter(pk__in=[d.pk for d in to_delete]).delete()
        moves.extend(
            rollups.ValueMove(d.metric_id, unit.pk, period.end, d.option, before[d.pk], None)
            for d in to_delete
        )
    rollups.apply(rollups.value_changes(moves))
    return len(changes), changes


BULK_BATCH = 5000
BulkValue = tuple[int, int, Period, str, float]  # metric id, unit id, period, option, value


def values_bulk_write(
    values: Sequence[BulkValue],
    *,
    source: str,
    user: Any = None,
    replace: bool = True,
) -> tuple[int, int]:
    """Write many checked values at once and move the pre-aggregated figures once.

    For callers that have already checked every value (an import, the demo) and that hold
    the transaction and record the audit event. A value whose (metric, unit, period,
    option) is stored already replaces it (``replace``) or is left alone. Quantities only:
    distinct metrics are written by their providers with their items. Returns (created,
    replaced).
    """
    unit_ids = {v[1] for v in values}
    metric_ids = {v[0] for v in values}
    period_codes = {v[2].code for v in values}
    existing: dict[tuple[int, int, str, str], tuple[int, float]] = {}
    ids = sorted(unit_ids)
    for start in range(0, len(ids), 500):
        for pk, m, u, p, o, v in DataValue.objects.filter(
            orgunit_id__in=ids[start : start + 500],
            metric_id__in=metric_ids,
            period__in=period_codes,
        ).values_list("pk", "metric_id", "orgunit_id", "period", "option", "value"):
            existing[(m, u, p, o)] = (pk, v)
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    user_id = user.pk if user is not None else None
    new: list[tuple[Any, ...]] = []
    changed: list[DataValue] = []
    moves: list[rollups.ValueMove] = []
    for metric_id, unit_id, period, option, value in values:
        old = existing.get((metric_id, unit_id, period.code, option))
        if old is None:
            new.append(
                (
                    metric_id,
                    unit_id,
                    period.code,
                    ops.adapt_datefield_value(period.start),
                    ops.adapt_datefield_value(period.end),
                    option,
                    value,
                    source,
                    user_id,
                    now,
                    now,
                )
            )
            moves.append(rollups.ValueMove(metric_id, unit_id, period.end, option, None, value))
        elif replace and old[1] != value:
            changed.append(DataValue(pk=old[0], value=value, source=source, entered_by_id=user_id))
            moves.append(rollups.ValueMove(metric_id, unit_id, period.end, option, old[1], value))
    # Checked rows go in with one prepared INSERT per batch: building 100,000 model instances
    # and compiling bulk_create's statements costs several times the insert itself.
    table = DataValue._meta.db_table
    sql = (
        f"INSERT INTO {table} (metric_id, orgunit_id, period, period_start, period_end, option,"  # noqa: S608
        " value, source, entered_by_id, created_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(new), BULK_BATCH):
            cursor.executemany(sql, new[start : start + BULK_BATCH])
    if changed:
        DataValue.objects.bulk_update(
            changed, ["value", "source", "entered_by"], batch_size=BULK_BATCH
        )
    rollups.apply(rollups.value_changes(moves))
    return len(new), len(changed)


@transaction.atomic
def data_values_save(
    *,
    actor: Actor,
    unit: OrgUnit,
    period_code: str,
    values: Sequence[ValueInput],
    source: str = ValueSource.FORM,
) -> int:
    """Save several values of one unit and period (all or nothing); return how many changed."""
    if not ind_perms.can_enter_data(actor, unit):
        raise PermissionDenied(_("Bạn không có quyền nhập số liệu cho đơn vị này."))
    period = _parse(period_code)
    if unit.valid_to is not None:  # history of a closed unit: the period starts in its life
        check_record_date(unit, period.start, field="period")
    count, changes = _apply_values(
        actor=actor, unit=unit, period=period, values=values, source=source
    )
    if count:
        audit_event_record(
            actor=actor,
            action="data_value.save",
            obj=unit,
            orgunit=unit,
            after={"period": period.code, "source": source, "changes": changes},
        )
    return count


def _items_replace(
    metric: Metric,
    period: Period,
    items: dict[tuple[int, str], set[str]],
    units: set[int] | None = None,
) -> None:
    """Replace the items of ``metric`` in ``period`` by ``items`` (bulk, unchanged rows kept).

    With ``units``, only the items of those units are replaced.
    """
    stored = DataItem.objects.filter(metric=metric, period=period.code)
    if units is not None:
        stored = stored.filter(orgunit_id__in=units)
    existing = {
        (unit_id, option, item): pk
        for pk, unit_id, option, item in stored.values_list("pk", "orgunit_id", "option", "item")
    }
    # A unit with nothing to count keeps an empty marker item, so "last" sees its explicit 0
    # (the engine counts only non-empty items).
    wanted = {(u, o, i) for (u, o), things in items.items() for i in (things or {""})}
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        for start in range(0, len(stale), 5000):
            DataItem.objects.filter(pk__in=stale[start : start + 5000]).delete()
    new = [
        DataItem(
            metric=metric,
            orgunit_id=u,
            option=o,
            item=i,
            period=period.code,
            period_start=period.start,
            period_end=period.end,
        )
        for u, o, i in sorted(wanted - existing.keys())
    ]
    if new:
        DataItem.objects.bulk_create(new, batch_size=2000)


@transaction.atomic
def provider_values_sync(
    *,
    actor: Actor | None,
    metric: Metric,
    period_code: str,
    units: Collection[int] | None = None,
) -> int:
    """Store the values a registered provider computes for ``metric`` in one period.

    Values the provider no longer returns are removed, so the stored set always equals the
    provider's answer. Returns how many values changed.

    ``units`` (ids) limits the comparison and the writes to those units' values: a write
    that can only change the numbers of its own unit re-publishes that unit, not the whole
    country. Values of other units are neither read nor touched.

    Two writes that publish the same metric at once (two activities recorded in the same
    month) are serialised on the metric's row: the second computes and compares after the
    first has committed, so it updates the rows the first created instead of inserting them
    again (a unique-row collision). SQLite's immediate transactions already serialise
    writers; callers publishing several metrics take them in the catalogue's order.
    """
    list(Metric.objects.select_for_update().filter(pk=metric.pk).values_list("pk", flat=True))
    if metric.source != MetricSource.PROVIDER:
        raise ValidationError(
            {"metric": _("Chỉ tiêu '%(m)s' không tính tự động.") % {"m": metric.label}}
        )
    period = _parse(period_code)
    if period.kind != metric.period_kind:
        raise ValidationError(
            {
                "period": _("Chỉ tiêu '%(m)s' không nhận kỳ '%(p)s'.")
                % {"m": metric.label, "p": period.label}
            }
        )
    try:
        provider = registry.get(metric.provider_key)
    except LookupError as exc:
        raise ValidationError({"provider_key": str(exc)}) from exc
    wanted = None if units is None else set(units)
    answer = [
        v
        for v in provider.values(metric_code=metric.code, period=period)
        if wanted is None or v.orgunit_id in wanted
    ]
    items: dict[tuple[int, str], set[str]] = {}
    if metric.is_distinct:
        # The value at a unit is the number of distinct things counted there.
        for v in answer:
            items.setdefault((v.orgunit_id, v.option), set()).update(v.items)
        provided = {key: float(len(things)) for key, things in items.items()}
    else:
        provided = {(v.orgunit_id, v.option): v.value for v in answer}
    for (unit_id, _option), value in provided.items():
        # A provider's number obeys the metric's bounds like a typed one: refuse it clearly
        # (infinity, NaN, above the maximum) rather than store it or fail in the database.
        problem = metric.check_value(value)
        if problem:
            raise ValidationError(
                {
                    "value": _("Bộ tính trả giá trị %(v)s cho đơn vị #%(u)s: %(problem)s.")
                    % {"v": value, "u": unit_id, "problem": problem}
                }
            )
    stored = DataValue.objects.filter(metric=metric, period=period.code)
    if wanted is not None:
        stored = stored.filter(orgunit_id__in=wanted)
    existing = {
        (orgunit_id, option): (pk, value)
        for pk, orgunit_id, option, value in stored.values_list(
            "pk", "orgunit_id", "option", "value"
        )
    }
    stale = [pk for key, (pk, _v) in existing.items() if key not in provided]
    updates = []
    creates = []
    for key, value in provided.items():
        if key in existing:
            pk, old = existing[key]
            if old != value:
                updates.append(DataValue(pk=pk, value=value, updated_at=timezone.now()))
        else:
            creates.append(
                DataValue(
                    metric=metric,
                    orgunit_id=key[0],
                    option=key[1],
                    period=period.code,
                    period_start=period.start,
                    period_end=period.end,
                    value=value,
                    source=ValueSource.PROVIDER,
                )
            )
    if provided:
        # Providers are code, not user input, but every unit must be of a capture kind:
        # the engine reads a metric only there.
        unit_ids = {key[0] for key in provided}
        wrong = (
            OrgUnit.objects.filter(pk__in=unit_ids)
            .exclude(kind__in=metric.capture_kinds or [])
            .values_list("code", flat=True)[:5]
        )
        if wrong:
            raise ValidationError(
                {
                    "orgunit": _("Bộ tính trả số liệu cho đơn vị không thuộc cấp nhập: %(codes)s.")
                    % {"codes": ", ".join(wrong)}
                }
            )
    if creates:
        creates[0].full_clean(validate_unique=False, validate_constraints=False)
        DataValue.objects.bulk_create(creates, batch_size=2000)
    if updates:
        DataValue.objects.bulk_update(updates, ["value", "updated_at"], batch_size=2000)
    if stale:
        DataValue.objects.filter(pk__in=stale).delete()
    if metric.is_distinct or DataItem.objects.filter(metric=metric, period=period.code).exists():
        _items_replace(metric, period, items, wanted)
        rollups.distinct_refresh(metric, period.end)
    by_pk = {pk: (key, old) for key, (pk, old) in existing.items()}
    moves: list[tuple[tuple[int, str], float | None, float | None]] = [
        (k, None, v) for k, v in provided.items() if k not in existing
    ]
    moves += [(by_pk[u.pk][0], by_pk[u.pk][1], u.value) for u in updates]
    moves += [(by_pk[pk][0], by_pk[pk][1], None) for pk in stale]
    rollups.apply(
        rollups.value_changes(
            rollups.ValueMove(metric.pk, unit_id, period.end, option, old, new)
            for (unit_id, option), old, new in moves
        )
    )
    changed = len(creates) + len(updates) + len(stale)
    audit_event_record(
        actor=actor,
        action="data_value.provider_sync",
        obj=metric,
        after={
            "period": period.code,
            "provider": metric.provider_key,
            "created": len(creates),
            "updated": len(updates),
            "removed": len(stale),
            **({"units": sorted(wanted)} if wanted is not None else {}),
        },
    )
    return changed


@dataclass(frozen=True)
class MetricSync:
    """What re-publishing one provider metric for one period did: values changed, or the
    reason it was refused."""

    metric: str
    period: str
    changed: int = 0
    refused: str = ""


@transaction.atomic
def indicators_metrics_sync(
    *,
    actor: Actor | None,
    periods: Sequence[Period] | None = None,
    metric_codes: Sequence[str] | None = None,
) -> list[MetricSync]:
    """Re-publish every active provider metric (or those of ``metric_codes``) for the
    ``periods`` of its own kind; by default for the period of its kind containing today and
    the one before it.

    Each metric and period is stored whole or not at all: one refused (its provider is not
    registered in this deployment, a value out of bounds) is reported in its outcome and the
    others still run. Unknown ``metric_codes`` are refused before anything runs.
    """
    metrics = Metric.objects.filter(source=MetricSource.PROVIDER, is_active=True)
    if metric_codes:
        metrics = metrics.filter(code__in=list(metric_codes))
        missing = set(metric_codes) - set(metrics.values_list("code", flat=True))
        if missing:
            raise ValidationError(
                {
                    "metric": _("Không có chỉ tiêu tính tự động: %(codes)s.")
                    % {"codes": ", ".join(sorted(missing))}
                }
            )
    today = timezone.localdate()
    outcomes: list[MetricSync] = []
    for metric in metrics:
        if periods is None:
            current = Period.containing(metric.period_kind, today)
            wanted = [current.previous(), current]
        else:
            wanted = [p for p in periods if p.kind == metric.period_kind]
        for period in wanted:
            try:
                with transaction.atomic():
                    changed = provider_values_sync(
                        actor=actor, metric=metric, period_code=period.code
                    )
            except ValidationError as exc:
                outcomes.append(
                    MetricSync(metric.code, period.code, refused="; ".join(exc.messages))
                )
            else:
                outcomes.append(MetricSync(metric.code, period.code, changed=changed))
    audit_event_record(
        actor=actor,
        action="indicators.metrics_sync",
        after={
            "changed": sum(o.changed for o in outcomes),
            "refused": [f"{o.metric} {o.period}" for o in outcomes if o.refused],
        },
    )
    return outcomes


@transaction.atomic
def rollups_rebuild(*, actor: Actor | None, only_if_stale: bool = False) -> dict[str, Any] | None:
    """Recompute the pre-aggregated figures from every stored value (a scheduled job and
    the map import call it); returns what was built, or None when nothing was needed."""
    if only_if_stale and rollups.usable():
        return None
    if actor is not None and not ind_perms.can_manage_metrics(actor):
        raise PermissionDenied(_("Bạn không có quyền quản lý danh mục chỉ tiêu."))
    report = rollups.rebuild()
    audit_event_record(actor=actor, action="rollups.rebuild", after=report)
    return report
