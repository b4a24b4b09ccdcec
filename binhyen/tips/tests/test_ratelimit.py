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
    settings.TIPS_CLIENT_IP_HEADER = "X-Real-IP"
    ratelimit.rate_limit_hit("submit", _request(HTTP_X_REAL_IP="1.1.1.1"))
    ratelimit.rate_limit_hit("submit", _request(HTTP_X_REAL_IP="2.2.2.2"))


def test_key_rotates_every_hour_and_hides_the_address():
    key_now = ratelimit.source_key("submit", "203.0.113.7", now=3600 * 10 + 5)
    key_same_hour = ratelimit.source_key("submit", "203.0.113.7", now=3600 * 10 + 3000)
    key_next_hour = ratelimit.source_key("submit", "203.0.113.7", now=3600 * 11 + 5)
    assert key_now == key_same_hour != key_next_hour
    assert "203" not in key_now
