"""Real divisions: a district's streets (9 digits) and communities (12 digits), loaded idempotently."""

import pytest
from django.core.management import call_command

from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.places.divisions import DivisionSourceError, display_name, load_divisions, read_divisions
from gongzhi.places.models import Kind, Place


def test_load_the_demo_district_from_the_bundled_data(db):
    call_command("load_divisions", "--area", "610104")
    district = Place.objects.get(code="610104")
    assert district.name == "莲湖区" and district.kind == Kind.DISTRICT
    street = Place.objects.get(code="610104001")
    assert (street.name, street.parent) == ("青年路街道", district)
    assert Place.objects.filter(kind=Kind.STREET, parent=district).count() == 9
    assert Place.objects.filter(kind=Kind.COMMUNITY, path__startswith=district.path).count() == 142
    community = Place.objects.get(code="610104001001")
    assert community.name == "莲湖路第一社区" and community.parent == street
    count = Place.objects.count()
    call_command("load_divisions", "--area", "610104")
    assert Place.objects.count() == count
    assert Event.objects.filter(verb="places.load_divisions").count() == 1


def _source(tmp_path):
    (tmp_path / "areas.csv").write_text('code,name,cityCode,provinceCode\n110101,"东城区",1101,11\n', "utf-8")
    (tmp_path / "streets.csv").write_text(
        'code,name,areaCode,provinceCode,cityCode\n110101001,"东华门街道",110101,11,1101\n'
        '110102001,"西长安街街道",110102,11,1101\n', "utf-8")
    (tmp_path / "villages.csv").write_text(
        'code,name,streetCode,provinceCode,cityCode,areaCode\n'
        '110101001001,"多福巷社区居委会",110101001,11,1101,110101\n'
        '110101001002,"银闸社区居委会",110101001,11,1101,110101\n', "utf-8")
    return tmp_path


def test_read_from_the_package_csv_files(db, tmp_path):
    rows = read_divisions(_source(tmp_path), "110101")
    assert [(r.code, r.kind) for r in rows] == [("110101", "district"), ("110101001", "street"),
                                                ("110101001001", "community"), ("110101001002", "community")]
    assert load_divisions(rows, by=SYSTEM) == (4, 0)
    assert Place.objects.get(code="110101001002").name == "银闸社区"
    assert load_divisions(rows, by=SYSTEM) == (0, 0)


def test_unknown_district_is_a_clear_error(db, tmp_path):
    with pytest.raises(DivisionSourceError, match="999999 不存在"):
        read_divisions(_source(tmp_path), "999999")


@pytest.mark.parametrize(("raw", "shown"), [("莲湖路第一社区居委会", "莲湖路第一社区"), ("安定社区居民委员会", "安定社区"),
                                            ("西关居委会", "西关社区"), ("红星村委会", "红星村委会")])
def test_display_names(raw, shown):
    assert display_name(raw) == shown


def test_divisions_page_is_for_superusers(client, tree, street_staff, superuser):
    client.force_login(street_staff)
    assert client.get("/places/divisions/").status_code == 403
    client.force_login(superuser)
    r = client.post("/places/divisions/", {"area": "61010"})
    assert "区县代码应为6位数字" in r.content.decode()
    r = client.post("/places/divisions/", {"area": "610104"})
    assert r.status_code == 302
    assert Place.objects.filter(code="610104001002").exists()


def test_only_the_operator_loads_divisions(db, tmp_path, street_staff):
    """The action checks its right itself: a street officer is refused before anything is written."""
    from django.core.exceptions import PermissionDenied

    rows = read_divisions(_source(tmp_path), "110101")
    with pytest.raises(PermissionDenied):
        load_divisions(rows, by=street_staff)
    assert not Place.objects.filter(code__startswith="110101").exists()
    with pytest.raises(TypeError):
        load_divisions(rows, by=None)
