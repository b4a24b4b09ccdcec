"""Views every deployment needs: health (public up/down, staff detail), operations, metrics,
the progress and download of large exports (their requester only), and the user's own
notifications (list, mark read).

Deny by default: the operations and detailed health pages need a signed-in operator
(``permissions.can_view_operations``), others get 404; ``/metrics`` answers only the bearer
token ``METRICS_TOKEN`` and is 404 without it or when no token is configured.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from binhyen.core import health, notifications
from binhyen.core.models import ExportJob, Notification
from binhyen.core.permissions import can_view_operations
from binhyen.core.web import current_user, not_found, paginate


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Tell load balancers whether this server can serve: 200 up, 503 down, no details."""
    if health.healthy(health.run_checks(health.readiness_checks())):
        return JsonResponse({"status": "ok"})
    return JsonResponse({"status": "unavailable"}, status=503)


def _require_operator(request: HttpRequest) -> None:
    if not can_view_operations(request.user):
        raise Http404


@never_cache
@require_GET
@login_required
def health_detail(request: HttpRequest) -> HttpResponse:
    """Show every health check with its message and time (operators only)."""
    _require_operator(request)
    outcomes = health.run_checks(health.detailed_checks())
    ok = health.healthy(outcomes)
    return render(
        request,
        "core/health.html",
        {"outcomes": outcomes, "ok": ok},
        status=200 if ok else 503,
    )


@never_cache
@require_GET
@login_required
def operations(request: HttpRequest) -> HttpResponse:
    """Show the scheduled jobs (last and next run), the scheduler lease and the queue."""
    _require_operator(request)
    return render(request, "core/operations.html", health.ops_summary())


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics for the bearer of ``METRICS_TOKEN``; 404 for anyone else."""
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView

    from binhyen.core.metrics import register_collector

    register_collector()
    return ExportToDjangoView(request)


def _own_export(request: HttpRequest, pk: str) -> ExportJob:
    user_pk = request.user.pk
    job = ExportJob.objects.filter(pk=pk, user_id=user_pk).first() if user_pk else None
    if job is None:
        raise Http404
    return job


@never_cache
@require_GET
@login_required
def export_status(request: HttpRequest, pk: str) -> HttpResponse:
    """Show a large export's progress; htmx polls the status part until the file is ready."""
    job = _own_export(request, pk)
    template = (
        "core/_export_status.html" if request.headers.get("HX-Request") else "core/export.html"
    )
    return render(request, template, {"job": job})


@require_GET
@login_required
def export_download(request: HttpRequest, pk: str) -> FileResponse:
    """Download a finished export (its requester only)."""
    job = _own_export(request, pk)
    if job.status != ExportJob.Status.DONE or not default_storage.exists(job.file):
        raise Http404
    return FileResponse(
        default_storage.open(job.file, "rb"), as_attachment=True, filename=job.filename
    )


# --- notifications (the signed-in user's own; anybody else's is a 404) --------------------


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, unread marked; paginated."""
    user = current_user(request)
    page = paginate(request, notifications.notifications_for(user).select_related("orgunit"))
    rows = [(n, *notifications.render(n)) for n in page.object_list]
    return render(
        request,
        "core/notifications.html",
        {"page": page, "rows": rows, "unread": notifications.unread_count(user)},
    )


def _safe_next(request: HttpRequest, link: str) -> str:
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return reverse("core:notifications")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with ``open`` go on to its link, else back to the list."""
    user = current_user(request)
    try:
        notification = notifications.notification_get(user=user, pk=pk)
    except Notification.DoesNotExist:
        raise not_found(_("Không có thông báo này.")) from None
    notifications.notification_mark_read(actor=user, notification=notification)
    if request.POST.get("open"):
        return redirect(_safe_next(request, notification.link))
    return redirect(reverse("core:notifications") + _page_query(request))


def _page_query(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    return f"?page={page}" if page.isdigit() else ""


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification of the user read."""
    changed = notifications.notifications_mark_all_read(actor=current_user(request))
    if changed:
        messages.success(
            request,
            ngettext(
                "Đã đánh dấu %(n)s thông báo là đã đọc.",
                "Đã đánh dấu %(n)s thông báo là đã đọc.",
                changed,
            )
            % {"n": changed},
        )
    return redirect("core:notifications")
