"""Back up the database and the media files into a dated archive.

    manage.py backup [--output DIR] [--keep N]

The archive holds a manifest (row counts per table, checksums); ``restore`` verifies it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a dated archive of the database and the media files (with a manifest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Directory of the archives (default: BACKUP_DIR)")
        parser.add_argument(
            "--keep", type=int, help="Keep only the N newest archives (default: keep all)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"]) if options["output"] else settings.BACKUP_DIR
        try:
            result = backup_create(output_dir=output, keep=options["keep"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            f"{result.path}: {len(manifest['tables'])} tables, "
            f"{sum(manifest['tables'].values())} rows, {manifest['media_files']} media files."
        )
