"""On PostgreSQL, index ``path`` with varchar_pattern_ops so ``path LIKE 'x%'`` (subtree) uses it.

SQLite's default BINARY collation already lets its unique index serve prefix ranges.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS orgunits_orgunit_path_like "
            "ON orgunits_orgunit (path varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS orgunits_orgunit_path_like")


class Migration(migrations.Migration):
    dependencies = [("orgunits", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
