"""Reads of emulation and rewards.

Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- Search is diacritic-insensitive ("giay khen" finds "Giấy khen"); filters only narrow.
- Other apps are read through their selectors only (community pledges and teams, targets'
  progress, the tips of a tipster reward) and figures through the indicators engine.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as perms
from binhyen.awards import codes
from binhyen.awards.models import (
    LEVEL_UNIT_KIND,
    CatalogueEntry,
    Decision,
    Drive,
    EntryCategory,
    Level,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Registration,
    Review,
    ReviewStatus,
    Reward,
)
from binhyen.awards.permissions import acting_paths
from binhyen.core.text import fold
from binhyen.core.web import not_found as web_not_found
from binhyen.orgunits.models import OrgUnit

MAX_QUERY_LENGTH = 100


def setting(name: str, default: Any = None) -> Any:
    return getattr(settings, "AWARDS", {}).get(name, default)


def not_found_message() -> str:
    return _("Không tìm thấy hoặc bạn không có quyền xem.")


def not_found() -> Exception:
    return web_not_found(not_found_message())


def _words(q: str | None) -> list[str]:
    return [w for w in fold((q or "").strip()[:MAX_QUERY_LENGTH]).split(" ") if w]


def _search(field_name: str, q: str | None) -> Q:
    condition = Q()
    for word in _words(q):
        condition &= Q(**{f"{field_name}__contains": word})
    return condition


def visible_units(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user)


def unit_get(*, user: Any, code: str) -> OrgUnit:
    unit = visible_units(user).filter(code=str(code)[:64]).first()
    if unit is None:
        raise not_found()
    return unit


def home_unit(*, user: Any) -> OrgUnit | None:
    """Return the user's outermost unit (the default of pages that need one)."""
    if perms.is_superadmin(user):
        return OrgUnit.objects.filter(parent__isnull=True).order_by("code").first()
    paths = perms.scope_paths(user, perms.VIEW_UNITS)
    return OrgUnit.objects.filter(path__in=paths).order_by("level", "name_folded").first()


def ancestor_of_kind(unit: OrgUnit, kind: str) -> OrgUnit | None:
    """Return ``unit`` or its nearest ancestor of ``kind`` (None when there is none)."""
    if unit.kind == kind:
        return unit
    codes_ = [p for p in unit.path.strip("/").split("/") if p]
    return OrgUnit.objects.filter(code__in=codes_, kind=kind).order_by("-level").first()


def deciding_unit_for(unit: OrgUnit, level: str) -> OrgUnit | None:
    return ancestor_of_kind(unit, LEVEL_UNIT_KIND[Level(level)])


def country() -> OrgUnit | None:
    return OrgUnit.objects.filter(kind="country").order_by("code").first()


def today() -> date:
    return timezone.localdate()


# --- catalogue -------------------------------------------------------------------------------


def province_of(unit: OrgUnit | None) -> OrgUnit | None:
    return ancestor_of_kind(unit, "province") if unit is not None else None


def entries_for(unit: OrgUnit | None, *, category: str | None = None) -> list[CatalogueEntry]:
    """Return the entries in force for ``unit``: the national rows, replaced by its province's."""
    province = province_of(unit)
    rows = CatalogueEntry.objects.filter(is_active=True).filter(
        Q(province__isnull=True) | Q(province=province)
    )
    if category:
        rows = rows.filter(category=category)
    chosen: dict[str, CatalogueEntry] = {}
    for row in rows.order_by("sort_order", "name"):
        if row.code not in chosen or row.province_id is not None:
            chosen[row.code] = row
    return sorted(chosen.values(), key=lambda r: (r.category, r.sort_order, r.name))


def forms_for(unit: OrgUnit | None) -> list[CatalogueEntry]:
    """Return what a unit may propose: forms and titles in force for it."""
    return entries_for(unit)


def catalogue_list(
    *, user: Any, q: str | None = None, category: str | None = None
) -> QuerySet[CatalogueEntry]:
    provinces = visible_units(user).filter(kind="province")
    rows = CatalogueEntry.objects.filter(Q(province__isnull=True) | Q(province__in=provinces))
    if category:
        rows = rows.filter(category=category)
    if q:
        rows = rows.filter(_search("name_folded", q))
    return rows.select_related("province").order_by(
        "category", "province__code", "sort_order", "name"
    )


def entry_get(*, user: Any, pk: int) -> CatalogueEntry:
    row = catalogue_list(user=user).filter(pk=pk).first()
    if row is None or not visible_units(user).exists():
        raise not_found()
    return row


# --- drives and registrations ------------------------------------------------------------------


def drive_list(*, user: Any, q: str | None = None, year: int | None = None) -> QuerySet[Drive]:
    drives = Drive.objects.filter(orgunit__in=visible_units(user))
    if year:
        drives = drives.filter(year=year)
    if q:
        drives = drives.filter(_search("title_folded", q))
    return (
        drives.select_related("orgunit")
        .annotate(n=Count("registrations"))
        .order_by("-year", "orgunit__path", "title")
    )


def drive_get(*, user: Any, pk: int) -> Drive:
    drive = Drive.objects.filter(orgunit__in=visible_units(user), pk=pk).select_related("orgunit")
    found = drive.first()
    if found is None:
        raise not_found()
    return found


def registrations(*, drive: Drive) -> QuerySet[Registration]:
    return drive.registrations.select_related("orgunit", "pledge").order_by("orgunit__path", "name")


def registration_get(*, user: Any, pk: int) -> Registration:
    found = (
        Registration.objects.filter(drive__orgunit__in=visible_units(user), pk=pk)
        .select_related("drive", "orgunit")
        .first()
    )
    if found is None:
        raise not_found()
    return found


def pledges_to_link(*, user: Any, drive: Drive) -> list[Any]:
    """Return the community pledges of the drive's year and subtree not linked yet."""
    from binhyen.community import selectors as community_selectors

    linked = set(drive.registrations.exclude(pledge=None).values_list("pledge_id", flat=True))
    return [
        p
        for p in community_selectors.pledge_list(user=user, unit=drive.orgunit, year=drive.year)
        if p.pk not in linked
    ]


# --- reviews ---------------------------------------------------------------------------------


def review_list(*, user: Any, year: int | None = None) -> QuerySet[Review]:
    reviews = Review.objects.filter(orgunit__in=visible_units(user))
    if year:
        reviews = reviews.filter(year=year)
    return reviews.select_related("orgunit")


def review_get(*, user: Any, pk: int) -> Review:
    found = review_list(user=user).filter(pk=pk).first()
    if found is None:
        raise not_found()
    return found


def review_entry_get(*, user: Any, pk: int) -> Any:
    from binhyen.awards.models import ReviewEntry

    found = (
        ReviewEntry.objects.filter(review__orgunit__in=visible_units(user), pk=pk)
        .select_related("review", "review__orgunit", "orgunit")
        .first()
    )
    if found is None:
        raise not_found()
    return found


def review_entries(*, review: Review) -> QuerySet[Any]:
    return review.entries.select_related("orgunit", "registration", "officer").order_by(
        "subject", "orgunit__path", "name"
    )


def excellent_cap(total: int) -> int:
    """Return how many of ``total`` entries may be "excellent" (rounded down)."""
    return int(total * int(setting("EXCELLENT_CAP_PERCENT", 20)) // 100)


def review_due(year: int) -> date:
    day, month = setting("REVIEW_DUE", (30, 11))
    return date(year, month, day)


@dataclass
class Evidence:
    """What the product holds about a unit or an officer for a year (a review aid)."""

    lines: list[str] = field(default_factory=list)


def unit_evidence(*, user: Any, unit: OrgUnit, year: int) -> list[str]:
    """Return sentences of evidence for ``unit`` in ``year``: engine figures (hotspot
    removals among them, see ``EVIDENCE_METRICS``), programme results, targets met."""
    from binhyen.core import formats as vn
    from binhyen.indicators import selectors as indicator_selectors
    from binhyen.indicators.models import Metric
    from binhyen.programs import selectors as programme_selectors
    from binhyen.targets import selectors as target_selectors

    lines: list[str] = []
    codes_ = list(
        Metric.objects.filter(code__in=setting("EVIDENCE_METRICS", []), is_active=True)
        .order_by("sort_order")
        .values_list("code", flat=True)
    )
    if codes_:
        # One question to the engine: it sums or takes the last value of finer periods.
        try:
            result = indicator_selectors.analytics(
                user=user,
                metric_codes=codes_,
                unit_codes=[unit.code],
                period_codes=[str(year)],
                compare=False,
            )
        except indicator_selectors.AnalyticsInputError:
            result = None
        names = {m.code: m.name for m in result.metrics} if result else {}
        for row in result.rows if result else []:
            if row.value and not row.option:
                lines.append(f"{names.get(row.metric, row.metric)}: {vn.format_number(row.value)}")
    lines += programme_selectors.unit_results(unit=unit, year=year)
    progress = target_selectors.unit_progress(user=user, unit=unit, year=year)
    if progress:
        met = sum(1 for p in progress if p.status in ("met", "exceeded"))
        lines.append(_("Chỉ tiêu đạt: %(met)s/%(all)s") % {"met": met, "all": len(progress)})
    return lines


def officer_evidence(*, officer: Any, unit: OrgUnit, year: int) -> list[str]:
    """Return the officer's record of the year (a review aid, never a verdict): reports sent on
    time (by each form's own deadline), tips concluded within their deadline, and the
    commune's programme files passed by the verifier."""
    from binhyen.indicators.models import Submission
    from binhyen.programs import selectors as programme_selectors
    from binhyen.tips import selectors as tip_selectors

    sent = list(
        Submission.objects.filter(
            submitted_by=officer,
            orgunit=unit,
            period_start__year=year,
            first_submitted_at__isnull=False,
        ).select_related("form")
    )
    lines = []
    if sent:
        on_time = sum(1 for s in sent if s.on_time)
        lines.append(_("Báo cáo gửi đúng hạn: %(ok)s/%(all)s") % {"ok": on_time, "all": len(sent)})
    else:
        lines.append(_("Chưa gửi báo cáo nào trong năm."))
    concluded, within = tip_selectors.officer_tip_record(officer=officer, year=year)
    if concluded:
        lines.append(
            _("Tin báo kết thúc đúng hạn: %(ok)s/%(all)s") % {"ok": within, "all": concluded}
        )
    files, passed = programme_selectors.unit_files_verified(unit=unit, year=year)
    if files:
        lines.append(
            _("Hồ sơ công nhận của đơn vị được thẩm định đạt: %(ok)s/%(all)s")
            % {"ok": passed, "all": files}
        )
    return lines


def commune_officers(unit: OrgUnit) -> list[Any]:
    """Return the commune police officers (chief and officers) assigned on ``unit``."""
    from binhyen.accounts.models import Role, RoleAssignment

    rows = (
        RoleAssignment.objects.filter(
            orgunit=unit, role__in=[Role.COMMUNE_CHIEF, Role.COMMUNE_OFFICER], user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
    )
    seen: dict[int, Any] = {}
    for row in rows:
        seen.setdefault(row.user_id, row.user)
    return list(seen.values())


def security_teams(*, user: Any, unit: OrgUnit) -> list[Any]:
    from binhyen.community import selectors as community_selectors

    return list(community_selectors.team_list(user=user, unit=unit))


# --- proposals -------------------------------------------------------------------------------


def proposals_visible(user: Any) -> QuerySet[Proposal]:
    units = visible_units(user)
    return Proposal.objects.filter(Q(orgunit__in=units) | Q(current_unit__in=units))


def proposal_list(
    *,
    user: Any,
    q: str | None = None,
    status: str | None = None,
    year: int | None = None,
    waiting: bool = False,
) -> QuerySet[Proposal]:
    proposals = proposals_visible(user)
    if status:
        proposals = proposals.filter(status=status)
    if year:
        proposals = proposals.filter(year=year)
    if waiting:
        proposals = proposals.filter(
            status=ProposalStatus.PENDING, current_unit__path__in=acting_paths(user)
        )
    if q:
        proposals = proposals.filter(
            _search("achievement_folded", q) | Q(nominees__name_folded__contains=fold(q)[:100])
        ).distinct()
    return proposals.select_related("orgunit", "form", "current_unit", "deciding_unit").order_by(
        "-created_at", "-id"
    )


def proposal_get(*, user: Any, pk: int) -> Proposal:
    found = proposal_list(user=user).filter(pk=pk).first()
    if found is None:
        raise not_found()
    return found


def proposal_due(proposal: Proposal) -> date | None:
    if proposal.submitted_at is None:
        return None
    days = setting("ADHOC_DAYS" if proposal.kind == ProposalKind.ADHOC else "REGULAR_DAYS", 20)
    last = proposal.steps.order_by("-created_at", "-id").first()
    since = last.created_at if last else proposal.submitted_at
    return timezone.localdate(since) + timedelta(days=int(days))


def waiting_for(*, user: Any) -> QuerySet[Proposal]:
    """Return the proposals waiting at a unit where ``user`` acts as that level."""
    return proposal_list(user=user, waiting=True)


# --- rewards and figures ----------------------------------------------------------------------


def rewards_visible(user: Any) -> QuerySet[Reward]:
    units = visible_units(user)
    return Reward.objects.filter(Q(proposer_unit__in=units) | Q(orgunit__in=units))


def reward_list(
    *,
    user: Any,
    q: str | None = None,
    year: int | None = None,
    level: str | None = None,
    form: str | None = None,
    unit: OrgUnit | None = None,
) -> QuerySet[Reward]:
    rewards = rewards_visible(user)
    if year:
        rewards = rewards.filter(year=year)
    if level:
        rewards = rewards.filter(level=level)
    if form:
        rewards = rewards.filter(form__code=form)
    if unit is not None:
        rewards = rewards.filter(proposer_unit__path__startswith=unit.path)
    if q:
        rewards = rewards.filter(_search("nominee__name_folded", q))
    return rewards.select_related("decision", "orgunit", "form", "proposer_unit").order_by(
        "-year", "-decision__decided_on", "orgunit__path", "name"
    )


def reward_get(*, user: Any, pk: int) -> Reward:
    found = reward_list(user=user).filter(pk=pk).first()
    if found is None:
        raise not_found()
    return found


def reward_by_code(code: str) -> Reward | None:
    """Return the tipster reward whose collection code is ``code`` (None when there is none)."""
    if not codes.normalise(code):
        return None
    return (
        Reward.objects.filter(code_hash=codes.hash_of(code))
        .select_related("proposer_unit", "decision")
        .first()
    )


def figures(*, user: Any, unit: OrgUnit, year: int) -> dict[str, Any]:
    """Return the unit subtree's rewards of ``year`` by level, form and kind of recipient."""
    rewards = reward_list(user=user, year=year, unit=unit)
    by_level = Counter(dict(rewards.values_list("level").annotate(n=Count("id"))))
    by_form = list(
        rewards.values("form__name", "form__code")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("-n", "form__name")
    )
    collective = rewards.filter(is_collective=True).count()
    return {
        "total": rewards.count(),
        "collective": collective,
        "individual": rewards.count() - collective,
        "by_level": [(Level(k).label, by_level.get(k, 0)) for k in Level.values],
        "by_form": by_form,
        "amount": rewards.aggregate(s=Sum("amount"))["s"] or 0,
    }


def unit_rewards(*, user: Any, unit: OrgUnit, start: date, end: date) -> list[Reward]:
    """Return the rewards ``unit`` decided between ``start`` and ``end`` (documents read it)."""
    return list(
        rewards_visible(user)
        .filter(decision__orgunit=unit, decision__decided_on__range=(start, end))
        .select_related("orgunit", "orgunit__parent", "form", "decision")
        .order_by("decision__decided_on", "decision__number", "id")
    )


def decision_get(*, user: Any, pk: int) -> Decision:
    found = (
        Decision.objects.filter(
            Q(orgunit__in=visible_units(user)) | Q(proposal__orgunit__in=visible_units(user)),
            pk=pk,
        )
        .select_related("proposal", "orgunit")
        .first()
    )
    if found is None:
        raise not_found()
    return found


def tip_rewards(*, tip_id: int) -> list[Reward]:
    """Return the decided rewards of a tip's tipster (the tracking page's notices)."""
    return list(
        Reward.objects.filter(tip_id=tip_id).select_related("form", "decision", "proposer_unit")
    )


def tip_proposals(*, tip_id: int) -> list[Proposal]:
    """Return the proposals still climbing for a tip's tipster."""
    return list(
        Proposal.objects.filter(nominees__tip_id=tip_id)
        .exclude(status=ProposalStatus.DECIDED)
        .select_related("form")
        .distinct()
    )


def tip_get(*, user: Any, pk: int) -> Any:
    """Return a tip the user may triage (404 otherwise), through the tips app's selectors."""
    from binhyen.tips import selectors as tip_selectors

    return tip_selectors.tip_get(user=user, pk=pk)


def valuable_tips_to_reward(*, user: Any, limit: int = 20) -> list[Any]:
    """Return valuable tips ``user`` triages whose tipster has no reward proposal yet."""
    from binhyen.accounts import permissions as acc
    from binhyen.tips import selectors as tip_selectors

    if not acc.has_perm_anywhere(user, acc.TRIAGE_TIPS):
        return []
    tips = tip_selectors.tip_inbox(
        user=user, filters=tip_selectors.InboxFilter(status="all", valuable=True)
    )
    proposed = set(
        Proposal.objects.filter(nominees__tip_id__isnull=False).values_list(
            "nominees__tip_id", flat=True
        )
    )
    return [t for t in tips[: limit * 5] if t.pk not in proposed][:limit]


def reviews_due(*, user: Any, year: int) -> QuerySet[Review]:
    """Return reviews waiting for ``user`` as their unit's chief or as the upper level."""
    paths = acting_paths(user)
    return (
        review_list(user=user, year=year)
        .filter(
            Q(status__in=[ReviewStatus.DRAFT, ReviewStatus.RETURNED], orgunit__path__in=paths)
            | Q(status=ReviewStatus.SUBMITTED, orgunit__parent__path__in=paths)
        )
        .order_by("orgunit__path")
    )


CATEGORY_CHOICES = EntryCategory.choices
