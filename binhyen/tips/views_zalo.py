"""The Zalo delivery queue for administrators: replies that could not be pushed.

Only holders of ``MANAGE_INTEGRATIONS`` (system administrators) see it; everyone else gets
404. The page shows no message text and no Zalo id: the tip's internal id, its unit, the
number of attempts and the last error code. Retry and discard go through audited services.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from binhyen.accounts import permissions as acc_perms
from binhyen.tips import selectors, services
from binhyen.tips.models import PushStatus

ACTIONABLE = (PushStatus.FAILED, PushStatus.HELD)


def _require_admin(request: HttpRequest) -> None:
    if not acc_perms.has_perm_anywhere(request.user, acc_perms.MANAGE_INTEGRATIONS):
        raise Http404


@login_required
@require_GET
def zalo_pushes(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    failed = selectors.zalo_pushes_for(request.user, (PushStatus.FAILED,))
    page = Paginator(failed, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "held": selectors.zalo_pushes_for(request.user, (PushStatus.HELD,)).count(),
        "pending": selectors.zalo_pushes_for(request.user, (PushStatus.PENDING,)).count(),
    }
    return render(request, "tips/zalo_pushes.html", context)


@login_required
@require_POST
def zalo_push_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_admin(request)
    push = selectors.zalo_pushes_for(request.user, ACTIONABLE).filter(pk=pk).first()
    if push is None or action not in ("retry", "discard"):
        raise Http404
    try:
        if action == "retry":
            services.zalo_push_retry(actor=request.user, push=push)
            messages.success(request, _("Đã đưa tin trả lời vào hàng đợi để gửi lại."))
        else:
            services.zalo_push_discard(actor=request.user, push=push)
            messages.success(request, _("Đã bỏ tin trả lời khỏi hàng đợi gửi Zalo."))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("tips:zalo_pushes")
