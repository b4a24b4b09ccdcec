"""Programme pages: list, detail, create, edit, adopt a national programme.

Invariant: a page that writes answers 404 when the user may not manage the programme.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.accounts import permissions as acc_perms
from binhyen.core.forms import add_service_errors
from binhyen.core.web import call_or_404, paginate
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.programs import permissions as prog_perms
from binhyen.programs import selectors, services
from binhyen.programs.forms import (
    AdoptForm,
    EnrolForm,
    ProgramForm,
)
from binhyen.programs.models import (
    CriteriaSet,
    Criterion,
    EnrollmentStatus,
    Program,
    ProgramKind,
)
from binhyen.programs.views.common import _require


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    programs = list(selectors.program_list(user=request.user, include_inactive=True))
    rows = [(p, selectors.current_period(p), _usable(p)) for p in programs]
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
    usable = _usable(program)
    units = (
        list(
            selectors.enrollable_units(user=request.user, program=program)[
                : selectors.CHOICE_LIMIT + 1
            ]
        )
        if usable
        else []
    )
    can_manage = prog_perms.can_manage(request.user, program)
    enrol_form = None
    if units:
        enrol_form = EnrolForm(
            initial={"period": period.code},
            units=units if len(units) <= selectors.CHOICE_LIMIT else [],
            periods=selectors.period_choices(program),
        )
    criteria = list(program.current_set.criteria.all()) if program.current_set is not None else []
    submit_deadline, decide_deadline = program.deadlines(period)
    root = selectors.overview_root(user=request.user, program=program)
    predecessor_results = (
        selectors.predecessor_results(user=request.user, unit=root, program=program)
        if root is not None
        else []
    )
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
            "predecessor_results": predecessor_results,
            "groups": _grouped(criteria),
            "enrol_form": enrol_form,
            "files": paginate(
                request,
                selectors.enrollment_list(user=request.user, program=program, period=period.code),
            ),
            "usable": usable,
            "import_set": _import_target(program) if can_manage and not usable else None,
            "can_manage": can_manage,
            "can_decide": prog_perms.can_decide_anywhere(request.user),
            "can_adopt": program.owner_id is None and _adoptable_units(request),
            "adopt_form": AdoptForm(initial={"code": f"{program.code}-tinh"}),
        },
    )


def _usable(program: Program) -> bool:
    """Return True if units can enrol: the programme is active and has a published set."""
    return program.is_active and program.current_set_id is not None


def _import_target(program: Program) -> CriteriaSet | None:
    """Return the newest version a manager can still import into (unpublished, unused)."""
    for criteria_set in program.sets.order_by("-version"):
        if criteria_set.published_at is None and not criteria_set.is_locked:
            return criteria_set
    return None


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
            program = call_or_404(
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
            call_or_404(
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
            copy = call_or_404(
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
