"""REST endpoints of the awards app, under /api/v1/awards: the twin of every page action.

Reads go through ``selectors`` (scoped to the caller), writes through ``services``; the
central error mapping answers a refusal or an object out of scope with 404 and bad input
with 400 naming the field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from binhyen.awards import selectors, services
from binhyen.awards.models import (
    CatalogueEntry,
    Drive,
    Proposal,
    Registration,
    Review,
    ReviewEntry,
    Reward,
)
from binhyen.core.api_kit import api_page, api_user, not_found_as
from binhyen.core.schemas import ErrorOut, PageQuery

router = Router(tags=["awards"])
READ = {401: ErrorOut, 404: ErrorOut}
WRITE = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _unit(user: Any, code: str) -> Any:
    with not_found_as("unit", selectors.not_found_message()):
        return selectors.unit_get(user=user, code=code)


# --- schemas ---------------------------------------------------------------------------------


class AwardEntryOut(Schema):
    id: int
    province: str | None
    category: str
    code: str
    name: str
    level: str
    recipients: str
    coefficient_collective: Decimal
    coefficient_individual: Decimal
    legal_basis: str
    is_active: bool

    @staticmethod
    def resolve_province(obj: CatalogueEntry) -> str | None:
        return obj.province.code if obj.province is not None else None


class AwardEntryPageOut(Schema):
    count: int
    items: list[AwardEntryOut]


class AwardEntryIn(Schema):
    national: bool = False
    province: str | None = Field(None, max_length=64, description="Province code (default: yours)")
    category: str = Field(..., max_length=8)
    code: str = Field(..., max_length=60)
    name: str = Field(..., max_length=200)
    level: str = Field(..., max_length=16)
    recipients: str = Field(..., max_length=12)
    coefficient_collective: Decimal = Field(Decimal(0), ge=0, le=100)
    coefficient_individual: Decimal = Field(Decimal(0), ge=0, le=100)
    legal_basis: str = Field("", max_length=300)
    sort_order: int = Field(0, ge=0, le=32000)


class AwardEntryPatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    level: str | None = Field(None, max_length=16)
    recipients: str | None = Field(None, max_length=12)
    coefficient_collective: Decimal | None = Field(None, ge=0, le=100)
    coefficient_individual: Decimal | None = Field(None, ge=0, le=100)
    legal_basis: str | None = Field(None, max_length=300)
    is_active: bool | None = None
    sort_order: int | None = Field(None, ge=0, le=32000)


class AwardSearchQuery(PageQuery):
    q: str | None = Field(None, max_length=100)
    year: int | None = Field(None, ge=2000, le=2100)


class AwardRegistrationOut(Schema):
    id: int
    unit: str
    kind: str
    name: str
    commitments: str
    registered_on: date
    pledge_id: int | None

    @staticmethod
    def resolve_unit(obj: Registration) -> str:
        return obj.orgunit.code


class AwardDriveOut(Schema):
    id: int
    unit: str
    title: str
    year: int
    starts_on: date
    ends_on: date
    aims: str
    criteria: str

    @staticmethod
    def resolve_unit(obj: Drive) -> str:
        return obj.orgunit.code


class AwardDriveDetailOut(AwardDriveOut):
    registrations: list[AwardRegistrationOut]

    @staticmethod
    def resolve_registrations(obj: Drive) -> list[Registration]:
        return list(selectors.registrations(drive=obj))


class AwardDrivePageOut(Schema):
    count: int
    items: list[AwardDriveOut]


class AwardDriveIn(Schema):
    unit: str = Field(..., max_length=64)
    title: str = Field(..., max_length=300)
    year: int = Field(..., ge=2000, le=2100)
    starts_on: date
    ends_on: date
    aims: str = Field("", max_length=10000)
    criteria: str = Field("", max_length=10000)


class AwardRegistrationIn(Schema):
    unit: str = Field(..., max_length=64)
    kind: str = Field(..., max_length=12)
    name: str = Field("", max_length=200)
    commitments: str = Field("", max_length=10000)
    registered_on: date | None = None


class AwardLinkedOut(Schema):
    linked: int


class AwardReviewLineOut(Schema):
    id: int
    subject: str
    unit: str
    name: str
    outcome: str
    grade: str
    evidence: list[str]
    note: str

    @staticmethod
    def resolve_unit(obj: ReviewEntry) -> str:
        return obj.orgunit.code


class AwardReviewOut(Schema):
    id: int
    unit: str
    year: int
    status: str
    comment: str

    @staticmethod
    def resolve_unit(obj: Review) -> str:
        return obj.orgunit.code


class AwardReviewDetailOut(AwardReviewOut):
    lines: list[AwardReviewLineOut]

    @staticmethod
    def resolve_lines(obj: Review) -> list[ReviewEntry]:
        return list(selectors.review_entries(review=obj))


class AwardReviewPageOut(Schema):
    count: int
    items: list[AwardReviewOut]


class AwardReviewIn(Schema):
    unit: str = Field(..., max_length=64)
    year: int = Field(..., ge=2000, le=2100)


class AwardReviewLineIn(Schema):
    outcome: str | None = Field(None, max_length=10)
    grade: str | None = Field(None, max_length=16)
    note: str = Field("", max_length=2000)


class AwardCommentIn(Schema):
    comment: str = Field("", max_length=2000)


class AwardNomineeOut(Schema):
    id: int
    kind: str
    unit: str
    name: str

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return obj.orgunit.code


class AwardStepOut(Schema):
    unit: str
    action: str
    comment: str
    at: datetime

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return obj.orgunit.code

    @staticmethod
    def resolve_at(obj: Any) -> datetime:
        return obj.created_at


class AwardProposalOut(Schema):
    id: int
    unit: str
    kind: str
    year: int
    form: str
    achievement: str
    summary: str
    status: str
    current_unit: str
    deciding_unit: str

    @staticmethod
    def resolve_unit(obj: Proposal) -> str:
        return obj.orgunit.code

    @staticmethod
    def resolve_form(obj: Proposal) -> str:
        return obj.form.code

    @staticmethod
    def resolve_current_unit(obj: Proposal) -> str:
        return obj.current_unit.code

    @staticmethod
    def resolve_deciding_unit(obj: Proposal) -> str:
        return obj.deciding_unit.code


class AwardProposalDetailOut(AwardProposalOut):
    nominees: list[AwardNomineeOut]
    history: list[AwardStepOut]

    @staticmethod
    def resolve_nominees(obj: Proposal) -> list[Any]:
        return list(obj.nominees.select_related("orgunit"))

    @staticmethod
    def resolve_history(obj: Proposal) -> list[Any]:
        return list(obj.steps.select_related("orgunit"))


class AwardProposalPageOut(Schema):
    count: int
    items: list[AwardProposalOut]


class AwardProposalQuery(AwardSearchQuery):
    status: str | None = Field(None, max_length=10)
    waiting: bool = False


class AwardProposalIn(Schema):
    unit: str = Field(..., max_length=64)
    kind: str = Field("regular", max_length=8)
    year: int = Field(..., ge=2000, le=2100)
    form: str = Field(..., max_length=60, description="Catalogue code")
    achievement: str = Field("", max_length=300)
    summary: str = Field("", max_length=10000)


class AwardNomineeIn(Schema):
    kind: str = Field(..., max_length=10)
    unit: str = Field(..., max_length=64)
    name: str = Field("", max_length=200)


class AwardDecideIn(Schema):
    number: str = Field(..., max_length=60)
    decided_on: date
    signer: str = Field(..., max_length=200)
    comment: str = Field("", max_length=2000)


class AwardRewardOut(Schema):
    id: int
    name: str
    unit: str
    is_collective: bool
    form: str
    level: str
    year: int
    decision_number: str
    decided_on: date
    amount: int | None
    collected: bool

    @staticmethod
    def resolve_unit(obj: Reward) -> str:
        return obj.orgunit.code

    @staticmethod
    def resolve_form(obj: Reward) -> str:
        return obj.form.code

    @staticmethod
    def resolve_decision_number(obj: Reward) -> str:
        return obj.decision.number

    @staticmethod
    def resolve_decided_on(obj: Reward) -> date:
        return obj.decision.decided_on

    @staticmethod
    def resolve_collected(obj: Reward) -> bool:
        return obj.collected_at is not None


class AwardRewardPageOut(Schema):
    count: int
    items: list[AwardRewardOut]


class AwardRewardQuery(AwardSearchQuery):
    level: str | None = Field(None, max_length=16)
    form: str | None = Field(None, max_length=60)


class AwardFiguresQuery(Schema):
    unit: str | None = Field(None, max_length=64)
    year: int | None = Field(None, ge=2000, le=2100)


class AwardFiguresOut(Schema):
    unit: str
    year: int
    total: int
    collective: int
    individual: int
    amount: int
    by_level: dict[str, int]
    by_form: dict[str, int]


class AwardTipRewardIn(Schema):
    form: str = Field(..., max_length=60)
    achievement: str = Field("", max_length=300)


class AwardCollectIn(Schema):
    code: str = Field(..., max_length=20)
    collector_name: str = Field("", max_length=200)


class AwardCollectOut(Schema):
    reward: int
    form: str
    amount: int | None


# --- catalogue -------------------------------------------------------------------------------


def _entry_by_code(unit: Any, code: str) -> CatalogueEntry:
    for entry in selectors.forms_for(unit):
        if entry.code == code:
            return entry
    from django.core.exceptions import ValidationError

    raise ValidationError({"form": f"Không có hình thức khen thưởng mã {code[:60]}."})


@router.get("/catalogue", response={200: AwardEntryPageOut, **READ}, summary="Titles and forms")
def catalogue(request: HttpRequest, filters: Query[AwardSearchQuery]) -> Any:
    return api_page(selectors.catalogue_list(user=api_user(request), q=filters.q), filters)


@router.post("/catalogue", response={201: AwardEntryOut, **WRITE}, summary="Add a title or form")
def entry_create(request: HttpRequest, payload: AwardEntryIn) -> Any:
    user = api_user(request)
    data = payload.dict()
    national, code = data.pop("national"), data.pop("province")
    province = None
    if not national:
        home = _unit(user, code) if code else selectors.home_unit(user=user)
        province = selectors.province_of(home)
    return Status(201, services.entry_create(actor=user, province=province, **data))


@router.patch(
    "/catalogue/{int:entry_id}", response={200: AwardEntryOut, **WRITE}, summary="Change a row"
)
def entry_update(request: HttpRequest, entry_id: int, payload: AwardEntryPatchIn) -> Any:
    user = api_user(request)
    entry = selectors.entry_get(user=user, pk=entry_id)
    return services.entry_update(actor=user, entry=entry, **payload.dict(exclude_unset=True))


# --- drives ----------------------------------------------------------------------------------


@router.get("/drives", response={200: AwardDrivePageOut, **READ}, summary="Emulation drives")
def drives(request: HttpRequest, filters: Query[AwardSearchQuery]) -> Any:
    items = selectors.drive_list(user=api_user(request), q=filters.q, year=filters.year)
    return api_page(items, filters)


@router.post("/drives", response={201: AwardDriveOut, **WRITE}, summary="Launch a drive")
def drive_create(request: HttpRequest, payload: AwardDriveIn) -> Any:
    user = api_user(request)
    data = payload.dict()
    unit = _unit(user, data.pop("unit"))
    return Status(201, services.drive_create(actor=user, unit=unit, **data))


@router.get(
    "/drives/{int:drive_id}", response={200: AwardDriveDetailOut, **READ}, summary="A drive"
)
def drive_detail(request: HttpRequest, drive_id: int) -> Any:
    return selectors.drive_get(user=api_user(request), pk=drive_id)


@router.post(
    "/drives/{int:drive_id}/registrations",
    response={201: AwardRegistrationOut, **WRITE},
    summary="Register a collective or an individual",
)
def registration_create(request: HttpRequest, drive_id: int, payload: AwardRegistrationIn) -> Any:
    user = api_user(request)
    drive = selectors.drive_get(user=user, pk=drive_id)
    data = payload.dict()
    unit = _unit(user, data.pop("unit"))
    return Status(201, services.registration_create(actor=user, drive=drive, unit=unit, **data))


@router.post(
    "/drives/{int:drive_id}/link-pledges",
    response={200: AwardLinkedOut, **WRITE},
    summary="Link the community pledges of the drive's year and subtree",
)
def drive_link(request: HttpRequest, drive_id: int) -> Any:
    user = api_user(request)
    drive = selectors.drive_get(user=user, pk=drive_id)
    return {"linked": services.drive_pledges_link(actor=user, drive=drive)}


# --- reviews ---------------------------------------------------------------------------------


@router.get("/reviews", response={200: AwardReviewPageOut, **READ}, summary="Year-end reviews")
def reviews(request: HttpRequest, filters: Query[AwardSearchQuery]) -> Any:
    return api_page(selectors.review_list(user=api_user(request), year=filters.year), filters)


@router.post("/reviews", response={201: AwardReviewDetailOut, **WRITE}, summary="Open a review")
def review_open(request: HttpRequest, payload: AwardReviewIn) -> Any:
    user = api_user(request)
    unit = _unit(user, payload.unit)
    return Status(201, services.review_open(actor=user, unit=unit, year=payload.year))


@router.get(
    "/reviews/{int:review_id}", response={200: AwardReviewDetailOut, **READ}, summary="A review"
)
def review_detail(request: HttpRequest, review_id: int) -> Any:
    return selectors.review_get(user=api_user(request), pk=review_id)


@router.post(
    "/review-lines/{int:line_id}",
    response={200: AwardReviewLineOut, **WRITE},
    summary="Mark a registration kept / not kept, or classify a collective or an officer",
)
def review_line(request: HttpRequest, line_id: int, payload: AwardReviewLineIn) -> Any:
    user = api_user(request)
    line = selectors.review_entry_get(user=user, pk=line_id)
    if line.subject == "registration":
        return services.review_entry_mark(
            actor=user, entry=line, outcome=payload.outcome or "", note=payload.note
        )
    return services.review_entry_classify(
        actor=user, entry=line, grade=payload.grade or "", note=payload.note
    )


@router.post(
    "/reviews/{int:review_id}/submit",
    response={200: AwardReviewOut, **WRITE},
    summary="The chief decides and sends up",
)
def review_submit(request: HttpRequest, review_id: int) -> Any:
    user = api_user(request)
    return services.review_submit(actor=user, review=selectors.review_get(user=user, pk=review_id))


@router.post(
    "/reviews/{int:review_id}/approve",
    response={200: AwardReviewOut, **WRITE},
    summary="The upper level approves",
)
def review_approve(request: HttpRequest, review_id: int) -> Any:
    user = api_user(request)
    return services.review_approve(actor=user, review=selectors.review_get(user=user, pk=review_id))


@router.post(
    "/reviews/{int:review_id}/return",
    response={200: AwardReviewOut, **WRITE},
    summary="The upper level returns it with a comment",
)
def review_return(request: HttpRequest, review_id: int, payload: AwardCommentIn) -> Any:
    user = api_user(request)
    review = selectors.review_get(user=user, pk=review_id)
    return services.review_return(actor=user, review=review, comment=payload.comment)


# --- proposals -------------------------------------------------------------------------------


@router.get("/proposals", response={200: AwardProposalPageOut, **READ}, summary="Proposals")
def proposals(request: HttpRequest, filters: Query[AwardProposalQuery]) -> Any:
    items = selectors.proposal_list(
        user=api_user(request),
        q=filters.q,
        status=filters.status,
        year=filters.year,
        waiting=filters.waiting,
    )
    return api_page(items, filters)


@router.post("/proposals", response={201: AwardProposalDetailOut, **WRITE}, summary="Draft one")
def proposal_create(request: HttpRequest, payload: AwardProposalIn) -> Any:
    user = api_user(request)
    data = payload.dict()
    unit = _unit(user, data.pop("unit"))
    form = _entry_by_code(unit, data.pop("form"))
    return Status(201, services.proposal_create(actor=user, unit=unit, form=form, **data))


@router.get(
    "/proposals/{int:proposal_id}",
    response={200: AwardProposalDetailOut, **READ},
    summary="A proposal with its nominees and history",
)
def proposal_detail(request: HttpRequest, proposal_id: int) -> Any:
    return selectors.proposal_get(user=api_user(request), pk=proposal_id)


@router.post(
    "/proposals/{int:proposal_id}/nominees",
    response={201: AwardNomineeOut, **WRITE},
    summary="Nominate a collective or an individual",
)
def nominee_add(request: HttpRequest, proposal_id: int, payload: AwardNomineeIn) -> Any:
    user = api_user(request)
    proposal = selectors.proposal_get(user=user, pk=proposal_id)
    data = payload.dict()
    unit = _unit(user, data.pop("unit"))
    return Status(201, services.nominee_add(actor=user, proposal=proposal, unit=unit, **data))


@router.post(
    "/proposals/{int:proposal_id}/kept",
    response={200: AwardProposalDetailOut, **WRITE},
    summary="Nominate the units whose pledges the review marked kept",
)
def proposal_add_kept(request: HttpRequest, proposal_id: int) -> Any:
    user = api_user(request)
    proposal = selectors.proposal_get(user=user, pk=proposal_id)
    services.proposal_add_kept(actor=user, proposal=proposal)
    return selectors.proposal_get(user=user, pk=proposal_id)


def _act(request: HttpRequest, proposal_id: int, service: Any, **extra: Any) -> Any:
    user = api_user(request)
    proposal = selectors.proposal_get(user=user, pk=proposal_id)
    service(actor=user, proposal=proposal, **extra)
    return selectors.proposal_get(user=user, pk=proposal_id)


@router.post(
    "/proposals/{int:proposal_id}/submit",
    response={200: AwardProposalDetailOut, **WRITE},
    summary="Submit",
)
def proposal_submit(request: HttpRequest, proposal_id: int) -> Any:
    return _act(request, proposal_id, services.proposal_submit)


@router.post(
    "/proposals/{int:proposal_id}/forward",
    response={200: AwardProposalDetailOut, **WRITE},
    summary="Agree and pass up",
)
def proposal_forward(request: HttpRequest, proposal_id: int, payload: AwardCommentIn) -> Any:
    return _act(request, proposal_id, services.proposal_forward, comment=payload.comment)


@router.post(
    "/proposals/{int:proposal_id}/return",
    response={200: AwardProposalDetailOut, **WRITE},
    summary="Return with a comment",
)
def proposal_return(request: HttpRequest, proposal_id: int, payload: AwardCommentIn) -> Any:
    return _act(request, proposal_id, services.proposal_return, comment=payload.comment)


@router.post(
    "/proposals/{int:proposal_id}/decide",
    response={200: AwardProposalDetailOut, **WRITE},
    summary="Record the decision",
)
def proposal_decide(request: HttpRequest, proposal_id: int, payload: AwardDecideIn) -> Any:
    return _act(request, proposal_id, services.proposal_decide, **payload.dict())


# --- rewards, figures, tipsters ------------------------------------------------------------------


@router.get("/rewards", response={200: AwardRewardPageOut, **READ}, summary="Rewards decided")
def rewards(request: HttpRequest, filters: Query[AwardRewardQuery]) -> Any:
    items = selectors.reward_list(
        user=api_user(request),
        q=filters.q,
        year=filters.year,
        level=filters.level,
        form=filters.form,
    )
    return api_page(items, filters)


@router.get("/figures", response={200: AwardFiguresOut, **READ}, summary="Rewards in figures")
def figures(request: HttpRequest, filters: Query[AwardFiguresQuery]) -> Any:
    user = api_user(request)
    unit = _unit(user, filters.unit) if filters.unit else selectors.home_unit(user=user)
    if unit is None:
        raise selectors.not_found()
    year = filters.year or selectors.today().year
    data = selectors.figures(user=user, unit=unit, year=year)
    return {
        "unit": unit.code,
        "year": year,
        "total": data["total"],
        "collective": data["collective"],
        "individual": data["individual"],
        "amount": int(data["amount"]),
        "by_level": {str(label): n for label, n in data["by_level"]},
        "by_form": {row["form__code"]: row["n"] for row in data["by_form"]},
    }


@router.post(
    "/tips/{int:tip_id}/reward",
    response={201: AwardProposalDetailOut, **WRITE},
    summary="Propose a reward for a valuable tip's anonymous tipster",
)
def tip_reward(request: HttpRequest, tip_id: int, payload: AwardTipRewardIn) -> Any:
    user = api_user(request)
    with not_found_as("tip_id", selectors.not_found_message()):
        tip = selectors.tip_get(user=user, pk=tip_id)
    unit = tip.commune or tip.orgunit
    form = _entry_by_code(unit, payload.form)
    return Status(
        201,
        services.tip_reward_propose(
            actor=user, tip_id=tip.pk, form=form, achievement=payload.achievement
        ),
    )


@router.post(
    "/collect", response={200: AwardCollectOut, **WRITE}, summary="Hand over by collection code"
)
def collect(request: HttpRequest, payload: AwardCollectIn) -> Any:
    user = api_user(request)
    reward = services.reward_collect(
        actor=user, code=payload.code, collector_name=payload.collector_name
    )
    return {"reward": reward.pk, "form": reward.form.code, "amount": reward.amount}
