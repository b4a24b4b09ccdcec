"""REST endpoints of the community app, under /api/v1/community.

Every read goes through ``selectors`` (scoped to the caller), every write through one
``services`` call. A record outside the caller's scope answers exactly like a missing one
(404 ``{"message", "field"}``); a service's ``PermissionDenied`` becomes the same 404. Bad
input answers 400 with the field and the reason; nothing is saved. PATCH changes only the
fields sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from binhyen.community import permissions as community_perms
from binhyen.community import selectors, services
from binhyen.community.models import Scheme, SchemeType
from binhyen.community.schemas import (
    DecisionIn,
    DecisionOut,
    DissolveIn,
    ErrorOut,
    GradingIn,
    GradingResultOut,
    GradingSheetOut,
    MemberIn,
    MemberOut,
    MemberPatchIn,
    PledgeIn,
    PledgeOut,
    PledgePageOut,
    PledgePatchIn,
    SchemeDetailOut,
    SchemeGradingIn,
    SchemeGradingOut,
    SchemeIn,
    SchemePageOut,
    SchemePatchIn,
    SchemeTypeOut,
    SiteIn,
    SiteOut,
    StatusIn,
    TeamDetailOut,
    TeamIn,
    TeamPageOut,
    TeamPatchIn,
    TrainingIn,
    TrainingOut,
)
from binhyen.core.api_kit import api_page, api_user
from binhyen.core.schemas import PageQuery
from binhyen.core.web import not_found
from binhyen.orgunits.models import OrgUnit, UnitKind

router = Router(tags=["community"])
ERRORS = {400: ErrorOut, 404: ErrorOut}


class SchemeQuery(PageQuery):
    unit: str | None = Field(None, max_length=32, description="Only schemes covering this unit")
    q: str = Field("", max_length=200)
    status: str = Field("", max_length=16)
    category: str = Field("", max_length=32)


class TeamQuery(PageQuery):
    unit: str | None = Field(None, max_length=32)
    q: str = Field("", max_length=200)
    status: str = Field("", max_length=16, description="active, dissolved or empty")


class PledgeQuery(PageQuery):
    unit: str | None = Field(None, max_length=32)
    q: str = Field("", max_length=200)
    year: int | None = Field(None, ge=2000, le=2199)
    signer_kind: str = Field("", max_length=16)


class TypeQuery(Schema):
    province: str | None = Field(None, max_length=32)


def _patched(
    payload: Any, obj: Any, names: Sequence[str], *, clearable: Sequence[str] = ()
) -> dict[str, Any]:
    """Return the fields of a PATCH: a value sent replaces the stored one, a field left out
    (or sent as null) keeps it; ``clearable`` fields sent as null are cleared."""
    sent = payload.model_fields_set
    out = {}
    for name in names:
        value = getattr(payload, name)
        out[name] = value if value is not None else getattr(obj, name)
    for name in clearable:
        out[name] = getattr(payload, name) if name in sent else getattr(obj, name)
    return out


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _unit(user: Any, code: str | None, field: str, kinds: tuple[str, ...] = ()) -> OrgUnit:
    """Return the unit ``code`` names in scope; a 400 on ``field`` if empty, unknown or of a
    kind not in ``kinds`` (when given)."""
    code = (code or "").strip()[:32]
    if not code:
        raise _bad(field, _("Nhập mã đơn vị."))
    try:
        unit = selectors.unit_get(user=user, code=code)
    except Http404 as exc:
        raise _bad(
            field,
            _("Không tìm thấy đơn vị '%(code)s' trong phạm vi của bạn.") % {"code": code},
        ) from exc
    if kinds and unit.kind not in kinds:
        raise _bad(
            field,
            _("Đơn vị '%(code)s' (%(name)s) không phải là %(kinds)s.")
            % {
                "code": code,
                "name": unit.name,
                "kinds": ", ".join(str(UnitKind(k).label).lower() for k in kinds),
            },
        )
    return unit


def _filter_unit(user: Any, code: str | None) -> OrgUnit | None:
    return selectors.unit_get(user=user, code=code.strip()[:32]) if code else None


def _decision(data: DecisionIn | None) -> services.DecisionInput | None:
    if data is None:
        return None
    return services.DecisionInput(
        number=data.number, issued_on=data.issued_on, issuing_body=data.issuing_body
    )


# --- scheme types ----------------------------------------------------------------------------


@router.get(
    "/scheme-types",
    response={200: list[SchemeTypeOut], 404: ErrorOut},
    summary="The national catalogue and a province's own scheme types",
)
def scheme_type_list(request: HttpRequest, filters: Query[TypeQuery]) -> Any:
    user = api_user(request)
    province = (
        selectors.province_get(user=user, code=filters.province.strip()[:32])
        if filters.province
        else None
    )
    return selectors.scheme_type_list(user=user, province=province)


# --- schemes ---------------------------------------------------------------------------------


@router.get(
    "/schemes",
    response={200: SchemePageOut, 404: ErrorOut},
    summary="Search the schemes you may read",
)
def scheme_list(request: HttpRequest, filters: Query[SchemeQuery]) -> Any:
    user = api_user(request)
    queryset = selectors.scheme_list(
        user=user,
        unit=_filter_unit(user, filters.unit),
        q=filters.q,
        status=filters.status,
        category=filters.category,
    )
    return api_page(queryset, filters)


@router.get(
    "/schemes/{scheme_id}",
    response={200: SchemeDetailOut, 404: ErrorOut},
    summary="One scheme with its roster, sites and gradings",
)
def scheme_detail(request: HttpRequest, scheme_id: int) -> Any:
    return selectors.scheme_get(user=api_user(request), pk=scheme_id)


def _scheme_type(user: Any, pk: int) -> SchemeType:
    try:
        return selectors.scheme_type_get(user=user, pk=pk)
    except Http404 as exc:
        raise _bad("scheme_type", _("Không có loại mô hình %(id)s.") % {"id": pk}) from exc


def _replicated_from(user: Any, pk: int | None) -> Scheme | None:
    if pk is None:
        return None
    try:
        return selectors.scheme_get(user=user, pk=pk)
    except Http404 as exc:
        raise _bad(
            "replicated_from",
            _("Không tìm thấy mô hình %(id)s trong phạm vi của bạn.") % {"id": pk},
        ) from exc


def _units(user: Any, codes: list[str]) -> list[OrgUnit]:
    return [_unit(user, code, "units") for code in codes]


@router.post("/schemes", response={201: SchemeDetailOut, **ERRORS}, summary="Record a scheme")
def scheme_create(request: HttpRequest, payload: SchemeIn) -> Any:
    user = api_user(request)
    scheme = services.scheme_create(
        actor=user,
        scheme_type=_scheme_type(user, payload.scheme_type),
        name=payload.name,
        units=_units(user, payload.units),
        lead_org_kind=payload.lead_org_kind,
        lead_org_name=payload.lead_org_name,
        founded_on=payload.founded_on,
        member_count=payload.member_count,
        roster=[services.RosterEntry(full_name=r.full_name, role=r.role) for r in payload.roster],
        replicated_from=_replicated_from(user, payload.replicated_from),
        note=payload.note,
        founding_decision=_decision(payload.founding_decision),
    )
    return Status(201, scheme)


@router.patch(
    "/schemes/{scheme_id}",
    response={200: SchemeDetailOut, **ERRORS},
    summary="Change a scheme (only the fields sent)",
)
def scheme_update(request: HttpRequest, scheme_id: int, payload: SchemePatchIn) -> Any:
    user = api_user(request)
    scheme = selectors.scheme_get(user=user, pk=scheme_id)
    covered = selectors.scheme_units(user=user, scheme=scheme)
    return services.scheme_update(
        actor=user,
        scheme=scheme,
        scheme_type=_scheme_type(user, payload.scheme_type)
        if payload.scheme_type is not None
        else scheme.scheme_type,
        units=_units(user, payload.units)
        if payload.units is not None
        else [c.unit for c in covered if c.visible],
        replicated_from=_replicated_from(user, payload.replicated_from)
        if "replicated_from" in payload.model_fields_set
        else scheme.replicated_from,
        **_patched(
            payload,
            scheme,
            ["name", "lead_org_kind", "lead_org_name", "founded_on", "note"],
            clearable=["member_count"],
        ),
        founding_decision=_decision(payload.founding_decision),
    )


@router.post(
    "/schemes/{scheme_id}/status",
    response={200: SchemeDetailOut, **ERRORS},
    summary="Suspend, dissolve or reactivate a scheme",
)
def scheme_status(request: HttpRequest, scheme_id: int, payload: StatusIn) -> Any:
    user = api_user(request)
    scheme = selectors.scheme_get(user=user, pk=scheme_id)
    return services.scheme_status_set(
        actor=user,
        scheme=scheme,
        status=payload.status,
        since=payload.since,
    )


@router.post(
    "/schemes/{scheme_id}/carry-forward",
    response={200: SchemeDetailOut, **ERRORS},
    summary="Move a running scheme from units closed by the reform onto their successors",
)
def scheme_carry_forward(request: HttpRequest, scheme_id: int) -> Any:
    user = api_user(request)
    scheme = selectors.scheme_get(user=user, pk=scheme_id)
    return services.scheme_carry_forward(actor=user, obj=scheme)


@router.post(
    "/schemes/{scheme_id}/sites",
    response={201: SiteOut, **ERRORS},
    summary="Add a site where the scheme is replicated",
)
def scheme_site_add(request: HttpRequest, scheme_id: int, payload: SiteIn) -> Any:
    user = api_user(request)
    scheme = selectors.scheme_get(user=user, pk=scheme_id)
    unit = _unit(user, payload.unit, "unit")
    site = services.scheme_site_add(
        actor=user,
        scheme=scheme,
        unit=unit,
        established_on=payload.established_on,
        note=payload.note,
    )
    return Status(201, site)


@router.post(
    "/schemes/{scheme_id}/gradings",
    response={200: SchemeGradingOut, **ERRORS},
    summary="Record a scheme's quality grading for a period",
)
def scheme_grading(request: HttpRequest, scheme_id: int, payload: SchemeGradingIn) -> Any:
    user = api_user(request)
    scheme = selectors.scheme_get(user=user, pk=scheme_id)
    return services.scheme_grading_save(
        actor=user,
        scheme=scheme,
        period_code=payload.period,
        level=payload.level,
        graded_on=payload.graded_on,
        note=payload.note,
    )


# --- teams -----------------------------------------------------------------------------------


@router.get(
    "/teams",
    response={200: TeamPageOut, 404: ErrorOut},
    summary="Search the security teams you may read",
)
def team_list(request: HttpRequest, filters: Query[TeamQuery]) -> Any:
    user = api_user(request)
    queryset = selectors.team_list(
        user=user, unit=_filter_unit(user, filters.unit), q=filters.q, status=filters.status
    ).select_related("establishment_decision", "recognition_decision")
    return api_page(queryset, filters)


@router.get(
    "/teams/{team_id}",
    response={200: TeamDetailOut, 404: ErrorOut},
    summary="One team with its members",
)
def team_detail(request: HttpRequest, team_id: int) -> Any:
    team = selectors.team_get(user=api_user(request), pk=team_id)
    return _team_out(team)


def _team_out(team: Any) -> Any:
    """Return the team with what ``TeamDetailOut`` reads (active count and members)."""
    team.active_members = selectors.active_member_count(team)
    return team


@router.post(
    "/teams",
    response={201: TeamDetailOut, **ERRORS},
    summary="Set up the security team of a village",
)
def team_create(request: HttpRequest, payload: TeamIn) -> Any:
    user = api_user(request)
    village = _unit(user, payload.village, "village", (UnitKind.VILLAGE,))
    team = services.team_create(
        actor=user,
        village=village,
        established_on=payload.established_on,
        name=payload.name,
        note=payload.note,
        establishment_decision=_decision(payload.establishment_decision),
        recognition_decision=_decision(payload.recognition_decision),
    )
    return Status(201, _team_out(team))


@router.patch(
    "/teams/{team_id}",
    response={200: TeamDetailOut, **ERRORS},
    summary="Change a team (only the fields sent)",
)
def team_update(request: HttpRequest, team_id: int, payload: TeamPatchIn) -> Any:
    user = api_user(request)
    team = selectors.team_get(user=user, pk=team_id)
    team = services.team_update(
        actor=user,
        team=team,
        name=payload.name if payload.name is not None else team.name,
        established_on=payload.established_on or team.established_on,
        note=payload.note if payload.note is not None else team.note,
        establishment_decision=_decision(payload.establishment_decision),
        recognition_decision=_decision(payload.recognition_decision),
    )
    return _team_out(team)


@router.post(
    "/teams/{team_id}/carry-forward",
    response={200: TeamDetailOut, **ERRORS},
    summary="Move a team from its village closed by the reform onto the successor village",
)
def team_carry_forward(request: HttpRequest, team_id: int) -> Any:
    user = api_user(request)
    team = selectors.team_get(user=user, pk=team_id)
    return _team_out(services.team_carry_forward(actor=user, obj=team))


@router.post(
    "/teams/{team_id}/dissolve", response={200: TeamDetailOut, **ERRORS}, summary="Dissolve a team"
)
def team_dissolve(request: HttpRequest, team_id: int, payload: DissolveIn) -> Any:
    user = api_user(request)
    team = selectors.team_get(user=user, pk=team_id)
    team = services.team_dissolve(actor=user, team=team, dissolved_on=payload.dissolved_on)
    return _team_out(selectors.team_get(user=user, pk=team.pk))


@router.post(
    "/teams/{team_id}/members",
    response={201: MemberOut, **ERRORS},
    summary="Add a member to a team",
)
def member_create(request: HttpRequest, team_id: int, payload: MemberIn) -> Any:
    user = api_user(request)
    team = selectors.team_get(user=user, pk=team_id)
    member = services.team_member_add(
        actor=user,
        team=team,
        full_name=payload.full_name,
        birth_date=payload.birth_date,
        role=payload.role,
        origin=payload.origin,
        joined_on=payload.joined_on,
        recognition_decision=_decision(payload.recognition_decision),
    )
    return Status(201, member)


@router.patch(
    "/members/{member_id}",
    response={200: MemberOut, **ERRORS},
    summary="Change a member (only the fields sent), e.g. the day they left",
)
def member_update(request: HttpRequest, member_id: int, payload: MemberPatchIn) -> Any:
    user = api_user(request)
    member = selectors.member_get(user=user, pk=member_id)
    return services.team_member_update(
        actor=user,
        member=member,
        recognition_decision=_decision(payload.recognition_decision),
        **_patched(
            payload,
            member,
            ["full_name", "birth_date", "role", "origin", "joined_on"],
            clearable=["left_on"],
        ),
    )


@router.post(
    "/teams/{team_id}/trainings",
    response={201: TrainingOut, **ERRORS},
    summary="Record a training the team attended",
)
def training_create(request: HttpRequest, team_id: int, payload: TrainingIn) -> Any:
    user = api_user(request)
    team = selectors.team_get(user=user, pk=team_id)
    record = services.training_add(actor=user, team=team, **payload.dict())
    return Status(201, record)


# --- gradings --------------------------------------------------------------------------------


def _commune(user: Any, code: str) -> OrgUnit:
    commune = selectors.unit_get(user=user, code=code)
    if commune.kind != UnitKind.COMMUNE:
        raise not_found()
    return commune


@router.get(
    "/gradings/{code}/{year}",
    response={200: GradingSheetOut, **ERRORS},
    summary="A commune's annual grading sheet of teams and members",
)
def grading_sheet(request: HttpRequest, code: str, year: int) -> Any:
    user = api_user(request)
    commune = _commune(user, code)
    if not 2000 <= year <= selectors.current_team_year():
        raise _bad("year", _("Năm đánh giá không hợp lệ."))
    sheet = selectors.grading_sheet(user=user, commune=commune, year=year)
    return {
        "commune": commune.code,
        "year": year,
        "period_start": sheet.period.start,
        "period_end": sheet.period.end,
        "rules_source": sheet.rules.source,
        "teams": [
            {
                "id": row.team.pk,
                "name": row.team.name,
                "months_active": row.months,
                "level": row.grading.level if row.grading else None,
                "task_pct": row.grading.task_pct if row.grading else None,
                "members": [
                    {
                        "id": m.member.pk,
                        "name": m.member.full_name,
                        "role": m.member.role,
                        "months_active": m.months,
                        "level": m.grading.level if m.grading else None,
                        "task_pct": m.grading.task_pct if m.grading else None,
                    }
                    for m in row.members
                ],
            }
            for row in sheet.rows
        ],
    }


@router.post(
    "/gradings/{code}/{year}",
    response={200: GradingResultOut, **ERRORS},
    summary="Save grades of teams and members (all or nothing, rules checked)",
)
def grading_save(request: HttpRequest, code: str, year: int, payload: GradingIn) -> Any:
    user = api_user(request)
    commune = _commune(user, code)
    if not community_perms.can_grade(user, commune):
        raise not_found()
    result = services.team_gradings_save(
        actor=user,
        commune=commune,
        year=year,
        teams={
            r.id: services.GradeInput(level=r.level, task_pct=r.task_pct, note=r.note)
            for r in payload.teams
        },
        members={
            r.id: services.GradeInput(level=r.level, task_pct=r.task_pct, note=r.note)
            for r in payload.members
        },
    )
    return {"saved": result.saved, "removed": result.removed}


# --- pledges ---------------------------------------------------------------------------------


@router.get(
    "/pledges",
    response={200: PledgePageOut, 404: ErrorOut},
    summary="Search the pledges you may read",
)
def pledge_list(request: HttpRequest, filters: Query[PledgeQuery]) -> Any:
    user = api_user(request)
    queryset = selectors.pledge_list(
        user=user,
        unit=_filter_unit(user, filters.unit),
        year=filters.year,
        signer_kind=filters.signer_kind,
        q=filters.q,
    )
    return api_page(queryset, filters)


@router.get("/pledges/{pledge_id}", response={200: PledgeOut, 404: ErrorOut}, summary="One pledge")
def pledge_detail(request: HttpRequest, pledge_id: int) -> Any:
    return selectors.pledge_get(user=api_user(request), pk=pledge_id)


@router.post(
    "/pledges",
    response={201: PledgeOut, **ERRORS},
    summary="Record a pledge of a village, its households, an agency or a school",
)
def pledge_create(request: HttpRequest, payload: PledgeIn) -> Any:
    user = api_user(request)
    unit = _unit(
        user, payload.unit, "unit", (UnitKind.COMMUNE, UnitKind.VILLAGE, UnitKind.ESTABLISHMENT)
    )
    pledge = services.pledge_create(
        actor=user,
        unit=unit,
        signer_kind=payload.signer_kind,
        year=payload.year,
        signed_on=payload.signed_on,
        signed_by=payload.signed_by,
        household_count=payload.household_count,
        note=payload.note,
        document=_decision(payload.document),
    )
    return Status(201, pledge)


@router.patch(
    "/pledges/{pledge_id}",
    response={200: PledgeOut, **ERRORS},
    summary="Correct a pledge (only the fields sent)",
)
def pledge_update(request: HttpRequest, pledge_id: int, payload: PledgePatchIn) -> Any:
    user = api_user(request)
    pledge = selectors.pledge_get(user=user, pk=pledge_id)
    return services.pledge_update(
        actor=user,
        pledge=pledge,
        document=_decision(payload.document),
        **_patched(
            payload,
            pledge,
            ["year", "signed_on", "signed_by", "note"],
            clearable=["household_count"],
        ),
    )


@router.delete(
    "/pledges/{pledge_id}",
    response={204: None, 404: ErrorOut},
    summary="Delete a pledge recorded by mistake",
)
def pledge_delete(request: HttpRequest, pledge_id: int) -> Any:
    user = api_user(request)
    pledge = selectors.pledge_get(user=user, pk=pledge_id)
    services.pledge_delete(actor=user, pledge=pledge)
    return Status(204, None)


# --- decisions -------------------------------------------------------------------------------


@router.post(
    "/decisions/{decision_id}/file",
    response={200: DecisionOut, **ERRORS},
    summary="Upload the scanned file of a decision (PDF, JPG or PNG)",
)
def decision_file(
    request: HttpRequest,
    decision_id: int,
    file: UploadedFile = File(...),  # noqa: B008
) -> Any:
    user = api_user(request)
    decision = selectors.decision_get(user=user, pk=decision_id)
    return services.decision_file_attach(actor=user, decision=decision, upload=file)


# --- scheme-type creation (the catalogue page's "add a type") ---------------------------------


class SchemeTypeIn(Schema):
    province: str | None = Field(
        None, max_length=32, description="Province code; null adds to the national catalogue"
    )
    name: str = Field(..., max_length=200)
    category: str = Field(..., max_length=32, description="Statistical group, e.g. to_tu_quan")
    name_en: str = Field("", max_length=200)
    description: str = Field("", max_length=4000)
    sort_order: int = Field(0, description="Position in the catalogue (0 or more)")
    typical: bool = Field(False, description="Typical for the province (province types only)")


@router.post(
    "/scheme-types",
    response={201: SchemeTypeOut, 401: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Add a scheme type to a province's catalogue, or to the national one",
)
def scheme_type_create(request: HttpRequest, payload: SchemeTypeIn) -> Any:
    """As the catalogue page: a province's types need ``MANAGE_COMMUNITY`` on the province,
    national ones whoever keeps the metric catalogue; anybody else gets 404."""
    from binhyen.community.forms import SchemeTypeForm

    user = api_user(request)
    code = (payload.province or "").strip()
    province = selectors.province_get(user=user, code=code[:32]) if code else None
    if not community_perms.can_manage_catalogue(user, province):
        raise not_found()
    form = SchemeTypeForm(
        {
            "name": payload.name,
            "category": payload.category,
            "name_en": payload.name_en,
            "description": payload.description,
            "sort_order": payload.sort_order,
            "typical": payload.typical,
        },
        with_typical=province is not None,
    )
    if not form.is_valid():
        raise ValidationError(dict(form.errors.items()))
    data = form.cleaned_data
    item = services.scheme_type_create(
        actor=user,
        province=province,
        name=data["name"],
        category=data["category"],
        name_en=data["name_en"],
        description=data["description"],
        sort_order=data["sort_order"] or 0,
        typical=bool(data.get("typical")),
    )
    created = next(
        (t for t in selectors.scheme_type_list(user=user, province=province) if t.pk == item.pk),
        item,
    )
    return Status(201, created)
