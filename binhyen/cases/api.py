"""REST endpoints of the cases app, under /api/v1/cases: the same rules as the pages.

Every read of a case (one case, the list, the access history, the data-subject export) goes
through a service that writes its read-audit row. A case that is missing, of another commune
or not assigned to the caller answers 404 ``{"message", "field"}``; a caller who reads the case
but may not do the action gets 403 with the reason; bad input 400 naming the field. Hidden
fields come masked unless ``POST …/reveal`` is called (and logged). Figures are counts only.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from binhyen.cases import permissions, selectors, services
from binhyen.cases.models import Case, CaseRead, CaseType, Handover, SubjectRequest
from binhyen.core.api_kit import api_user
from binhyen.core.schemas import OFFSET_MAX, ErrorOut
from binhyen.core.web import NotFound, not_found
from binhyen.indicators import selectors as figures
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.orgunits.models import OrgUnit, UnitKind

router = Router(tags=["cases"])

NeedLiteral = Literal["papers", "residence", "training", "job", "loan", "health"]
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CaseIn(Schema):
    unit: str = Field(..., max_length=32, description="Commune code (opening only)")
    case_type: str = Field(..., max_length=32, description="Case type code")
    full_name: str = Field(..., max_length=120)
    opened_on: date
    birth_year: int | None = Field(None, ge=1900, le=2100)
    identity_number: str = Field("", max_length=12)
    home_village: str = Field("", max_length=32, description="Village code in the commune")
    judgment_number: str = Field("", max_length=60)
    judgment_date: date | None = None
    release_date: date | None = None
    support_until: date | None = None
    needs: list[NeedLiteral] = Field(default_factory=list)
    extra: dict[str, str] = Field(default_factory=dict)


class CaseHelperOut(Schema):
    id: int
    kind: str
    name: str
    user_id: int | None
    can_reveal: bool
    assigned_on: date
    ended_on: date | None


class CaseTaskOut(Schema):
    id: int
    need: str
    title: str
    due_on: date
    done_on: date | None


class CaseReviewOut(Schema):
    id: int
    kind: str
    held_on: date
    summary: str


class CaseOutcomeOut(Schema):
    id: int
    kind: str
    achieved_on: date
    note: str


class CaseHandoverOut(Schema):
    id: int
    case_reference: str
    from_unit: str
    to_unit: str
    status: str
    requested_on: date


class CaseOut(Schema):
    id: int
    reference: str
    unit: str
    case_type: str
    purpose: str
    legal_basis: str
    status: str
    opened_on: date
    full_name: str
    birth_year: int | None
    identity_number: str = Field(..., description="Masked unless revealed")
    home_village: str
    judgment_number: str = Field(..., description="Masked unless revealed")
    judgment_date: str = Field(..., description="Masked unless revealed")
    release_date: date | None
    support_until: date | None
    needs: list[str]
    extra: dict[str, str]
    closed_on: date | None
    closure_reason: str
    anonymised: bool
    next_review_on: date | None
    helpers: list[CaseHelperOut]
    tasks: list[CaseTaskOut]
    reviews: list[CaseReviewOut]
    outcomes: list[CaseOutcomeOut]


class CaseSummaryOut(Schema):
    id: int
    reference: str
    unit: str
    case_type: str
    status: str
    full_name: str
    opened_on: date


class CasePageOut(Schema):
    count: int
    items: list[CaseSummaryOut]


class CaseListQuery(Schema):
    status: Literal["open", "closed"] | None = None
    q: str = Field("", max_length=120)
    limit: int = Field(50, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


class RevealIn(Schema):
    field: Literal["identity_number", "judgment"]


class CaseHelperIn(Schema):
    kind: Literal["officer", "family", "mass_org", "other"]
    name: str = Field("", max_length=200)
    user_id: int | None = None
    can_reveal: bool = False
    assigned_on: date | None = None


class CaseTaskIn(Schema):
    need: NeedLiteral
    title: str = Field(..., max_length=255)
    due_on: date


class CaseTaskDoneIn(Schema):
    done_on: date


class CaseReviewIn(Schema):
    kind: Literal["contact", "review"]
    held_on: date
    summary: str = Field("", max_length=5000)


class CaseOutcomeIn(Schema):
    kind: Literal["employed", "loan_granted", "papers_issued", "residence", "trained"]
    achieved_on: date
    note: str = Field("", max_length=5000)


class CaseCloseIn(Schema):
    closed_on: date
    reason: Literal["settled", "moved", "period_ended", "other"]
    note: str = Field("", max_length=5000)


class CaseHandoverIn(Schema):
    to_unit: str = Field(..., max_length=32, description="Receiving commune code")
    requested_on: date | None = None


class CaseReadOut(Schema):
    at: str
    user: str
    channel: str
    field: str


class SubjectRequestIn(Schema):
    kind: Literal["access", "correction", "deletion"]
    received_on: date
    details: str = Field("", max_length=5000)


class SubjectRequestDoneIn(Schema):
    status: Literal["done", "refused"]
    response: str = Field(..., max_length=5000)
    completed_on: date


class SubjectRequestOut(Schema):
    id: int
    case_reference: str
    kind: str
    status: str
    received_on: date
    due_on: date
    completed_on: date | None


class SubjectExportSection(Schema):
    title: str
    rows: list[list[str]]


class SubjectExportOut(Schema):
    request: SubjectRequestOut
    sections: list[SubjectExportSection]


class CaseTypeIn(Schema):
    code: str = Field(..., max_length=32)
    name: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200)
    purpose: str = Field(..., max_length=5000)
    purpose_en: str = Field("", max_length=5000)
    legal_basis: str = Field(..., max_length=5000)
    province: str = Field("", max_length=32, description="Province code; empty for national")
    duration_months: int | None = Field(None, ge=1, le=240)
    review_every_days: int = Field(30, ge=1, le=366)
    extra_fields: list[str] = Field(default_factory=list)


class CaseTypeOut(Schema):
    code: str
    name: str
    name_en: str
    label: str = Field(description="name_en on English requests when set, else name")
    purpose: str
    purpose_en: str
    legal_basis: str
    province: str
    duration_months: int | None
    review_every_days: int
    extra_fields: list[str]


class CaseFigureOut(Schema):
    metric: str
    option: str
    value: float | None


class CaseFiguresOut(Schema):
    unit: str
    year: int
    figures: list[CaseFigureOut]


class FiguresQuery(Schema):
    unit: str = Field("", max_length=32, description="Unit code (default: your first unit)")
    year: int | None = Field(None, ge=2000, le=2100)


def _missing(field: str = "case_id") -> NotFound:
    return not_found(selectors.not_found_message(), field=field)


def _forbidden(exc: PermissionDenied) -> Status:
    return Status(403, {"message": str(exc), "field": None})


def case_out(case: Case, revealed: frozenset[str] = frozenset()) -> dict[str, Any]:
    hidden = selectors.masked(case, revealed)
    return {
        "id": case.pk,
        "reference": case.reference,
        "unit": case.orgunit.code,
        "case_type": case.case_type.code,
        "purpose": case.case_type.purpose_label,
        "legal_basis": case.case_type.legal_basis,
        "status": case.status,
        "opened_on": case.opened_on,
        "full_name": case.full_name,
        "birth_year": case.birth_year,
        "identity_number": hidden["identity_number"],
        "home_village": case.home_village.code if case.home_village else "",
        "judgment_number": hidden["judgment_number"],
        "judgment_date": hidden["judgment_date"],
        "release_date": case.release_date,
        "support_until": case.support_until,
        "needs": list(case.needs),
        "extra": dict(case.extra or {}),
        "closed_on": case.closed_on,
        "closure_reason": case.closure_reason,
        "anonymised": case.is_anonymised,
        "next_review_on": selectors.review_due_on(case),
        "helpers": [
            {
                "id": h.pk,
                "kind": h.kind,
                "name": h.name,
                "user_id": h.user_id,
                "can_reveal": h.can_reveal,
                "assigned_on": h.assigned_on,
                "ended_on": h.ended_on,
            }
            for h in case.helpers.all()
        ],
        "tasks": [
            {"id": t.pk, "need": t.need, "title": t.title, "due_on": t.due_on, "done_on": t.done_on}
            for t in case.tasks.all()
        ],
        "reviews": [
            {"id": r.pk, "kind": r.kind, "held_on": r.held_on, "summary": r.summary}
            for r in case.reviews.all()
        ],
        "outcomes": [
            {"id": o.pk, "kind": o.kind, "achieved_on": o.achieved_on, "note": o.note}
            for o in case.outcomes.all()
        ],
    }


def _handover_out(h: Handover) -> dict[str, Any]:
    return {
        "id": h.pk,
        "case_reference": h.case.reference,
        "from_unit": h.from_unit.code,
        "to_unit": h.to_unit.code,
        "status": h.status,
        "requested_on": h.requested_on,
    }


def _request_out(r: SubjectRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "case_reference": r.case.reference,
        "kind": r.kind,
        "status": r.status,
        "received_on": r.received_on,
        "due_on": r.due_on,
        "completed_on": r.completed_on,
    }


def _act(user: Any, case_id: int, action: Any, *, channel: str = CaseRead.Channel.API) -> Any:
    """Run one write on a case, then answer the case as read again (logged)."""
    try:
        case = selectors.case_get(user=user, pk=case_id)
        action(case)
    except Http404:
        raise _missing() from None
    except PermissionDenied as exc:
        if permissions.can_read(user, case):
            return _forbidden(exc)
        raise _missing() from None
    return case_out(services.case_read(actor=user, pk=case_id, channel=channel))


def _case_input(user: Any, unit: OrgUnit, payload: CaseIn) -> services.CaseInput:
    case_type = CaseType.objects.filter(code=payload.case_type, is_active=True).first()
    if case_type is None:
        raise ValidationError(
            {"case_type": _("Không có loại hồ sơ “%(code)s”.") % {"code": payload.case_type}}
        )
    village = None
    if payload.home_village:
        village = OrgUnit.objects.filter(code=payload.home_village, kind=UnitKind.VILLAGE).first()
        if village is None:
            raise ValidationError(
                {"home_village": _("Thôn, tổ dân phố phải thuộc xã, phường của hồ sơ.")}
            )
    data = payload.dict(exclude={"unit", "case_type", "home_village", "needs"})
    return services.CaseInput(
        case_type=case_type, home_village=village, needs=list(payload.needs), **data
    )


@router.get("/cases", response={200: CasePageOut, 401: ErrorOut}, summary="List your cases")
def case_list(request: HttpRequest, filters: Query[CaseListQuery]) -> Any:
    user = api_user(request)
    queryset = selectors.case_list(user=user, status=filters.status, q=filters.q)
    items = list(queryset[filters.offset : filters.offset + filters.limit])
    services.cases_list_read(actor=user, cases=items)
    return {
        "count": queryset.count(),
        "items": [
            {
                "id": c.pk,
                "reference": c.reference,
                "unit": c.orgunit.code,
                "case_type": c.case_type.code,
                "status": c.status,
                "full_name": c.full_name,
                "opened_on": c.opened_on,
            }
            for c in items
        ],
    }


@router.post("/cases", response={201: CaseOut, **ERRORS}, summary="Open a case (commune chief)")
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    user = api_user(request)
    unit = OrgUnit.objects.filter(code=payload.unit, kind=UnitKind.COMMUNE).first()
    if unit is None or not permissions.is_chief(user, unit):
        raise _missing("unit")
    case = services.case_open(actor=user, unit=unit, data=_case_input(user, unit, payload))
    return Status(201, case_out(services.case_read(actor=user, pk=case.pk, channel="api")))


@router.get(
    "/cases/{int:case_id}",
    response={200: CaseOut, 401: ErrorOut, 404: ErrorOut},
    summary="One case (hidden fields masked; the read is logged)",
)
def case_detail(request: HttpRequest, case_id: int) -> Any:
    user = api_user(request)
    try:
        return case_out(services.case_read(actor=user, pk=case_id, channel="api"))
    except Http404:
        raise _missing() from None


@router.put("/cases/{int:case_id}", response={200: CaseOut, **ERRORS}, summary="Correct a case")
def case_update(request: HttpRequest, case_id: int, payload: CaseIn) -> Any:
    user = api_user(request)
    return _act(
        user,
        case_id,
        lambda c: services.case_update(
            actor=user, case=c, data=_case_input(user, c.orgunit, payload)
        ),
    )


@router.post(
    "/cases/{int:case_id}/reveal",
    response={200: CaseOut, **ERRORS},
    summary="Reveal the identity number or the judgment (field permission; logged)",
)
def case_reveal(request: HttpRequest, case_id: int, payload: RevealIn) -> Any:
    user = api_user(request)
    try:
        case = services.case_field_reveal(actor=user, pk=case_id, field=payload.field)
    except Http404:
        raise _missing() from None
    except PermissionDenied as exc:
        return _forbidden(exc)
    return case_out(case, frozenset({payload.field}))


@router.post(
    "/cases/{int:case_id}/helpers", response={200: CaseOut, **ERRORS}, summary="Assign a helper"
)
def helper_add(request: HttpRequest, case_id: int, payload: CaseHelperIn) -> Any:
    user = api_user(request)

    def call(case: Case) -> Any:
        helper_user = None
        if payload.user_id is not None:
            helper_user = (
                get_user_model().objects.filter(pk=payload.user_id, is_active=True).first()
            )
            if helper_user is None:
                raise ValidationError(
                    {"user_id": _("Tài khoản được giao phải có vai trò tại xã, phường của hồ sơ.")}
                )
        return services.helper_assign(
            actor=user,
            case=case,
            kind=payload.kind,
            name=payload.name,
            user=helper_user,
            can_reveal=payload.can_reveal,
            assigned_on=payload.assigned_on,
        )

    return _act(user, case_id, call)


@router.post(
    "/cases/{int:case_id}/helpers/{int:helper_id}/end",
    response={200: CaseOut, **ERRORS},
    summary="End a helper's assignment",
)
def helper_end(request: HttpRequest, case_id: int, helper_id: int) -> Any:
    user = api_user(request)

    def call(case: Case) -> Any:
        helper = case.helpers.filter(pk=helper_id).first()
        if helper is None:
            raise Http404(selectors.not_found_message())
        return services.helper_end(actor=user, helper=helper)

    return _act(user, case_id, call)


@router.post(
    "/cases/{int:case_id}/tasks", response={200: CaseOut, **ERRORS}, summary="Add a plan task"
)
def task_add(request: HttpRequest, case_id: int, payload: CaseTaskIn) -> Any:
    user = api_user(request)
    return _act(
        user, case_id, lambda c: services.support_task_add(actor=user, case=c, **payload.dict())
    )


@router.post(
    "/cases/{int:case_id}/tasks/{int:task_id}/done",
    response={200: CaseOut, **ERRORS},
    summary="Mark a plan task done",
)
def task_done(request: HttpRequest, case_id: int, task_id: int, payload: CaseTaskDoneIn) -> Any:
    user = api_user(request)

    def call(case: Case) -> Any:
        task = case.tasks.filter(pk=task_id).first()
        if task is None:
            raise Http404(selectors.not_found_message())
        return services.support_task_done(actor=user, task=task, done_on=payload.done_on)

    return _act(user, case_id, call)


@router.post(
    "/cases/{int:case_id}/reviews",
    response={200: CaseOut, **ERRORS},
    summary="Record a contact or review",
)
def review_add(request: HttpRequest, case_id: int, payload: CaseReviewIn) -> Any:
    user = api_user(request)
    return _act(
        user, case_id, lambda c: services.review_record(actor=user, case=c, **payload.dict())
    )


@router.post(
    "/cases/{int:case_id}/outcomes", response={200: CaseOut, **ERRORS}, summary="Record an outcome"
)
def outcome_add(request: HttpRequest, case_id: int, payload: CaseOutcomeIn) -> Any:
    user = api_user(request)
    return _act(
        user, case_id, lambda c: services.outcome_record(actor=user, case=c, **payload.dict())
    )


@router.post(
    "/cases/{int:case_id}/close", response={200: CaseOut, **ERRORS}, summary="Close a case"
)
def case_close(request: HttpRequest, case_id: int, payload: CaseCloseIn) -> Any:
    user = api_user(request)
    return _act(user, case_id, lambda c: services.case_close(actor=user, case=c, **payload.dict()))


@router.post(
    "/cases/{int:case_id}/anonymise",
    response={200: CaseOut, **ERRORS},
    summary="Anonymise a closed case now (figures are kept)",
)
def case_anonymise(request: HttpRequest, case_id: int) -> Any:
    user = api_user(request)
    return _act(user, case_id, lambda c: services.case_anonymise(actor=user, case=c))


@router.post(
    "/cases/{int:case_id}/handover",
    response={201: CaseHandoverOut, **ERRORS},
    summary="Hand the case over to another commune",
)
def handover_request(request: HttpRequest, case_id: int, payload: CaseHandoverIn) -> Any:
    user = api_user(request)
    try:
        case = selectors.case_get(user=user, pk=case_id)
    except Http404:
        raise _missing() from None
    target = OrgUnit.objects.filter(code=payload.to_unit, kind=UnitKind.COMMUNE).first()
    if target is None:
        raise ValidationError(
            {"to_unit": _("Không có xã, phường mang mã %(code)s.") % {"code": payload.to_unit}}
        )
    try:
        handover = services.handover_request(
            actor=user, case=case, to_unit=target, requested_on=payload.requested_on
        )
    except PermissionDenied as exc:
        if permissions.can_read(user, case):
            return _forbidden(exc)
        raise _missing() from exc
    return Status(201, _handover_out(handover))


@router.get(
    "/handovers",
    response={200: list[CaseHandoverOut], 401: ErrorOut},
    summary="Handovers your communes sent (references only) and pending ones to them",
)
def handover_list(request: HttpRequest) -> Any:
    user = api_user(request)
    rows = list(selectors.handovers_sent(user=user)[:200])
    rows += list(selectors.handovers_incoming(user=user)[:200])
    return [_handover_out(h) for h in rows]


@router.post(
    "/handovers/{int:handover_id}/accept",
    response={200: CaseOut, **ERRORS},
    summary="Accept an incoming case (receiving commune chief)",
)
def handover_accept(request: HttpRequest, handover_id: int) -> Any:
    user = api_user(request)
    try:
        handover = selectors.handover_get(user=user, pk=handover_id)
        case = services.handover_accept(actor=user, handover=handover)
    except (Http404, PermissionDenied):
        raise _missing("handover_id") from None
    return case_out(services.case_read(actor=user, pk=case.pk, channel="api"))


@router.post(
    "/handovers/{int:handover_id}/cancel",
    response={200: CaseHandoverOut, **ERRORS},
    summary="Withdraw a pending handover (sending commune chief)",
)
def handover_cancel(request: HttpRequest, handover_id: int) -> Any:
    user = api_user(request)
    try:
        handover = selectors.handover_get(user=user, pk=handover_id)
        handover = services.handover_cancel(actor=user, handover=handover)
    except (Http404, PermissionDenied):
        raise _missing("handover_id") from None
    return _handover_out(handover)


@router.get(
    "/cases/{int:case_id}/access-history",
    response={200: list[CaseReadOut], 401: ErrorOut, 404: ErrorOut},
    summary="Who read the case, when and how (commune chief)",
)
def access_history(request: HttpRequest, case_id: int) -> Any:
    user = api_user(request)
    try:
        case = services.access_history_read(actor=user, pk=case_id)
    except (Http404, PermissionDenied):
        raise _missing() from None
    return [
        {"at": r.at.isoformat(), "user": r.user_label, "channel": r.channel, "field": r.field}
        for r in selectors.access_history(user=user, case=case)[:500]
    ]


@router.post(
    "/cases/{int:case_id}/subject-requests",
    response={201: SubjectRequestOut, **ERRORS},
    summary="Register a data-subject request (deadline set by law)",
)
def request_add(request: HttpRequest, case_id: int, payload: SubjectRequestIn) -> Any:
    user = api_user(request)
    try:
        case = selectors.case_get(user=user, pk=case_id)
    except Http404:
        raise _missing() from None
    try:
        created = services.subject_request_open(actor=user, case=case, **payload.dict())
    except PermissionDenied as exc:
        return _forbidden(exc)
    return Status(201, _request_out(created))


@router.post(
    "/subject-requests/{int:request_id}/complete",
    response={200: SubjectRequestOut, **ERRORS},
    summary="Answer a data-subject request",
)
def request_complete(request: HttpRequest, request_id: int, payload: SubjectRequestDoneIn) -> Any:
    user = api_user(request)
    try:
        subject_request = selectors.subject_request_get(user=user, pk=request_id)
        done = services.subject_request_complete(
            actor=user, request=subject_request, **payload.dict()
        )
    except (Http404, PermissionDenied):
        raise _missing("request_id") from None
    return _request_out(done)


@router.get(
    "/subject-requests/{int:request_id}/export",
    response={200: SubjectExportOut, 401: ErrorOut, 404: ErrorOut},
    summary="Everything held about the person of the request (logged)",
)
def request_export(request: HttpRequest, request_id: int) -> Any:
    user = api_user(request)
    try:
        subject_request = services.subject_export_read(actor=user, pk=request_id)
    except Http404:
        raise _missing("request_id") from None
    sections = [
        {
            "title": str(title),
            "rows": [[str(label), "" if value is None else str(value)] for label, value in rows],
        }
        for title, rows in selectors.subject_export_rows(subject_request.case)
    ]
    return {"request": _request_out(subject_request), "sections": sections}


def _type_out(t: CaseType) -> dict[str, Any]:
    return {
        "code": t.code,
        "name": t.name,
        "name_en": t.name_en,
        "label": t.label,
        "purpose": t.purpose,
        "purpose_en": t.purpose_en,
        "legal_basis": t.legal_basis,
        "province": t.province.code if t.province else "",
        "duration_months": t.duration_months,
        "review_every_days": t.review_every_days,
        "extra_fields": list(t.extra_fields or []),
    }


@router.get("/types", response={200: list[CaseTypeOut], 401: ErrorOut}, summary="Case types")
def type_list(request: HttpRequest) -> Any:
    return [_type_out(t) for t in selectors.case_types_all(user=api_user(request))]


@router.post(
    "/types",
    response={201: CaseTypeOut, **ERRORS},
    summary="Add a case type (province or national)",
)
def type_create(request: HttpRequest, payload: CaseTypeIn) -> Any:
    user = api_user(request)
    province = None
    if payload.province:
        province = OrgUnit.objects.filter(code=payload.province, kind=UnitKind.PROVINCE).first()
        if province is None:
            raise _missing("province")
    data = services.CaseTypeInput(province=province, **payload.dict(exclude={"province"}))
    try:
        created = services.case_type_create(actor=user, data=data)
    except PermissionDenied:
        raise _missing("province") from None
    return Status(201, _type_out(created))


@router.get(
    "/figures",
    response={200: CaseFiguresOut, 401: ErrorOut, 404: ErrorOut},
    summary="Case counts of a unit (aggregates only, never names)",
)
def case_figures(request: HttpRequest, query: Query[FiguresQuery]) -> Any:
    user = api_user(request)
    code = query.unit
    if not code:
        home = selectors.figures_home_unit(user=user)
        if home is None:
            raise _missing("unit")
        code = home.code
    try:
        unit = figures.units_get(user=user, codes=[code])[0]
    except (Http404, figures.AnalyticsInputError):
        raise _missing("unit") from None
    year = query.year or timezone.localdate().year
    totals, breakdown = selectors.case_figures(
        user=user, unit=unit, period=Period(PeriodKind.YEAR, year)
    )
    rows = totals + breakdown
    return {
        "unit": unit.code,
        "year": year,
        "figures": [{"metric": r.metric, "option": r.option, "value": r.value} for r in rows],
    }
