"""English names of catalogue rows, filled for the national catalogue shipped by 0002."""

from django.db import migrations, models

NAMES_EN = {
    "giay-khen-chu-tich-xa": "Certificate of merit of the Chairman of the commune People's Committee",
    "giay-khen-giam-doc-ca-tinh": "Certificate of merit of the Director of the provincial Police",
    "bang-khen-chu-tich-tinh": "Certificate of merit of the Chairman of the provincial People's Committee",
    "bang-khen-bo-truong": "Certificate of merit of the Minister of Public Security",
    "lao-dong-tien-tien": "Advanced worker",
    "tap-the-lao-dong-tien-tien": "Advanced working collective",
    "chien-si-thi-dua-co-so": "Grassroots emulation fighter",
    "don-vi-tien-tien": "Advanced unit",
    "tap-the-lao-dong-xuat-sac": "Excellent working collective",
    "chien-si-thi-dua-cap-tinh": "Provincial emulation fighter",
}


def forward(apps, schema_editor):
    Entry = apps.get_model("awards", "CatalogueEntry")
    for code, name_en in NAMES_EN.items():
        Entry.objects.filter(province=None, code=code, name_en="").update(name_en=name_en)


class Migration(migrations.Migration):
    dependencies = [("awards", "0003_metrics")]

    operations = [
        migrations.AddField(
            model_name="catalogueentry",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="tên tiếng Anh"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
