"""The criteria-set editor: settings, criteria, CEL rule check, publishing, new versions,
Excel/JSON export and import.

Invariant: a locked set is read-only; every write is one service call.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.core.forms import add_service_errors
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.web import call_or_404
from binhyen.programs import excel, rules, selectors, services
from binhyen.programs import permissions as prog_perms
from binhyen.programs.forms import (
    CriterionForm,
    ImportForm,
    SetSettingsForm,
)
from binhyen.programs.models import (
    CriteriaSet,
    Program,
)
from binhyen.programs.views.common import _attachment, _require, _set
from binhyen.programs.views.programmes import _grouped


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
            call_or_404(
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
        call_or_404(services.criteria_set_publish, actor=request.user, criteria_set=criteria_set)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã ban hành phiên bản %(v)s.") % {"v": version})
    return redirect("programs:set_editor", code=code, version=version)


@login_required
@require_POST
def set_new_version(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    copy = call_or_404(services.criteria_set_new_version, actor=request.user, program=program)
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
        return _attachment(excel.to_xlsx(criteria_set), XLSX_CONTENT_TYPE, f"{name}.xlsx")
    content = json.dumps(excel.to_json(criteria_set), ensure_ascii=False, indent=2)
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
    data = upload.read(excel.MAX_BYTES + 1)
    try:
        if (upload.name or "").lower().endswith(".json"):
            parsed = excel.from_json(data)
        else:
            parsed = excel.from_xlsx(data)
        call_or_404(
            services.criteria_set_replace,
            actor=request.user,
            criteria_set=criteria_set,
            settings=parsed[0],
            criteria=parsed[1],
        )
    except ValidationError as exc:
        return _editor(
            request, program, criteria_set, import_errors=excel.error_lines(exc), status=400
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
            call_or_404(
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
        call_or_404(services.criterion_delete, actor=request.user, criterion=criterion)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xóa tiêu chí %(code)s.") % {"code": criterion.code})
    return redirect("programs:set_editor", code=code, version=version)
