"""Per-source rate limits that never store who the source is.

The source is the socket address (``REMOTE_ADDR``), or the header named by
``TIPS_CLIENT_IP_HEADER`` when a trusted proxy sets it; no forwarded header is trusted by
default. The counter key is ``HMAC(SECRET_KEY, scope | address | hour)``: the key changes
every hour, lives only in the cache for at most one window, and is never written next to a
tip, so neither the tip tables nor an old cache entry can be linked back to an address.

Limits are ``TIPS_RATE_LIMITS[scope] = "count/seconds"`` (fixed windows, at most an hour).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils.translation import gettext as _

MAX_WINDOW = 3600


class RateLimited(Exception):
    """Too many requests from one source; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        minutes = max(1, (self.retry_after + 59) // 60)
        return _(
            "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau "
            "%(minutes)s phút."
        ) % {"minutes": minutes}


def client_source(request: HttpRequest) -> str:
    """Return the address requests are counted by (never stored anywhere but the cache)."""
    header = settings.TIPS_CLIENT_IP_HEADER
    if header:
        value = request.headers.get(header, "").split(",")[0].strip()
        if value:
            return value[:100]
    return str(request.META.get("REMOTE_ADDR", ""))


class Limit(NamedTuple):
    """At most ``requests`` per ``seconds`` from one source."""

    requests: int
    seconds: int


def parse_limit(spec: str) -> Limit:
    count, _sep, seconds = spec.partition("/")
    return Limit(int(count), min(MAX_WINDOW, max(1, int(seconds or 3600))))


def source_key(scope: str, source: str, now: float | None = None) -> str:
    """Return the rotating keyed hash of ``source`` for ``scope`` (changes every hour)."""
    hour = int((now if now is not None else time.time()) // 3600)
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"{scope}|{source}|{hour}".encode(), hashlib.sha256
    )
    return mac.hexdigest()[:32]


def _window_start(key: str, window: int) -> int:
    if cache.add(key, 1, window):
        return 1
    try:  # another request of the same source created it meanwhile
        return int(cache.incr(key))
    except ValueError:  # and it expired at once: count this one alone
        cache.set(key, 1, window)
        return 1


def _count(key: str, window: int) -> int:
    """Add one to the counter ``key`` (created for ``window`` seconds); return its value."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip: create the counter with its expiry if missing, then increment.
        # Django's generic incr() costs two (EXISTS, then INCRBY) and a third on the first
        # request of a window; its Redis serializer stores integers as plain Redis integers,
        # so the keys stay readable through the cache API.
        full = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.set(full, 0, ex=window, nx=True)
        pipe.incr(full)
        return int(pipe.execute()[1])
    try:  # one cache operation for all but the first request of a window
        return int(cache.incr(key))
    except ValueError:  # the first request of this window (or its entry just expired)
        return _window_start(key, window)


def rate_limit_hit(scope: str, request: HttpRequest) -> None:
    """Count one request of ``scope`` from the request's source; raise ``RateLimited`` past it."""
    count, window = parse_limit(settings.TIPS_RATE_LIMITS[scope])
    now = time.time()
    bucket = int(now // window)
    key = f"tips:rl:{scope}:{source_key(scope, client_source(request), now)}:{bucket}"
    used = _count(key, window)
    if used > count:
        raise RateLimited(retry_after=int(window - (now % window)) + 1)
