"""Pages of the tips app: public intake and follow-up (no login), the Zalo webhook, and the
officers' inbox and tip page.

Public pages never store who asked: no session, no IP address, no user agent. Their abuse
checks run in this order, each with its own Vietnamese message: request size (413), rate
limit (429), form and honeypot (400), proof-of-work (400), files (400), then one service.
A tracking code is shown only after the service returned, i.e. after the commit.

Officer pages are deny-by-default: sign-in, then ``selectors.tip_get`` (404 for a missing
tip and a tip of another unit alike).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.tips import forms, media, pow, selectors, services, zalo
from binhyen.tips import permissions as tip_perms
from binhyen.tips.models import Category, Channel, Priority, Status, Tip, TipKind
from binhyen.tips.ratelimit import RateLimited, rate_limit_hit

FOLLOW_SALT = "binhyen.tips.follow"
FOLLOW_MAX_AGE = 2 * 3600
PAGE_SIZE = 25


# --- shared checks -------------------------------------------------------------------------------


def too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.TIPS_MAX_REQUEST_BYTES


def too_large_message() -> str:
    return _(
        "Dữ liệu gửi lên quá lớn (tối đa %(mb)s MB mỗi lần). Hãy bớt ảnh/video rồi gửi lại."
    ) % {"mb": settings.TIPS_MAX_REQUEST_BYTES // (1024 * 1024)}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _public(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return _no_store(render(request, template, context, status=status))


def _error_page(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return _public(request, "tips/public_error.html", {"message": message}, status=status)


# --- public intake -------------------------------------------------------------------------------


def _form_context(form: forms.PublicTipForm, error: str = "") -> dict[str, Any]:
    province = form["province"].value() or ""
    commune = form["commune"].value() or ""
    challenge = pow.challenge_issue()
    return {
        "form": form,
        "error": error,
        "challenge": challenge,
        "communes": selectors.public_communes(province_code=province) if province else [],
        "villages": selectors.public_villages(commune_code=commune) if commune else [],
        "max_files": settings.TIPS_MAX_FILES,
        "max_image_mb": settings.TIPS_MAX_IMAGE_BYTES // (1024 * 1024),
        "max_video_mb": settings.TIPS_MAX_VIDEO_BYTES // (1024 * 1024),
        "allow_video": settings.TIPS_ALLOW_VIDEO,
    }


def _initial_from_unit(code: str) -> dict[str, str]:
    unit = selectors.public_unit(code=code) if code else None
    if unit is None:
        return {}
    if unit.kind == "province":
        return {"province": unit.code}
    if unit.kind == "commune":
        return {"province": unit.parent.code if unit.parent else "", "commune": unit.code}
    commune = unit.parent
    province = commune.parent if commune is not None else None
    return {
        "province": province.code if province else "",
        "commune": commune.code if commune else "",
        "village": unit.code,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def tip_new(request: HttpRequest) -> HttpResponse:
    """The public tip form (no login); on success, the tracking code and the secret, once."""
    if request.method == "GET":
        form = forms.PublicTipForm(initial=_initial_from_unit(request.GET.get("unit", "")[:32]))
        return _public(request, "tips/public_form.html", _form_context(form))
    if too_large(request):
        return _error_page(request, too_large_message(), 413)
    try:
        rate_limit_hit("submit", request)
    except RateLimited as exc:
        response = _error_page(request, exc.message, 429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    form = forms.PublicTipForm(request.POST, request.FILES)
    if not form.is_valid():
        return _public(request, "tips/public_form.html", _form_context(form), status=400)
    try:
        pow.challenge_verify(form.cleaned_data["pow_token"], form.cleaned_data["pow_solution"])
        processed = media.process_uploads(form.cleaned_data["attachments"])
        submitted = services.tip_submit(
            actor=None, data=form.to_input(), channel=Channel.WEB, media=processed
        )
    except pow.ChallengeError as exc:
        return _public(request, "tips/public_form.html", _form_context(form, str(exc)), status=400)
    except ValidationError as exc:
        forms.add_service_errors(form, exc)
        return _public(request, "tips/public_form.html", _form_context(form), status=400)
    return _public(
        request,
        "tips/public_done.html",
        {"tip": submitted.tip, "secret": submitted.secret},
        status=201,
    )


@require_GET
def unit_options(request: HttpRequest) -> HttpResponse:
    """Return <option>s of the communes of a province or the villages of a commune (htmx)."""
    province = request.GET.get("province", "")[:32]
    commune = request.GET.get("commune", "")[:32]
    if commune:
        units = list(selectors.public_villages(commune_code=commune))
        empty = _("— Không rõ / không có trong danh sách —")
    elif province:
        units = list(selectors.public_communes(province_code=province))
        empty = _("— Chọn xã/phường —")
    else:
        units, empty = [], _("— Chọn tỉnh/thành phố trước —")
    return render(request, "tips/_unit_options.html", {"units": units, "empty": empty})


def _receipt_text(request: HttpRequest, tip: Tip, secret: str) -> str:
    follow_url = request.build_absolute_uri(reverse("tips:follow"))
    return render_to_string(
        "tips/receipt.txt", {"tip": tip, "secret": secret, "follow_url": follow_url}
    )


@require_POST
def tip_receipt(request: HttpRequest) -> HttpResponse:
    """Download the receipt (.txt) for a code and secret the citizen holds."""
    try:
        rate_limit_hit("lookup", request)
    except RateLimited as exc:
        return _error_page(request, exc.message, 429)
    code = request.POST.get("code", "")[:20]
    secret = request.POST.get("secret", "")[:40]
    tip = selectors.tip_for_citizen(code=code, secret=secret)
    if tip is None:
        return _error_page(request, _("Mã theo dõi hoặc mã bí mật không đúng."), 404)
    response = HttpResponse(
        _receipt_text(request, tip, secret), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="bien-nhan-{tip.tracking_code}.txt"'
    return _no_store(response)


def _follow_context(tip: Tip, form: forms.FollowUpForm | None = None) -> dict[str, Any]:
    access = signing.TimestampSigner(salt=FOLLOW_SALT).sign_object({"t": tip.pk})
    return {
        "tip": tip,
        "thread": selectors.tip_public_thread(tip=tip),
        "form": form or forms.FollowUpForm(initial={"access": access}),
        "access": access,
        "max_files": settings.TIPS_MAX_FILES,
    }


def _tip_from_access(token: str) -> Tip | None:
    try:
        data = signing.TimestampSigner(salt=FOLLOW_SALT).unsign_object(
            token, max_age=FOLLOW_MAX_AGE
        )
    except (signing.BadSignature, ValueError):
        return None
    return Tip.objects.select_related("orgunit", "duplicate_of").filter(pk=data.get("t")).first()


@never_cache
@require_http_methods(["GET", "POST"])
def tip_follow(request: HttpRequest) -> HttpResponse:
    """Follow a tip with its code and secret: status, replies, and adding information."""
    if request.method == "GET":
        return _public(request, "tips/public_lookup.html", {"form": forms.LookupForm()})
    if too_large(request):
        return _error_page(request, too_large_message(), 413)
    if "access" in request.POST:
        return _follow_add(request)
    try:
        rate_limit_hit("lookup", request)
    except RateLimited as exc:
        return _error_page(request, exc.message, 429)
    form = forms.LookupForm(request.POST)
    if not form.is_valid():
        return _public(request, "tips/public_lookup.html", {"form": form}, status=400)
    tip = selectors.tip_for_citizen(
        code=form.cleaned_data["code"], secret=form.cleaned_data["secret"]
    )
    if tip is None:
        form.add_error(
            None, _("Mã theo dõi hoặc mã bí mật không đúng. Hãy kiểm tra lại biên nhận.")
        )
        return _public(request, "tips/public_lookup.html", {"form": form}, status=404)
    return _public(request, "tips/public_follow.html", _follow_context(tip))


def _follow_add(request: HttpRequest) -> HttpResponse:
    try:
        rate_limit_hit("follow", request)
    except RateLimited as exc:
        return _error_page(request, exc.message, 429)
    tip = _tip_from_access(request.POST.get("access", ""))
    if tip is None:
        return _public(
            request,
            "tips/public_lookup.html",
            {"form": forms.LookupForm(), "expired": True},
            status=400,
        )
    form = forms.FollowUpForm(request.POST, request.FILES)
    if not form.is_valid():
        return _public(request, "tips/public_follow.html", _follow_context(tip, form), status=400)
    try:
        processed = media.process_uploads(form.cleaned_data["attachments"])
        services.tip_follow_up(
            actor=None,
            tip=tip,
            body=form.cleaned_data["body"],
            media=processed,
            channel=Channel.WEB,
        )
    except ValidationError as exc:
        forms.add_service_errors(form, exc)
        return _public(request, "tips/public_follow.html", _follow_context(tip, form), status=400)
    context = _follow_context(tip)
    context["added"] = True
    return _public(request, "tips/public_follow.html", context)


# --- Zalo webhook --------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def zalo_webhook(request: HttpRequest) -> HttpResponse:
    """Receive a Zalo OA event; 200 once it is stored (or was already), 4xx when refused."""
    if too_large(request):
        return JsonResponse({"message": too_large_message()}, status=413)
    raw = request.body
    try:
        event = zalo.verify(raw, request.headers.get(zalo.SIGNATURE_HEADER))
        inbound = zalo.parse_event(event, zalo.get_fetcher())
    except zalo.SignatureMissing:
        return JsonResponse({"message": _("Thiếu chữ ký Zalo.")}, status=401)
    except zalo.SignatureInvalid:
        return JsonResponse(
            {"message": _("Chữ ký Zalo không hợp lệ hoặc sự kiện đã quá cũ.")}, status=403
        )
    except zalo.EventInvalid:
        return JsonResponse({"message": _("Nội dung sự kiện Zalo không đọc được.")}, status=400)
    if inbound is None:
        return JsonResponse({"status": "ignored"})
    try:
        outcome = services.zalo_event_receive(event=inbound)
    except ValidationError as exc:
        return JsonResponse({"message": " ".join(exc.messages)}, status=422)
    if outcome.duplicate:
        return JsonResponse({"status": "duplicate"})
    return JsonResponse({"status": "created" if outcome.created else "follow_up"})


# --- officers ------------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The tips of the units the officer works for, with filters."""
    if not tip_perms.can_triage_anywhere(request.user):
        raise Http404(selectors.not_found_message())
    form = forms.InboxFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = selectors.InboxFilter(
        status=data.get("status") or "open",
        kind=data.get("kind") or "",
        priority=data.get("priority"),
        mine=bool(data.get("mine")),
        unclaimed=bool(data.get("unclaimed")),
        overdue=bool(data.get("overdue")),
        escalated=bool(data.get("escalated")),
        valuable=bool(data.get("valuable")),
        q=data.get("q") or "",
    )
    tips = selectors.tip_inbox(user=request.user, filters=filters)
    page = Paginator(tips, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tips/inbox.html",
        {"form": form, "page": page, "qs": query.urlencode(), "now": timezone.now()},
    )


def _detail_context(request: HttpRequest, tip: Tip, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    context: dict[str, Any] = {
        "tip": tip,
        "thread": selectors.tip_thread(tip=tip),
        "media_list": selectors.tip_media(tip=tip),
        "duplicates": selectors.tip_duplicates(user=request.user, tip=tip) if tip.is_open else [],
        "templates": selectors.reply_templates(),
        "officers": selectors.tip_triage_officers(tip=tip),
        "categories": selectors.categories(),
        "can_view_contact": tip_perms.can_view_contact(request.user, tip),
        "overdue": selectors.is_overdue(tip, now),
        "claim_active": services._claim_active(tip, now),
        "now": now,
        "Status": Status,
        "Priority": Priority,
        "kinds": TipKind.choices,
        "reply_form": forms.TextForm(),
        "note_form": forms.TextForm(),
        "conclude_form": forms.ConcludeForm(),
        "transfer_form": forms.TransferForm(),
        "merge_form": forms.MergeForm(),
        "reason_form": forms.ReasonForm(),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def tip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tip = selectors.tip_get(user=request.user, pk=pk)
    return render(request, "tips/detail.html", _detail_context(request, tip))


def _run_action(request: HttpRequest, tip: Tip, action: str) -> tuple[Any, forms.forms.Form | None]:
    """Parse the form of ``action`` and call its service; return (result, form with errors)."""
    post = request.POST
    user = request.user
    if action == "claim":
        return services.tip_claim(actor=user, tip=tip, take_over=post.get("take_over") == "1"), None
    if action == "release":
        return services.tip_release(actor=user, tip=tip), None
    if action == "verify":
        return services.tip_verify_start(actor=user, tip=tip), None
    if action == "valuable":
        return services.tip_mark_valuable(
            actor=user, tip=tip, valuable=post.get("value") == "1"
        ), None
    if action in ("reply", "note"):
        text_form = forms.TextForm(post)
        if not text_form.is_valid():
            return None, text_form
        body = text_form.cleaned_data["body"]
        if action == "reply":
            return services.tip_reply(actor=user, tip=tip, body=body), None
        return services.tip_note_add(actor=user, tip=tip, body=body), None
    if action == "conclude":
        conclude_form = forms.ConcludeForm(post)
        if not conclude_form.is_valid():
            return None, conclude_form
        d = conclude_form.cleaned_data
        return services.tip_conclude(
            actor=user, tip=tip, status=d["status"], outcome=d["outcome"]
        ), None
    if action == "reopen":
        reason_form = forms.ReasonForm(post)
        if not reason_form.is_valid():
            return None, reason_form
        return services.tip_reopen(
            actor=user, tip=tip, reason=reason_form.cleaned_data["reason"]
        ), None
    if action == "priority":
        priority_form = forms.PriorityForm(post)
        if not priority_form.is_valid():
            return None, priority_form
        return services.tip_set_priority(
            actor=user, tip=tip, priority=priority_form.cleaned_data["priority"]
        ), None
    if action == "classify":
        classify_form = forms.ClassifyForm(post)
        if not classify_form.is_valid():
            return None, classify_form
        code = classify_form.cleaned_data["category"]
        category = Category.objects.filter(code=code, is_active=True).first() if code else None
        if code and category is None:
            raise ValidationError({"category": _("Nhóm tin không tồn tại.")})
        return services.tip_classify(
            actor=user, tip=tip, kind=classify_form.cleaned_data["kind"], category=category
        ), None
    if action == "assign":
        assign_form = forms.AssignForm(post)
        if not assign_form.is_valid():
            return None, assign_form
        assignee = (
            selectors.tip_triage_officers(tip=tip)
            .filter(pk=assign_form.cleaned_data["assignee"])
            .first()
        )
        if assignee is None:
            raise ValidationError({"assignee": _("Người được giao không có quyền xử lý tin này.")})
        return services.tip_assign(actor=user, tip=tip, assignee=assignee), None
    if action == "transfer":
        transfer_form = forms.TransferForm(post)
        if not transfer_form.is_valid():
            return None, transfer_form
        d = transfer_form.cleaned_data
        to_unit = None
        if d["to_unit"]:
            to_unit = selectors.public_unit(code=d["to_unit"].strip())
            if to_unit is None or to_unit.kind != "commune":
                raise ValidationError(
                    {
                        "to_unit": _("Không tìm thấy xã/phường có mã “%(code)s”.")
                        % {"code": d["to_unit"]}
                    }
                )
        return services.tip_transfer(
            actor=user, tip=tip, reason=d["reason"], to_unit=to_unit, to_body=d["to_body"]
        ), None
    if action == "merge":
        merge_form = forms.MergeForm(post)
        if not merge_form.is_valid():
            return None, merge_form
        code = tip_perms.normalise_code(merge_form.cleaned_data["into"])
        into = (
            selectors.tip_inbox(user=user, filters=selectors.InboxFilter(status="all"))
            .filter(tracking_code=code)
            .first()
        )
        if into is None:
            raise ValidationError(
                {
                    "into": _("Không tìm thấy tin có mã “%(code)s” trong phạm vi của bạn.")
                    % {"code": code}
                }
            )
        return services.tip_merge(
            actor=user, tip=tip, into=into, note=merge_form.cleaned_data["note"]
        ), None
    raise Http404(selectors.not_found_message())


ACTION_DONE = {
    "claim": gettext_lazy("Bạn đang xử lý tin này."),
    "release": gettext_lazy("Đã trả tin về hàng chờ."),
    "verify": gettext_lazy("Đã chuyển sang đang xác minh."),
    "valuable": gettext_lazy("Đã cập nhật đánh giá tin có giá trị."),
    "reply": gettext_lazy("Đã gửi trả lời cho người báo tin."),
    "note": gettext_lazy("Đã thêm ghi chú nội bộ."),
    "conclude": gettext_lazy("Đã kết luận tin."),
    "reopen": gettext_lazy("Đã mở lại tin."),
    "priority": gettext_lazy("Đã đổi mức ưu tiên."),
    "classify": gettext_lazy("Đã phân loại lại tin."),
    "assign": gettext_lazy("Đã giao tin."),
    "transfer": gettext_lazy("Đã chuyển tin."),
    "merge": gettext_lazy("Đã gộp vào tin gốc."),
}


@login_required
@require_POST
def tip_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Apply one officer action; on success back to the tip (or the inbox if it left scope)."""
    if action not in ACTION_DONE:
        raise Http404(selectors.not_found_message())
    tip = selectors.tip_get(user=request.user, pk=pk)
    try:
        result, bad_form = _run_action(request, tip, action)
    except PermissionDenied:
        raise Http404(selectors.not_found_message()) from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(
            request,
            "tips/detail.html",
            _detail_context(request, tip, action_error=action),
            status=400,
        )
    if bad_form is not None:
        errors = [str(e) for errs in bad_form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
        return render(
            request,
            "tips/detail.html",
            _detail_context(request, tip, action_error=action),
            status=400,
        )
    messages.success(request, str(ACTION_DONE[action]))
    if not Tip.objects.filter(pk=tip.pk).exists() or result is None:
        return redirect("tips:inbox")
    try:
        selectors.tip_get(user=request.user, pk=pk)
    except Http404:
        return redirect("tips:inbox")
    return redirect("tips:detail", pk=pk)


@login_required
@require_POST
def tip_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Reveal a named tip's contact details to an allowed officer; the view is logged."""
    tip = selectors.tip_get(user=request.user, pk=pk)
    try:
        contact = services.tip_contact_reveal(actor=request.user, tip=tip)
    except PermissionDenied:
        raise Http404(selectors.not_found_message()) from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tips:detail", pk=pk)
    response = render(request, "tips/detail.html", _detail_context(request, tip, contact=contact))
    return _no_store(response)


@login_required
@require_GET
def tip_media_file(request: HttpRequest, pk: int, media_pk: int) -> FileResponse:
    """Serve a tip's photo or video to officers who may open the tip (never publicly)."""
    item = selectors.tip_media_get(user=request.user, tip_pk=pk, media_pk=media_pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def tip_home(request: HttpRequest) -> HttpResponse:
    """Send officers to their inbox and everyone else to the public form."""
    if request.user.is_authenticated and tip_perms.can_triage_anywhere(request.user):
        return redirect("tips:inbox")
    return redirect("tips:new")
