"""What a citizen submits, parsed from the web form or the API, before it becomes a tip.

Invariant: an input holds only what the citizen gave; routing (``selectors.route_tip``) and
intake (``services.tip_submit``) read it and never change it (it is frozen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TipInput:
    """What a citizen submits, already parsed from the form, the API or a Zalo event."""

    kind: str
    description: str
    category_code: str = ""
    occurred_at: datetime | None = None
    province_code: str = ""
    commune_code: str = ""
    village_code: str = ""
    address_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_unknown: bool = False
    is_anonymous: bool = True
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
