"""Restore an archive written by ``backup`` into an empty database.

    manage.py restore ARCHIVE

Checksums and row counts are verified; a corrupt or altered archive, an archive of another
engine or a database that is not empty is refused with a message and nothing is changed.
On SQLite the database file must not exist yet (or have no tables); on PostgreSQL the
database must exist and have no tables (``createdb`` it first).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database (verifies checksums and counts)."
    # The system checks may open the database; the emptiness check must see it untouched.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="Path of a binhyen-*.tar.gz archive")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(archive=Path(options["archive"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {len(manifest['tables'])} tables, {sum(manifest['tables'].values())} "
            f"rows (counts verified), {manifest['media_restored']} media files."
        )
