"""Pausing the cyclic garbage collector while a read builds many objects.

Building tens of thousands of model instances and results allocates hundreds of thousands of
container objects: every few hundred allocations start a collection of the young objects and,
as the heap grows, a full one that walks every live object. For a national batch of targets
that was a third of the time. The objects such a read builds are freed by reference counting
(they hold no cycles that need the collector), so the collector is paused for the build and
resumed after. It is left alone when it is already paused (by the caller, another thread or
the process settings): a pause never turns it back on for someone else.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused (see the module docstring)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
