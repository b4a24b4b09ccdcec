"""The to-do registry: providers register once; items come sorted, most urgent first."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from binhyen.core.todo import Severity, TodoItem, TodoRegistry, todo_items, todo_providers


class _Provider:
    key = "test.provider"

    def __init__(self, items):
        self._items = items

    def items(self, user):
        return self._items


def test_items_are_sorted_late_first_then_by_due_date(monkeypatch):
    # given only a provider with an open item, a late one and two due ones (the apps'
    # providers, which read the database, are set aside)
    monkeypatch.setattr(todo_providers, "_providers", {})
    items = [
        TodoItem(key="a", title="open", url="/a", severity=Severity.OPEN),
        TodoItem(key="b", title="due later", url="/b", severity=Severity.DUE, due=date(2026, 2, 1)),
        TodoItem(key="c", title="late", url="/c", severity=Severity.LATE, due=date(2026, 1, 5)),
        TodoItem(key="d", title="due soon", url="/d", severity=Severity.DUE, due=date(2026, 1, 9)),
        TodoItem(key="e", title="nothing", url="/e", count=0),
    ]
    todo_providers.register(_Provider(items))
    try:
        # when the items of a signed-in user are listed
        listed = todo_items(SimpleNamespace(is_authenticated=True))
    finally:
        todo_providers.unregister("test.provider")
    # then late comes first, due items by date, the open one last, the empty one dropped
    titles = [i.title for i in listed if i.key in "abcde"]
    assert titles == ["late", "due soon", "due later", "open"]


def test_anonymous_users_have_no_items():
    # given an anonymous visitor; when listed; then nothing (and no provider is asked)
    assert todo_items(SimpleNamespace(is_authenticated=False)) == []


def test_a_second_provider_of_another_type_under_the_same_key_is_refused():
    # given a registry holding a provider
    registry = TodoRegistry()
    registry.register(_Provider([]))

    class Other:
        key = "test.provider"

        def items(self, user):
            return []

    # when another type registers under its key; then it is refused
    with pytest.raises(ValueError):
        registry.register(Other())
    # and re-registering the same type (a second ready()) is accepted
    registry.register(_Provider([]))
    assert len(registry.providers()) == 1
