"""National catalogue of scheme types: the kinds named in the seeds and the glossary.

Idempotent: rows are matched on their code, never overwritten (administrators edit them).
Provinces add their own types and mark their "typical" ones in the app.
"""

from django.db import migrations

TYPES = [
    ("to_tu_quan", "Tổ tự quản về ANTT", "Self-managing security and order group"),
    ("to_hoa_giai", "Tổ hòa giải", "Mediation group"),
    ("an_ninh_mang_non", "Đội An ninh măng non", "Children's safety team"),
    ("ho_an_toan", "Hộ an toàn – tổ dân phố bình yên", "Safe household – peaceful street group"),
    ("khu_dan_cu_an_toan", "Tổ dân phố, thôn, xóm an toàn", "Safe street group, village, hamlet"),
    ("dong_ho_tu_quan", "Dòng họ tự quản về ANTT", "Self-managing clan"),
    ("cum_giap_ranh", "Cụm giáp ranh về ANTT", "Border cluster for security and order"),
    ("dan_van_kheo", "Dân vận khéo – cảm hóa, giáo dục người lầm lỗi",
     "Skilled mobilisation – mentoring people who offended"),
    ("chi_hoi_nong_dan", "Chi hội nông dân đảm bảo ANTT, ATGT",
     "Farmers' branch for security, order and traffic safety"),
    ("ton_giao_binh_yen", "Xứ, họ đạo bình yên; chùa tinh tiến về ANTT",
     "Peaceful parish; diligent pagoda for security and order"),
]


def forward(apps, schema_editor):
    SchemeType = apps.get_model("community", "SchemeType")
    for order, (code, name, name_en) in enumerate(TYPES):
        if not SchemeType.objects.filter(province__isnull=True, code=code).exists():
            SchemeType.objects.create(
                province=None,
                code=code,
                name=name,
                name_en=name_en,
                category=code,
                sort_order=(order + 1) * 10,
            )


def backward(apps, schema_editor):
    SchemeType = apps.get_model("community", "SchemeType")
    SchemeType.objects.filter(
        province__isnull=True, code__in=[t[0] for t in TYPES], schemes__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
