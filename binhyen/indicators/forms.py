"""Forms of the catalogue pages (metrics, report forms, validation rules).

They only parse and check the shape of the input; the services decide and write, and their
``ValidationError`` is attached back to the fields it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from binhyen.core.forms import BootstrapForm
from binhyen.indicators.models import (
    Aggregation,
    Counting,
    Disaggregation,
    Metric,
    MetricSource,
    RuleOperator,
    RuleSeverity,
    ValueType,
)
from binhyen.indicators.periods import PeriodKind
from binhyen.orgunits.forms import MAX_QUERY
from binhyen.orgunits.models import UnitKind

ACTIVE_CHOICES = [("", _("Tất cả")), ("1", _("Đang dùng")), ("0", _("Ngừng dùng"))]
UNKNOWN_METRIC = _("Không có chỉ tiêu '%(value)s' trong danh mục.")
_INTEGER_ERROR = _("Hãy nhập một số nguyên.")
_NUMBER_ERROR = _("Hãy nhập một số (dùng dấu chấm cho phần thập phân).")


def _checkboxes() -> forms.CheckboxSelectMultiple:
    return forms.CheckboxSelectMultiple()


class MetricCodeField(forms.ModelChoiceField):
    """Pick a metric of the catalogue, shown as ``code – name``."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} – {obj.label}"


class MetricCodesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} – {obj.label} ({PeriodKind(obj.period_kind).label})"


class CatalogueForm(BootstrapForm):
    """Bootstrap classes, with lists of checkboxes styled as checkboxes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"


class MetricFilterForm(BootstrapForm):
    """Search and filters of the metric catalogue."""

    q = forms.CharField(label=_("Mã hoặc tên"), required=False, max_length=MAX_QUERY)
    source = forms.ChoiceField(
        label=_("Nguồn số liệu"),
        required=False,
        choices=[("", _("Mọi nguồn")), *MetricSource.choices],
    )
    period_kind = forms.ChoiceField(
        label=_("Kỳ thu thập"), required=False, choices=[("", _("Mọi kỳ")), *PeriodKind.choices]
    )
    active = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=ACTIVE_CHOICES)


class MetricForm(CatalogueForm):
    """Every field of ``services.METRIC_FIELDS``."""

    code = forms.CharField(label=_("Mã"), max_length=64)
    name = forms.CharField(label=_("Tên"), max_length=200)
    name_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Mô tả"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit_of_measure = forms.CharField(label=_("Đơn vị tính"), max_length=40, required=False)
    value_type = forms.ChoiceField(label=_("Kiểu giá trị"), choices=ValueType.choices)
    aggregation = forms.ChoiceField(label=_("Cách tổng hợp"), choices=Aggregation.choices)
    counting = forms.ChoiceField(
        label=_("Cách đếm"),
        choices=Counting.choices,
        initial=Counting.QUANTITY,
        help_text=_(
            "Đếm số đối tượng chỉ dùng cho chỉ tiêu tính tự động; không đổi được khi đã có số liệu."
        ),
    )
    period_kind = forms.ChoiceField(label=_("Kỳ thu thập"), choices=PeriodKind.choices)
    capture_kinds = forms.MultipleChoiceField(
        label=_("Cấp đơn vị nhập số liệu"),
        choices=UnitKind.choices,
        widget=_checkboxes(),
        error_messages={"required": _("Chọn ít nhất một cấp đơn vị nhập số liệu.")},
    )
    disaggregation = forms.ModelChoiceField(
        label=_("Phân tổ"),
        queryset=Disaggregation.objects.all(),
        required=False,
        empty_label=_("Không phân tổ"),
    )
    source = forms.ChoiceField(label=_("Nguồn số liệu"), choices=MetricSource.choices)
    provider_key = forms.CharField(
        label=_("Bộ tính tự động"),
        max_length=64,
        required=False,
        help_text=_("Chỉ dùng khi nguồn số liệu là tính tự động từ nghiệp vụ."),
    )
    min_value = forms.FloatField(
        label=_("Giá trị nhỏ nhất"), required=False, error_messages={"invalid": _NUMBER_ERROR}
    )
    max_value = forms.FloatField(
        label=_("Giá trị lớn nhất"), required=False, error_messages={"invalid": _NUMBER_ERROR}
    )
    sort_order = forms.IntegerField(
        label=_("Thứ tự"), min_value=0, initial=0, error_messages={"invalid": _INTEGER_ERROR}
    )
    is_active = forms.BooleanField(label=_("Đang dùng"), required=False, initial=True)

    @staticmethod
    def initial_for(metric: Metric) -> dict[str, Any]:
        data = {name: getattr(metric, name) for name in MetricForm.base_fields}
        data["capture_kinds"] = list(metric.capture_kinds or [])
        return data


class ReportFormForm(CatalogueForm):
    """A periodic report form and its metrics (all with the form's period kind)."""

    code = forms.CharField(label=_("Mã"), max_length=64)
    name = forms.CharField(label=_("Tên"), max_length=200)
    name_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Mô tả"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    period_kind = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=PeriodKind.choices)
    submitting_kinds = forms.MultipleChoiceField(
        label=_("Cấp đơn vị phải báo cáo"),
        choices=UnitKind.choices,
        widget=_checkboxes(),
        error_messages={"required": _("Chọn ít nhất một cấp đơn vị hợp lệ phải báo cáo.")},
    )
    metrics = MetricCodesField(
        label=_("Các chỉ tiêu"),
        queryset=Metric.objects.all(),
        to_field_name="code",
        widget=_checkboxes(),
        error_messages={
            "required": _("Biểu mẫu cần ít nhất một chỉ tiêu."),
            "invalid_choice": UNKNOWN_METRIC,
        },
        help_text=_("Chỉ chọn chỉ tiêu cùng kỳ với biểu mẫu."),
    )
    deadline_month_offset = forms.IntegerField(
        label=_("Hạn nộp: số tháng sau tháng cuối kỳ"),
        min_value=0,
        max_value=12,
        initial=1,
        error_messages={"invalid": _INTEGER_ERROR},
    )
    deadline_day = forms.IntegerField(
        label=_("Hạn nộp: ngày trong tháng"),
        min_value=1,
        max_value=31,
        initial=16,
        error_messages={"invalid": _INTEGER_ERROR},
    )
    is_active = forms.BooleanField(label=_("Đang dùng"), required=False, initial=True)

    def __init__(self, *args: Any, current: list[Metric] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer the active metrics, plus inactive ones the form already holds.
        ids = [m.pk for m in current or []]
        field: Any = self.fields["metrics"]
        field.queryset = Metric.objects.filter(is_active=True) | Metric.objects.filter(pk__in=ids)


class RuleForm(CatalogueForm):
    """``left op right`` between two metrics of the same unit and period."""

    code = forms.CharField(label=_("Mã"), max_length=64)
    name = forms.CharField(label=_("Tên quy tắc"), max_length=200)
    name_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=200, required=False)
    left_metric = MetricCodeField(
        label=_("Vế trái"),
        queryset=Metric.objects.all(),
        to_field_name="code",
        error_messages={"invalid_choice": UNKNOWN_METRIC},
    )
    operator = forms.ChoiceField(label=_("Phép so sánh"), choices=RuleOperator.choices)
    right_metric = MetricCodeField(
        label=_("Vế phải"),
        queryset=Metric.objects.all(),
        to_field_name="code",
        error_messages={"invalid_choice": UNKNOWN_METRIC},
    )
    severity = forms.ChoiceField(label=_("Mức độ"), choices=RuleSeverity.choices)
    is_active = forms.BooleanField(label=_("Đang dùng"), required=False, initial=True)
