"""The queue probe: idempotent, whatever the number of starts."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from binhyen.core import probes


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_probe_started_twice_completes_once():
    # given a probe whose first run was killed after it started (a start is recorded)
    probes._incr(probes.starts_key("k1"))
    # when a worker runs it again to the end
    starts = probes.probe_sleep.call(key="k1", seconds=0)
    # then two starts are seen and it completed once
    assert starts == 2
    assert cache.get(probes.completions_key("k1")) == 1
    # when it is delivered once more after completing / then nothing changes
    probes.probe_sleep.call(key="k1", seconds=0)
    assert cache.get(probes.completions_key("k1")) == 1
    assert cache.get(probes.starts_key("k1")) == 2
