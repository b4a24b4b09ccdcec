"""Reads of tips: the officers' inbox and tip page, the citizen's view, public unit lists.

Invariants:
- Officer reads start from ``OrgUnit.objects.visible_to(user)`` narrowed to the units where
  the user holds ``TRIAGE_TIPS``; a tip outside that scope and a missing tip both raise the
  same ``Http404``.
- Citizen reads need the tracking code and the secret; a wrong code and a wrong secret give
  the same ``None``, and the citizen sees only replies and their own messages (never
  internal notes, events, officers' names or other tips).
- The public unit lists (provinces, communes, villages for the intake form) show only
  current units of the administrative map, which is public information.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as acc_perms
from binhyen.core.actors import Actor
from binhyen.core.collation import vi_order
from binhyen.core.search import text_search
from binhyen.core.text import fold
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.tips import permissions as tip_perms
from binhyen.tips.models import (
    OPEN_STATUSES,
    Category,
    Direction,
    ReplyTemplate,
    Status,
    Tip,
    TipMedia,
    TipMessage,
    ZaloPush,
)

DUPLICATE_CANDIDATES = 200
DUPLICATE_SHOWN = 5
DUPLICATE_MIN_SCORE = 0.25
_WORD = re.compile(r"[a-z0-9]{3,}")


def not_found_message() -> str:
    return _("Không tìm thấy tin hoặc bạn không có quyền xem tin này.")


def triage_units(user: Actor) -> QuerySet[OrgUnit]:
    """Return the units whose tip queues ``user`` may work on."""
    paths = acc_perms.scope_paths(user, acc_perms.TRIAGE_TIPS)
    if acc_perms.is_superadmin(user):
        return OrgUnit.objects.all()
    if not paths:
        return OrgUnit.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return OrgUnit.objects.visible_to(user).filter(condition)


def _scoped(user: Actor) -> QuerySet[Tip]:
    paths = acc_perms.scope_paths(user, acc_perms.TRIAGE_TIPS)
    if acc_perms.is_superadmin(user):
        return Tip.objects.all()
    if not paths:
        return Tip.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(orgunit__path__startswith=path)
    return Tip.objects.filter(condition, orgunit__in=OrgUnit.objects.visible_to(user))


@dataclass(frozen=True)
class InboxFilter:
    status: str = ""  # a status, "open" (default), "attention" or "all"
    kind: str = ""
    priority: int | None = None
    mine: bool = False
    unclaimed: bool = False
    overdue: bool = False
    escalated: bool = False
    valuable: bool = False
    q: str = ""
    unit_code: str = ""


def tip_inbox(*, user: Actor, filters: InboxFilter | None = None) -> QuerySet[Tip]:
    """Return the tips ``user`` may triage, filtered, most urgent first."""
    f = filters or InboxFilter()
    tips = _scoped(user).select_related("orgunit", "commune", "category", "claimed_by")
    now = timezone.now()
    if f.status in ("", "open"):
        tips = tips.filter(Q(status__in=OPEN_STATUSES) | Q(awaiting_officer=True))
    elif f.status == "attention":
        tips = tips.filter(awaiting_officer=True)
    elif f.status in Status.values:
        tips = tips.filter(status=f.status)
    if f.kind:
        tips = tips.filter(kind=f.kind)
    if f.priority:
        tips = tips.filter(priority=f.priority)
    if f.mine:
        tips = tips.filter(Q(claimed_by=user) | Q(assigned_to=user))
    if f.unclaimed:
        claim_cutoff = now - timedelta(hours=settings.TIPS_CLAIM_HOURS)
        tips = tips.filter(Q(claimed_by__isnull=True) | Q(claimed_at__lt=claim_cutoff))
    if f.overdue:
        tips = tips.filter(
            Q(status=Status.NEW, acknowledged_at__isnull=True, ack_due_at__lt=now)
            | Q(status__in=OPEN_STATUSES, due_at__lt=now)
        )
    if f.escalated:
        tips = tips.filter(escalation_level__gt=0, status__in=OPEN_STATUSES)
    if f.valuable:
        tips = tips.filter(is_valuable=True)
    if f.unit_code:
        tips = tips.filter(orgunit__code=f.unit_code)
    q = (f.q or "").strip()[:100]
    if q:
        code = Q(tracking_code__iexact=tip_perms.normalise_code(q))
        tips = text_search(tips, q, ["description"], or_=code)
    return tips.order_by("-priority", "due_at", "-created_at", "-id")


def tip_get(*, user: Actor, pk: int) -> Tip:
    """Return the tip if ``user`` may triage it; raise ``Http404`` otherwise."""
    tip = (
        _scoped(user)
        .select_related(
            "orgunit",
            "orgunit__parent",
            "commune",
            "village",
            "category",
            "claimed_by",
            "assigned_to",
            "duplicate_of",
            "escalated_to",
        )
        .filter(pk=pk)
        .first()
    )
    if tip is None:
        raise Http404(not_found_message())
    return tip


def tip_thread(*, tip: Tip) -> QuerySet[TipMessage]:
    """Return every entry of the tip's thread for officers (who already passed ``tip_get``)."""
    return tip.messages.select_related("author").order_by("created_at", "id")


def tip_media(*, tip: Tip) -> QuerySet[TipMedia]:
    return tip.media.order_by("created_at", "id")


def tip_media_get(*, user: Actor, tip_pk: int, media_pk: int) -> TipMedia:
    tip = tip_get(user=user, pk=tip_pk)
    media = TipMedia.objects.filter(tip=tip, pk=media_pk).exclude(file="").first()
    if media is None:
        raise Http404(not_found_message())
    return media


def tip_for_citizen(*, code: str, secret: str) -> Tip | None:
    """Return the tip if ``secret`` is its secret; None for a wrong code or secret alike."""
    normalised = tip_perms.normalise_code(code)
    tip = (
        Tip.objects.select_related("orgunit", "commune", "category", "duplicate_of")
        .filter(tracking_code=normalised)
        .first()
        if normalised
        else None
    )
    if tip is None:
        # Spend the same hashing time either way.
        tip_perms.secret_matches("sha256$0$0", secret)
        return None
    return tip if tip_perms.secret_matches(tip.secret_hash, secret) else None


def tip_public_thread(*, tip: Tip) -> QuerySet[TipMessage]:
    """Return what the citizen sees: their own messages and the replies, oldest first."""
    return tip.messages.filter(
        direction__in=(Direction.FROM_CITIZEN, Direction.TO_CITIZEN)
    ).order_by("created_at", "id")


@dataclass(frozen=True)
class DuplicateSuggestion:
    tip: Tip
    score: float
    reasons: list[str]


def _words(text: str) -> set[str]:
    return set(_WORD.findall(fold(text)))


def tip_duplicates(*, user: Actor, tip: Tip) -> list[DuplicateSuggestion]:
    """Suggest tips that may report the same thing: same place, kind and time, similar text.

    Candidates: tips the user may triage, of the same kind, about the same commune (or the
    same queue when the place is unknown), received within ``TIPS_DUPLICATE_WINDOW_DAYS``
    of this one. Score: word overlap (Jaccard) plus bonuses for the same village, category
    and a pin within about 300 m.
    """
    window = timedelta(days=settings.TIPS_DUPLICATE_WINDOW_DAYS)
    place = Q(commune=tip.commune) if tip.commune_id else Q(orgunit=tip.orgunit)
    candidates = (
        _scoped(user)
        .filter(place, kind=tip.kind)
        .filter(created_at__gte=tip.created_at - window, created_at__lte=tip.created_at + window)
        .exclude(pk=tip.pk)
        .exclude(status=Status.DUPLICATE)
        .select_related("commune", "village", "category")
        .order_by("-created_at")[:DUPLICATE_CANDIDATES]
    )
    words = _words(tip.description)
    found: list[DuplicateSuggestion] = []
    for other in candidates:
        other_words = _words(other.description)
        union = words | other_words
        score = len(words & other_words) / len(union) if union else 0.0
        reasons = [_("cùng địa bàn"), _("cùng loại tin")]
        if tip.village_id and tip.village_id == other.village_id:
            score += 0.2
            reasons.append(_("cùng thôn"))
        if tip.category_id and tip.category_id == other.category_id:
            score += 0.15
            reasons.append(_("cùng nhóm tin"))
        if (
            tip.latitude is not None
            and other.latitude is not None
            and tip.longitude is not None
            and other.longitude is not None
            and abs(tip.latitude - other.latitude) < 0.003
            and abs(tip.longitude - other.longitude) < 0.003
        ):
            score += 0.2
            reasons.append(_("vị trí gần nhau"))
        if score >= DUPLICATE_MIN_SCORE:
            found.append(
                DuplicateSuggestion(tip=other, score=round(min(score, 1.0), 2), reasons=reasons)
            )
    found.sort(key=lambda s: s.score, reverse=True)
    return found[:DUPLICATE_SHOWN]


def tip_triage_officers(*, tip: Tip) -> QuerySet[Any]:
    """Return the users who may triage ``tip`` (for assignment): roles on its unit or above."""
    from binhyen.accounts.models import User

    ancestors = [
        f"/{'/'.join(tip.orgunit.path.strip('/').split('/')[: i + 1])}/"
        for i in range(len(tip.orgunit.path.strip("/").split("/")))
    ]
    roles = [
        role for role, perms in acc_perms.ROLE_PERMISSIONS.items() if acc_perms.TRIAGE_TIPS in perms
    ]
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=roles,
            role_assignments__orgunit__path__in=ancestors,
        )
        .distinct()
        .order_by("full_name", "username")
    )


def reply_templates() -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.filter(is_active=True).order_by("name")


def categories(kind: str | None = None) -> QuerySet[Category]:
    queryset = Category.objects.filter(is_active=True)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("kind", "sort_order", "name")


# --- public unit lists ---------------------------------------------------------------------------


def public_provinces() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.current().filter(kind=UnitKind.PROVINCE).order_by(vi_order("name"))


def public_communes(*, province_code: str) -> QuerySet[OrgUnit]:
    return (
        OrgUnit.objects.current()
        .filter(kind=UnitKind.COMMUNE, parent__code=province_code, parent__valid_to__isnull=True)
        .order_by(vi_order("name"))
    )


def public_villages(*, commune_code: str) -> QuerySet[OrgUnit]:
    return (
        OrgUnit.objects.current()
        .filter(kind=UnitKind.VILLAGE, parent__code=commune_code, parent__kind=UnitKind.COMMUNE)
        .order_by(vi_order("name"))
    )


def public_unit(*, code: str) -> OrgUnit | None:
    """Return a current province, commune or village by code (to pre-fill the form)."""
    return (
        OrgUnit.objects.current()
        .select_related("parent", "parent__parent")
        .filter(code=code, kind__in=(UnitKind.PROVINCE, UnitKind.COMMUNE, UnitKind.VILLAGE))
        .first()
    )


def is_overdue(tip: Tip, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if not tip.is_open:
        return False
    return tip.due_at < now or (tip.acknowledged_at is None and tip.ack_due_at < now)


def claim_active(tip: Tip, now: datetime) -> bool:
    """Return True while someone's claim on ``tip`` holds (``TIPS_CLAIM_HOURS`` from taking it);
    a concluded tip is nobody's work any more, whatever its last claim."""
    return (
        tip.is_open
        and tip.claimed_by_id is not None
        and tip.claimed_at is not None
        and tip.claimed_at + timedelta(hours=settings.TIPS_CLAIM_HOURS) > now
    )


def claimer_name(tip: Tip) -> str:
    """Return the name of the officer holding the claim on ``tip``."""
    user = tip.claimed_by
    return getattr(user, "display_name", "") or str(user)


def zalo_pushes_for(user: Actor, statuses: Sequence[str]) -> QuerySet[ZaloPush]:
    """Zalo pushes in ``statuses`` for holders of ``MANAGE_INTEGRATIONS`` (national), else none.

    Rows carry no text; the list shows the tip's internal id and unit only.
    """
    if not acc_perms.has_perm_anywhere(user, acc_perms.MANAGE_INTEGRATIONS):
        return ZaloPush.objects.none()
    return (
        ZaloPush.objects.filter(status__in=statuses)
        .select_related("message__tip__orgunit")
        .order_by("-updated_at", "-id")
    )


def officer_tip_record(*, officer: Actor, year: int) -> tuple[int, int]:
    """Return (tips the officer concluded in ``year``, of those within their deadline): the
    officer's own record for the year-end review (counts only, never a tip)."""
    concluded = Tip.objects.filter(
        claimed_by=officer, concluded_at__year=year, concluded_at__isnull=False
    )
    return concluded.count(), concluded.filter(concluded_at__lte=F("due_at")).count()
