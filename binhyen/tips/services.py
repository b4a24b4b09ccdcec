"""Writes of the tips app: intake (web, API, Zalo), citizen follow-up, triage, escalation.

Invariants:
- Each function is the only way its rows change; it runs in one transaction, calls
  ``full_clean()`` and records an ``AuditEvent`` (never with an IP address or contact data).
- Intake and follow-up are durable transactions: when they return, the tip is committed,
  so a tracking code shown to a citizen always names a stored tip.
- Officer actions need ``TRIAGE_TIPS`` on the tip's unit and the claim: a tip claimed by
  someone else (and not lapsed) refuses them with "đang xử lý: <name>".
- Concluding always records what happened (``outcome``); a citizen's later message on a
  concluded tip flags it for officers instead of getting lost.
- Published numbers (indicators) are re-synced by the task queue, never in the request:
  after commit, a re-sync per tip metric and month is enqueued, coalesced (at most one
  pending per metric and month); public intake asks at most once per
  ``TIPS_METRICS_SYNC_SECONDS`` per month; the scheduled escalation syncs the current and
  previous month as well.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connections, router, transaction
from django.db.models import signals
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as acc_perms
from binhyen.core.models import WebhookEvent
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.webhooks import webhook_emit
from binhyen.indicators.models import Metric, MetricSource
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.services import provider_values_sync
from binhyen.indicators.tasks import provider_resync_enqueue
from binhyen.orgunits.address import resolve_address
from binhyen.orgunits.models import Lineage, OrgUnit, UnitKind
from binhyen.tips import permissions as tip_perms
from binhyen.tips import zalo
from binhyen.tips.media import ProcessedMedia
from binhyen.tips.models import (
    CONCLUDED_STATUSES,
    OPEN_STATUSES,
    Category,
    Channel,
    Direction,
    MediaKind,
    Priority,
    PushStatus,
    Status,
    Tip,
    TipKind,
    TipMedia,
    TipMessage,
    ZaloContact,
    ZaloDelivery,
    ZaloPush,
)
from binhyen.tips.providers import PROVIDER_KEY
from binhyen.tips.zalo import ZaloInbound

logger = logging.getLogger(__name__)

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
# Degrees around a pin searched for the nearest commune centre (about 20 km).
PIN_SEARCH_DEGREES = 0.2
# Bounding box a pin must fall in, (south, north) and (west, east) in degrees: Việt Nam's
# mainland (Lũng Cú ~23.4° N, Mũi Cà Mau ~8.6° N, A Pa Chải ~102.1° E, Mũi Đôi ~109.5° E),
# its coastal islands and the special zones Hoàng Sa and Trường Sa (to ~117° E, ~7.5° N).
# It is a sanity check against mistyped or made-up positions, not a border.
PIN_LATITUDE_RANGE = (7.5, 23.5)
PIN_LONGITUDE_RANGE = (102.0, 117.0)
MIN_REASON = 5


# --- inputs and results --------------------------------------------------------------------------


@dataclass(frozen=True)
class TipInput:
    """What a citizen submits, already parsed from the form, the API or a Zalo event."""

    kind: str
    description: str
    category_code: str = ""
    occurred_at: datetime | None = None
    province_code: str = ""
    commune_code: str = ""
    village_code: str = ""
    address_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_unknown: bool = False
    is_anonymous: bool = True
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class Submitted:
    """A committed tip and the secret to show once (it is stored only as a hash)."""

    tip: Tip
    secret: str


@dataclass
class ZaloOutcome:
    tip: Tip | None
    created: bool = False
    duplicate: bool = False
    replies: list[str] = field(default_factory=list)


# --- helpers -------------------------------------------------------------------------------------


def _now() -> datetime:
    return timezone.now()


def _month_code(moment: datetime | date) -> str:
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return Period.containing(PeriodKind.MONTH, day).code


def metrics_sync_now(period_codes: Iterable[str]) -> int:
    """Sync every active tip metric for the given months; return how many values changed."""
    metrics = list(
        Metric.objects.filter(
            source=MetricSource.PROVIDER, provider_key=PROVIDER_KEY, is_active=True
        )
    )
    changed = 0
    for code in sorted(set(period_codes)):
        for metric in metrics:
            if metric.period_kind == PeriodKind.MONTH:
                changed += provider_values_sync(actor=None, metric=metric, period_code=code)
    return changed


# Month code → monotonic time until which this process knows a re-sync is already due
# somewhere (asked the shared cache within the window): spares a cache round trip per tip.
_SYNC_KNOWN: dict[str, float] = {}


def metrics_sync_memo_clear() -> None:
    """Forget which re-syncs this process knows are due (tests, after clearing the cache)."""
    _SYNC_KNOWN.clear()


def _sync_due(code: str, window: int) -> bool:
    """Return True when this call should schedule the re-sync of ``code`` (once per window
    across processes, through the shared cache)."""
    now = time.monotonic()
    if _SYNC_KNOWN.get(code, 0.0) > now:
        return False
    _SYNC_KNOWN[code] = now + window
    return bool(cache.add(f"tips:metrics-sync:{code}", 1, window))


def metrics_resync_enqueue(period_codes: Iterable[str]) -> int:
    """Enqueue the re-sync of every active tip metric for the given months (coalesced)."""
    metrics = [
        m
        for m in Metric.objects.filter(
            source=MetricSource.PROVIDER, provider_key=PROVIDER_KEY, is_active=True
        )
        if m.period_kind == PeriodKind.MONTH
    ]
    return provider_resync_enqueue(metrics=metrics, period_codes=period_codes)


def _metrics_after_commit(moments: Iterable[datetime | None], *, throttle: bool) -> None:
    """Enqueue the re-sync of the months of ``moments`` once the transaction commits."""
    codes = {_month_code(m) for m in moments if m is not None}
    if throttle:
        window = settings.TIPS_METRICS_SYNC_SECONDS
        codes = {c for c in codes if _sync_due(c, window)}
    if codes:
        transaction.on_commit(lambda: metrics_resync_enqueue(codes), robust=True)


# Units found by code for routing, per process: {(code, kind): (expires, unit)}. Public
# intake looks up the same few thousand communes all day; a hit saves a query per tip. Any
# save or delete of a unit or lineage in this process empties it, other processes see a
# change within ``TIPS_UNIT_CACHE_SECONDS`` (the map changes by imports, years apart).
_UNIT_CACHE: dict[tuple[str, str], tuple[float, OrgUnit]] = {}
UNIT_CACHE_MAX = 50_000


def unit_cache_clear(**_kwargs: Any) -> None:
    """Forget the cached units (connected to unit and lineage saves and deletes)."""
    _UNIT_CACHE.clear()


def _current_unit(code: str, kind: str) -> OrgUnit | None:
    """Return the unit of ``kind`` with ``code`` as it is today (a closed one → its successor).

    Found units are kept for ``TIPS_UNIT_CACHE_SECONDS`` (0: always ask the database); an
    unknown code is never cached, so a newly imported unit is found at once.
    """
    code = (code or "").strip()
    if not code:
        return None
    ttl = settings.TIPS_UNIT_CACHE_SECONDS
    if ttl <= 0:
        return _current_unit_query(code, kind)
    key = (code, kind)
    now = time.monotonic()
    hit = _UNIT_CACHE.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    unit = _current_unit_query(code, kind)
    if unit is not None:
        if len(_UNIT_CACHE) >= UNIT_CACHE_MAX:
            _UNIT_CACHE.clear()
        _UNIT_CACHE[key] = (now + ttl, unit)
    return unit


def _current_unit_query(code: str, kind: str) -> OrgUnit | None:
    units = OrgUnit.objects.filter(code=code, kind=kind)
    if kind == UnitKind.VILLAGE:
        units = units.select_related("parent")
    unit = units.first()
    if unit is None or unit.is_current:
        return unit
    link = (
        Lineage.objects.filter(predecessor=unit, successor__kind=kind)
        .select_related("successor__parent")
        .order_by("-is_default", "successor__path")
        .first()
    )
    return link.successor if link is not None else None


def _province_of(unit: OrgUnit | None) -> OrgUnit | None:
    while unit is not None and unit.kind != UnitKind.PROVINCE:
        unit = unit.parent
    return unit


def pin_check(latitude: float | None, longitude: float | None) -> None:
    """Refuse a pin given by half, or outside ``PIN_LATITUDE_RANGE``/``PIN_LONGITUDE_RANGE``.

    Raises ``ValidationError`` on the ``latitude`` field (the map's field in the form).
    """
    if latitude is None and longitude is None:
        return
    if latitude is None or longitude is None:
        raise ValidationError({"latitude": _("Vị trí trên bản đồ cần cả vĩ độ và kinh độ.")})
    south, north = PIN_LATITUDE_RANGE
    west, east = PIN_LONGITUDE_RANGE
    if not (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and south <= latitude <= north
        and west <= longitude <= east
    ):
        raise ValidationError(
            {
                "latitude": _(
                    "Vị trí đã chọn (%(lat)s, %(lon)s) nằm ngoài lãnh thổ Việt Nam. Hãy chọn lại "
                    "trên bản đồ, hoặc bỏ vị trí và chọn xã/phường."
                )
                % {"lat": f"{latitude:.4f}", "lon": f"{longitude:.4f}"}
            }
        )


def _nearest_commune(latitude: float, longitude: float) -> OrgUnit | None:
    """Return the current commune whose centre is nearest to the pin (within ~20 km)."""
    box = PIN_SEARCH_DEGREES
    candidates = OrgUnit.objects.current().filter(
        kind=UnitKind.COMMUNE,
        latitude__range=(latitude - box, latitude + box),
        longitude__range=(longitude - box, longitude + box),
    )
    scale = math.cos(math.radians(latitude))
    best: tuple[float, OrgUnit] | None = None
    for unit in candidates:
        assert unit.latitude is not None and unit.longitude is not None  # noqa: S101
        distance = (unit.latitude - latitude) ** 2 + ((unit.longitude - longitude) * scale) ** 2
        if best is None or distance < best[0]:
            best = (distance, unit)
    return best[1] if best is not None else None


@dataclass(frozen=True)
class _Route:
    queue: OrgUnit
    commune: OrgUnit | None
    village: OrgUnit | None


def _default_province() -> OrgUnit | None:
    return _current_unit(settings.TIPS_DEFAULT_PROVINCE_CODE, UnitKind.PROVINCE)


def route_tip(data: TipInput) -> _Route:
    """Decide where a tip goes: the current commune of its place, else a province queue.

    Order of evidence: a chosen village, a chosen commune, the typed address (resolved with
    the map, pre-2025 names included), the pin (nearest current commune centre, see
    ``pin_check`` for the accepted area); without a place, the chosen province, then
    ``TIPS_DEFAULT_PROVINCE_CODE``. Unknown codes are errors, never silently dropped.
    """
    pin_check(data.latitude, data.longitude)
    commune: OrgUnit | None = None
    village: OrgUnit | None = None
    if data.village_code:
        village = _current_unit(data.village_code, UnitKind.VILLAGE)
        if village is None:
            raise ValidationError(
                {
                    "village": _("Không tìm thấy thôn, tổ dân phố có mã “%(code)s”.")
                    % {"code": data.village_code}
                }
            )
        commune = village.parent
    if data.commune_code:
        chosen = _current_unit(data.commune_code, UnitKind.COMMUNE)
        if chosen is None:
            raise ValidationError(
                {
                    "commune": _("Không tìm thấy xã, phường có mã “%(code)s”.")
                    % {"code": data.commune_code}
                }
            )
        if commune is not None and commune.pk != chosen.pk:
            raise ValidationError(
                {
                    "village": _("Thôn, tổ dân phố đã chọn không thuộc %(name)s.")
                    % {"name": chosen.name}
                }
            )
        commune = chosen
    province: OrgUnit | None = None
    if data.province_code:
        province = _current_unit(data.province_code, UnitKind.PROVINCE)
        if province is None:
            raise ValidationError(
                {
                    "province": _("Không tìm thấy tỉnh, thành phố có mã “%(code)s”.")
                    % {"code": data.province_code}
                }
            )
    if commune is None and not data.location_unknown:
        if data.address_text.strip():
            match = resolve_address(data.address_text)
            current = match.current if match is not None else None
            if current is not None and current.kind == UnitKind.COMMUNE:
                commune = current
            elif match is not None and match.province is not None and province is None:
                province = match.province
        if commune is None and data.latitude is not None and data.longitude is not None:
            commune = _nearest_commune(data.latitude, data.longitude)
    if commune is not None:
        return _Route(queue=commune, commune=commune, village=village)
    if province is None:
        province = _default_province()
    if province is None:
        field_name = "address" if data.address_text.strip() else "province"
        raise ValidationError(
            {
                field_name: _(
                    "Chưa xác định được nơi xảy ra: hãy chọn xã/phường, hoặc chọn tỉnh/thành phố "
                    "nếu không nhớ địa điểm."
                )
            }
        )
    return _Route(queue=province, commune=None, village=None)


def _save_media(
    tip: Tip, items: Sequence[ProcessedMedia], message: TipMessage | None, saved: list[str]
) -> None:
    now = _now()
    for item in items:
        name = default_storage.save(
            f"tips/{now:%Y/%m}/{secrets.token_hex(16)}.{item.extension}",
            ContentFile(item.content),
        )
        saved.append(name)
        media = TipMedia(
            tip=tip,
            message=message,
            kind=item.kind,
            file=name,
            content_type=item.content_type,
            size=len(item.content),
            width=item.width,
            height=item.height,
        )
        media.full_clean(validate_unique=False, validate_constraints=False)
        media.save()


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not remove an upload of a failed submission")


def _insert_with_fresh_code(tip: Tip) -> None:
    """Insert ``tip`` under a random tracking code; draw again on the rare collision.

    The savepoint is taken only inside an outer atomic block that must survive a collision
    (Zalo intake); public intake retries the whole transaction instead (``tip_submit``),
    which saves two round trips on every submission.
    """
    if not tip.tracking_code:
        tip.tracking_code = tip_perms.tracking_code_new()
    _tip_insert(tip)


# {database alias: (INSERT ... RETURNING id, the fields in column order), or None where the
# ORM must do it (see ``_tip_insert_statement``)}
_TIP_INSERT_SQL: dict[str, tuple[str, list[Any]] | None] = {}


def _tip_insert_statement(alias: str) -> tuple[str, list[Any]] | None:
    conn = connections[alias]
    meta = Tip._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    if (
        not conn.features.can_return_columns_from_insert
        or list(meta.db_returning_fields) != [meta.pk]
        or any(getattr(f, "generated", False) or f.has_db_default() for f in fields)
    ):
        return None
    quote = conn.ops.quote_name
    # Only names from the model's metadata go into the text; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
        quote(str(meta.pk.column)),
    )
    return sql, fields


def _tip_insert(tip: Tip) -> None:
    """INSERT a new ``tip`` exactly as ``tip.save(force_insert=True)`` would, but faster.

    The statement is built once per database from the model's fields; each call only runs
    every field's ``pre_save`` (timestamps) and ``get_db_prep_save`` (conversion), as the
    ORM does, and sends ``pre_save``/``post_save``. Django's insert compiler costs a public
    submission about as much as everything else the service does (38 columns). The ORM
    still does it where the new id cannot come back from the INSERT, or once the model
    gains generated or database-default columns.
    """
    alias = router.db_for_write(Tip, instance=tip)
    if alias not in _TIP_INSERT_SQL:
        _TIP_INSERT_SQL[alias] = _tip_insert_statement(alias)
    statement = _TIP_INSERT_SQL[alias]
    if statement is None or tip.pk is not None:
        tip.save(force_insert=True, using=alias)
        return
    sql, fields = statement
    conn = connections[alias]
    signals.pre_save.send(sender=Tip, instance=tip, raw=False, using=alias, update_fields=None)
    params = [f.get_db_prep_save(f.pre_save(tip, True), conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    tip.pk = row[0]
    tip._state.adding = False
    tip._state.db = alias
    signals.post_save.send(
        sender=Tip, instance=tip, created=True, update_fields=None, raw=False, using=alias
    )


def _is_code_collision(exc: IntegrityError) -> bool:
    return "tracking_code" in str(exc)


def _full_clean(obj: Any) -> None:
    """Validate fields and ``clean()``; leave to the database what it checks race-free.

    Uniqueness, constraints and foreign keys are enforced by the database; checking them
    here would add a racy SELECT per field to every public submission (foreign keys are
    set from rows this transaction has just read).
    """
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


# --- intake --------------------------------------------------------------------------------------


def tip_submit(
    *,
    actor: Any,
    data: TipInput,
    channel: str,
    media: Sequence[ProcessedMedia] = (),
) -> Submitted:
    """Store a citizen's tip with its cleaned media; return it with its one-time secret.

    Runs ``_tip_submit_once`` (one durable transaction) and draws a new tracking code when
    the random one was already taken (about once in 10^6 submissions at national scale).
    """
    for attempt in range(3):
        try:
            return _tip_submit_once(actor=actor, data=data, channel=channel, media=media)
        except IntegrityError as exc:
            if attempt == 2 or not _is_code_collision(exc):
                raise
    raise AssertionError("unreachable")


def _webhook_tip(event: str, tip: Tip) -> None:
    """Emit a tip event to webhook subscribers: internal id, unit code, status and channel only
    (never the text, contact or tracking code; docs/privacy.md)."""
    webhook_emit(
        event=event,
        object_type="tip",
        object_id=tip.pk,
        unit_code=tip.orgunit.code,
        summary={"status": tip.status, "channel": tip.channel},
    )


@transaction.atomic(durable=True)
def _tip_submit_once(
    *,
    actor: Any,
    data: TipInput,
    channel: str,
    media: Sequence[ProcessedMedia] = (),
) -> Submitted:
    if len(media) > settings.TIPS_MAX_FILES:
        raise ValidationError(
            {
                "attachments": _("Chỉ gửi được tối đa %(n)s ảnh/video mỗi lần.")
                % {"n": settings.TIPS_MAX_FILES}
            }
        )
    now = _now()
    if data.occurred_at is not None and data.occurred_at > now + timedelta(hours=1):
        raise ValidationError({"occurred_at": _("Thời gian xảy ra không thể ở tương lai.")})
    category = None
    if data.category_code:
        category = Category.objects.filter(code=data.category_code, is_active=True).first()
        if category is None or category.kind != data.kind:
            raise ValidationError(
                {
                    "category": _("Nhóm tin “%(code)s” không có hoặc không thuộc loại tin đã chọn.")
                    % {"code": data.category_code}
                }
            )
    route = route_tip(data)
    secret = tip_perms.secret_new()
    anonymous = data.is_anonymous
    tip = Tip(
        secret_hash=tip_perms.secret_hash(secret),
        channel=channel,
        kind=data.kind,
        category=category,
        description=data.description.strip(),
        occurred_at=data.occurred_at,
        orgunit=route.queue,
        commune=route.commune,
        village=route.village,
        address_text=data.address_text.strip()[:300],
        latitude=data.latitude,
        longitude=data.longitude,
        location_unknown=data.location_unknown,
        is_anonymous=anonymous,
        contact_name="" if anonymous else data.contact_name.strip(),
        contact_phone="" if anonymous else data.contact_phone.strip(),
        contact_email="" if anonymous else data.contact_email.strip(),
        ack_due_at=now + timedelta(hours=settings.TIPS_ACK_HOURS),
        due_at=now + timedelta(days=settings.TIPS_CONCLUDE_DAYS),
        tracking_code=tip_perms.tracking_code_new(),
    )
    _full_clean(tip)
    _insert_with_fresh_code(tip)
    saved: list[str] = []
    try:
        _save_media(tip, media, None, saved)
        audit_event_record(
            actor=actor,
            action="tip.submit",
            obj=tip,
            orgunit=tip.orgunit,
            after={
                "channel": channel,
                "kind": tip.kind,
                "category": category.code if category else "",
                "anonymous": anonymous,
                "media": len(media),
            },
        )
    except BaseException:
        _delete_files(saved)
        raise
    _webhook_tip(WebhookEvent.TIP_RECEIVED, tip)
    _metrics_after_commit([now], throttle=True)
    return Submitted(tip=tip, secret=secret)


@transaction.atomic(durable=True)
def tip_follow_up(
    *, actor: Any, tip: Tip, body: str, media: Sequence[ProcessedMedia] = (), channel: str
) -> TipMessage:
    """Add the citizen's new information (text and files) to their tip."""
    body = (body or "").strip()
    if not body and not media:
        raise ValidationError({"body": _("Hãy nhập nội dung bổ sung hoặc chọn ảnh/video.")})
    if len(media) > settings.TIPS_MAX_FILES:
        raise ValidationError(
            {
                "attachments": _("Chỉ gửi được tối đa %(n)s ảnh/video mỗi lần.")
                % {"n": settings.TIPS_MAX_FILES}
            }
        )
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    message = TipMessage(
        tip=tip,
        direction=Direction.FROM_CITIZEN,
        body=body or _("(gửi thêm ảnh/video)"),
        channel=channel,
    )
    _full_clean(message)
    message.save()
    saved: list[str] = []
    try:
        _save_media(tip, media, message, saved)
        Tip.objects.filter(pk=tip.pk).update(awaiting_officer=True, updated_at=_now())
        if tip.duplicate_of_id is not None:
            main = Tip.objects.select_for_update().get(pk=tip.duplicate_of_id)
            TipMessage.objects.create(
                tip=main,
                direction=Direction.EVENT,
                body=_("Người báo tin trùng %(code)s vừa bổ sung thông tin.")
                % {"code": tip.tracking_code},
            )
            Tip.objects.filter(pk=main.pk).update(awaiting_officer=True, updated_at=_now())
        audit_event_record(
            actor=actor,
            action="tip.follow_up",
            obj=tip,
            orgunit=tip.orgunit,
            after={"channel": channel, "media": len(media)},
        )
    except BaseException:
        _delete_files(saved)
        raise
    return message


# --- Zalo ----------------------------------------------------------------------------------------


def zalo_unit(oa_id: str) -> OrgUnit | None:
    """Return the unit a Zalo Official Account serves (``TIPS_ZALO_OA_UNITS``)."""
    code = settings.TIPS_ZALO_OA_UNITS.get(oa_id, "")
    for kind in (UnitKind.COMMUNE, UnitKind.PROVINCE):
        unit = _current_unit(code, kind)
        if unit is not None:
            return unit
    return _default_province()


def _zalo_new_tip_wanted(text: str) -> bool:
    from binhyen.core.text import fold

    return fold(text).startswith(("#moi", "tin moi"))


@transaction.atomic(durable=True)
def zalo_event_receive(*, event: ZaloInbound) -> ZaloOutcome:
    """Take in one Zalo user message: a new tip, or a follow-up to the sender's open tip.

    Idempotent: the event's ``msg_id`` is inserted first under a unique constraint, so a
    redelivery (even a concurrent one) finds it taken and changes nothing.
    """
    try:
        with transaction.atomic():
            delivery = ZaloDelivery.objects.create(msg_id=event.msg_id, event_name=event.event_name)
    except IntegrityError:
        return ZaloOutcome(tip=None, duplicate=True)
    text = event.text.strip()
    open_tip = None
    if not _zalo_new_tip_wanted(text):
        open_tip = (
            Tip.objects.select_for_update()
            .filter(
                channel=Channel.ZALO, zalo_sender_hash=event.sender_hash, status__in=OPEN_STATUSES
            )
            .order_by("-created_at")
            .first()
        )
    references = [TipMedia(kind=MediaKind.IMAGE, source_url=url) for url in event.image_urls]
    outcome: ZaloOutcome
    if open_tip is None:
        unit = zalo_unit(event.oa_id)
        if unit is None:
            raise ValidationError(_("Chưa cấu hình đơn vị nhận tin cho Official Account này."))
        now = _now()
        secret = tip_perms.secret_new()
        kind_is_commune = unit.kind == UnitKind.COMMUNE
        tip = Tip(
            secret_hash=tip_perms.secret_hash(secret),
            channel=Channel.ZALO,
            kind=TipKind.OTHER,
            description=text or _("(ảnh gửi qua Zalo)"),
            orgunit=unit,
            commune=unit if kind_is_commune else None,
            location_unknown=not kind_is_commune,
            is_anonymous=True,
            zalo_sender_hash=event.sender_hash,
            ack_due_at=now + timedelta(hours=settings.TIPS_ACK_HOURS),
            due_at=now + timedelta(days=settings.TIPS_CONCLUDE_DAYS),
            tracking_code=tip_perms.tracking_code_new(),
        )
        _full_clean(tip)
        for attempt in range(3):
            try:
                with transaction.atomic():
                    _insert_with_fresh_code(tip)
                break
            except IntegrityError as exc:
                if attempt == 2 or not _is_code_collision(exc):
                    raise
                tip.tracking_code = tip_perms.tracking_code_new()
        message = None
        outcome = ZaloOutcome(tip=tip, created=True)
        outcome.replies.append(zalo.ack_text(tip.tracking_code, secret))
        action = "tip.submit"
        _webhook_tip(WebhookEvent.TIP_RECEIVED, tip)
        _metrics_after_commit([now], throttle=True)
    else:
        tip = open_tip
        message = TipMessage(
            tip=tip,
            direction=Direction.FROM_CITIZEN,
            body=text or _("(ảnh gửi qua Zalo)"),
            channel=Channel.ZALO,
        )
        _full_clean(message)
        message.save()
        Tip.objects.filter(pk=tip.pk).update(awaiting_officer=True, updated_at=_now())
        outcome = ZaloOutcome(tip=tip)
        outcome.replies.append(zalo.follow_up_text(tip.tracking_code))
        action = "tip.follow_up"
    for ref in references:
        ref.tip = tip
        ref.message = message
        _full_clean(ref)
        ref.save()
    saved: list[str] = []
    try:
        _save_media(tip, event.media, message, saved)
    except BaseException:
        _delete_files(saved)
        raise
    delivery.tip = tip
    delivery.save(update_fields=["tip"])
    if event.user_id:
        ZaloContact.objects.update_or_create(
            sender_hash=event.sender_hash,
            defaults={"user_id": event.user_id, "last_seen_at": _now()},
        )
    # Officer replies that could not be pushed go out now that the conversation is open;
    # those a worker is still pushing (pending) or has sent are left to it.
    pending = list(
        TipMessage.objects.filter(
            tip__zalo_sender_hash=event.sender_hash,
            direction=Direction.TO_CITIZEN,
            delivered_at__isnull=True,
        )
        .exclude(zalo_push__status__in=(PushStatus.PENDING, PushStatus.SENT))
        .select_related("tip")
    )
    for reply in pending:
        outcome.replies.append(zalo.reply_text(reply.tip.tracking_code, reply.body))
    if pending:
        now = _now()
        ids = [m.pk for m in pending]
        TipMessage.objects.filter(pk__in=ids).update(delivered_at=now)
        ZaloPush.objects.filter(message_id__in=ids).update(
            status=PushStatus.SENT, sent_at=now, next_attempt_at=None, updated_at=now
        )
    audit_event_record(
        actor=None,
        action=action,
        obj=tip,
        orgunit=tip.orgunit,
        after={"channel": Channel.ZALO, "media": len(references) + len(event.media)},
    )
    sender_hash, user_id = event.sender_hash, event.user_id
    replies = list(outcome.replies)
    transaction.on_commit(lambda: zalo.send_replies(sender_hash, replies, user_id), robust=True)
    return outcome


# --- Zalo pushes of officer replies (run by workers) ---------------------------------------------


def _zalo_push_enqueue(push_id: int, when: datetime | None = None) -> None:
    """Enqueue the push task after commit (deferred to ``when`` if the queue can defer; the
    ``zalo_pushes_due`` sweep sends it otherwise)."""
    from django_tasks import default_task_backend

    from binhyen.tips import tasks

    if when is None:
        transaction.on_commit(lambda: tasks.zalo_push_send.enqueue(push_id), robust=True)
    elif default_task_backend.supports_defer:
        transaction.on_commit(
            lambda: tasks.zalo_push_send.using(run_after=when).enqueue(push_id), robust=True
        )


def zalo_push_backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base × 2^(attempts−1), at most six hours."""
    seconds = settings.TIPS_ZALO_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, 6 * 3600))


def _zalo_push_claim(push_id: int, now: datetime) -> ZaloPush | None:
    with transaction.atomic():
        push = (
            ZaloPush.objects.select_for_update(of=("self",))
            .select_related("message__tip")
            .filter(pk=push_id, status=PushStatus.PENDING)
            .first()
        )
        if push is None or (push.next_attempt_at is not None and push.next_attempt_at > now):
            return None
        push.next_attempt_at = now + timedelta(seconds=60)  # lease: one worker at a time
        push.save(update_fields=["next_attempt_at", "updated_at"])
        return push


def _zalo_error(exc: Exception) -> str:
    if isinstance(exc, zalo.ZaloApiError):
        return f"zalo {exc.code}"
    return type(exc).__name__


def zalo_push_attempt(push_id: int, *, now: datetime | None = None) -> str | None:
    """Try once to push an officer reply to its Zalo sender; return the status afterwards.

    Without a recent conversation (no ``ZaloContact`` within ``TIPS_ZALO_CONTACT_DAYS``) the
    OA may not write first: the push is held and the reply goes out when the sender next
    writes. Errors are recorded by code or class only, never with the text.
    """
    now = now or _now()
    push = _zalo_push_claim(push_id, now)
    if push is None:
        return None
    message = push.message
    window = now - timedelta(days=settings.TIPS_ZALO_CONTACT_DAYS)
    contact = ZaloContact.objects.filter(
        sender_hash=message.tip.zalo_sender_hash, last_seen_at__gte=window
    ).first()
    if contact is None:
        ZaloPush.objects.filter(pk=push.pk).update(
            status=PushStatus.HELD, next_attempt_at=None, last_error="no_conversation"
        )
        return PushStatus.HELD
    error = ""
    try:
        zalo.get_sender().send(
            message.tip.zalo_sender_hash,
            zalo.reply_text(message.tip.tracking_code, message.body),
            contact.user_id,
        )
    except Exception as exc:  # every failure is retried, then listed for an admin
        error = _zalo_error(exc)
    return _zalo_push_record(push.pk, error, now)


@transaction.atomic
def _zalo_push_record(push_id: int, error: str, now: datetime) -> str:
    push = ZaloPush.objects.select_for_update().get(pk=push_id)
    push.attempts += 1
    push.last_error = error[:120]
    if not error:
        push.status = PushStatus.SENT
        push.sent_at = _now()
        push.next_attempt_at = None
        TipMessage.objects.filter(pk=push.message_id).update(delivered_at=push.sent_at)
    elif push.attempts >= settings.TIPS_ZALO_MAX_ATTEMPTS:
        push.status = PushStatus.FAILED
        push.next_attempt_at = None
        logger.warning("zalo push %s failed for good after %s attempts", push.pk, push.attempts)
    else:
        push.next_attempt_at = now + zalo_push_backoff(push.attempts)
        logger.info("zalo push %s attempt %s failed: %s", push.pk, push.attempts, error)
        _zalo_push_enqueue(push.pk, push.next_attempt_at)
    push.save()
    return str(push.status)


def zalo_pushes_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Attempt every pending push that is due (the scheduler runs this every minute)."""
    now = now or _now()
    due = list(
        ZaloPush.objects.filter(status=PushStatus.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if zalo_push_attempt(pk, now=now) is not None)


def _require_integrations(actor: Any) -> None:
    if not acc_perms.has_perm_anywhere(actor, acc_perms.MANAGE_INTEGRATIONS):
        raise PermissionDenied


def _zalo_push_locked(actor: Any, push: ZaloPush, allowed: tuple[str, ...]) -> ZaloPush:
    _require_integrations(actor)
    locked = ZaloPush.objects.select_for_update().select_related("message__tip").get(pk=push.pk)
    if locked.status not in allowed:
        raise ValidationError(
            {
                "status": _("Tin trả lời đang ở trạng thái “%(s)s”, không làm được việc này.")
                % {"s": locked.get_status_display()}
            }
        )
    return locked


@transaction.atomic
def zalo_push_retry(*, actor: Any, push: ZaloPush) -> ZaloPush:
    """Queue a failed (or held) push again with a fresh attempt budget."""
    locked = _zalo_push_locked(actor, push, (PushStatus.FAILED, PushStatus.HELD))
    before = {"status": locked.status, "attempts": locked.attempts}
    locked.status = PushStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = None
    locked.full_clean()
    locked.save()
    audit_event_record(
        actor=actor,
        action="zalo_push.retry",
        obj=locked,
        orgunit=locked.message.tip.orgunit,
        before=before,
        after={"status": locked.status},
    )
    _zalo_push_enqueue(locked.pk)
    return locked


@transaction.atomic
def zalo_push_discard(*, actor: Any, push: ZaloPush) -> ZaloPush:
    """Stop pushing a failed reply (it still goes out if the sender writes again)."""
    locked = _zalo_push_locked(actor, push, (PushStatus.FAILED, PushStatus.HELD))
    before = {"status": locked.status, "attempts": locked.attempts}
    locked.status = PushStatus.DISCARDED
    locked.next_attempt_at = None
    locked.full_clean()
    locked.save()
    audit_event_record(
        actor=actor,
        action="zalo_push.discard",
        obj=locked,
        orgunit=locked.message.tip.orgunit,
        before=before,
        after={"status": locked.status},
    )
    return locked


def zalo_contacts_purge(*, now: datetime | None = None) -> int:
    """Delete Zalo user ids the OA may no longer write to (a daily retention job)."""
    now = now or _now()
    cutoff = now - timedelta(days=settings.TIPS_ZALO_CONTACT_DAYS)
    deleted, _detail = ZaloContact.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


def zalo_token_refresh_if_due() -> bool:
    """Refresh the OA access token when it is near expiry; return False if it failed."""
    try:
        zalo.token_refresh()
    except zalo.ZaloTokenError:
        return False
    return True


# --- triage --------------------------------------------------------------------------------------


def _require_triage(actor: Any, tip: Tip) -> None:
    if not tip_perms.can_triage(actor, tip):
        raise PermissionDenied(_("Bạn không có quyền xử lý tin này."))


def _is_supervisor(actor: Any, tip: Tip) -> bool:
    """Chiefs and province officers (who manage people there) may take over and assign."""
    return acc_perms.has_perm_on(actor, acc_perms.MANAGE_USERS, tip.orgunit)


def _claim_active(tip: Tip, now: datetime) -> bool:
    return (
        tip.claimed_by_id is not None
        and tip.claimed_at is not None
        and tip.claimed_at + timedelta(hours=settings.TIPS_CLAIM_HOURS) > now
    )


def _claimer_name(tip: Tip) -> str:
    user = tip.claimed_by
    return getattr(user, "display_name", "") or str(user)


def _locked(actor: Any, tip: Tip) -> Tip:
    """Return the tip locked for update after checking scope and the claim; claim it if free."""
    _require_triage(actor, tip)
    locked = (
        Tip.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "orgunit")
        .get(pk=tip.pk)
    )
    now = _now()
    if _claim_active(locked, now) and locked.claimed_by_id != actor.pk:
        raise ValidationError(
            _("Tin đang do %(name)s xử lý. Hãy trao đổi với người này, hoặc nhờ lãnh đạo giao lại.")
            % {"name": _claimer_name(locked)}
        )
    locked.claimed_by = actor
    locked.claimed_at = now
    return locked


def _save(
    tip: Tip, actor: Any, action: str, before: dict[str, Any], extra: dict[str, Any] | None = None
) -> Tip:
    _full_clean(tip)
    tip.save()
    after = model_snapshot(tip, TRIAGE_FIELDS)
    if extra:
        after.update(extra)
    audit_event_record(
        actor=actor, action=action, obj=tip, orgunit=tip.orgunit, before=before, after=after
    )
    return tip


def _event(tip: Tip, actor: Any, body: str) -> None:
    TipMessage.objects.create(tip=tip, direction=Direction.EVENT, body=body, author=actor)


def _acknowledge(tip: Tip, now: datetime) -> None:
    if tip.acknowledged_at is None:
        tip.acknowledged_at = now


@transaction.atomic
def tip_claim(*, actor: Any, tip: Tip, take_over: bool = False) -> Tip:
    """Take the tip ("đang xử lý: <name>"); a supervisor may take over someone's claim."""
    _require_triage(actor, tip)
    locked = (
        Tip.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "orgunit")
        .get(pk=tip.pk)
    )
    before = model_snapshot(locked, TRIAGE_FIELDS)
    now = _now()
    if _claim_active(locked, now) and locked.claimed_by_id != actor.pk:
        if not (take_over and _is_supervisor(actor, locked)):
            raise ValidationError(
                _("Tin đang do %(name)s xử lý.") % {"name": _claimer_name(locked)}
            )
        _event(locked, actor, _("Tiếp quản tin từ %(name)s.") % {"name": _claimer_name(locked)})
    locked.claimed_by = actor
    locked.claimed_at = now
    return _save(locked, actor, "tip.claim", before)


@transaction.atomic
def tip_release(*, actor: Any, tip: Tip) -> Tip:
    """Give the tip back to the queue (the claimer, or a supervisor)."""
    _require_triage(actor, tip)
    locked = (
        Tip.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "orgunit")
        .get(pk=tip.pk)
    )
    if locked.claimed_by_id not in (None, actor.pk) and not _is_supervisor(actor, locked):
        raise ValidationError(_("Chỉ người đang xử lý hoặc lãnh đạo mới trả lại được tin này."))
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.claimed_by = None
    locked.claimed_at = None
    return _save(locked, actor, "tip.release", before)


@transaction.atomic
def tip_assign(*, actor: Any, tip: Tip, assignee: Any) -> Tip:
    """Give the tip to an officer who may triage it; they hold the claim from now on."""
    _require_triage(actor, tip)
    locked = (
        Tip.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "orgunit")
        .get(pk=tip.pk)
    )
    now = _now()
    if (
        _claim_active(locked, now)
        and locked.claimed_by_id != actor.pk
        and not _is_supervisor(actor, locked)
    ):
        raise ValidationError(_("Tin đang do %(name)s xử lý.") % {"name": _claimer_name(locked)})
    if not tip_perms.can_triage(assignee, locked):
        raise ValidationError(
            {"assignee": _("Người được giao không có quyền xử lý tin của đơn vị này.")}
        )
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.assigned_to = assignee
    locked.claimed_by = assignee
    locked.claimed_at = now
    _event(locked, actor, _("Giao cho %(name)s.") % {"name": getattr(assignee, "display_name", "")})
    return _save(locked, actor, "tip.assign", before)


@transaction.atomic
def tip_set_priority(*, actor: Any, tip: Tip, priority: int) -> Tip:
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Mức ưu tiên không hợp lệ.")})
    locked = _locked(actor, tip)
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.priority = priority
    return _save(locked, actor, "tip.priority", before)


@transaction.atomic
def tip_classify(*, actor: Any, tip: Tip, kind: str, category: Category | None) -> Tip:
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
def tip_verify_start(*, actor: Any, tip: Tip) -> Tip:
    """Move a new tip to "đang xác minh"; this acknowledges it."""
    locked = _locked(actor, tip)
    if locked.status != Status.NEW:
        raise ValidationError({"status": _("Chỉ tin mới mới chuyển sang xác minh được.")})
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.status = Status.VERIFYING
    _acknowledge(locked, _now())
    return _save(locked, actor, "tip.verify", before)


@transaction.atomic
def tip_conclude(*, actor: Any, tip: Tip, status: str, outcome: str) -> Tip:
    """Conclude as handled or unfounded, saying what was done (never a bare "closed")."""
    if status not in (Status.RESOLVED, Status.UNFOUNDED):
        raise ValidationError({"status": _("Chọn kết quả: đã xử lý hoặc không có cơ sở.")})
    locked = _locked(actor, tip)
    if not locked.is_open:
        raise ValidationError({"status": _("Tin đã kết thúc; hãy mở lại trước khi kết luận lại.")})
    before = model_snapshot(locked, TRIAGE_FIELDS)
    now = _now()
    locked.status = status
    locked.outcome = (outcome or "").strip()
    locked.concluded_at = now
    locked.awaiting_officer = False
    _acknowledge(locked, now)
    saved = _save(locked, actor, "tip.conclude", before, {"outcome_length": len(locked.outcome)})
    _event(saved, actor, _("Kết luận: %(status)s.") % {"status": saved.get_status_display()})
    _webhook_tip(WebhookEvent.TIP_CLOSED, saved)
    _metrics_after_commit([saved.created_at, now], throttle=False)
    return saved


@transaction.atomic
def tip_reopen(*, actor: Any, tip: Tip, reason: str) -> Tip:
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
    _event(locked, actor, _("Mở lại: %(reason)s") % {"reason": reason})
    saved = _save(locked, actor, "tip.reopen", before)
    _metrics_after_commit([saved.created_at, concluded_at], throttle=False)
    return saved


@transaction.atomic
def tip_reply(*, actor: Any, tip: Tip, body: str) -> TipMessage:
    """Send a message to the citizen (read with the tracking code; via Zalo for Zalo tips)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Hãy nhập nội dung trả lời.")})
    locked = _locked(actor, tip)
    before = model_snapshot(locked, TRIAGE_FIELDS)
    message = TipMessage(
        tip=locked, direction=Direction.TO_CITIZEN, body=body, author=actor, channel=locked.channel
    )
    _full_clean(message)
    message.save()
    _acknowledge(locked, _now())
    locked.awaiting_officer = False
    _save(locked, actor, "tip.reply", before, {"reply_length": len(body)})
    if locked.channel == Channel.ZALO and locked.zalo_sender_hash:
        push = ZaloPush.objects.create(message=message)
        _zalo_push_enqueue(push.pk)
    return message


@transaction.atomic
def tip_note_add(*, actor: Any, tip: Tip, body: str) -> TipMessage:
    """Add an internal note (never shown to the citizen)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Hãy nhập nội dung ghi chú.")})
    locked = _locked(actor, tip)
    before = model_snapshot(locked, TRIAGE_FIELDS)
    message = TipMessage(tip=locked, direction=Direction.INTERNAL, body=body, author=actor)
    _full_clean(message)
    message.save()
    _save(locked, actor, "tip.note", before)
    return message


@transaction.atomic
def tip_transfer(
    *, actor: Any, tip: Tip, reason: str, to_unit: OrgUnit | None = None, to_body: str = ""
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
    now = _now()
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
            locked,
            actor,
            _("Chuyển từ %(old)s đến %(new)s. Lý do: %(reason)s")
            % {"old": old_name, "new": to_unit.name, "reason": reason},
        )
        saved = _save(locked, actor, "tip.transfer", before)
        _metrics_after_commit([saved.created_at], throttle=False)
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
    _event(saved, actor, saved.outcome)
    _webhook_tip(WebhookEvent.TIP_CLOSED, saved)
    _metrics_after_commit([saved.created_at, now], throttle=False)
    return saved


@transaction.atomic
def tip_merge(*, actor: Any, tip: Tip, into: Tip, note: str = "") -> Tip:
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
    now = _now()
    locked.status = Status.DUPLICATE
    locked.duplicate_of = target
    locked.outcome = _("Trùng với tin %(code)s, được xử lý chung với tin đó.") % {
        "code": target.tracking_code
    } + (f" {note.strip()}" if note.strip() else "")
    locked.concluded_at = now
    _acknowledge(locked, now)
    saved = _save(locked, actor, "tip.merge", before, {"into": target.tracking_code})
    _event(target, actor, _("Gộp tin trùng %(code)s vào tin này.") % {"code": saved.tracking_code})
    Tip.objects.filter(pk=target.pk).update(
        is_valuable=target.is_valuable or saved.is_valuable, updated_at=now
    )
    _webhook_tip(WebhookEvent.TIP_CLOSED, saved)
    _metrics_after_commit([saved.created_at, target.created_at], throttle=False)
    return saved


@transaction.atomic
def tip_mark_valuable(*, actor: Any, tip: Tip, valuable: bool) -> Tip:
    """Flag (or unflag) the tip as "tin có giá trị"; the monthly count follows at once."""
    locked = _locked(actor, tip)
    before = model_snapshot(locked, TRIAGE_FIELDS)
    locked.is_valuable = valuable
    saved = _save(locked, actor, "tip.valuable", before)
    _metrics_after_commit([saved.created_at], throttle=False)
    return saved


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str


@transaction.atomic
def tip_contact_reveal(*, actor: Any, tip: Tip) -> Contact:
    """Return a named tip's contact details to an allowed officer, logging the view."""
    if not tip_perms.can_view_contact(actor, tip):
        raise PermissionDenied(_("Bạn không có quyền xem thông tin liên hệ của người báo tin."))
    if tip.is_anonymous or not tip.has_contact:
        raise ValidationError(_("Tin ẩn danh: không có thông tin liên hệ nào được lưu."))
    audit_event_record(actor=actor, action="tip.contact_view", obj=tip, orgunit=tip.orgunit)
    return Contact(name=tip.contact_name, phone=tip.contact_phone, email=tip.contact_email)


# --- service levels ------------------------------------------------------------------------------


def _escalation_target(tip: Tip) -> OrgUnit | None:
    parent = tip.orgunit.parent
    while parent is not None and parent.kind == UnitKind.DISTRICT:
        parent = parent.parent
    return parent


@transaction.atomic
def tips_escalate_overdue(*, actor: Any = None, now: datetime | None = None) -> int:
    """Escalate open tips past a deadline to the parent level; return how many were escalated.

    Level 1: not acknowledged within ``TIPS_ACK_HOURS``; level 2: not concluded within
    ``TIPS_CONCLUDE_DAYS``. Each level is raised once per tip. Also re-syncs the tip metrics
    of this month and the last, so numbers missed by the intake throttle catch up.
    """
    now = now or _now()
    ack_late = Tip.objects.filter(
        status=Status.NEW, acknowledged_at__isnull=True, ack_due_at__lt=now, escalation_level=0
    )
    conclude_late = Tip.objects.filter(
        status__in=OPEN_STATUSES, due_at__lt=now, escalation_level__lt=2
    )
    count = 0
    for level, queryset in ((2, conclude_late), (1, ack_late)):
        for tip in queryset.select_for_update(skip_locked=True, of=("self",)).select_related(
            "orgunit__parent"
        ):
            if tip.escalation_level >= level:
                continue
            before = model_snapshot(tip, ["escalation_level", "escalated_to"])
            target = _escalation_target(tip)
            tip.escalation_level = level
            tip.escalated_to = target
            tip.escalated_at = now
            _full_clean(tip)
            tip.save(
                update_fields=["escalation_level", "escalated_to", "escalated_at", "updated_at"]
            )
            reason = _("Quá hạn tiếp nhận") if level == 1 else _("Quá hạn xử lý")
            TipMessage.objects.create(
                tip=tip,
                direction=Direction.EVENT,
                body=_("%(reason)s: đã báo cáo lên %(unit)s.")
                % {"reason": reason, "unit": target.name if target else "—"},
            )
            audit_event_record(
                actor=actor,
                action="tip.escalate",
                obj=tip,
                orgunit=tip.orgunit,
                before=before,
                after={"escalation_level": level, "escalated_to": target.code if target else ""},
            )
            count += 1
    today = timezone.localdate(now)
    this_month = Period.containing(PeriodKind.MONTH, today)
    codes = [this_month.code, this_month.shift(-1).code]
    transaction.on_commit(lambda: metrics_sync_now(codes), robust=True)
    return count


__all__ = [
    "CONCLUDED_STATUSES",
    "Contact",
    "Submitted",
    "TipInput",
    "ZaloInbound",
    "ZaloOutcome",
    "metrics_resync_enqueue",
    "metrics_sync_now",
    "pin_check",
    "route_tip",
    "tip_assign",
    "tip_claim",
    "tip_classify",
    "tip_conclude",
    "tip_contact_reveal",
    "tip_follow_up",
    "tip_mark_valuable",
    "tip_merge",
    "tip_note_add",
    "tip_release",
    "tip_reopen",
    "tip_reply",
    "tip_set_priority",
    "tip_submit",
    "tip_transfer",
    "tip_verify_start",
    "tips_escalate_overdue",
    "unit_cache_clear",
    "zalo_event_receive",
]
