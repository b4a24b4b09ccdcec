"""Forms of the hotspot pages; they parse input, the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.core.forms import BootstrapForm
from binhyen.hotspots.models import DrugAreaType, ProblemCategory, Regime, TaskStatus
from binhyen.hotspots.selectors import Status
from binhyen.hotspots.services import DesignationInput
from binhyen.orgunits.forms import unit_choices_with_history
from binhyen.orgunits.models import OrgUnit

_DATE_ERROR = _("Hãy nhập ngày theo dạng ngày/tháng/năm.")
_FILE_HELP = _("PDF, JPEG hoặc PNG, tối đa 10 MB.")
_FILE_ACCEPT = "application/pdf,image/jpeg,image/png"


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _DATE_ERROR},
    )


def _file(label: Any) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=_FILE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": _FILE_ACCEPT}),
    )


class DesignationForm(BootstrapForm):
    """A designation and its decision, survey and plan summary."""

    service_field_map = {"orgunit": "unit"}

    regime = forms.ChoiceField(label=_("Diện"), choices=Regime.choices)
    unit = forms.ChoiceField(label=_("Xã, phường"), choices=())
    year = forms.IntegerField(
        label=_("Năm danh sách"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    drug_area_type = forms.ChoiceField(
        label=_("Phân loại (chỉ diện ma túy)"),
        required=False,
        choices=[("", "—"), *DrugAreaType.choices],
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Nhóm vấn đề phức tạp"),
        required=False,
        queryset=ProblemCategory.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = _date(_("Ngày quyết định"))
    issuing_body = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    decision_file = _file(_("Tệp quyết định"))
    survey_date = _date(_("Ngày khảo sát"), required=False)
    survey_findings = forms.CharField(
        label=_("Kết quả khảo sát"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    plan_summary = forms.CharField(
        label=_("Kế hoạch chuyển hóa (tóm tắt)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, communes: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communes = {u.code: u for u in communes}
        self.fields["categories"].widget.attrs["class"] = "form-check-input"
        unit_field = self.fields["unit"]
        if isinstance(unit_field, forms.ChoiceField):
            unit_field.choices = unit_choices_with_history(communes, blank=True)
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year

    def to_input(self) -> DesignationInput:
        data = self.cleaned_data
        return DesignationInput(
            regime=data["regime"],
            unit=self.communes[data["unit"]],
            year=data["year"],
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            issuing_body=data["issuing_body"],
            drug_area_type=data.get("drug_area_type") or "",
            categories=list(data.get("categories") or []),
            survey_date=data.get("survey_date"),
            survey_findings=data.get("survey_findings") or "",
            plan_summary=data.get("plan_summary") or "",
            decision_file=data.get("decision_file") or None,
        )


class DesignationFilterForm(BootstrapForm):
    q = forms.CharField(
        label=_("Tìm xã, phường hoặc số quyết định"), required=False, max_length=200
    )
    regime = forms.ChoiceField(
        label=_("Diện"), required=False, choices=[("", _("Mọi diện")), *Regime.choices]
    )
    year = forms.IntegerField(
        label=_("Năm danh sách"), required=False, min_value=2000, max_value=2100
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[
            ("", _("Mọi tình trạng")),
            (Status.ACTIVE, _("Đang trong diện")),
            (Status.PROPOSED, _("Đã đề nghị đưa ra khỏi diện")),
            (Status.REMOVED, _("Đã đưa ra khỏi diện")),
            (Status.RELAPSED, _("Tái phức tạp")),
        ],
    )
    unit = forms.CharField(label=_("Mã đơn vị"), required=False, max_length=32)


class BoardForm(BootstrapForm):
    year = forms.IntegerField(
        label=_("Năm danh sách"), min_value=2000, max_value=2100, required=False
    )
    regime = forms.ChoiceField(
        label=_("Diện"), required=False, choices=[("", _("Mọi diện")), *Regime.choices]
    )
    unit = forms.CharField(label=_("Mã đơn vị"), required=False, max_length=32)


class ResponsibilityForm(BootstrapForm):
    department = forms.CharField(label=_("Đơn vị phụ trách"), max_length=200)
    officer_name = forms.CharField(label=_("Cán bộ phụ trách"), max_length=150, required=False)
    duty = forms.CharField(label=_("Nhiệm vụ"), max_length=255, required=False)


class TaskForm(BootstrapForm):
    title = forms.CharField(label=_("Nhiệm vụ"), max_length=255)
    owner = forms.CharField(label=_("Người, đơn vị thực hiện"), max_length=200)
    deadline = _date(_("Hạn hoàn thành"))


class TaskReportForm(BootstrapForm):
    progress = forms.IntegerField(
        label=_("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("Tiến độ từ 0 đến 100."),
            "max_value": _("Tiến độ từ 0 đến 100."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}),
    )
    status = forms.ChoiceField(label=_("Trạng thái"), choices=TaskStatus.choices)
    completed_on = _date(_("Ngày hoàn thành"), required=False)
    evidence = forms.CharField(
        label=_("Kết quả, minh chứng"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_file = _file(_("Tệp minh chứng"))


class RemovalProposalForm(BootstrapForm):
    service_field_map = {"removal_proposed_on": "proposed_on", "removal_proposal": "proposal"}

    proposed_on = _date(_("Ngày đề nghị"))
    proposal = forms.CharField(
        label=_("Nội dung đề nghị, kết quả chuyển hóa"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RemovalForm(BootstrapForm):
    service_field_map = {
        "removal_decision_number": "decision_number",
        "removal_date": "decision_date",
        "removal_issuing_body": "issuing_body",
        "removal_file": "attachment",
    }

    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = _date(_("Ngày quyết định"))
    issuing_body = forms.CharField(label=_("Cơ quan quyết định"), max_length=200)
    attachment = _file(_("Tệp quyết định"))


class RelapseForm(BootstrapForm):
    service_field_map = {"date": "day"}

    day = _date(_("Ngày ghi nhận"))
    description = forms.CharField(label=_("Diễn biến"), widget=forms.Textarea(attrs={"rows": 3}))
