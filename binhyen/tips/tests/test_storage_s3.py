"""Media on S3-compatible storage (MEDIA_STORAGE=s3): a tip's photo saved by the intake
service lands in the bucket and reads back through the storage API, with an in-process
fake of S3 (moto), as several app servers and workers share it in production."""

from __future__ import annotations

import boto3
import pytest
from django.urls import reverse
from moto import mock_aws

from binhyen.accounts.tests.factories import scene
from binhyen.tips import media, services
from binhyen.tips.models import TipMedia
from binhyen.tips.tests.factories import jpeg_with_gps, upload

pytestmark = pytest.mark.django_db

BUCKET = "binhyen-media-test"
REGION = "ap-southeast-1"


@pytest.fixture
def s3(settings, monkeypatch):
    """The bucket of an S3-compatible server (faked in-process) as the default storage."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": REGION,
                    "querystring_auth": True,
                    "default_acl": None,
                    "file_overwrite": False,
                },
            },
        }
        yield client


def test_a_tip_photo_is_stored_in_the_bucket_and_reads_back(s3):
    s = scene()
    # given a citizen's photo, cleaned by the intake
    cleaned = media.process_uploads([upload("anh.jpg", jpeg_with_gps())])
    # when the intake service stores the tip with it
    result = services.tip_submit(
        actor=None,
        data=services.TipInput(kind="crime", description="Ảnh kèm", commune_code=s.commune.code),
        channel="web",
        media=cleaned,
    )
    # then the object is in the bucket under the stored name, with the cleaned bytes
    item = TipMedia.objects.get(tip=result.tip)
    name = item.file.name or ""
    stored = s3.get_object(Bucket=BUCKET, Key=name)["Body"].read()
    assert stored == cleaned[0].content
    # and it reads back through the model's storage API (what the officer's view uses)
    with item.file.open("rb") as handle:
        assert handle.read() == cleaned[0].content
    assert item.file.storage.__class__.__name__ == "S3Storage"


def test_the_officer_view_streams_the_photo_from_the_bucket(s3, client):
    s = scene()
    # given a tip with a photo stored in the bucket
    cleaned = media.process_uploads([upload("anh.jpg", jpeg_with_gps())])
    result = services.tip_submit(
        actor=None,
        data=services.TipInput(kind="crime", description="Ảnh kèm", commune_code=s.commune.code),
        channel="web",
        media=cleaned,
    )
    item = TipMedia.objects.get(tip=result.tip)
    # when the commune officer opens it
    client.force_login(s.commune_officer)
    response = client.get(reverse("tips:media", args=[result.tip.pk, item.pk]))
    # then the bytes come from the bucket
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == cleaned[0].content
