"""Report forms owned by a domain app: the extension point for forms with their own periods.

Most report forms are national catalogue entries (every unit of the submitting kinds reports
every period). A domain app may instead *own* forms, for example a peak campaign that reports
weekly for four weeks, from its participating units only. The owner registers once in its
``AppConfig.ready()`` and claims the forms whose code starts with its ``prefix``::

    from binhyen.indicators.owners import form_owners
    form_owners.register(MyOwner())

Invariants:
- An owned form is an ordinary ``ReportForm``: submissions, values, validation rules, the
  review workflow and completeness are the indicators app's, unchanged.
- The owner only narrows: ``refusal`` may refuse a (unit, period) that the form would
  otherwise accept (``submission_open`` raises it on the named field), and
  ``expected_unit_ids`` narrows who must report (``forms_for_unit`` and ``completeness``).
- ``may_create`` replaces the catalogue permission for ``owned_report_form_create`` only:
  the owner decides who may create its forms (the campaign's unit managers).
- A form no owner claims behaves exactly as before.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.indicators.periods import Period


class FormOwner(Protocol):
    """What an owner of report forms answers about the forms it claims."""

    prefix: str

    def may_create(self, actor: Actor, code: str) -> bool: ...

    def refusal(self, form: Any, unit: Any, period: Period) -> tuple[str, str] | None:
        """Return (field, message) refusing a report of ``unit`` for ``period``, or None."""
        ...

    def expected_unit_ids(self, form: Any) -> set[int] | None:
        """Return the ids of the units that must report the form (None: no narrowing)."""
        ...


class FormOwnerRegistry:
    """Owners by code prefix; one process-wide registry filled at start-up."""

    def __init__(self) -> None:
        self._owners: dict[str, FormOwner] = {}

    def register(self, owner: FormOwner) -> None:
        existing = self._owners.get(owner.prefix)
        if existing is not None and type(existing) is not type(owner):
            raise ValueError(
                _("Tiền tố biểu mẫu '%(prefix)s' đã được đăng ký.") % {"prefix": owner.prefix}
            )
        self._owners[owner.prefix] = owner

    def unregister(self, prefix: str) -> None:
        self._owners.pop(prefix, None)

    def owner_of(self, code: str) -> FormOwner | None:
        """Return the owner claiming the form ``code`` (the longest matching prefix)."""
        found = [p for p in self._owners if code.startswith(p)]
        return self._owners[max(found, key=len)] if found else None

    def refusal(self, form: Any, unit: Any, period: Period) -> tuple[str, str] | None:
        owner = self.owner_of(form.code)
        return owner.refusal(form, unit, period) if owner is not None else None

    def expected_unit_ids(self, form: Any) -> set[int] | None:
        owner = self.owner_of(form.code)
        return owner.expected_unit_ids(form) if owner is not None else None


form_owners = FormOwnerRegistry()
