"""Public pages of the tips app: intake and follow-up (no login).

Public pages never store who asked: no session, no IP address, no user agent. Their abuse
checks are the intake guard's (``binhyen.tips.guard``), in its one order, each with its own
Vietnamese message: request size (413), rate limit (429), form and honeypot (400),
proof-of-work (400), files (400), then one service. A tracking code is shown only after the
service returned, i.e. after the commit. Every answer is ``Cache-Control: no-store``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.core.forms import add_service_errors
from binhyen.tips import forms, guard, media, pow, selectors, services
from binhyen.tips.models import Channel, Tip
from binhyen.tips.notices import tracking_notices

FOLLOW_SALT = "binhyen.tips.follow"
FOLLOW_MAX_AGE = 2 * 3600


def no_store(response: HttpResponse) -> HttpResponse:
    """Mark ``response`` as never to be cached (it may show a code, a secret or contact)."""
    response["Cache-Control"] = "no-store"
    return response


def _public(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return no_store(render(request, template, context, status=status))


def _error_page(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return _public(request, "tips/public_error.html", {"message": message}, status=status)


def _refused_page(request: HttpRequest, refused: guard.Refused) -> HttpResponse:
    response = _error_page(request, refused.message, refused.status)
    if refused.retry_after is not None:
        response["Retry-After"] = str(refused.retry_after)
    return response


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


class _FormInvalid(Exception):
    """The public form did not validate (its errors are on the form)."""


@never_cache
@require_http_methods(["GET", "POST"])
def tip_new(request: HttpRequest) -> HttpResponse:
    """The public tip form (no login); on success, the tracking code and the secret, once."""
    if request.method == "GET":
        form = forms.PublicTipForm(initial=_initial_from_unit(request.GET.get("unit", "")[:32]))
        return _public(request, "tips/public_form.html", _form_context(form))
    # The form reads the body only once the size and the rate limit passed (in the guard).
    bound: list[forms.PublicTipForm] = []

    def parse() -> guard.PublicSubmission:
        form = forms.PublicTipForm(request.POST, request.FILES)
        bound.append(form)
        if not form.is_valid():
            raise _FormInvalid
        return guard.PublicSubmission(
            data=form.to_input(),
            proof_token=form.cleaned_data["pow_token"],
            proof_solution=form.cleaned_data["pow_solution"],
            uploads=form.cleaned_data["attachments"],
        )

    try:
        submitted = guard.public_tip_submit(request, channel=Channel.WEB, parse=parse)
    except guard.Refused as exc:
        if not bound:
            return _refused_page(request, exc)
        context = _form_context(bound[0], exc.message)
        return _public(request, "tips/public_form.html", context, status=exc.status)
    except _FormInvalid:
        return _public(request, "tips/public_form.html", _form_context(bound[0]), status=400)
    except ValidationError as exc:
        add_service_errors(bound[0], exc)
        return _public(request, "tips/public_form.html", _form_context(bound[0]), status=400)
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
        guard.public_request_admit(request, "lookup", check_size=False)
    except guard.Refused as exc:
        return _error_page(request, exc.message, exc.status)
    code = request.POST.get("code", "")[:20]
    secret = request.POST.get("secret", "")[:40]
    tip = selectors.tip_for_citizen(code=code, secret=secret)
    if tip is None:
        return _error_page(request, _("Mã theo dõi hoặc mã bí mật không đúng."), 404)
    response = HttpResponse(
        _receipt_text(request, tip, secret), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="bien-nhan-{tip.tracking_code}.txt"'
    return no_store(response)


def _follow_context(tip: Tip, form: forms.FollowUpForm | None = None) -> dict[str, Any]:
    access = signing.TimestampSigner(salt=FOLLOW_SALT).sign_object({"t": tip.pk})
    return {
        "tip": tip,
        "thread": selectors.tip_public_thread(tip=tip),
        "form": form or forms.FollowUpForm(initial={"access": access}),
        "access": access,
        "max_files": settings.TIPS_MAX_FILES,
        "notices": tracking_notices.notices(tip),
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
    if guard.too_large(request):
        return _error_page(request, guard.too_large_message(), 413)
    if "access" in request.POST:
        return _follow_add(request)
    try:
        guard.public_request_admit(request, "lookup", check_size=False)
    except guard.Refused as exc:
        return _error_page(request, exc.message, exc.status)
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
        guard.public_request_admit(request, "follow", check_size=False)
    except guard.Refused as exc:
        return _error_page(request, exc.message, exc.status)
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
        add_service_errors(form, exc)
        return _public(request, "tips/public_follow.html", _follow_context(tip, form), status=400)
    context = _follow_context(tip)
    context["added"] = True
    return _public(request, "tips/public_follow.html", context)
