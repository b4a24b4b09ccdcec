"""Render a document from a template for a unit and a period, to Word or PDF, for scripts.

    manage.py document_render --template bao-cao-phong-trao-xa --unit 07840 --period 2026S1 \
        --format pdf -o bao-cao.pdf

The figures come from the indicators engine as of now (a draft: nothing is stored or
numbered). ``--user`` renders with that user's scope; without it, the whole country.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from binhyen.documents import context, render, selectors
from binhyen.documents.catalogue import BY_CODE, spec_get
from binhyen.indicators.periods import PeriodError


class Operator:
    """The operator running the command: reads the whole country, writes nothing."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    pk = None
    username = "operator"
    _binhyen_assignments: list[Any] = []  # no role rows: the superuser rule gives the scope


class Command(BaseCommand):
    help = "Render a document (docx or pdf) from a template for a unit and a period."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--template", required=True, help=", ".join(BY_CODE))
        parser.add_argument("--unit", required=True, help="Unit code, e.g. 07840")
        parser.add_argument("--period", required=True, help="e.g. 2026S1, 2026M06, 2026")
        parser.add_argument("--format", choices=("docx", "pdf"), default="docx")
        parser.add_argument("-o", "--output", required=True, help="File to write")
        parser.add_argument("--user", default="", help="Render with this user's scope")

    def handle(self, *args: Any, **options: Any) -> None:
        spec = spec_get(options["template"])
        if spec is None:
            raise CommandError(
                f"Không có mẫu '{options['template']}'. Các mẫu: {', '.join(BY_CODE)}."
            )
        user: Any = Operator()
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Không có người dùng '{options['user']}'.")
        try:
            unit = selectors.unit_get(user=user, code=options["unit"])
            period = selectors.period_get(options["period"])
        except Http404 as exc:
            raise CommandError(str(exc)) from exc
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        if unit.kind not in spec.levels:
            raise CommandError(f"Mẫu '{spec.code}' không dùng cho {unit.name}.")
        ctx = context.build(
            user=user,
            spec=spec,
            unit=unit,
            period=period,
            profile=selectors.profile_for(unit),
            narrative={},
            number=None,
            issued_on=None,
            summary=context.summary_for(spec, unit, period),
            draft=True,
            on=timezone.localdate(),
        )
        data = render.render_docx(selectors.template_for(spec=spec, unit=unit).content, ctx)
        if options["format"] == "pdf":
            try:
                data = render.to_pdf(data)
            except render.ConversionError as exc:
                raise CommandError(str(exc)) from exc
        Path(options["output"]).write_bytes(data)
        self.stdout.write(f"{options['output']} ({len(data)} bytes)")
