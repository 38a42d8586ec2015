"""数据备份与恢复 — one archive file holding the database and the uploaded files (``manage.py backup`` /
``manage.py restore``; 等保 8.1.4.9, docs/security.md).

The archive is a ``.tar.gz`` with

- ``manifest.json``: the format, the time, the database vendor, the schema version (the latest applied
  migration of every app) and the number of media files;
- ``database.sqlite3`` (SQLite: a copy taken with the sqlite3 online backup API, consistent while the app
  runs) or ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``, one snapshot);
- ``media/…``: every file under ``MEDIA_ROOT``.

Restoring checks the manifest against this code's migrations (refused when they differ, unless ``force``) and
refuses to overwrite a database that holds data (unless ``force``). It is atomic enough that a failed restore
leaves the old data: SQLite — the archive's file is unpacked and checked (``PRAGMA integrity_check``) beside
the database, then copied over it with the backup API in one write transaction (readers see the old or the new
database, never a mix); PostgreSQL — ``pg_restore --single-transaction --clean --if-exists`` (the audit table
and its append-only triggers are dropped and re-created from the dump inside that transaction). The media
directory is swapped only after the database is restored: unpacked beside ``MEDIA_ROOT``, then renamed.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "gongzhi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_MEMBER = "media"
# tables migrations fill by themselves: rows there do not make a database "non-empty"
SEEDED_BY_MIGRATIONS = {"django_migrations", "django_content_type", "auth_permission", "core_holiday",
                        "workorders_category", "workorders_servicelevel"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do (shown to the operator)."""


# --- schema version --------------------------------------------------------------------------------------------


def applied_schema(alias: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The latest applied migration of every app in the database (migration names sort by their number)."""
    latest: dict[str, str] = {}
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return latest
    for app, name in recorder.migration_qs.values_list("app", "name"):
        if name > latest.get(app, ""):
            latest[app] = name
    return latest


def code_schema() -> dict[str, str]:
    """The latest migration of every app in this code (the leaves of the migration graph)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    latest: dict[str, str] = {}
    for app, name in loader.graph.leaf_nodes():
        if name > latest.get(app, ""):
            latest[app] = name
    return latest


def schema_difference(theirs: dict[str, str], ours: dict[str, str]) -> list[str]:
    """Human-readable lines for every app whose latest migration differs ("app: archive → code")."""
    return [f"{app}: {theirs.get(app, '—')} → {ours.get(app, '—')}"
            for app in sorted(set(theirs) | set(ours)) if theirs.get(app) != ours.get(app)]


def data_tables_with_rows(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables (beyond what migrations fill themselves) holding at least one row."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        quote = connection.ops.quote_name
        full = []
        for name in sorted(set(names) - SEEDED_BY_MIGRATIONS):
            cursor.execute(f"SELECT 1 FROM {quote(name)} LIMIT 1")
            if cursor.fetchone() is not None:
                full.append(name)
    return full


# --- the pieces --------------------------------------------------------------------------------------------------


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump / pg_restore from Django's settings for the database."""
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args + ["--dbname", str(settings_dict["NAME"]), "--no-password"], env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} 不在 PATH 中：请安装与数据库服务器同版本的 PostgreSQL 客户端工具 "
                          f"(postgresql-client), then run again ({name} is not on PATH)")
    return path


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _dump_database(alias: str, into: Path) -> str:
    """Write the database into ``into`` (a directory); return the archive member's name."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(into / SQLITE_MEMBER)
        try:
            connection.connection.backup(target)  # the online backup API: one consistent copy, app running
        finally:
            target.close()
        return SQLITE_MEMBER
    if connection.vendor == "postgresql":
        args, env = _pg_args(connection.settings_dict)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(into / PG_MEMBER), *args], env)
        return PG_MEMBER
    raise BackupError(f"不支持的数据库：{connection.vendor} (only SQLite and PostgreSQL)")


# --- backup ---------------------------------------------------------------------------------------------------


def backup(path: str | os.PathLike, *, alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write the archive to ``path`` (written beside it, then renamed: never a half-written archive under that
    name). Returns the manifest."""
    target = Path(path).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[alias]
    media = _media_root()
    with tempfile.TemporaryDirectory(prefix="gongzhi-backup-") as work:
        work_dir = Path(work)
        member = _dump_database(alias, work_dir)
        files = _media_files(media)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "database": member,
            "schema": applied_schema(alias),
            "media_files": len(files),
        }
        (work_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        os.close(fd)
        try:
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(work_dir / MANIFEST, arcname=MANIFEST)
                tar.add(work_dir / member, arcname=member)
                for f in files:
                    tar.add(f, arcname=f"{MEDIA_MEMBER}/{f.relative_to(media).as_posix()}", recursive=False)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return manifest


# --- restore --------------------------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        raw = tar.extractfile(MANIFEST)
    except KeyError:
        raw = None
    if raw is None:
        raise BackupError("不是共治备份文件：缺少 manifest.json (not a Gongzhi backup)")
    try:
        manifest = json.loads(raw.read().decode("utf-8"))
    except ValueError as exc:
        raise BackupError(f"备份清单无法读取 (manifest.json unreadable): {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("不是共治备份文件 (not a Gongzhi backup)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"备份格式版本 {manifest.get('format_version')} 不受支持 (expected {FORMAT_VERSION})")
    return manifest


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Regular files and directories with relative names inside the archive only (no links, no ``..``)."""
    members = []
    for m in tar.getmembers():
        parts = Path(m.name).parts
        if m.name.startswith("/") or ".." in parts or not (m.isfile() or m.isdir()):
            raise BackupError(f"备份文件中有不安全的条目：{m.name!r} (unsafe archive member)")
        members.append(m)
    return members


def _restore_sqlite(alias: str, db_file: Path) -> None:
    check = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份中的数据库文件已损坏 (database file damaged): {exc}") from exc
    finally:
        check.close()
    if not result or result[0] != "ok":
        raise BackupError(f"备份中的数据库文件已损坏 (integrity_check: {result})")
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("restore cannot run inside a transaction")
    connection.ensure_connection()
    source = sqlite3.connect(db_file)
    try:
        # every page in one step: one write transaction on the live database, rolled back if it fails
        source.backup(connection.connection, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"恢复数据库失败，原数据未改动 (restore failed, old data kept): {exc}") from exc
    finally:
        source.close()
    connection.close()  # the next query opens the restored database afresh (pragmas, schema cache)


def _restore_postgresql(alias: str, dump: Path) -> None:
    connection = connections[alias]
    args, env = _pg_args(connection.settings_dict)
    connection.close()  # hold no locks on the tables pg_restore drops
    _run([_tool("pg_restore"), "--single-transaction", "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--exit-on-error", *args, str(dump)], env)


def _swap_media(unpacked: Path) -> None:
    """Put the unpacked files in place of ``MEDIA_ROOT``: two renames; when the directory cannot be renamed (it is
    a mount point, a volume of its own), its contents are replaced instead, the new files copied in first."""
    media = _media_root()
    media.parent.mkdir(parents=True, exist_ok=True)
    old = media.with_name(f".{media.name}.before-restore")
    if old.exists():
        shutil.rmtree(old)
    try:
        if media.exists():
            os.replace(media, old)
        os.replace(unpacked, media)
    except OSError:
        if old.exists() and not media.exists():
            os.replace(old, media)
        _replace_contents(media, unpacked)
    if old.exists():
        shutil.rmtree(old)


def _replace_contents(media: Path, unpacked: Path) -> None:
    media.mkdir(parents=True, exist_ok=True)
    incoming = media / ".gongzhi-restore-incoming"
    if incoming.exists():
        shutil.rmtree(incoming)
    shutil.copytree(unpacked, incoming)
    for child in media.iterdir():
        if child != incoming:
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    for child in incoming.iterdir():
        os.replace(child, media / child.name)
    incoming.rmdir()


def restore(path: str | os.PathLike, *, force: bool = False, alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Restore the archive at ``path`` into the database and ``MEDIA_ROOT``. Returns its manifest."""
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"找不到备份文件：{source} (no such file)")
    connection = connections[alias]
    try:
        tar = tarfile.open(source, "r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"备份文件无法打开 (cannot open archive): {exc}") from exc
    with tar:
        manifest = read_manifest(tar)
        if manifest.get("vendor") != connection.vendor:
            raise BackupError(f"备份来自 {manifest.get('vendor')} 数据库，当前是 {connection.vendor}："
                              "不能跨数据库恢复 (the archive is from another database vendor)")
        diff = schema_difference(manifest.get("schema") or {}, code_schema())
        if diff and not force:
            raise BackupError("备份的数据库结构版本与当前程序不同，拒绝恢复（确认无误可加 --force）"
                              " (schema version differs): " + "; ".join(diff))
        full = data_tables_with_rows(alias)
        if full and not force:
            raise BackupError("当前数据库已有数据，拒绝覆盖（确认覆盖请加 --force）"
                              f" (the database is not empty: {', '.join(full[:5])}{' …' if len(full) > 5 else ''})")
        members = _safe_members(tar)
        media = _media_root()
        media.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".gongzhi-restore-", dir=media.parent) as work:
            work_dir = Path(work)
            tar.extractall(work_dir, members=members)
            member = manifest.get("database")
            if member not in (SQLITE_MEMBER, PG_MEMBER) or not (work_dir / member).is_file():
                raise BackupError("备份文件中没有数据库 (no database in the archive)")
            unpacked_media = work_dir / MEDIA_MEMBER
            unpacked_media.mkdir(exist_ok=True)
            if connection.vendor == "sqlite":
                _restore_sqlite(alias, work_dir / member)
            else:
                _restore_postgresql(alias, work_dir / member)
            _swap_media(unpacked_media)
    return manifest
