"""Forms of the programme pages: they parse and check input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from binhyen.core.forms import BootstrapForm, add_service_errors
from binhyen.orgunits.models import Subkind, UnitKind
from binhyen.programs.models import (
    RECOGNISED_KINDS,
    WINDOW_KINDS,
    Classification,
    CriterionKind,
    Level,
    ProgramKind,
    Verdict,
)
from binhyen.programs.services import CriterionInput, DecisionInput, SetInput

__all__ = ["add_service_errors"]


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Hãy nhập ngày theo dạng ngày/tháng/năm.")},
    )


def _points_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )


class ProgramForm(BootstrapForm):
    code = forms.SlugField(label=_("Mã chương trình"), max_length=64)
    name = forms.CharField(label=_("Tên chương trình"), max_length=300)
    name_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Mô tả, căn cứ"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label=_("Loại chương trình"), choices=ProgramKind.choices)
    unit_kinds = forms.MultipleChoiceField(
        label=_("Cấp đơn vị được xét"),
        choices=[(k, UnitKind(k).label) for k in RECOGNISED_KINDS],
        widget=forms.CheckboxSelectMultiple,
    )
    unit_subkinds = forms.MultipleChoiceField(
        label=_("Chỉ xét các loại (để trống: mọi loại)"),
        required=False,
        choices=[
            (s, Subkind(s).label)
            for s in (
                Subkind.XA,
                Subkind.PHUONG,
                Subkind.DAC_KHU,
                Subkind.THON,
                Subkind.TO_DAN_PHO,
                Subkind.CO_QUAN,
                Subkind.DOANH_NGHIEP,
                Subkind.CO_SO_GIAO_DUC,
            )
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    period_kind = forms.ChoiceField(
        label=_("Kỳ đánh giá"), choices=[(k.value, k.label) for k in WINDOW_KINDS]
    )
    verifier_level = forms.ChoiceField(label=_("Cấp thẩm định"), choices=Level.choices)
    decider_level = forms.ChoiceField(label=_("Cấp quyết định"), choices=Level.choices)
    submit_deadline_day = forms.IntegerField(label=_("Hạn nộp: ngày"), min_value=1, max_value=31)
    submit_deadline_month = forms.IntegerField(label=_("Hạn nộp: tháng"), min_value=1, max_value=12)
    decide_deadline_day = forms.IntegerField(
        label=_("Hạn quyết định: ngày"), min_value=1, max_value=31
    )
    decide_deadline_month = forms.IntegerField(
        label=_("Hạn quyết định: tháng"), min_value=1, max_value=12
    )
    enrolled_metric = forms.CharField(
        label=_("Chỉ tiêu số đơn vị đăng ký"), required=False, max_length=64
    )
    recognised_metric = forms.CharField(
        label=_("Chỉ tiêu số đơn vị được công nhận"), required=False, max_length=64
    )
    is_active = forms.BooleanField(label=_("Đang áp dụng"), required=False, initial=True)

    def fields_dict(self, *, include_code: bool = True) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not include_code:
            data.pop("code", None)
        data["unit_kinds"] = list(data["unit_kinds"])
        data["unit_subkinds"] = list(data.get("unit_subkinds") or [])
        return data


class SetSettingsForm(BootstrapForm):
    groups = forms.CharField(
        label=_("Nhóm tiêu chí (mỗi dòng một nhóm)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    min_optional_met = forms.IntegerField(
        label=_("Số tiêu chí không bắt buộc tối thiểu phải đạt"), min_value=0, initial=0
    )
    min_points = _points_field(_("Tổng điểm tối thiểu (để trống: không xét điểm)"))
    note = forms.CharField(
        label=_("Ghi chú, căn cứ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    excellent = _points_field(_("Xuất sắc: từ (điểm)"))
    fair = _points_field(_("Khá: từ (điểm)"))
    average = _points_field(_("Trung bình: từ (điểm)"))
    cap_level = forms.ChoiceField(
        label=_("Giới hạn tỷ lệ: mức"),
        required=False,
        choices=[("", _("Không giới hạn")), *Classification.choices],
    )
    cap_share = forms.DecimalField(
        label=_("Tối đa (%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    cap_base = forms.ChoiceField(
        label=_("Tính trên số đơn vị đạt mức trở lên"),
        required=False,
        choices=[("", _("Mọi đơn vị được xếp loại")), *Classification.choices],
    )

    @classmethod
    def initial_for(cls, criteria_set: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "groups": "\n".join(criteria_set.groups),
            "min_optional_met": criteria_set.min_optional_met,
            "min_points": criteria_set.min_points,
            "note": criteria_set.note,
        }
        for item in criteria_set.levels:
            if item["level"] != Classification.WEAK:
                initial[item["level"]] = item.get("min_points")
        if criteria_set.caps:
            cap = criteria_set.caps[0]
            initial.update(
                cap_level=cap["level"], cap_share=cap.get("max_share"), cap_base=cap.get("base", "")
            )
        return initial

    def to_input(self, *, classification: bool) -> SetInput:
        data = self.cleaned_data
        levels: list[dict[str, Any]] = []
        caps: list[dict[str, Any]] = []
        if classification:
            for level in (Classification.EXCELLENT, Classification.FAIR, Classification.AVERAGE):
                value = data.get(level.value)
                levels.append(
                    {
                        "level": level.value,
                        "min_points": _plain(value) if value is not None else None,
                    }
                )
            levels.append({"level": Classification.WEAK.value, "min_points": None})
            if data.get("cap_level"):
                caps.append(
                    {
                        "level": data["cap_level"],
                        "max_share": _plain(data.get("cap_share") or Decimal(0)),
                        "base": data.get("cap_base") or "",
                    }
                )
        return SetInput(
            groups=[
                line.strip() for line in (data.get("groups") or "").splitlines() if line.strip()
            ],
            min_optional_met=data.get("min_optional_met") or 0,
            min_points=data.get("min_points"),
            levels=levels,
            caps=caps,
            note=data.get("note") or "",
        )


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class CriterionForm(BootstrapForm):
    code = forms.CharField(label=_("Mã tiêu chí"), max_length=32)
    group = forms.ChoiceField(label=_("Nhóm"), required=False)
    order = forms.IntegerField(label=_("Thứ tự"), min_value=0, initial=0)
    title = forms.CharField(
        label=_("Nội dung tiêu chí"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    title_en = forms.CharField(
        label=_("Nội dung tiêu chí (tiếng Anh)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    guidance = forms.CharField(
        label=_("Hướng dẫn đánh giá"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    mandatory = forms.BooleanField(label=_("Bắt buộc"), required=False, initial=True)
    kind = forms.ChoiceField(label=_("Loại tiêu chí"), choices=CriterionKind.choices)
    expression = forms.CharField(
        label=_("Biểu thức CEL (tiêu chí quy tắc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "spellcheck": "false",
                "autocomplete": "off",
                "class": "font-monospace",
            }
        ),
    )
    max_points = _points_field(_("Điểm tối đa"))
    pass_points = _points_field(_("Điểm tối thiểu để đạt (tiêu chí chấm điểm)"))
    needs_completion = forms.BooleanField(label=_("Cần tỉnh hoàn thiện nội dung"), required=False)

    def __init__(self, *args: Any, groups: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group = cast(forms.ChoiceField, self.fields["group"])
        group.choices = [("", _("(không nhóm)"))] + [(g, g) for g in groups or []]

    def to_input(self) -> CriterionInput:
        data = self.cleaned_data
        return CriterionInput(
            code=data["code"],
            title=data["title"],
            title_en=data.get("title_en") or "",
            kind=data["kind"],
            group=data.get("group") or "",
            order=data.get("order") or 0,
            guidance=data.get("guidance") or "",
            mandatory=bool(data.get("mandatory")),
            expression=data.get("expression") or "",
            max_points=data.get("max_points"),
            pass_points=data.get("pass_points"),
            needs_completion=bool(data.get("needs_completion")),
        )


class EnrolForm(BootstrapForm):
    unit = forms.CharField(label=_("Đơn vị (mã)"), max_length=32)
    period = forms.ChoiceField(label=_("Kỳ đánh giá"))

    def __init__(self, *args: Any, units: list[Any], periods: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units:
            before = _("(trước 01/07/2025)")
            self.fields["unit"] = forms.ChoiceField(
                label=_("Đơn vị"),
                choices=[
                    (
                        u.code,
                        f"{u.name} ({u.code})" + ("" if u.is_current else f" {before}"),
                    )
                    for u in units
                ],
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        period = cast(forms.ChoiceField, self.fields["period"])
        period.choices = [(p.code, p.label) for p in periods]


class AssessForm(BootstrapForm):
    self_met = forms.TypedChoiceField(
        label=_("Tự đánh giá"),
        required=False,
        choices=[("", _("Chưa đánh giá")), ("1", _("Đạt")), ("0", _("Không đạt"))],
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    self_points = _points_field(_("Điểm tự chấm"))
    note = forms.CharField(
        label=_("Giải trình"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EvidenceForm(BootstrapForm):
    file = forms.FileField(label=_("Tệp minh chứng (ảnh JPG/PNG hoặc PDF, tối đa 10 MB)"))
    description = forms.CharField(label=_("Mô tả"), required=False, max_length=300)


class VerdictForm(BootstrapForm):
    verdict = forms.ChoiceField(
        label=_("Ý kiến thẩm định"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Nhận xét"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    points = _points_field(_("Điểm thẩm định"))


class NoteForm(BootstrapForm):
    note = forms.CharField(
        label=_("Kết luận"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Lý do"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    number = forms.CharField(label=_("Số quyết định (nếu có)"), required=False, max_length=60)


class DecisionForm(BootstrapForm):
    number = forms.CharField(label=_("Số, ký hiệu quyết định"), max_length=60)
    issued_on = _date_field(_("Ngày ký"))
    signer = forms.CharField(label=_("Người ký"), max_length=150)
    signer_title = forms.CharField(label=_("Chức vụ người ký"), required=False, max_length=150)
    issuing_body = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    scan = forms.FileField(label=_("Bản scan quyết định (PDF hoặc ảnh)"), required=False)

    def to_input(self) -> DecisionInput:
        data = self.cleaned_data
        return DecisionInput(
            number=data["number"],
            issued_on=data["issued_on"],
            signer=data["signer"],
            signer_title=data.get("signer_title") or "",
            issuing_body=data["issuing_body"],
            scan=data.get("scan"),
        )


class ImportForm(BootstrapForm):
    file = forms.FileField(label=_("Tệp bộ tiêu chí (.xlsx hoặc .json)"))


class AdoptForm(BootstrapForm):
    code = forms.SlugField(label=_("Mã chương trình của tỉnh"), max_length=64)
