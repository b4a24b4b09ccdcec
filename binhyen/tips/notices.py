"""The tracking page's extension point: notices other apps show a citizen following a tip.

The tips app never imports the apps that answer: each registers one provider in its
``AppConfig.ready()``::

    from binhyen.tips.notices import tracking_notices
    tracking_notices.register(MyNoticeProvider())

Invariants:
- A provider answers only for the tip it is given (whose code and secret the citizen has
  just proved) and returns text meant for that citizen; it never asks who the citizen is.
- A provider only reads; a provider that fails is a defect and raises, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class TrackingNotice:
    """One box on the tracking page: a heading, a text, and an optional code to show."""

    key: str
    title: str
    body: str
    code: str = ""
    tone: str = "info"  # a Bootstrap alert colour: info, success, secondary


class NoticeProvider(Protocol):
    key: str

    def notices(self, tip: Any) -> list[TrackingNotice]: ...


class NoticeRegistry:
    """Providers by key; one process-wide registry filled at start-up (no request state)."""

    def __init__(self) -> None:
        self._providers: dict[str, NoticeProvider] = {}

    def register(self, provider: NoticeProvider) -> None:
        self._providers[provider.key] = provider

    def unregister(self, key: str) -> None:
        self._providers.pop(key, None)

    def notices(self, tip: Any) -> list[TrackingNotice]:
        return [n for k in sorted(self._providers) for n in self._providers[k].notices(tip)]


tracking_notices = NoticeRegistry()
