"""Case types get an English name and purpose; the two built-in types are filled in.

Only empty English fields of the built-in rows are filled, so a text an administrator
already entered is never overwritten. Reversing empties only the texts written here.
"""

from django.db import migrations, models

# code, English name, English purpose
ENGLISH = [
    (
        "reintegration",
        "Reintegration after a prison sentence or a pardon",
        "Help a person who has served a prison sentence or been pardoned settle back into "
        "life: papers, residence, vocational training, work, loans, health care; follow-up "
        "until they are settled.",
    ),
    (
        "commune_education",
        "Education in the commune (administrative measure)",
        "Manage, educate and help a person placed under the measure of education in the "
        "commune for the term of the decision.",
    ),
]


def forward(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    for code, name_en, purpose_en in ENGLISH:
        CaseType.objects.filter(code=code, name_en="").update(name_en=name_en)
        CaseType.objects.filter(code=code, purpose_en="").update(purpose_en=purpose_en)


def backward(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    for code, name_en, purpose_en in ENGLISH:
        CaseType.objects.filter(code=code, name_en=name_en).update(name_en="")
        CaseType.objects.filter(code=code, purpose_en=purpose_en).update(purpose_en="")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_case_types_and_metrics"),
    ]

    operations = [
        migrations.AddField(
            model_name="casetype",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="tên tiếng Anh"),
        ),
        migrations.AddField(
            model_name="casetype",
            name="purpose_en",
            field=models.TextField(blank=True, verbose_name="mục đích xử lý dữ liệu (tiếng Anh)"),
        ),
        migrations.RunPython(forward, backward),
    ]
