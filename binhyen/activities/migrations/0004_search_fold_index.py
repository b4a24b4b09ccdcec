"""Search without diacritics: trigram indexes on the folded title, topic and place
(PostgreSQL only)."""

from django.db import migrations

from binhyen.core.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_search_fold"),
        ("activities", "0003_participants_unknown_is_not_zero"),
    ]

    operations = [trigram_indexes("activities_activity", ["title", "topic", "place"])]
