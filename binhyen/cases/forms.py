"""Forms of the cases app: parse input only; the rules live in ``services``."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.cases import services
from binhyen.cases.models import Case, CaseType, Helper, Need, Outcome, Review, SubjectRequest
from binhyen.core.collation import vi_order
from binhyen.core.forms import BootstrapForm
from binhyen.orgunits.models import OrgUnit, UnitKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE)


class CaseFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Tìm theo tên hoặc mã hồ sơ"), required=False, max_length=120)
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *Case.Status.choices]
    )


class CaseForm(BootstrapForm):
    """The person, the legal basis and the needs (no field about speech, religion, politics)."""

    case_type = forms.ModelChoiceField(label=_("Loại hồ sơ"), queryset=CaseType.objects.none())
    full_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), required=False, min_value=1900, max_value=2100
    )
    identity_number = forms.CharField(
        label=_("Số định danh cá nhân"), required=False, max_length=12
    )
    home_village = forms.ModelChoiceField(
        label=_("Thôn, tổ dân phố cư trú"), queryset=OrgUnit.objects.none(), required=False
    )
    judgment_number = forms.CharField(
        label=_("Số bản án, quyết định"), required=False, max_length=60
    )
    judgment_date = _date(_("Ngày bản án, quyết định"), required=False)
    release_date = _date(_("Ngày chấp hành xong, được đặc xá"), required=False)
    opened_on = _date(_("Ngày lập hồ sơ"))
    support_until = _date(_("Hết thời hạn quản lý, hỗ trợ"), required=False)
    needs = forms.MultipleChoiceField(
        label=_("Nhu cầu hỗ trợ"),
        required=False,
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, unit: OrgUnit, types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["case_type"]).queryset = types
        cast(forms.ModelChoiceField, self.fields["home_village"]).queryset = OrgUnit.objects.filter(
            parent=unit, kind=UnitKind.VILLAGE, valid_to__isnull=True
        ).order_by(vi_order("name"))
        self.fields["needs"].widget.attrs["class"] = ""
        self.extra_labels: list[str] = []
        for case_type in types:
            for label in case_type.extra_fields or []:
                if label not in self.extra_labels:
                    self.extra_labels.append(label)
        for index, label in enumerate(self.extra_labels):
            self.fields[f"extra_{index}"] = forms.CharField(
                label=label, required=False, max_length=200
            )
            self.fields[f"extra_{index}"].widget.attrs["class"] = "form-control"

    def to_input(self) -> services.CaseInput:
        data = self.cleaned_data
        extra = {
            label: data.get(f"extra_{i}") or ""
            for i, label in enumerate(self.extra_labels)
            if data.get(f"extra_{i}")
        }
        return services.CaseInput(
            case_type=data["case_type"],
            full_name=data["full_name"],
            opened_on=data["opened_on"],
            birth_year=data.get("birth_year"),
            identity_number=data.get("identity_number") or "",
            home_village=data.get("home_village"),
            judgment_number=data.get("judgment_number") or "",
            judgment_date=data.get("judgment_date"),
            release_date=data.get("release_date"),
            support_until=data.get("support_until"),
            needs=list(data.get("needs") or []),
            extra=extra,
        )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class HelperForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Vai trò"), choices=Helper.Kind.choices)
    name = forms.CharField(label=_("Họ tên, tên tổ chức"), required=False, max_length=200)
    user: UserChoiceField = UserChoiceField(
        label=_("Tài khoản (được mở hồ sơ này)"), queryset=None, required=False
    )
    can_reveal = forms.BooleanField(
        label=_("Được xem số định danh, bản án (mỗi lần xem được ghi lại)"), required=False
    )
    assigned_on = _date(_("Ngày phân công"))

    def __init__(self, *args: Any, users: Any = None, **kwargs: Any) -> None:
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = (
            users if users is not None else get_user_model().objects.none()
        )


class TaskForm(BootstrapForm):
    need = forms.ChoiceField(label=_("Nhu cầu"), choices=Need.choices)
    title = forms.CharField(label=_("Việc cần làm"), max_length=255)
    due_on = _date(_("Hạn"))


class TaskDoneForm(BootstrapForm):
    done_on = _date(_("Hoàn thành ngày"))


class ReviewForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Loại"), choices=Review.Kind.choices)
    held_on = _date(_("Ngày"))
    summary = forms.CharField(
        label=_("Nội dung đã làm"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OutcomeForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kết quả"), choices=Outcome.Kind.choices)
    achieved_on = _date(_("Ngày đạt"))
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(BootstrapForm):
    closed_on = _date(_("Ngày kết thúc"))
    reason = forms.ChoiceField(
        label=_("Lý do kết thúc"), choices=[("", "—"), *Case.ClosureReason.choices]
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("Hãy chọn lý do kết thúc hồ sơ.")


class HandoverForm(BootstrapForm):
    to_unit = forms.CharField(
        label=_("Mã xã, phường nhận"),
        max_length=32,
        help_text=_("Mã đơn vị hành chính của xã, phường nơi người được hỗ trợ chuyển đến."),
    )
    requested_on = _date(_("Ngày chuyển"))


class RevealForm(BootstrapForm):
    field = forms.ChoiceField(
        label=_("Trường"),
        choices=[("identity_number", _("Số định danh")), ("judgment", _("Bản án"))],
    )


class SubjectRequestForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Loại yêu cầu"), choices=SubjectRequest.Kind.choices)
    received_on = _date(_("Ngày nhận"))
    details = forms.CharField(
        label=_("Nội dung yêu cầu"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SubjectRequestDoneForm(BootstrapForm):
    status = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[
            (SubjectRequest.Status.DONE, SubjectRequest.Status.DONE.label),
            (SubjectRequest.Status.REFUSED, SubjectRequest.Status.REFUSED.label),
        ],
    )
    response = forms.CharField(
        label=_("Trả lời"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    completed_on = _date(_("Ngày trả lời"))


class CaseTypeForm(BootstrapForm):
    code = forms.CharField(label=_("Mã"), max_length=32)
    name = forms.CharField(label=_("Tên loại hồ sơ"), max_length=200)
    name_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=200, required=False)
    purpose = forms.CharField(
        label=_("Mục đích xử lý dữ liệu"), widget=forms.Textarea(attrs={"rows": 2})
    )
    purpose_en = forms.CharField(
        label=_("Mục đích xử lý dữ liệu (tiếng Anh)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    legal_basis = forms.CharField(
        label=_("Căn cứ pháp lý"), widget=forms.Textarea(attrs={"rows": 2})
    )
    province: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Tỉnh"), queryset=None, required=False
    )
    duration_months = forms.IntegerField(
        label=_("Thời hạn hỗ trợ (tháng)"), required=False, min_value=1, max_value=240
    )
    review_every_days = forms.IntegerField(
        label=_("Chu kỳ gặp gỡ, đánh giá (ngày)"), min_value=1, max_value=366, initial=30
    )
    extra_fields = forms.CharField(
        label=_("Trường bổ sung (mỗi dòng một trường)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, provinces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["province"]).queryset = provinces

    def to_input(self) -> services.CaseTypeInput:
        data = self.cleaned_data
        return services.CaseTypeInput(
            code=data["code"],
            name=data["name"],
            name_en=data.get("name_en") or "",
            purpose=data["purpose"],
            purpose_en=data.get("purpose_en") or "",
            legal_basis=data["legal_basis"],
            province=data.get("province"),
            duration_months=data.get("duration_months"),
            review_every_days=data["review_every_days"],
            extra_fields=(data.get("extra_fields") or "").splitlines(),
        )


def today_initial() -> dict[str, Any]:
    return {"held_on": timezone.localdate()}
