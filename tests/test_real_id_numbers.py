"""身份证号码 as they exist, through every way in: the person form, the API and the household import.
People born before their area code was assigned (莲湖区 610104 exists from 1983) carry it all the same."""

import json

import pytest
from stdnum.cn import ric

from gongzhi.people.imports import HOUSEHOLD_COLUMNS
from gongzhi.people.models import HouseholdMember, Person
from gongzhi.places.imports import create_import
from gongzhi.places.models import ImportStatus

from .xlsx import xlsx

ISSUE_NUMBER = "610104194803150022"  # 莲湖区, born 1948, right check character


def real_id(area: str, birth: str, order: str) -> str:
    body = area + birth + order
    return body + ric.calc_check_digit(body + "0")


def test_the_issue_number_is_registered_through_the_person_form(client, tree, community_staff):
    client.force_login(community_staff)
    response = client.post(f"/people/new/{tree['household'].pk}/", {"name": "王建国", "id_number": ISSUE_NUMBER,
                                                                     "phone": "13800138000"})
    assert response.status_code == 302, response.content.decode()
    assert Person.objects.get(name="王建国").id_number == ISSUE_NUMBER


def test_the_issue_number_is_registered_through_the_api(client, tree, community_staff):
    client.force_login(community_staff)
    response = client.post("/api/persons", data=json.dumps({"place": tree["household"].pk, "name": "王建国",
                                                            "id_number": ISSUE_NUMBER}),
                           content_type="application/json")
    assert response.status_code == 201, response.content.decode()
    assert Person.objects.get(name="王建国").id_number == ISSUE_NUMBER


def test_an_impossible_number_is_still_refused_by_the_api_naming_the_field(client, tree, community_staff):
    client.force_login(community_staff)
    before = Person.objects.count()
    response = client.post("/api/persons", data=json.dumps({"place": tree["household"].pk, "name": "王建国",
                                                            "id_number": real_id("619999", "19480315", "002")}),
                           content_type="application/json")
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert "id_number" in detail["loc"] and detail["msg"] == "身份证号码中的地区码不存在"
    assert Person.objects.count() == before


@pytest.fixture
def _run_on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_the_household_import_accepts_610104_births_from_1930_to_1982(tree, community_staff, _run_on_commit):
    """One person born in each year 1930–1982 (varied days, both sexes, some with the check character X)."""
    numbers = [real_id("610104", f"{year}{1 + year % 12:02d}{1 + year % 28:02d}", f"{year % 1000:03d}")
               for year in range(1930, 1983)]
    assert not any(ric.is_valid(n) for n in numbers)  # stdnum alone refuses every one of them
    assert any(n.endswith("X") for n in numbers)
    rows = [[tree["household"].code if i % 2 else tree["household2"].code, f"居民{i:02d}", n, "", "住户",
             None, None, "否"] for i, n in enumerate(numbers)]
    with _run_on_commit(execute=True):
        job = create_import(kind="households", upload=xlsx(HOUSEHOLD_COLUMNS, rows), place=tree["community"],
                            by=community_staff)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    imported = {p.id_number for p in Person.objects.filter(name__startswith="居民")}
    assert imported == set(numbers)
    assert HouseholdMember.objects.filter(person__name__startswith="居民").count() == len(numbers)
