"""docs/permissions.md shows the access model that the code enforces."""

from __future__ import annotations

from pathlib import Path

from binhyen.accounts import permissions
from binhyen.accounts.models import Role

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_every_permission_row_matches_the_code():
    # given the documented table
    rows = {
        line.split("|")[1].strip().strip("`"): [c.strip() for c in line.split("|")[2:-1]]
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `") and "." in line.split("|")[1]
    }
    # then each permission in code is documented with exactly the roles that hold it
    every = {p for ps in permissions.ROLE_PERMISSIONS.values() for p in ps}
    assert set(rows) == every, "regenerate the table with tools/permissions_table.py"
    for perm, cells in rows.items():
        documented = {role for role, cell in zip(Role.values, cells, strict=True) if cell == "✓"}
        actual = {role for role in Role.values if perm in permissions.ROLE_PERMISSIONS[role]}
        assert documented == actual, perm
