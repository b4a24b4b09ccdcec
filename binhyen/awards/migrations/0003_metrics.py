"""Metrics the awards app publishes through its provider (``binhyen.awards.providers``):
rewards decided in the year, collective and individual, broken down by granting level.
Idempotent (rows matched on their code); reversing removes them with their computed values.
"""

from django.db import migrations

LEVELS = [
    ("commune", "Chủ tịch UBND cấp xã", "Commune chairman"),
    ("province_police", "Giám đốc Công an tỉnh", "Provincial police director"),
    ("province", "Chủ tịch UBND cấp tỉnh", "Provincial chairman"),
    ("ministry", "Bộ trưởng Bộ Công an", "Minister of Public Security"),
]
METRICS = [
    ("rewards_collective", "Tập thể được khen thưởng", "Collectives rewarded", "tập thể"),
    ("rewards_individual", "Cá nhân được khen thưởng", "Individuals rewarded", "người"),
]


def forward(apps, schema_editor):
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    Option = apps.get_model("indicators", "DisaggregationOption")
    Metric = apps.get_model("indicators", "Metric")
    disagg, _ = Disaggregation.objects.get_or_create(
        code="reward_level",
        defaults={"name": "Cấp quyết định khen thưởng", "name_en": "Granting level"},
    )
    for order, (code, name, name_en) in enumerate(LEVELS):
        Option.objects.get_or_create(
            disaggregation=disagg,
            code=code,
            defaults={"name": name, "name_en": name_en, "sort_order": order},
        )
    last = Metric.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
    for order, (code, name, name_en, uom) in enumerate(METRICS):
        Metric.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit_of_measure": uom,
                "value_type": "integer",
                "aggregation": "sum",
                "period_kind": "year",
                "capture_kinds": ["commune", "province", "country"],
                "disaggregation": disagg,
                "source": "provider",
                "provider_key": "awards.rewards",
                "description": "Tính tự động từ các quyết định khen thưởng (đơn vị đề nghị).",
                "sort_order": last + (order + 1) * 10,
            },
        )


def backward(apps, schema_editor):
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    codes = [m[0] for m in METRICS]
    DataValue.objects.filter(metric__code__in=codes).delete()
    Metric.objects.filter(code__in=codes, forms__isnull=True).delete()
    Disaggregation.objects.filter(code="reward_level", metrics__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0002_national_catalogue"),
        ("indicators", "0002_starter_catalogue"),
    ]
    operations = [migrations.RunPython(forward, backward)]
