"""Criteria get an English title to read by; the built-in sets are translated.

The Vietnamese title stays the official wording (what is verified, decided and printed);
``title_en`` is a reading translation that English pages show instead. The shipped titles
are found by their exact Vietnamese text (0002's wording, and 0004's official wording of
TT 124 Điều 4 and the model-commune set), in the built-in programmes and in provincial
copies alike; a title a province reworded, or an English title already entered, is left
alone. Reversing empties only the English titles written here.
"""

import importlib

from django.db import migrations, models

# code → English, per shipped list
VILLAGE_0002 = {
    "1a": "The Party cell has a resolution and the residential area keeps records on building "
    "the movement and on security and order",
    "1b": "100% of households in the residential area register to take part",
    "2": "The Party's guidelines and the State's policies and laws on security and order are "
    "fully carried out",
    "3": "None of the security activities or incidents listed in Article 4(3) occurs",
    "4": "Criterion 4 (Article 4(4)) on crime and social evils — to be completed by the "
    "province",
    "5": "Criterion 5 (Article 4(5)) on crime and social evils — to be completed by the "
    "province",
}
VILLAGE_OFFICIAL = {
    "1a": "In the first quarter of each year the Party cell issues a resolution and the "
    "residential area registers to strive for the “safe for security and order” standard",
    "1b": "100% of the households living in the area register to take part in building a "
    "“safe for security and order” residential area",
    "2": "The Party's guidelines, the State's policies and laws and the local rules on "
    "security and order are fully carried out",
}
COMMUNE_0002 = {
    "1a": "The Party Committee has a resolution, the People's Committee has a plan and "
    "registers the commune for the standard",
    "1b": "At least one model of the movement works effectively",
    "2": "Meets the criteria of Article 4(2), (3) and (4)",
    "3": "The commune police work effectively; no officer is disciplined",
    "4a": "100% of residential areas register to meet the “safe for security and order” "
    "standard",
    "4b": "At least 70% of residential areas are recognised as meeting the “safe for security "
    "and order” standard",
    "4c": "100% of agencies, enterprises and schools register and at least 70% are recognised "
    "as meeting the standard",
}
MODEL_0004 = {
    "1": "Fully and effectively disseminate and carry out the Party's guidelines, the State's "
    "policies and laws and superiors' directives on security and order and on building the "
    "All-People National Security Protection movement in every department, mass "
    "organisation, village, residential group and residential area",
    "2": "In the first quarter of each year the commune Party Committee issues a resolution, "
    "the People's Committee has a programme or plan for security and order, and the Steering "
    "Committee has a work programme for building the movement covering all its topics",
    "3": "Each year a conference (or a combined one) reviews the movement; at least 2 good, "
    "new or creative practices",
    "4": "The commune registered for and was recognised as meeting the “safe for security and "
    "order” standard the previous year",
    "5": "The commune Steering Committee for crime and social-evil prevention and movement "
    "building is consolidated, with working rules and specific assignments",
    "6": "The information and reporting regime on the movement is strictly followed",
    "7": "Funds and facilities are provided for the movement and for the grassroots security "
    "and order force",
    "8": "100% of residential areas register to meet the “safe for security and order” "
    "standard",
    "9": "At least 70% of residential areas are recognised as meeting the “safe for security "
    "and order” standard",
    "10": "100% of residential areas sign commitments and emulation pledges on security and "
    "order",
    "11": "At least one model of the movement works effectively",
    "12": "Self-management models are replicated: every residential area has at least one "
    "working model site",
    "13": "The “All-People National Security Protection Day” is held in the residential areas, "
    "practically and effectively",
    "14": "Outreach on security and order reaches 100% of villages and residential groups",
    "15": "Security cameras and lighting are installed and kept working in residential areas",
    "16": "The Fatherland Front and the mass organisations take part in the movement and have "
    "coordination rules with the commune police",
    "17": "Residents provide valuable information that helps prevent and detect crime",
    "18": "Groups and individuals with achievements in the movement are commended and "
    "rewarded in good time",
    "19": "None of the security activities or incidents listed in Article 4(3) of Circular "
    "124/2021/TT-BCA occurs",
    "20": "No very serious or especially serious crime occurs",
    "21": "Crimes against social order are contained and fall compared with the previous year",
    "22": "Traffic accidents are contained and fall compared with the previous year",
    "23": "No serious fire or explosion; the number of fires does not rise compared with the "
    "previous year",
    "24": "100% of crime reports, denunciations and feedback are received and handled on time",
    "25": "No prolonged unlawful mass complaints; disputes among residents are mediated in "
    "good time",
    "26": "No key or complex security and order area, or the area has been transformed",
    "27": "Illegal drug users are closely managed; the commune strives to be “drug-free”",
    "28": "People with a past of breaking the law are managed, educated and helped to "
    "reintegrate",
    "29": "Weapons, explosives, support tools and fireworks are collected through outreach; no "
    "illegal use of weapons or explosives",
    "30": "The commune police keep a firm grasp of the situation and advise the Party "
    "committee and the authorities in good time; no officer is disciplined",
    "31": "The commune police hold the emulation title “Advanced unit” or higher",
    "32": "100% of villages and residential groups have a working security and order team",
    "33": "The security and order teams are graded every year; no team is graded “did not "
    "complete its tasks”",
    "34": "Residents are satisfied with the security and order results and with the commune "
    "police's service",
}


def _pairs():
    """(Vietnamese title as shipped, English title) of every built-in criterion."""
    templates = importlib.import_module("binhyen.programs.migrations.0002_builtin_templates")
    model = importlib.import_module("binhyen.programs.migrations.0004_model_commune_set")
    pairs = [(row[2], VILLAGE_0002[row[0]]) for row in templates.VILLAGE_CRITERIA]
    pairs += [(row[3], VILLAGE_OFFICIAL[row[0]]) for row in model.VILLAGE_WORDING]
    pairs += [(row[2], COMMUNE_0002[row[0]]) for row in templates.COMMUNE_CRITERIA]
    pairs += [(row[2], MODEL_0004[row[0]]) for row in model.MODEL_CRITERIA]
    return pairs


def forward(apps, schema_editor):
    Criterion = apps.get_model("programs", "Criterion")
    for title, title_en in _pairs():
        Criterion.objects.filter(title=title, title_en="").update(title_en=title_en)


def backward(apps, schema_editor):
    Criterion = apps.get_model("programs", "Criterion")
    for title, title_en in _pairs():
        Criterion.objects.filter(title=title, title_en=title_en).update(title_en="")


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0005_classification_sources"),
    ]

    operations = [
        migrations.AddField(
            model_name="criterion",
            name="title_en",
            field=models.CharField(
                blank=True,
                help_text="Bản dịch để đọc; văn bản chính thức là nội dung tiếng Việt.",
                max_length=1000,
                verbose_name="nội dung tiêu chí (tiếng Anh)",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
