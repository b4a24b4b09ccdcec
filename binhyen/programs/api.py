"""REST endpoints of the programmes app, under /api/v1/programs.

Every read goes through ``selectors`` (scoped to the caller), every write through one
``services`` call. A record outside the caller's scope answers exactly like a missing one
(404 ``{"message", "field"}``); a service's ``PermissionDenied`` becomes the same 404. Bad
input answers 400 naming the field (and the row for imports); nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from ninja import Field as NinjaField
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from binhyen.core.api_kit import api_user
from binhyen.core.schemas import OFFSET_MAX
from binhyen.programs import evaluation, excel, rules, selectors, services
from binhyen.programs.models import (
    CriteriaSet,
    Criterion,
    Decision,
    Enrollment,
    Program,
)
from binhyen.programs.schemas import (
    AssessIn,
    ChildOut,
    CriteriaSetOut,
    CriterionIn,
    CriterionOut,
    EnrollIn,
    EnrollmentDetailOut,
    EnrollmentOut,
    ErrorOut,
    FailingOut,
    FigureOut,
    ImportOut,
    OverviewOut,
    ProgramDecisionIn,
    ProgramDecisionOut,
    ProgramDetailOut,
    ProgramIn,
    ProgramNoteIn,
    ProgramOut,
    ProgressOut,
    ReasonIn,
    ResultOut,
    SetSettingsIn,
    TimelineOut,
    ValidateIn,
    ValidateOut,
    VerdictIn,
)

router = Router(tags=["programs"])
ERRORS = {400: ErrorOut, 404: ErrorOut}


class EnrollmentQuery(Schema):
    program: str = NinjaField("", max_length=64)
    period: str = NinjaField("", max_length=16)
    status: str = NinjaField("", max_length=16)
    unit: str = NinjaField("", max_length=32, description="Only files under this unit")
    limit: int = NinjaField(100, ge=1, le=500)
    offset: int = NinjaField(0, ge=0, le=OFFSET_MAX)


class OverviewQuery(Schema):
    unit: str = NinjaField("", max_length=32)
    period: str = NinjaField("", max_length=16)


# --- shapes ------------------------------------------------------------------------------------


def criterion_out(c: Criterion) -> CriterionOut:
    return CriterionOut(
        id=c.pk,
        code=c.code,
        group=c.group,
        order=c.order,
        title=c.title,
        title_en=c.title_en,
        guidance=c.guidance,
        mandatory=c.mandatory,
        kind=c.kind,
        expression=c.expression,
        metric_codes=list(c.metric_codes),
        max_points=c.max_points,
        pass_points=c.pass_points,
        needs_completion=c.needs_completion,
    )


def set_out(cs: CriteriaSet) -> CriteriaSetOut:
    return CriteriaSetOut(
        version=cs.version,
        published=cs.published_at is not None,
        locked=cs.is_locked,
        note=cs.note,
        groups=list(cs.groups),
        min_optional_met=cs.min_optional_met,
        min_points=cs.min_points,
        levels=list(cs.levels),
        caps=list(cs.caps),
        criteria=[criterion_out(c) for c in cs.criteria.all()],
    )


def program_out(p: Program) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "name_en": p.name_en,
        "kind": p.kind,
        "owner": p.owner.code if p.owner is not None else None,
        "unit_kinds": list(p.unit_kinds),
        "unit_subkinds": list(p.unit_subkinds),
        "period_kind": p.period_kind,
        "verifier_level": p.verifier_level,
        "decider_level": p.decider_level,
        "submit_deadline": f"{p.submit_deadline_day:02d}/{p.submit_deadline_month:02d}",
        "decide_deadline": f"{p.decide_deadline_day:02d}/{p.decide_deadline_month:02d}",
        "current_version": p.current_set.version if p.current_set is not None else None,
        "current_period": selectors.current_period(p).code,
    }


def enrollment_out(e: Enrollment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "program": e.program.code,
        "unit": e.unit.code,
        "unit_name": e.unit.name,
        "period": e.period,
        "status": e.status,
        "status_label": str(e.get_status_display()),
        "assigned": e.assigned,
        "submitted_at": e.submitted_at,
        "verified_at": e.verified_at,
        "met_count": e.met_count,
        "criteria_count": e.criteria_count,
        "points_total": e.points_total,
        "condition_met": e.condition_met,
        "level": e.level,
        "decision": e.decision.number if e.decision is not None else None,
    }


def progress_out(progress: evaluation.Progress) -> ProgressOut:
    results = []
    for r in progress.results:
        a = r.assessment
        results.append(
            ResultOut(
                criterion_id=r.criterion.pk,
                code=r.criterion.code,
                group=r.criterion.group,
                title=r.criterion.title,
                kind=r.criterion.kind,
                mandatory=r.criterion.mandatory,
                status=r.status,
                status_label=r.status_label,
                points=r.points,
                figures=[FigureOut(**vars(fig)) for fig in r.figures],
                missing=list(r.missing),
                message=r.message,
                evidence_count=r.evidence_count,
                verified=r.verified,
                verdict=a.verdict if a else "",
                verifier_comment=a.verifier_comment if a else "",
            )
        )
    return ProgressOut(
        met=progress.met_count,
        total=progress.total,
        points_total=progress.points_total,
        condition_met=progress.condition_met,
        missing=progress.missing,
        results=results,
    )


def _detail(e: Enrollment, user: Any = None) -> dict[str, Any]:
    submit, decide = e.program.deadlines(e.period_value)
    history = (
        selectors.predecessor_results(user=user, unit=e.unit, program=e.program)
        if user is not None
        else []
    )
    return {
        **enrollment_out(e),
        "version": e.criteria_set.version,
        "submit_deadline": submit,
        "decide_deadline": decide,
        "progress": progress_out(evaluation.progress(e)),
        "predecessor_results": [
            {
                "enrollment": r.enrollment.pk,
                "unit": r.unit.code,
                "unit_name": r.unit.name,
                "program": r.program.code,
                "period": r.enrollment.period,
                "year": r.year,
                "status": r.enrollment.status,
                "met_count": r.enrollment.met_count,
                "criteria_count": r.enrollment.criteria_count,
                "text": r.text,
            }
            for r in history
        ],
    }


def _criterion(cs: CriteriaSet, criterion_id: int) -> Criterion:
    return selectors.criterion_get(criteria_set=cs, pk=criterion_id)


def _input(payload: CriterionIn) -> services.CriterionInput:
    return services.CriterionInput(**payload.dict())


# --- programmes and criteria sets -----------------------------------------------------------


@router.get("", response=list[ProgramOut], summary="Programmes visible to the caller")
def program_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [program_out(p) for p in selectors.program_list(user=api_user(request))]


@router.get(
    "/enrollments", response={200: list[EnrollmentOut], 404: ErrorOut}, summary="Files in scope"
)
def enrollment_list(request: HttpRequest, query: Query[EnrollmentQuery]) -> list[dict[str, Any]]:
    user = api_user(request)
    program = selectors.program_get(user=user, code=query.program) if query.program else None
    under = selectors.unit_get(user=user, code=query.unit) if query.unit else None
    qs = selectors.enrollment_list(
        user=user, program=program, period=query.period, status=query.status, under=under
    )
    return [enrollment_out(e) for e in qs[query.offset : query.offset + query.limit]]


@router.get("/enrollments/{pk}", response={200: EnrollmentDetailOut, 404: ErrorOut})
def enrollment_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One file with live "x/y" progress: each criterion's status, figures and what is missing,
    and the recognitions of the unit's pre-reform predecessors (``predecessor_results``)."""
    user = api_user(request)
    return _detail(selectors.enrollment_get(user=user, pk=pk), user)


@router.get("/enrollments/{pk}/timeline", response={200: list[TimelineOut], 404: ErrorOut})
def enrollment_timeline(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    enrollment = selectors.enrollment_get(user=api_user(request), pk=pk)
    return [
        {"at": e.created_at, "actor": e.actor_label, "action": e.action, "changes": e.changes}
        for e in selectors.timeline(enrollment)
    ]


@router.post(
    "/enrollments/{pk}/assessments/{criterion_id}", response={200: EnrollmentDetailOut, **ERRORS}
)
def assessment_save(
    request: HttpRequest, pk: int, criterion_id: int, payload: AssessIn
) -> dict[str, Any]:
    user = api_user(request)
    enrollment = selectors.enrollment_get(user=user, pk=pk)
    criterion = _criterion(enrollment.criteria_set, criterion_id)
    services.assessment_save(
        actor=user,
        enrollment=enrollment,
        criterion=criterion,
        self_met=payload.self_met,
        self_points=payload.self_points,
        note=payload.note,
    )
    return _detail(selectors.enrollment_get(user=user, pk=pk))


@router.post("/enrollments/{pk}/evidence/{criterion_id}", response={201: dict[str, Any], **ERRORS})
def evidence_add(
    request: HttpRequest,
    pk: int,
    criterion_id: int,
    file: File[UploadedFile],
    description: str = "",
) -> Status:
    user = api_user(request)
    enrollment = selectors.enrollment_get(user=user, pk=pk)
    criterion = _criterion(enrollment.criteria_set, criterion_id)
    evidence = services.evidence_add(
        actor=user,
        enrollment=enrollment,
        criterion=criterion,
        upload=file,
        description=description[:300],
    )
    return Status(201, {"id": evidence.pk, "mime": evidence.mime, "size": evidence.size})


@router.post("/enrollments/{pk}/submit", response={200: EnrollmentDetailOut, **ERRORS})
def enrollment_submit(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Submit the file; 400 lists every missing item (``errors``) and nothing changes."""
    user = api_user(request)
    enrollment = selectors.enrollment_get(user=user, pk=pk)
    services.enrollment_submit(actor=user, enrollment=enrollment)
    return _detail(selectors.enrollment_get(user=user, pk=pk))


@router.post("/enrollments/{pk}/return", response={200: EnrollmentOut, **ERRORS})
def enrollment_return(request: HttpRequest, pk: int, payload: ReasonIn) -> dict[str, Any]:
    user = api_user(request)
    enrollment = selectors.enrollment_get(user=user, pk=pk)
    return enrollment_out(
        services.enrollment_return(actor=user, enrollment=enrollment, reason=payload.reason)
    )


@router.post(
    "/enrollments/{pk}/verdicts/{criterion_id}", response={200: EnrollmentDetailOut, **ERRORS}
)
def assessment_verify(
    request: HttpRequest, pk: int, criterion_id: int, payload: VerdictIn
) -> dict[str, Any]:
    user = api_user(request)
    enrollment = selectors.enrollment_get(user=user, pk=pk)
    criterion = _criterion(enrollment.criteria_set, criterion_id)
    services.assessment_verify(
        actor=user,
        enrollment=enrollment,
        criterion=criterion,
        verdict=payload.verdict,
        comment=payload.comment,
        points=payload.points,
    )
    return _detail(selectors.enrollment_get(user=user, pk=pk))


@router.post("/enrollments/{pk}/verify", response={200: EnrollmentOut, **ERRORS})
def enrollment_verify(request: HttpRequest, pk: int, payload: ProgramNoteIn) -> dict[str, Any]:
    user = api_user(request)
    enrollment = selectors.enrollment_get(user=user, pk=pk)
    return enrollment_out(
        services.enrollment_verify(actor=user, enrollment=enrollment, note=payload.note)
    )


@router.post("/enrollments/{pk}/withdraw", response={200: EnrollmentOut, **ERRORS})
def enrollment_withdraw(request: HttpRequest, pk: int, payload: ReasonIn) -> dict[str, Any]:
    user = api_user(request)
    enrollment = selectors.enrollment_get(user=user, pk=pk)
    return enrollment_out(
        services.enrollment_withdraw(
            actor=user,
            enrollment=enrollment,
            reason=payload.reason,
            number=payload.number,
        )
    )


@router.get("/decisions/{pk}", response={200: ProgramDecisionOut, 404: ErrorOut})
def decision_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One decision; ``scan_url`` downloads its signed scan when one is attached."""
    user = api_user(request)
    decision = selectors.decision_get(user=user, pk=pk)
    return _decision_out(user, decision)


@router.get(
    "/decisions/{pk}/scan",
    response={404: ErrorOut},
    url_name="programs_decision_scan",
    openapi_extra={
        "responses": {
            200: {
                "description": "The scan (PDF, or an image without metadata)",
                "content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
            }
        }
    },
)
def decision_scan(request: HttpRequest, pk: int) -> FileResponse:
    """Download a decision's signed scan, to whoever may read the decision (404 if none)."""
    decision = selectors.decision_get(user=api_user(request), pk=pk)
    if not decision.scan:
        raise selectors.not_found()
    extension = (
        "pdf"
        if decision.scan_mime == "application/pdf"
        else (decision.scan.name or "").rsplit(".", 1)[-1]
    )
    response = FileResponse(
        decision.scan.open("rb"),
        content_type=decision.scan_mime,
        as_attachment=True,
        filename=f"quyet-dinh-{decision.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/decisions/{pk}/scan", response={200: ProgramDecisionOut, **ERRORS})
def decision_scan_upload(request: HttpRequest, pk: int, scan: File[UploadedFile]) -> dict[str, Any]:
    """Attach or replace the signed scan (multipart field ``scan``: PDF, JPEG or PNG), checked
    and cleaned like on the decision page; for whoever may decide at the decision's unit."""
    user = api_user(request)
    decision = selectors.decision_get(user=user, pk=pk)
    saved = services.decision_scan_attach(actor=user, decision=decision, scan=scan)
    return _decision_out(user, saved)


def _decision_out(user: Any, decision: Decision) -> dict[str, Any]:
    has_scan = bool(decision.scan)
    return {
        "id": decision.pk,
        "program": decision.program.code,
        "period": decision.period,
        "number": decision.number,
        "issued_on": decision.issued_on,
        "signer": decision.signer,
        "signer_title": decision.signer_title,
        "issuing_body": decision.issuing_body,
        "deciding_unit": decision.orgunit.code,
        "scan_url": reverse("api:programs_decision_scan", args=[decision.pk]) if has_scan else None,
        "scan_mime": decision.scan_mime if has_scan else None,
        "enrollments": [
            enrollment_out(e) for e in selectors.decision_enrollments(user=user, decision=decision)
        ],
    }


@router.get("/{code}", response={200: ProgramDetailOut, 404: ErrorOut})
def program_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    program = selectors.program_get(user=api_user(request), code=code)
    return {
        **program_out(program),
        "description": program.description,
        "versions": list(program.sets.order_by("version").values_list("version", flat=True)),
        "current_set": set_out(program.current_set) if program.current_set is not None else None,
    }


@router.post("", response={201: ProgramDetailOut, **ERRORS})
def program_create(request: HttpRequest, payload: ProgramIn) -> Status:
    """Create a programme (national, or owned by a unit in the caller's scope)."""
    user = api_user(request)
    data = payload.dict()
    owner_code = data.pop("owner")
    groups = data.pop("groups")
    owner = selectors.unit_get(user=user, code=owner_code) if owner_code else None
    program = services.program_create(actor=user, owner=owner, fields=data, groups=groups)
    return Status(201, program_detail(request, program.code))


@router.put("/{code}", response={200: ProgramDetailOut, **ERRORS})
def program_update(request: HttpRequest, code: str, payload: ProgramIn) -> dict[str, Any]:
    """Change a programme's settings (the code and owner stay)."""
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    data = payload.dict(exclude={"code", "owner", "groups"})
    services.program_update(actor=user, program=program, fields=data)
    return program_detail(request, code)


@router.put("/{code}/sets/{version}/settings", response={200: CriteriaSetOut, **ERRORS})
def set_settings(
    request: HttpRequest, code: str, version: int, payload: SetSettingsIn
) -> CriteriaSetOut:
    """Groups, recognition condition, classification levels and caps of an unlocked version."""
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    cs = selectors.criteria_set_get(user=user, program=program, version=version)
    data = services.SetInput(**payload.dict())
    return set_out(services.criteria_set_update(actor=user, criteria_set=cs, data=data))


@router.delete("/{code}/sets/{version}/criteria/{criterion_id}", response={204: None, **ERRORS})
def criterion_delete(request: HttpRequest, code: str, version: int, criterion_id: int) -> Status:
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    cs = selectors.criteria_set_get(user=user, program=program, version=version)
    services.criterion_delete(actor=user, criterion=_criterion(cs, criterion_id))
    return Status(204, None)


@router.get("/{code}/sets/{version}", response={200: CriteriaSetOut, 404: ErrorOut})
def set_detail(request: HttpRequest, code: str, version: int) -> CriteriaSetOut:
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    return set_out(selectors.criteria_set_get(user=user, program=program, version=version))


@router.post("/{code}/sets", response={201: CriteriaSetOut, **ERRORS})
def set_new_version(request: HttpRequest, code: str) -> Status:
    """Start a new editable version, a copy of the current one."""
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    return Status(201, set_out(services.criteria_set_new_version(actor=user, program=program)))


@router.post("/{code}/sets/{version}/validate", response={200: ValidateOut, 404: ErrorOut})
def rule_validate(
    request: HttpRequest, code: str, version: int, payload: ValidateIn
) -> ValidateOut:
    """Check a CEL rule as the editor does: the error names its line and column."""
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    selectors.criteria_set_get(user=user, program=program, version=version)
    try:
        rule = rules.check(payload.expression, metric_codes=services.active_metric_codes())
    except rules.RuleError as exc:
        return ValidateOut(
            valid=False, message=exc.message, code=exc.code, line=exc.line, column=exc.column
        )
    return ValidateOut(valid=True, metrics=rule.metric_codes)


@router.post("/{code}/sets/{version}/criteria", response={201: CriterionOut, **ERRORS})
def criterion_create(request: HttpRequest, code: str, version: int, payload: CriterionIn) -> Status:
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    cs = selectors.criteria_set_get(user=user, program=program, version=version)
    criterion = services.criterion_save(actor=user, criteria_set=cs, data=_input(payload))
    return Status(201, criterion_out(criterion))


@router.put(
    "/{code}/sets/{version}/criteria/{criterion_id}", response={200: CriterionOut, **ERRORS}
)
def criterion_update(
    request: HttpRequest, code: str, version: int, criterion_id: int, payload: CriterionIn
) -> CriterionOut:
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    cs = selectors.criteria_set_get(user=user, program=program, version=version)
    criterion = services.criterion_save(
        actor=user,
        criteria_set=cs,
        data=_input(payload),
        criterion=_criterion(cs, criterion_id),
    )
    return criterion_out(criterion)


@router.post("/{code}/sets/{version}/publish", response={200: CriteriaSetOut, **ERRORS})
def set_publish(request: HttpRequest, code: str, version: int) -> CriteriaSetOut:
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    cs = selectors.criteria_set_get(user=user, program=program, version=version)
    return set_out(services.criteria_set_publish(actor=user, criteria_set=cs))


@router.get("/{code}/sets/{version}/export", response={200: dict[str, Any], 404: ErrorOut})
def set_export(request: HttpRequest, code: str, version: int) -> dict[str, Any]:
    """The set as JSON: what ``import`` reads back."""
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    return excel.to_json(selectors.criteria_set_get(user=user, program=program, version=version))


@router.post("/{code}/sets/{version}/import", response={200: ImportOut, **ERRORS})
def set_import(request: HttpRequest, code: str, version: int) -> ImportOut:
    """Replace the criteria of an unlocked version with a JSON document (as exported).

    Errors are keyed ``row <n>: <field>`` in ``errors``; nothing is saved.
    """
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    cs = selectors.criteria_set_get(user=user, program=program, version=version)
    settings, criteria = excel.from_json(request.body)
    result = services.criteria_set_replace(
        actor=user,
        criteria_set=cs,
        settings=settings,
        criteria=criteria,
    )
    return ImportOut(version=result.version, criteria=result.criteria.count())


@router.post("/{code}/enrollments", response={201: EnrollmentOut, **ERRORS})
def enrollment_create(request: HttpRequest, code: str, payload: EnrollIn) -> Status:
    """Enrol a unit (own unit, or assigned from the verifying level) for a cycle."""
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    try:
        unit = selectors.unit_get(user=user, code=payload.unit)
    except Http404 as exc:
        raise ValidationError({"unit": selectors.not_found().args[0]}) from exc
    period = payload.period or selectors.current_period(program).code
    enrollment = services.enrollment_create(
        actor=user, program=program, unit=unit, period_code=period
    )
    return Status(201, enrollment_out(enrollment))


@router.post("/{code}/decisions", response={201: ProgramDecisionOut, **ERRORS})
def decision_record(request: HttpRequest, code: str, payload: ProgramDecisionIn) -> Status:
    """Record one decision for verified files; attach its scan with POST /decisions/{pk}/scan."""
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    files = [
        selectors.enrollment_get(user=user, pk=pk) for pk in dict.fromkeys(payload.enrollments)
    ]
    decision = services.decision_record(
        actor=user,
        program=program,
        period_code=payload.period,
        enrollments=files,
        recognised=set(payload.recognised),
        data=services.DecisionInput(
            number=payload.number,
            issued_on=payload.issued_on,
            signer=payload.signer,
            signer_title=payload.signer_title,
            issuing_body=payload.issuing_body,
        ),
    )
    return Status(201, _decision_out(user, decision))


@router.get("/{code}/overview", response={200: OverviewOut, 404: ErrorOut})
def overview(request: HttpRequest, code: str, query: Query[OverviewQuery]) -> dict[str, Any]:
    """Enrolled / submitted / recognised per child unit, failing criteria, overdue files."""
    user = api_user(request)
    program = selectors.program_get(user=user, code=code)
    unit = (
        selectors.unit_get(user=user, code=query.unit)
        if query.unit
        else selectors.overview_root(user=user, program=program)
    )
    if unit is None:
        raise selectors.not_found()
    period = selectors.parse_program_period(program, query.period)
    data = selectors.overview(user=user, program=program, unit=unit, period=period)

    def row(r: selectors.ChildRow) -> ChildOut:
        return ChildOut(
            unit=r.unit.code,
            name=r.unit.name,
            enrolled=r.enrolled,
            submitted=r.submitted,
            verified=r.verified,
            recognised=r.recognised,
        )

    return {
        "program": program.code,
        "unit": unit.code,
        "period": period.code,
        "totals": row(data.totals),
        "children": [row(r) for r in data.rows],
        "failing": [
            FailingOut(
                code=f.criterion.code,
                title=f.criterion.title,
                not_met=f.not_met,
                insufficient=f.insufficient,
                pending=f.pending,
            )
            for f in data.failing
        ],
        "overdue_submit": [o.enrollment_id for o in data.overdue_submit],
        "overdue_decide": [o.enrollment_id for o in data.overdue_decide],
    }
