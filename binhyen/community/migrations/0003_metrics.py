"""Metrics the community app publishes through its providers (``binhyen.community.providers``).

Uses the starter catalogue's codes where they match (``schemes_active``, ``villages_pledged``,
``households_registered``: switched from form entry to computed, unless values were already
typed in for them) and adds the missing ones, with three breakdowns. The switched metrics
leave the hand-typed monthly report (``bao_cao_thang``) while it has no submissions: a
number has one source. Idempotent: rows are matched on their code. Reversing gives the
starter metrics back their form source and removes the new rows that hold no data.
"""

from django.db import migrations

COMMUNE = "commune"
VILLAGE = "village"

DISAGGREGATIONS = {
    "scheme_kind": (
        "Nhóm mô hình tự quản",
        "Kind of self-management scheme",
        [
            ("to_tu_quan", "Tổ tự quản về ANTT", "Self-managing group"),
            ("to_hoa_giai", "Tổ hòa giải", "Mediation group"),
            ("an_ninh_mang_non", "Đội An ninh măng non", "Children's safety team"),
            ("ho_an_toan", "Hộ an toàn – tổ dân phố bình yên", "Safe household"),
            ("khu_dan_cu_an_toan", "Tổ dân phố, thôn, xóm an toàn", "Safe residential area"),
            ("dong_ho_tu_quan", "Dòng họ tự quản về ANTT", "Self-managing clan"),
            ("cum_giap_ranh", "Cụm giáp ranh về ANTT", "Border cluster"),
            ("dan_van_kheo", "Dân vận khéo – cảm hóa người lầm lỗi", "Mentoring"),
            ("chi_hoi_nong_dan", "Chi hội nông dân đảm bảo ANTT, ATGT", "Farmers' branch"),
            ("ton_giao_binh_yen", "Xứ, họ đạo bình yên; chùa tinh tiến", "Religious community"),
            ("khac", "Mô hình khác", "Other"),
        ],
    ),
    "team_role": (
        "Chức danh trong Tổ bảo vệ ANTT",
        "Role in the security team",
        [
            ("leader", "Tổ trưởng", "Leader"),
            ("deputy", "Tổ phó", "Deputy"),
            ("member", "Tổ viên", "Member"),
        ],
    ),
    "team_grade": (
        "Mức xếp loại Tổ bảo vệ ANTT",
        "Security team grade",
        [
            ("excellent", "Hoàn thành xuất sắc nhiệm vụ", "Excellent"),
            ("good", "Hoàn thành tốt nhiệm vụ", "Good"),
            ("done", "Hoàn thành nhiệm vụ", "Done"),
            ("not_done", "Không hoàn thành nhiệm vụ", "Not done"),
        ],
    ),
}

MONTHLY_FORM = "bao_cao_thang"
# Existing starter metrics to compute: code → (provider key, breakdown, order in the form)
SWITCH = {
    "schemes_active": ("community.schemes", "scheme_kind", 8),
    "villages_pledged": ("community.pledges", None, 9),
    "households_registered": ("community.pledges", None, 10),
}

# code, name, name_en, unit, aggregation, period_kind, capture kinds, breakdown, provider, description
NEW = [
    ("scheme_sites", "Điểm mô hình tự quản đang hoạt động", "Scheme sites running", "điểm",
     "last", "month", [COMMUNE], None, "community.schemes",
     "Số điểm mô hình (nơi mô hình được nhân rộng) của các mô hình đang hoạt động."),
    ("security_teams", "Tổ bảo vệ ANTT đang hoạt động", "Security teams active", "tổ",
     "last", "month", [COMMUNE], None, "community.teams",
     "Luật 30/2023/QH15: mỗi thôn, tổ dân phố một tổ."),
    ("team_members", "Thành viên Tổ bảo vệ ANTT", "Security team members", "người",
     "last", "month", [COMMUNE], "team_role", "community.teams", "Phân theo chức danh."),
    ("security_team_grades", "Tổ bảo vệ ANTT theo mức xếp loại", "Security teams by grade", "tổ",
     "sum", "team_year", [COMMUNE], "team_grade", "community.teams",
     "Năm đánh giá 15/11 – 14/11 (Hướng dẫn 01/HD-BCA-V05)."),
    ("establishments_pledged", "Cơ quan, doanh nghiệp, nhà trường ký giao ước thi đua",
     "Agencies, enterprises and schools that signed the pledge", "đơn vị",
     "last", "month", [COMMUNE], None, "community.pledges", ""),
]

RULES = [
    ("villages_pledged_le_villages", "Khu dân cư ký giao ước không vượt số thôn, tổ dân phố",
     "villages_pledged", "le", "villages"),
    ("security_teams_le_villages", "Tổ bảo vệ ANTT không vượt số thôn, tổ dân phố",
     "security_teams", "le", "villages"),
]


def forward(apps, schema_editor):
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    Option = apps.get_model("indicators", "DisaggregationOption")
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    ValidationRule = apps.get_model("indicators", "ValidationRule")
    ReportForm = apps.get_model("indicators", "ReportForm")
    ReportFormMetric = apps.get_model("indicators", "ReportFormMetric")
    Submission = apps.get_model("indicators", "Submission")

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
    monthly = ReportForm.objects.filter(code=MONTHLY_FORM).first()
    form_open = monthly is not None and not Submission.objects.filter(form=monthly).exists()
    for code, (provider, disagg, _order) in SWITCH.items():
        metric = Metric.objects.filter(code=code).first()
        if metric is None or metric.source == "provider":
            continue
        if DataValue.objects.filter(metric=metric).exists():
            # Values were typed in already: keep them, and keep the metric as it is.
            continue
        metric.source = "provider"
        metric.provider_key = provider
        if disagg:
            metric.disaggregation = disaggs[disagg]
        metric.description = (
            metric.description + " " if metric.description else ""
        ) + "Tính tự động từ sổ mô hình, tổ bảo vệ và giao ước."
        metric.save()
        if form_open:
            ReportFormMetric.objects.filter(form=monthly, metric=metric).delete()
    last = Metric.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
    for order, row in enumerate(NEW):
        code, name, name_en, uom, agg, pkind, kinds, disagg, provider, desc = row
        Metric.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit_of_measure": uom,
                "value_type": "integer",
                "aggregation": agg,
                "period_kind": pkind,
                "capture_kinds": kinds,
                "disaggregation": disaggs.get(disagg) if disagg else None,
                "source": "provider",
                "provider_key": provider,
                "description": desc,
                "sort_order": last + (order + 1) * 10,
            },
        )
    for code, name, left, op, right in RULES:
        left_metric = Metric.objects.filter(code=left).first()
        right_metric = Metric.objects.filter(code=right).first()
        if left_metric is None or right_metric is None:
            continue
        ValidationRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "left_metric": left_metric,
                "operator": op,
                "right_metric": right_metric,
            },
        )


def backward(apps, schema_editor):
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    ValidationRule = apps.get_model("indicators", "ValidationRule")
    ReportForm = apps.get_model("indicators", "ReportForm")
    ReportFormMetric = apps.get_model("indicators", "ReportFormMetric")
    ValidationRule.objects.filter(code__in=[r[0] for r in RULES]).delete()
    monthly = ReportForm.objects.filter(code=MONTHLY_FORM).first()
    # Computed values can always be computed again: they never keep a metric alive.
    DataValue.objects.filter(
        metric__code__in=[m[0] for m in NEW] + list(SWITCH), source="provider"
    ).delete()
    used = set(DataValue.objects.values_list("metric_id", flat=True).distinct())
    Metric.objects.filter(code__in=[m[0] for m in NEW], forms__isnull=True).exclude(
        pk__in=used
    ).delete()
    for code, (provider, _disagg, order) in SWITCH.items():
        metric = Metric.objects.filter(code=code, provider_key=provider).first()
        if metric is None:
            continue
        DataValue.objects.filter(metric=metric, source="provider").delete()
        metric.source = "form"
        metric.provider_key = ""
        metric.disaggregation = None
        metric.save()
        if monthly is not None:
            ReportFormMetric.objects.get_or_create(
                form=monthly, metric=metric, defaults={"sort_order": order}
            )
    Disaggregation.objects.filter(code__in=list(DISAGGREGATIONS), metrics__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_national_scheme_types"),
        ("indicators", "0002_starter_catalogue"),
    ]
    operations = [migrations.RunPython(forward, backward)]
