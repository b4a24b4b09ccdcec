"""The to-do home's extension point: what each app says a user must act on.

Every role's home is a to-do list (reports due and late, tips to claim, programme files to
assess, targets behind, proposals to approve…). The items come from the apps that own the
work, never from the home page's own queries: each app registers one provider in its
``AppConfig.ready()``::

    from binhyen.core.todo import todo_providers
    todo_providers.register(MyTodoProvider())

Invariants:
- A provider answers for one user and reads only through that app's scoped selectors: an
  item never names or counts anything the user could not open.
- An item is a link with a count (``count`` ≥ 1); a provider yields nothing when there is
  nothing to do, so an empty home means "nothing to do", never "not computed".
- Providers are cheap (a handful of queries each) because the home is the most-opened page.
- ``todo_items`` orders by severity (late first), then due date, then title; a provider that
  fails is a defect and raises, never hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.db import models
from django.utils.translation import gettext_lazy


class Severity(models.TextChoices):
    """How urgent an item is; the home shows late items first."""

    LATE = "late", gettext_lazy("Quá hạn")
    DUE = "due", gettext_lazy("Sắp đến hạn")
    OPEN = "open", gettext_lazy("Cần xử lý")


SEVERITY_ORDER = {Severity.LATE: 0, Severity.DUE: 1, Severity.OPEN: 2}


@dataclass(frozen=True)
class TodoItem:
    """One line of the to-do home: what to do, how many, by when, and where to do it."""

    key: str  # stable identifier, "<app>.<what>" (e.g. "targets.behind")
    title: str  # translated, counted sentence ("3 chỉ tiêu chậm tiến độ")
    url: str
    count: int = 1
    severity: str = Severity.OPEN
    due: date | None = None
    group: str = ""  # translated section heading ("Báo cáo", "Tin báo"…)
    detail: str = ""  # translated secondary line (a unit name, a period label)


class TodoProvider(Protocol):
    """What an app answers for the to-do home."""

    key: str

    def items(self, user: Any) -> Iterable[TodoItem]: ...


class TodoRegistry:
    """Providers by key; one process-wide registry filled at start-up (no request state)."""

    def __init__(self) -> None:
        self._providers: dict[str, TodoProvider] = {}

    def register(self, provider: TodoProvider) -> None:
        existing = self._providers.get(provider.key)
        if existing is not None and type(existing) is not type(provider):
            raise ValueError(f"to-do provider {provider.key!r} is already registered")
        self._providers[provider.key] = provider

    def unregister(self, key: str) -> None:
        self._providers.pop(key, None)

    def providers(self) -> list[TodoProvider]:
        return [self._providers[k] for k in sorted(self._providers)]


todo_providers = TodoRegistry()


def todo_items(user: Any) -> list[TodoItem]:
    """Return every item of every registered provider for ``user``, most urgent first."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = [item for p in todo_providers.providers() for item in p.items(user) if item.count]
    return sorted(
        items,
        key=lambda i: (
            SEVERITY_ORDER.get(Severity(i.severity), 9),
            i.due or date.max,
            i.group,
            i.title,
        ),
    )
