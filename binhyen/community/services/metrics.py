"""Publishing the community numbers to the indicators engine.

Invariants:
- A change to a published number resyncs the affected periods in the same transaction,
  from the earliest date the change touches to today, at most
  ``settings.COMMUNITY["RESYNC_MAX_PERIODS"]`` periods per metric; the older ones (history
  recorded on pre-2025 units reaches years back) are handed to the worker after commit,
  one coalesced re-sync per metric and period, so dashboards are never stale.
- ``community_metrics_sync`` has no period limit and records one ``AuditEvent``; the
  indicators app adds its own event for each period it resyncs.
- Only active provider metrics of this app's providers are touched; nothing after today.
- Inside ``metrics_deferred`` (a bulk load of many records), the writes only note what they
  would re-sync; each metric is re-synced once, over the union of their periods and with no
  period limit, when the block ends without an error (in the same transaction when the
  caller holds one).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.community import providers, selectors
from binhyen.community.services.checks import _today
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.indicators.periods import periods_in

# --- publishing numbers ----------------------------------------------------------------------

# Inside ``metrics_deferred``: metric code → (earliest start, latest end) asked for.
_deferred: ContextVar[dict[str, tuple[date, date | None]] | None] = ContextVar(
    "community_metrics_deferred", default=None
)


@contextmanager
def metrics_deferred(*, actor: Actor | None) -> Iterator[None]:
    """Collect the re-syncs the writes of the block ask for; run each metric's once at the
    end (see the module docstring). Nested blocks leave the work to the outermost."""
    if _deferred.get() is not None:
        yield
        return
    pending: dict[str, tuple[date, date | None]] = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for code, (start, end) in pending.items():
        _resync(actor=actor, codes=[code], start=start, end=end, every_period=True)


def _resync(
    *,
    actor: Actor | None,
    codes: Sequence[str],
    start: date,
    end: date | None = None,
    every_period: bool = False,
) -> int:
    """Recompute the provider metrics ``codes`` for the periods between ``start`` and ``end``.

    ``end`` defaults to today and never goes past it; at most ``RESYNC_MAX_PERIODS`` of the
    latest periods are done per metric at once, the older ones by the worker after commit
    (``every_period``: all of them at once). Returns how many values changed at once.
    """
    from binhyen.indicators.models import Metric, MetricSource
    from binhyen.indicators.services import provider_values_sync
    from binhyen.indicators.tasks import provider_resync_after_commit

    pending = _deferred.get()
    if pending is not None:
        for code in codes:
            was = pending.get(code)
            if was is None:
                pending[code] = (start, end)
            else:
                ends = [e for e in (was[1], end) if e is not None]
                wider = max(ends) if len(ends) == 2 else None
                pending[code] = (min(was[0], start), wider)
        return 0
    last = min(end or _today(), _today())
    if start > last:
        return 0
    limit = max(int(selectors.setting("RESYNC_MAX_PERIODS", 3)), 0)
    keys = {p.key for p in providers.PROVIDERS} | {providers.VILLAGES_PROVIDER}
    changed = 0
    metrics = Metric.objects.filter(
        code__in=list(codes), source=MetricSource.PROVIDER, provider_key__in=keys, is_active=True
    )
    for metric in metrics:
        periods = periods_in(metric.period_kind, start, last)
        cut = 0 if every_period else max(len(periods) - limit, 0)
        for period in periods[cut:]:
            changed += provider_values_sync(actor=actor, metric=metric, period_code=period.code)
        if cut:
            provider_resync_after_commit(
                metrics=[metric], period_codes=[p.code for p in periods[:cut]]
            )
    return changed


@transaction.atomic
def community_metrics_sync(*, actor: Actor | None, start: date, end: date | None = None) -> int:
    """Recompute every number this app publishes between ``start`` and ``end`` (no limit).

    For a daily job and for back-filling after an import; returns how many values changed.
    """
    from binhyen.indicators.models import Metric, MetricSource
    from binhyen.indicators.services import provider_values_sync

    last = min(end or _today(), _today())
    if start > last:
        raise ValidationError({"start": _("Ngày bắt đầu phải trước ngày kết thúc.")})
    keys = {p.key for p in providers.PROVIDERS} | {providers.VILLAGES_PROVIDER}
    changed = 0
    for metric in Metric.objects.filter(
        source=MetricSource.PROVIDER, provider_key__in=keys, is_active=True
    ):
        for period in periods_in(metric.period_kind, start, last):
            changed += provider_values_sync(actor=actor, metric=metric, period_code=period.code)
    audit_event_record(
        actor=actor,
        action="community.metrics_sync",
        after={"start": start, "end": last, "changed": changed},
    )
    return changed
