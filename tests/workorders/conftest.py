"""Requests: the foundation's cast plus a property company managing the compound, its staff,
a police department with a liaison, and a request filed by the resident."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.core.permissions import SYSTEM
from gongzhi.people.models import ManagementAssignment, Position
from gongzhi.people.roles import Title
from gongzhi.workorders import actions
from gongzhi.workorders.models import Category

from ..conftest import START, make_account


def png(name="photo.png", size=(40, 30)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture
def managed(tree, orgs):
    ManagementAssignment.objects.create(company=orgs["company"], place=tree["compound"],
                                        start_date=datetime.date(2024, 1, 1))
    return orgs["company"]


@pytest.fixture
def company_staff(tree, orgs, managed, property_staff):
    return property_staff  # 万科物业 project manager of the compound


@pytest.fixture
def other_company_staff(tree, orgs):
    from gongzhi.people.actions import create_organisation
    from gongzhi.people.models import OrgKind

    other = create_organisation(kind=OrgKind.PROPERTY_COMPANY, name="碧桂园物业", place=tree["street"],
                                uscc="91610104MA6U03X03G", by=SYSTEM)
    return make_account("other_company", place=tree["compound2"],
                        posts=[(other, Title.PROJECT_MANAGER, tree["compound2"])])


@pytest.fixture
def utilities(db):
    # transactional tests (and live-server tests before them) flush the tables the migration seeded
    from gongzhi.workorders.catalogue import seed_catalogue
    from gongzhi.workorders.models import ServiceLevel

    seed_catalogue(Category, ServiceLevel)
    return Category.objects.get(code="utilities")


@pytest.fixture
def filed(tree, resident, utilities, managed):
    return actions.file_request(by=resident, category=utilities, description="厨房水管漏水", place=tree["household"])


@pytest.fixture
def dispatched(filed, community_staff, managed):
    return actions.dispatch_request(filed, to=managed, by=community_staff)


@pytest.fixture
def resolved(dispatched, company_staff):
    actions.accept_request(dispatched, by=company_staff)
    return actions.resolve_request(dispatched, by=company_staff, result_note="已更换阀门")


@pytest.fixture
def police_liaison(tree, orgs):
    return make_account("police", place=tree["street"],
                        posts=[(orgs["police"], Title.DEPARTMENT_LIAISON, tree["street"])])


def position_of(user):
    return Position.objects.filter(person__user=user).first()


@pytest.fixture
def cross_appointed(tree, orgs, managed):
    """万科物业's project manager who is also a 社区工作者 of the community (交叉任职)."""
    user = make_account("cross", place=tree["compound"],
                        posts=[(orgs["company"], Title.PROJECT_MANAGER, tree["compound"])])
    Position.objects.create(person=user.person, organisation=orgs["community_office"], title=Title.COMMUNITY_WORKER,
                            place=tree["community"], start_date=START)
    return user


@pytest.fixture
def unlocated_request(tree, community_staff, utilities):
    """An Open311 point that fell in no compound: 待定位 at the community, waiting for 指定位置 (docs/open311.md)."""
    return actions.file_request(by=community_staff, category=utilities, description="路口积水无人管",
                                place=tree["community"], channel="open311", point=(34.2705, 108.93), unlocated=True,
                                media_url="https://example.com/a.jpg")
