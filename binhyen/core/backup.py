"""Backups and restores: the database and the media files in one dated, verifiable archive.

An archive ``binhyen-<UTC time>.tar.gz`` holds:
- ``database.sqlite3`` (SQLite's online backup API) or ``database.dump`` (``pg_dump -Fc``);
- ``media/<name>`` for every file of the default storage;
- ``manifest.json``: format, app version, engine, row count per table, SHA-256 of every
  other member.

Invariants:
- The row counts and the database copy come from the same snapshot (the copy itself on
  SQLite; an exported snapshot shared with ``pg_dump`` on PostgreSQL).
- An archive is written under a temporary name and renamed when complete, so a crashed
  backup never leaves a half archive that retention or a restore could pick.
- A restore goes only into an empty database and changes nothing unless every checksum and
  every row count matches: SQLite is checked on a scratch copy before it is copied in;
  PostgreSQL restores in one transaction that ends with the count checks, so a mismatch
  rolls everything back. Media files are written only after the database is in.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FORMAT = 1
PREFIX = "binhyen-"
SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
MEDIA_DIR = "media/"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused: the message says why, in the user's language."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def _engine_family(db: dict[str, Any]) -> str:
    engine = str(db["ENGINE"])
    if "sqlite" in engine:
        return "sqlite"
    if "postgres" in engine:
        return "postgresql"
    raise BackupError(_("Không hỗ trợ sao lưu cơ sở dữ liệu loại %(engine)s.") % {"engine": engine})


def _app_version() -> str:
    try:
        return metadata.version("binhyen")
    except metadata.PackageNotFoundError:
        return "unknown"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- PostgreSQL helpers -------------------------------------------------------------------


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    """Return the environment naming the server for libpq tools (password never on argv)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _pg_connect(db: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
    )


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("Không tìm thấy chương trình %(tool)s (gói postgresql-client).") % {"tool": name}
        )
    return path


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


# --- media --------------------------------------------------------------------------------


def _storage_files(storage: Storage, directory: str = "") -> Iterator[str]:
    """Yield every file name below ``directory`` of ``storage`` (any backend)."""
    try:
        dirs, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(dirs):
        yield from _storage_files(storage, f"{directory}/{sub}" if directory else sub)


class _HashingReader(io.RawIOBase):
    """A file wrapper that hashes what is read through it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


# --- backup -------------------------------------------------------------------------------


def _dump_sqlite(alias: str, target: Path) -> dict[str, int]:
    """Copy the live SQLite database to ``target``; return the copy's row counts."""
    connection = connections[alias]
    if connection.in_atomic_block:
        # SQLite's backup would wait forever for the open write transaction to end.
        raise BackupError(_("Không thể sao lưu bên trong một giao dịch đang mở."))
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    return _sqlite_counts(target)


def _sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            name: conn.execute(f"SELECT COUNT(*) FROM {_quote(name)}").fetchone()[0]  # noqa: S608
            for name in names
        }
    finally:
        conn.close()


def _dump_postgresql(db: dict[str, Any], target: Path) -> tuple[dict[str, int], str]:
    """``pg_dump -Fc`` into ``target`` from one exported snapshot; return its counts, schema."""
    pg_dump = _require_tool("pg_dump")
    from psycopg import IsolationLevel

    with contextlib.closing(_pg_connect(db)) as conn:
        conn.isolation_level = IsolationLevel.REPEATABLE_READ  # one snapshot: counts and dump
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_schema()")
            snapshot, schema = cursor.fetchone()
            counts = {
                table: cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0]  # noqa: S608
                for table in _pg_tables(cursor)
            }
            result = subprocess.run(  # noqa: S603
                [
                    pg_dump,
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(target),
                ],
                env=_pg_env(db),
                capture_output=True,
                text=True,
                check=False,
            )
        conn.rollback()
    if result.returncode != 0:
        raise BackupError(_("pg_dump thất bại: %(err)s") % {"err": result.stderr.strip()})
    return counts, schema


def backup_create(
    *, output_dir: Path, keep: int | None = None, alias: str = "default"
) -> BackupResult:
    """Write a dated archive of the database and the media into ``output_dir``.

    With ``keep``, only the ``keep`` newest archives of the directory remain afterwards.
    """
    db: dict[str, Any] = dict(settings.DATABASES[alias])
    engine = _engine_family(db)
    output_dir.mkdir(parents=True, exist_ok=True)
    created = datetime.now(tz=UTC)
    name = f"{PREFIX}{created:%Y%m%dT%H%M%S%fZ}{SUFFIX}"
    final = output_dir / name
    partial = output_dir / f".{name}.part"
    members: dict[str, str] = {}
    schema = ""
    with tempfile.TemporaryDirectory(prefix="binhyen-backup-") as scratch:
        if engine == "sqlite":
            db_member = "database.sqlite3"
            db_file = Path(scratch) / db_member
            counts = _dump_sqlite(alias, db_file)
        else:
            db_member = "database.dump"
            db_file = Path(scratch) / db_member
            counts, schema = _dump_postgresql(db, db_file)
        members[db_member] = _sha256_file(db_file)
        media_count = 0
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(db_file, arcname=db_member)
                for media_name in _storage_files(default_storage):
                    info = tarfile.TarInfo(MEDIA_DIR + media_name)
                    info.size = default_storage.size(media_name)
                    info.mtime = int(created.timestamp())
                    with default_storage.open(media_name, "rb") as handle:
                        reader = _HashingReader(handle)
                        archive.addfile(info, reader)  # type: ignore[arg-type]
                    members[MEDIA_DIR + media_name] = reader.digest.hexdigest()
                    media_count += 1
                manifest = {
                    "format": FORMAT,
                    "created_at": created.isoformat(),
                    "app_version": _app_version(),
                    "engine": engine,
                    "schema": schema,
                    "database": db_member,
                    "tables": counts,
                    "media_files": media_count,
                    "checksums": members,
                }
                payload = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(payload)
                info.mtime = int(created.timestamp())
                archive.addfile(info, io.BytesIO(payload))
            partial.rename(final)
        finally:
            partial.unlink(missing_ok=True)
    logger.info("backup written: %s (%d tables, %d media files)", final, len(counts), media_count)
    if keep is not None:
        backups_prune(directory=output_dir, keep=keep)
    return BackupResult(path=final, manifest=manifest)


def backups_list(directory: Path) -> list[Path]:
    """Return the archives of ``directory``, newest first (names sort by time)."""
    if not directory.is_dir():
        return []
    found = [
        p for p in directory.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX)
    ]
    return sorted(found, key=lambda p: p.name, reverse=True)


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest archives of ``directory``; return those deleted."""
    if keep < 1:
        raise BackupError(_("Số bản sao lưu giữ lại phải từ 1 trở lên."))
    removed = backups_list(directory)[keep:]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


# --- restore ------------------------------------------------------------------------------


def _read_archive(archive_path: Path, scratch: Path) -> dict[str, Any]:
    """Extract ``archive_path`` into ``scratch`` and verify it; return its manifest."""
    corrupt = _("Tệp sao lưu %(name)s hỏng hoặc không phải bản sao lưu của Bình Yên.") % {
        "name": archive_path.name
    }
    if not archive_path.is_file():
        raise BackupError(_("Không có tệp sao lưu %(name)s.") % {"name": archive_path})
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            names = archive.getnames()
            if MANIFEST not in names:
                raise BackupError(corrupt)
            handle = archive.extractfile(MANIFEST)
            if handle is None:
                raise BackupError(corrupt)
            manifest = json.loads(handle.read())
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError(corrupt)
            checksums: dict[str, str] = manifest["checksums"]
            extra = set(names) - set(checksums) - {MANIFEST}
            missing = set(checksums) - set(names)
            if extra or missing:
                raise BackupError(corrupt)
            for member in archive.getmembers():
                if member.name == MANIFEST:
                    continue
                target = (scratch / member.name).resolve()
                if not member.isfile() or not target.is_relative_to(scratch.resolve()):
                    raise BackupError(corrupt)
                source = archive.extractfile(member)
                if source is None:
                    raise BackupError(corrupt)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    for chunk in iter(lambda s=source: s.read(_CHUNK), b""):  # type: ignore[misc]
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != checksums[member.name]:
                    raise BackupError(
                        _("Mã kiểm tra của %(member)s trong %(name)s không khớp: tệp đã bị hỏng.")
                        % {"member": member.name, "name": archive_path.name}
                    )
    except BackupError:
        raise
    except (
        tarfile.TarError,
        EOFError,
        zlib.error,
        OSError,
        ValueError,
        KeyError,
        TypeError,
    ) as exc:
        raise BackupError(corrupt) from exc
    return manifest


def _count_mismatch(expected: dict[str, int], found: dict[str, int]) -> str | None:
    for table in sorted(set(expected) | set(found)):
        if expected.get(table) != found.get(table):
            return _(
                "Số dòng của bảng %(table)s không khớp: bản sao lưu ghi %(e)s, đọc được %(f)s."
            ) % {
                "table": table,
                "e": expected.get(table, "—"),
                "f": found.get(table, "—"),
            }
    return None


def _sqlite_is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    return not _sqlite_counts(path)


def _restore_sqlite(db: dict[str, Any], manifest: dict[str, Any], scratch: Path) -> None:
    name = str(db["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("Không thể phục hồi vào cơ sở dữ liệu trong bộ nhớ."))
    target = Path(name)
    if not _sqlite_is_empty(target):
        raise BackupError(
            _("Cơ sở dữ liệu %(db)s không trống: chỉ phục hồi vào cơ sở dữ liệu trống.")
            % {"db": target.name}
        )
    copy = scratch / manifest["database"]
    problem = _count_mismatch(manifest["tables"], _sqlite_counts(copy))
    if problem:
        raise BackupError(problem)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _restore_postgresql(db: dict[str, Any], manifest: dict[str, Any], scratch: Path) -> None:
    pg_restore = _require_tool("pg_restore")
    psql = _require_tool("psql")
    with contextlib.closing(_pg_connect(db)) as conn, conn.cursor() as cursor:
        if _pg_tables(cursor):
            raise BackupError(
                _("Cơ sở dữ liệu %(db)s không trống: chỉ phục hồi vào cơ sở dữ liệu trống.")
                % {"db": db["NAME"]}
            )
        cursor.execute("SELECT current_schema()")
        schema = manifest.get("schema") or cursor.fetchone()[0]
    script = scratch / "restore.sql"
    result = subprocess.run(  # noqa: S603
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "-f",
            str(script),
            str(scratch / manifest["database"]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(_("pg_restore thất bại: %(err)s") % {"err": result.stderr.strip()})
    # The count checks end the same transaction: a mismatch raises and rolls it all back.
    checks = ["DO $restore_check$ BEGIN"]
    for table, count in sorted(manifest["tables"].items()):
        qualified = f"{_quote(schema)}.{_quote(table)}"
        checks.append(
            # Names are quoted identifiers/literals and counts are ints: no injection.
            f"IF (SELECT COUNT(*) FROM {qualified}) <> {int(count)} THEN "  # noqa: S608
            f"RAISE EXCEPTION 'binhyen-count-mismatch %', {_literal(table)}; END IF;"
        )
    checks.append("END $restore_check$;")
    with script.open("a", encoding="utf-8") as handle:
        handle.write("\n" + "\n".join(checks) + "\n")
    result = subprocess.run(  # noqa: S603
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", str(script)],
        env=_pg_env(db),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        marker = "binhyen-count-mismatch "
        if marker in result.stderr:
            table = result.stderr.split(marker, 1)[1].split()[0]
            raise BackupError(
                _("Số dòng của bảng %(table)s không khớp với bản sao lưu; không phục hồi gì.")
                % {"table": table}
            )
        raise BackupError(_("Phục hồi thất bại: %(err)s") % {"err": result.stderr.strip()[-500:]})


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _restore_media(scratch: Path) -> int:
    media_root = scratch / MEDIA_DIR.rstrip("/")
    if not media_root.is_dir():
        return 0
    count = 0
    for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
        name = path.relative_to(media_root).as_posix()
        if default_storage.exists(name):
            default_storage.delete(name)
        with path.open("rb") as handle:
            default_storage.save(name, File(handle, name=name))
        count += 1
    return count


def backup_restore(*, archive: Path, db: dict[str, Any] | None = None) -> dict[str, Any]:
    """Restore ``archive`` into the empty database ``db`` (default: the default database).

    Refuses (``BackupError``, nothing changed) a corrupt or altered archive, another engine's
    archive, a non-empty database and any row count that differs from the manifest.
    """
    target: dict[str, Any] = dict(db if db is not None else settings.DATABASES["default"])
    engine = _engine_family(target)
    with tempfile.TemporaryDirectory(prefix="binhyen-restore-") as scratch_name:
        scratch = Path(scratch_name)
        manifest = _read_archive(archive, scratch)
        if manifest.get("engine") != engine:
            raise BackupError(
                _("Bản sao lưu là của %(archive)s, cơ sở dữ liệu đích là %(target)s.")
                % {"archive": manifest.get("engine"), "target": engine}
            )
        if engine == "sqlite":
            _restore_sqlite(target, manifest, scratch)
        else:
            _restore_postgresql(target, manifest, scratch)
        manifest["media_restored"] = _restore_media(scratch)
    return manifest
