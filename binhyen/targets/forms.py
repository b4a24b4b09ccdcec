"""Forms of the targets pages; they parse input, the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from binhyen.core.forms import BootstrapForm
from binhyen.indicators.models import Metric
from binhyen.targets.models import AllocationMethod, Comparison, Frequency, PlanKind, TargetKind

_DATE_ERROR = _("Hãy nhập ngày theo dạng ngày/tháng/năm.")


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _DATE_ERROR},
    )


def _metrics() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Số liệu theo dõi"),
        queryset=Metric.objects.filter(is_active=True).order_by("sort_order", "code"),
        to_field_name="code",
        error_messages={"invalid_choice": _("Chọn một số liệu trong danh mục.")},
    )


class PlanFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Tìm số, trích yếu, đơn vị"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Loại văn bản"), required=False, choices=[("", "—"), *PlanKind.choices]
    )
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=2000, max_value=2100)


class PlanForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=PlanKind.choices)
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=60)
    issued_on = _date(_("Ngày ban hành"))
    title = forms.CharField(label=_("Trích yếu"), max_length=300)
    summary = forms.CharField(
        label=_("Nội dung chính"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    partners = forms.CharField(
        label=_("Cơ quan phối hợp"),
        required=False,
        max_length=300,
        help_text=_("Với quy chế phối hợp: Mặt trận Tổ quốc, Hội Cựu chiến binh, Quân sự…"),
    )
    period_start = _date(_("Thực hiện từ ngày"))
    period_end = _date(_("Đến ngày"))
    document = forms.FileField(
        label=_("Tệp văn bản"),
        required=False,
        help_text=_("PDF, JPEG hoặc PNG, tối đa 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class TaskForm(BootstrapForm):
    description = forms.CharField(label=_("Nội dung công việc"), max_length=300)
    assignee = forms.CharField(label=_("Đơn vị, người thực hiện"), max_length=200)
    due_on = _date(_("Thời hạn"))
    progress = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100, initial=0)


class TaskProgressForm(BootstrapForm):
    progress = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=300)


class TargetForm(BootstrapForm):
    name = forms.CharField(label=_("Tên chỉ tiêu"), required=False, max_length=300)
    metric = _metrics()
    option = forms.CharField(label=_("Nhóm phân tổ (mã)"), required=False, max_length=32)
    kind = forms.ChoiceField(label=_("Loại chỉ tiêu"), choices=TargetKind.choices)
    comparison = forms.ChoiceField(label=_("So sánh"), choices=Comparison.choices)
    value = forms.CharField(label=_("Mức chỉ tiêu"), max_length=40)
    denominator = forms.ModelChoiceField(
        label=_("Mẫu số (chỉ tiêu tỷ lệ)"),
        required=False,
        queryset=Metric.objects.filter(is_active=True).order_by("sort_order", "code"),
        to_field_name="code",
    )
    period = forms.CharField(
        label=_("Kỳ"), max_length=16, help_text=_("Mã kỳ: 2026, 2026Q3, 2026M07…")
    )
    plan = forms.TypedChoiceField(label=_("Thuộc kế hoạch"), required=False, coerce=int)

    def __init__(self, *args: Any, plans: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", "—")] + [(p.pk, str(p)) for p in plans]  # type: ignore[attr-defined]


class TargetEditForm(BootstrapForm):
    name = forms.CharField(label=_("Tên chỉ tiêu"), required=False, max_length=300)
    value = forms.CharField(label=_("Mức chỉ tiêu"), max_length=40)


class AllocateForm(BootstrapForm):
    method = forms.ChoiceField(
        label=_("Cách phân bổ"),
        choices=[
            (m, label)
            for m, label in AllocationMethod.choices
            if m not in (AllocationMethod.SHEET, AllocationMethod.MANUAL)
        ],
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=300)


class UploadForm(BootstrapForm):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class CampaignForm(BootstrapForm):
    name = forms.CharField(label=_("Tên đợt"), max_length=300)
    start = _date(_("Từ ngày"))
    end = _date(_("Đến ngày"))
    frequency = forms.ChoiceField(label=_("Tần suất báo cáo"), choices=Frequency.choices)
    units = forms.CharField(
        label=_("Đơn vị tham gia (mã, cách nhau bởi dấu phẩy)"),
        help_text=_("Để trống: mọi đơn vị cấp dưới trực tiếp."),
        required=False,
        max_length=4000,
    )
    metric = _metrics()
    target = forms.CharField(label=_("Chỉ tiêu của đợt"), max_length=40)
    plan = forms.TypedChoiceField(label=_("Kế hoạch, quyết định"), required=False, coerce=int)

    def __init__(self, *args: Any, plans: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", "—")] + [(p.pk, str(p)) for p in plans]  # type: ignore[attr-defined]
