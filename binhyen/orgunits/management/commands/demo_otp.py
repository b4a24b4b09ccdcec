"""Print the current TOTP codes of the demo users (demo accounts only, never real users)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhyen.orgunits import demo


class Command(BaseCommand):
    help = "Print the current 6-digit TOTP codes of the demo users."

    def handle(self, *args: Any, **options: Any) -> None:
        usernames = [u.username for u in demo.DEMO_USERS]
        devices = TOTPDevice.objects.filter(
            user__username__in=usernames, name="demo"
        ).select_related("user")
        if not devices:
            self.stdout.write("No demo TOTP devices: run `manage.py demo_load` first.")
            return
        for device in devices:
            if device.key != demo.demo_totp_key(device.user.username):
                continue  # the device was replaced by its owner: not a demo secret any more
            code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            self.stdout.write(f"{device.user.username:<12} {code:0{device.digits}d}")
