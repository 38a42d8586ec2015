"""数据备份与恢复 (等保 8.1.4.9): ``manage.py backup`` then ``manage.py restore`` gives back every table row by
row and every uploaded file, on SQLite and on PostgreSQL; restore refuses a non-empty database, an archive of
another schema version and a damaged archive, and a refused or failed restore leaves the data as it was."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from gongzhi.assembly import actions as assembly_actions
from gongzhi.core.backup import MANIFEST
from gongzhi.core.events import Verb
from gongzhi.core.models import Event
from gongzhi.people.models import Person
from gongzhi.places.models import Place
from gongzhi.workorders import actions
from gongzhi.workorders.models import Attachment, Request

from .assembly.conftest import compound_staff, estate, make_open, open_vote  # noqa: F401
from .workorders.conftest import managed, png, utilities  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _vendor_tools():
    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore not on PATH")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def world(media, tree, resident, utilities, managed, estate, compound_staff):  # noqa: F811
    """Places and people (the cast), a request with a photo, an open vote with a ballot cast."""
    req = actions.file_request(by=resident, category=utilities, description="厨房水管漏水", place=tree["household"],
                               photos=[png("漏水.png")])
    vote = make_open(assembly_actions.announce_vote(open_vote(estate, compound_staff), by=compound_staff))
    assembly_actions.cast_ballot(vote, by=estate["owners"]["B"], choice="yes")
    assert Attachment.objects.filter(request=req).count() == 1
    return req


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table the models know, ordered by primary key (the restore's own event left out)."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        qs = model._base_manager.order_by("pk")
        if model is Event:
            qs = qs.exclude(verb=Verb.RESTORE)
        rows[meta.label] = list(qs.values_list())
    return rows


def media_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_round_trip_gives_back_every_row_and_every_file(world, media, tmp_path, resident):
    archive = tmp_path / "backup.tar.gz"
    before, files_before = snapshot(), media_files(media)
    assert any(name.startswith("requests/") for name in files_before)
    assert sum(len(v) for v in before.values()) > 50

    call_command("backup", str(archive), stdout=io.StringIO())
    backed_up = Event.objects.filter(verb=Verb.BACKUP)
    assert backed_up.count() == 1 and backed_up.get().actor is None
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
    assert manifest["vendor"] == connection.vendor
    assert manifest["schema"]["workorders"] and manifest["schema"]["core"]
    assert manifest["media_files"] == len(files_before)

    # a bad day: data changed and deleted, a photo lost, a stray file, more filings
    Person.objects.filter(pk=resident.person.pk).update(name="改过的名字")
    Place.objects.filter(pk=world.place_id).update(name="改过的房号")
    photo = Attachment.objects.get(request=world)
    photo_name = photo.file.name
    photo.file.delete(save=False)
    photo.delete()
    (media / "stray.txt").write_text("不该留下")
    actions.file_request(by=resident, category=world.category, description="又一条", place=world.place)
    assert snapshot() != before

    with pytest.raises(CommandError, match="已有数据"):
        call_command("restore", str(archive), stdout=io.StringIO())
    call_command("restore", str(archive), "--force", stdout=io.StringIO())

    after = snapshot()
    assert after.keys() == before.keys()
    for label in before:
        assert after[label] == before[label], f"{label} differs after restore"
    assert media_files(media) == files_before
    assert Request.objects.get(pk=world.pk).photos.get().file.read() == files_before[photo_name]
    # the restore is in the restored history, the backup's own event is not (it came after the copy)
    assert Event.objects.filter(verb=Verb.RESTORE).count() == 1
    assert not Event.objects.filter(verb=Verb.BACKUP).exists()
    # the restored sequences go on from where the backup was: a new filing takes a fresh id and number
    again = actions.file_request(by=resident, category=world.category, description="恢复后再报", place=world.place)
    assert again.pk > max(r[0] for r in before["workorders.Request"])


def _rewrite(archive: Path, out: Path, *, manifest=None, database: bytes | None = None) -> Path:
    """A copy of ``archive`` with its manifest edited or its database replaced."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read() if m.isfile() else None
            if m.name == MANIFEST and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif m.name.startswith("database.") and database is not None:
                data = database
            if data is not None:
                m.size = len(data)
                dst.addfile(m, io.BytesIO(data))
            else:
                dst.addfile(m)
    return out


def _older_schema(manifest):
    manifest["schema"]["workorders"] = "0001_initial"
    return manifest


def test_refusals_leave_the_data_as_it_was(world, media, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    Place.objects.filter(pk=world.place_id).update(name="恢复前的房号")
    before, files_before = snapshot(), media_files(media)

    older = _rewrite(archive, tmp_path / "older.tar.gz", manifest=_older_schema)
    with pytest.raises(CommandError, match="结构版本"):
        call_command("restore", str(older), stdout=io.StringIO())
    damaged = _rewrite(archive, tmp_path / "damaged.tar.gz", database=b"SQLite format 3\x00" + b"\x00" * 5000)
    with pytest.raises(CommandError):
        call_command("restore", str(damaged), "--force", stdout=io.StringIO())
    (tmp_path / "not-a-backup.tar.gz").write_bytes(b"hello")
    with pytest.raises(CommandError, match="无法打开"):
        call_command("restore", str(tmp_path / "not-a-backup.tar.gz"), "--force", stdout=io.StringIO())

    assert snapshot() == before
    assert media_files(media) == files_before
    assert Place.objects.get(pk=world.place_id).name == "恢复前的房号"


def test_media_on_a_volume_of_its_own_is_replaced_in_place(world, media, tmp_path, monkeypatch):
    """MEDIA_ROOT a mount point: it cannot be renamed, so its contents are replaced instead."""
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    files_before = media_files(media)
    (media / "stray.txt").write_text("不该留下")
    for p in media.rglob("*.png"):
        p.unlink()
    real_replace = os.replace

    def mount_point(src, dst):
        if Path(src) == media or Path(dst) == media:
            raise OSError(16, "Device or resource busy")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", mount_point)
    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert media.is_dir() and media_files(media) == files_before


def test_backup_needs_pg_dump_on_postgresql(world, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="pg_dump 不在 PATH"):
        call_command("backup", str(tmp_path / "b.tar.gz"), stdout=io.StringIO())
    assert not (tmp_path / "b.tar.gz").exists()
