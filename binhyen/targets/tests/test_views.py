"""Pages: scope, bad input as 400 with the field's message, Excel out, empty states."""

from __future__ import annotations

import pytest
from django.urls import reverse

from binhyen.accounts.tests.factories import login_verified
from binhyen.targets.models import Plan, Target
from binhyen.targets.tests.factories import plan, scene, schemes_target, this_year

pytestmark = pytest.mark.django_db


def test_unit_page_empty_state_and_scope(client):
    s = scene()
    login_verified(client, s.officer)
    page = client.get(reverse("targets:unit", args=[s.province.code]))
    assert page.status_code == 200 and 'data-testid="empty-state"' in page.content.decode()
    assert client.get(reverse("targets:unit", args=[s.far_commune.code])).status_code == 404
    assert client.get(reverse("targets:index")).status_code == 200


def test_target_form_shows_the_denominator_error(client):
    s = scene()
    login_verified(client, s.officer)
    response = client.post(
        reverse("targets:create", args=[s.province.code]),
        {
            "metric": "villages_pledged",
            "kind": "rate",
            "comparison": "at_least",
            "value": "70",
            "period": str(this_year()),
        },
    )
    assert response.status_code == 400
    assert "Chỉ tiêu tỷ lệ cần mẫu số" in response.content.decode()
    assert not Target.objects.exists()


def test_viewer_reads_but_cannot_write(client):
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    login_verified(client, s.viewer)
    assert client.get(reverse("targets:target", args=[target.pk])).status_code == 200
    assert client.get(reverse("targets:create", args=[s.province.code])).status_code == 404
    assert (
        client.post(reverse("targets:allocate", args=[target.pk]), {"method": "equal"}).status_code
        == 404
    )


def test_allocate_page_and_revision(client):
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    login_verified(client, s.officer)
    url = reverse("targets:allocate", args=[target.pk])
    assert client.post(url, {"method": "equal"}).status_code == 302
    assert client.post(url, {"method": "population", "note": "Điều chỉnh"}).status_code == 302
    page = client.get(reverse("targets:target", args=[target.pk])).content.decode()
    assert page.count('data-testid="allocation-version"') == 2
    bad = client.post(url, {"method": "last_year"})
    assert bad.status_code == 400 and "năm trước" in bad.content.decode()


def test_excel_exports(client):
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    login_verified(client, s.officer)
    export = client.get(reverse("targets:unit_export", args=[s.province.code]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")
    sheet = client.get(reverse("targets:allocation_sheet", args=[target.pk]))
    assert sheet.status_code == 200
    template = client.get(reverse("targets:import", args=[s.province.code]) + "?template=1")
    assert template.status_code == 200


def test_allocation_upload_errors_are_listed(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    login_verified(client, s.officer)
    response = client.post(
        reverse("targets:allocation_import", args=[target.pk]),
        {"file": SimpleUploadedFile("a.txt", b"abc")},
    )
    assert response.status_code == 400
    assert "Chỉ nhận tệp Excel" in response.content.decode()


def test_plan_register_search_and_create(client):
    s = scene()
    plan(s.officer, s.province, title="Nghị quyết về công tác bảo đảm An ninh", kind="resolution")
    login_verified(client, s.viewer)
    found = client.get(reverse("targets:plans"), {"q": "an ninh"}).content.decode()
    assert "Nghị quyết về công tác" in found
    login_verified(client, s.officer)
    response = client.post(
        reverse("targets:plan_create") + f"?unit={s.province.code}",
        {
            "kind": "plan",
            "number": "",
            "issued_on": "2026-01-05",
            "title": "KH",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 400
    assert Plan.objects.count() == 1


def test_campaign_pages(client):
    s = scene()
    login_verified(client, s.officer)
    assert client.get(reverse("targets:campaigns")).status_code == 200
    assert client.get(reverse("targets:campaign_create")).status_code == 200
    response = client.post(
        reverse("targets:campaign_create"),
        {
            "name": "Đợt cao điểm",
            "start": "2026-01-05",
            "end": "2026-02-01",
            "frequency": "week",
            "units": "",
            "metric": "crimes",
            "target": "10",
        },
    )
    assert response.status_code == 400
    assert "crimes" in response.content.decode()


def test_hotspot_targets_page_action(client):
    s = scene()
    login_verified(client, s.officer)
    url = reverse("targets:hotspot_seed", args=[s.province.code])
    assert client.post(url, {"year": "abc"}).status_code == 302
    assert Target.objects.filter(orgunit=s.province).count() == 2
    login_verified(client, s.chief)
    response = client.post(reverse("targets:hotspot_seed", args=[s.communes[0].code]), {})
    assert response.status_code == 302
    assert not Target.objects.filter(orgunit=s.communes[0]).exists()


def test_an_allocated_target_links_to_its_source_only_when_visible(client):
    # Given a province target allocated to its communes
    from binhyen.targets import services
    from binhyen.targets.models import AllocationMethod

    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    services.allocation_create(actor=s.officer, target=target, method=AllocationMethod.EQUAL)
    mine = Target.objects.get(parent=target, orgunit=s.communes[0])
    source = reverse("targets:target", args=[target.pk])
    # When the commune chief opens the commune's share: the province is named, not linked
    login_verified(client, s.chief)
    text = client.get(reverse("targets:target", args=[mine.pk])).content.decode()
    assert s.province.name in text and f'href="{source}"' not in text
    # And the province officer gets the link
    client.logout()
    login_verified(client, s.officer)
    text = client.get(reverse("targets:target", args=[mine.pk])).content.decode()
    assert f'href="{source}"' in text
