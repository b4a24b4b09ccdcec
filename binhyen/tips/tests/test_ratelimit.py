"""Rate limits per source, keyed by a rotating hash that is kept only in the cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from binhyen.tips import ratelimit


def _request(ip: str = "203.0.113.7", **headers: Any):
    return RequestFactory().post("/", REMOTE_ADDR=ip, **headers)


def test_limit_applies_per_source(settings):
    settings.TIPS_RATE_LIMITS = {"submit": "2/3600"}
    # given two allowed requests from one address
    ratelimit.rate_limit_hit("submit", _request())
    ratelimit.rate_limit_hit("submit", _request())
    # when a third comes, then it is refused with a Vietnamese message and a retry time
    with pytest.raises(ratelimit.RateLimited) as exc:
        ratelimit.rate_limit_hit("submit", _request())
    assert "quá nhiều" in exc.value.message and exc.value.retry_after > 0
    # and another address is not affected
    ratelimit.rate_limit_hit("submit", _request("198.51.100.1"))


def test_forwarded_header_is_not_trusted_by_default(settings):
    settings.TIPS_RATE_LIMITS = {"submit": "1/3600"}
    ratelimit.rate_limit_hit("submit", _request(HTTP_X_FORWARDED_FOR="1.1.1.1"))
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.rate_limit_hit("submit", _request(HTTP_X_FORWARDED_FOR="2.2.2.2"))


def test_configured_header_names_the_source(settings):
    settings.TIPS_RATE_LIMITS = {"submit": "1/3600"}
    # given a trusted proxy that names the client in X-Real-IP
    settings.TIPS_CLIENT_IP_HEADER = "X-Real-IP"
    # then the header, not the proxy's own address, is the source
    assert ratelimit.client_source(_request(HTTP_X_REAL_IP="1.1.1.1, 10.0.0.1")) == "1.1.1.1"
    # when two clients behind the same proxy submit once each, then both are let through
    ratelimit.rate_limit_hit("submit", _request(HTTP_X_REAL_IP="1.1.1.1"))
    ratelimit.rate_limit_hit("submit", _request(HTTP_X_REAL_IP="2.2.2.2"))
    # and the first one's second submission is refused: the limit is per named source
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.rate_limit_hit("submit", _request(HTTP_X_REAL_IP="1.1.1.1"))


def test_key_rotates_every_hour_and_hides_the_address():
    key_now = ratelimit.source_key("submit", "203.0.113.7", now=3600 * 10 + 5)
    key_same_hour = ratelimit.source_key("submit", "203.0.113.7", now=3600 * 10 + 3000)
    key_next_hour = ratelimit.source_key("submit", "203.0.113.7", now=3600 * 11 + 5)
    assert key_now == key_same_hour != key_next_hour
    assert "203" not in key_now


def _redis_answers() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_redis_counts_in_one_round_trip_with_an_expiry(settings):
    # given the shared Redis cache of a multi-worker deployment (a database of its own)
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/11",
            "KEY_PREFIX": "ratelimit-test",
        }
    }
    settings.TIPS_RATE_LIMITS = {"submit": "2/3600"}
    backend = caches["default"]
    backend.clear()
    try:
        # when one source sends three requests
        ratelimit.rate_limit_hit("submit", _request())
        ratelimit.rate_limit_hit("submit", _request())
        with pytest.raises(ratelimit.RateLimited):
            ratelimit.rate_limit_hit("submit", _request())
        # then the counter is a plain integer the cache API reads, and it expires
        key = next(iter(backend._cache.get_client().keys("*tips:rl:submit:*")))
        client = backend._cache.get_client()
        assert int(client.get(key)) == 3
        assert 0 < client.ttl(key) <= 3600
    finally:
        backend.clear()
