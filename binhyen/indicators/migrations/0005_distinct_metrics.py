"""Mark the metrics that count distinct things (schemes, teams, villages, designations…).

Each was checked against its provider: the value is a number of things that can be reached
through several units (a scheme over several communes, a village reported by its old and its
new commune, a designation of a commune that merged). Their items are published by the next
provider sync (``manage.py indicators_metrics_sync --period …`` for past periods).
"""

from django.db import migrations

DISTINCT = (
    "schemes_active",
    "scheme_sites",
    "security_teams",
    "team_members",
    "villages_pledged",
    "establishments_pledged",
    "villages",
    "outreach_villages",
    "lit_villages",
    "hotspots_in_force",
    "hotspots_designated",
    "villages_enrolled_safe",
    "villages_recognised_safe",
    "communes_recognised_safe",
    "communes_model_recognised",
    "wards_model_recognised",
)


def mark(apps, schema_editor):
    Metric = apps.get_model("indicators", "Metric")
    Metric.objects.filter(code__in=DISTINCT, source="provider").update(counting="distinct")


def unmark(apps, schema_editor):
    Metric = apps.get_model("indicators", "Metric")
    Metric.objects.filter(code__in=DISTINCT).update(counting="quantity")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0004_metric_counting_and_items"),
        ("community", "0005_community_decision_and_completed_grades"),
        ("activities", "0004_search_fold_index"),
        ("hotspots", "0002_catalogue"),
        ("programs", "0004_model_commune_set"),
    ]

    operations = [migrations.RunPython(mark, unmark)]
