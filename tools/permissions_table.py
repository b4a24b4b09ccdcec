"""Print the role × permission table of docs/permissions.md from the access model in code."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from binhyen.accounts import permissions  # noqa: E402
from binhyen.accounts.models import Role  # noqa: E402

perms = sorted({p for ps in permissions.ROLE_PERMISSIONS.values() for p in ps})
print("| permission | " + " | ".join(f"`{value}`" for value in Role.values) + " |")
print("|---|" + "---|" * len(Role.choices))
for perm in perms:
    cells = ["✓" if perm in permissions.ROLE_PERMISSIONS[role] else "" for role in Role.values]
    print(f"| `{perm}` | " + " | ".join(cells) + " |")
