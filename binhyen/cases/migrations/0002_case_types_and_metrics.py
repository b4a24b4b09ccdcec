"""The two legal case types, the case breakdowns and the case metrics (aggregates only).

Idempotent: rows are matched on their code and created only when missing. Reversing
removes the metrics, breakdowns and types that hold no data.
"""

from django.db import migrations

PROVIDER = "cases.counts"

# code, name, name_en, purpose, legal basis, duration (months), review every (days)
CASE_TYPES = [
    (
        "reintegration",
        "Hỗ trợ người chấp hành xong án phạt tù, được đặc xá tái hòa nhập cộng đồng",
        "Reintegration after a prison sentence or a pardon",
        "Giúp người chấp hành xong án phạt tù, được đặc xá ổn định cuộc sống: giấy tờ, cư trú, "
        "học nghề, việc làm, vay vốn, chăm sóc sức khỏe; theo dõi đến khi ổn định.",
        "Luật Thi hành án hình sự; Nghị định 49/2020/NĐ-CP quy định chi tiết thi hành Luật Thi "
        "hành án hình sự về tái hòa nhập cộng đồng (Ủy ban nhân dân cấp xã chủ trì, Công an "
        "xã là cơ quan thường trực); Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15.",
        None,
        30,
    ),
    (
        "commune_education",
        "Giáo dục tại xã, phường",
        "Education in the commune (administrative measure)",
        "Quản lý, giáo dục, giúp đỡ người bị áp dụng biện pháp giáo dục tại xã, phường trong "
        "thời hạn của quyết định.",
        "Luật Xử lý vi phạm hành chính; Nghị định 120/2021/NĐ-CP quy định chế độ áp dụng biện "
        "pháp xử lý hành chính giáo dục tại xã, phường, thị trấn; Luật Bảo vệ dữ liệu cá nhân "
        "91/2025/QH15.",
        6,
        30,
    ),
]

CLOSURE_REASONS = [
    ("settled", "Đã ổn định cuộc sống", "Settled"),
    ("moved", "Chuyển nơi cư trú ngoài hệ thống", "Moved away"),
    ("period_ended", "Hết thời hạn hỗ trợ, quản lý", "Support period ended"),
    ("other", "Lý do khác", "Other reason"),
]

# code, name, name_en, unit, aggregation, breakdown, description
METRICS = [
    ("cases_open", "Hồ sơ tái hòa nhập đang hỗ trợ", "Reintegration cases open", "hồ sơ", "last",
     "case_type", "Số hồ sơ đang hỗ trợ vào cuối kỳ (hoặc hôm nay), theo loại hồ sơ."),
    ("cases_employed", "Người được hỗ trợ có việc làm", "People supported into work", "người",
     "sum", None, "Số hồ sơ có kết quả có việc làm trong kỳ."),
    ("cases_loans", "Người được vay vốn ưu đãi", "People granted a loan", "người", "sum", None,
     "Số hồ sơ có kết quả được vay vốn trong kỳ."),
    ("cases_closed", "Hồ sơ tái hòa nhập kết thúc", "Reintegration cases closed", "hồ sơ", "sum",
     "case_closure_reason", "Số hồ sơ kết thúc trong kỳ, theo lý do."),
]


def forward(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    Option = apps.get_model("indicators", "DisaggregationOption")
    Metric = apps.get_model("indicators", "Metric")
    by_type, _ = Disaggregation.objects.get_or_create(
        code="case_type", defaults={"name": "Loại hồ sơ tái hòa nhập", "name_en": "Case type"}
    )
    for order, (code, name, name_en, purpose, basis, months, every) in enumerate(CASE_TYPES):
        CaseType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "purpose": purpose,
                "legal_basis": basis,
                "duration_months": months,
                "review_every_days": every,
                "sort_order": (order + 1) * 10,
            },
        )
        Option.objects.get_or_create(
            disaggregation=by_type,
            code=code,
            defaults={"name": name, "name_en": name_en, "sort_order": order},
        )
    by_reason, _ = Disaggregation.objects.get_or_create(
        code="case_closure_reason",
        defaults={"name": "Lý do kết thúc hồ sơ", "name_en": "Case closure reason"},
    )
    for order, (code, name, name_en) in enumerate(CLOSURE_REASONS):
        Option.objects.get_or_create(
            disaggregation=by_reason,
            code=code,
            defaults={"name": name, "name_en": name_en, "sort_order": order},
        )
    breakdowns = {"case_type": by_type, "case_closure_reason": by_reason}
    top = Metric.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
    for order, (code, name, name_en, uom, aggregation, breakdown, desc) in enumerate(
        METRICS, start=1
    ):
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
                "disaggregation": breakdowns.get(breakdown),
                "source": "provider",
                "provider_key": PROVIDER,
                "description": desc,
                "sort_order": top + order * 10,
            },
        )


def backward(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    DataValue.objects.filter(metric__provider_key=PROVIDER, source="provider").delete()
    Metric.objects.filter(code__in=[m[0] for m in METRICS], forms__isnull=True).delete()
    Disaggregation.objects.filter(
        code__in=["case_type", "case_closure_reason"], metrics__isnull=True
    ).delete()
    CaseType.objects.filter(code__in=[t[0] for t in CASE_TYPES], cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("indicators", "0002_starter_catalogue"),
    ]
    operations = [migrations.RunPython(forward, backward)]
