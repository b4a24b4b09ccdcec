"""English names of report forms and validation rules, filled for the shipped rows."""

from django.db import migrations, models

NAMES_EN = {
    "bao_cao_thang": "Monthly report of the All-People National Security Protection movement",
    "bao_cao_dan_so": "Annual population and household report",
}

RULE_NAMES_EN = {
    "tips_valuable_le_received": "Valuable sources do not exceed tips received",
    "serious_le_crimes": "Very serious and especially serious crimes do not exceed all crimes",
    "villages_safe_le_villages": "Residential areas meeting the standard do not exceed villages",
    "villages_pledged_le_villages": "Residential areas with a pledge do not exceed villages",
    "security_teams_le_villages": "Security teams do not exceed villages",
    "tips_on_time_le_concluded": "Tips handled on time do not exceed tips concluded",
}


def forward(apps, schema_editor):
    ReportForm = apps.get_model("indicators", "ReportForm")
    ValidationRule = apps.get_model("indicators", "ValidationRule")
    for code, name_en in NAMES_EN.items():
        ReportForm.objects.filter(code=code, name_en="").update(name_en=name_en)
    for code, name_en in RULE_NAMES_EN.items():
        ValidationRule.objects.filter(code=code, name_en="").update(name_en=name_en)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0007_history_import"), ("community", "0003_metrics"), ("tips", "0002_starter_data")]

    operations = [
        migrations.AddField(
            model_name="reportform",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="tên tiếng Anh"),
        ),
        migrations.AddField(
            model_name="validationrule",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="tên tiếng Anh"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
