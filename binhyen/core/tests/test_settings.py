"""The deployment settings: production values pass Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_check_deploy_reports_nothing_with_production_values():
    # given production-like environment values
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-3f9a1c7e5b",
        ALLOWED_HOSTS="binhyen.example.vn",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    # when Django's deployment checks run
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then nothing is reported
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_missing_secret_key_fails_loudly_in_production():
    # given DEBUG off and no SECRET_KEY
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings")
    # when any command starts
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then it refuses to start and says why
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_collectstatic_succeeds_with_production_values(tmp_path):
    # given production values and an empty static root
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-3f9a1c7e5b",
        ALLOWED_HOSTS="binhyen.example.vn",
        DJANGO_SETTINGS_MODULE="config.settings",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    # when the deployment step collects the static files (hashed manifest, compressed)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # then every file and every file it names (source maps, fonts, images) is found
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()


def _settings_in_subprocess(**values: str) -> dict:
    import json

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL", "MEDIA_STORAGE"}
    }
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings", **values)
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'storages': s.STORAGES, 'databases': s.DATABASES}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_several_machines_settings_come_from_the_environment():
    # given the variables of a deployment on several machines
    loaded = _settings_in_subprocess(
        DATABASE_URL="postgres://app@db1:5432/binhyen",
        DATABASE_REPLICA_URL="postgres://app@db2:5432/binhyen",
        DATABASE_STATEMENT_TIMEOUT_MS="15000",
        MEDIA_STORAGE="s3",
        AWS_S3_ENDPOINT_URL="http://s3.intranet:9000",
        AWS_STORAGE_BUCKET_NAME="media",
    )
    # then a replica alias mirrors the primary in tests, statements are bounded,
    databases = loaded["databases"]
    assert databases["replica"]["HOST"] == "db2"
    assert databases["replica"]["TEST"]["MIRROR"] == "default"
    assert databases["default"]["OPTIONS"]["options"] == "-c statement_timeout=15000"
    assert databases["default"]["CONN_HEALTH_CHECKS"] is True
    # and media go to the bucket
    media = loaded["storages"]["default"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    assert media["OPTIONS"]["endpoint_url"] == "http://s3.intranet:9000"
    assert media["OPTIONS"]["bucket_name"] == "media"


def test_local_disk_and_one_database_stay_the_default():
    # given no deployment variables / then media on disk and no replica
    loaded = _settings_in_subprocess()
    assert loaded["storages"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert set(loaded["databases"]) == {"default"}
