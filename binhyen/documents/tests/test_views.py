"""The pages: draft, narrative, issue (number required and unique), downloads, templates, pack."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from binhyen.accounts.tests.factories import login_verified
from binhyen.documents.models import DocumentStatus, DocumentTemplate, IssuedDocument, RenderJob
from binhyen.documents.tests.test_services import text_of
from binhyen.documents.tests.test_templates import edited


def test_a_chief_drafts_edits_and_issues(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.commune_chief)
    page = client.get(reverse("documents:create"))
    assert page.status_code == 200
    response = client.post(
        reverse("documents:create"),
        {"template": "bao-cao-phong-trao-xa", "unit": world.commune.code, "period": "2026S1"},
    )
    doc = IssuedDocument.objects.get()
    assert response.status_code == 302
    detail = client.get(reverse("documents:detail", args=[doc.pk]))
    assert "narrative-form" in detail.content.decode()
    client.post(
        reverse("documents:edit", args=[doc.pk]),
        {"summary": doc.summary, "n_situation": "Tình hình ổn định."},
    )
    doc.refresh_from_db()
    assert doc.narrative["situation"] == "Tình hình ổn định."
    missing = client.post(reverse("documents:issue", args=[doc.pk]), {"number": ""})
    assert missing.status_code == 400
    assert "Cần nhập số văn bản" in missing.content.decode()
    client.post(reverse("documents:issue", args=[doc.pk]), {"number": "15"})
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.ISSUED
    word = client.get(reverse("documents:word", args=[doc.pk]))
    assert "Số: 15/BC-CAX" in text_of(b"".join(word.streaming_content))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:render", args=[doc.pk]), {"fmt": "docx"})
    job = RenderJob.objects.get()
    assert response.url == reverse("documents:job", args=[job.pk])
    assert "job-download" in client.get(response.url).content.decode()
    download = client.get(reverse("documents:job_download", args=[job.pk]))
    assert "Tình hình ổn định." in text_of(b"".join(download.streaming_content))


def test_a_duplicate_number_is_refused_on_the_page(world, client):
    client.force_login(world.commune_chief)
    for _attempt in (1, 2):
        client.post(
            reverse("documents:create"),
            {"template": "bao-cao-phong-trao-xa", "unit": world.commune.code, "period": "2026S1"},
        )
    first, second = IssuedDocument.objects.order_by("pk")
    client.post(reverse("documents:issue", args=[first.pk]), {"number": "9"})
    response = client.post(reverse("documents:issue", args=[second.pk]), {"number": "9"})
    assert response.status_code == 400
    assert "đã được dùng" in response.content.decode()
    second.refresh_from_db()
    assert second.status == DocumentStatus.DRAFT


def test_a_draft_of_an_open_period_says_so(world, client):
    client.force_login(world.commune_officer)
    client.post(
        reverse("documents:create"),
        {"template": "bao-cao-phong-trao-xa", "unit": world.commune.code, "period": "2099S1"},
    )
    doc = IssuedDocument.objects.get()
    assert "open-period" in client.get(reverse("documents:detail", args=[doc.pk])).content.decode()


def test_other_units_and_roles_get_404(world, client):
    client.force_login(world.commune_chief)
    client.post(
        reverse("documents:create"),
        {"template": "bao-cao-phong-trao-xa", "unit": world.commune.code, "period": "2026S1"},
    )
    doc = IssuedDocument.objects.get()
    client.force_login(world.far_officer)
    assert client.get(reverse("documents:detail", args=[doc.pk])).status_code == 404
    client.force_login(world.commune_officer)
    assert (
        client.post(reverse("documents:issue", args=[doc.pk]), {"number": "3"}).status_code == 404
    )


def test_template_upload_page_refuses_a_broken_template(world, client):
    login_verified(client, world.province_officer)
    broken = edited("bao-cao-phong-trao-xa", "I. TÌNH HÌNH CHUNG", "{{ khong_co }}")
    response = client.post(
        reverse("documents:template_upload", args=["bao-cao-phong-trao-xa"]),
        {
            "scope": world.province.code,
            "file": SimpleUploadedFile("mau.docx", broken),
        },
    )
    assert response.status_code == 400
    assert "khong_co" in response.content.decode()
    assert not DocumentTemplate.objects.exists()
    good = edited("bao-cao-phong-trao-xa", "I. TÌNH HÌNH CHUNG", "I. TÌNH HÌNH TỈNH")
    response = client.post(
        reverse("documents:template_upload", args=["bao-cao-phong-trao-xa"]),
        {"scope": world.province.code, "file": SimpleUploadedFile("mau.docx", good)},
    )
    assert response.status_code == 302
    listing = client.get(reverse("documents:templates")).content.decode()
    assert "v1" in listing
    download = client.get(reverse("documents:template_download", args=["bao-cao-phong-trao-xa"]))
    assert "I. TÌNH HÌNH TỈNH" in text_of(download.content)


def test_the_pack_page(world, client, django_capture_on_commit_callbacks, settings):
    settings.DOCUMENTS = {**settings.DOCUMENTS, "SOFFICE": "khong-co-soffice"}
    login_verified(client, world.province_officer)
    assert client.get(reverse("documents:pack")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:pack"), {"unit": world.province.code, "period": "2026S1"}
        )
    job = RenderJob.objects.get()
    assert response.url == reverse("documents:job", args=[job.pk])
    download = client.get(reverse("documents:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert io.BytesIO(b"".join(download.streaming_content)).read(2) == b"PK"


def test_the_profile_sets_the_symbol_and_signature(world, client):
    client.force_login(world.commune_chief)
    response = client.post(
        reverse("documents:profile", args=[world.commune.code]),
        {
            "symbol": "CAX-HH",
            "signer_prefix": "KT.",
            "signer_authority": "Trưởng Công an xã",
            "signer_title": "Phó Trưởng Công an xã",
            "signer_name": "Nguyễn Văn Bình",
            "recipients": "Công an tỉnh (PV05)\nĐảng ủy xã",
        },
    )
    assert response.status_code == 302
    client.post(
        reverse("documents:create"),
        {"template": "bao-cao-phong-trao-xa", "unit": world.commune.code, "period": "2026S1"},
    )
    doc = IssuedDocument.objects.get()
    assert doc.symbol == "BC-CAX-HH"
    client.post(reverse("documents:issue", args=[doc.pk]), {"number": "4"})
    text = text_of(b"".join(client.get(reverse("documents:word", args=[doc.pk])).streaming_content))
    assert "KT. TRƯỞNG CÔNG AN XÃ" in text
    assert "PHÓ TRƯỞNG CÔNG AN XÃ" in text
    assert "Nguyễn Văn Bình" in text
    assert "- Công an tỉnh (PV05);" in text
