"""Pages of the accounts app: sign-in, second factor, own account, user administration, audit.

Views parse input, call one service and render. Permission failures become 404 so that the
existence of users and units outside the reader's scope never leaks. Invalid input is shown on
the form with a 400 (429 when a code check is throttled).
"""

from __future__ import annotations

import math
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticToken

from binhyen.accounts import permissions, selectors, services
from binhyen.accounts.forms import (
    ApiTokenForm,
    AuditFilterForm,
    BackupCodeForm,
    LoginForm,
    OtpCodeForm,
    PasswordChangeForm,
    RoleGrantForm,
    UserCreateForm,
    UserSearchForm,
)
from binhyen.accounts.models import ApiToken, RoleAssignment, User
from binhyen.core.forms import add_service_errors


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _next_url(request: HttpRequest, default: str | None = None) -> str:
    """Return the ``next`` parameter when it points to this site, else ``default`` (home)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _throttle_message(locked_until: Any) -> str:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return _("Bạn đã nhập sai nhiều lần. Hãy đợi %(seconds)s giây rồi thử lại.") % {
        "seconds": seconds
    }


# --- Sign-in and sign-out ------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Password sign-in; users whose roles need a second factor continue to the code page."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if permissions.requires_two_factor(self.request.user):
            return _with_next("accounts:otp_verify", url)
        return url

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and return to the sign-in page."""

    next_page = settings.LOGOUT_REDIRECT_URL


# --- Second factor -------------------------------------------------------------------------


def _verified(request: HttpRequest, device: Any) -> None:
    """Mark the session as verified with ``device`` under a fresh session key."""
    request.session.cycle_key()
    django_otp.login(request, device)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not services.has_confirmed_totp(user):
        if permissions.requires_two_factor(user):
            return redirect(_with_next("accounts:otp_setup", next_url))
        return redirect(next_url)

    form: OtpCodeForm | BackupCodeForm = OtpCodeForm()
    backup_form = BackupCodeForm(prefix="backup")
    status = 200
    if request.method == "POST":
        if request.POST.get("kind") == "backup":
            backup_form = BackupCodeForm(request.POST, prefix="backup")
            bound: OtpCodeForm | BackupCodeForm = backup_form
        else:
            form = OtpCodeForm(request.POST)
            bound = form
        status = 400
        if bound.is_valid():
            outcome = services.otp_code_verify(
                actor=user, code=bound.cleaned_data["code"], ip_address=_client_ip(request)
            )
            if outcome.ok:
                _verified(request, outcome.device)
                return redirect(next_url)
            if outcome.locked_until is not None:
                bound.add_error("code", _throttle_message(outcome.locked_until))
                status = 429
            else:
                bound.add_error(
                    "code",
                    _(
                        "Mã không đúng hoặc đã hết hạn. Hãy nhập mã đang hiển thị trong ứng "
                        "dụng xác thực."
                    )
                    if bound is form
                    else _("Mã dự phòng không đúng hoặc đã được dùng."),
                )
    context = {"form": form, "backup_form": backup_form, "next": next_url}
    return render(request, "accounts/otp_verify.html", context, status=status)


def _qr_svg(device: Any) -> str:
    """Render the device's ``otpauth://`` URL as an inline SVG QR code (no external service)."""
    code = segno.make(device.config_url, error="m")
    return str(
        code.svg_inline(
            scale=5, border=2, dark="#000", light="#fff", title=_("Mã QR để thêm vào ứng dụng")
        )
    )


def _grouped_secret(device: Any) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    next_url = _next_url(request)
    if services.has_confirmed_totp(user):
        if user.is_verified():
            return redirect("accounts:profile")
        return redirect(_with_next("accounts:otp_verify", next_url))
    if not permissions.requires_two_factor(user):
        messages.info(request, _("Tài khoản của bạn không cần xác thực hai lớp."))
        return redirect("accounts:profile")

    device = services.totp_device_start(actor=user)
    form = OtpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            outcome = services.totp_device_confirm(
                actor=user,
                device=device,
                code=form.cleaned_data["code"],
                ip_address=_client_ip(request),
            )
            if outcome.ok:
                _verified(request, outcome.device)
                return render(
                    request,
                    "accounts/otp_backup_codes.html",
                    {"codes": outcome.backup_codes, "next": next_url, "just_enabled": True},
                )
            if outcome.locked_until is not None:
                form.add_error("code", _throttle_message(outcome.locked_until))
                status = 429
            else:
                form.add_error(
                    "code",
                    _(
                        "Mã không đúng. Hãy kiểm tra giờ trên điện thoại và nhập mã đang hiển "
                        "thị trong ứng dụng."
                    ),
                )
    context = {
        "form": form,
        "qr_svg": _qr_svg(device),
        "otpauth_url": device.config_url,
        "secret": _grouped_secret(device),
        "next": next_url,
    }
    return render(request, "accounts/otp_setup.html", context, status=status)


@login_required
@require_POST
def otp_backup_codes_regenerate(request: HttpRequest) -> HttpResponse:
    try:
        codes = services.otp_backup_codes_regenerate(actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/otp_backup_codes.html",
        {"codes": codes, "next": reverse("accounts:profile"), "just_enabled": False},
    )


# --- Own account ---------------------------------------------------------------------------


def _profile_context(
    request: HttpRequest, token_form: ApiTokenForm | None = None
) -> dict[str, Any]:
    user: Any = request.user
    totp_enabled = services.has_confirmed_totp(user)
    return {
        "assignments": selectors.assignments_of(user),
        "tokens": selectors.api_tokens_of(user),
        "token_form": token_form or ApiTokenForm(),
        "two_factor_required": permissions.requires_two_factor(user),
        "totp_enabled": totp_enabled,
        "backup_codes_left": (
            StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
            if totp_enabled
            else 0
        ),
        "can_manage_users": permissions.has_perm_anywhere(user, permissions.MANAGE_USERS),
        "can_view_audit": permissions.has_perm_anywhere(user, permissions.VIEW_AUDIT),
        "can_manage_integrations": permissions.has_perm_anywhere(
            user, permissions.MANAGE_INTEGRATIONS
        ),
    }


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", _profile_context(request))


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_create(
                actor=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Rendered in the POST response, never stored: the secret is shown exactly once.
            return render(request, "accounts/token_created.html", {"token": token, "raw": raw})
    return render(request, "accounts/profile.html", _profile_context(request, form), status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Đã thu hồi mã truy cập “%(name)s”.") % {"name": token.name})
    return redirect("accounts:profile")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password through the service (audited) and keep the session signed in."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            user = services.user_password_change(
                actor=self.request.user, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


# --- User administration -------------------------------------------------------------------


def _require_manager(request: HttpRequest) -> None:
    if not permissions.has_perm_anywhere(request.user, permissions.MANAGE_USERS):
        raise Http404


def _managed_user(request: HttpRequest, pk: int) -> User:
    _require_manager(request)
    return get_object_or_404(selectors.users_manageable_by(request.user), pk=pk)


def _with_assignments(users: Any) -> Any:
    return users.prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.select_related("orgunit").order_by("orgunit__path"),
        )
    )


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = UserSearchForm(request.GET or None)
    query, status_filter, status = "", "", 200
    if form.is_bound:
        if form.is_valid():
            query = form.cleaned_data["q"]
            status_filter = form.cleaned_data["status"]
        else:
            status = 400
    active = {"active": True, "inactive": False}.get(status_filter)
    users = _with_assignments(selectors.user_list(request.user, query=query, active=active))
    context = {
        "form": form,
        "page": _page(request, users),
        "filtered": bool(query or status_filter),
    }
    return render(request, "accounts/user_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = UserCreateForm(request.POST or None, manager=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_create(
                    actor=request.user,
                    username=data["username"],
                    password=data["password1"],
                    full_name=data["full_name"],
                    email=data["email"],
                    phone=data["phone"],
                    position=data["position"],
                    role=data["role"],
                    orgunit=form.unit,
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã tạo tài khoản “%(username)s”.") % {"username": user.username}
                )
                return redirect("accounts:user_detail", pk=user.pk)
        return render(request, "accounts/user_form.html", {"form": form}, status=400)
    return render(request, "accounts/user_form.html", {"form": form})


def _render_user_detail(
    request: HttpRequest,
    target: User,
    *,
    grant_form: RoleGrantForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    manager: Any = request.user
    assignments = list(selectors.assignments_of(target))
    grantable = permissions.grantable_roles(manager)
    is_self = manager.pk == target.pk
    context = {
        "target": target,
        "assignments": assignments,
        "grant_form": grant_form or RoleGrantForm(manager=manager),
        "is_self": is_self,
        "can_change": not is_self and all(a.role in grantable for a in assignments),
        "grantable": grantable,
        "totp_enabled": services.has_confirmed_totp(target),
        "two_factor_required": permissions.requires_two_factor(target),
        "error": error,
    }
    return render(request, "accounts/user_detail.html", context, status=status)


@login_required
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_user_detail(request, _managed_user(request, pk))


@login_required
@require_POST
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    form = RoleGrantForm(request.POST, manager=request.user)
    if form.is_valid():
        try:
            services.role_assignment_grant(
                actor=request.user, user=target, role=form.cleaned_data["role"], orgunit=form.unit
            )
        except PermissionDenied as exc:
            if target.pk == request.user.pk:
                form.add_error(None, str(exc))
                return _render_user_detail(request, target, grant_form=form, status=400)
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã cấp vai trò."))
            return redirect("accounts:user_detail", pk=target.pk)
    return _render_user_detail(request, target, grant_form=form, status=400)


def _run_user_action(request: HttpRequest, target: User, action: Any, success: str) -> HttpResponse:
    """Call one service for a user-detail button; show its refusal on the page with a 400."""
    try:
        action()
    except PermissionDenied as exc:
        if target.pk == request.user.pk:
            return _render_user_detail(request, target, error=str(exc), status=400)
        raise Http404 from exc
    except ValidationError as exc:
        return _render_user_detail(request, target, error=" ".join(exc.messages), status=400)
    messages.success(request, success)
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("orgunit", "user"), pk=assignment_pk, user=target
    )
    return _run_user_action(
        request,
        target,
        lambda: services.role_assignment_revoke(actor=request.user, assignment=assignment),
        _("Đã thu hồi vai trò."),
    )


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    value = request.POST.get("is_active")
    if value not in ("0", "1"):
        return _render_user_detail(
            request,
            target,
            error=_("Yêu cầu không hợp lệ: thiếu trạng thái tài khoản."),
            status=400,
        )
    is_active = value == "1"
    return _run_user_action(
        request,
        target,
        lambda: services.user_set_active(actor=request.user, user=target, is_active=is_active),
        _("Đã mở khóa tài khoản.") if is_active else _("Đã khóa tài khoản."),
    )


@login_required
@require_POST
def user_otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    return _run_user_action(
        request,
        target,
        lambda: services.otp_devices_reset(actor=request.user, user=target),
        _("Đã đặt lại xác thực hai lớp; người dùng sẽ thiết lập lại ở lần đăng nhập tới."),
    )


@login_required
@require_GET
def unit_lookup(request: HttpRequest) -> HttpResponse:
    """Units matching ``q`` on which the user may manage users (htmx picker for the unit field)."""
    _require_manager(request)
    query = request.GET.get("q", "")[:100]
    units = selectors.units_for_management(request.user, query) if query.strip() else []
    return render(
        request,
        "accounts/_unit_options.html",
        {"units": units, "query": query, "target": request.GET.get("target", "id_unit_code")},
    )


# --- Audit trail ---------------------------------------------------------------------------

# Readable names for the actions recorded by accounts; other apps' actions show their code.
ACTION_LABELS = {
    "auth.login": gettext_lazy("Đăng nhập"),
    "auth.logout": gettext_lazy("Đăng xuất"),
    "auth.login_failed": gettext_lazy("Đăng nhập sai"),
    "auth.password_changed": gettext_lazy("Đổi mật khẩu"),
    "user.created": gettext_lazy("Tạo tài khoản"),
    "user.deactivated": gettext_lazy("Khóa tài khoản"),
    "user.reactivated": gettext_lazy("Mở khóa tài khoản"),
    "user.updated": gettext_lazy("Sửa thông tin tài khoản"),
    "role.granted": gettext_lazy("Cấp vai trò"),
    "role.revoked": gettext_lazy("Thu hồi vai trò"),
    "api_token.created": gettext_lazy("Tạo mã truy cập API"),
    "api_token.revoked": gettext_lazy("Thu hồi mã truy cập API"),
    "otp.setup_started": gettext_lazy("Bắt đầu thiết lập xác thực hai lớp"),
    "otp.setup_failed": gettext_lazy("Nhập sai mã khi thiết lập xác thực hai lớp"),
    "otp.device_confirmed": gettext_lazy("Bật xác thực hai lớp"),
    "otp.verified": gettext_lazy("Xác thực hai lớp thành công"),
    "otp.verify_failed": gettext_lazy("Nhập sai mã xác thực hai lớp"),
    "otp.throttled": gettext_lazy("Tạm chặn nhập mã xác thực"),
    "otp.backup_code_used": gettext_lazy("Dùng mã dự phòng"),
    "otp.backup_codes_regenerated": gettext_lazy("Tạo bộ mã dự phòng mới"),
    "otp.reset": gettext_lazy("Đặt lại xác thực hai lớp"),
}


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not permissions.has_perm_anywhere(request.user, permissions.VIEW_AUDIT):
        raise Http404
    form = AuditFilterForm(request.GET or None, reader=request.user)
    status = 200
    if form.is_bound and not form.is_valid():
        events: Any = selectors.audit_events_visible_to(request.user).none()
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        events = selectors.audit_events_visible_to(
            request.user,
            unit=form.unit_obj,
            action=data.get("action", ""),
            actor=data.get("actor", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
    page = _page(request, events)
    context = {
        "form": form,
        "page": page,
        "rows": [(e, ACTION_LABELS.get(e.action, e.action)) for e in page.object_list],
        "filtered": form.is_bound and any(request.GET.get(k) for k in form.fields),
    }
    return render(request, "accounts/audit_list.html", context, status=status)
