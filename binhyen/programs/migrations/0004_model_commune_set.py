"""Ship a usable criteria set for "Xã điển hình" and the official wording of TT 124 Điều 4.

- "Xã điển hình về phong trào toàn dân bảo vệ an ninh Tổ quốc": the draft skeleton of 0002
  becomes version 1 with 34 criteria in four groups, published, so that communes can enrol.
  The set is the *provisional* one of Quyết định 9745/QĐ-BCA-V05 (28/12/2022). Only the
  first group and its criteria 1–2 could be read in a public summary; every other criterion
  is composed from the official texts it cites (TT 124, QĐ 510, Luật 30/2023...), marked
  "tạm thời" and ``needs_completion`` so the province replaces it with the official wording.
  Criteria that the metric catalogue can decide are CEL rules; the rest are evidence.
- "An toàn về ANTT" for residential areas: criteria 1a, 1b and 2 take the official wording
  of Thông tư 124/2021/TT-BCA Điều 4 khoản 1–2.

Idempotent and respectful of edits: a set is filled only while it is still exactly what
0002 shipped (a draft without criteria, never published, nobody enrolled); a criterion is
reworded only while its text is still 0002's and nobody enrolled on its set. Reversing
restores 0002's state under the same conditions and otherwise leaves the data alone.
"""

from django.db import migrations

MODEL_CODE = "xa-dien-hinh"
SKELETON_GROUPS = ["I. Xây dựng lực lượng", "II. An ninh, trật tự", "III. Văn minh đô thị"]
SKELETON_NOTE = "Khung nhóm tiêu chí; nhập 34 tiêu chí theo Quyết định 9745/QĐ-BCA-V05."
SKELETON_DESCRIPTION = (
    "Bộ tiêu chí tạm thời kèm theo Quyết định 9745/QĐ-BCA-V05 (28/12/2022), 34 tiêu chí. "
    "Nội dung tiêu chí chưa có trong hệ thống: nhập danh sách chính thức (Excel hoặc "
    "JSON) vào phiên bản nháp, kiểm tra rồi ban hành."
)
MODEL_DESCRIPTION = (
    "Bộ tiêu chí tạm thời xây dựng xã, phường, thị trấn điển hình về phong trào toàn dân bảo "
    "vệ an ninh Tổ quốc, kèm theo Quyết định 9745/QĐ-BCA-V05 (28/12/2022), 34 tiêu chí. "
    "Phiên bản 1 là bản tạm thời: nhóm I và tiêu chí 1–2 theo bản tóm tắt công khai của Quyết "
    "định; các tiêu chí còn lại soạn theo các văn bản được dẫn ở từng tiêu chí, đánh dấu "
    "“cần tỉnh hoàn thiện”. Tỉnh đối chiếu nguyên văn, tạo phiên bản mới hoặc nhập bộ tiêu "
    "chí chính thức (Excel/JSON) rồi ban hành."
)
MODEL_NOTE = (
    "Tạm thời. Căn cứ: Quyết định 9745/QĐ-BCA-V05 ngày 28/12/2022 của Bộ Công an (Bộ tiêu chí "
    "tạm thời, 34 tiêu chí). Nguồn đọc được: bản tóm tắt công khai (lawnet.vn) — tên nhóm I, "
    "tiêu chí 1 và 2. Tên các nhóm II–IV và nội dung tiêu chí 3–34 do hệ thống soạn tạm theo "
    "văn bản dẫn ở từng tiêu chí, không phải nguyên văn: cần tỉnh hoàn thiện."
)
MODEL_GROUPS = [
    "I. Lãnh đạo của cấp ủy Đảng, chính quyền xã",
    "II. Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc",
    "III. Kết quả bảo đảm an ninh, trật tự",
    "IV. Xây dựng lực lượng Công an xã và lực lượng ở cơ sở",
]
G1, G2, G3, G4 = MODEL_GROUPS

SUMMARY_9745 = (
    "Tạm thời — theo bản tóm tắt công khai của Quyết định 9745/QĐ-BCA-V05 (nhóm I, tiêu chí "
    "{n}); đối chiếu nguyên văn trước khi áp dụng."
)
COMPOSED = (
    "Tạm thời — nội dung soạn theo {ref}, không phải nguyên văn tiêu chí của Quyết định "
    "9745/QĐ-BCA-V05. Tỉnh đối chiếu, sửa rồi bỏ đánh dấu “cần tỉnh hoàn thiện”."
)
TT124_5 = "Thông tư 124/2021/TT-BCA, Điều 5 (mức tối thiểu của xã đạt chuẩn “An toàn về ANTT”)"

# code, group, title, guidance, kind, expression, needs completion
MODEL_CRITERIA = [
    (
        "1",
        G1,
        "Quán triệt, triển khai thực hiện đầy đủ, hiệu quả các chủ trương của Đảng, chính "
        "sách, pháp luật của Nhà nước, văn bản chỉ đạo của cấp trên về công tác bảo đảm an ninh, "
        "trật tự và xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc đến các ban, ngành, đoàn "
        "thể, thôn, tổ dân phố, khu dân cư trên địa bàn",
        SUMMARY_9745.format(n=1),
        "evidence",
        "",
        False,
    ),
    (
        "2",
        G1,
        "Quý I hằng năm, Đảng ủy xã có nghị quyết; Ủy ban nhân dân có chương trình hoặc kế "
        "hoạch thực hiện công tác bảo đảm an ninh, trật tự; Ban Chỉ đạo có chương trình công tác "
        "xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc, triển khai đầy đủ các chuyên đề",
        SUMMARY_9745.format(n=2),
        "evidence",
        "",
        False,
    ),
    (
        "3",
        G1,
        "Hằng năm tổ chức hội nghị (hoặc lồng ghép) sơ kết, tổng kết công tác xây dựng "
        "phong trào; có ít nhất 02 cách làm hay, đổi mới, sáng tạo",
        COMPOSED.format(
            ref="nhóm lãnh đạo của bộ tiêu chí đơn vị cấp huyện điển hình (Nghệ An, "
            "Quyết định 3015/QĐ-UBND năm 2023)"
        ),
        "evidence",
        "",
        True,
    ),
    (
        "4",
        G1,
        "Xã đăng ký và được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm trước",
        COMPOSED.format(ref="Thông tư 124/2021/TT-BCA"),
        "evidence",
        "",
        True,
    ),
    (
        "5",
        G1,
        "Ban Chỉ đạo phòng, chống tội phạm, tệ nạn xã hội và xây dựng phong trào toàn dân "
        "bảo vệ an ninh Tổ quốc của xã được kiện toàn, có quy chế hoạt động và phân công nhiệm vụ "
        "cụ thể",
        COMPOSED.format(ref="Nghị định 06/2014/NĐ-CP"),
        "evidence",
        "",
        True,
    ),
    (
        "6",
        G1,
        "Thực hiện nghiêm túc chế độ thông tin, báo cáo về phong trào theo quy định",
        COMPOSED.format(ref="Quyết định 510/QĐ-BCA-V05 (tiêu chí chấm điểm về lãnh đạo, báo cáo)"),
        "evidence",
        "",
        True,
    ),
    (
        "7",
        G1,
        "Bố trí kinh phí, cơ sở vật chất cho xây dựng phong trào và cho hoạt động của lực "
        "lượng tham gia bảo vệ an ninh, trật tự ở cơ sở",
        COMPOSED.format(ref="Luật 30/2023/QH15 và Nghị định 40/2024/NĐ-CP"),
        "evidence",
        "",
        True,
    ),
    (
        "8",
        G2,
        "100% khu dân cư đăng ký xây dựng đạt tiêu chuẩn “An toàn về an ninh, trật tự”",
        COMPOSED.format(ref=TT124_5 + ", khoản 4") + " Quy tắc: số khu dân cư đăng ký (chương "
        "trình khu dân cư) không ít hơn số thôn, tổ dân phố.",
        "rule",
        "m.villages > 0.0 && m.villages_enrolled_safe >= m.villages",
        True,
    ),
    (
        "9",
        G2,
        "Ít nhất 70% khu dân cư được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”",
        COMPOSED.format(ref=TT124_5 + ", khoản 4") + " Ngưỡng 70% là mức của Thông tư; tỉnh nâng "
        "ngưỡng nếu văn bản quy định cao hơn.",
        "rule",
        "m.villages > 0.0 && m.villages_recognised_safe / m.villages >= 0.7",
        True,
    ),
    (
        "10",
        G2,
        "100% khu dân cư ký cam kết, giao ước thi đua bảo đảm an ninh, trật tự",
        COMPOSED.format(ref="Thông tư 124/2021/TT-BCA, Điều 4 khoản 1"),
        "rule",
        "m.villages > 0.0 && m.villages_pledged >= m.villages",
        True,
    ),
    (
        "11",
        G2,
        "Có ít nhất 01 mô hình phong trào toàn dân bảo vệ an ninh Tổ quốc hoạt động hiệu quả",
        COMPOSED.format(ref=TT124_5 + ", khoản 1"),
        "rule",
        "m.schemes_active >= 1.0",
        True,
    ),
    (
        "12",
        G2,
        "Mô hình tự quản được nhân rộng: mỗi khu dân cư có ít nhất 01 điểm mô hình hoạt động",
        COMPOSED.format(ref="Hướng dẫn 22/HD-BCA-V05 (18/11/2022) về nhân rộng mô hình"),
        "rule",
        "m.villages > 0.0 && m.scheme_sites >= m.villages",
        True,
    ),
    (
        "13",
        G2,
        "Tổ chức “Ngày hội toàn dân bảo vệ an ninh Tổ quốc” thiết thực, hiệu quả ở các khu dân cư",
        COMPOSED.format(ref="Quyết định 510/QĐ-BCA-V05"),
        "evidence",
        "",
        True,
    ),
    (
        "14",
        G2,
        "Tuyên truyền, vận động về an ninh, trật tự đến 100% thôn, tổ dân phố",
        COMPOSED.format(ref="Quyết định 510/QĐ-BCA-V05 (tuyên truyền, vận động)"),
        "rule",
        "m.villages > 0.0 && m.outreach_villages >= m.villages",
        True,
    ),
    (
        "15",
        G2,
        "Xây dựng, duy trì hệ thống camera an ninh, chiếu sáng ở khu dân cư",
        COMPOSED.format(ref="các mô hình “Camera an ninh”, “Thắp sáng đường quê” được nhân rộng"),
        "evidence",
        "",
        True,
    ),
    (
        "16",
        G2,
        "Mặt trận Tổ quốc và các đoàn thể tham gia xây dựng phong trào; có quy chế phối "
        "hợp với Công an xã",
        COMPOSED.format(ref="Nghị định 06/2014/NĐ-CP"),
        "evidence",
        "",
        True,
    ),
    (
        "17",
        G2,
        "Quần chúng cung cấp nguồn tin có giá trị giúp phòng ngừa, phát hiện tội phạm",
        COMPOSED.format(ref="Luật 30/2023/QH15, Điều 7 (nắm tình hình, tiếp nhận tin)"),
        "rule",
        "m.tips_valuable >= 1.0",
        True,
    ),
    (
        "18",
        G2,
        "Kịp thời biểu dương, khen thưởng tập thể, cá nhân có thành tích trong phong trào",
        COMPOSED.format(ref="Quyết định 2447/QĐ-TTg (06/11/2025) về phong trào thi đua"),
        "evidence",
        "",
        True,
    ),
    (
        "19",
        G3,
        "Không để xảy ra các hoạt động, vụ việc về an ninh nêu tại khoản 3 Điều 4 Thông tư "
        "124/2021/TT-BCA",
        COMPOSED.format(ref=TT124_5 + ", khoản 2"),
        "evidence",
        "",
        True,
    ),
    (
        "20",
        G3,
        "Không để xảy ra tội phạm rất nghiêm trọng, đặc biệt nghiêm trọng",
        COMPOSED.format(ref="Hướng dẫn 04/HD-BCA-V05 (tiêu chí 19.2 nông thôn mới)"),
        "rule",
        "m.serious_crimes == 0.0",
        True,
    ),
    (
        "21",
        G3,
        "Tội phạm về trật tự xã hội được kiềm chế, giảm so với năm trước",
        COMPOSED.format(ref="Hướng dẫn 04/HD-BCA-V05 (tiêu chí 19.2 nông thôn mới)"),
        "rule",
        "m.crimes <= prev.crimes",
        True,
    ),
    (
        "22",
        G3,
        "Tai nạn giao thông được kiềm chế, giảm so với năm trước",
        COMPOSED.format(ref="Hướng dẫn 04/HD-BCA-V05"),
        "rule",
        "m.traffic_accidents <= prev.traffic_accidents",
        True,
    ),
    (
        "23",
        G3,
        "Không để xảy ra cháy, nổ nghiêm trọng; số vụ cháy không tăng so với năm trước",
        COMPOSED.format(ref="Hướng dẫn 04/HD-BCA-V05"),
        "rule",
        "m.fires <= prev.fires",
        True,
    ),
    (
        "24",
        G3,
        "100% tin báo, tố giác tội phạm, phản ánh được tiếp nhận và xử lý đúng hạn",
        COMPOSED.format(ref="Kế hoạch 113/KH-BCA-V01 (100% tin báo được xử lý)"),
        "rule",
        "m.tips_concluded == 0.0 || m.tips_on_time >= m.tips_concluded",
        True,
    ),
    (
        "25",
        G3,
        "Không có khiếu kiện đông người, kéo dài trái pháp luật; mâu thuẫn, tranh chấp "
        "trong nhân dân được hòa giải kịp thời",
        COMPOSED.format(ref="Hướng dẫn 04/HD-BCA-V05"),
        "evidence",
        "",
        True,
    ),
    (
        "26",
        G3,
        "Không có địa bàn trọng điểm, phức tạp về an ninh, trật tự hoặc địa bàn đã được chuyển hóa",
        COMPOSED.format(ref="Quyết định 1960/QĐ-BCA và Kế hoạch 113/KH-BCA-V01"),
        "evidence",
        "",
        True,
    ),
    (
        "27",
        G3,
        "Quản lý chặt người sử dụng trái phép chất ma túy; phấn đấu xã “không ma túy”",
        COMPOSED.format(ref="Quyết định 28/2025/QĐ-TTg"),
        "evidence",
        "",
        True,
    ),
    (
        "28",
        G3,
        "Quản lý, giáo dục, giúp đỡ người có quá khứ vi phạm pháp luật tái hòa nhập cộng đồng",
        COMPOSED.format(ref="Nghị định 49/2020/NĐ-CP"),
        "evidence",
        "",
        True,
    ),
    (
        "29",
        G3,
        "Vận động thu hồi vũ khí, vật liệu nổ, công cụ hỗ trợ, pháo; không để xảy ra vụ "
        "sử dụng vũ khí, vật liệu nổ trái phép",
        COMPOSED.format(ref="Luật 30/2023/QH15"),
        "evidence",
        "",
        True,
    ),
    (
        "30",
        G4,
        "Công an xã chủ động nắm chắc tình hình, kịp thời tham mưu cấp ủy, chính quyền; "
        "không có cán bộ, chiến sĩ vi phạm bị xử lý kỷ luật",
        COMPOSED.format(ref=TT124_5 + ", khoản 3"),
        "evidence",
        "",
        True,
    ),
    (
        "31",
        G4,
        "Công an xã đạt danh hiệu thi đua “Đơn vị tiên tiến” trở lên",
        COMPOSED.format(ref="tiêu chí cũ của Thông tư 23/2012/TT-BCA, Điều 6 khoản 3"),
        "evidence",
        "",
        True,
    ),
    (
        "32",
        G4,
        "100% thôn, tổ dân phố có Tổ bảo vệ an ninh, trật tự hoạt động",
        COMPOSED.format(ref="Luật 30/2023/QH15, Điều 16"),
        "rule",
        "m.villages > 0.0 && m.security_teams >= m.villages",
        True,
    ),
    (
        "33",
        G4,
        "Các Tổ bảo vệ an ninh, trật tự được đánh giá, xếp loại hằng năm; không có Tổ "
        "xếp loại “không hoàn thành nhiệm vụ”",
        COMPOSED.format(ref="Hướng dẫn 01/HD-BCA-V05"),
        "evidence",
        "",
        True,
    ),
    (
        "34",
        G4,
        "Nhân dân hài lòng với kết quả bảo đảm an ninh, trật tự và thái độ phục vụ của Công an xã",
        COMPOSED.format(
            ref="phương châm “lấy sự hài lòng của nhân dân làm thước đo” của Bộ Công an"
        ),
        "evidence",
        "",
        True,
    ),
]

# TT 124 Điều 4: (code, 0002 title, 0002 guidance, official title, official guidance)
OFFICIAL = "Nguyên văn Thông tư 124/2021/TT-BCA, Điều 4 khoản {k}."
OLD_SUMMARY = "Nội dung tóm tắt theo {ref}; đối chiếu nguyên văn trong Thông tư trước khi áp dụng."
VILLAGE_CODE = "an-toan-antt-khu-dan-cu"
VILLAGE_WORDING = [
    (
        "1a",
        "Chi bộ có nghị quyết, khu dân cư có sổ sách theo dõi về xây dựng phong trào, bảo đảm an "
        "ninh, trật tự",
        OLD_SUMMARY.format(ref="Điều 4 khoản 1"),
        "Quý I hằng năm, chi bộ có nghị quyết, khu dân cư có đăng ký phấn đấu đạt tiêu chuẩn “An "
        "toàn về an ninh, trật tự”",
        OFFICIAL.format(k=1),
    ),
    (
        "1b",
        "100% hộ gia đình trong khu dân cư đăng ký thực hiện",
        OLD_SUMMARY.format(ref="Điều 4 khoản 1") + " Quy tắc: số hộ đăng ký (chỉ tiêu "
        "households_registered) không ít hơn số hộ gia đình (households).",
        "100% hộ gia đình đang cư trú trên địa bàn đăng ký tham gia xây dựng khu dân cư “An toàn "
        "về an ninh, trật tự”",
        OFFICIAL.format(k=1) + " Quy tắc: số hộ đăng ký không ít hơn số hộ gia đình.",
    ),
    (
        "2",
        "Thực hiện đầy đủ chủ trương, chính sách của Đảng, pháp luật của Nhà nước về bảo đảm an "
        "ninh, trật tự",
        OLD_SUMMARY.format(ref="Điều 4 khoản 2"),
        "Triển khai, thực hiện đầy đủ các chủ trương, đường lối của Đảng, chính sách, pháp luật "
        "của Nhà nước, các quy định của địa phương về công tác bảo đảm an ninh, trật tự",
        OFFICIAL.format(k=2),
    ),
]


def _metric_codes(expression):
    codes = []
    for token in expression.replace("(", " ").replace(")", " ").split():
        if token.startswith(("m.", "prev.")):
            codes.append(token.split(".", 1)[1])
    return list(dict.fromkeys(codes))


def _is_skeleton(criteria_set):
    return (
        criteria_set.published_at is None
        and not criteria_set.criteria.exists()
        and not criteria_set.enrollments.exists()
        and list(criteria_set.groups) == SKELETON_GROUPS
    )


def _fill_model_set(apps, criteria_set):
    Criterion = apps.get_model("programs", "Criterion")
    Metric = apps.get_model("indicators", "Metric")
    from django.utils import timezone

    known = set(Metric.objects.filter(is_active=True).values_list("code", flat=True))
    criteria_set.groups = MODEL_GROUPS
    criteria_set.note = MODEL_NOTE
    criteria_set.published_at = timezone.now()
    criteria_set.save(update_fields=["groups", "note", "published_at"])
    for position, row in enumerate(MODEL_CRITERIA):
        code, group, title, guidance, kind, expression, completion = row
        codes = _metric_codes(expression)
        if kind == "rule" and not set(codes) <= known:
            # a metric the rule needs is not in this catalogue: the unit shows evidence instead
            kind, expression, codes = "evidence", "", []
        Criterion.objects.create(
            criteria_set=criteria_set,
            code=code,
            group=group,
            order=(position + 1) * 10,
            title=title,
            guidance=guidance,
            mandatory=True,
            kind=kind,
            expression=expression,
            metric_codes=codes,
            needs_completion=completion,
        )


def forward(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    CriteriaSet = apps.get_model("programs", "CriteriaSet")
    Criterion = apps.get_model("programs", "Criterion")

    program = Program.objects.filter(code=MODEL_CODE).first()
    if program is not None and program.current_set_id is None:
        criteria_set = CriteriaSet.objects.filter(program=program, version=1).first()
        if criteria_set is not None and _is_skeleton(criteria_set):
            _fill_model_set(apps, criteria_set)
            program.current_set = criteria_set
            update = ["current_set"]
            if program.description == SKELETON_DESCRIPTION:
                program.description = MODEL_DESCRIPTION
                update.append("description")
            program.save(update_fields=update)

    village = Program.objects.filter(code=VILLAGE_CODE).first()
    if village is not None and village.current_set_id is not None:
        criteria_set = village.current_set
        if not criteria_set.enrollments.exists():
            for code, old_title, old_guidance, title, guidance in VILLAGE_WORDING:
                Criterion.objects.filter(
                    criteria_set=criteria_set, code=code, title=old_title, guidance=old_guidance
                ).update(title=title, guidance=guidance)


def backward(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    Criterion = apps.get_model("programs", "Criterion")

    program = Program.objects.filter(code=MODEL_CODE).first()
    if program is not None and program.current_set_id is not None:
        criteria_set = program.current_set
        shipped = {row[0] for row in MODEL_CRITERIA}
        codes = set(criteria_set.criteria.values_list("code", flat=True))
        if (
            criteria_set.version == 1
            and not criteria_set.enrollments.exists()
            and codes == shipped
            and list(criteria_set.groups) == MODEL_GROUPS
        ):
            criteria_set.criteria.all().delete()
            criteria_set.groups = SKELETON_GROUPS
            criteria_set.note = SKELETON_NOTE
            criteria_set.published_at = None
            criteria_set.save(update_fields=["groups", "note", "published_at"])
            program.current_set = None
            update = ["current_set"]
            if program.description == MODEL_DESCRIPTION:
                program.description = SKELETON_DESCRIPTION
                update.append("description")
            program.save(update_fields=update)

    village = Program.objects.filter(code=VILLAGE_CODE).first()
    if village is not None and village.current_set_id is not None:
        criteria_set = village.current_set
        if not criteria_set.enrollments.exists():
            for code, old_title, old_guidance, title, guidance in VILLAGE_WORDING:
                Criterion.objects.filter(
                    criteria_set=criteria_set, code=code, title=title, guidance=guidance
                ).update(title=old_title, guidance=old_guidance)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0003_classification_fair"),
        # the catalogue metrics the model-commune rules read
        ("activities", "0002_metrics"),
        ("community", "0003_metrics"),
        ("tips", "0002_starter_data"),
    ]
    operations = [migrations.RunPython(forward, backward)]
