"""Officers' actions on a tip: one URL, one view and one service per action.

Every action is a POST to ``/tips/<pk>/<action>/`` (URL name ``tips:<action>``), its view made
by ``action_view`` from one declaration (name, service call, success message, form) and
answered by ``_apply``: sign-in, then ``selectors.tip_get`` (404 for a missing tip and a tip of
another unit alike); a bad form or a refusal of the service renders the tip page again with the
message (status 400, nothing saved); a ``PermissionDenied`` is the same 404; success goes
back to the tip, or to the inbox when the tip left the officer's scope (transferred).
The API has the same actions, one operation each (``binhyen.tips.api``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from binhyen.core.actors import Actor
from binhyen.core.web import current_user, not_found
from binhyen.tips import forms, selectors, services
from binhyen.tips import permissions as tip_perms
from binhyen.tips.models import Category, Tip
from binhyen.tips.views.officers import detail_context

Run = Callable[[Actor, Tip, Mapping[str, Any]], object]


def _apply(
    request: HttpRequest,
    pk: int,
    action: str,
    run: Run,
    *,
    done: str | Promise,
    form: django_forms.Form | None = None,
) -> HttpResponse:
    """Validate ``form`` (if any), call ``run(user, tip, data)`` (one service), answer.

    ``data`` is the form's cleaned data, or the raw POST for an action without a form."""
    user = current_user(request)
    tip = selectors.tip_get(user=user, pk=pk)
    if form is not None and not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return _refused(request, tip, action, " ".join(errors))
    try:
        run(user, tip, form.cleaned_data if form is not None else request.POST)
    except PermissionDenied:
        raise not_found(selectors.not_found_message()) from None
    except ValidationError as exc:
        return _refused(request, tip, action, " ".join(exc.messages))
    messages.success(request, str(done))
    try:
        selectors.tip_get(user=user, pk=pk)
    except Http404:
        return redirect("tips:inbox")
    return redirect("tips:detail", pk=pk)


def _refused(request: HttpRequest, tip: Tip, action: str, message: str) -> HttpResponse:
    messages.error(request, message)
    context = detail_context(request, tip, action_error=action)
    return render(request, "tips/detail.html", context, status=400)


def action_view(
    action: str,
    run: Run,
    *,
    done: str | Promise,
    doc: str,
    form: type[django_forms.Form] | None = None,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """Make the view of one action: a signed-in POST, ``form`` bound to it (or the raw POST
    when the action reads a single flag), then ``_apply``."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        bound = form(request.POST) if form is not None else None
        return _apply(request, pk, action, run, done=done, form=bound)

    view.__name__ = view.__qualname__ = f"tip_{action}"
    view.__doc__ = doc
    return view


def _post(data: Mapping[str, Any], field: str) -> bool:
    return data.get(field) == "1"


def _classify(user: Actor, tip: Tip, data: Mapping[str, Any]) -> Tip:
    code = data["category"]
    category = Category.objects.filter(code=code, is_active=True).first() if code else None
    if code and category is None:
        raise ValidationError({"category": _("Nhóm tin không tồn tại.")})
    return services.tip_classify(actor=user, tip=tip, kind=data["kind"], category=category)


def _assign(user: Actor, tip: Tip, data: Mapping[str, Any]) -> Tip:
    assignee = selectors.tip_triage_officers(tip=tip).filter(pk=data["assignee"]).first()
    if assignee is None:
        raise ValidationError({"assignee": _("Người được giao không có quyền xử lý tin này.")})
    return services.tip_assign(actor=user, tip=tip, assignee=assignee)


def _transfer(user: Actor, tip: Tip, data: Mapping[str, Any]) -> Tip:
    to_unit = None
    if data["to_unit"]:
        to_unit = selectors.public_unit(code=data["to_unit"].strip())
        if to_unit is None or to_unit.kind != "commune":
            raise ValidationError(
                {
                    "to_unit": _("Không tìm thấy xã/phường có mã “%(code)s”.")
                    % {"code": data["to_unit"]}
                }
            )
    return services.tip_transfer(
        actor=user, tip=tip, reason=data["reason"], to_unit=to_unit, to_body=data["to_body"]
    )


def _merge(user: Actor, tip: Tip, data: Mapping[str, Any]) -> Tip:
    code = tip_perms.normalise_code(data["into"])
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
    return services.tip_merge(actor=user, tip=tip, into=into, note=data["note"])


# One line per action: its name (URL name ``tips:<name>``), what it runs, its success
# message and the form its POST must pass (``None``: the raw POST, for a single flag).
tip_claim = action_view(
    "claim",
    lambda user, tip, data: services.tip_claim(
        actor=user, tip=tip, take_over=_post(data, "take_over")
    ),
    done=gettext_lazy("Bạn đang xử lý tin này."),
    doc="Take the tip; a supervisor's ``take_over=1`` takes someone else's claim.",
)
tip_release = action_view(
    "release",
    lambda user, tip, _data: services.tip_release(actor=user, tip=tip),
    done=gettext_lazy("Đã trả tin về hàng chờ."),
    doc="Give the tip back to the queue.",
)
tip_verify = action_view(
    "verify",
    lambda user, tip, _data: services.tip_verify_start(actor=user, tip=tip),
    done=gettext_lazy("Đã chuyển sang đang xác minh."),
    doc="Start verifying a new tip (this acknowledges it).",
)
tip_valuable = action_view(
    "valuable",
    lambda user, tip, data: services.tip_mark_valuable(
        actor=user, tip=tip, valuable=_post(data, "value")
    ),
    done=gettext_lazy("Đã cập nhật đánh giá tin có giá trị."),
    doc="Flag the tip as valuable (``value=1``) or clear the flag.",
)
tip_reply = action_view(
    "reply",
    lambda user, tip, data: services.tip_reply(actor=user, tip=tip, body=data["body"]),
    done=gettext_lazy("Đã gửi trả lời cho người báo tin."),
    form=forms.TextForm,
    doc="Send a message to the citizen.",
)
tip_note = action_view(
    "note",
    lambda user, tip, data: services.tip_note_add(actor=user, tip=tip, body=data["body"]),
    done=gettext_lazy("Đã thêm ghi chú nội bộ."),
    form=forms.TextForm,
    doc="Add an internal note.",
)
tip_conclude = action_view(
    "conclude",
    lambda user, tip, data: services.tip_conclude(
        actor=user, tip=tip, status=data["status"], outcome=data["outcome"]
    ),
    done=gettext_lazy("Đã kết luận tin."),
    form=forms.ConcludeForm,
    doc="Conclude the tip as resolved or unfounded, with the outcome.",
)
tip_reopen = action_view(
    "reopen",
    lambda user, tip, data: services.tip_reopen(actor=user, tip=tip, reason=data["reason"]),
    done=gettext_lazy("Đã mở lại tin."),
    form=forms.ReasonForm,
    doc="Reopen a concluded tip, with the reason.",
)
tip_priority = action_view(
    "priority",
    lambda user, tip, data: services.tip_set_priority(
        actor=user, tip=tip, priority=data["priority"]
    ),
    done=gettext_lazy("Đã đổi mức ưu tiên."),
    form=forms.PriorityForm,
    doc="Change the priority.",
)
tip_classify = action_view(
    "classify",
    _classify,
    done=gettext_lazy("Đã phân loại lại tin."),
    form=forms.ClassifyForm,
    doc="Correct the kind and category.",
)
tip_assign = action_view(
    "assign",
    _assign,
    done=gettext_lazy("Đã giao tin."),
    form=forms.AssignForm,
    doc="Give the tip to an officer who may triage it.",
)
tip_transfer = action_view(
    "transfer",
    _transfer,
    done=gettext_lazy("Đã chuyển tin."),
    form=forms.TransferForm,
    doc="Send the tip to another commune, or conclude it as passed on to another body.",
)
tip_merge = action_view(
    "merge",
    _merge,
    done=gettext_lazy("Đã gộp vào tin gốc."),
    form=forms.MergeForm,
    doc="Mark the tip a duplicate of another tip in the officer's scope.",
)
