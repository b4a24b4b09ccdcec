"""Refresh the Zalo OA access token when it is near expiry (``--force``: now).

The scheduler runs the ``zalo_token_refresh`` task every 30 minutes; this command does the
same by hand, e.g. after setting ``TIPS_ZALO_REFRESH_TOKEN`` on a new deployment. It prints
the expiry only, never a token.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.tips import zalo
from binhyen.tips.models import ZaloToken


class Command(BaseCommand):
    help = "Refresh the Zalo Official Account access token if it expires soon (or --force)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Refresh now, even if the token is fresh."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            zalo.token_refresh(force=options["force"])
        except zalo.ZaloTokenError as exc:
            raise CommandError(f"Zalo token not refreshed ({exc}); the old one is kept.") from None
        row = ZaloToken.objects.get(pk=1)
        self.stdout.write(f"Zalo access token valid until {row.access_expires_at or 'unknown'}.")
