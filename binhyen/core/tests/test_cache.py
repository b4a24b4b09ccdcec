"""The Redis cache backend keeps one client per pool and still behaves as Django's."""

from __future__ import annotations

import socket

import pytest

from binhyen.core.cache import RedisCache


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_one_client_serves_every_operation():
    # given the backend on a database of its own
    cache = RedisCache("redis://127.0.0.1:6379/12", {"KEY_PREFIX": "cache-test"})
    cache.clear()
    try:
        # when several operations run
        assert cache.add("a", 1, 60)
        assert not cache.add("a", 2, 60)
        assert cache.incr("a") == 2
        cache.set("b", {"x": [1, 2]}, 60)
        # then they answer as Django's backend does, through a single client object
        assert cache.get("b") == {"x": [1, 2]} and cache.get("a") == 2
        assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)
    finally:
        cache.clear()
