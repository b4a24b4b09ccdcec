"""Reads of the cases app, always scoped to the requesting user (``permissions`` docstring).

Invariants:
- A case is visible through the communes the user is chief of (taken from
  ``OrgUnit.objects.visible_to(user)``), or because the user is assigned to it and still holds
  a role on its commune or on a unit inside it (a security-team member of one of its
  villages helps too): province, ministry and superusers get an empty queryset.
- A missing case and a forbidden one raise the same ``Http404`` with the same message.
- Selectors never log: the service ``case_read`` fetches through ``case_get`` and writes the
  read-audit row in the same transaction, so a page, an API call or an export cannot show a
  case without leaving its trace.
- Masking happens here (``masked``): the identity number and the judgment details leave the
  selector layer hidden unless ``services.case_field_reveal`` asked for them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as perms
from binhyen.cases import permissions
from binhyen.cases.models import Case, CaseRead, CaseType, Handover, SubjectRequest
from binhyen.cases.providers import METRIC_CODES
from binhyen.core.formats import format_date
from binhyen.core.text import fold
from binhyen.indicators import selectors as figures
from binhyen.indicators.engine import Row
from binhyen.indicators.periods import Period
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.orgunits.selectors import user_home_assignments, user_home_units

MAX_QUERY = 120
# Hidden fields and what the reveal button calls them.
HIDDEN_FIELDS = ("identity_number", "judgment")


def not_found_message() -> str:
    """Return the one message for missing and forbidden cases alike."""
    return _("Không tìm thấy hồ sơ hoặc bạn không có quyền xem hồ sơ này.")


def chief_communes(*, user: Any) -> QuerySet[OrgUnit]:
    """Return the communes (visible to ``user``) on which ``user`` is the case chief."""
    paths = permissions.chief_paths(user)
    if not paths:
        return OrgUnit.objects.none()
    return OrgUnit.objects.visible_to(user).filter(kind=UnitKind.COMMUNE, path__in=paths)


def _visible(user: Any) -> QuerySet[Case]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    chief = Q(orgunit__in=chief_communes(user=user))
    member_paths = perms.scope_paths(user, perms.VIEW_UNITS)
    if not member_paths:
        return Case.objects.filter(chief)
    # An assigned user must still hold a role on the commune or inside it.
    inside = Q()
    for path in member_paths:
        inside |= Q(orgunit__path__in=[path[:i] for i in range(1, len(path) + 1)])
    assigned = Q(
        pk__in=Case.objects.filter(helpers__user=user, helpers__ended_on__isnull=True).values("pk")
    )
    return Case.objects.filter(chief | (assigned & inside))


def case_list(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    status: str | None = None,
    case_type: str | None = None,
    q: str | None = None,
) -> QuerySet[Case]:
    """Return the cases ``user`` may read, with filters (search on the folded name)."""
    queryset = _visible(user)
    if unit is not None:
        queryset = queryset.filter(orgunit=unit)
    if status:
        queryset = queryset.filter(status=status)
    if case_type:
        queryset = queryset.filter(case_type__code=case_type)
    text = (q or "").strip()[:MAX_QUERY]
    if text:
        words = Q()
        for word in fold(text).split(" "):
            words &= Q(full_name_folded__contains=word)
        reference = text.upper().removeprefix("HS-").lstrip("0")
        if reference.isdigit():
            words |= Q(pk=int(reference))
        queryset = queryset.filter(words)
    return (
        queryset.select_related("orgunit", "case_type", "home_village")
        .annotate(last_review_on=Max("reviews__held_on"))
        .order_by("status", "-opened_on", "-pk")
    )


def case_get(*, user: Any, pk: int) -> Case:
    """Return the case if ``user`` may read it; raise ``Http404`` otherwise (no logging here)."""
    case = (
        _visible(user)
        .select_related("orgunit", "orgunit__parent", "case_type", "home_village")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(not_found_message())
    return case


def mask(value: str) -> str:
    """Hide all but the last three characters: "001203004567" → "•••••••••567"."""
    if not value:
        return ""
    keep = 3 if len(value) > 4 else 0
    return "•" * (len(value) - keep) + value[len(value) - keep :]


def masked(case: Case, revealed: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Return the hidden fields of ``case``, masked unless named in ``revealed``."""
    judgment_date = format_date(case.judgment_date) if case.judgment_date else ""
    shown = "identity_number" in revealed
    identity = case.identity_number if shown else mask(case.identity_number)
    if "judgment" in revealed:
        judgment_number, judgment_day = case.judgment_number, judgment_date
    else:
        judgment_number = mask(case.judgment_number)
        judgment_day = "••/••/••••" if judgment_date else ""
    return {
        "identity_number": identity,
        "judgment_number": judgment_number,
        "judgment_date": judgment_day,
        "identity_revealed": "identity_number" in revealed,
        "judgment_revealed": "judgment" in revealed,
    }


def review_due_on(case: Case) -> date | None:
    """Return when the next contact or review is due (the type's schedule), None if closed.

    Uses ``last_review_on`` when ``case_list`` annotated it (no query per row).
    """
    if not case.is_open:
        return None
    if hasattr(case, "last_review_on"):
        last = case.last_review_on
    else:
        last = case.reviews.order_by("-held_on").values_list("held_on", flat=True).first()
    return (last or case.opened_on) + timedelta(days=case.case_type.review_every_days)


def access_history(*, user: Any, case: Case) -> QuerySet[CaseRead]:
    """Return the reads of ``case``: for its commune chief only (else ``Http404``)."""
    if not permissions.can_manage(user, case):
        raise Http404(not_found_message())
    return case.reads.select_related("user").order_by("-at", "-pk")


def handovers_sent(*, user: Any) -> QuerySet[Handover]:
    """Return the handovers sent by the communes ``user`` is chief of (references only)."""
    return (
        Handover.objects.filter(from_unit__in=chief_communes(user=user))
        .select_related("from_unit", "to_unit", "case__case_type")
        .order_by("-requested_on", "-pk")
    )


def handovers_incoming(*, user: Any) -> QuerySet[Handover]:
    """Return the pending handovers to the communes ``user`` is chief of."""
    return (
        Handover.objects.filter(
            to_unit__in=chief_communes(user=user), status=Handover.Status.PENDING
        )
        .select_related("from_unit", "to_unit", "case__case_type")
        .order_by("requested_on", "pk")
    )


def handover_get(*, user: Any, pk: int) -> Handover:
    """Return a handover the user's commune sent or receives; ``Http404`` otherwise."""
    communes = chief_communes(user=user)
    handover = (
        Handover.objects.filter(Q(from_unit__in=communes) | Q(to_unit__in=communes), pk=pk)
        .select_related("case", "case__orgunit", "from_unit", "to_unit")
        .first()
    )
    if handover is None:
        raise Http404(not_found_message())
    return handover


def subject_request_get(*, user: Any, pk: int) -> SubjectRequest:
    """Return a data-subject request of a case ``user`` manages; ``Http404`` otherwise."""
    request = (
        SubjectRequest.objects.filter(case__in=_visible(user), pk=pk)
        .select_related("case", "case__orgunit", "case__case_type")
        .first()
    )
    if request is None or not permissions.can_manage(user, request.case):
        raise Http404(not_found_message())
    return request


def subject_requests_due(*, user: Any) -> QuerySet[SubjectRequest]:
    """Return the open data-subject requests of the user's communes, earliest deadline first."""
    return (
        SubjectRequest.objects.filter(
            case__orgunit__in=chief_communes(user=user), status=SubjectRequest.Status.OPEN
        )
        .select_related("case")
        .order_by("due_on", "pk")
    )


def case_types(*, user: Any, unit: OrgUnit | None = None) -> QuerySet[CaseType]:
    """Return the active types usable in ``unit`` (national ones and its province's)."""
    queryset = CaseType.objects.filter(is_active=True)
    if unit is None:
        return queryset.filter(province__isnull=True)
    province_paths = [unit.path[:i] for i in range(1, len(unit.path) + 1)]
    return queryset.filter(Q(province__isnull=True) | Q(province__path__in=province_paths))


def case_types_all(*, user: Any) -> QuerySet[CaseType]:
    """Return the catalogue of case types (purpose and legal basis are public to users)."""
    return CaseType.objects.select_related("province").order_by("sort_order", "name")


def subject_export_rows(case: Case) -> list[tuple[str, list[tuple[str, Any]]]]:
    """Return everything held about the person of ``case``, sheet by sheet (for the export)."""
    today = timezone.localdate()
    person = [
        (_("Mã hồ sơ"), case.reference),
        (_("Loại hồ sơ"), case.case_type.label),
        (_("Mục đích xử lý"), case.case_type.purpose_label),
        (_("Căn cứ pháp lý"), case.case_type.legal_basis),
        (_("Xã, phường"), case.orgunit.name),
        (_("Họ và tên"), case.full_name),
        (_("Năm sinh"), case.birth_year),
        (_("Số định danh cá nhân"), case.identity_number),
        (_("Thôn, tổ dân phố"), case.home_village.name if case.home_village else ""),
        (_("Số bản án, quyết định"), case.judgment_number),
        (_("Ngày bản án, quyết định"), case.judgment_date),
        (_("Ngày chấp hành xong, được đặc xá"), case.release_date),
        (_("Hết thời hạn quản lý, hỗ trợ"), case.support_until),
        (_("Nhu cầu hỗ trợ"), ", ".join(case.need_labels())),
        (_("Ngày lập hồ sơ"), case.opened_on),
        (_("Trạng thái"), case.get_status_display()),
        (_("Ngày kết thúc"), case.closed_on),
        (_("Lý do kết thúc"), case.get_closure_reason_display()),
        (_("Ngày xuất"), today),
    ]
    person += [(str(label), value) for label, value in (case.extra or {}).items()]
    helpers = [
        (h.get_kind_display(), f"{h.name} ({format_date(h.assigned_on)})")
        for h in case.helpers.all()
    ]
    tasks = [(f"{format_date(t.due_on)} {t.get_need_display()}", t.title) for t in case.tasks.all()]
    reviews = [
        (f"{format_date(r.held_on)} {r.get_kind_display()}", r.summary) for r in case.reviews.all()
    ]
    outcomes = [
        (f"{format_date(o.achieved_on)} {o.get_kind_display()}", o.note)
        for o in case.outcomes.all()
    ]
    requests = [
        (f"{format_date(r.received_on)} {r.get_kind_display()}", r.get_status_display())
        for r in case.subject_requests.all()
    ]
    return [
        (_("Người được hỗ trợ"), person),
        (_("Người giúp đỡ"), helpers),
        (_("Kế hoạch hỗ trợ"), tasks),
        (_("Gặp gỡ, đánh giá"), reviews),
        (_("Kết quả"), outcomes),
        (_("Yêu cầu của chủ thể"), requests),
    ]


def case_figures(*, user: Any, unit: OrgUnit, period: Period) -> tuple[list[Row], list[Row]]:
    """Return the unit's case totals and their breakdown (by type, by closure reason).

    Counts only, from the indicators engine (what ``CaseMetricsProvider`` published), so
    the figures scope and roll up like every other number and never carry a name.
    """

    def rows(disaggregate: bool) -> list[Row]:
        return figures.analytics(
            user=user,
            metric_codes=list(METRIC_CODES),
            unit_codes=[unit.code],
            period_codes=[period.code],
            compare=False,
            disaggregate=disaggregate,
        ).rows

    return rows(False), [r for r in rows(True) if r.option]


def figures_home_unit(*, user: Any) -> OrgUnit | None:
    """Return the unit whose case figures a user sees first: their outermost assigned unit."""
    assignments = user_home_assignments(user=user)
    if assignments:
        return assignments[0].orgunit
    homes = user_home_units(user=user)
    return homes[0] if homes else None
