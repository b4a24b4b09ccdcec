"""Vietnamese order of unit lists in SQL: an index on the name in the Vietnamese collation
(PostgreSQL only; binhyen/core/collation.py). SQLite sorts with its registered collation."""

from django.conf import settings
from django.db import migrations

from binhyen.core.search import postgres_only

INDEX = "orgunits_orgunit_name_vi"


def _create() -> str:
    collation = getattr(settings, "VI_COLLATION", "vi-x-icu").replace('"', "")
    return (
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "orgunits_orgunit" '
        f'("name" COLLATE "{collation}", "code")'
    )


class Migration(migrations.Migration):
    dependencies = [("orgunits", "0004_counts_upper_bound")]

    operations = [
        migrations.RunPython(
            postgres_only(_create()),
            postgres_only(f'DROP INDEX IF EXISTS "{INDEX}"'),
            elidable=True,
        )
    ]
