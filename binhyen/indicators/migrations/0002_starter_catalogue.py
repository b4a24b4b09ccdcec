"""Starter catalogue: the metrics the movement counts (seeds, DOMAIN.md), two breakdowns,
the monthly movement report, the yearly population report and two validation rules.

Idempotent: rows are matched on their code and only created when missing, so a catalogue
edited by administrators is never overwritten. Reversing removes only rows without data.
"""

from django.db import migrations

COMMUNE = "commune"
VILLAGE = "village"
ESTABLISHMENT = "establishment"

DISAGGREGATIONS = {
    "weapon_kind": (
        "Loại vũ khí, vật liệu nổ, công cụ hỗ trợ, pháo",
        "Kind of weapon, explosive, support tool, firecracker",
        [
            ("sung", "Súng các loại", "Firearms"),
            ("dan", "Đạn", "Ammunition"),
            ("vat_lieu_no", "Vật liệu nổ", "Explosives"),
            ("cong_cu_ho_tro", "Công cụ hỗ trợ", "Support tools"),
            ("phao", "Pháo", "Firecrackers"),
        ],
    ),
    "crime_group": (
        "Nhóm tội phạm",
        "Crime group",
        [
            ("trat_tu_xa_hoi", "Trật tự xã hội", "Social order"),
            ("kinh_te", "Kinh tế, tham nhũng, chức vụ", "Economic and corruption"),
            ("ma_tuy", "Ma túy", "Drugs"),
            ("moi_truong", "Môi trường", "Environment"),
            ("cong_nghe_cao", "Công nghệ cao", "High-tech"),
            ("khac", "Khác", "Other"),
        ],
    ),
}

# code, name, name_en, unit, value_type, aggregation, period_kind, capture kinds, disagg,
# source, provider, description
METRICS = [
    ("outreach_sessions", "Buổi tuyên truyền, vận động", "Outreach sessions", "buổi",
     "integer", "sum", "month", [COMMUNE, VILLAGE, ESTABLISHMENT], None, "form", "", ""),
    ("outreach_participants", "Lượt người dự tuyên truyền", "Outreach participants", "lượt người",
     "integer", "sum", "month", [COMMUNE, VILLAGE, ESTABLISHMENT], None, "form", "", ""),
    ("leaflets", "Tờ rơi, tài liệu phát ra", "Leaflets handed out", "tờ",
     "integer", "sum", "month", [COMMUNE, VILLAGE], None, "form", "", ""),
    ("media_posts", "Tin, bài, phóng sự tuyên truyền", "Media posts", "tin/bài",
     "integer", "sum", "month", [COMMUNE], None, "form", "", ""),
    ("weapons_surrendered", "Vũ khí, vật liệu nổ, công cụ hỗ trợ, pháo vận động giao nộp",
     "Weapons, explosives, support tools and firecrackers surrendered", "hiện vật",
     "integer", "sum", "month", [COMMUNE], "weapon_kind", "form", "",
     "Phân theo loại: súng, đạn, vật liệu nổ, công cụ hỗ trợ, pháo."),
    ("cameras_installed", "Camera an ninh lắp mới", "Security cameras installed", "camera",
     "integer", "sum", "month", [COMMUNE, VILLAGE], None, "form", "", ""),
    ("lit_road_km", "Đường quê được thắp sáng mới", "Rural road newly lit", "km",
     "decimal", "sum", "month", [COMMUNE, VILLAGE], None, "form", "", ""),
    ("light_points", "Điểm chiếu sáng lắp mới", "Light points installed", "điểm",
     "integer", "sum", "month", [COMMUNE, VILLAGE], None, "form", "", ""),
    ("schemes_active", "Mô hình tự quản đang hoạt động", "Self-management schemes active",
     "mô hình", "integer", "last", "month", [COMMUNE], None, "form", "", ""),
    ("villages_pledged", "Khu dân cư ký cam kết, giao ước thi đua",
     "Residential areas that signed the pledge", "khu dân cư",
     "integer", "last", "month", [COMMUNE], None, "form", "", ""),
    ("households_registered", "Hộ gia đình đăng ký \"An toàn về ANTT\"",
     "Households registered for the safety standard", "hộ", "integer", "last", "month",
     [COMMUNE, VILLAGE], None, "form", "",
     "TT 124/2021/TT-BCA: 100% hộ gia đình trong khu dân cư phải đăng ký."),
    ("tips_received", "Tin báo, tố giác tội phạm, phản ánh tiếp nhận", "Tips received", "tin",
     "integer", "sum", "month", [COMMUNE], None, "form", "", ""),
    ("tips_valuable", "Nguồn tin có giá trị", "Valuable tips", "tin",
     "integer", "sum", "month", [COMMUNE], None, "form", "", ""),
    ("crimes", "Vụ phạm tội", "Crimes", "vụ", "integer", "sum", "month", [COMMUNE],
     "crime_group", "form", "", ""),
    ("serious_crimes", "Vụ phạm tội rất nghiêm trọng, đặc biệt nghiêm trọng", "Serious crimes",
     "vụ", "integer", "sum", "month", [COMMUNE], None, "form", "", ""),
    ("drug_users", "Người sử dụng trái phép chất ma túy trong danh sách quản lý",
     "Drug users under management", "người", "integer", "last", "month", [COMMUNE], None,
     "form", "", ""),
    ("traffic_accidents", "Vụ tai nạn giao thông", "Traffic accidents", "vụ",
     "integer", "sum", "month", [COMMUNE], None, "form", "", ""),
    ("fires", "Vụ cháy", "Fires", "vụ", "integer", "sum", "month", [COMMUNE], None,
     "form", "", ""),
    ("eid_activations", "Tài khoản định danh điện tử kích hoạt (Đề án 06)",
     "Electronic ID accounts activated (Scheme 06)", "tài khoản", "integer", "sum", "month",
     [COMMUNE], None, "form", "", ""),
    ("officers", "Cán bộ chiến sĩ Công an xã", "Commune police officers", "người",
     "integer", "last", "month", [COMMUNE], None, "form", "", ""),
    ("population", "Dân số", "Population", "người", "integer", "last", "year",
     [COMMUNE, VILLAGE], None, "form", "", "Dùng để tính tỷ lệ trên 1.000 dân."),
    ("households", "Số hộ gia đình", "Households", "hộ", "integer", "last", "year",
     [COMMUNE, VILLAGE], None, "form", "", ""),
    ("villages", "Số thôn, tổ dân phố", "Villages and residential groups", "thôn/tổ",
     "integer", "last", "month", [COMMUNE], None, "provider", "orgunits.village_count",
     "Tính tự động từ danh mục đơn vị."),
    ("villages_safe", "Khu dân cư đạt tiêu chuẩn \"An toàn về ANTT\"",
     "Residential areas recognised as safe", "khu dân cư", "integer", "last", "movement_year",
     [COMMUNE], None, "form", "", "TT 124/2021/TT-BCA, năm đánh giá 01/11 – 31/10."),
]

MONTHLY_FORM = [
    "outreach_sessions", "outreach_participants", "leaflets", "media_posts",
    "weapons_surrendered", "cameras_installed", "lit_road_km", "light_points",
    "schemes_active", "villages_pledged", "households_registered", "tips_received",
    "tips_valuable", "crimes", "serious_crimes", "drug_users", "traffic_accidents", "fires",
    "eid_activations", "officers",
]

RULES = [
    ("tips_valuable_le_received", "Nguồn tin có giá trị không vượt số tin báo tiếp nhận",
     "tips_valuable", "le", "tips_received"),
    ("serious_le_crimes", "Vụ rất nghiêm trọng, đặc biệt nghiêm trọng không vượt tổng số vụ",
     "serious_crimes", "le", "crimes"),
    ("villages_safe_le_villages", "Khu dân cư đạt chuẩn không vượt số thôn, tổ dân phố",
     "villages_safe", "le", "villages"),
]


def forward(apps, schema_editor):
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    Option = apps.get_model("indicators", "DisaggregationOption")
    Metric = apps.get_model("indicators", "Metric")
    ReportForm = apps.get_model("indicators", "ReportForm")
    ReportFormMetric = apps.get_model("indicators", "ReportFormMetric")
    ValidationRule = apps.get_model("indicators", "ValidationRule")

    disaggs = {}
    for code, (name, name_en, options) in DISAGGREGATIONS.items():
        obj, _ = Disaggregation.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
        disaggs[code] = obj
        for order, (opt, opt_name, opt_en) in enumerate(options):
            Option.objects.get_or_create(
                disaggregation=obj,
                code=opt,
                defaults={"name": opt_name, "name_en": opt_en, "sort_order": order},
            )
    metrics = {}
    for order, row in enumerate(METRICS):
        (code, name, name_en, uom, vtype, agg, pkind, kinds, disagg, source, provider, desc) = row
        obj, _ = Metric.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit_of_measure": uom,
                "value_type": vtype,
                "aggregation": agg,
                "period_kind": pkind,
                "capture_kinds": kinds,
                "disaggregation": disaggs.get(disagg) if disagg else None,
                "source": source,
                "provider_key": provider,
                "description": desc,
                "sort_order": (order + 1) * 10,
            },
        )
        metrics[code] = obj
    forms = [
        ("bao_cao_thang", "Báo cáo tháng phong trào toàn dân bảo vệ ANTQ", "month", [COMMUNE],
         1, 16, MONTHLY_FORM),
        ("bao_cao_dan_so", "Báo cáo dân số, hộ gia đình hằng năm", "year", [COMMUNE],
         1, 15, ["population", "households"]),
    ]
    for code, name, pkind, kinds, offset, day, codes in forms:
        form, created = ReportForm.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "period_kind": pkind,
                "submitting_kinds": kinds,
                "deadline_month_offset": offset,
                "deadline_day": day,
            },
        )
        if created:
            ReportFormMetric.objects.bulk_create(
                [ReportFormMetric(form=form, metric=metrics[c], sort_order=i) for i, c in enumerate(codes)]
            )
    for code, name, left, op, right in RULES:
        ValidationRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "left_metric": metrics[left],
                "operator": op,
                "right_metric": metrics[right],
            },
        )


def backward(apps, schema_editor):
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    ReportForm = apps.get_model("indicators", "ReportForm")
    Submission = apps.get_model("indicators", "Submission")
    ValidationRule = apps.get_model("indicators", "ValidationRule")
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    ValidationRule.objects.filter(code__in=[r[0] for r in RULES]).delete()
    for form in ReportForm.objects.filter(code__in=["bao_cao_thang", "bao_cao_dan_so"]):
        if not Submission.objects.filter(form=form).exists():
            form.delete()
    used = set(DataValue.objects.values_list("metric_id", flat=True).distinct())
    Metric.objects.filter(code__in=[m[0] for m in METRICS], forms__isnull=True).exclude(
        pk__in=used
    ).delete()
    Disaggregation.objects.filter(code__in=list(DISAGGREGATIONS), metrics__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
