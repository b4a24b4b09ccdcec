"""Problem categories of hotspot areas and the hotspot metrics (by regime).

Idempotent: rows are matched on their code and created only when missing. Reversing
removes the metrics and categories that hold no data.
"""

from django.db import migrations

PROVIDER = "hotspots.designations"

CATEGORIES = [
    ("toi_pham_hinh_su", "Tội phạm hình sự, băng nhóm", "Violent and organised crime"),
    ("ma_tuy", "Tội phạm và tệ nạn ma túy", "Drug crime and drug use"),
    ("te_nan_xa_hoi", "Tệ nạn xã hội (cờ bạc, mại dâm)", "Social evils (gambling, prostitution)"),
    ("tin_dung_den", "Tín dụng đen, cho vay nặng lãi", "Loan sharking"),
    ("lua_dao_cong_nghe_cao", "Lừa đảo, tội phạm công nghệ cao", "Fraud and high-tech crime"),
    ("tranh_chap_khieu_kien", "Tranh chấp, khiếu kiện kéo dài", "Prolonged disputes and complaints"),
    ("vu_khi_vat_lieu_no", "Vũ khí, vật liệu nổ, pháo trái phép", "Illegal weapons, explosives, firecrackers"),
    ("trat_tu_giao_thong", "Trật tự, an toàn giao thông", "Traffic order and safety"),
    ("moi_truong", "Vi phạm về môi trường, tài nguyên", "Environmental and resource offences"),
    ("khac", "Vấn đề khác về an ninh, trật tự", "Other security and order problems"),
]

REGIMES = [
    ("ministry_hotspot", "Xã trọng điểm, phức tạp về ANTT (Bộ công nhận)", "Ministry-recognised hotspot"),
    ("transformation", "Chuyển hóa địa bàn trọng điểm, phức tạp về TTATXH", "Transformation list"),
    ("drug_area", "Địa bàn trọng điểm về ma túy, địa bàn không ma túy", "Drug area"),
]

# code, name, name_en, unit, aggregation, description
METRICS = [
    ("hotspots_designated", "Địa bàn trọng điểm trong danh sách năm", "Hotspot areas on the year's lists",
     "địa bàn", "sum", "Số xã, phường trong danh sách năm, theo diện."),
    ("hotspots_removed", "Địa bàn được đưa ra khỏi diện", "Hotspot areas removed from the lists",
     "địa bàn", "sum", "Trong danh sách năm, số địa bàn đã có quyết định đưa ra khỏi diện."),
    ("hotspots_relapsed", "Địa bàn tái phức tạp sau khi đưa ra khỏi diện", "Hotspot areas relapsed",
     "địa bàn", "sum", "Trong danh sách năm, số địa bàn tái phức tạp sau khi đưa ra khỏi diện."),
    ("hotspots_in_force", "Địa bàn trọng điểm đang trong diện", "Hotspot areas in force",
     "địa bàn", "last", "Số địa bàn còn trong diện vào cuối kỳ (hoặc hôm nay)."),
    ("hotspot_tasks_overdue", "Nhiệm vụ chuyển hóa quá hạn", "Transformation tasks overdue",
     "nhiệm vụ", "last", "Nhiệm vụ của địa bàn đang trong diện đã quá hạn mà chưa hoàn thành."),
]


def forward(apps, schema_editor):
    Category = apps.get_model("hotspots", "ProblemCategory")
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    Option = apps.get_model("indicators", "DisaggregationOption")
    Metric = apps.get_model("indicators", "Metric")
    for order, (code, name, name_en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    regime, _ = Disaggregation.objects.get_or_create(
        code="hotspot_regime", defaults={"name": "Diện địa bàn trọng điểm", "name_en": "Hotspot regime"}
    )
    for order, (code, name, name_en) in enumerate(REGIMES):
        Option.objects.get_or_create(
            disaggregation=regime,
            code=code,
            defaults={"name": name, "name_en": name_en, "sort_order": order},
        )
    top = Metric.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
    for order, (code, name, name_en, uom, aggregation, desc) in enumerate(METRICS, start=1):
        Metric.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit_of_measure": uom,
                "value_type": "integer",
                "aggregation": aggregation,
                "period_kind": "year",
                "capture_kinds": ["commune"],
                "disaggregation": regime,
                "source": "provider",
                "provider_key": PROVIDER,
                "description": desc,
                "sort_order": top + order * 10,
            },
        )


def backward(apps, schema_editor):
    Category = apps.get_model("hotspots", "ProblemCategory")
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    DataValue.objects.filter(metric__provider_key=PROVIDER, source="provider").delete()
    Metric.objects.filter(code__in=[m[0] for m in METRICS], forms__isnull=True).delete()
    Disaggregation.objects.filter(code="hotspot_regime", metrics__isnull=True).delete()
    Category.objects.filter(code__in=[c[0] for c in CATEGORIES], designations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hotspots", "0001_initial"),
        ("indicators", "0002_starter_catalogue"),
    ]
    operations = [migrations.RunPython(forward, backward)]
