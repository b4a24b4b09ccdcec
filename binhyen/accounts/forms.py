"""Forms of the accounts pages: they parse and check input; the services decide and write."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, cast

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from binhyen.accounts import permissions, selectors
from binhyen.accounts.models import Role, User
from binhyen.core import webhooks
from binhyen.core.models import WebhookEvent

PHONE_RE = re.compile(r"^\+?[0-9 .\-]{8,20}$")
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


SERVICE_FIELD_MAP = {"orgunit": "unit_code", "password": "password1"}


class BootstrapMixin:
    """Give every widget Bootstrap's classes and mark invalid fields for assistive technology."""

    fields: dict[str, forms.Field]
    # The services name the unit ``orgunit`` and the password ``password``.
    service_field_map: ClassVar[Mapping[str, str]] = SERVICE_FIELD_MAP

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in getattr(self, "errors", {}):
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"


def _role_choices(manager: Any) -> list[tuple[str, Any]]:
    grantable = permissions.grantable_roles(manager)
    return [(value, label) for value, label in Role.choices if value in grantable]


class LoginForm(BootstrapMixin, auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa và "
            "chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị khóa. Hãy liên hệ người quản lý của bạn."),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"}
        )
        self._style()


class OtpCodeForm(BootstrapMixin, forms.Form):
    """A six-digit code from the authenticator app."""

    code = forms.CharField(
        label=_("Mã xác thực (6 chữ số)"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValidationError(_("Mã xác thực gồm đúng 6 chữ số."), code="format")
        return code


class BackupCodeForm(BootstrapMixin, forms.Form):
    """One of the single-use backup codes issued at set-up."""

    code = forms.CharField(
        label=_("Mã dự phòng"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).lower()
        if not re.fullmatch(r"[a-z2-7]{8,16}", code):
            raise ValidationError(
                _("Mã dự phòng gồm 8 ký tự chữ và số, như trong danh sách bạn đã lưu."),
                code="format",
            )
        return code


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    error_messages = {
        "password_mismatch": _("Hai lần nhập mật khẩu mới không khớp nhau."),
        "password_incorrect": _("Mật khẩu hiện tại không đúng. Hãy nhập lại."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self._style()


class ApiTokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("Tên mã truy cập"),
        max_length=100,
        help_text=_("Ví dụ: “Phần mềm thống kê của Công an tỉnh”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class UnitCodeField(forms.CharField):
    """A unit code typed (or picked) by the user; the form resolves it within the user's scope."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Mã đơn vị"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "help_text", _("Nhập mã đơn vị hoặc tìm theo tên rồi chọn trong danh sách.")
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})


class _ManagerForm(BootstrapMixin, forms.Form):
    """A form acting for a manager: roles limited to the grantable ones, units to the scope."""

    role = forms.ChoiceField(label=_("Vai trò"))
    unit_code = UnitCodeField()

    def __init__(self, *args: Any, manager: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manager = manager
        role_field = cast(forms.ChoiceField, self.fields["role"])
        role_field.choices = [("", _("— Chọn vai trò —")), *_role_choices(manager)]
        self._style()

    def clean_unit_code(self) -> Any:
        code = self.cleaned_data["unit_code"].strip()
        unit = selectors.manageable_unit_by_code(self.manager, code)
        if unit is None:
            raise ValidationError(
                _("Không tìm thấy đơn vị có mã “%(code)s” trong phạm vi bạn quản lý."),
                code="unknown_unit",
                params={"code": code},
            )
        if unit.valid_to is not None:
            raise ValidationError(
                _("Đơn vị %(code)s đã giải thể; hãy chọn một đơn vị đang hoạt động."),
                code="closed_unit",
                params={"code": code},
            )
        self.unit = unit
        return code


class UserCreateForm(_ManagerForm):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Chữ cái, chữ số và các ký tự @ . + - _; không có dấu cách."),
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    position = forms.CharField(label=_("Chức vụ"), max_length=120, required=False)
    password1 = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "username",
        "full_name",
        "position",
        "email",
        "phone",
        "role",
        "unit_code",
        "password1",
        "password2",
    ]

    def __init__(self, *args: Any, manager: Any, **kwargs: Any) -> None:
        super().__init__(*args, manager=manager, **kwargs)
        self.order_fields(self.field_order)

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(
                _("Số điện thoại chỉ gồm chữ số (có thể bắt đầu bằng +), từ 8 đến 20 ký tự."),
                code="phone",
            )
        return phone

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _("Tên đăng nhập “%(username)s” đã được dùng."),
                code="taken",
                params={"username": username},
            )
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Hai lần nhập mật khẩu không khớp nhau."))
        elif first:
            probe = User(
                username=cleaned.get("username", ""),
                full_name=cleaned.get("full_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                validate_password(first, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class RoleGrantForm(_ManagerForm):
    pass


class AuditFilterForm(BootstrapMixin, forms.Form):
    unit = forms.CharField(
        label=_("Mã đơn vị"),
        max_length=32,
        required=False,
        help_text=_("Gồm cả các đơn vị trực thuộc."),
    )
    action = forms.CharField(
        label=_("Hành động"),
        max_length=80,
        required=False,
        help_text=_("Ví dụ: user. hoặc auth.login"),
    )
    actor = forms.CharField(label=_("Người thực hiện"), max_length=150, required=False)
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm.")},
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm.")},
    )

    def __init__(self, *args: Any, reader: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reader = reader
        self.unit_obj: Any = None
        self._style()

    def clean_unit(self) -> str:
        code = self.cleaned_data.get("unit", "").strip()
        if code:
            self.unit_obj = selectors.audit_unit_by_code(self.reader, code)
            if self.unit_obj is None:
                raise ValidationError(
                    _("Không tìm thấy đơn vị có mã “%(code)s” trong phạm vi bạn được xem nhật ký."),
                    code="unknown_unit",
                    params={"code": code},
                )
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("“Đến ngày” phải sau hoặc bằng “Từ ngày”."))
        return cleaned


class UserSearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm người dùng"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), ("active", _("Đang hoạt động")), ("inactive", _("Đã khóa"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class WebhookForm(BootstrapMixin, forms.Form):
    """Register or edit an outbound webhook; the service checks the URL and the secret."""

    name = forms.CharField(label=_("Tên"), max_length=120)
    url = forms.CharField(
        label=_("Địa chỉ nhận (URL)"),
        max_length=500,
        help_text=_("http:// hoặc https://, không kèm tên đăng nhập hay mật khẩu."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocapitalize": "none"}),
    )
    secret = forms.CharField(
        label=_("Khóa bí mật"),
        max_length=200,
        required=False,
        help_text=_(
            "Dùng để kiểm tra chữ ký X-BinhYen-Signature; ít nhất 16 ký tự. Hãy chép lại ngay: "
            "sau khi lưu, khóa không được hiển thị nữa."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Sự kiện"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Hãy chọn ít nhất một sự kiện.")},
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["secret"].help_text = _("Để trống để giữ khóa hiện tại.")
        self.editing = editing
        self._style()
        self.fields["events"].widget.attrs["class"] = "form-check-input"

    def clean_url(self) -> str:
        try:
            return webhooks.webhook_url_check(self.cleaned_data["url"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from None

    def clean_secret(self) -> str:
        secret = str(self.cleaned_data.get("secret") or "").strip()
        if self.editing and not secret:
            return ""
        if len(secret) < webhooks.MIN_SECRET:
            raise ValidationError(
                _("Khóa bí mật phải dài ít nhất %(n)d ký tự.") % {"n": webhooks.MIN_SECRET}
            )
        return secret
