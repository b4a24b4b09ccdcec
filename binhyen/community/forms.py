"""Forms of the community pages: they parse and check input; the services decide and write."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.community.models import (
    CommunityDecision,
    LeadOrgKind,
    MemberOrigin,
    Scheme,
    SchemeCategory,
    SchemeQuality,
    SchemeStatus,
    SchemeType,
    SignerKind,
    TaskGrade,
    TeamMember,
    TeamRole,
)
from binhyen.community.services import DecisionInput, GradeInput, RosterEntry
from binhyen.core.forms import BootstrapForm, add_service_errors
from binhyen.orgunits.forms import history_label, unit_choices_with_history
from binhyen.orgunits.models import OrgUnit

__all__ = ["add_service_errors"]

MAX_QUERY = 200
_DATE_ERROR = _("Hãy nhập ngày theo dạng ngày/tháng/năm.")
_COUNT_ERROR = _("Hãy nhập một số nguyên không âm (0, 1, 2…).")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _DATE_ERROR, "required": _("Nhập ngày.")},
    )


def count_field(label: Any, *, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
        error_messages={"invalid": _COUNT_ERROR, "min_value": _COUNT_ERROR},
    )


def _unit_label(unit: OrgUnit) -> str:
    return history_label(unit, f"{unit.name} ({unit.get_subkind_display()})")


class CommunityForm(BootstrapForm):
    """A form that may carry decision blocks (number, date, issuing body, scanned file)."""

    decision_blocks: list[tuple[str, Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.decision_blocks = []

    def add_decision(self, prefix: str, legend: Any, decision: CommunityDecision | None) -> None:
        """Add the four fields of a decision, pre-filled from ``decision``."""
        self.decision_blocks.append((prefix, legend))
        new = {
            f"{prefix}_number": forms.CharField(
                label=_("Số, ký hiệu"), required=False, max_length=50
            ),
            f"{prefix}_issued_on": date_field(_("Ngày ban hành, ngày ký"), required=False),
            f"{prefix}_issuing_body": forms.CharField(
                label=_("Cơ quan ban hành"), required=False, max_length=200
            ),
            f"{prefix}_file": forms.FileField(
                label=_("Bản scan (PDF, JPG, PNG)"),
                required=False,
                widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            ),
        }
        if decision is not None and decision.file:
            new[f"{prefix}_remove_file"] = forms.BooleanField(
                label=_("Xóa bản scan đã tải lên"), required=False
            )
        for name, field in new.items():
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
            widget.attrs["class"] = css
            self.fields[name] = field
        if decision is not None and not self.is_bound:
            self.initial.update(
                {
                    f"{prefix}_number": decision.number,
                    f"{prefix}_issued_on": decision.issued_on,
                    f"{prefix}_issuing_body": decision.issuing_body,
                }
            )

    def decision_input(self, prefix: str, files: Any = None) -> DecisionInput:
        data = self.cleaned_data
        return DecisionInput(
            number=data.get(f"{prefix}_number") or "",
            issued_on=data.get(f"{prefix}_issued_on"),
            issuing_body=data.get(f"{prefix}_issuing_body") or "",
            upload=data.get(f"{prefix}_file"),
            remove_file=bool(data.get(f"{prefix}_remove_file")),
        )

    def main_fields(self) -> list[forms.BoundField]:
        prefixes = tuple(f"{p}_" for p, _legend in self.decision_blocks)
        return [self[name] for name in self.fields if not name.startswith(prefixes)]

    def blocks(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (legend, [self[n] for n in self.fields if n.startswith(f"{prefix}_")])
            for prefix, legend in self.decision_blocks
        ]


# --- filters ---------------------------------------------------------------------------------


class SchemeFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Tên mô hình"), required=False, max_length=MAX_QUERY)
    category = forms.ChoiceField(
        label=_("Nhóm"), required=False, choices=[("", _("Mọi nhóm")), *SchemeCategory.choices]
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Mọi trạng thái")), *SchemeStatus.choices],
    )


class TeamFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Tên tổ hoặc thôn"), required=False, max_length=MAX_QUERY)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[
            ("", _("Mọi trạng thái")),
            ("active", _("Đang hoạt động")),
            ("dissolved", _("Đã giải thể")),
        ],
    )


class PledgeFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Tên đơn vị ký"), required=False, max_length=MAX_QUERY)
    year = forms.IntegerField(
        label=_("Năm"),
        required=False,
        min_value=2000,
        max_value=2199,
        error_messages={"invalid": _("Năm không hợp lệ.")},
    )
    signer_kind = forms.ChoiceField(
        label=_("Bên ký"), required=False, choices=[("", _("Mọi bên ký")), *SignerKind.choices]
    )


class CommuneChoiceForm(BootstrapForm):
    """Pick the commune a new record belongs to."""

    unit = forms.ChoiceField(label=_("Xã, phường"))

    def __init__(self, *args: Any, communes: Sequence[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["unit"])
        field.choices = unit_choices_with_history(
            list(communes), lambda c: f"{c.name} — {c.parent.name if c.parent else ''}"
        )


# --- schemes ---------------------------------------------------------------------------------


class SchemeForm(CommunityForm):
    scheme_type = forms.ModelChoiceField(
        label=_("Loại mô hình"), queryset=SchemeType.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("Tên mô hình"), max_length=200)
    units = forms.MultipleChoiceField(
        label=_("Địa bàn"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Xã và các thôn, cơ quan, trường học nơi mô hình hoạt động."),
        error_messages={"required": _("Chọn ít nhất một địa bàn.")},
    )
    extra_units = forms.CharField(
        label=_("Xã khác trong cụm (mã, cách nhau bởi dấu phẩy)"),
        required=False,
        max_length=500,
        help_text=_("Dùng cho cụm giáp ranh: mã xã, phường khác, ví dụ 07843, 07846."),
    )
    lead_org_kind = forms.ChoiceField(label=_("Tổ chức nòng cốt"), choices=LeadOrgKind.choices)
    lead_org_name = forms.CharField(label=_("Tên tổ chức nòng cốt"), required=False, max_length=200)
    founded_on = date_field(_("Ngày thành lập"))
    member_count = count_field(_("Số thành viên"))
    roster = forms.CharField(
        label=_("Danh sách thành viên (không bắt buộc)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mỗi dòng một người: Họ tên - vai trò. Ví dụ: Nguyễn Văn An - Tổ trưởng."),
    )
    replicated_from = forms.ModelChoiceField(
        label=_("Nhân rộng từ mô hình"),
        queryset=Scheme.objects.none(),
        required=False,
        empty_label=_("(không)"),
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        types: Iterable[SchemeType],
        unit_choices: Sequence[OrgUnit],
        replicable: Any,
        scheme: Scheme | None = None,
        **kwargs: Any,
    ) -> None:
        if scheme is not None and "stored" not in kwargs:
            kwargs["stored"] = {
                "scheme_type": scheme.scheme_type_id,
                "name": scheme.name,
                "units": [u.code for u in scheme.units.all()],
                "lead_org_kind": scheme.lead_org_kind,
                "lead_org_name": scheme.lead_org_name,
                "founded_on": scheme.founded_on,
                "member_count": scheme.member_count,
                "replicated_from": scheme.replicated_from_id,
                "note": scheme.note,
            }
        super().__init__(*args, **kwargs)
        self._set_choices(types, unit_choices, replicable)
        if scheme is not None:
            del self.fields["roster"]
        self.add_decision(
            "founding_decision",
            _("Quyết định thành lập"),
            scheme.founding_decision if scheme is not None else None,
        )

    def _set_choices(
        self, types: Iterable[SchemeType], unit_choices: Sequence[OrgUnit], replicable: Any
    ) -> None:
        type_field = cast(forms.ModelChoiceField, self.fields["scheme_type"])
        type_field.queryset = SchemeType.objects.filter(pk__in=[t.pk for t in types])
        units_field = cast(forms.MultipleChoiceField, self.fields["units"])
        units_field.choices = [(u.code, _unit_label(u)) for u in unit_choices]
        units_field.widget.attrs["class"] = "form-check-input"
        rep_field = cast(forms.ModelChoiceField, self.fields["replicated_from"])
        rep_field.queryset = replicable

    def roster_entries(self) -> list[RosterEntry]:
        entries = []
        for line in (self.cleaned_data.get("roster") or "").splitlines():
            if not line.strip():
                continue
            name, _sep, role = line.partition(" - ")
            entries.append(RosterEntry(full_name=name.strip(), role=role.strip()))
        return entries

    def extra_codes(self) -> list[str]:
        raw = self.cleaned_data.get("extra_units") or ""
        return [c.strip() for c in raw.replace(";", ",").split(",") if c.strip()]


class SchemeStatusForm(BootstrapForm):
    status = forms.ChoiceField(label=_("Trạng thái mới"), choices=SchemeStatus.choices)
    since = date_field(_("Từ ngày"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"since": timezone.localdate()})
        super().__init__(*args, **kwargs)


class SchemeSiteForm(BootstrapForm):
    orgunit = forms.ChoiceField(label=_("Đơn vị (điểm mô hình)"))
    established_on = date_field(_("Ngày xây dựng"))
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=255)

    def __init__(self, *args: Any, units: Sequence[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["orgunit"])
        field.choices = [(u.code, _unit_label(u)) for u in units]


class EndDateForm(BootstrapForm):
    ended_on = date_field(_("Ngày dừng"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"ended_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class SchemeMemberForm(BootstrapForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    role = forms.CharField(label=_("Vai trò"), required=False, max_length=100)


class SchemeGradingForm(BootstrapForm):
    period = forms.CharField(
        label=_("Kỳ đánh giá"),
        max_length=16,
        help_text=_("Năm (2025), 6 tháng (2025S1), quý (2025Q3) hoặc tháng (2025M07)."),
    )
    level = forms.ChoiceField(label=_("Xếp loại"), choices=SchemeQuality.choices)
    graded_on = date_field(_("Ngày đánh giá"))
    note = forms.CharField(
        label=_("Nhận xét"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {"period": str(today.year), "graded_on": today})
        super().__init__(*args, **kwargs)


class SchemeTypeForm(BootstrapForm):
    name = forms.CharField(label=_("Tên loại mô hình"), max_length=200)
    category = forms.ChoiceField(label=_("Nhóm (để thống kê)"), choices=SchemeCategory.choices)
    name_en = forms.CharField(label=_("Tên tiếng Anh"), required=False, max_length=200)
    description = forms.CharField(
        label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sort_order = count_field(_("Thứ tự"))
    is_active = forms.BooleanField(label=_("Đang dùng"), required=False, initial=True)
    typical = forms.BooleanField(label=_("Là mô hình tiêu biểu của tỉnh"), required=False)

    def __init__(
        self, *args: Any, item: SchemeType | None = None, with_typical: bool = False, **kwargs: Any
    ) -> None:
        if item is not None and "stored" not in kwargs:
            kwargs["stored"] = {
                "name": item.name,
                "category": item.category,
                "name_en": item.name_en,
                "description": item.description,
                "sort_order": item.sort_order,
                "is_active": item.is_active,
            }
        super().__init__(*args, **kwargs)
        if item is None:
            del self.fields["is_active"]
        if item is not None or not with_typical:
            del self.fields["typical"]


# --- teams -----------------------------------------------------------------------------------


class TeamForm(CommunityForm):
    village = forms.ChoiceField(label=_("Thôn, tổ dân phố"))
    name = forms.CharField(
        label=_("Tên tổ"),
        required=False,
        max_length=200,
        help_text=_("Để trống: “Tổ bảo vệ ANTT” + tên thôn."),
    )
    established_on = date_field(_("Ngày thành lập"))
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        villages: Sequence[OrgUnit] = (),
        team: Any = None,
        **kwargs: Any,
    ) -> None:
        if team is not None and "stored" not in kwargs:
            kwargs["stored"] = {
                "name": team.name,
                "established_on": team.established_on,
                "note": team.note,
            }
        super().__init__(*args, **kwargs)
        if team is not None:
            del self.fields["village"]
            self.fields["name"].required = True
            self.fields["name"].help_text = ""
        else:
            field = cast(forms.ChoiceField, self.fields["village"])
            field.choices = [(v.code, history_label(v, v.name)) for v in villages]
        self.add_decision(
            "establishment_decision",
            _("Quyết định thành lập tổ"),
            team.establishment_decision if team is not None else None,
        )
        self.add_decision(
            "recognition_decision",
            _("Quyết định công nhận thành viên"),
            team.recognition_decision if team is not None else None,
        )


class DissolveForm(BootstrapForm):
    dissolved_on = date_field(_("Ngày giải thể"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"dissolved_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class MemberForm(CommunityForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    birth_date = date_field(_("Ngày sinh"), help_text=_("Chỉ dùng để phân biệt người trùng tên."))
    role = forms.ChoiceField(label=_("Chức danh"), choices=TeamRole.choices)
    origin = forms.ChoiceField(label=_("Nguồn"), choices=MemberOrigin.choices)
    joined_on = date_field(_("Ngày tham gia"))
    left_on = date_field(_("Ngày thôi tham gia"), required=False)

    def __init__(self, *args: Any, member: TeamMember | None = None, **kwargs: Any) -> None:
        if member is not None and "stored" not in kwargs:
            kwargs["stored"] = {
                "full_name": member.full_name,
                "birth_date": member.birth_date,
                "role": member.role,
                "origin": member.origin,
                "joined_on": member.joined_on,
                "left_on": member.left_on,
            }
        super().__init__(*args, **kwargs)
        if member is None:
            del self.fields["left_on"]
        self.add_decision(
            "recognition_decision",
            _("Quyết định công nhận"),
            member.recognition_decision if member is not None else None,
        )


class TrainingForm(BootstrapForm):
    held_on = date_field(_("Ngày tổ chức"))
    title = forms.CharField(label=_("Nội dung"), max_length=200)
    organiser = forms.CharField(label=_("Đơn vị tổ chức"), required=False, max_length=200)
    hours = forms.DecimalField(
        label=_("Số giờ"),
        required=False,
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=1,
        error_messages={"invalid": _("Hãy nhập số giờ, ví dụ 4 hoặc 1.5.")},
    )
    attendees = count_field(_("Số người tham dự"))
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RulesForm(BootstrapForm):
    team_size_min = forms.IntegerField(label=_("Số thành viên tối thiểu của một tổ"), min_value=1)
    team_size_max = forms.IntegerField(label=_("Số thành viên tối đa của một tổ"), min_value=1)
    min_activity_months = forms.IntegerField(
        label=_("Số tháng hoạt động tối thiểu để được xếp loại"), min_value=0, max_value=12
    )
    excellent_max_pct_of_good = forms.IntegerField(
        label=_("Số “xuất sắc” tối đa so với số được xếp “tốt” (%)"), min_value=0, max_value=100
    )
    excellent_min_task_pct = forms.DecimalField(
        label=_("“Xuất sắc” phải hoàn thành trên (% nhiệm vụ)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
    leader_not_above_team = forms.BooleanField(
        label=_("Tổ trưởng không được xếp loại cao hơn tổ"), required=False
    )
    basis = forms.CharField(
        label=_("Căn cứ (nghị quyết, quyết định của tỉnh)"), required=False, max_length=255
    )


class GradingSheetForm(BootstrapForm):
    """One level, task share and note per team and member of the sheet."""

    def __init__(self, *args: Any, sheet: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = [("", _("(chưa xếp loại)")), *TaskGrade.choices]
        self.rows: list[tuple[str, Any, Any, list[tuple[str, Any, Any]]]] = []
        for row in sheet.rows:
            team_key = f"t{row.team.pk}"
            self._add(team_key, levels, row.grading)
            member_keys = []
            for m in row.members:
                key = f"m{m.member.pk}"
                self._add(key, levels, m.grading)
                member_keys.append((key, m, self._bound(key)))
            self.rows.append((team_key, row, self._bound(team_key), member_keys))
        # The gradings already saved: a cell the POST does not carry keeps its grading.
        self.stored = {name: field.initial for name, field in self.fields.items()}

    def _add(self, key: str, levels: list[tuple[str, Any]], grading: Any) -> None:
        self.fields[f"{key}_level"] = forms.ChoiceField(
            label=_("Xếp loại"),
            choices=levels,
            required=False,
            initial=grading.level if grading else "",
            widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        )
        self.fields[f"{key}_task_pct"] = forms.DecimalField(
            label=_("% nhiệm vụ"),
            required=False,
            min_value=Decimal(0),
            max_value=Decimal(100),
            max_digits=5,
            decimal_places=2,
            initial=grading.task_pct if grading else None,
            widget=forms.NumberInput(
                attrs={
                    "class": "form-control form-control-sm",
                    "step": "0.01",
                    "inputmode": "decimal",
                }
            ),
        )
        self.fields[f"{key}_note"] = forms.CharField(
            label=_("Nhận xét"),
            required=False,
            max_length=500,
            initial=grading.note if grading else "",
            widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        )

    def _bound(self, key: str) -> dict[str, forms.BoundField]:
        return {part: self[f"{key}_{part}"] for part in ("level", "task_pct", "note")}

    def grades(self, prefix: str) -> dict[int, GradeInput]:
        result: dict[int, GradeInput] = {}
        for name in self.fields:
            if not (name.startswith(prefix) and name.endswith("_level")):
                continue
            key = name[: -len("_level")]
            result[int(key[1:])] = GradeInput(
                level=self.cleaned_data.get(name) or "",
                task_pct=self.cleaned_data.get(f"{key}_task_pct"),
                note=self.cleaned_data.get(f"{key}_note") or "",
            )
        return result


# --- pledges ---------------------------------------------------------------------------------


class PledgeForm(CommunityForm):
    signer_kind = forms.ChoiceField(label=_("Bên ký"), choices=SignerKind.choices)
    orgunit = forms.ChoiceField(label=_("Đơn vị ký"))
    year = forms.IntegerField(
        label=_("Năm giao ước"),
        min_value=2000,
        max_value=2199,
        error_messages={"invalid": _("Năm không hợp lệ.")},
    )
    signed_on = date_field(_("Ngày ký"))
    signed_by = forms.CharField(label=_("Người ký (họ tên, chức danh)"), max_length=200)
    household_count = count_field(_("Số hộ đăng ký (khi bên ký là hộ gia đình)"))
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, units: Sequence[OrgUnit] = (), pledge: Any = None, **kwargs: Any
    ) -> None:
        today = timezone.localdate()
        if pledge is not None and "stored" not in kwargs:
            kwargs["stored"] = {
                "year": pledge.year,
                "signed_on": pledge.signed_on,
                "signed_by": pledge.signed_by,
                "household_count": pledge.household_count,
                "note": pledge.note,
            }
        kwargs.setdefault("initial", {"year": today.year, "signed_on": today})
        super().__init__(*args, **kwargs)
        if pledge is not None:
            del self.fields["signer_kind"]
            del self.fields["orgunit"]
        else:
            field = cast(forms.ChoiceField, self.fields["orgunit"])
            field.choices = [(u.code, _unit_label(u)) for u in units]
        self.add_decision(
            "document",
            _("Bản giao ước đã ký"),
            pledge.document if pledge is not None else None,
        )
