"""Zalo pages: the OA webhook (signed by Zalo, no login), and the delivery queue.

The webhook answers 200 once an event is stored (or was already), 4xx when it is refused
(see ``binhyen.tips.zalo`` for the signature). The delivery queue lists officer replies that
could not be pushed. Only holders of ``MANAGE_INTEGRATIONS`` (system administrators) see
it; everyone else gets 404. The page shows no message text and no Zalo id: the tip's
internal id, its unit, the number of attempts and the last error code. Retry and discard
go through audited services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from binhyen.accounts import permissions as acc_perms
from binhyen.core.web import current_user, not_found, paginate
from binhyen.tips import guard, selectors, services, zalo
from binhyen.tips.models import PushStatus

ACTIONABLE = (PushStatus.FAILED, PushStatus.HELD)


def _require_admin(request: HttpRequest) -> None:
    if not acc_perms.has_perm_anywhere(current_user(request), acc_perms.MANAGE_INTEGRATIONS):
        raise not_found()


@login_required
@require_GET
def zalo_pushes(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    user = current_user(request)
    failed = selectors.zalo_pushes_for(user, (PushStatus.FAILED,))
    context = {
        "page": paginate(request, failed),
        "held": selectors.zalo_pushes_for(user, (PushStatus.HELD,)).count(),
        "pending": selectors.zalo_pushes_for(user, (PushStatus.PENDING,)).count(),
    }
    return render(request, "tips/zalo_pushes.html", context)


@login_required
@require_POST
def zalo_push_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_admin(request)
    user = current_user(request)
    push = selectors.zalo_pushes_for(user, ACTIONABLE).filter(pk=pk).first()
    if push is None or action not in ("retry", "discard"):
        raise not_found()
    try:
        if action == "retry":
            services.zalo_push_retry(actor=user, push=push)
            messages.success(request, _("Đã đưa tin trả lời vào hàng đợi để gửi lại."))
        else:
            services.zalo_push_discard(actor=user, push=push)
            messages.success(request, _("Đã bỏ tin trả lời khỏi hàng đợi gửi Zalo."))
    except PermissionDenied as exc:
        raise not_found() from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("tips:zalo_pushes")


@csrf_exempt
@require_POST
def zalo_webhook(request: HttpRequest) -> HttpResponse:
    """Receive a Zalo OA event; 200 once it is stored (or was already), 4xx when refused."""
    if guard.too_large(request):
        return JsonResponse({"message": guard.too_large_message()}, status=413)
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
