"""Writes of the activity log: record, edit, delete, import, photos.

Invariants:
- The actor holds ``RECORD_ACTIVITIES`` on the activity's unit (and, when editing, on the
  unit it had before); otherwise ``PermissionDenied`` is raised and callers answer 404.
- Every input is checked in full before anything is written (``activity_input_errors``):
  the model's rules (date not in the future, inside the unit's life, counts ≥ 0, the
  fields of the kind) plus villages of the right commune and surrendered items. One bad
  row of an import refuses the whole file with every problem listed by row and field.
- Each write is one transaction with one ``AuditEvent`` per activity, and ends by
  re-publishing the metrics the activity feeds for every period it touched (before and
  after an edit), so dashboards are never stale. Two ways, chosen by the caller:

  * at once (pages, the Excel import, the demo): ``provider_values_sync`` restricted to the
    units the write can change (the activity's unit before and after, and a village's
    commune), so an edit costs the same on a commune's database and on the country's;
  * ``publish_later`` (the API, which the field app's outbox uses): after commit, one
    coalesced re-sync per metric and period through the worker
    (``indicators.tasks.provider_resync_enqueue``), as tips do; the figures follow within
    the worker's next run, and 200 entries of one month cost one re-sync per metric.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.activities import selectors
from binhyen.activities.models import (
    SPECIFIC_FIELDS,
    Activity,
    ActivityKind,
    ActivityPhoto,
    SurrenderedItem,
    WeaponKind,
    empty_value,
)
from binhyen.activities.permissions import can_record
from binhyen.activities.providers import PROVIDER_KEY, metric_codes_for_kind
from binhyen.core.actors import Actor
from binhyen.core.formats import format_date
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.tabular import BulkValidationError as BulkValidationError
from binhyen.core.tabular import RowError as RowError
from binhyen.core.text import clean_text
from binhyen.core.uploads import clean_image
from binhyen.indicators.models import Metric, MetricSource
from binhyen.indicators.periods import Period
from binhyen.indicators.services import provider_values_sync
from binhyen.indicators.tasks import provider_resync_enqueue
from binhyen.orgunits.models import OrgUnit, UnitKind

MAX_PHOTOS = 10
SNAPSHOT_FIELDS: list[str] = [
    "kind",
    "orgunit",
    "date",
    "title",
    "description",
    "participants",
    *SPECIFIC_FIELDS,
]


@dataclass
class ItemInput:
    """One line of surrendered items."""

    item_kind: str
    quantity: int
    description: str = ""


@dataclass
class ActivityInput:
    """An activity as parsed from a form, the API or a spreadsheet row."""

    kind: str
    unit: OrgUnit
    date: date
    title: str
    description: str = ""
    participants: int | None = None  # None: not counted
    villages: list[OrgUnit] = field(default_factory=list)
    topic: str = ""
    place: str = ""
    leaflets: int = 0
    posters: int = 0
    bulletin_boards: int = 0
    channel: str = ""
    posts: int = 0
    cameras: int = 0
    camera_ownership: str = ""
    latitude: float | None = None
    longitude: float | None = None
    light_points: int = 0
    lit_km: Decimal = Decimal("0")
    cases_resolved: int = 0
    items: list[ItemInput] = field(default_factory=list)
    # Row number as the user sees it in a spreadsheet (None outside imports).
    row: int | None = None


def _require_record(actor: Actor, unit: OrgUnit) -> None:
    if not can_record(actor, unit):
        raise PermissionDenied(_("Bạn không có quyền ghi hoạt động cho đơn vị này."))


def _fill(activity: Activity, data: ActivityInput) -> None:
    """Copy the input onto the model as given.

    Columns of other kinds are copied too: a filled one is refused by the model's
    ``clean`` ("not used for this kind") rather than silently dropped.
    """
    activity.kind = data.kind
    activity.orgunit = data.unit
    activity.date = data.date
    activity.title = unicodedata.normalize("NFC", data.title or "").strip()
    activity.description = unicodedata.normalize("NFC", data.description or "").strip()
    activity.participants = data.participants
    for name in SPECIFIC_FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        setattr(activity, name, empty_value(name) if value is None else value)


def _in_commune(unit: OrgUnit, commune: OrgUnit) -> bool:
    """Return True if ``unit`` is ``commune`` or one of its villages (a pre-reform commune
    also owns the villages whose former commune it was)."""
    if unit.pk == commune.pk:
        return True
    return unit.kind == UnitKind.VILLAGE and (
        unit.parent_id == commune.pk
        or (not commune.is_current and unit.former_parent_id == commune.pk)
    )


def _village_errors(data: ActivityInput) -> list[str]:
    commune = selectors.commune_of(data.unit)
    problems: list[str] = []
    for village in data.villages:
        if village.kind != UnitKind.VILLAGE or not _in_commune(village, commune):
            problems.append(
                _("“%(name)s” không phải là thôn, tổ dân phố của %(commune)s.")
                % {"name": village.name, "commune": commune.name}
            )
        elif data.date is not None and (
            (village.valid_from is not None and data.date < village.valid_from)
            or (village.valid_to is not None and data.date > village.valid_to)
        ):
            problems.append(
                _("“%(name)s” không tồn tại vào ngày %(day)s.")
                % {"name": village.name, "day": format_date(data.date)}
            )
    return problems


def _item_errors(data: ActivityInput) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if data.kind != ActivityKind.WEAPONS_SURRENDER:
        if data.items:
            problems.append(
                ("items", _("Chỉ hoạt động vận động giao nộp mới có danh sách hiện vật."))
            )
        return problems
    if not data.items:
        problems.append(("items", _("Hãy nhập ít nhất một loại hiện vật và số lượng.")))
    for number, item in enumerate(data.items, start=1):
        if item.item_kind not in WeaponKind.values:
            problems.append(
                (
                    "items",
                    _("Dòng hiện vật %(n)s: loại “%(kind)s” không hợp lệ.")
                    % {"n": number, "kind": item.item_kind},
                )
            )
        if item.quantity is None or item.quantity < 1:
            problems.append(
                (
                    "items",
                    _("Dòng hiện vật %(n)s: số lượng phải là số nguyên lớn hơn 0.") % {"n": number},
                )
            )
        if len(item.description or "") > 200:
            problems.append(
                ("items", _("Dòng hiện vật %(n)s: mô tả dài quá 200 ký tự.") % {"n": number})
            )
    return problems


def activity_input_errors(
    data: ActivityInput, instance: Activity | None = None
) -> dict[str, list[str]]:
    """Return every problem of ``data`` by field name (empty when it can be saved)."""
    activity = instance if instance is not None else Activity()
    _fill(activity, data)
    errors: dict[str, list[str]] = {}
    if data.kind not in ActivityKind.values:
        errors["kind"] = [_("Loại hoạt động “%(kind)s” không tồn tại.") % {"kind": data.kind}]
        return errors
    for name in ("title", "description", *SPECIFIC_FIELDS):
        value = getattr(activity, name)
        if not isinstance(value, str):
            continue
        field = Activity._meta.get_field(name)
        label = str(getattr(field, "verbose_name", name)).capitalize()
        try:
            clean_text(
                value,
                label=label,
                multiline=name == "description",
            )
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    try:
        activity.full_clean(exclude=["recorded_by"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    village_problems = _village_errors(data)
    if village_problems:
        errors.setdefault("villages", []).extend(village_problems)
    for name, message in _item_errors(data):
        errors.setdefault(name, []).append(message)
    return errors


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _save_relations(activity: Activity, data: ActivityInput) -> None:
    activity.villages.set(data.villages)
    activity.items.all().delete()
    if activity.kind == ActivityKind.WEAPONS_SURRENDER:
        SurrenderedItem.objects.bulk_create(
            SurrenderedItem(
                activity=activity,
                item_kind=item.item_kind,
                description=(item.description or "").strip(),
                quantity=item.quantity,
            )
            for item in data.items
        )


def _summary(activity: Activity) -> dict[str, Any]:
    summary = model_snapshot(activity, SNAPSHOT_FIELDS)
    summary["villages"] = sorted(activity.villages.values_list("code", flat=True))
    summary["items"] = [[i.item_kind, i.quantity] for i in activity.items.order_by("id")]
    return summary


class Touched(NamedTuple):
    """An activity kind and a day whose metrics a write changed, and the unit it was on
    (None: any unit, every unit's numbers are re-published)."""

    kind: str
    day: date
    unit: OrgUnit | None = None


def _affected_unit_ids(units: Iterable[OrgUnit]) -> set[int]:
    """The units whose published numbers an activity on ``units`` can change: the unit
    itself and, for a village, its commune (distinct villages are counted per commune)."""
    ids: set[int] = set()
    for unit in units:
        ids.add(unit.pk)
        if unit.kind == UnitKind.VILLAGE and unit.parent_id is not None:
            ids.add(unit.parent_id)
    return ids


def _periods_by_metric(touched: Iterable[Touched]) -> list[tuple[Metric, set[str]]]:
    """The active metrics of this provider fed by ``touched``, each with its period codes."""
    wanted: dict[str, set[date]] = {}
    for kind, day, _unit in touched:
        for code in metric_codes_for_kind(kind):
            wanted.setdefault(code, set()).add(day)
    if not wanted:
        return []
    metrics = Metric.objects.filter(
        code__in=wanted, source=MetricSource.PROVIDER, provider_key=PROVIDER_KEY, is_active=True
    )
    return [
        (m, {Period.containing(m.period_kind, day).code for day in wanted[m.code]}) for m in metrics
    ]


def activities_metrics_sync(*, actor: Actor, touched: Iterable[Touched]) -> int:
    """Re-publish at once the metrics fed by each (kind, day) for the periods containing it.

    When every entry names its unit, only the values of those units (and of a village's
    commune) are compared and rewritten, so one edit costs the same in a commune and in
    the whole country. Returns how many stored values changed. Metrics an administrator
    has switched away from this provider are left alone.
    """
    touched = list(touched)
    units = (
        None
        if any(t.unit is None for t in touched)
        else _affected_unit_ids(t.unit for t in touched if t.unit is not None)
    )
    changed = 0
    for metric, periods in _periods_by_metric(touched):
        for code in sorted(periods):
            changed += provider_values_sync(
                actor=actor, metric=metric, period_code=code, units=units
            )
    return changed


def activities_metrics_enqueue(touched: Iterable[Touched]) -> None:
    """Once the transaction commits, enqueue the re-publishing of the metrics fed by
    ``touched`` for the worker: one task per metric and period, coalesced (a batch of 200
    entries of one month asks for each metric's month once, however many arrive)."""
    touched = list(touched)

    def enqueue() -> None:
        for metric, periods in _periods_by_metric(touched):
            provider_resync_enqueue(metrics=[metric], period_codes=periods)

    transaction.on_commit(enqueue, robust=True)


def _publish(*, actor: Actor, touched: list[Touched], later: bool) -> None:
    if later:
        activities_metrics_enqueue(touched)
    else:
        activities_metrics_sync(actor=actor, touched=touched)


@transaction.atomic
def activity_create(*, actor: Actor, data: ActivityInput, publish_later: bool = False) -> Activity:
    """Record one activity and publish its numbers (at once, or through the worker after
    commit with ``publish_later``)."""
    _require_record(actor, data.unit)
    activity = Activity()
    _raise(activity_input_errors(data, activity))
    activity.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    activity.save()
    _save_relations(activity, data)
    audit_event_record(
        actor=actor,
        action="activity.create",
        obj=activity,
        orgunit=data.unit,
        after=_summary(activity),
    )
    _publish(
        actor=actor,
        touched=[Touched(activity.kind, activity.date, activity.orgunit)],
        later=publish_later,
    )
    return activity


@transaction.atomic
def activity_update(
    *, actor: Actor, activity: Activity, data: ActivityInput, publish_later: bool = False
) -> Activity:
    """Change an activity (its unit may move within the actor's scope) and re-publish
    (at once, or through the worker after commit with ``publish_later``)."""
    _require_record(actor, activity.orgunit)
    _require_record(actor, data.unit)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    before = _summary(activity)
    old = Touched(activity.kind, activity.date, activity.orgunit)
    _raise(activity_input_errors(data, activity))
    activity.save()
    _save_relations(activity, data)
    audit_event_record(
        actor=actor,
        action="activity.update",
        obj=activity,
        orgunit=data.unit,
        before=before,
        after=_summary(activity),
    )
    _publish(
        actor=actor,
        touched=[old, Touched(activity.kind, activity.date, activity.orgunit)],
        later=publish_later,
    )
    return activity


@transaction.atomic
def activity_delete(*, actor: Actor, activity: Activity, publish_later: bool = False) -> None:
    """Delete a mistaken record (with its items and photos) and re-publish (at once, or
    through the worker after commit with ``publish_later``)."""
    _require_record(actor, activity.orgunit)
    touched = Touched(activity.kind, activity.date, activity.orgunit)
    unit = activity.orgunit
    audit_event_record(
        actor=actor,
        action="activity.delete",
        obj=activity,
        orgunit=unit,
        before=_summary(activity),
    )
    files = [photo.image for photo in activity.photos.all()]
    activity.delete()
    transaction.on_commit(lambda: _delete_files(files))
    _publish(actor=actor, touched=[touched], later=publish_later)


def inputs_validate(*, commune: OrgUnit, rows: Sequence[ActivityInput]) -> list[RowError]:
    """Return every problem of an import batch for ``commune`` (nothing is saved)."""
    problems: list[RowError] = []
    for index, data in enumerate(rows, start=1):
        row = data.row if data.row is not None else index
        if not _in_commune(data.unit, commune):
            problems.append(
                RowError(
                    row,
                    "unit",
                    _("Đơn vị “%(unit)s” không thuộc %(commune)s.")
                    % {"unit": data.unit.name, "commune": commune.name},
                )
            )
            continue
        for name, messages in activity_input_errors(data).items():
            problems.extend(RowError(row, name, message) for message in messages)
    return problems


@transaction.atomic
def activity_bulk_create(
    *, actor: Actor, commune: OrgUnit, rows: Sequence[ActivityInput], source: str = ""
) -> list[Activity]:
    """Record every row of an import, or none: ``BulkValidationError`` lists all problems."""
    _require_record(actor, commune)
    problems = inputs_validate(commune=commune, rows=rows)
    if problems:
        raise BulkValidationError(problems)
    user = actor if getattr(actor, "is_authenticated", False) else None
    created: list[Activity] = []
    for data in rows:
        activity = Activity()
        _fill(activity, data)
        activity.recorded_by = user
        activity.save()
        _save_relations(activity, data)
        audit_event_record(
            actor=actor,
            action="activity.create",
            obj=activity,
            orgunit=data.unit,
            after=_summary(activity),
        )
        created.append(activity)
    audit_event_record(
        actor=actor,
        action="activity.import",
        obj=commune,
        orgunit=commune,
        after={"rows": len(created), "source": source[:200]},
    )
    # One commune's rows: only its units' values are re-published, at once.
    activities_metrics_sync(
        actor=actor, touched=list({Touched(a.kind, a.date, a.orgunit) for a in created})
    )
    return created


@transaction.atomic
def activity_photo_add(
    *, actor: Actor, activity: Activity, upload: UploadedFile, caption: str = ""
) -> ActivityPhoto:
    """Attach a photo, re-encoded without EXIF/GPS; refuse files that are not real images."""
    _require_record(actor, activity.orgunit)
    if activity.photos.count() >= MAX_PHOTOS:
        raise ValidationError(
            {"image": _("Mỗi hoạt động có tối đa %(max)s ảnh.") % {"max": MAX_PHOTOS}}
        )
    try:
        clean = clean_image(upload)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from exc
    photo = ActivityPhoto(
        activity=activity,
        caption=(caption or "").strip(),
        width=clean.width or 0,
        height=clean.height or 0,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    photo.image.save(clean.content.name or "anh.jpg", clean.content, save=False)
    name = photo.image.name
    try:
        photo.full_clean()
        photo.save()
    except Exception:
        _delete_files([photo.image], name)
        raise
    audit_event_record(
        actor=actor,
        action="activity.photo_add",
        obj=activity,
        orgunit=activity.orgunit,
        after={"photo": photo.pk, "width": photo.width, "height": photo.height},
    )
    return photo


@transaction.atomic
def activity_photo_delete(*, actor: Actor, photo: ActivityPhoto) -> None:
    """Remove a photo and its file."""
    activity = photo.activity
    _require_record(actor, activity.orgunit)
    audit_event_record(
        actor=actor,
        action="activity.photo_delete",
        obj=activity,
        orgunit=activity.orgunit,
        before={"photo": photo.pk},
    )
    image = photo.image
    photo.delete()
    transaction.on_commit(lambda: _delete_files([image]))


def _delete_files(files: list[Any], name: str | None = None) -> None:
    """Remove stored files (after the rows pointing at them are gone)."""
    for f in files:
        target = name or f.name
        if target:
            f.storage.delete(target)
