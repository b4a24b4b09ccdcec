"""Community's decisions become ``CommunityDecision`` (programs keeps ``Decision``), and the
task grades "hoàn thành / không hoàn thành nhiệm vụ" are stored as ``completed`` and
``not_completed`` (were ``done`` and ``not_done``): in the gradings, in the options of the
``team_grade`` breakdown, and in the values and rollups published with those options.
Reversible.
"""

from django.db import migrations, models

GRADES = {
    "done": ("completed", "Completed"),
    "not_done": ("not_completed", "Not completed"),
}
OLD_NAMES_EN = {"done": "Done", "not_done": "Not done"}
BREAKDOWN = "team_grade"


def _recode(apps, mapping):
    """Rename grade codes ``old -> (new, name_en)`` wherever they are stored."""
    Option = apps.get_model("indicators", "DisaggregationOption")
    Metric = apps.get_model("indicators", "Metric")
    DataValue = apps.get_model("indicators", "DataValue")
    Rollup = apps.get_model("indicators", "Rollup")
    metric_ids = list(
        Metric.objects.filter(disaggregation__code=BREAKDOWN).values_list("pk", flat=True)
    )
    for old, (new, name_en) in mapping.items():
        for name in ("TeamGrading", "MemberGrading"):
            apps.get_model("community", name).objects.filter(level=old).update(level=new)
        Option.objects.filter(disaggregation__code=BREAKDOWN, code=old).update(
            code=new, name_en=name_en
        )
        DataValue.objects.filter(metric_id__in=metric_ids, option=old).update(option=new)
        Rollup.objects.filter(metric_id__in=metric_ids, option=old).update(option=new)


def forward(apps, schema_editor):
    _recode(apps, GRADES)


def backward(apps, schema_editor):
    _recode(apps, {new: (old, OLD_NAMES_EN[old]) for old, (new, _en) in GRADES.items()})


GRADE_CHOICES = [
    ("excellent", "Hoàn thành xuất sắc nhiệm vụ"),
    ("good", "Hoàn thành tốt nhiệm vụ"),
    ("completed", "Hoàn thành nhiệm vụ"),
    ("not_completed", "Không hoàn thành nhiệm vụ"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0004_counts_upper_bound"),
        ("orgunits", "0004_counts_upper_bound"),
        ("indicators", "0003_rollups"),
    ]

    operations = [
        migrations.RenameModel(old_name="Decision", new_name="CommunityDecision"),
        migrations.AlterField(
            model_name="membergrading",
            name="level",
            field=models.CharField(choices=GRADE_CHOICES, max_length=16, verbose_name="xếp loại"),
        ),
        migrations.AlterField(
            model_name="teamgrading",
            name="level",
            field=models.CharField(choices=GRADE_CHOICES, max_length=16, verbose_name="xếp loại"),
        ),
        migrations.RunPython(forward, backward),
    ]
