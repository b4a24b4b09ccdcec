"""Pages of the programmes app: programmes, criteria-set editor, files, verification, decisions.

Deny by default: every view needs a signed-in user; every record is fetched through a
``selectors`` function (404 for missing and forbidden alike); a page that writes also answers
404 when the user may not act, and a service's ``PermissionDenied`` becomes the same 404, so
existence never leaks. Views only parse input, call one service and render.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.accounts import permissions as acc_perms
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.programs import documents, evaluation, importexport, rules, selectors, services
from binhyen.programs import permissions as prog_perms
from binhyen.programs.forms import (
    AdoptForm,
    AssessForm,
    CriterionForm,
    DecisionForm,
    EnrolForm,
    EvidenceForm,
    ImportForm,
    NoteForm,
    ProgramForm,
    ReasonForm,
    SetSettingsForm,
    VerdictForm,
    add_service_errors,
)
from binhyen.programs.models import (
    CriteriaSet,
    Criterion,
    Enrollment,
    EnrollmentStatus,
    Program,
    ProgramKind,
)

T = TypeVar("T")


def _call(fn: Callable[..., T], **kwargs: Any) -> T:
    """Call a service; a refusal answers 404 like a missing record."""
    try:
        return fn(**kwargs)
    except PermissionDenied as exc:
        raise selectors.not_found() from exc


def _require(condition: bool) -> None:
    if not condition:
        raise selectors.not_found()


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _set(request: HttpRequest, code: str, version: int) -> tuple[Program, CriteriaSet]:
    program = selectors.program_get(user=request.user, code=code)
    return program, selectors.criteria_set_get(user=request.user, program=program, version=version)


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, int(getattr(settings, "PAGE_SIZE", 25))).get_page(
        request.GET.get("page")
    )


# --- programmes ---------------------------------------------------------------------------------


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    programs = list(selectors.program_list(user=request.user, include_inactive=True))
    rows = [(p, selectors.current_period(p)) for p in programs]
    files = selectors.enrollment_list(user=request.user).exclude(
        status__in=[EnrollmentStatus.WITHDRAWN]
    )
    return render(
        request,
        "programs/list.html",
        {
            "rows": rows,
            "files": files[:10],
            "can_create": prog_perms.can_manage_anywhere(request.user),
        },
    )


@login_required
@require_GET
def program_detail(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    period = selectors.parse_program_period(program, request.GET.get("period"))
    units = list(
        selectors.enrollable_units(user=request.user, program=program)[: selectors.CHOICE_LIMIT + 1]
    )
    enrol_form = None
    if units:
        enrol_form = EnrolForm(
            initial={"period": period.code},
            units=units if len(units) <= selectors.CHOICE_LIMIT else [],
            periods=selectors.period_choices(program),
        )
    criteria = list(program.current_set.criteria.all()) if program.current_set is not None else []
    submit_deadline, decide_deadline = program.deadlines(period)
    return render(
        request,
        "programs/detail.html",
        {
            "program": program,
            "period": period,
            "periods": selectors.period_choices(program),
            "submit_deadline": submit_deadline,
            "decide_deadline": decide_deadline,
            "sets": program.sets.order_by("-version"),
            "groups": _grouped(criteria),
            "enrol_form": enrol_form,
            "files": _page(
                request,
                selectors.enrollment_list(user=request.user, program=program, period=period.code),
            ),
            "can_manage": prog_perms.can_manage(request.user, program),
            "can_decide": prog_perms.can_decide_anywhere(request.user),
            "can_adopt": program.owner_id is None and _adoptable_units(request),
            "adopt_form": AdoptForm(initial={"code": f"{program.code}-tinh"}),
        },
    )


def _adoptable_units(request: HttpRequest) -> list[OrgUnit]:
    """Return the provinces whose programmes the user keeps (where a copy may be owned)."""
    paths = acc_perms.scope_paths(request.user, acc_perms.MANAGE_PROGRAMS)
    return [
        u
        for u in OrgUnit.objects.filter(path__in=paths, kind=UnitKind.PROVINCE)
        if prog_perms.can_manage_owner(request.user, u)
    ]


def _grouped(criteria: list[Criterion]) -> list[tuple[str, list[Criterion]]]:
    groups: dict[str, list[Criterion]] = {}
    for c in criteria:
        groups.setdefault(c.group, []).append(c)
    return list(groups.items())


def _program_form_page(
    request: HttpRequest, form: ProgramForm, title: str, cancel: str, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "programs/form.html",
        {"form": form, "title": title, "cancel_url": cancel},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest) -> HttpResponse:
    _require(prog_perms.can_manage_anywhere(request.user))
    owners = _adoptable_units(request)
    national = prog_perms.can_manage_owner(request.user, None)
    _require(bool(owners) or national)
    form = ProgramForm(
        request.POST or None,
        initial={
            "kind": ProgramKind.RECOGNITION,
            "period_kind": "year",
            "verifier_level": "province",
            "decider_level": "province",
            "submit_deadline_day": 20,
            "submit_deadline_month": 11,
            "decide_deadline_day": 30,
            "decide_deadline_month": 11,
            "is_active": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        owner = None if national else owners[0]
        try:
            program = _call(
                services.program_create, actor=request.user, owner=owner, fields=form.fields_dict()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo chương trình. Hãy thêm tiêu chí rồi ban hành."))
            return redirect("programs:set_editor", code=program.code, version=1)
    status = 400 if request.method == "POST" else 200
    return _program_form_page(
        request, form, _("Tạo chương trình"), reverse("programs:index"), status
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    _require(prog_perms.can_manage(request.user, program))
    stored = {name: getattr(program, name) for name in services.PROGRAM_FIELDS}
    form = ProgramForm(request.POST or None, stored=stored)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            _call(
                services.program_update,
                actor=request.user,
                program=program,
                fields=form.fields_dict(include_code=False),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu chương trình."))
            return redirect("programs:detail", code=program.code)
    status = 400 if request.method == "POST" else 200
    return _program_form_page(
        request, form, _("Sửa chương trình"), reverse("programs:detail", args=[code]), status
    )


@login_required
@require_POST
def program_adopt(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    owners = _adoptable_units(request)
    _require(program.owner_id is None and bool(owners))
    form = AdoptForm(request.POST)
    if form.is_valid():
        try:
            copy = _call(
                services.program_adopt,
                actor=request.user,
                program=program,
                owner=owners[0],
                code=form.cleaned_data["code"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã tạo bản áp dụng của tỉnh (phiên bản nháp)."))
            return redirect("programs:set_editor", code=copy.code, version=1)
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("code", [])))
    return redirect("programs:detail", code=code)


# --- criteria-set editor --------------------------------------------------------------------------


@login_required
@require_GET
def set_editor(request: HttpRequest, code: str, version: int) -> HttpResponse:
    program, criteria_set = _set(request, code, version)
    return _editor(request, program, criteria_set)


def _editor(
    request: HttpRequest,
    program: Program,
    criteria_set: CriteriaSet,
    *,
    settings_form: SetSettingsForm | None = None,
    import_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = prog_perms.can_manage(request.user, program)
    editable = can_manage and not criteria_set.is_locked
    criteria = list(criteria_set.criteria.all())
    return render(
        request,
        "programs/set_editor.html",
        {
            "program": program,
            "criteria_set": criteria_set,
            "groups": _grouped(criteria),
            "count": len(criteria),
            "can_manage": can_manage,
            "editable": editable,
            "settings_form": settings_form
            or SetSettingsForm(initial=SetSettingsForm.initial_for(criteria_set)),
            "import_form": ImportForm(),
            "import_errors": import_errors or [],
            "is_current": program.current_set_id == criteria_set.pk,
            "placeholders": [c for c in criteria if c.needs_completion],
        },
        status=status,
    )


@login_required
@require_POST
def set_settings(request: HttpRequest, code: str, version: int) -> HttpResponse:
    program, criteria_set = _set(request, code, version)
    _require(prog_perms.can_manage(request.user, program))
    form = SetSettingsForm(request.POST, stored=SetSettingsForm.initial_for(criteria_set))
    if form.is_valid():
        try:
            _call(
                services.criteria_set_update,
                actor=request.user,
                criteria_set=criteria_set,
                data=form.to_input(classification=program.is_classification),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu điều kiện và nhóm tiêu chí."))
            return redirect("programs:set_editor", code=code, version=version)
    return _editor(request, program, criteria_set, settings_form=form, status=400)


@login_required
@require_POST
def set_publish(request: HttpRequest, code: str, version: int) -> HttpResponse:
    _program, criteria_set = _set(request, code, version)
    try:
        _call(services.criteria_set_publish, actor=request.user, criteria_set=criteria_set)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã ban hành phiên bản %(v)s.") % {"v": version})
    return redirect("programs:set_editor", code=code, version=version)


@login_required
@require_POST
def set_new_version(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    copy = _call(services.criteria_set_new_version, actor=request.user, program=program)
    messages.success(request, _("Đã tạo phiên bản %(v)s để sửa.") % {"v": copy.version})
    return redirect("programs:set_editor", code=code, version=copy.version)


@login_required
@require_GET
def set_export(request: HttpRequest, code: str, version: int, fmt: str) -> HttpResponse:
    program, criteria_set = _set(request, code, version)
    if fmt not in ("xlsx", "json"):
        raise selectors.not_found()
    name = f"bo-tieu-chi-{program.code}-v{version}"
    if fmt == "xlsx":
        return _attachment(
            importexport.to_xlsx(criteria_set), importexport.XLSX_CONTENT_TYPE, f"{name}.xlsx"
        )
    content = json.dumps(importexport.to_json(criteria_set), ensure_ascii=False, indent=2)
    return _attachment(content.encode(), "application/json", f"{name}.json")


@login_required
@require_POST
def set_import(request: HttpRequest, code: str, version: int) -> HttpResponse:
    program, criteria_set = _set(request, code, version)
    _require(prog_perms.can_manage(request.user, program))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _editor(
            request,
            program,
            criteria_set,
            import_errors=[_("Chọn tệp .xlsx hoặc .json.")],
            status=400,
        )
    upload = form.cleaned_data["file"]
    data = upload.read(importexport.MAX_BYTES + 1)
    try:
        if (upload.name or "").lower().endswith(".json"):
            parsed = importexport.from_json(data)
        else:
            parsed = importexport.from_xlsx(data)
        _call(
            services.criteria_set_replace,
            actor=request.user,
            criteria_set=criteria_set,
            settings=parsed[0],
            criteria=parsed[1],
        )
    except ValidationError as exc:
        return _editor(
            request, program, criteria_set, import_errors=importexport.error_lines(exc), status=400
        )
    messages.success(request, _("Đã nhập %(n)s tiêu chí.") % {"n": len(parsed[1])})
    return redirect("programs:set_editor", code=code, version=version)


@login_required
@require_http_methods(["GET", "POST"])
def criterion_form(
    request: HttpRequest, code: str, version: int, pk: int | None = None
) -> HttpResponse:
    program, criteria_set = _set(request, code, version)
    _require(prog_perms.can_manage(request.user, program) and not criteria_set.is_locked)
    criterion = selectors.criterion_get(criteria_set=criteria_set, pk=pk) if pk else None
    initial: dict[str, Any] = {"order": (criteria_set.criteria.count() + 1) * 10, "mandatory": True}
    stored = None
    if criterion is not None:
        stored = {name: getattr(criterion, name) for name in services.CRITERION_FIELDS}
    form = CriterionForm(
        request.POST or None, initial=initial, stored=stored, groups=list(criteria_set.groups)
    )
    check = None
    if request.method == "POST" and form.is_valid():
        try:
            _call(
                services.criterion_save,
                actor=request.user,
                criteria_set=criteria_set,
                data=form.to_input(),
                criterion=criterion,
            )
        except ValidationError as exc:
            check = _rule_check_context(form.cleaned_data.get("expression") or "")
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu tiêu chí."))
            return redirect("programs:set_editor", code=code, version=version)
    return render(
        request,
        "programs/criterion_form.html",
        {
            "program": program,
            "criteria_set": criteria_set,
            "criterion": criterion,
            "form": form,
            "check": check,
            "facts": list(rules.FACTS),
        },
        status=400 if request.method == "POST" else 200,
    )


def _rule_check_context(expression: str) -> dict[str, Any]:
    """Check a rule and say where an error is: the line, and a caret under the column."""
    if not expression.strip():
        return {"empty": True}
    try:
        rule = rules.check(expression, metric_codes=services.active_metric_codes())
    except rules.RuleError as exc:
        lines = expression.splitlines() or [""]
        line_text = ""
        if exc.line is not None and 1 <= exc.line <= len(lines):
            line_text = lines[exc.line - 1]
        return {
            "valid": False,
            "error": exc,
            "line_text": line_text,
            "caret": " " * max(0, (exc.column or 1) - 1) + "^",
        }
    from binhyen.indicators.models import Metric

    names = dict(Metric.objects.filter(code__in=rule.metric_codes).values_list("code", "name"))
    return {"valid": True, "metrics": [(c, names.get(c, c)) for c in rule.metric_codes]}


@login_required
@require_POST
def rule_check(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """Answer the editor's live check (htmx): valid, or the error with its position."""
    _set(request, code, version)
    expression = (request.POST.get("expression") or "")[: rules.MAX_LENGTH + 1]
    return render(request, "programs/_rule_check.html", {"check": _rule_check_context(expression)})


@login_required
@require_POST
def criterion_delete(request: HttpRequest, code: str, version: int, pk: int) -> HttpResponse:
    _program, criteria_set = _set(request, code, version)
    criterion = selectors.criterion_get(criteria_set=criteria_set, pk=pk)
    try:
        _call(services.criterion_delete, actor=request.user, criterion=criterion)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xóa tiêu chí %(code)s.") % {"code": criterion.code})
    return redirect("programs:set_editor", code=code, version=version)


# --- enrolment and self-assessment ----------------------------------------------------------------


@login_required
@require_POST
def enrol(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    units = list(
        selectors.enrollable_units(user=request.user, program=program)[: selectors.CHOICE_LIMIT + 1]
    )
    _require(bool(units))
    form = EnrolForm(
        request.POST,
        units=units if len(units) <= selectors.CHOICE_LIMIT else [],
        periods=selectors.period_choices(program),
    )
    if form.is_valid():
        try:
            unit = selectors.unit_get(user=request.user, code=form.cleaned_data["unit"])
            enrollment = _call(
                services.enrollment_create,
                actor=request.user,
                program=program,
                unit=unit,
                period_code=form.cleaned_data["period"],
            )
        except (ValidationError, Http404) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        else:
            messages.success(request, _("Đã đăng ký. Hãy tự đánh giá từng tiêu chí."))
            return redirect("programs:enrollment", pk=enrollment.pk)
    else:
        messages.error(request, _("Chọn đơn vị và kỳ đánh giá."))
    return redirect("programs:detail", code=code)


def _enrollment_context(
    request: HttpRequest, enrollment: Enrollment, *, missing: list[str] | None = None
) -> dict[str, Any]:
    progress = evaluation.progress(enrollment)
    user = request.user
    submit_deadline, decide_deadline = enrollment.program.deadlines(enrollment.period_value)
    can_self = prog_perms.can_self_assess(user, enrollment.unit)
    editable = can_self and enrollment.status == EnrollmentStatus.ENROLLED
    evidence: dict[int, list[Any]] = {}
    for result in progress.results:
        if result.assessment is not None:
            evidence[result.criterion.pk] = list(result.assessment.evidence.all())
    return {
        "enrollment": enrollment,
        "program": enrollment.program,
        "progress": progress,
        "evidence": evidence,
        "editable": editable,
        "can_verify": prog_perms.can_verify(user, enrollment)
        and enrollment.status == EnrollmentStatus.SUBMITTED,
        "can_decide": prog_perms.can_decide(user, enrollment),
        "submit_deadline": submit_deadline,
        "decide_deadline": decide_deadline,
        "today": selectors.today(),
        "timeline": selectors.timeline(enrollment),
        "missing": missing or [],
        "reason_form": ReasonForm(),
        "evidence_form": EvidenceForm(),
    }


@login_required
@require_GET
def enrollment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    return render(request, "programs/enrollment.html", _enrollment_context(request, enrollment))


def _criterion_of(enrollment: Enrollment, criterion_id: int) -> Criterion:
    return selectors.criterion_get(criteria_set=enrollment.criteria_set, pk=criterion_id)


def _back(enrollment: Enrollment, criterion: Criterion | None = None) -> HttpResponse:
    url = reverse("programs:enrollment", args=[enrollment.pk])
    return redirect(f"{url}#c{criterion.pk}" if criterion else url)


@login_required
@require_POST
def assessment_save(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    criterion = _criterion_of(enrollment, criterion_id)
    form = AssessForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            _call(
                services.assessment_save,
                actor=request.user,
                enrollment=enrollment,
                criterion=criterion,
                self_met=form.cleaned_data["self_met"],
                self_points=form.cleaned_data["self_points"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    if getattr(request, "htmx", False):
        enrollment = selectors.enrollment_get(user=request.user, pk=pk)
        context = _enrollment_context(request, enrollment)
        result = next(r for r in context["progress"].results if r.criterion.pk == criterion.pk)
        context.update(result=result, card_errors=errors)
        return render(
            request, "programs/_criterion_response.html", context, status=400 if errors else 200
        )
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(
            request, _("Đã lưu tự đánh giá tiêu chí %(code)s.") % {"code": criterion.code}
        )
    return _back(enrollment, criterion)


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    criterion = _criterion_of(enrollment, criterion_id)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Chọn tệp minh chứng để tải lên."))
        return _back(enrollment, criterion)
    try:
        _call(
            services.evidence_add,
            actor=request.user,
            enrollment=enrollment,
            criterion=criterion,
            upload=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Đã tải lên minh chứng cho tiêu chí %(code)s.") % {"code": criterion.code}
        )
    return _back(enrollment, criterion)


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    return FileResponse(
        evidence.file.open("rb"), content_type=evidence.mime, filename=evidence.original_name
    )


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    enrollment = evidence.assessment.enrollment
    try:
        _call(services.evidence_delete, actor=request.user, evidence=evidence)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(enrollment, evidence.assessment.criterion)


@login_required
@require_POST
def enrollment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    try:
        _call(services.enrollment_submit, actor=request.user, enrollment=enrollment)
    except ValidationError as exc:
        missing = exc.message_dict.get("missing") or exc.messages
        return render(
            request,
            "programs/enrollment.html",
            _enrollment_context(request, enrollment, missing=missing),
            status=400,
        )
    messages.success(request, _("Đã nộp hồ sơ lên cấp thẩm định."))
    return _back(enrollment)


# --- verification -------------------------------------------------------------------------------


def _verify_context(request: HttpRequest, enrollment: Enrollment, **extra: Any) -> dict[str, Any]:
    context = _enrollment_context(request, enrollment)
    context.update({"note_form": NoteForm(), "verdict_errors": {}})
    context.update(extra)
    return context


@login_required
@require_GET
def verify_page(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    _require(prog_perms.can_verify(request.user, enrollment))
    return render(request, "programs/verify.html", _verify_context(request, enrollment))


@login_required
@require_POST
def verdict_save(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    _require(prog_perms.can_verify(request.user, enrollment))
    criterion = _criterion_of(enrollment, criterion_id)
    form = VerdictForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            _call(
                services.assessment_verify,
                actor=request.user,
                enrollment=enrollment,
                criterion=criterion,
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data["comment"],
                points=form.cleaned_data["points"],
            )
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [_("Chọn “Đồng ý” hoặc “Không đồng ý”.")]
    if errors:
        context = _verify_context(request, enrollment, verdict_errors={criterion.pk: errors})
        return render(request, "programs/verify.html", context, status=400)
    return redirect(f"{reverse('programs:verify', args=[pk])}#c{criterion.pk}")


@login_required
@require_POST
def verify_finish(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    _require(prog_perms.can_verify(request.user, enrollment))
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        _call(
            services.enrollment_verify,
            actor=request.user,
            enrollment=enrollment,
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as exc:
        context = _verify_context(request, enrollment, finish_errors=exc.messages)
        return render(request, "programs/verify.html", context, status=400)
    messages.success(request, _("Đã hoàn thành thẩm định; hồ sơ chờ quyết định."))
    return _back(enrollment)


@login_required
@require_POST
def enrollment_return(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    _require(prog_perms.can_verify(request.user, enrollment))
    form = ReasonForm(request.POST)
    reason = request.POST.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
    try:
        _call(services.enrollment_return, actor=request.user, enrollment=enrollment, reason=reason)
    except ValidationError as exc:
        context = _verify_context(request, enrollment, finish_errors=exc.messages)
        return render(request, "programs/verify.html", context, status=400)
    messages.success(request, _("Đã trả hồ sơ để đơn vị bổ sung."))
    return _back(enrollment)


# --- decision and withdrawal ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def decide_page(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    _require(prog_perms.can_decide_anywhere(request.user))
    period = selectors.parse_program_period(
        program, request.POST.get("period") or request.GET.get("period")
    )
    candidates = selectors.decidable(user=request.user, program=program, period=period.code)
    form = DecisionForm(request.POST or None, request.FILES or None)
    chosen = {int(v) for v in request.POST.getlist("enrollment") if v.isdigit()}
    recognised = {int(v) for v in request.POST.getlist("recognised") if v.isdigit()}
    errors: list[str] = []
    if request.method == "POST":
        selected = [e for e in candidates if e.pk in chosen]
        if not selected:
            errors.append(_("Chọn ít nhất một hồ sơ."))
        elif form.is_valid():
            try:
                decision = _call(
                    services.decision_record,
                    actor=request.user,
                    program=program,
                    period_code=period.code,
                    enrollments=selected,
                    recognised=recognised,
                    data=form.to_input(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã ghi nhận quyết định %(n)s.") % {"n": decision.number}
                )
                return redirect("programs:decision", pk=decision.pk)
    preview = {}
    if program.is_classification and candidates:
        criteria_set = candidates[0].criteria_set
        preview = evaluation.classify(
            {e.pk: (e.points_total or Decimal(0), e.unit.code) for e in candidates},
            levels=criteria_set.levels,
            caps=criteria_set.caps,
        )
    rows = [(e, preview.get(e.pk)) for e in candidates]
    return render(
        request,
        "programs/decide.html",
        {
            "program": program,
            "period": period,
            "periods": selectors.period_choices(program),
            "rows": rows,
            "form": form,
            "errors": errors,
            "chosen": chosen if request.method == "POST" else {e.pk for e in candidates},
            "recognised": recognised
            if request.method == "POST"
            else {e.pk for e in candidates if e.condition_met},
            "decisions": selectors.decisions_of(user=request.user, program=program)[:20],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(user=request.user, pk=pk)
    return render(
        request,
        "programs/decision.html",
        {
            "decision": decision,
            "program": decision.program,
            "files": selectors.decision_enrollments(user=request.user, decision=decision),
        },
    )


@login_required
@require_GET
def decision_list_docx(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(user=request.user, pk=pk)
    files = selectors.decision_enrollments(user=request.user, decision=decision)
    return _attachment(
        documents.decision_list(decision, files),
        documents.DOCX_CONTENT_TYPE,
        f"danh-sach-quyet-dinh-{decision.pk}.docx",
    )


@login_required
@require_GET
def decision_scan(request: HttpRequest, pk: int) -> FileResponse:
    decision = selectors.decision_get(user=request.user, pk=pk)
    if not decision.scan:
        raise selectors.not_found()
    extension = (
        "pdf"
        if decision.scan_mime == "application/pdf"
        else (decision.scan.name or "").rsplit(".", 1)[-1]
    )
    return FileResponse(
        decision.scan.open("rb"),
        content_type=decision.scan_mime,
        filename=f"quyet-dinh-{decision.pk}.{extension}",
    )


@login_required
@require_GET
def certificate_docx(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    if enrollment.status != EnrollmentStatus.RECOGNISED or enrollment.decision is None:
        raise selectors.not_found()
    return _attachment(
        documents.certificate(enrollment),
        documents.DOCX_CONTENT_TYPE,
        f"giay-chung-nhan-{enrollment.unit.code}-{enrollment.period}.docx",
    )


@login_required
@require_POST
def enrollment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    number = form.cleaned_data.get("number", "") if form.is_valid() else ""
    try:
        _call(
            services.enrollment_withdraw,
            actor=request.user,
            enrollment=enrollment,
            reason=reason,
            number=number,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã thu hồi công nhận."))
    return _back(enrollment)


# --- overview -----------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    unit_code = (request.GET.get("unit") or "").strip()[:32]
    unit = (
        selectors.unit_get(user=request.user, code=unit_code)
        if unit_code
        else selectors.overview_root(user=request.user, program=program)
    )
    if unit is None:
        raise selectors.not_found()
    period = selectors.parse_program_period(program, request.GET.get("period"))
    data = selectors.overview(user=request.user, program=program, unit=unit, period=period)
    base = reverse("programs:overview", args=[code])
    points = [
        {
            "lat": r.unit.latitude,
            "lon": r.unit.longitude,
            "name": r.unit.name,
            "value": r.recognised,
            "label": _("%(r)s công nhận / %(s)s đã nộp / %(e)s đăng ký")
            % {"r": r.recognised, "s": r.submitted, "e": r.enrolled},
            "url": f"{base}?unit={r.unit.code}&period={period.code}",
        }
        for r in data.rows
        if r.unit.latitude is not None and r.unit.longitude is not None
    ]
    return render(
        request,
        "programs/overview.html",
        {
            "program": program,
            "data": data,
            "period": period,
            "periods": selectors.period_choices(program),
            "points": points,
            "map_tiles": settings.MAP_TILE_URL,
            "map_attribution": settings.MAP_TILE_ATTRIBUTION,
            # The way up only while it stays inside the user's scope (no link to a 404).
            "parent": selectors.visible_parent(user=request.user, unit=unit),
        },
    )
