"""Forms of the activity pages: one quick, phone-first form per kind, filters, photos, import.

Forms only parse and check the shape of input; the services decide and write.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.activities.models import (
    KIND_FIELDS,
    MAX_COUNT,
    Activity,
    ActivityKind,
    CameraOwnership,
    MediaChannel,
    WeaponKind,
)
from binhyen.activities.services import ActivityInput, ItemInput
from binhyen.core.forms import BootstrapForm
from binhyen.orgunits.forms import latitude_field, longitude_field
from binhyen.orgunits.models import OrgUnit

_COUNT_ERROR = _("Hãy nhập một số nguyên không âm.")
_DATE_ERROR = _("Hãy nhập ngày theo dạng ngày/tháng/năm.")
_NUMBER_ERROR = _("Hãy nhập một số, ví dụ 21.0285 (dùng dấu chấm).")


def _count_field(label: Any, *, required: bool = False, min_value: int = 0) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=min_value,
        max_value=MAX_COUNT,
        error_messages={"invalid": _COUNT_ERROR, "min_value": _COUNT_ERROR},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": min_value}),
    )


def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _DATE_ERROR},
    )


class ActivityForm(BootstrapForm):
    """The fields of one kind of activity; fields of other kinds are removed."""

    unit = forms.ChoiceField(label=_("Đơn vị"), choices=())
    date = _date_field(_("Ngày"))
    title = forms.CharField(
        label=_("Tiêu đề"),
        required=False,
        max_length=200,
        help_text=_("Để trống: lấy chủ đề hoặc tên loại hoạt động."),
    )
    topic = forms.CharField(label=_("Chủ đề"), max_length=200, required=False)
    place = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    participants = _count_field(_("Số người tham gia"))
    leaflets = _count_field(_("Tờ rơi, tài liệu phát ra"))
    posters = _count_field(_("Pa nô, áp phích"))
    bulletin_boards = _count_field(_("Bảng tin ANTT"))
    channel = forms.ChoiceField(
        label=_("Kênh"), required=False, choices=[("", "—"), *MediaChannel.choices]
    )
    posts = _count_field(_("Số tin, bài"))
    cameras = _count_field(_("Số camera"))
    camera_ownership = forms.ChoiceField(
        label=_("Camera của"),
        required=False,
        choices=[("", "—"), *CameraOwnership.choices],
    )
    latitude = latitude_field()
    longitude = longitude_field()
    light_points = _count_field(_("Số điểm chiếu sáng"))
    lit_km = forms.DecimalField(
        label=_("Số km đường được thắp sáng"),
        required=False,
        min_value=Decimal("0"),
        max_digits=8,
        decimal_places=2,
        error_messages={"invalid": _NUMBER_ERROR, "min_value": _COUNT_ERROR},
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "min": 0}),
    )
    cases_resolved = _count_field(_("Số vụ việc hòa giải thành"))
    villages = forms.MultipleChoiceField(
        label=_("Thôn, tổ dân phố"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Nội dung, kết quả"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    COMMON = ("unit", "date", "title", "participants", "villages", "description")

    def __init__(
        self,
        *args: Any,
        kind: str,
        units: list[OrgUnit],
        villages: list[OrgUnit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.units = {u.code: u for u in units}
        self.village_map = {u.code: u for u in villages}
        used = set(self.COMMON) | set(KIND_FIELDS[kind])
        for name in list(self.fields):
            if name not in used:
                del self.fields[name]
        unit_field = self.fields["unit"]
        if isinstance(unit_field, forms.ChoiceField):
            unit_field.choices = [(u.code, u.name) for u in units]
        if len(units) == 1:
            unit_field.widget = forms.HiddenInput()
        village_field = self.fields["villages"]
        if isinstance(village_field, forms.MultipleChoiceField):
            village_field.choices = [(u.code, u.name) for u in villages]
        village_field.widget.attrs["class"] = "form-check-input"
        if not villages:
            del self.fields["villages"]
        if kind in (ActivityKind.OUTREACH, ActivityKind.TRAINING):
            self.fields["topic"].required = True
        if kind == ActivityKind.MEDIA_POST:
            self.fields["channel"].required = True
            self.fields["posts"].required = True
        if kind == ActivityKind.CAMERA:
            self.fields["cameras"].required = True
            self.fields["camera_ownership"].required = True
        if kind == ActivityKind.MEDIATION:
            self.fields["cases_resolved"].required = True
        if not self.is_bound and "date" not in self.initial:
            self.initial["date"] = timezone.localdate()

    def to_input(self, items: list[ItemInput] | None = None) -> ActivityInput:
        """Return the cleaned data as the service's input."""
        data = self.cleaned_data
        values: dict[str, Any] = {}
        for name in KIND_FIELDS[self.kind]:
            value = data.get(name)
            if value is None and name not in ("latitude", "longitude"):
                value = Decimal("0") if name == "lit_km" else 0
            values[name] = value
        title = (data.get("title") or "").strip() or (data.get("topic") or "").strip()
        if not title:
            title = str(ActivityKind(self.kind).label)
        return ActivityInput(
            kind=self.kind,
            unit=self.units[data["unit"]],
            date=data["date"],
            title=title,
            description=data.get("description") or "",
            participants=data.get("participants"),
            villages=[self.village_map[c] for c in data.get("villages") or []],
            items=items or [],
            **values,
        )

    @classmethod
    def initial_from(cls, activity: Activity) -> dict[str, Any]:
        """Return the form's initial values for editing ``activity``."""
        initial: dict[str, Any] = {
            "unit": activity.orgunit.code,
            "date": activity.date,
            "title": activity.title,
            "participants": activity.participants,
            "villages": [v.code for v in activity.villages.all()],
            "description": activity.description,
        }
        for name in KIND_FIELDS[activity.kind]:
            initial[name] = getattr(activity, name)
        return initial


class ItemForm(BootstrapForm):
    """One line of surrendered items: kind, quantity, optional description."""

    item_kind = forms.ChoiceField(label=_("Loại"), choices=[("", "—"), *WeaponKind.choices])
    quantity = _count_field(_("Số lượng"), required=True, min_value=1)
    description = forms.CharField(
        label=_("Mô tả"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("ví dụ: súng kíp")}),
    )


class BaseItemFormSet(forms.BaseFormSet):
    def items(self) -> list[ItemInput]:
        """Return the filled lines (blank extra lines are ignored, as in any formset)."""
        return [
            ItemInput(
                item_kind=form.cleaned_data["item_kind"],
                quantity=form.cleaned_data["quantity"],
                description=form.cleaned_data.get("description") or "",
            )
            for form in self.forms
            if form.cleaned_data
        ]


def item_formset(
    data: Any = None, activity: Activity | None = None, extra: int = 2
) -> BaseItemFormSet:
    """Return the items formset, prefilled from ``activity`` when editing."""
    initial = None
    if activity is not None:
        initial = [
            {"item_kind": i.item_kind, "quantity": i.quantity, "description": i.description}
            for i in activity.items.all()
        ]
    formset_class = forms.formset_factory(
        ItemForm,
        formset=BaseItemFormSet,
        extra=extra,
        max_num=20,
        validate_max=True,
    )
    return cast(BaseItemFormSet, formset_class(data, initial=initial, prefix="items"))


class ActivityFilterForm(BootstrapForm):
    """Search and filters of the activity list."""

    q = forms.CharField(
        label=_("Tìm theo tiêu đề, chủ đề, địa điểm"), required=False, max_length=200
    )
    kind = forms.ChoiceField(
        label=_("Loại hoạt động"),
        required=False,
        choices=[("", _("Mọi loại")), *ActivityKind.choices],
    )
    unit = forms.CharField(label=_("Mã đơn vị"), required=False, max_length=32)
    date_from = _date_field(_("Từ ngày"), required=False)
    date_to = _date_field(_("Đến ngày"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("“Đến ngày” phải không trước “Từ ngày”."))
        return cleaned


class PhotoForm(BootstrapForm):
    image = forms.FileField(
        label=_("Ảnh (JPEG, PNG, WebP; tối đa 10 MB)"),
        error_messages={
            "required": _("Hãy chọn một ảnh."),
            "empty": _("Tệp đã chọn không có nội dung."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("Chú thích"), required=False, max_length=200)


class ImportForm(BootstrapForm):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        error_messages={
            "required": _("Hãy chọn một tệp để nhập."),
            "empty": _("Tệp đã chọn không có nội dung."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
