"""Forms of the documents pages (parsing only; the services decide)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from binhyen.core.forms import BootstrapForm
from binhyen.documents.catalogue import SPECS, Spec
from binhyen.documents.models import DocumentStatus

PERIOD_HELP = _("Ví dụ: 2026S1 (6 tháng đầu năm), 2026M06 (tháng 6), 2026 (cả năm).")


class DocumentFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Tìm"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *DocumentStatus.choices],
    )


class DraftForm(BootstrapForm):
    template = forms.ChoiceField(label=_("Mẫu văn bản"))
    unit = forms.ChoiceField(label=_("Đơn vị ban hành"))
    period = forms.CharField(label=_("Kỳ"), max_length=16, help_text=PERIOD_HELP)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["template"]).choices = [
            (s.code, s.title) for s in SPECS
        ]
        cast(forms.ChoiceField, self.fields["unit"]).choices = [(u.code, u.name) for u in units]


class NarrativeForm(BootstrapForm):
    summary = forms.CharField(label=_("Trích yếu"), max_length=300)

    def __init__(self, *args: Any, spec: Spec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in spec.narrative:
            self.fields[f"n_{section.key}"] = forms.CharField(
                label=str(section.label),
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["class"] = "form-control"


class IssueForm(BootstrapForm):
    number = forms.IntegerField(
        label=_("Số văn bản"),
        min_value=1,
        max_value=99_999,
        error_messages={"required": _("Cần nhập số văn bản để ban hành.")},
    )
    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class TemplateUploadForm(BootstrapForm):
    scope = forms.ChoiceField(label=_("Áp dụng cho"))
    file = forms.FileField(label=_("Tệp mẫu (.docx)"))
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=255)

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["scope"]).choices = scopes


class ProfileForm(BootstrapForm):
    body_name = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=200)
    parent_body_name = forms.CharField(label=_("Cơ quan chủ quản"), required=False, max_length=200)
    symbol = forms.CharField(
        label=_("Chữ viết tắt cơ quan"),
        required=False,
        max_length=20,
        help_text=_("Phần sau loại văn bản trong ký hiệu, ví dụ CAX trong 12/BC-CAX."),
    )
    place = forms.CharField(label=_("Địa danh"), required=False, max_length=100)
    signer_prefix = forms.ChoiceField(
        label=_("Thẩm quyền ký"),
        required=False,
        choices=[("", _("Ký trực tiếp")), *[(p, p) for p in ("KT.", "TM.", "Q.", "TL.", "TUQ.")]],
    )
    signer_authority = forms.CharField(
        label=_("Chức danh người đứng đầu"), required=False, max_length=150
    )
    signer_title = forms.CharField(label=_("Chức vụ người ký"), required=False, max_length=150)
    signer_name = forms.CharField(label=_("Họ tên người ký"), required=False, max_length=150)
    recipients = forms.CharField(
        label=_("Nơi nhận (mỗi dòng một nơi)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PackForm(BootstrapForm):
    unit = forms.ChoiceField(label=_("Tỉnh"))
    period = forms.CharField(label=_("Kỳ"), max_length=16, help_text=PERIOD_HELP)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [(u.code, u.name) for u in units]
