"""The national catalogue of emulation titles and forms of reward.

Following the Law on Emulation and Commendation 06/2022/QH15 and Decree 98/2023/NĐ-CP as far
as they could be read: who grants each form, and the reward coefficients (× the base salary of
``settings.AWARDS["BASE_SALARY_VND"]``). Every row can be changed, switched off or replaced by a
province's own row with the same code; nothing in the code relies on these values. Idempotent:
rows are matched on their code. Reversing removes the rows no proposal uses.
"""

from django.db import migrations

BASIS = "Luật Thi đua, khen thưởng 06/2022/QH15; Nghị định 98/2023/NĐ-CP"

# code, category, name, level, recipients, coefficient collective, coefficient individual
ROWS = [
    ("giay-khen-chu-tich-xa", "form", "Giấy khen của Chủ tịch UBND cấp xã", "commune", "both",
     "0.6", "0.3"),
    ("giay-khen-giam-doc-ca-tinh", "form", "Giấy khen của Giám đốc Công an tỉnh",
     "province_police", "both", "0.6", "0.3"),
    ("bang-khen-chu-tich-tinh", "form", "Bằng khen của Chủ tịch UBND cấp tỉnh", "province",
     "both", "2.0", "1.0"),
    ("bang-khen-bo-truong", "form", "Bằng khen của Bộ trưởng Bộ Công an", "ministry", "both",
     "2.0", "1.0"),
    ("lao-dong-tien-tien", "title", "Lao động tiên tiến", "commune", "individual", "0", "0.3"),
    ("tap-the-lao-dong-tien-tien", "title", "Tập thể lao động tiên tiến", "commune",
     "collective", "0.8", "0"),
    ("chien-si-thi-dua-co-so", "title", "Chiến sĩ thi đua cơ sở", "province_police",
     "individual", "0", "1.0"),
    ("don-vi-tien-tien", "title", "Đơn vị tiên tiến", "province_police", "collective", "0.8",
     "0"),
    ("tap-the-lao-dong-xuat-sac", "title", "Tập thể lao động xuất sắc", "province",
     "collective", "1.5", "0"),
    ("chien-si-thi-dua-cap-tinh", "title", "Chiến sĩ thi đua cấp tỉnh", "province",
     "individual", "0", "3.0"),
]


def forward(apps, schema_editor):
    from unidecode import unidecode

    Entry = apps.get_model("awards", "CatalogueEntry")
    for order, (code, category, name, level, who, coll, ind) in enumerate(ROWS):
        Entry.objects.get_or_create(
            province=None,
            code=code,
            defaults={
                "category": category,
                "name": name,
                "name_folded": " ".join(unidecode(name).lower().split()),
                "level": level,
                "recipients": who,
                "coefficient_collective": coll,
                "coefficient_individual": ind,
                "legal_basis": BASIS,
                "sort_order": (order + 1) * 10,
            },
        )


def backward(apps, schema_editor):
    Entry = apps.get_model("awards", "CatalogueEntry")
    Entry.objects.filter(
        province=None, code__in=[r[0] for r in ROWS], proposals__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_drives_reviews_proposals")]
    operations = [migrations.RunPython(forward, backward)]
