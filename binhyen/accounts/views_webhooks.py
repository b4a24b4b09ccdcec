"""Pages for outbound webhooks: list, register, edit, switch on/off, delivery log, retry.

Only holders of ``MANAGE_INTEGRATIONS`` (system administrators) see these pages; everyone
else gets 404, as if they did not exist. Views parse input, call one service, render.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.accounts import permissions, selectors
from binhyen.accounts.forms import WebhookForm
from binhyen.core import webhooks
from binhyen.core.forms import add_service_errors
from binhyen.core.models import WebhookEvent, WebhookSubscription


def _require_admin(request: HttpRequest) -> None:
    if not permissions.has_perm_anywhere(request.user, permissions.MANAGE_INTEGRATIONS):
        raise Http404


def _subscription(request: HttpRequest, pk: int) -> WebhookSubscription:
    _require_admin(request)
    sub = selectors.webhook_subscriptions_for(request.user).filter(pk=pk).first()
    if sub is None:
        raise Http404
    return sub


def _event_labels(sub: WebhookSubscription) -> list[str]:
    labels = dict(WebhookEvent.choices)
    return [str(labels.get(e, e)) for e in sub.events]


@login_required
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    subs = list(selectors.webhook_subscriptions_for(request.user))
    context: dict[str, Any] = {
        "rows": [(s, _event_labels(s)) for s in subs],
        "auto_disabled": [s for s in subs if s.disabled_reason == webhooks.DISABLED_FAILURES],
        "failures_reason": webhooks.DISABLED_FAILURES,
    }
    return render(request, "accounts/webhook_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = WebhookForm(request.POST or None, initial={"secret": webhooks.secret_suggest()})
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                sub = webhooks.webhook_subscription_create(
                    actor=request.user,
                    name=data["name"],
                    url=data["url"],
                    secret=data["secret"],
                    events=data["events"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã đăng ký webhook “%(name)s”.") % {"name": sub.name})
                return redirect("accounts:webhook_list")
        return render(request, "accounts/webhook_form.html", {"form": form}, status=400)
    return render(request, "accounts/webhook_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _subscription(request, pk)
    initial = {"name": sub.name, "url": sub.url, "events": sub.events}
    form = WebhookForm(request.POST or None, initial=initial, editing=True)
    context = {"form": form, "subscription": sub}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                webhooks.webhook_subscription_update(
                    actor=request.user,
                    subscription=sub,
                    name=data["name"],
                    url=data["url"],
                    events=data["events"],
                    secret=data["secret"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu webhook."))
                return redirect("accounts:webhook_list")
        return render(request, "accounts/webhook_form.html", context, status=400)
    return render(request, "accounts/webhook_form.html", context)


@login_required
@require_POST
def webhook_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _subscription(request, pk)
    active = request.POST.get("active") == "1"
    webhooks.webhook_subscription_set_active(actor=request.user, subscription=sub, active=active)
    messages.success(request, _("Đã bật webhook.") if active else _("Đã tắt webhook."))
    return redirect("accounts:webhook_list")


@login_required
@require_GET
def webhook_deliveries(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _subscription(request, pk)
    deliveries = selectors.webhook_deliveries_for(request.user, sub)
    page = Paginator(deliveries, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/webhook_deliveries.html",
        {"subscription": sub, "page": page, "events": _event_labels(sub)},
    )


@login_required
@require_POST
def webhook_delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    delivery = selectors.webhook_delivery_for(request.user, pk)
    if delivery is None:
        raise Http404
    try:
        webhooks.webhook_delivery_retry(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:webhook_deliveries", pk=delivery.subscription_id)
    messages.success(request, _("Đã đưa lần gửi vào hàng đợi để gửi lại."))
    return redirect("accounts:webhook_deliveries", pk=delivery.subscription_id)
