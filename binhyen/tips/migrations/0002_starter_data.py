"""Starter data of the tips app: categories, reply templates and the tip metrics.

Idempotent: rows are matched on their code and only created when missing. The starter
catalogue's ``tips_received`` and ``tips_valuable`` become provider metrics (``tips.counts``)
only while nobody has typed values for them; ``tips_concluded`` and ``tips_on_time`` are added.
"""

from django.db import migrations

CATEGORIES = [
    ("trom_cap", "crime", "Trộm cắp, cướp giật tài sản", "Theft and robbery"),
    ("ma_tuy", "crime", "Ma túy", "Drugs"),
    ("danh_bac", "crime", "Đánh bạc, cá độ", "Gambling"),
    ("lua_dao", "crime", "Lừa đảo, lừa đảo qua mạng", "Fraud, online fraud"),
    ("co_y_gay_thuong_tich", "crime", "Gây rối, cố ý gây thương tích", "Assault, disorder"),
    ("toi_pham_khac", "crime", "Tội phạm khác", "Other crime"),
    ("trat_tu_cong_cong", "feedback", "Mất trật tự công cộng, tiếng ồn", "Public disorder, noise"),
    ("giao_thong", "feedback", "Trật tự, an toàn giao thông", "Traffic order and safety"),
    ("chay_no", "feedback", "Nguy cơ cháy, nổ", "Fire and explosion risks"),
    ("cu_tru", "feedback", "Cư trú, tạm trú", "Residence registration"),
    ("phan_anh_khac", "feedback", "Phản ánh khác về an ninh, trật tự", "Other security-order feedback"),
    ("khac", "other", "Khác", "Other"),
]

TEMPLATES = [
    ("da_tiep_nhan", "Đã tiếp nhận",
     "Công an đã tiếp nhận tin của bạn và đang xác minh. Cảm ơn bạn đã cung cấp thông tin."),
    ("can_them_thong_tin", "Cần thêm thông tin",
     "Để xác minh, chúng tôi cần thêm thông tin: thời gian, địa điểm cụ thể và đặc điểm nhận dạng "
     "(nếu có). Bạn có thể bổ sung bằng mã theo dõi và mã bí mật."),
    ("da_xu_ly", "Đã xử lý",
     "Công an đã xác minh và xử lý sự việc bạn phản ánh. Cảm ơn bạn đã chung tay giữ gìn an "
     "ninh, trật tự."),
    ("khong_co_co_so", "Không có cơ sở",
     "Qua xác minh, chưa có cơ sở để xử lý nội dung bạn phản ánh. Nếu có thêm thông tin, bạn "
     "có thể bổ sung bất cứ lúc nào."),
    ("da_chuyen", "Đã chuyển cơ quan có thẩm quyền",
     "Nội dung bạn phản ánh thuộc thẩm quyền của cơ quan khác; chúng tôi đã chuyển để giải "
     "quyết theo quy định."),
]

PROVIDER = "tips.counts"
NEW_METRICS = [
    ("tips_concluded", "Tin báo, phản ánh đã kết thúc xử lý", "Tips concluded"),
    ("tips_on_time", "Tin báo, phản ánh xử lý đúng hạn", "Tips concluded on time"),
]
SWITCHED = ("tips_received", "tips_valuable")
DESCRIPTION = "Tính tự động từ tin báo của người dân (web, ứng dụng, Zalo)."


def forward(apps, schema_editor):
    Category = apps.get_model("tips", "Category")
    ReplyTemplate = apps.get_model("tips", "ReplyTemplate")
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    ValidationRule = apps.get_model("indicators", "ValidationRule")

    for order, (code, kind, name, name_en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={"kind": kind, "name": name, "name_en": name_en, "sort_order": order * 10},
        )
    for code, name, body in TEMPLATES:
        ReplyTemplate.objects.get_or_create(code=code, defaults={"name": name, "body": body})

    for code in SWITCHED:
        metric = Metric.objects.filter(code=code, source="form").first()
        if metric is None or DataValue.objects.filter(metric=metric).exists():
            continue
        metric.source = "provider"
        metric.provider_key = PROVIDER
        metric.description = metric.description or DESCRIPTION
        metric.save(update_fields=["source", "provider_key", "description"])
    received = Metric.objects.filter(code="tips_received").first()
    order = (received.sort_order if received else 0) + 1
    created = {}
    for i, (code, name, name_en) in enumerate(NEW_METRICS):
        created[code], _ = Metric.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit_of_measure": "tin",
                "value_type": "integer",
                "aggregation": "sum",
                "period_kind": "month",
                "capture_kinds": ["commune"],
                "source": "provider",
                "provider_key": PROVIDER,
                "description": DESCRIPTION,
                "sort_order": order + i,
            },
        )
    ValidationRule.objects.get_or_create(
        code="tips_on_time_le_concluded",
        defaults={
            "name": "Tin xử lý đúng hạn không vượt số tin đã kết thúc xử lý",
            "left_metric": created["tips_on_time"],
            "operator": "le",
            "right_metric": created["tips_concluded"],
        },
    )


def backward(apps, schema_editor):
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    ValidationRule = apps.get_model("indicators", "ValidationRule")
    ValidationRule.objects.filter(code="tips_on_time_le_concluded").delete()
    for code, _name, _en in NEW_METRICS:
        metric = Metric.objects.filter(code=code).first()
        if metric is not None and not DataValue.objects.filter(metric=metric).exists():
            metric.delete()
    Metric.objects.filter(code__in=SWITCHED, provider_key=PROVIDER).update(
        source="form", provider_key=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tips", "0001_initial"),
        ("indicators", "0002_starter_catalogue"),
    ]

    operations = [migrations.RunPython(forward, backward)]
