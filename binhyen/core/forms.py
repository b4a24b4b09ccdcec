"""The base form of every page and the one way a service's errors reach a form.

Invariants:
- A ``BootstrapForm`` widget carries Bootstrap's class for its kind, and a field with an error
  (from validation or added later, e.g. by a service) is marked ``is-invalid`` and
  ``aria-invalid="true"``.
- ``add_service_errors`` never loses a message: an error naming a field the form has goes on
  that field, everything else (unknown names, ``__all__``, errors without a field) on the
  form's non-field errors. Codes and parameters of the errors are kept.

Example::

    form = SchemeForm(request.POST)
    if form.is_valid():
        try:
            services.scheme_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from binhyen.core.edits import KeepAbsentFieldsMixin
from binhyen.core.text import protect_text_fields


def _mark_invalid(form: forms.BaseForm, name: str | None) -> None:
    if name is None or name not in form.fields:
        return
    widget = form.fields[name].widget
    if "is-invalid" not in widget.attrs.get("class", ""):
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    widget.attrs["aria-invalid"] = "true"


class BootstrapForm(KeepAbsentFieldsMixin, forms.Form):
    """Give widgets Bootstrap classes, normalise text to NFC, and mark fields with errors.

    Built with ``stored=`` (the values of the object being edited), a bound form keeps the
    stored value of every field the POST does not carry (``binhyen.core.edits``).
    ``service_field_map`` renames a service's field names to this form's (see
    ``add_service_errors``).
    """

    service_field_map: ClassVar[Mapping[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        protect_text_fields(self)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name, value in list(getattr(self, "cleaned_data", {}).items()):
            if isinstance(value, str) and isinstance(self.fields.get(name), forms.CharField):
                self.cleaned_data[name] = unicodedata.normalize("NFC", value)
        for name in self.errors:
            _mark_invalid(self, name)

    def add_error(self, field: str | None, error: Any) -> None:
        """Add the error as Django does, and mark the fields holding errors as invalid."""
        super().add_error(field, error)
        for name in getattr(self, "_errors", None) or {}:
            _mark_invalid(self, name)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on ``form``: known fields, else non-field errors.

    Signature: ``add_service_errors(form, error) -> None``. A field name is first renamed
    through the form's ``service_field_map`` (``{"orgunit": "unit_code"}`` when the service
    says ``orgunit`` and the form's field is ``unit_code``), if it has one.

    Example::

        >>> exc = ValidationError({"name": "Tên đã có.", "budget": "Sai."})
        >>> add_service_errors(form, exc)   # form has "name" but no "budget"
        >>> form.errors
        {'name': ['Tên đã có.'], '__all__': ['Sai.']}
    """
    renames: Mapping[str, str] = getattr(form, "service_field_map", {}) or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target: str | None = renames.get(name, name)
            if target == NON_FIELD_ERRORS or target not in form.fields:
                target = None
            form.add_error(target, list(errors))
    else:
        form.add_error(None, error.error_list)
