"""Say where the movement classification (QĐ 510/QĐ-BCA-V05) stands and who completes it.

The official score sheet for communes (points of each item) and the point bands of each
level could not be read in any public copy of Quyết định 510/QĐ-BCA-V05 nor of the
provincial texts that localise it (Yên Bái 732/QĐ-BCĐ 2022, Bắc Giang 1157/QĐ-BCĐ
13/6/2022, Bắc Ninh 514/QĐ-UBND 26/4/2023): only their titles, the procedure of Điều 11
(file, deadlines) and three items of the sheet for agencies and enterprises are public. So
no number is invented here: the programme stays a draft whose description names the
sources and says that the provincial police adopt it, import their province's sheet and
bands (Excel or JSON) and publish it; the draft's note marks it "tạm thời".

Idempotent and respectful of edits: a text is replaced only while it is still exactly what
0002 shipped. Reversing restores 0002's texts under the same condition.
"""

from django.db import migrations

CODE = "xep-loai-phong-trao-xa"
OLD_DESCRIPTION = (
    "Quyết định 510/QĐ-BCA-V05 (20/01/2022): chấm điểm, xếp loại hằng năm (xuất sắc, "
    "khá, trung bình, yếu); hồ sơ gồm tờ trình và danh sách chấm điểm, gửi trước 30/11. "
    "Ngưỡng điểm từng mức chưa có trong hệ thống: tỉnh nhập theo quyết định của tỉnh."
)
OLD_NOTE = "Phiếu chấm điểm: nhập các mục chấm điểm và ngưỡng điểm của tỉnh."
DESCRIPTION = (
    "Quyết định 510/QĐ-BCA-V05 ngày 20/01/2022 của Bộ Công an ban hành “Quy định Tiêu chí "
    "đánh giá, phân loại phong trào toàn dân bảo vệ an ninh Tổ quốc”: chấm điểm, phân loại "
    "hằng năm; hồ sơ gồm tờ trình và thống kê danh sách chấm điểm, mức đề xuất phân loại, "
    "gửi trước 30/11 (Điều 11). Các tỉnh cụ thể hóa bằng văn bản riêng, ví dụ Yên Bái "
    "Quyết định 732/QĐ-BCĐ năm 2022, Bắc Giang Quyết định 1157/QĐ-BCĐ ngày 13/6/2022, Bắc "
    "Ninh Quyết định 514/QĐ-UBND ngày 26/4/2023. Chưa có trong hệ thống: các mục chấm điểm "
    "của xã và ngưỡng điểm từng mức (không tìm được bản công khai đọc được). Công an tỉnh "
    "bấm “Áp dụng”, nhập phiếu chấm điểm và ngưỡng xếp loại theo văn bản của tỉnh (Excel "
    "hoặc JSON) rồi ban hành."
)
NOTE = (
    "Tạm thời — phiếu chấm điểm trống, chờ tỉnh nhập. Căn cứ: Quyết định 510/QĐ-BCA-V05 "
    "(20/01/2022) và văn bản cụ thể hóa của tỉnh. Mỗi mục là một tiêu chí “chấm điểm” có "
    "điểm tối đa; ngưỡng điểm các mức xuất sắc, khá, trung bình nhập trước khi ban hành "
    "(mức thấp nhất không cần ngưỡng)."
)


def _swap(apps, description_from, description_to, note_from, note_to):
    Program = apps.get_model("programs", "Program")
    CriteriaSet = apps.get_model("programs", "CriteriaSet")
    program = Program.objects.filter(code=CODE).first()
    if program is None:
        return
    if program.description == description_from:
        program.description = description_to
        program.save(update_fields=["description"])
    CriteriaSet.objects.filter(
        program=program, version=1, published_at__isnull=True, note=note_from
    ).update(note=note_to)


def forward(apps, schema_editor):
    _swap(apps, OLD_DESCRIPTION, DESCRIPTION, OLD_NOTE, NOTE)


def backward(apps, schema_editor):
    _swap(apps, DESCRIPTION, OLD_DESCRIPTION, NOTE, OLD_NOTE)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0004_model_commune_set"),
    ]
    operations = [migrations.RunPython(forward, backward)]
