"""Fixtures of the tips tests: small proof-of-work, a fake Zalo sender, media in a temp dir."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from binhyen.tips.services import metrics_sync_memo_clear, unit_cache_clear


class FakeSender:
    """Collects Zalo replies instead of sending them (no network in tests)."""

    sent: list[tuple[str, str, str]] = []

    def send(self, recipient_hash: str, text: str, user_id: str = "") -> None:
        FakeSender.sent.append((recipient_hash, text, user_id))


@pytest.fixture(autouse=True)
def _tips_settings(settings, tmp_path):
    settings.TIPS_POW_BITS = 4
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TIPS_ZALO_APP_ID = "app-123"
    settings.TIPS_ZALO_OA_SECRET = "oa-secret-xyz"
    settings.TIPS_ZALO_SENDER = "binhyen.tips.tests.conftest.FakeSender"
    settings.TIPS_ZALO_MEDIA_FETCHER = ""
    settings.TIPS_CLIENT_IP_HEADER = ""
    FakeSender.sent = []
    cache.clear()
    unit_cache_clear()
    metrics_sync_memo_clear()
    yield
    cache.clear()
    unit_cache_clear()
    metrics_sync_memo_clear()


@pytest.fixture
def sent() -> list[tuple[str, str, str]]:
    return FakeSender.sent
