"""Reads of decisions and their scanned files.
Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- A decision is visible only through a visible record that holds it (scheme, team or
  pledge); a decision nobody visible holds is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from binhyen.community.models import (
    CommunityDecision,
    Pledge,
    SecurityTeam,
    TeamMember,
)
from binhyen.community.selectors.schemes import schemes_visible
from binhyen.community.selectors.units import _visible, not_found_message

# --- decisions -------------------------------------------------------------------------------


def decision_get(*, user: Any, pk: int) -> CommunityDecision:
    """Return a decision attached to a record ``user`` may read; 404 otherwise."""
    decision = CommunityDecision.objects.filter(pk=pk).first()
    if decision is None:
        raise Http404(not_found_message())
    visible = _visible(user)
    holders = (
        schemes_visible(user).filter(founding_decision=decision).exists()
        or SecurityTeam.objects.filter(
            Q(establishment_decision=decision) | Q(recognition_decision=decision),
            village__in=visible,
        ).exists()
        or TeamMember.objects.filter(
            recognition_decision=decision, team__village__in=visible
        ).exists()
        or Pledge.objects.filter(document=decision, orgunit__in=visible).exists()
    )
    if not holders:
        raise Http404(not_found_message())
    return decision
