"""Forms of the tips app: the public intake and follow-up forms, and the officer actions.

Forms only parse and check input; services decide. Every message is Vietnamese and names
the field and the reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.core.forms import add_service_errors
from binhyen.tips import selectors
from binhyen.tips.inputs import TipInput
from binhyen.tips.models import MAX_DESCRIPTION, Priority, Status, TipKind
from binhyen.tips.selectors.routing import PIN_LATITUDE_RANGE, PIN_LONGITUDE_RANGE, pin_check


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked later by ``binhyen.tips.media``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*,video/mp4,video/webm,video/quicktime"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _text(label: Any, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


class PublicTipForm(forms.Form):
    """The citizen's tip: what, when, where, files, and who (or anonymous)."""

    kind = forms.ChoiceField(
        label=_("Loại tin"),
        choices=TipKind.choices,
        widget=forms.RadioSelect,
        initial=TipKind.CRIME,
        error_messages={"required": _("Hãy chọn loại tin.")},
    )
    category = forms.ChoiceField(label=_("Nhóm (không bắt buộc)"), required=False)
    description = forms.CharField(
        label=_("Sự việc"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Việc gì đã xảy ra, ai liên quan, đặc điểm nhận dạng (nếu biết)."),
        error_messages={"required": _("Hãy mô tả sự việc (không được để trống).")},
    )
    occurred_date = forms.DateField(
        label=_("Ngày xảy ra"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_time = forms.TimeField(
        label=_("Giờ (nếu nhớ)"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    location_unknown = forms.BooleanField(label=_("Không nhớ địa điểm"), required=False)
    province = forms.ChoiceField(label=_("Tỉnh/thành phố"), required=False)
    commune = _text(_("Xã/phường/đặc khu"), 32)
    village = _text(_("Thôn/tổ dân phố (nếu biết)"), 32)
    address = _text(
        _("Địa chỉ, nơi xảy ra"),
        300,
        help_text=_(
            "Ví dụ: ngõ 5, thôn Cấm, xã Hiệp Hòa. Tên xã, huyện cũ (trước 2025) cũng được."
        ),
    )
    # Set by the map ("drop a pin") or the phone's position; checked by ``services.pin_check``.
    latitude = forms.FloatField(
        label=_("Vị trí trên bản đồ"),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Vị trí trên bản đồ không hợp lệ; hãy chọn lại.")},
    )
    longitude = forms.FloatField(
        label=_("Vị trí trên bản đồ"),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Vị trí trên bản đồ không hợp lệ; hãy chọn lại.")},
    )
    anonymous = forms.TypedChoiceField(
        label=_("Gửi ẩn danh?"),
        choices=[
            ("1", _("Ẩn danh — không lưu tên, số điện thoại hay địa chỉ IP")),
            ("0", _("Để lại thông tin liên hệ để công an gọi lại")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    contact_name = _text(_("Họ và tên"), 150)
    contact_phone = forms.RegexField(
        label=_("Số điện thoại"),
        regex=r"^\+?[0-9 .-]{8,20}$",
        required=False,
        error_messages={"invalid": _("Số điện thoại chỉ gồm chữ số (8–20 ký tự).")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    attachments = MultipleFileField(label=_("Ảnh, video (không bắt buộc)"), required=False)
    # Honeypot: hidden from people, filled by naive bots.
    website = forms.CharField(required=False, label=_("Để trống ô này"))
    pow_token = forms.CharField(required=False, widget=forms.HiddenInput)
    pow_solution = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[str, str]]] = {}
        labels = dict(TipKind.choices)
        for category in selectors.categories():
            groups.setdefault(str(labels[category.kind]), []).append(
                (category.code, category.label)
            )
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("— Chưa chọn —")),
            *groups.items(),
        ]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxInput)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")
        # The map's script reads the accepted area from the hidden fields (one source).
        south, north = PIN_LATITUDE_RANGE
        west, east = PIN_LONGITUDE_RANGE
        self.fields["latitude"].widget.attrs.update({"data-min": south, "data-max": north})
        self.fields["longitude"].widget.attrs.update({"data-min": west, "data-max": east})
        cast(forms.ChoiceField, self.fields["province"]).choices = [
            ("", _("— Chọn tỉnh/thành phố —"))
        ] + [(unit.code, unit.name) for unit in selectors.public_provinces()]

    def clean_website(self) -> str:
        value: str = self.cleaned_data.get("website", "")
        if value:
            raise ValidationError(
                _(
                    "Không gửi được: một ô ẩn dành để chặn gửi tự động đã bị điền (có thể do "
                    "trình duyệt tự điền). Hãy tải lại trang và gửi lại."
                )
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("location_unknown") and "latitude" in data and "longitude" in data:
            try:
                pin_check(data["latitude"], data["longitude"])
            except ValidationError as exc:
                add_service_errors(self, exc)
        if data.get("anonymous") is False and not (
            data.get("contact_phone") or data.get("contact_email")
        ):
            self.add_error(
                "contact_phone",
                _("Hãy cho biết số điện thoại hoặc thư điện tử, hoặc chọn gửi ẩn danh."),
            )
        return data

    def occurred_at(self) -> datetime | None:
        day = self.cleaned_data.get("occurred_date")
        if day is None:
            return None
        moment = datetime.combine(
            day, self.cleaned_data.get("occurred_time") or datetime.min.time()
        )
        return timezone.make_aware(moment)

    def to_input(self) -> TipInput:
        d = self.cleaned_data
        anonymous = bool(d.get("anonymous", True))
        return TipInput(
            kind=d["kind"],
            description=d["description"],
            category_code=d.get("category") or "",
            occurred_at=self.occurred_at(),
            province_code=d.get("province") or "",
            commune_code="" if d.get("location_unknown") else (d.get("commune") or ""),
            village_code="" if d.get("location_unknown") else (d.get("village") or ""),
            address_text="" if d.get("location_unknown") else (d.get("address") or ""),
            latitude=None if d.get("location_unknown") else d.get("latitude"),
            longitude=None if d.get("location_unknown") else d.get("longitude"),
            location_unknown=bool(d.get("location_unknown")),
            is_anonymous=anonymous,
            contact_name="" if anonymous else d.get("contact_name", ""),
            contact_phone="" if anonymous else d.get("contact_phone", ""),
            contact_email="" if anonymous else d.get("contact_email", ""),
        )


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã theo dõi"),
        max_length=20,
        error_messages={"required": _("Hãy nhập mã theo dõi.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    secret = forms.CharField(
        label=_("Mã bí mật"),
        max_length=40,
        error_messages={"required": _("Hãy nhập mã bí mật.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class FollowUpForm(forms.Form):
    body = forms.CharField(
        label=_("Thông tin bổ sung"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = MultipleFileField(label=_("Ảnh, video (không bắt buộc)"), required=False)
    access = forms.CharField(widget=forms.HiddenInput)


# --- officer actions -----------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[
            ("open", _("Đang mở hoặc có tin mới")),
            ("attention", _("Có thông tin mới")),
            ("all", _("Tất cả")),
            *Status.choices,
        ],
    )
    kind = forms.ChoiceField(
        label=_("Loại tin"), required=False, choices=[("", _("Mọi loại")), *TipKind.choices]
    )
    priority = forms.TypedChoiceField(
        label=_("Ưu tiên"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Mọi mức")), *Priority.choices],
    )
    mine = forms.BooleanField(label=_("Của tôi"), required=False)
    unclaimed = forms.BooleanField(label=_("Chưa ai nhận"), required=False)
    overdue = forms.BooleanField(label=_("Quá hạn"), required=False)
    escalated = forms.BooleanField(label=_("Đã báo cấp trên"), required=False)
    valuable = forms.BooleanField(label=_("Tin có giá trị"), required=False)
    q = forms.CharField(
        label=_("Tìm"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                field.widget.attrs.setdefault("class", "form-control form-control-sm")


class TextForm(forms.Form):
    body = forms.CharField(
        label=_("Nội dung"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy nhập nội dung.")},
    )


class ConcludeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[
            (Status.RESOLVED, Status.RESOLVED.label),
            (Status.UNFOUNDED, Status.UNFOUNDED.label),
        ],
    )
    outcome = forms.CharField(
        label=_("Đã làm gì, kết luận ra sao"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi rõ kết quả xử lý.")},
    )


class TransferForm(forms.Form):
    to_unit = forms.CharField(label=_("Mã xã/phường nhận"), required=False, max_length=32)
    to_body = forms.CharField(label=_("Hoặc cơ quan khác"), required=False, max_length=200)
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=1000,
        error_messages={"required": _("Hãy ghi lý do chuyển.")},
    )


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Mã theo dõi của tin gốc"),
        max_length=20,
        error_messages={"required": _("Hãy nhập mã theo dõi của tin gốc.")},
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Ưu tiên"), coerce=int, choices=Priority.choices)


class ClassifyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại tin"), choices=TipKind.choices)
    category = forms.CharField(label=_("Nhóm"), required=False, max_length=40)


class AssignForm(forms.Form):
    assignee = forms.IntegerField(label=_("Giao cho"))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"), max_length=1000, error_messages={"required": _("Hãy ghi lý do.")}
    )
