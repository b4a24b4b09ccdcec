"""Where each query goes when a read replica is configured (``DATABASE_REPLICA_URL``).

Two aliases: ``default`` is the primary; ``replica`` (present only when configured) is a
streaming replica of it, seconds or less behind.

Invariants:
- **Writes always go to the primary.** ``db_for_write`` answers ``default`` and migrations
  run only there (a replica is read-only and receives the schema by replication).
- **Only analytics may read from the replica, and only when asked.** Code opts in with the
  ``analytics_reads()`` context manager (also a decorator): the indicators engine's entry
  functions and the exports use it. Every other read — permission checks, forms, the tip
  intake, services — goes to the primary, whatever the model.
- **Read-your-writes.** Once the current request (or task) has written anything, every read
  of the rest of it goes to the primary, analytics included: a wrapper on the primary's
  connections notes each statement that is not a read (ORM or raw SQL alike). Inside a
  ``transaction.atomic`` block on the primary every read goes to the primary too (the
  transaction must see its own rows; a service that reads figures while writing stays
  consistent). The "has written" flag lives in a context variable reset when a request
  starts and ends (``request_started``/``request_finished``) and around each task a worker
  runs, so threads and processes never share it.
- Without a replica every alias resolves to ``default``: the router changes nothing.
- Raw SQL must ask this module for its connection (``read_connection()``) instead of using
  ``django.db.connection``, which is always the primary.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

REPLICA = "replica"
P = ParamSpec("P")
R = TypeVar("R")

_analytics: ContextVar[bool] = ContextVar("binhyen_analytics_reads", default=False)
_wrote: ContextVar[bool] = ContextVar("binhyen_wrote", default=False)
_in_request: ContextVar[bool] = ContextVar("binhyen_in_request", default=False)

# Statements that only read: anything else (INSERT, UPDATE, DELETE, DDL, SELECT ... FOR
# UPDATE aside) marks the context as having written.
_READ_PREFIXES = frozenset(
    {"SELECT", "SET", "SHOW", "EXPLAIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "PRAGMA", "BEGIN"}
)
_WRITE_WORDS = ("INSERT ", "UPDATE ", "DELETE ", "FOR UPDATE", "FOR NO KEY UPDATE")


def replica_configured() -> bool:
    """Return True when a ``replica`` database alias is configured."""
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def analytics_reads() -> Iterator[None]:
    """Let the reads inside this block go to the replica (when one is configured and the
    current request has not written, outside any transaction on the primary)."""
    token = _analytics.set(True)
    try:
        yield
    finally:
        _analytics.reset(token)


def analytics(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of ``analytics_reads`` for entry functions."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with analytics_reads():
            return func(*args, **kwargs)

    return wrapper


def note_write() -> None:
    """Record that the current request or task has written (reads go to the primary)."""
    if not _wrote.get():
        _wrote.set(True)


def has_written() -> bool:
    return _wrote.get()


def reset_context() -> None:
    """Forget the writes of a previous request or task (called at their start and end)."""
    _wrote.set(False)


@contextlib.contextmanager
def unit_of_work() -> Iterator[None]:
    """A scope (one request, one task) whose writes pin its later reads to the primary."""
    token = _wrote.set(False)
    try:
        yield
    finally:
        _wrote.reset(token)


def read_alias() -> str:
    """Return the alias the current read goes to (see the module docstring)."""
    if not _analytics.get() or not replica_configured() or _wrote.get():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


def read_connection() -> BaseDatabaseWrapper:
    """The connection raw-SQL reads use (the replica inside ``analytics_reads`` when allowed)."""
    return connections[read_alias()]


class PrimaryReplicaRouter:
    """Django database router: analytics reads to the replica, everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same rows.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA


def statement_writes(sql: str) -> bool:
    """Return True unless ``sql`` only reads (SELECT, WITH ... SELECT, SET, SHOW, ...)."""
    words = sql.lstrip(" \t\r\n(").split(None, 1)
    if not words:
        return False
    head = words[0].upper()
    if head == "WITH":
        # A CTE reads unless it writes somewhere inside (WITH ... INSERT/UPDATE/DELETE).
        upper = sql.upper()
        return any(word in upper for word in _WRITE_WORDS)
    if head == "SELECT":
        return "FOR UPDATE" in sql or "FOR NO KEY UPDATE" in sql
    return head not in _READ_PREFIXES


def _note_writes(
    execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any
) -> Any:
    """Execute wrapper on primary connections: mark the context when a statement writes."""
    if not _wrote.get() and statement_writes(sql if isinstance(sql, str) else str(sql)):
        note_write()
    return execute(sql, params, many, context)


def install_write_tracking(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: track writes on every new primary connection."""
    if connection.alias != DEFAULT_DB_ALIAS:
        return
    if _note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_writes)


def request_started(sender: Any = None, **kwargs: Any) -> None:
    """``request_started``: a request starts with a clean slate."""
    _in_request.set(True)
    reset_context()


def request_finished(sender: Any = None, **kwargs: Any) -> None:
    """``request_finished``: leave nothing behind for the thread's next request."""
    _in_request.set(False)
    reset_context()


def task_boundary(sender: Any = None, **kwargs: Any) -> None:
    """``task_started``/``task_finished``: each task a worker runs starts clean. A task run
    inside a request (the immediate backend) keeps the request's flag."""
    if not _in_request.get():
        reset_context()
