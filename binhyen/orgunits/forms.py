"""Forms of the unit pages: they parse and check input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.core.forms import BootstrapForm
from binhyen.orgunits.history import successors_of
from binhyen.orgunits.models import SUBKINDS_BY_KIND, OrgUnit, Subkind, UnitKind
from binhyen.orgunits.services import CREATABLE_KINDS, editable_fields, former_communes_of

MAX_QUERY = 200
_NUMBER_ERROR = _("Hãy nhập một số, ví dụ 21.0285 (dùng dấu chấm).")
_INTEGER_ERROR = _("Hãy nhập một số nguyên không âm.")


def _coordinate_field(label: Any, limit: int) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        min_value=-limit,
        max_value=limit,
        error_messages={"invalid": _NUMBER_ERROR},
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def latitude_field() -> forms.FloatField:
    """Return an optional latitude field (−90..90, decimal point), as every unit form has it."""
    return _coordinate_field(_("Vĩ độ"), 90)


def longitude_field() -> forms.FloatField:
    """Return an optional longitude field (−180..180, decimal point)."""
    return _coordinate_field(_("Kinh độ"), 180)


class UnitSearchForm(BootstrapForm):
    """Search across the units the user may read."""

    q = forms.CharField(label=_("Tên hoặc mã"), required=False, max_length=MAX_QUERY)
    kind = forms.ChoiceField(
        label=_("Cấp"), required=False, choices=[("", _("Mọi cấp")), *UnitKind.choices]
    )
    current = forms.BooleanField(label=_("Chỉ đơn vị hiện hành"), required=False)


class ChildSearchForm(BootstrapForm):
    """Search among the children shown on a unit page."""

    q = forms.CharField(label=_("Tìm trong danh sách"), required=False, max_length=MAX_QUERY)
    kind = forms.ChoiceField(
        label=_("Cấp"), required=False, choices=[("", _("Mọi cấp")), *UnitKind.choices]
    )


class FormerCommuneField(forms.ModelChoiceField):
    """The pre-2025 commune a village belonged to, among those that lead to its commune."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.official_code or obj.code})"


def former_commune_field(commune: OrgUnit | None) -> FormerCommuneField:
    """Return the optional former-commune choice for a unit of ``commune``."""
    ids = [c.pk for c in former_communes_of(commune)] if commune is not None else []
    return FormerCommuneField(
        label=_("Xã/phường cũ (trước 01/07/2025)"),
        queryset=OrgUnit.objects.filter(pk__in=ids).order_by("name_folded", "code"),
        required=False,
        empty_label=_("— Không có —"),
        help_text=_("Xã/phường mà đơn vị này thuộc về trước khi sắp xếp ngày 01/07/2025."),
        error_messages={"invalid_choice": _("Hãy chọn một xã/phường cũ trong danh sách.")},
    )


def _subkind_choices(kind: str) -> list[tuple[str, Any]]:
    labels = dict(Subkind.choices)
    return [(value, labels[value]) for value in SUBKINDS_BY_KIND.get(kind, ())]


class _UnitFieldsMixin(BootstrapForm):
    name = forms.CharField(label=_("Tên"), max_length=200)
    subkind = forms.ChoiceField(label=_("Loại"), choices=())
    population = forms.IntegerField(
        label=_("Dân số"),
        required=False,
        min_value=0,
        error_messages={"invalid": _INTEGER_ERROR, "min_value": _INTEGER_ERROR},
    )
    households = forms.IntegerField(
        label=_("Số hộ"),
        required=False,
        min_value=0,
        error_messages={"invalid": _INTEGER_ERROR, "min_value": _INTEGER_ERROR},
    )
    latitude = latitude_field()
    longitude = longitude_field()
    address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=255)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def _set_subkinds(self, kind: str) -> None:
        field = self.fields["subkind"]
        if isinstance(field, forms.ChoiceField):
            field.choices = _subkind_choices(kind)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "latitude" in self.fields and "longitude" in self.fields:
            lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
            if (
                (lat is None) != (lon is None)
                and not self.errors.get("latitude")
                and not (self.errors.get("longitude"))
            ):
                missing = "longitude" if lon is None else "latitude"
                self.add_error(missing, _("Cần nhập cả vĩ độ và kinh độ, hoặc để trống cả hai."))
        return cleaned


class UnitCreateForm(_UnitFieldsMixin):
    """A new village or establishment; ``kind`` decides which types are offered."""

    kind = forms.ChoiceField(
        choices=[(k, dict(UnitKind.choices)[k]) for k in CREATABLE_KINDS], widget=forms.HiddenInput
    )

    field_order = ["kind", "name", "subkind"]

    def __init__(
        self,
        *args: Any,
        kind: str = UnitKind.VILLAGE,
        commune: OrgUnit | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if commune is not None and not commune.is_current:
            # Added "under" a pre-2025 commune: it goes under one of its successors.
            successors = [s.pk for s in successors_of(commune) if s.kind == UnitKind.COMMUNE]
            self.fields["successor"] = forms.ModelChoiceField(
                label=_("Nay thuộc xã/phường"),
                queryset=OrgUnit.objects.filter(pk__in=successors).order_by("name_folded"),
                initial=successors[0] if successors else None,
                empty_label=None,
                help_text=_(
                    "Đơn vị được ghi một lần, dưới xã/phường hiện nay, và giữ %(old)s là "
                    "xã/phường cũ."
                )
                % {"old": commune.name},
                error_messages={"invalid_choice": _("Hãy chọn một xã/phường trong danh sách.")},
            )
            self.fields["successor"].widget.attrs["class"] = "form-select"
        else:
            field = former_commune_field(commune)
            if field.queryset is not None and field.queryset.exists():
                self.fields["former_parent"] = field
                field.widget.attrs["class"] = "form-select"
        if self.is_bound:
            bound_kind = self.data.get("kind")
            if bound_kind in CREATABLE_KINDS:
                kind = bound_kind
        self.kind_value = kind
        self.fields["kind"].initial = kind
        self._set_subkinds(kind)


class UnitEditForm(_UnitFieldsMixin):
    """The fields users may change on ``unit`` (see ``services.editable_fields``)."""

    def __init__(self, *args: Any, unit: OrgUnit, **kwargs: Any) -> None:
        kwargs.setdefault("stored", {name: getattr(unit, name) for name in editable_fields(unit)})
        super().__init__(*args, **kwargs)
        allowed = editable_fields(unit)
        if "former_parent" in allowed:
            field = former_commune_field(unit.parent)
            if field.queryset is not None and (field.queryset.exists() or unit.former_parent_id):
                self.fields["former_parent"] = field
                field.widget.attrs["class"] = "form-select"
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]
        if "subkind" in self.fields:
            self._set_subkinds(unit.kind)


class UnitCloseForm(BootstrapForm):
    """The last day a village or establishment existed."""

    valid_to = forms.DateField(
        label=_("Ngày cuối cùng còn hoạt động"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Hãy nhập ngày theo dạng ngày/tháng/năm.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_to": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ImportForm(BootstrapForm):
    """The uploaded spreadsheet; its content is checked by ``excel``."""

    file = forms.FileField(
        label=_("Tệp Excel (.xlsx) hoặc CSV"),
        error_messages={
            "required": _("Hãy chọn một tệp để nhập."),
            "empty": _("Tệp đã chọn không có nội dung."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def history_label(unit: OrgUnit, label: str) -> str:
    """``label`` of ``unit`` in a picker, marked "(trước 01/07/2025)" when the unit is closed."""
    if unit.is_current:
        return label
    return f"{label} {_('(trước 01/07/2025)')}"


def unit_choices_with_history(
    units: list[OrgUnit], label: Any = lambda u: f"{u.name} ({u.code})", *, blank: bool = False
) -> list[Any]:
    """Picker choices: the current units, then the closed ones in a group of their own, each
    marked "(trước 01/07/2025)" (records dated before the reform go on the units of then)."""
    current = [(u.code, label(u)) for u in units if u.is_current]
    history = [(u.code, history_label(u, label(u))) for u in units if not u.is_current]
    choices: list[Any] = [("", "—")] if blank else []
    choices.extend(current)
    if history:
        choices.append((_("Đơn vị trước sắp xếp"), history))
    return choices
