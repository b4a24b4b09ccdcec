"""Refusals a service raises besides ``PermissionDenied`` and a field's ``ValidationError``.

``Conflict`` is a refusal about the record's current state, not about the input: the tip is
claimed by someone else, the record changed since the caller read it. It is a
``ValidationError`` (pages show it like any other refusal, nothing is saved), and the API's
central mapping (``binhyen.core.api_kit``) answers it 409 instead of 400, so a client can tell
"fix your input" from "the record is not in a state for this now".
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The record's current state refuses the action (API: 409)."""
