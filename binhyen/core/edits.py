"""Editing stored objects with forms: a field absent from a POST keeps its stored value.

A form that edits an object is built with ``stored=`` (the object's current values, which are
also its initial values and win over any default ``initial``). When such a form is bound,
every field the POST does not carry is treated as unchanged: it is cleaned from the stored
value, never from "nothing". Only a field that is present and empty clears a value.

Invariants:
- A POST carrying only the CSRF token (or nothing of the form) changes nothing: every field,
  check boxes included, keeps its stored value.
- A check box (or a multiple choice) is absent from a browser's POST when nothing is ticked,
  so when a POST carries other fields of the form, its absence means "nothing ticked", as
  HTML says.
- File fields are left to Django: an absent file already keeps the stored one.
- Forms without ``stored`` (creating, filtering, one-off actions) behave exactly as Django's:
  a required field missing from the POST is an error, never a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms


class KeepAbsentFieldsMixin:
    """Clean the fields a bound edit form did not receive from the stored values."""

    fields: dict[str, forms.Field]
    data: Any
    files: Any
    is_bound: bool

    def __init__(self, *args: Any, stored: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        if stored is not None:
            kwargs["initial"] = {**(kwargs.get("initial") or {}), **dict(stored)}
        self.stored: Mapping[str, Any] | None = stored
        super().__init__(*args, **kwargs)

    def absent_fields(self) -> list[str]:
        """Return the names of the fields this bound edit form keeps from the stored values."""
        if not self.is_bound or self.stored is None:
            return []
        present: list[str] = []
        omitted: list[str] = []
        for name, field in self.fields.items():
            if name not in self.stored or isinstance(field, forms.FileField) or field.disabled:
                continue
            key = self.add_prefix(name)  # type: ignore[attr-defined]
            if _unsent_when_empty(field):
                (present if key in self.data else omitted).append(name)
            elif field.widget.value_omitted_from_data(self.data, self.files, key):
                omitted.append(name)
            else:
                present.append(name)
        if not present:
            return omitted
        return [name for name in omitted if not _unsent_when_empty(self.fields[name])]

    def full_clean(self) -> None:
        # A disabled field is cleaned from its initial value (the stored one) and is never
        # "changed"; re-rendered after an error it shows the stored value, still not sent.
        for name in self.absent_fields():
            self.fields[name].disabled = True
        super().full_clean()  # type: ignore[misc]


def _unsent_when_empty(field: forms.Field) -> bool:
    """Return True for widgets a browser leaves out of the POST when nothing is chosen."""
    widget = field.widget
    return isinstance(widget, forms.CheckboxInput) or getattr(
        widget, "allow_multiple_selected", False
    )
