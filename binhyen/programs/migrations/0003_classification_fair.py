"""Classification "Khá" is stored as ``fair`` (it was ``good``, which the glossary keeps for
"Tốt"): the levels and caps of every criteria set and the levels of every enrolment."""

from django.db import migrations, models

RENAMES = {"good": "fair"}


def _levels(items, back=False):
    renames = {v: k for k, v in RENAMES.items()} if back else RENAMES
    changed = False
    out = []
    for item in items or []:
        if isinstance(item, dict):
            item = dict(item)
            for key in ("level", "base"):
                if item.get(key) in renames:
                    item[key] = renames[item[key]]
                    changed = True
        out.append(item)
    return out, changed


def convert(apps, schema_editor, back=False):
    CriteriaSet = apps.get_model("programs", "CriteriaSet")
    Enrollment = apps.get_model("programs", "Enrollment")
    for criteria_set in CriteriaSet.objects.all().only("pk", "levels", "caps"):
        levels, a = _levels(criteria_set.levels, back)
        caps, b = _levels(criteria_set.caps, back)
        if a or b:
            CriteriaSet.objects.filter(pk=criteria_set.pk).update(levels=levels, caps=caps)
    renames = {v: k for k, v in RENAMES.items()} if back else RENAMES
    for old, new in renames.items():
        Enrollment.objects.filter(level=old).update(level=new)
        Enrollment.objects.filter(level_by_points=old).update(level_by_points=new)


def convert_back(apps, schema_editor):
    convert(apps, schema_editor, back=True)


class Migration(migrations.Migration):

    dependencies = [
        ("programs", "0002_builtin_templates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="criteriaset",
            name="caps",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Danh sách {"level": "excellent", "max_share": 20, "base": "fair"}.',
                verbose_name="giới hạn tỷ lệ xếp loại",
            ),
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="level",
            field=models.CharField(
                blank=True,
                choices=[
                    ("excellent", "Xuất sắc"),
                    ("fair", "Khá"),
                    ("average", "Trung bình"),
                    ("weak", "Yếu"),
                ],
                max_length=16,
                verbose_name="xếp loại",
            ),
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="level_by_points",
            field=models.CharField(
                blank=True,
                choices=[
                    ("excellent", "Xuất sắc"),
                    ("fair", "Khá"),
                    ("average", "Trung bình"),
                    ("weak", "Yếu"),
                ],
                max_length=16,
                verbose_name="mức theo điểm",
            ),
        ),
        migrations.RunPython(convert, convert_back),
    ]
