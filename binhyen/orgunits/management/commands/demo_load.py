"""Load the demo: units and users from `orgunits.demo`, then each installed app's `demo` module."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from binhyen.orgunits import demo


class Command(BaseCommand):
    help = "Load the demo province, users of every role and sample data (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = demo.load(self.stdout)
        created = sum(counts.values())
        for config in apps.get_app_configs():
            if not config.name.startswith("binhyen.") or config.name == "binhyen.orgunits":
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            extra = module.load(self.stdout) or {}
            created += sum(extra.values())
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo loaded: {counts}"))
        else:
            self.stdout.write("Demo already loaded: nothing to change.")
        self._print_logins()

    def _print_logins(self) -> None:
        from binhyen.accounts.models import User
        from binhyen.accounts.permissions import requires_two_factor

        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for spec in demo.DEMO_USERS:
            user = User.objects.get(username=spec.username)
            line = f"  {spec.username:<12} {spec.role:<17} {spec.unit_code:<10} {spec.full_name}"
            if requires_two_factor(user):
                line += f"  [TOTP secret {demo.totp_base32(demo.demo_totp_key(spec.username))}]"
            self.stdout.write(line)
        if any(
            r in settings.OTP_REQUIRED_ROLES
            for r in ("ministry_officer", "province_officer", "system_admin")
        ):
            self.stdout.write(
                "  Users with a TOTP secret need a 6-digit code: add the secret to an\n"
                "  authenticator app, or print the current codes with\n"
                "  `.venv/bin/python manage.py demo_otp`."
            )
