"""A task that proves the queue survives a worker killed mid-task (``make cluster-check``).

``probe_sleep(key, seconds)`` notes in the shared cache that it started (and in which
process), sleeps, then marks itself done. It is idempotent: however many times a worker
starts it again, it completes once (``cache.add`` of the done mark is atomic in Redis), so
the check can count starts and completions.

Invariants: touches nothing but its own cache keys (prefixed ``probe:``, one hour); never
runs in a request (only the cluster check enqueues it).
"""

from __future__ import annotations

import os
import time

from django.core.cache import cache
from django_tasks import task

TTL = 3600


def runner_key(key: str) -> str:
    return f"probe:{key}:runner"


def starts_key(key: str) -> str:
    return f"probe:{key}:starts"


def done_key(key: str) -> str:
    return f"probe:{key}:done"


def completions_key(key: str) -> str:
    return f"probe:{key}:completions"


def _incr(name: str) -> int:
    cache.add(name, 0, TTL)
    return int(cache.incr(name))


@task()
def probe_sleep(key: str, seconds: float) -> int:
    """Start, sleep ``seconds``, complete once; return how many starts were seen."""
    if cache.get(done_key(key)):
        return int(cache.get(starts_key(key)) or 0)
    starts = _incr(starts_key(key))
    cache.set(runner_key(key), os.getpid(), TTL)
    time.sleep(seconds)
    if cache.add(done_key(key), 1, TTL):
        _incr(completions_key(key))
    return starts


def status_of(result_id: str) -> str:
    """The queue's status of an enqueued probe (``READY``, ``RUNNING``, ``SUCCESSFUL``...)."""
    return str(probe_sleep.get_result(result_id).status)
