"""English names of the shipped reply templates (only where none is set yet)."""

from django.db import migrations

NAMES_EN = {
    "da_tiep_nhan": "Received",
    "can_them_thong_tin": "More information needed",
    "da_xu_ly": "Handled",
    "khong_co_co_so": "No grounds",
    "da_chuyen": "Passed to the competent authority",
}


def forward(apps, schema_editor):
    ReplyTemplate = apps.get_model("tips", "ReplyTemplate")
    for code, name_en in NAMES_EN.items():
        ReplyTemplate.objects.filter(code=code, name_en="").update(name_en=name_en)


class Migration(migrations.Migration):
    dependencies = [("tips", "0005_tipmessage_event_code_and_reply_template_name_en")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
