"""Search without diacritics: a trigram index on the folded description (PostgreSQL only)."""

from django.db import migrations

from binhyen.core.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("core", "0005_search_fold"), ("tips", "0003_zalo_push")]

    operations = [trigram_indexes("tips_tip", ["description"])]
