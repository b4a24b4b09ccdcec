"""REST twin of the report pages: ``/api/v1/indicators/reports/<form>/<unit>/<period>``.

Read a report with its values, status and history; save values; submit; return, approve
and reopen; the Excel template and its upload; completeness of a form and period below a
unit, and reminding its late units. Every handler calls the same selectors and services as
the report pages, in the same order, with the same rules:

- A form that is missing or inactive, a period that does not parse or is not the form's
  kind, a unit that is missing or out of scope, a unit that does not submit the form, and a
  caller who may neither enter, review nor read the report all answer 404, alike.
- Writes need ``ENTER_DATA`` on the unit (values, submit, upload) or ``APPROVE_REPORTS`` on
  its parent (return, approve, reopen); anybody else gets the same 404 as for a missing
  report, so a viewer learns nothing more by writing.
- A report whose status refuses the action (submitted and waiting, already approved,
  nothing to review yet) answers 409 and changes nothing.
- Bad input answers 400 naming the field (``values[2].value``) or the cell (``E9``); a batch
  of values and an uploaded file are saved whole or not at all.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from binhyen.core.actors import Actor
from binhyen.core.api_kit import api_user
from binhyen.core.tabular import XLSX_CONTENT_TYPE, ImportFileError, ImportProblem, refusal
from binhyen.indicators import excel, selectors, services
from binhyen.indicators import permissions as ind_perms
from binhyen.indicators.models import EDITABLE_STATUSES, Submission, SubmissionStatus
from binhyen.indicators.movement import movement_figures, movement_out
from binhyen.indicators.schemas import ErrorOut
from binhyen.indicators.views import HISTORY_LABELS

router = Router(tags=["indicators"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
PREFIX = "/indicators/reports/{form_code}/{unit_code}/{period_code}"
NOT_STARTED = "not_started"


# --- schemas ---------------------------------------------------------------------------------


class IndicatorReportValueOut(Schema):
    metric: str
    option: str
    name: str
    unit_of_measure: str
    value: float | None


class IndicatorReportEventOut(Schema):
    action: str
    label: str
    at: datetime
    actor: str
    comment: str = ""


class MovementFigureOut(Schema):
    metric: str
    option: str = Field(description="The kind, for metrics shown kind by kind (weapons)")
    label: str
    value: float
    unit_of_measure: str


class MovementGroupOut(Schema):
    label: str
    url: str = Field(description="The page listing the records these figures come from")
    figures: list[MovementFigureOut]


class IndicatorReportOut(Schema):
    form: str
    form_name: str
    unit: str
    unit_name: str
    period: str
    period_label: str
    status: str = Field(description="not_started, draft, submitted, returned, approved, reopened")
    status_label: str
    comment: str
    deadline: date
    submitted_at: datetime | None
    reviewed_at: datetime | None
    on_time: bool | None
    can_enter: bool
    can_review: bool
    editable: bool
    values: list[IndicatorReportValueOut]
    history: list[IndicatorReportEventOut]
    movement: list[MovementGroupOut] = Field(
        description="The movement's figures of the unit and period recorded elsewhere "
        "(activities, schemes, teams, pledges, hotspots, programmes), read-only"
    )


class IndicatorReportSavedOut(IndicatorReportOut):
    changed: int = Field(description="Cells whose stored value changed")
    warnings: list[str] = Field(description="Warning-level validation rules that do not hold")


class IndicatorValueIn(Schema):
    metric: str = Field(..., max_length=64, description="Metric code")
    option: str = Field("", max_length=64, description="Disaggregation option code, if any")
    value: float | None = Field(..., description="The number; null clears the stored value")


class IndicatorValuesIn(Schema):
    values: list[IndicatorValueIn] = Field(
        ..., max_length=2000, description="Only the cells sent change; a cell left out keeps"
    )


class IndicatorSubmitIn(Schema):
    values: list[IndicatorValueIn] = Field(
        default_factory=list, max_length=2000, description="Cells to save before submitting"
    )


class IndicatorReviewIn(Schema):
    comment: str = Field("", max_length=4000, description="Required to return or reopen")


class IndicatorRowErrorOut(Schema):
    row: int | None = Field(description="Row of the sheet (None: the file as a whole)")
    field: str | None = Field(description="Cell (E9) or the multipart field")
    message: str


class IndicatorUploadErrorOut(Schema):
    message: str
    field: str | None = None
    errors: list[IndicatorRowErrorOut]


class IndicatorReportRefOut(Schema):
    form: str
    form_name: str
    unit: str
    unit_name: str
    period: str
    status: str = Field(description="not_started, draft, submitted, returned, approved, reopened")
    submitted_at: datetime | None


class IndicatorReportListOut(Schema):
    to_fill: list[IndicatorReportRefOut] = Field(
        description="Reports of the units you enter data for, for the period due now"
    )
    to_review: list[IndicatorReportRefOut] = Field(
        description="Submitted reports of units below yours, waiting for your decision"
    )


class IndicatorCompletenessRowOut(Schema):
    unit: str
    unit_name: str
    expected: int
    submitted: int
    approved: int
    on_time: int
    late: int
    missing: int
    rate: float | None
    timeliness: float | None
    status: str = Field(description="The child's own report status, or not_started/empty")


class IndicatorCompletenessOut(Schema):
    form: str
    unit: str
    unit_name: str
    period: str
    deadline: date
    total: IndicatorCompletenessRowOut
    rows: list[IndicatorCompletenessRowOut]


# --- helpers ---------------------------------------------------------------------------------


def _context(user: Actor, form_code: str, unit_code: str, period_code: str) -> dict[str, Any]:
    """Resolve form × unit × period exactly like the report page (404 for each refusal)."""
    return selectors.report_context(
        user=user, form_code=form_code, unit_code=unit_code, period_code=period_code
    )


def _conflict(sub: Submission | None, verb: str) -> Status[dict[str, Any]]:
    status = sub.get_status_display() if sub is not None else _("Chưa lập")
    return Status(
        409,
        {
            "message": _("Không thể %(verb)s báo cáo đang ở trạng thái '%(s)s'.")
            % {"verb": verb, "s": status},
            "field": None,
        },
    )


def _report_out(user: Actor, ctx: dict[str, Any]) -> dict[str, Any]:
    form, unit, period, sub = ctx["form"], ctx["unit"], ctx["period"], ctx["submission"]
    if sub is not None:
        sub.refresh_from_db()
    can_enter = ind_perms.can_enter_data(user, unit)
    can_review = ind_perms.can_review(user, unit)
    saved = selectors.form_values(sub) if sub else {}
    metrics = selectors.form_metrics(form)
    lines = excel.template_lines(metrics, saved)
    history = selectors.submission_history(sub) if sub else []
    movement = movement_figures(unit=unit, period=period, exclude={m.pk for m in metrics})
    return {
        "movement": movement_out(movement),
        "form": form.code,
        "form_name": form.name,
        "unit": unit.code,
        "unit_name": unit.name,
        "period": period.code,
        "period_label": period.label,
        "status": sub.status if sub else NOT_STARTED,
        "status_label": sub.get_status_display() if sub else _("Chưa lập"),
        "comment": sub.comment if sub else "",
        "deadline": form.deadline_for(period.end),
        "submitted_at": sub.submitted_at if sub else None,
        "reviewed_at": sub.reviewed_at if sub else None,
        "on_time": sub.on_time if sub else None,
        "can_enter": can_enter,
        "can_review": can_review and sub is not None,
        "editable": can_enter and (sub is None or sub.is_editable),
        "values": [
            {
                "metric": line.metric.code,
                "option": line.option,
                "name": line.metric.label + (f" — {line.option_name}" if line.option else ""),
                "unit_of_measure": line.metric.unit_of_measure,
                "value": line.value,
            }
            for line in lines
        ],
        "history": [
            {
                "action": e.action,
                "label": str(HISTORY_LABELS.get(e.action, e.action)),
                "at": e.created_at,
                "actor": e.actor_label,
                "comment": str((e.changes.get("after") or {}).get("comment", ""))
                if isinstance(e.changes, dict)
                else "",
            }
            for e in history
        ],
    }


def _value_inputs(ctx: dict[str, Any], cells: list[IndicatorValueIn]) -> list[services.ValueInput]:
    """Map the cells sent to the form's lines; refuse the batch naming every bad cell."""
    lines = {
        (line.metric.code, line.option): line
        for line in excel.template_lines(selectors.form_metrics(ctx["form"]), {})
    }
    values: list[services.ValueInput] = []
    errors: dict[str, list[str]] = {}
    for i, cell in enumerate(cells):
        where = f"values[{i}]"
        line = lines.get((cell.metric, cell.option))
        if line is None:
            errors.setdefault(f"{where}.metric", []).append(
                _("Chỉ tiêu '%(m)s' (phân tổ '%(o)s') không thuộc biểu mẫu '%(f)s'.")
                % {"m": cell.metric[:64], "o": cell.option[:64], "f": ctx["form"].code}
            )
            continue
        if cell.value is not None:
            if not math.isfinite(cell.value):
                errors.setdefault(f"{where}.value", []).append(
                    _("%(m)s: giá trị phải là một số hữu hạn.") % {"m": line.metric.code}
                )
                continue
            problem = line.metric.check_value(cell.value)
            if problem:
                errors.setdefault(f"{where}.value", []).append(
                    _("%(m)s: giá trị %(problem)s.") % {"m": line.metric.code, "problem": problem}
                )
                continue
        values.append(
            services.ValueInput(metric=line.metric, value=cell.value, option=line.option, ref=where)
        )
    if errors:
        raise ValidationError(errors)
    return values


def _require_enter(user: Actor, ctx: dict[str, Any]) -> None:
    if not ind_perms.can_enter_data(user, ctx["unit"]):
        raise selectors.unit_not_found(ctx["unit"].code)


def _require_review(user: Actor, ctx: dict[str, Any]) -> None:
    if not ind_perms.can_review(user, ctx["unit"]):
        raise selectors.unit_not_found(ctx["unit"].code)


def _save(
    user: Actor, ctx: dict[str, Any], values: list[services.ValueInput], *, submit: bool = False
) -> services.SaveResult:
    """Save ``values`` (opening the report when needed) and with ``submit`` send it, as the
    page's buttons do: one service call; a refusal to submit is raised once the values are
    saved."""
    result = services.submission_save(
        actor=user,
        form=ctx["form"],
        unit=ctx["unit"],
        period_code=ctx["period"].code,
        values=values,
        submit=submit,
    )
    ctx["submission"] = result.submission
    if result.refusal is not None:
        raise result.refusal
    return result


# --- endpoints -------------------------------------------------------------------------------


def _ref(form: Any, unit: Any, period_code: str, sub: Submission | None) -> dict[str, Any]:
    return {
        "form": form.code,
        "form_name": form.name,
        "unit": unit.code,
        "unit_name": unit.name,
        "period": period_code,
        "status": sub.status if sub is not None else NOT_STARTED,
        "submitted_at": sub.submitted_at if sub is not None else None,
    }


@router.get(
    "/indicators/reports",
    response={200: IndicatorReportListOut, 401: ErrorOut},
    summary="Your reports to fill and the reports waiting for your decision",
)
def report_list(request: HttpRequest) -> Any:
    """The same two lists as the reports page (at most 200 units, 100 waiting reports)."""
    user = api_user(request)
    to_fill = []
    for unit in selectors.entry_units(user=user):
        for form in selectors.forms_for_unit(unit):
            period = selectors.default_report_period(form)
            sub = Submission.objects.filter(form=form, orgunit=unit, period=period.code).first()
            to_fill.append(_ref(form, unit, period.code, sub))
    to_review = [_ref(s.form, s.orgunit, s.period, s) for s in selectors.review_queue(user=user)]
    return {"to_fill": to_fill, "to_review": to_review}


@router.get(
    PREFIX,
    response={200: IndicatorReportOut, 401: ErrorOut, 404: ErrorOut},
    summary="One report: its values, status and history",
)
def report_detail(request: HttpRequest, form_code: str, unit_code: str, period_code: str) -> Any:
    """Readable, as on the report page, by whoever sees the unit (even before it is started)."""
    user = api_user(request)
    ctx = _context(user, form_code, unit_code, period_code)
    return _report_out(user, ctx)


@router.put(
    PREFIX + "/values",
    response={200: IndicatorReportSavedOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Save values of a report (draft); cells left out keep their value",
)
def report_values_save(
    request: HttpRequest,
    form_code: str,
    unit_code: str,
    period_code: str,
    payload: IndicatorValuesIn,
) -> Any:
    """All cells or none: 400 names each bad cell (``values[i].metric`` / ``.value``)."""
    user = api_user(request)
    ctx, refused = _editable(user, form_code, unit_code, period_code, _("sửa"))
    if refused is not None:
        return refused
    result = _save(user, ctx, _value_inputs(ctx, payload.values))
    return {**_report_out(user, ctx), "changed": result.changed, "warnings": result.warnings}


@router.post(
    PREFIX + "/submit",
    response={200: IndicatorReportSavedOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Save the values sent, then send the report to the upper level",
)
def report_submit(
    request: HttpRequest,
    form_code: str,
    unit_code: str,
    period_code: str,
    payload: IndicatorSubmitIn,
) -> Any:
    """Every metric needs a value and no error-level rule may break (400 says which)."""
    user = api_user(request)
    ctx, refused = _editable(user, form_code, unit_code, period_code, _("gửi"))
    if refused is not None:
        return refused
    result = _save(user, ctx, _value_inputs(ctx, payload.values), submit=True)
    return {**_report_out(user, ctx), "changed": result.changed, "warnings": result.warnings}


def _editable(
    user: Actor, form_code: str, unit_code: str, period_code: str, verb: str
) -> tuple[dict[str, Any], Status[dict[str, Any]] | None]:
    """Return the report's context for its entry user, and the 409 when it cannot be changed
    (any more) by ``verb``."""
    ctx = _context(user, form_code, unit_code, period_code)
    _require_enter(user, ctx)
    sub = ctx["submission"]
    if sub is not None and sub.status not in EDITABLE_STATUSES:
        return ctx, _conflict(sub, verb)
    return ctx, None


def _review_action(
    request: HttpRequest,
    form_code: str,
    unit_code: str,
    period_code: str,
    comment: str,
    *,
    service: Any,
    allowed: tuple[str, ...],
    verb: str,
) -> Any:
    user = api_user(request)
    ctx = _context(user, form_code, unit_code, period_code)
    _require_review(user, ctx)
    sub = ctx["submission"]
    if sub is None or sub.status not in allowed:
        return _conflict(sub, verb)
    service(actor=user, submission=sub, comment=comment)
    return _report_out(user, ctx)


@router.post(
    PREFIX + "/return",
    response={200: IndicatorReportOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Send a submitted report back to its unit with a comment (required)",
)
def report_return(
    request: HttpRequest,
    form_code: str,
    unit_code: str,
    period_code: str,
    payload: IndicatorReviewIn,
) -> Any:
    return _review_action(
        request,
        form_code,
        unit_code,
        period_code,
        payload.comment,
        service=services.submission_return,
        allowed=(SubmissionStatus.SUBMITTED,),
        verb=_("trả lại"),
    )


@router.post(
    PREFIX + "/approve",
    response={200: IndicatorReportOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Approve a submitted report; its values are locked",
)
def report_approve(
    request: HttpRequest,
    form_code: str,
    unit_code: str,
    period_code: str,
    payload: IndicatorReviewIn,
) -> Any:
    return _review_action(
        request,
        form_code,
        unit_code,
        period_code,
        payload.comment,
        service=services.submission_approve,
        allowed=(SubmissionStatus.SUBMITTED,),
        verb=_("duyệt"),
    )


@router.post(
    PREFIX + "/reopen",
    response={200: IndicatorReportOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Unlock an approved report so its unit can correct it (comment required)",
)
def report_reopen(
    request: HttpRequest,
    form_code: str,
    unit_code: str,
    period_code: str,
    payload: IndicatorReviewIn,
) -> Any:
    return _review_action(
        request,
        form_code,
        unit_code,
        period_code,
        payload.comment,
        service=services.submission_reopen,
        allowed=(SubmissionStatus.APPROVED,),
        verb=_("mở lại"),
    )


@router.get(
    PREFIX + "/template",
    response={401: ErrorOut, 404: ErrorOut},
    summary="The report's Excel template, filled with the values already saved",
    openapi_extra={
        "responses": {
            200: {"description": "The template", "content": {XLSX_CONTENT_TYPE: {}}},
        }
    },
)
def report_template(
    request: HttpRequest, form_code: str, unit_code: str, period_code: str
) -> HttpResponse:
    user = api_user(request)
    ctx = _context(user, form_code, unit_code, period_code)
    _require_enter(user, ctx)
    metrics = selectors.form_metrics(ctx["form"])
    values = selectors.form_values(ctx["submission"]) if ctx["submission"] else {}
    data = excel.build_template(
        form=ctx["form"],
        unit=ctx["unit"],
        period=ctx["period"],
        lines=excel.template_lines(metrics, values),
    )
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    name = f"{ctx['form'].code}_{ctx['unit'].code}_{ctx['period'].code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _upload_refused(problems: list[ImportProblem]) -> Status[dict[str, Any]]:
    return Status(400, refusal(problems))


@router.post(
    PREFIX + "/upload",
    response={
        200: IndicatorReportSavedOut,
        400: IndicatorUploadErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Upload the filled Excel template: every cell is saved, or none",
)
def report_upload(
    request: HttpRequest,
    form_code: str,
    unit_code: str,
    period_code: str,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Multipart field ``file``; 400 lists every bad cell as ``{row, field, message}``."""
    user = api_user(request)
    ctx, refused = _editable(user, form_code, unit_code, period_code, _("sửa"))
    if refused is not None:
        return refused
    if file is None:
        return _upload_refused(
            [ImportProblem(row=None, column="", message=_("Chọn tệp Excel (.xlsx) để tải lên."))]
        )
    try:
        values, problems = excel.parse_upload(
            data=file.read(excel.MAX_BYTES + 1),
            form=ctx["form"],
            unit=ctx["unit"],
            period=ctx["period"],
            metrics=selectors.form_metrics(ctx["form"]),
        )
    except ImportFileError as exc:
        return _upload_refused(exc.problems)
    if problems:
        return _upload_refused(problems)
    try:
        result = _save(user, ctx, values)
    except services.ValuesRefused as exc:
        return _upload_refused(exc.problems)
    except ValidationError as exc:
        return _upload_refused(
            [ImportProblem(row=None, column="", message=m) for m in exc.messages]
        )
    return {**_report_out(user, ctx), "changed": result.changed, "warnings": result.warnings}


def _completeness_row(row: selectors.CompletenessRow, own: bool) -> dict[str, Any]:
    sub = row.submission
    return {
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "expected": row.expected,
        "submitted": row.submitted,
        "approved": row.approved,
        "on_time": row.on_time,
        "late": row.late,
        "missing": row.expected - row.submitted,
        "rate": row.rate,
        "timeliness": row.timeliness,
        "status": (sub.status if sub is not None else NOT_STARTED) if own else "",
    }


@router.get(
    PREFIX + "/completeness",
    response={200: IndicatorCompletenessOut, 401: ErrorOut, 404: ErrorOut},
    summary="Reports due below a unit: submitted, on time, late, missing, per child unit",
)
def report_completeness(
    request: HttpRequest, form_code: str, unit_code: str, period_code: str
) -> Any:
    """``status`` of a row is the child's own report when the child itself submits the form."""
    user = api_user(request)
    form, period, unit = selectors.form_period_unit(
        user=user, form_code=form_code, unit_code=unit_code, period_code=period_code
    )
    result = selectors.completeness(user=user, form=form, unit=unit, period=period)
    kinds = set(form.submitting_kinds)
    return {
        "form": form.code,
        "unit": unit.code,
        "unit_name": unit.name,
        "period": period.code,
        "deadline": result.deadline,
        "total": _completeness_row(result.total, own=False),
        "rows": [_completeness_row(r, own=r.unit.kind in kinds) for r in result.rows],
    }


class CompletenessRemindIn(Schema):
    units: list[str] | None = Field(
        None,
        max_length=5000,
        description="Codes of the late units to remind; absent or null: every late unit",
    )


class RemindedRecentlyOut(Schema):
    unit: str
    reminded_at: datetime


class CompletenessRemindOut(Schema):
    reminded: list[str] = Field(description="Codes of the units whose officers were notified")
    notified: int = Field(description="Notifications created (one per officer)")
    too_recent: list[RemindedRecentlyOut] = Field(
        description="Units reminded within COMPLETENESS_REMIND_HOURS: not reminded again"
    )
    without_officer: list[str] = Field(description="Units without an officer account")
    warnings: list[str]


@router.post(
    PREFIX + "/completeness/remind",
    response={200: CompletenessRemindOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Remind the officers of the late units below a unit (a notification each)",
)
def report_completeness_remind(
    request: HttpRequest,
    form_code: str,
    unit_code: str,
    period_code: str,
    payload: CompletenessRemindIn,
) -> Any:
    """Needs the right to review the units' reports (``APPROVE_REPORTS`` on ``unit``), else
    404. 400 names a unit that is not late; 409 when every unit asked was reminded within
    ``COMPLETENESS_REMIND_HOURS`` or has no officer account (the message says which)."""
    user = api_user(request)
    form, period, unit = selectors.form_period_unit(
        user=user, form_code=form_code, unit_code=unit_code, period_code=period_code
    )
    result = services.completeness_remind(
        actor=user, form=form, unit=unit, period=period, unit_codes=payload.units
    )
    return {
        "reminded": [u.code for u in result.reminded],
        "notified": result.notified,
        "too_recent": [{"unit": u.code, "reminded_at": when} for u, when in result.recent],
        "without_officer": [u.code for u in result.without_officer],
        "warnings": result.warnings(),
    }
