"""Pages of the awards app: figures, catalogue, drives, reviews, proposals, rewards, counter.

Deny by default: every view needs a signed-in user; objects come through ``selectors``
(404 for missing and forbidden alike) and a refused write answers 404 (``call_or_404``,
``form_view``), so existence never leaks. Views parse input, call one service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.awards import excel, permissions, selectors, services
from binhyen.awards.forms import (
    CollectForm,
    CommentForm,
    DecideForm,
    DriveForm,
    EntryEditForm,
    EntryForm,
    EntryMarkForm,
    NomineeForm,
    ProposalFilterForm,
    ProposalForm,
    RegistrationForm,
    ReviewOpenForm,
    RewardFilterForm,
    SearchForm,
    TipRewardForm,
)
from binhyen.awards.models import Outcome, ProposalStatus, ReviewStatus, Subject
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.vocabulary import TaskGrade
from binhyen.core.web import call_or_404, call_service, current_user, form_view, paginate
from binhyen.core.web import querystring as qs
from binhyen.orgunits.models import OrgUnit

FORM = "awards/form.html"


def _unit(request: HttpRequest, code: str) -> OrgUnit:
    """Resolve a typed unit code in the user's scope, or say which field is wrong."""
    found = selectors.visible_units(request.user).filter(code=code.strip()[:64]).first()
    if found is None:
        raise ValidationError({"unit": _("Không có đơn vị mã %(code)s.") % {"code": code}})
    return found


def _home_code(request: HttpRequest) -> str:
    unit = selectors.home_unit(user=request.user)
    return unit.code if unit else ""


def _filters(form: Any) -> dict[str, Any]:
    return form.cleaned_data if form.is_valid() else {}


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- overview --------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Show the figures of the user's unit for a year, and what waits for the user."""
    unit = selectors.home_unit(user=request.user)
    if unit is None:
        raise selectors.not_found()
    form = SearchForm(request.GET or None)
    year = _filters(form).get("year") or selectors.today().year
    return render(
        request,
        "awards/index.html",
        {
            "unit": unit,
            "year": year,
            "figures": selectors.figures(user=request.user, unit=unit, year=year),
            "waiting": selectors.waiting_for(user=request.user)[:10],
            "reviews": selectors.reviews_due(user=request.user, year=year)[:10],
            "can_manage": permissions.can_manage_anywhere(request.user),
            "can_counter": permissions.can_hand_over_anywhere(request.user),
            "valuable_tips": selectors.valuable_tips_to_reward(user=request.user),
        },
    )


# --- catalogue -------------------------------------------------------------------------------


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q = _filters(form).get("q")
    page = paginate(request, selectors.catalogue_list(user=request.user, q=q))
    country = selectors.country()
    # "Sửa" only on the rows this user may change (a province officer: their province's rows).
    editable = {
        e.pk
        for e in page.object_list
        if permissions.can_edit_catalogue(request.user, e.province, country)
    }
    return render(
        request,
        "awards/catalogue.html",
        {
            "form": form,
            "page": page,
            "querystring": qs(q=q),
            "can_edit": permissions.can_edit_catalogue_anywhere(request.user),
            "editable": editable,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_edit_catalogue_anywhere(request.user):
        raise selectors.not_found()
    home = selectors.home_unit(user=request.user)

    def arguments(data: dict[str, Any]) -> dict[str, Any]:
        national = data.pop("national")
        return {"province": None if national else selectors.province_of(home), **data}

    return form_view(
        request,
        EntryForm(request.POST if request.method == "POST" else None),
        services.entry_create,
        template=FORM,
        context={"title": _("Thêm danh hiệu, hình thức khen thưởng")},
        arguments=arguments,
        success_url=reverse("awards:catalogue"),
        success_message=_("Đã thêm vào danh mục."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.entry_get(user=request.user, pk=pk)
    if not permissions.can_edit_catalogue(request.user, row.province, selectors.country()):
        raise selectors.not_found()
    stored = {f: getattr(row, f) for f in services.CATALOGUE_FIELDS}
    return form_view(
        request,
        EntryEditForm(request.POST if request.method == "POST" else None, initial=stored),
        services.entry_update,
        template=FORM,
        context={"title": row.label},
        arguments=lambda data: {"entry": row, **data},
        success_url=reverse("awards:catalogue"),
        success_message=_("Đã lưu thay đổi."),
    )


# --- drives ----------------------------------------------------------------------------------


@login_required
@require_GET
def drives(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    f = _filters(form)
    items = selectors.drive_list(user=request.user, q=f.get("q"), year=f.get("year"))
    return render(
        request,
        "awards/drives.html",
        {
            "form": form,
            "page": paginate(request, items),
            "querystring": qs(q=f.get("q"), year=f.get("year")),
            "can_manage": permissions.can_manage_anywhere(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def drive_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_anywhere(request.user):
        raise selectors.not_found()
    today = selectors.today()
    initial = {
        "unit": _home_code(request),
        "year": today.year,
        "starts_on": today.replace(month=1, day=1),
        "ends_on": today.replace(month=12, day=31),
    }
    return form_view(
        request,
        DriveForm(request.POST if request.method == "POST" else None, initial=initial),
        services.drive_create,
        template=FORM,
        context={"title": _("Phát động phong trào thi đua")},
        arguments=lambda data: {**data, "unit": _unit(request, data["unit"])},
        success_url=lambda d: reverse("awards:drive", args=[d.pk]),
        success_message=_("Đã phát động phong trào."),
    )


@login_required
@require_GET
def drive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    drive = selectors.drive_get(user=request.user, pk=pk)
    manage = permissions.can_manage(request.user, drive.orgunit)
    return render(
        request,
        "awards/drive.html",
        {
            "drive": drive,
            "registrations": selectors.registrations(drive=drive),
            "can_manage": manage,
            "form": RegistrationForm(initial={"unit": drive.orgunit.code}) if manage else None,
            "to_link": len(selectors.pledges_to_link(user=request.user, drive=drive))
            if manage
            else 0,
        },
    )


@login_required
@require_POST
def drive_link(request: HttpRequest, pk: int) -> HttpResponse:
    drive = selectors.drive_get(user=request.user, pk=pk)
    n = call_or_404(services.drive_pledges_link, actor=current_user(request), drive=drive)
    messages.success(request, _("Đã liên kết %(n)s giao ước thi đua.") % {"n": n})
    return redirect("awards:drive", pk=drive.pk)


@login_required
@require_POST
def registration_add(request: HttpRequest, pk: int) -> HttpResponse:
    drive = selectors.drive_get(user=request.user, pk=pk)
    if not permissions.can_manage(request.user, drive.orgunit):
        raise selectors.not_found()
    form = RegistrationForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["unit"] = _unit(request, data["unit"])
        except ValidationError as exc:
            form.add_error("unit", exc.message_dict["unit"])
        else:
            ok, _r = call_service(
                form, services.registration_create, actor=current_user(request), drive=drive, **data
            )
            if ok:
                messages.success(request, _("Đã ghi đăng ký thi đua."))
                return redirect("awards:drive", pk=drive.pk)
    return render(
        request,
        "awards/drive.html",
        {
            "drive": drive,
            "registrations": selectors.registrations(drive=drive),
            "can_manage": True,
            "form": form,
        },
        status=400,
    )


# --- reviews ---------------------------------------------------------------------------------


@login_required
@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    f = _filters(form)
    return render(
        request,
        "awards/reviews.html",
        {
            "form": form,
            "page": paginate(request, selectors.review_list(user=request.user, year=f.get("year"))),
            "querystring": qs(year=f.get("year")),
            "can_manage": permissions.can_manage_anywhere(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_open(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_anywhere(request.user):
        raise selectors.not_found()
    initial = {"unit": _home_code(request), "year": selectors.today().year}
    return form_view(
        request,
        ReviewOpenForm(request.POST if request.method == "POST" else None, initial=initial),
        services.review_open,
        template=FORM,
        context={"title": _("Mở bình xét cuối năm")},
        arguments=lambda data: {**data, "unit": _unit(request, data["unit"])},
        success_url=lambda r: reverse("awards:review", args=[r.pk]),
        success_message=_("Đã mở bình xét."),
    )


def _review_page(
    request: HttpRequest, review: Any, status: int = 200, **extra: Any
) -> HttpResponse:
    editable = review.status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
    entries = list(selectors.review_entries(review=review))
    return render(
        request,
        "awards/review.html",
        {
            "review": review,
            "registrations": [e for e in entries if e.subject == Subject.REGISTRATION],
            "collectives": [e for e in entries if e.subject == Subject.COLLECTIVE],
            "officers": [e for e in entries if e.subject == Subject.OFFICER],
            "can_edit": editable and permissions.can_manage(request.user, review.orgunit),
            "can_decide": editable and permissions.can_act_at(request.user, review.orgunit),
            "can_approve": review.status == ReviewStatus.SUBMITTED
            and permissions.can_act_at(request.user, review.orgunit.parent),
            "cap": selectors.setting("EXCELLENT_CAP_PERCENT", 20),
            "outcomes": Outcome.choices,
            "grades": TaskGrade.choices,
            "comment_form": CommentForm(),
            **extra,
        },
        status=status,
    )


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, selectors.review_get(user=request.user, pk=pk))


@login_required
@require_POST
def review_entry(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.review_entry_get(user=request.user, pk=pk)
    if not permissions.can_manage(request.user, line.review.orgunit):
        raise selectors.not_found()
    form = EntryMarkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        service: Any = (
            services.review_entry_mark
            if line.subject == Subject.REGISTRATION
            else services.review_entry_classify
        )
        value = (
            {"outcome": data["outcome"]}
            if line.subject == Subject.REGISTRATION
            else {"grade": data["grade"]}
        )
        ok, _r = call_service(
            form, service, actor=current_user(request), entry=line, note=data["note"], **value
        )
        if ok:
            return redirect(reverse("awards:review", args=[line.review_id]) + f"#e{line.pk}")
    return _review_page(request, line.review, status=400, errors=form.errors, error_line=line.pk)


def _review_action(request: HttpRequest, pk: int, service: Any, message: str) -> HttpResponse:
    review = selectors.review_get(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    form.is_valid()
    extra = (
        {"comment": form.cleaned_data.get("comment", "")}
        if service is services.review_return
        else {}
    )
    ok, _r = call_service(form, service, actor=current_user(request), review=review, **extra)
    if not ok:
        return _review_page(request, review, status=400, errors=form.errors)
    messages.success(request, message)
    return redirect("awards:review", pk=review.pk)


@login_required
@require_POST
def review_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, services.review_submit, _("Đã trình cấp trên."))


@login_required
@require_POST
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, services.review_approve, _("Đã duyệt bình xét."))


@login_required
@require_POST
def review_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, services.review_return, _("Đã trả lại bình xét."))


# --- proposals -------------------------------------------------------------------------------


def _proposal_filters(request: HttpRequest) -> tuple[ProposalFilterForm, dict[str, Any]]:
    form = ProposalFilterForm(request.GET or None)
    f = _filters(form)
    f["waiting"] = request.GET.get("waiting") == "1"
    return form, f


@login_required
@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    form, f = _proposal_filters(request)
    items = selectors.proposal_list(
        user=request.user,
        q=f.get("q"),
        status=f.get("status"),
        year=f.get("year"),
        waiting=f["waiting"],
    )
    return render(
        request,
        "awards/proposals.html",
        {
            "form": form,
            "page": paginate(request, items),
            "querystring": qs(
                q=f.get("q"), status=f.get("status"), year=f.get("year"), waiting=f["waiting"] and 1
            ),
            "can_manage": permissions.can_manage_anywhere(request.user),
        },
    )


@login_required
@require_GET
def proposals_export(request: HttpRequest) -> HttpResponse:
    _form, f = _proposal_filters(request)
    items = selectors.proposal_list(
        user=request.user, q=f.get("q"), status=f.get("status"), year=f.get("year")
    )
    return _xlsx(excel.proposals_workbook(items), "de-nghi-khen-thuong.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_anywhere(request.user):
        raise selectors.not_found()
    home = selectors.home_unit(user=request.user)
    initial = {"unit": home.code if home else "", "year": selectors.today().year}
    form = ProposalForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        entries=selectors.forms_for(home),
    )
    return form_view(
        request,
        form,
        services.proposal_create,
        template=FORM,
        context={"title": _("Lập đề nghị khen thưởng")},
        arguments=lambda data: {**data, "unit": _unit(request, data["unit"])},
        success_url=lambda p: reverse("awards:proposal", args=[p.pk]),
        success_message=_("Đã lập đề nghị; thêm người, tập thể được đề nghị rồi trình."),
    )


def _proposal_page(
    request: HttpRequest, proposal: Any, status: int = 200, **extra: Any
) -> HttpResponse:
    user = request.user
    editable = proposal.status in (ProposalStatus.DRAFT, ProposalStatus.RETURNED)
    acting = proposal.status == ProposalStatus.PENDING and permissions.can_act_at(
        user, proposal.current_unit
    )
    context = {
        "proposal": proposal,
        "nominees": proposal.nominees.select_related("orgunit"),
        "steps": proposal.steps.select_related("orgunit", "actor"),
        "decision": getattr(proposal, "decision", None)
        if proposal.status == ProposalStatus.DECIDED
        else None,
        "can_edit": editable and permissions.can_manage(user, proposal.orgunit),
        "can_act": acting,
        "is_deciding": acting and proposal.current_unit_id == proposal.deciding_unit_id,
        "nominee_form": NomineeForm(initial={"unit": proposal.orgunit.code}),
        "comment_form": CommentForm(),
        "decide_form": DecideForm(initial={"decided_on": selectors.today()}),
        "due": selectors.proposal_due(proposal),
    }
    context.update(extra)
    return render(request, "awards/proposal.html", context, status=status)


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_page(request, selectors.proposal_get(user=request.user, pk=pk))


@login_required
@require_POST
def nominee_add(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    if not permissions.can_manage(request.user, proposal.orgunit):
        raise selectors.not_found()
    form = NomineeForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["unit"] = _unit(request, data["unit"])
        except ValidationError as exc:
            form.add_error("unit", exc.message_dict["unit"])
        else:
            ok, _r = call_service(
                form, services.nominee_add, actor=current_user(request), proposal=proposal, **data
            )
            if ok:
                return redirect("awards:proposal", pk=proposal.pk)
    return _proposal_page(request, proposal, status=400, nominee_form=form)


@login_required
@require_POST
def proposal_add_kept(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    try:
        n = call_or_404(services.proposal_add_kept, actor=current_user(request), proposal=proposal)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return _proposal_page(request, proposal, status=400, action_errors=errors)
    messages.success(request, _("Đã thêm %(n)s đơn vị thực hiện đúng giao ước.") % {"n": n})
    return redirect("awards:proposal", pk=proposal.pk)


def _proposal_action(
    request: HttpRequest, pk: int, service: Any, message: str, **fixed: Any
) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    form.is_valid()
    extra = {"comment": form.cleaned_data.get("comment", "")} if "comment" in fixed else {}
    ok, _r = call_service(form, service, actor=current_user(request), proposal=proposal, **extra)
    if not ok:
        return _proposal_page(
            request, proposal, status=400, comment_form=form, action_errors=form.errors
        )
    messages.success(request, message)
    return redirect("awards:proposal", pk=proposal.pk)


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_action(request, pk, services.proposal_submit, _("Đã trình đề nghị."))


@login_required
@require_POST
def proposal_forward(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_action(
        request, pk, services.proposal_forward, _("Đã chuyển cấp trên."), comment=True
    )


@login_required
@require_POST
def proposal_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_action(
        request, pk, services.proposal_return, _("Đã trả lại đề nghị."), comment=True
    )


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    if not permissions.can_act_at(request.user, proposal.current_unit):
        raise selectors.not_found()
    form = DecideForm(request.POST)
    if form.is_valid():
        ok, _r = call_service(
            form,
            services.proposal_decide,
            actor=current_user(request),
            proposal=proposal,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Đã ghi quyết định khen thưởng."))
            return redirect("awards:proposal", pk=proposal.pk)
    return _proposal_page(request, proposal, status=400, decide_form=form)


# --- rewards, the counter, tips ---------------------------------------------------------------


def _reward_filters(request: HttpRequest) -> tuple[RewardFilterForm, dict[str, Any]]:
    form = RewardFilterForm(request.GET or None)
    return form, _filters(form)


@login_required
@require_GET
def rewards(request: HttpRequest) -> HttpResponse:
    form, f = _reward_filters(request)
    items = selectors.reward_list(
        user=request.user, q=f.get("q"), year=f.get("year"), level=f.get("level")
    )
    return render(
        request,
        "awards/rewards.html",
        {
            "form": form,
            "page": paginate(request, items),
            "querystring": qs(q=f.get("q"), year=f.get("year"), level=f.get("level")),
        },
    )


@login_required
@require_GET
def rewards_export(request: HttpRequest) -> HttpResponse:
    _form, f = _reward_filters(request)
    items = selectors.reward_list(
        user=request.user, q=f.get("q"), year=f.get("year"), level=f.get("level")
    )
    return _xlsx(excel.rewards_workbook(items), "khen-thuong.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def tip_reward(request: HttpRequest, tip_id: int) -> HttpResponse:
    tip = selectors.tip_get(user=request.user, pk=tip_id)
    unit = tip.commune or tip.orgunit
    if not permissions.can_reward_tips(request.user, unit):
        raise selectors.not_found()
    form = TipRewardForm(
        request.POST if request.method == "POST" else None, entries=selectors.forms_for(unit)
    )
    return form_view(
        request,
        form,
        services.tip_reward_propose,
        template=FORM,
        context={
            "title": _("Đề nghị khen thưởng người báo tin %(code)s") % {"code": tip.tracking_code}
        },
        arguments=lambda data: {**data, "tip_id": tip.pk},
        success_url=lambda p: reverse("awards:proposal", args=[p.pk]),
        success_message=_("Đã trình đề nghị khen thưởng người báo tin."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def collect(request: HttpRequest) -> HttpResponse:
    """The counter: check a tipster's one-time collection code and record the hand-over."""
    if not permissions.can_hand_over_anywhere(request.user):
        raise selectors.not_found()
    return form_view(
        request,
        CollectForm(request.POST if request.method == "POST" else None),
        services.reward_collect,
        template=FORM,
        context={
            "title": _("Trao thưởng theo mã nhận thưởng"),
            "help": _(
                "Người nhận chỉ cần đọc mã; không hỏi, không ghi giấy tờ tùy thân. "
                "Mỗi mã chỉ dùng được một lần."
            ),
        },
        success_url=reverse("awards:collect"),
        success_message=lambda r: (
            _("Mã hợp lệ: trao %(form)s (%(amount)s đồng).")
            % {"form": r.form.name, "amount": f"{r.amount or 0:,}".replace(",", ".")}
        ),
    )
