"""Search without diacritics: the ``binhyen_fold`` function on PostgreSQL (binhyen/core/search.py)
and a trigram index on the audit log's actor names. Nothing to do on SQLite: the function is
registered on each connection."""

from django.db import migrations

from binhyen.core.search import FUNCTION, POSTGRES_FUNCTION, postgres_only, trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("core", "0004_idempotency_records")]

    operations = [
        migrations.RunPython(
            postgres_only(POSTGRES_FUNCTION),
            postgres_only(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)"),
            elidable=True,
        ),
        trigram_indexes("core_auditevent", ["actor_label"]),
    ]
