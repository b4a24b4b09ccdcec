"""Who may do what with official documents; built only on ``binhyen.accounts.permissions``.

- Reading a document: its unit must be in ``OrgUnit.objects.visible_to(user)`` (selectors);
  anything else is answered as missing (404).
- Drafting, editing the narrative and rendering: ``DRAFT_DOCUMENTS`` on the unit.
- Numbering and issuing: ``ISSUE_DOCUMENTS`` on the unit.
- Uploading a template version: ``MANAGE_TEMPLATES`` on the province (its own version) or on
  the country (the national version). Downloading templates: any signed-in user with a role.
- A report pack of a province: ``DRAFT_DOCUMENTS`` on the province.
"""

from __future__ import annotations

from typing import Any

from binhyen.accounts import permissions as perms
from binhyen.orgunits.models import ROOT_CODE, OrgUnit


def can_draft(user: Any, unit: Any) -> bool:
    return perms.has_perm_on(user, perms.DRAFT_DOCUMENTS, unit)


def can_draft_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.DRAFT_DOCUMENTS)


def can_issue(user: Any, unit: Any) -> bool:
    return perms.has_perm_on(user, perms.ISSUE_DOCUMENTS, unit)


def can_manage_templates(user: Any, province: OrgUnit | None) -> bool:
    """Return True if ``user`` may upload versions for ``province`` (None: national)."""
    if province is None:
        root = OrgUnit.objects.filter(code=ROOT_CODE).first()
        return root is not None and perms.has_perm_on(user, perms.MANAGE_TEMPLATES, root)
    return perms.has_perm_on(user, perms.MANAGE_TEMPLATES, province)


def can_manage_templates_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.MANAGE_TEMPLATES)


def can_read_templates(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.VIEW_UNITS)
