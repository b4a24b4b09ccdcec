"""Activity metrics: the starter catalogue's activity metrics become computed from the log,
and the metrics and breakdowns the starter catalogue lacks are added.

- Starter metrics (outreach_sessions, outreach_participants, leaflets, media_posts,
  weapons_surrendered, cameras_installed, light_points, lit_road_km) switch to
  ``source="provider"`` with the ``activities.log`` provider and may be captured on
  villages too. A metric that already holds stored values is left as it is, so no value
  entered by hand is ever replaced.
- media_posts gets the ``media_channel`` breakdown and cameras_installed the
  ``camera_ownership`` breakdown, under the same condition.
- The switched metrics leave the hand-typed monthly report (``bao_cao_thang``) while it has
  no submissions: a number has one source, and a typed value would be replaced by the next
  sync of the log anyway. Dashboards and rules read them from the engine as before.
- New provider metrics: activities by kind, posters, bulletin boards, villages reached by
  outreach, villages lit, mediation, patrols, training and volunteer work.

Idempotent: rows are matched on their code. Reversing gives the starter metrics back their
form source and removes the new rows that hold no data.
"""

from django.db import migrations

PROVIDER = "activities.log"
COMMUNE = "commune"
VILLAGE = "village"

DISAGGREGATIONS = {
    "activity_kind": (
        "Loại hoạt động phong trào",
        "Kind of movement activity",
        [
            ("outreach", "Tuyên truyền, vận động", "Outreach"),
            ("media_post", "Tin, bài trên mạng xã hội, loa truyền thanh", "Media posts"),
            ("weapons_surrender", "Vận động giao nộp vũ khí, vật liệu nổ, pháo", "Weapons surrender"),
            ("camera", "Lắp đặt camera an ninh", "Security cameras"),
            ("lighting", "Thắp sáng đường quê", "Road lighting"),
            ("mediation", "Hòa giải ở cơ sở", "Mediation"),
            ("patrol", "Tuần tra", "Patrols"),
            ("training", "Tập huấn, huấn luyện", "Training"),
            ("volunteer", "Lao động tình nguyện, công tác cộng đồng", "Volunteer work"),
        ],
    ),
    "media_channel": (
        "Kênh đăng tin",
        "Media channel",
        [
            ("facebook_page", "Trang Facebook", "Facebook page"),
            ("zalo_group", "Nhóm Zalo", "Zalo group"),
            ("zalo_oa", "Zalo OA", "Zalo Official Account"),
            ("loudspeaker", "Hệ thống loa truyền thanh", "Loudspeaker system"),
        ],
    ),
    "camera_ownership": (
        "Camera công cộng / của hộ gia đình",
        "Public or household camera",
        [
            ("public", "Camera công cộng", "Public camera"),
            ("household", "Camera của hộ gia đình", "Household camera"),
        ],
    ),
}

MONTHLY_FORM = "bao_cao_thang"
STARTER = {
    "outreach_sessions": None,
    "outreach_participants": None,
    "leaflets": None,
    "media_posts": "media_channel",
    "weapons_surrendered": "weapon_kind",
    "cameras_installed": "camera_ownership",
    "light_points": None,
    "lit_road_km": None,
}
# Positions of the starter metrics in the monthly report (restored when reversing).
STARTER_ORDER = {
    "outreach_sessions": 0,
    "outreach_participants": 1,
    "leaflets": 2,
    "media_posts": 3,
    "weapons_surrendered": 4,
    "cameras_installed": 5,
    "lit_road_km": 6,
    "light_points": 7,
}

# code, name, name_en, unit, value_type, period_kind, capture kinds, breakdown, description
NEW_METRICS = [
    ("activities_recorded", "Hoạt động phong trào được ghi nhận", "Movement activities recorded",
     "hoạt động", "integer", "month", [COMMUNE, VILLAGE], "activity_kind",
     "Số hoạt động ghi trong sổ hoạt động, theo loại."),
    ("outreach_posters", "Pa nô, áp phích tuyên truyền", "Outreach posters", "cái",
     "integer", "month", [COMMUNE, VILLAGE], None, ""),
    ("outreach_bulletin_boards", "Bảng tin ANTT", "Security bulletin boards", "bảng",
     "integer", "month", [COMMUNE, VILLAGE], None, ""),
    ("outreach_villages", "Thôn, tổ dân phố được tuyên truyền", "Villages reached by outreach",
     "thôn/tổ", "integer", "year", [COMMUNE], None,
     "Số thôn khác nhau được tuyên truyền trong năm (mỗi thôn tính một lần)."),
    ("lit_villages", "Thôn, tổ dân phố được đầu tư điện thắp sáng", "Villages with new road lighting",
     "thôn/tổ", "integer", "year", [COMMUNE], None,
     "Số thôn khác nhau được lắp điện thắp sáng trong năm (mỗi thôn tính một lần)."),
    ("mediation_cases_resolved", "Vụ việc hòa giải thành", "Mediation cases resolved", "vụ",
     "integer", "month", [COMMUNE, VILLAGE], None, ""),
    ("patrols", "Lượt tuần tra", "Patrols", "lượt", "integer", "month", [COMMUNE, VILLAGE], None, ""),
    ("patrol_participants", "Lượt người tham gia tuần tra", "Patrol participants", "lượt người",
     "integer", "month", [COMMUNE, VILLAGE], None, ""),
    ("training_sessions", "Buổi tập huấn, huấn luyện", "Training sessions", "buổi",
     "integer", "month", [COMMUNE, VILLAGE], None, ""),
    ("training_participants", "Lượt người được tập huấn", "Training participants", "lượt người",
     "integer", "month", [COMMUNE, VILLAGE], None, ""),
    ("volunteer_works", "Hoạt động tình nguyện, công tác cộng đồng", "Volunteer and community work",
     "hoạt động", "integer", "month", [COMMUNE, VILLAGE], None, ""),
    ("volunteer_participants", "Lượt người tham gia tình nguyện", "Volunteer participants",
     "lượt người", "integer", "month", [COMMUNE, VILLAGE], None, ""),
]


def forward(apps, schema_editor):
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    Option = apps.get_model("indicators", "DisaggregationOption")
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    ReportForm = apps.get_model("indicators", "ReportForm")
    ReportFormMetric = apps.get_model("indicators", "ReportFormMetric")
    Submission = apps.get_model("indicators", "Submission")

    disaggs = {d.code: d for d in Disaggregation.objects.all()}
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
    for code, breakdown in STARTER.items():
        metric = Metric.objects.filter(code=code).first()
        if metric is None or DataValue.objects.filter(metric=metric).exists():
            continue
        metric.source = "provider"
        metric.provider_key = PROVIDER
        metric.capture_kinds = [COMMUNE, VILLAGE]
        if breakdown and metric.disaggregation_id is None:
            metric.disaggregation = disaggs.get(breakdown)
        metric.save()
        if form_open:
            ReportFormMetric.objects.filter(form=monthly, metric=metric).delete()
    top = Metric.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
    for order, row in enumerate(NEW_METRICS, start=1):
        code, name, name_en, uom, vtype, pkind, kinds, breakdown, desc = row
        Metric.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit_of_measure": uom,
                "value_type": vtype,
                "aggregation": "sum",
                "period_kind": pkind,
                "capture_kinds": kinds,
                "disaggregation": disaggs.get(breakdown) if breakdown else None,
                "source": "provider",
                "provider_key": PROVIDER,
                "description": desc,
                "sort_order": top + order * 10,
            },
        )


def backward(apps, schema_editor):
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    Disaggregation = apps.get_model("indicators", "Disaggregation")
    ReportForm = apps.get_model("indicators", "ReportForm")
    ReportFormMetric = apps.get_model("indicators", "ReportFormMetric")
    monthly = ReportForm.objects.filter(code=MONTHLY_FORM).first()
    for code in STARTER:
        metric = Metric.objects.filter(code=code, provider_key=PROVIDER).first()
        if metric is None:
            continue
        if monthly is not None:
            ReportFormMetric.objects.get_or_create(
                form=monthly, metric=metric, defaults={"sort_order": STARTER_ORDER[code]}
            )
        DataValue.objects.filter(metric=metric, source="provider").delete()
        metric.source = "form"
        metric.provider_key = ""
        if code in ("media_posts", "cameras_installed"):
            metric.disaggregation = None
        metric.save()
    used = set(DataValue.objects.values_list("metric_id", flat=True).distinct())
    Metric.objects.filter(code__in=[m[0] for m in NEW_METRICS], forms__isnull=True).exclude(
        pk__in=used
    ).delete()
    Disaggregation.objects.filter(code__in=list(DISAGGREGATIONS), metrics__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_initial"),
        ("indicators", "0002_starter_catalogue"),
    ]
    operations = [migrations.RunPython(forward, backward)]
