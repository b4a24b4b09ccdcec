"""Officers' pages of the tips app: the inbox, the tip page, contact and media, and the home.

Deny by default: sign-in, then ``selectors.tip_get`` (404 for a missing tip and a tip of
another unit alike). The actions on a tip have their own views (``views.actions``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from binhyen.core.web import current_user, not_found, paginate, querystring
from binhyen.tips import forms, selectors, services
from binhyen.tips import permissions as tip_perms
from binhyen.tips.models import Priority, Status, Tip, TipKind
from binhyen.tips.views.public import no_store

PAGE_SIZE = 25


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The tips of the units the officer works for, with filters."""
    user = current_user(request)
    if not tip_perms.can_triage_anywhere(user):
        raise not_found(selectors.not_found_message())
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
    tips = selectors.tip_inbox(user=user, filters=filters)
    page = paginate(request, tips, per_page=PAGE_SIZE)
    query = querystring(**{k: v for k, v in request.GET.items() if k != "page"})
    return render(
        request, "tips/inbox.html", {"form": form, "page": page, "qs": query, "now": timezone.now()}
    )


def detail_context(request: HttpRequest, tip: Tip, **extra: Any) -> dict[str, Any]:
    """Return the context of the tip page (also rendered, status 400, by a refused action)."""
    user = current_user(request)
    now = timezone.now()
    context: dict[str, Any] = {
        "tip": tip,
        "thread": selectors.tip_thread(tip=tip),
        "media_list": selectors.tip_media(tip=tip),
        "duplicates": selectors.tip_duplicates(user=user, tip=tip) if tip.is_open else [],
        "templates": selectors.reply_templates(),
        "officers": selectors.tip_triage_officers(tip=tip),
        "categories": selectors.categories(),
        "can_view_contact": tip_perms.can_view_contact(user, tip),
        "overdue": selectors.is_overdue(tip, now),
        "claim_active": selectors.claim_active(tip, now),
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
    tip = selectors.tip_get(user=current_user(request), pk=pk)
    return render(request, "tips/detail.html", detail_context(request, tip))


@login_required
@require_POST
def tip_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Reveal a named tip's contact details to an allowed officer; the view is logged."""
    user = current_user(request)
    tip = selectors.tip_get(user=user, pk=pk)
    try:
        contact = services.tip_contact_reveal(actor=user, tip=tip)
    except PermissionDenied:
        raise not_found(selectors.not_found_message()) from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tips:detail", pk=pk)
    response = render(request, "tips/detail.html", detail_context(request, tip, contact=contact))
    return no_store(response)


@login_required
@require_GET
def tip_media_file(request: HttpRequest, pk: int, media_pk: int) -> FileResponse:
    """Serve a tip's photo or video to officers who may open the tip (never publicly)."""
    item = selectors.tip_media_get(user=current_user(request), tip_pk=pk, media_pk=media_pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def tip_home(request: HttpRequest) -> HttpResponse:
    """Send officers to their inbox and everyone else to the public form."""
    if request.user.is_authenticated and tip_perms.can_triage_anywhere(request.user):
        return redirect("tips:inbox")
    return redirect("tips:new")
