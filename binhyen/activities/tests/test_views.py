"""Activity pages: deny by default, 404 outside scope, quick entry per kind, photos, import."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from binhyen.activities.models import Activity, ActivityPhoto
from binhyen.activities.tests.factories import commune_scene, outreach, record, surrender
from binhyen.core.tests.test_uploads import jpeg_with_gps
from binhyen.indicators.models import DataValue

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scene = SimpleNamespace(**vars(commune_scene()))
    scene.activity = record(scene.officer, outreach(scene.commune))
    scene.photo = ActivityPhoto.objects.create(
        activity=scene.activity, image=SimpleUploadedFile("a.jpg", jpeg_with_gps())
    )
    return scene


def _views(s):
    """(name, args, method, data, expected status for an officer of the commune)."""
    a = s.activity.pk
    code = s.commune.code
    return [
        ("list", [], "get", {"unit": code}, 200),
        ("export", [], "get", {"unit": code}, 200),
        ("new", [], "get", {"unit": code}, 200),
        ("create", ["outreach"], "get", {"unit": code}, 200),
        ("detail", [a], "get", {}, 200),
        ("edit", [a], "get", {}, 200),
        ("photo", [s.photo.pk], "get", {}, 200),
        ("import", [code], "get", {}, 200),
        ("import_template", [code], "get", {}, 200),
        ("photo_delete", [s.photo.pk], "post", {}, 302),
        ("delete", [a], "post", {}, 302),
    ]


def test_anonymous_users_are_sent_to_sign_in(client, s):
    for name, args, method, data, _ok in _views(s):
        response = getattr(client, method)(reverse(f"activities:{name}", args=args), data)
        assert response.status_code == 302, name
        assert "/accounts/login/" in response["Location"], name


def test_out_of_scope_users_get_404(client, s):
    client.force_login(s.other_officer)
    for name, args, method, data, _ok in _views(s):
        response = getattr(client, method)(reverse(f"activities:{name}", args=args), data)
        assert response.status_code == 404, name
    assert Activity.objects.filter(pk=s.activity.pk).exists()


def test_readers_without_the_right_to_record_cannot_write(client, s):
    client.force_login(s.viewer)
    assert client.get(reverse("activities:detail", args=[s.activity.pk])).status_code == 200
    for name in ("edit", "new", "import"):
        args = [s.commune.code] if name == "import" else ([s.activity.pk] if name == "edit" else [])
        assert client.get(reverse(f"activities:{name}", args=args)).status_code == 404, name
    assert client.post(reverse("activities:delete", args=[s.activity.pk])).status_code == 404


def test_in_scope_officer_reaches_every_view(client, s):
    client.force_login(s.officer)
    for name, args, method, data, ok in _views(s):
        response = getattr(client, method)(reverse(f"activities:{name}", args=args), data)
        assert response.status_code == ok, name


def test_list_empty_state_says_what_to_do(client, s):
    client.force_login(s.other_officer)
    html = client.get(reverse("activities:list")).content.decode()
    assert 'data-testid="empty-state"' in html
    assert reverse("activities:new") in html


def test_outreach_form_records_an_activity(client, s):
    client.force_login(s.officer)
    url = reverse("activities:create", args=["outreach"]) + f"?unit={s.commune.code}"
    response = client.post(
        url,
        {
            "commune": s.commune.code,
            "unit": s.commune.code,
            "date": "2025-03-07",
            "topic": "Phòng chống lừa đảo",
            "participants": "45",
            "leaflets": "120",
            "villages": [s.villages[0].code, s.villages[1].code],
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(topic="Phòng chống lừa đảo")
    assert activity.title == "Phòng chống lừa đảo"
    assert activity.villages.count() == 2
    assert response["Location"] == reverse("activities:detail", args=[activity.pk])


def test_save_and_add_another_keeps_the_date_topic_and_villages(client, s):
    # Given an officer recording the first of several sessions of one round
    client.force_login(s.officer)
    url = reverse("activities:create", args=["outreach"]) + f"?unit={s.commune.code}"
    # When they press "Lưu và ghi tiếp"
    response = client.post(
        url,
        {
            "unit": s.commune.code,
            "date": "2025-03-07",
            "topic": "Phòng chống lừa đảo",
            "place": "Nhà văn hóa",
            "participants": "45",
            "villages": [s.villages[0].code, s.villages[1].code],
            "add_another": "1",
        },
    )
    # Then the next form opens with the date, topic, place and villages of the last one
    assert response.status_code == 302
    page = client.get(response["Location"])
    form = page.context["form"]
    assert str(form.initial["date"]) == "2025-03-07"
    assert form.initial["topic"] == "Phòng chống lừa đảo"
    assert form.initial["place"] == "Nhà văn hóa"
    assert sorted(form.initial["villages"]) == sorted(v.code for v in s.villages[:2])
    # and the numbers are not carried over
    assert "participants" not in form.initial


def test_a_blank_participants_count_is_stored_as_unknown_not_zero(client, s):
    # Given an officer who did not count the people at a session
    client.force_login(s.officer)
    url = reverse("activities:create", args=["outreach"]) + f"?unit={s.commune.code}"
    # When the form is sent with the count left blank
    response = client.post(
        url,
        {"unit": s.commune.code, "date": "2025-03-07", "topic": "Chưa đếm", "participants": ""},
    )
    # Then the activity is saved with no count (not 0), and its page says so
    assert response.status_code == 302
    activity = Activity.objects.get(topic="Chưa đếm")
    assert activity.participants is None
    page = client.get(response["Location"]).content.decode()
    assert "chưa ghi" in page


def test_kept_values_that_do_not_fit_are_ignored(client, s):
    # Given a hand-made link with a foreign village, a bad date and a hidden character
    client.force_login(s.officer)
    url = reverse("activities:create", args=["outreach"])
    # When the form opens
    page = client.get(
        url,
        {"unit": s.commune.code, "date": "2025-13-40", "topic": "a\u202eb", "villages": "X1"},
    )
    # Then it opens (200) with none of them
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert "villages" not in initial and "topic" not in initial
    assert str(initial["date"]) != "2025-13-40"


def test_bad_input_is_shown_next_to_the_field_and_nothing_saved(client, s):
    client.force_login(s.officer)
    url = reverse("activities:create", args=["outreach"]) + f"?unit={s.commune.code}"
    response = client.post(
        url,
        {"unit": s.commune.code, "date": "2099-01-01", "topic": "X", "participants": "-4"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hãy nhập một số nguyên không âm" in html
    assert Activity.objects.count() == 1
    response = client.post(url, {"unit": s.commune.code, "date": "2099-01-01", "topic": "X"})
    assert response.status_code == 400
    assert "không được sau hôm nay" in response.content.decode()
    assert Activity.objects.count() == 1


def test_weapons_form_takes_item_lines(client, s):
    client.force_login(s.officer)
    url = reverse("activities:create", args=["weapons_surrender"]) + f"?unit={s.commune.code}"
    assert "items-TOTAL_FORMS" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "unit": s.commune.code,
            "date": "2025-03-08",
            "items-TOTAL_FORMS": "3",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "20",
            "items-0-item_kind": "sung",
            "items-0-quantity": "7",
            "items-0-description": "súng kíp",
            "items-1-item_kind": "dan",
            "items-1-quantity": "72",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get(kind="weapons_surrender")
    assert sorted(activity.items.values_list("item_kind", "quantity")) == [("dan", 72), ("sung", 7)]
    # an item line with a quantity of 0 is refused
    data = {
        "unit": s.commune.code,
        "date": "2025-03-08",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-item_kind": "sung",
        "items-0-quantity": "0",
    }
    assert client.post(url, data).status_code == 400
    assert Activity.objects.filter(kind="weapons_surrender").count() == 1


def test_edit_changes_the_numbers(client, s):
    client.force_login(s.chief)
    url = reverse("activities:edit", args=[s.activity.pk])
    assert "Phòng chống ma túy" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "unit": s.commune.code,
            "date": "2025-03-05",
            "topic": "Phòng chống ma túy",
            "title": "Đã sửa",
            "participants": "90",
            "leaflets": "10",
        },
    )
    assert response.status_code == 302
    s.activity.refresh_from_db()
    assert (s.activity.title, s.activity.participants) == ("Đã sửa", 90)
    value = DataValue.objects.get(metric__code="outreach_participants")
    assert value.value == 90


def test_photo_upload_strips_gps_and_serves_only_in_scope(client, s):
    client.force_login(s.officer)
    url = reverse("activities:photo_add", args=[s.activity.pk])
    response = client.post(
        url, {"image": SimpleUploadedFile("p.jpg", jpeg_with_gps()), "caption": "Buổi họp"}
    )
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get(caption="Buổi họp")
    served = client.get(reverse("activities:photo", args=[photo.pk]))
    body = b"".join(served.streaming_content)
    assert served["Content-Type"] == "image/jpeg"
    assert b"CameraMaker" not in body
    # a disguised file is refused with a message, nothing stored
    response = client.post(url, {"image": SimpleUploadedFile("p.jpg", b"%PDF-1.4 disguised")})
    assert response.status_code == 400
    assert "không phải là loại được nhận" in response.content.decode()
    assert ActivityPhoto.objects.filter(activity=s.activity).count() == 2


def test_export_lists_the_filtered_activities(client, s):
    record(s.officer, surrender(s.commune, [("sung", 2)]))
    client.force_login(s.officer)
    response = client.get(reverse("activities:export"), {"kind": "weapons_surrender"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert "Súng: 2" in rows[1]


def test_phone_form_has_a_kind_picker_and_numeric_keyboards(client, s):
    client.force_login(s.officer)
    html = client.get(reverse("activities:new")).content.decode()
    assert 'data-testid="kind-choices"' in html
    html = client.get(reverse("activities:create", args=["outreach"])).content.decode()
    assert 'inputmode="numeric"' in html
    assert 'name="viewport"' in html


def _stored(obj):
    from django.forms.models import model_to_dict

    return model_to_dict(type(obj).objects.get(pk=obj.pk))


def test_a_post_with_only_the_csrf_token_changes_nothing(client, s):
    # Given a stored activity
    before = _stored(s.activity)
    client.force_login(s.chief)
    # When its edit form is posted with nothing but the CSRF token
    client.post(reverse("activities:edit", args=[s.activity.pk]), {"csrfmiddlewaretoken": "x"})
    # Then nothing of it changed
    assert _stored(s.activity) == before


@pytest.mark.parametrize(
    "body", [{"participants": str(10**30)}, {"title": "Tuyên truyền\u202e"}, {"date": ""}]
)
def test_bad_input_on_the_edit_form_changes_nothing(client, s, body):
    # Given a stored activity
    before = _stored(s.activity)
    client.force_login(s.chief)
    # When its edit form carries an absurd number, a hidden character or a blank date
    response = client.post(reverse("activities:edit", args=[s.activity.pk]), body)
    # Then the form comes back with the error and nothing changed
    assert response.status_code == 400
    assert _stored(s.activity) == before
