"""Write the shipped Word templates (``binhyen/documents/docx``) from ``layout.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from binhyen.documents.catalogue import SHIPPED_DIR
from binhyen.documents.layout import build_all


class Command(BaseCommand):
    help = "Build the shipped .docx templates (reproducible bytes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--outdir", default=str(SHIPPED_DIR), help="Folder to write into")

    def handle(self, *args: Any, **options: Any) -> None:
        outdir = Path(options["outdir"])
        outdir.mkdir(parents=True, exist_ok=True)
        for name, data in build_all().items():
            (outdir / name).write_bytes(data)
            self.stdout.write(f"{outdir / name} ({len(data)} bytes)")
