"""Backups and restores: archive contents, verification, refusals, retention, both engines."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from binhyen.core.backup import (
    MANIFEST,
    BackupError,
    backup_create,
    backup_restore,
    backups_list,
    backups_prune,
)
from binhyen.core.models import AuditEvent

ON_SQLITE = connection.vendor == "sqlite"
ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    default_storage.save("tips/2026/photo.jpg", ContentFile(b"\xff\xd8 a photo"))
    return settings.MEDIA_ROOT


def sqlite_target(path: Path) -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def rewrite(archive: Path, out: Path, change) -> Path:
    """Copy ``archive`` to ``out`` with ``change(name, data) -> data`` applied to members."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            handle = src.extractfile(member)
            assert handle is not None
            data = handle.read()
            data = change(member.name, data)
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite archive")
@pytest.mark.django_db(transaction=True)  # the online backup reads committed data
class TestSqlite:
    def test_backup_then_restore_into_an_empty_database(self, media, tmp_path, settings):
        # Given data and a media file
        AuditEvent.objects.create(action="test.marker", actor_label="t")
        # When backed up and restored into a new database file and a new media directory
        result = backup_create(output_dir=tmp_path / "out")
        manifest = result.manifest
        assert result.path.name.startswith("binhyen-") and result.path.name.endswith(".tar.gz")
        assert manifest["engine"] == "sqlite"
        assert manifest["tables"]["core_auditevent"] == AuditEvent.objects.count()
        assert manifest["media_files"] == 1
        assert set(manifest["checksums"]) == {"database.sqlite3", "media/tips/2026/photo.jpg"}
        settings.MEDIA_ROOT = tmp_path / "restored-media"
        restored = backup_restore(archive=result.path, db=sqlite_target(tmp_path / "r.sqlite3"))
        # Then every table has the archived count and the media file is back
        import sqlite3

        conn = sqlite3.connect(tmp_path / "r.sqlite3")
        for table, count in manifest["tables"].items():
            query = f'SELECT COUNT(*) FROM "{table}"'  # noqa: S608
            assert conn.execute(query).fetchone()[0] == count
        conn.close()
        assert restored["media_restored"] == 1
        assert (tmp_path / "restored-media/tips/2026/photo.jpg").read_bytes() == b"\xff\xd8 a photo"

    def test_restore_refuses_a_database_that_is_not_empty(self, media, tmp_path):
        # Given a database already restored once
        archive = backup_create(output_dir=tmp_path / "out").path
        target = sqlite_target(tmp_path / "r.sqlite3")
        backup_restore(archive=archive, db=target)
        before = (tmp_path / "r.sqlite3").read_bytes()
        # When restored again, then it is refused and the file is unchanged
        with pytest.raises(BackupError, match="không trống"):
            backup_restore(archive=archive, db=target)
        assert (tmp_path / "r.sqlite3").read_bytes() == before

    def test_restore_refuses_a_corrupt_archive(self, media, tmp_path):
        # Given an archive cut in half
        archive = backup_create(output_dir=tmp_path / "out").path
        broken = tmp_path / "broken.tar.gz"
        broken.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
        # When restored, then refused and no database file appears
        with pytest.raises(BackupError, match="hỏng"):
            backup_restore(archive=broken, db=sqlite_target(tmp_path / "r.sqlite3"))
        assert not (tmp_path / "r.sqlite3").exists()

    def test_restore_refuses_an_altered_member(self, media, tmp_path):
        # Given an archive whose media file was changed after the manifest was written
        archive = backup_create(output_dir=tmp_path / "out").path
        altered = rewrite(
            archive,
            tmp_path / "altered.tar.gz",
            lambda name, data: b"tampered" if name.startswith("media/") else data,
        )
        # Then the checksum mismatch is refused with the member's name
        with pytest.raises(BackupError, match=r"media/tips/2026/photo\.jpg"):
            backup_restore(archive=altered, db=sqlite_target(tmp_path / "r.sqlite3"))
        assert not (tmp_path / "r.sqlite3").exists()

    def test_restore_refuses_mismatched_counts(self, media, tmp_path):
        # Given an archive whose manifest claims another row count
        archive = backup_create(output_dir=tmp_path / "out").path

        def lie(name, data):
            if name != MANIFEST:
                return data
            manifest = json.loads(data)
            manifest["tables"]["core_auditevent"] += 5
            return json.dumps(manifest).encode()

        altered = rewrite(archive, tmp_path / "lie.tar.gz", lie)
        # Then the restore refuses naming the table, and nothing is written
        with pytest.raises(BackupError, match="core_auditevent"):
            backup_restore(archive=altered, db=sqlite_target(tmp_path / "r.sqlite3"))
        assert not (tmp_path / "r.sqlite3").exists()

    def test_restore_refuses_another_engines_archive(self, media, tmp_path):
        # Given a SQLite archive and a PostgreSQL target
        archive = backup_create(output_dir=tmp_path / "out").path
        target = {"ENGINE": "django.db.backends.postgresql", "NAME": "nowhere"}
        # Then it is refused before anything is touched
        with pytest.raises(BackupError, match="sqlite"):
            backup_restore(archive=archive, db=target)

    def test_commands_report_and_refuse_with_a_message(self, media, tmp_path):
        # Given a backup made by the command
        out = io.StringIO()
        call_command("backup", "--output", str(tmp_path / "out"), stdout=out)
        assert "tables" in out.getvalue()
        # When `restore` gets a file that is not an archive
        junk = tmp_path / "junk.tar.gz"
        junk.write_bytes(b"not an archive")
        # Then it exits with a clear message
        with pytest.raises(CommandError, match="hỏng"):
            call_command("restore", str(junk))


def test_retention_keeps_the_newest(tmp_path):
    # Given five archives and an unrelated file
    names = [f"binhyen-2026120{i}T000000000000Z.tar.gz" for i in range(1, 6)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("keep me")
    # When pruned to three
    removed = backups_prune(directory=tmp_path, keep=3)
    # Then the two oldest went, the rest (and the unrelated file) stay
    assert sorted(p.name for p in removed) == names[:2]
    assert [p.name for p in backups_list(tmp_path)] == names[:1:-1]
    assert (tmp_path / "notes.txt").exists()
    with pytest.raises(BackupError):
        backups_prune(directory=tmp_path, keep=0)


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL archive")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
@pytest.mark.django_db(transaction=True)
class TestPostgres:
    @pytest.fixture
    def empty_db(self):
        import psycopg

        base = dict(settings.DATABASES["default"])
        name = f"binhyen_restore_{uuid.uuid4().hex[:10]}"
        params = {
            "host": base.get("HOST") or None,
            "port": base.get("PORT") or None,
            "user": base.get("USER") or None,
            "password": base.get("PASSWORD") or None,
            "dbname": "postgres",
            "autocommit": True,
        }
        with psycopg.connect(**params) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        yield {**base, "NAME": name}
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def test_dump_and_restore_with_equal_counts(self, media, tmp_path, empty_db):
        # Given committed data
        AuditEvent.objects.create(action="test.marker", actor_label="t")
        # When backed up with pg_dump and restored into an empty database
        result = backup_create(output_dir=tmp_path / "out")
        assert result.manifest["engine"] == "postgresql"
        assert "database.dump" in result.manifest["checksums"]
        backup_restore(archive=result.path, db=empty_db)
        # Then the restored counts equal the manifest's
        import psycopg

        with psycopg.connect(
            dbname=empty_db["NAME"],
            host=empty_db.get("HOST") or None,
            port=empty_db.get("PORT") or None,
            user=empty_db.get("USER") or None,
            password=empty_db.get("PASSWORD") or None,
        ) as conn:
            for table, count in result.manifest["tables"].items():
                query = f'SELECT COUNT(*) FROM "{table}"'  # noqa: S608
                found = conn.execute(query).fetchone()[0]
                assert found == count, table
        # And a second restore into the now non-empty database is refused
        with pytest.raises(BackupError, match="không trống"):
            backup_restore(archive=result.path, db=empty_db)

    def test_mismatched_counts_roll_back_everything(self, media, tmp_path, empty_db):
        # Given an archive whose manifest claims one row more
        archive = backup_create(output_dir=tmp_path / "out").path

        def lie(name, data):
            if name != MANIFEST:
                return data
            manifest = json.loads(data)
            manifest["tables"]["core_auditevent"] += 1
            return json.dumps(manifest).encode()

        altered = rewrite(archive, tmp_path / "lie.tar.gz", lie)
        # When restored, then refused and the database is still empty
        with pytest.raises(BackupError, match="core_auditevent"):
            backup_restore(archive=altered, db=empty_db)
        import psycopg

        with psycopg.connect(
            dbname=empty_db["NAME"],
            host=empty_db.get("HOST") or None,
            port=empty_db.get("PORT") or None,
            user=empty_db.get("USER") or None,
        ) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()[0]
        assert tables == 0
