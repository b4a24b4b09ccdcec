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
