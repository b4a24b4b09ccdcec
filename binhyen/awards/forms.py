"""Forms of the awards pages (parsing only: the services decide)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from binhyen.awards.models import (
    CatalogueEntry,
    EntryCategory,
    Level,
    NomineeKind,
    Outcome,
    ProposalKind,
    ProposalStatus,
    Recipients,
    RegistrantKind,
)
from binhyen.core.forms import BootstrapForm
from binhyen.core.vocabulary import TaskGrade

DATE = forms.DateInput(attrs={"type": "date"})


def _year(label: Any, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=2000, max_value=2100, required=required)


def _entry_label(entry: CatalogueEntry) -> str:
    return f"{entry.label} — {entry.get_level_display()}"


class EntryForm(BootstrapForm):
    category = forms.ChoiceField(label=_("Loại"), choices=EntryCategory.choices)
    code = forms.SlugField(label=_("Mã"), max_length=60)
    name = forms.CharField(label=_("Tên"), max_length=200)
    name_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=200, required=False)
    level = forms.ChoiceField(label=_("Cấp quyết định"), choices=Level.choices)
    recipients = forms.ChoiceField(label=_("Đối tượng"), choices=Recipients.choices)
    coefficient_collective = forms.DecimalField(
        label=_("Hệ số tiền thưởng tập thể"), min_value=0, max_value=100, decimal_places=2
    )
    coefficient_individual = forms.DecimalField(
        label=_("Hệ số tiền thưởng cá nhân"), min_value=0, max_value=100, decimal_places=2
    )
    legal_basis = forms.CharField(label=_("Căn cứ"), max_length=300, required=False)
    sort_order = forms.IntegerField(label=_("Thứ tự"), min_value=0, max_value=32000, initial=0)
    national = forms.BooleanField(label=_("Dùng toàn quốc"), required=False)


class EntryEditForm(BootstrapForm):
    name = forms.CharField(label=_("Tên"), max_length=200)
    name_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=200, required=False)
    level = forms.ChoiceField(label=_("Cấp quyết định"), choices=Level.choices)
    recipients = forms.ChoiceField(label=_("Đối tượng"), choices=Recipients.choices)
    coefficient_collective = forms.DecimalField(
        label=_("Hệ số tiền thưởng tập thể"), min_value=0, max_value=100, decimal_places=2
    )
    coefficient_individual = forms.DecimalField(
        label=_("Hệ số tiền thưởng cá nhân"), min_value=0, max_value=100, decimal_places=2
    )
    legal_basis = forms.CharField(label=_("Căn cứ"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Đang dùng"), required=False)
    sort_order = forms.IntegerField(label=_("Thứ tự"), min_value=0, max_value=32000)


class SearchForm(BootstrapForm):
    q = forms.CharField(label=_("Tìm"), max_length=100, required=False)
    year = _year(_("Năm"), required=False)


class ProposalFilterForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=[("", _("Tất cả")), *ProposalStatus.choices], required=False
    )


class RewardFilterForm(SearchForm):
    level = forms.ChoiceField(
        label=_("Cấp quyết định"), choices=[("", _("Tất cả")), *Level.choices], required=False
    )


class DriveForm(BootstrapForm):
    unit = forms.CharField(label=_("Mã đơn vị phát động"), max_length=64)
    title = forms.CharField(label=_("Tên phong trào"), max_length=300)
    year = _year(_("Năm"))
    starts_on = forms.DateField(label=_("Từ ngày"), widget=DATE)
    ends_on = forms.DateField(label=_("Đến ngày"), widget=DATE)
    aims = forms.CharField(label=_("Mục đích, yêu cầu"), widget=forms.Textarea, required=False)
    criteria = forms.CharField(
        label=_("Nội dung, tiêu chí thi đua"), widget=forms.Textarea, required=False
    )


class RegistrationForm(BootstrapForm):
    unit = forms.CharField(label=_("Mã đơn vị"), max_length=64)
    kind = forms.ChoiceField(label=_("Đối tượng"), choices=RegistrantKind.choices)
    name = forms.CharField(label=_("Tên (cá nhân)"), max_length=200, required=False)
    commitments = forms.CharField(
        label=_("Nội dung đăng ký"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReviewOpenForm(BootstrapForm):
    unit = forms.CharField(label=_("Mã đơn vị"), max_length=64)
    year = _year(_("Năm"))


class EntryMarkForm(BootstrapForm):
    outcome = forms.ChoiceField(label=_("Kết quả"), choices=Outcome.choices, required=False)
    grade = forms.ChoiceField(label=_("Xếp loại"), choices=TaskGrade.choices, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=2000, required=False)


class CommentForm(BootstrapForm):
    comment = forms.CharField(
        label=_("Ý kiến"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ProposalForm(BootstrapForm):
    unit = forms.CharField(label=_("Mã đơn vị đề nghị"), max_length=64)
    kind = forms.ChoiceField(label=_("Loại"), choices=ProposalKind.choices)
    year = _year(_("Năm"))
    form = forms.ModelChoiceField(
        label=_("Hình thức khen thưởng"), queryset=CatalogueEntry.objects.none()
    )
    achievement = forms.CharField(label=_("Thành tích"), max_length=300, required=False)
    summary = forms.CharField(
        label=_("Tóm tắt thành tích (để trống: lấy từ số liệu)"),
        widget=forms.Textarea,
        required=False,
    )

    def __init__(self, *args: Any, entries: list[CatalogueEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["form"])
        field.queryset = CatalogueEntry.objects.filter(pk__in=[e.pk for e in entries])
        field.label_from_instance = _entry_label  # type: ignore[method-assign,assignment]


class NomineeForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("Đối tượng"),
        choices=[c for c in NomineeKind.choices if c[0] != NomineeKind.TIPSTER],
    )
    unit = forms.CharField(label=_("Mã đơn vị"), max_length=64)
    name = forms.CharField(label=_("Tên (cá nhân, tổ)"), max_length=200, required=False)


class DecideForm(BootstrapForm):
    number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decided_on = forms.DateField(label=_("Ngày quyết định"), widget=DATE)
    signer = forms.CharField(label=_("Người ký"), max_length=200)
    comment = forms.CharField(label=_("Ý kiến"), max_length=2000, required=False)


class TipRewardForm(BootstrapForm):
    form = forms.ModelChoiceField(
        label=_("Hình thức khen thưởng"), queryset=CatalogueEntry.objects.none()
    )
    achievement = forms.CharField(label=_("Thành tích"), max_length=300, required=False)

    def __init__(self, *args: Any, entries: list[CatalogueEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["form"])
        field.queryset = CatalogueEntry.objects.filter(pk__in=[e.pk for e in entries])


class CollectForm(BootstrapForm):
    code = forms.CharField(label=_("Mã nhận thưởng"), max_length=20)
    collector_name = forms.CharField(
        label=_("Tên người nhận (chỉ khi người dân muốn ghi)"), max_length=200, required=False
    )
