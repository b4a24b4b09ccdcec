"""English is complete: every catalogue is compiled cleanly, fully translated and up to date.

Vietnamese is the source language (the msgids); each app keeps its English catalogue in
``binhyen/<app>/locale/en`` and the shared templates theirs in ``locale/en`` (ADR 0004).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
APPS = sorted(p.parent.name for p in (ROOT / "binhyen").glob("*/apps.py"))
PO = "locale/en/LC_MESSAGES/django.po"


def _msgids(po: Path) -> set[str]:
    """Return the msgids (singular) of a catalogue, joining continued lines."""
    ids: set[str] = set()
    current: list[str] | None = None
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current = [ast.literal_eval(line[6:])]
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        else:
            if current is not None and "".join(current):
                ids.add("".join(current))
            current = None
    return ids


def _catalogues() -> list[Path]:
    found = [ROOT / "binhyen" / app / PO for app in APPS]
    return [p for p in found if p.exists()] + [ROOT / PO]


def _app_has_strings(app: str) -> bool:
    for path in (ROOT / "binhyen" / app).rglob("*"):
        if "tests" in path.parts or path.suffix not in {".py", ".html", ".txt"}:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if "translate" in text or "gettext" in text or "{% trans" in text or "_(" in text:
            return True
    return False


@pytest.mark.parametrize("app", APPS)
def test_every_app_with_strings_has_an_english_catalogue(app):
    if _app_has_strings(app):
        assert (ROOT / "binhyen" / app / PO).exists(), f"run tools/messages.sh {app}"


@pytest.mark.parametrize("po", _catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_fully_translated(po):
    # when the catalogue is checked by msgfmt
    result = subprocess.run(
        ["msgfmt", "-c", "--statistics", "-o", os.devnull, str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    # then it compiles with every message translated and none fuzzy
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize("app", [*APPS, "project"])
def test_catalogue_covers_every_source_string(app, tmp_path):
    # given a fresh extraction of the app's strings in a scratch copy
    if app == "project":
        src = tmp_path / "project"
        (src / "binhyen").mkdir(parents=True)
        shutil.copytree(ROOT / "binhyen" / "templates", src / "binhyen" / "templates")
        shutil.copytree(ROOT / "config", src / "config")
        committed = ROOT / PO
    else:
        if not _app_has_strings(app):
            pytest.skip("no translatable strings")
        src = tmp_path / app
        shutil.copytree(
            ROOT / "binhyen" / app,
            src,
            ignore=shutil.ignore_patterns("locale", "tests", "__pycache__"),
        )
        committed = ROOT / "binhyen" / app / PO
    (src / "locale").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "-P",
            "-m",
            "django",
            "makemessages",
            "-l",
            "en",
            "--no-location",
            "-e",
            "html,txt,py",
            "-v",
            "0",
        ],
        cwd=src,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = _msgids(src / PO)
    # then the committed catalogue already has every one of them
    missing = sorted(fresh - _msgids(committed))
    assert not missing, (
        f"{len(missing)} strings missing: run tools/messages.sh {app}; first: {missing[:5]}"
    )
