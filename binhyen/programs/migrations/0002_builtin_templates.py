"""Built-in programmes and the metrics they publish; every text stays editable.

- "An toàn về ANTT" for residential areas and for communes: the criteria of Thông tư
  124/2021/TT-BCA as far as they are known (Điều 4, Điều 5). What could not be read stays an
  evidence criterion marked ``needs_completion``: the province enters the official wording.
- "Xã điển hình" and "Công an phường điển hình, kiểu mẫu": group skeletons (draft sets with
  no criteria) ready for the official list to be imported; no criterion text is invented.
- Movement classification (QĐ 510/QĐ-BCA-V05): a points score sheet whose level thresholds
  are left empty (the official bands are not known) and must be set before use.

Idempotent: rows are matched on their code and created only when missing, so programmes
edited by administrators are never overwritten. Reversing removes only unused programmes.
"""

from django.db import migrations

PROVIDER = "programs.results"

# code, name, name_en, unit, period kind, description
METRICS = [
    ("villages_enrolled_safe", "Khu dân cư đăng ký xây dựng đạt chuẩn “An toàn về ANTT”",
     "Residential areas enrolled for the security-and-order safety standard", "khu dân cư",
     "movement_year", "Tính từ hồ sơ đăng ký của chương trình (TT 124/2021/TT-BCA)."),
    ("villages_recognised_safe", "Khu dân cư được công nhận đạt chuẩn “An toàn về ANTT”",
     "Residential areas recognised as meeting the safety standard", "khu dân cư",
     "movement_year", "Tính từ quyết định công nhận của chương trình (TT 124/2021/TT-BCA)."),
    ("communes_recognised_safe", "Xã, phường, đặc khu được công nhận đạt chuẩn “An toàn về ANTT”",
     "Communes recognised as meeting the safety standard", "xã", "year",
     "Tính từ quyết định công nhận của chương trình (TT 124/2021/TT-BCA)."),
    ("communes_model_recognised", "Xã được công nhận điển hình về phong trào toàn dân BVANTQ",
     "Communes recognised as model communes of the movement", "xã", "year",
     "Tính từ quyết định công nhận của chương trình."),
    ("wards_model_recognised", "Công an phường được công nhận điển hình, kiểu mẫu",
     "Ward police recognised as model ward police", "phường", "year",
     "Tính từ quyết định công nhận của chương trình."),
]

COMPLETE = (
    "Nội dung chính thức chưa có trong hệ thống. Tỉnh nhập nguyên văn theo văn bản "
    "(Thông tư 124/2021/TT-BCA, đã sửa đổi bởi Thông tư 48/2025/TT-BCA) rồi bỏ đánh dấu "
    "“cần hoàn thiện”."
)
SUMMARY = "Nội dung tóm tắt theo {ref}; đối chiếu nguyên văn trong Thông tư trước khi áp dụng."

# code, group, title, guidance, mandatory, kind, expression, needs completion
VILLAGE_CRITERIA = [
    ("1a", "", "Chi bộ có nghị quyết, khu dân cư có sổ sách theo dõi về xây dựng phong trào, "
     "bảo đảm an ninh, trật tự", SUMMARY.format(ref="Điều 4 khoản 1"), True, "evidence", "", False),
    ("1b", "", "100% hộ gia đình trong khu dân cư đăng ký thực hiện",
     SUMMARY.format(ref="Điều 4 khoản 1") + " Quy tắc: số hộ đăng ký (chỉ tiêu "
     "households_registered) không ít hơn số hộ gia đình (households).", True, "rule",
     "m.households > 0.0 && m.households_registered >= m.households", False),
    ("2", "", "Thực hiện đầy đủ chủ trương, chính sách của Đảng, pháp luật của Nhà nước về bảo "
     "đảm an ninh, trật tự", SUMMARY.format(ref="Điều 4 khoản 2"), True, "evidence", "", False),
    ("3", "", "Không xảy ra các hoạt động, vụ việc về an ninh nêu tại Điều 4 khoản 3",
     SUMMARY.format(ref="Điều 4 khoản 3") + " Gồm: hoạt động chống Đảng, chính quyền; phá hoại; "
     "hoạt động tôn giáo trái pháp luật; lợi dụng tôn giáo, dân tộc, khiếu nại; ly khai; tranh "
     "chấp kéo dài; kích động…", True, "evidence", "", False),
    ("4", "", "Tiêu chí 4 (Điều 4 khoản 4) về tội phạm, tệ nạn xã hội — cần tỉnh hoàn thiện nội "
     "dung", COMPLETE, True, "evidence", "", True),
    ("5", "", "Tiêu chí 5 (Điều 4 khoản 5) về tội phạm, tệ nạn xã hội — cần tỉnh hoàn thiện nội "
     "dung", COMPLETE, True, "evidence", "", True),
]

COMMUNE_CRITERIA = [
    ("1a", "", "Đảng ủy có nghị quyết, Ủy ban nhân dân có kế hoạch và đăng ký xây dựng xã, "
     "phường, đặc khu đạt tiêu chuẩn", SUMMARY.format(ref="Điều 5 khoản 1"), True, "evidence",
     "", False),
    ("1b", "", "Có ít nhất 01 mô hình phong trào toàn dân bảo vệ an ninh Tổ quốc hoạt động hiệu "
     "quả", SUMMARY.format(ref="Điều 5 khoản 1"), True, "rule", "m.schemes_active >= 1.0", False),
    ("2", "", "Đáp ứng các tiêu chí tại khoản 2, 3, 4 Điều 4",
     SUMMARY.format(ref="Điều 5 khoản 2"), True, "evidence", "", False),
    ("3", "", "Công an xã hoạt động hiệu quả, không có cán bộ chiến sĩ bị kỷ luật",
     SUMMARY.format(ref="Điều 5 khoản 3"), True, "evidence", "", False),
    ("4a", "", "100% khu dân cư đăng ký xây dựng đạt tiêu chuẩn “An toàn về ANTT”",
     SUMMARY.format(ref="Điều 5 khoản 4") + " Số khu dân cư đăng ký lấy từ chương trình khu "
     "dân cư.", True, "rule", "m.villages > 0.0 && m.villages_enrolled_safe >= m.villages",
     False),
    ("4b", "", "Ít nhất 70% khu dân cư được công nhận đạt tiêu chuẩn “An toàn về ANTT”",
     SUMMARY.format(ref="Điều 5 khoản 4"), True, "rule",
     "m.villages > 0.0 && m.villages_recognised_safe / m.villages >= 0.7", False),
    ("4c", "", "100% cơ quan, doanh nghiệp, cơ sở giáo dục đăng ký và ít nhất 70% được công "
     "nhận đạt tiêu chuẩn", SUMMARY.format(ref="Điều 5 khoản 4") + " Tiêu chí riêng của cơ "
     "quan, doanh nghiệp, cơ sở giáo dục chưa có trong hệ thống: đơn vị nộp minh chứng.", True,
     "evidence", "", False),
]

MODEL_GROUPS = ["I. Xây dựng lực lượng", "II. An ninh, trật tự", "III. Văn minh đô thị"]
LEVELS = [
    {"level": "excellent", "min_points": None},
    {"level": "good", "min_points": None},
    {"level": "average", "min_points": None},
    {"level": "weak", "min_points": None},
]

PROGRAMS = [
    {
        "code": "an-toan-antt-khu-dan-cu",
        "name": "Khu dân cư đạt tiêu chuẩn “An toàn về an ninh, trật tự”",
        "name_en": "Residential areas meeting the “safe for security and order” standard",
        "description": (
            "Thông tư 124/2021/TT-BCA (hiệu lực 10/02/2022), Điều 4; sửa đổi bởi Thông tư "
            "48/2025/TT-BCA. Xét công nhận mỗi năm một lần; kỳ đánh giá 01/11 năm trước – 31/10 "
            "(Điều 8 khoản 2). Thẩm định và quyết định ở cấp xã."
        ),
        "kind": "recognition",
        "unit_kinds": ["village"],
        "period_kind": "movement_year",
        "verifier_level": "commune",
        "decider_level": "commune",
        "deadlines": (20, 11, 30, 11),
        "enrolled_metric": "villages_enrolled_safe",
        "recognised_metric": "villages_recognised_safe",
        "groups": [],
        "criteria": VILLAGE_CRITERIA,
        "publish": True,
        "note": "Tiêu chí theo Thông tư 124/2021/TT-BCA, Điều 4 (5 tiêu chí, đều bắt buộc).",
    },
    {
        "code": "an-toan-antt-xa",
        "name": "Xã, phường, đặc khu đạt tiêu chuẩn “An toàn về an ninh, trật tự”",
        "name_en": "Communes meeting the “safe for security and order” standard",
        "description": (
            "Thông tư 124/2021/TT-BCA, Điều 5; sửa đổi bởi Thông tư 48/2025/TT-BCA. Kỳ đánh giá "
            "mặc định là năm dương lịch (tỉnh điều chỉnh theo văn bản). Thẩm định và quyết định "
            "ở cấp tỉnh."
        ),
        "kind": "recognition",
        "unit_kinds": ["commune"],
        "period_kind": "year",
        "verifier_level": "province",
        "decider_level": "province",
        "deadlines": (30, 11, 31, 12),
        "enrolled_metric": "",
        "recognised_metric": "communes_recognised_safe",
        "groups": [],
        "criteria": COMMUNE_CRITERIA,
        "publish": True,
        "note": "Tiêu chí theo Thông tư 124/2021/TT-BCA, Điều 5 (đều bắt buộc).",
    },
    {
        "code": "xa-dien-hinh",
        "name": "Xã điển hình về phong trào toàn dân bảo vệ an ninh Tổ quốc",
        "name_en": "Model commune of the All-People National Security Protection movement",
        "description": (
            "Bộ tiêu chí tạm thời kèm theo Quyết định 9745/QĐ-BCA-V05 (28/12/2022), 34 tiêu chí. "
            "Nội dung tiêu chí chưa có trong hệ thống: nhập danh sách chính thức (Excel hoặc "
            "JSON) vào phiên bản nháp, kiểm tra rồi ban hành."
        ),
        "kind": "recognition",
        "unit_kinds": ["commune"],
        "period_kind": "year",
        "verifier_level": "province",
        "decider_level": "province",
        "deadlines": (30, 11, 31, 12),
        "enrolled_metric": "",
        "recognised_metric": "communes_model_recognised",
        "groups": MODEL_GROUPS,
        "criteria": [],
        "publish": False,
        "note": "Khung nhóm tiêu chí; nhập 34 tiêu chí theo Quyết định 9745/QĐ-BCA-V05.",
    },
    {
        "code": "cong-an-phuong-kieu-mau",
        "name": "Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị",
        "name_en": "Model ward police for security, order and urban civilisation",
        "description": (
            "Theo bộ tiêu chí tạm thời của Bộ Công an (Cục V05) gồm các nhóm xây dựng lực lượng, "
            "an ninh, trật tự và văn minh đô thị; công nhận bằng quyết định của Bộ trưởng, hằng "
            "năm. Nhập danh sách tiêu chí chính thức rồi ban hành."
        ),
        "kind": "recognition",
        "unit_kinds": ["commune"],
        "unit_subkinds": ["phuong"],
        "period_kind": "year",
        "verifier_level": "province",
        "decider_level": "country",
        "deadlines": (30, 11, 31, 12),
        "enrolled_metric": "",
        "recognised_metric": "wards_model_recognised",
        "groups": MODEL_GROUPS,
        "criteria": [],
        "publish": False,
        "note": "Khung nhóm tiêu chí; nhập tiêu chí theo văn bản chính thức.",
    },
    {
        "code": "xep-loai-phong-trao-xa",
        "name": "Xếp loại phong trào toàn dân bảo vệ an ninh Tổ quốc — xã, phường, đặc khu",
        "name_en": "Movement classification — communes",
        "description": (
            "Quyết định 510/QĐ-BCA-V05 (20/01/2022): chấm điểm, xếp loại hằng năm (xuất sắc, "
            "khá, trung bình, yếu); hồ sơ gồm tờ trình và danh sách chấm điểm, gửi trước 30/11. "
            "Ngưỡng điểm từng mức chưa có trong hệ thống: tỉnh nhập theo quyết định của tỉnh."
        ),
        "kind": "classification",
        "unit_kinds": ["commune"],
        "period_kind": "year",
        "verifier_level": "province",
        "decider_level": "province",
        "deadlines": (30, 11, 31, 12),
        "enrolled_metric": "",
        "recognised_metric": "",
        "groups": [],
        "criteria": [],
        "publish": False,
        "levels": LEVELS,
        "note": "Phiếu chấm điểm: nhập các mục chấm điểm và ngưỡng điểm của tỉnh.",
    },
]


def forward(apps, schema_editor):
    Metric = apps.get_model("indicators", "Metric")
    Program = apps.get_model("programs", "Program")
    CriteriaSet = apps.get_model("programs", "CriteriaSet")
    Criterion = apps.get_model("programs", "Criterion")
    from django.utils import timezone

    for order, (code, name, name_en, uom, pkind, desc) in enumerate(METRICS):
        Metric.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit_of_measure": uom,
                "value_type": "integer",
                "aggregation": "sum",
                "period_kind": pkind,
                "capture_kinds": ["commune"],
                "source": "provider",
                "provider_key": PROVIDER,
                "description": desc,
                "sort_order": 2000 + order * 10,
            },
        )
    for order, spec in enumerate(PROGRAMS):
        if Program.objects.filter(code=spec["code"]).exists():
            continue
        submit_day, submit_month, decide_day, decide_month = spec["deadlines"]
        program = Program.objects.create(
            code=spec["code"],
            name=spec["name"],
            name_en=spec["name_en"],
            description=spec["description"],
            kind=spec["kind"],
            unit_kinds=spec["unit_kinds"],
            unit_subkinds=spec.get("unit_subkinds", []),
            period_kind=spec["period_kind"],
            verifier_level=spec["verifier_level"],
            decider_level=spec["decider_level"],
            submit_deadline_day=submit_day,
            submit_deadline_month=submit_month,
            decide_deadline_day=decide_day,
            decide_deadline_month=decide_month,
            enrolled_metric=spec["enrolled_metric"],
            recognised_metric=spec["recognised_metric"],
            sort_order=(order + 1) * 10,
        )
        criteria_set = CriteriaSet.objects.create(
            program=program,
            version=1,
            note=spec["note"],
            groups=spec["groups"],
            levels=spec.get("levels", []),
            published_at=timezone.now() if spec["publish"] else None,
        )
        for position, row in enumerate(spec["criteria"]):
            code, group, title, guidance, mandatory, kind, expression, completion = row
            codes = []
            if expression:
                for token in expression.replace("(", " ").replace(")", " ").split():
                    if token.startswith(("m.", "prev.")):
                        codes.append(token.split(".", 1)[1])
            Criterion.objects.create(
                criteria_set=criteria_set,
                code=code,
                group=group,
                order=(position + 1) * 10,
                title=title,
                guidance=guidance,
                mandatory=mandatory,
                kind=kind,
                expression=expression,
                metric_codes=list(dict.fromkeys(codes)),
                needs_completion=completion,
            )
        if spec["publish"]:
            program.current_set = criteria_set
            program.save(update_fields=["current_set"])


def backward(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    for program in Program.objects.filter(code__in=[p["code"] for p in PROGRAMS]):
        if not program.enrollments.exists():
            program.current_set = None
            program.save(update_fields=["current_set"])
            program.delete()
    used = set(DataValue.objects.values_list("metric_id", flat=True).distinct())
    Metric.objects.filter(code__in=[m[0] for m in METRICS]).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0001_initial"),
        ("indicators", "0002_starter_catalogue"),
    ]
    operations = [migrations.RunPython(forward, backward)]
