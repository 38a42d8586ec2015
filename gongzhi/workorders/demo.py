"""Demo records of requests (``seed_demo``): a few requests at every stage, moved through the real actions
so their timelines and audit trail exist. Registered as a demo step in ``shell.py``."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from gongzhi.people.models import HouseholdMember, OrgKind, Position, Relation

from . import actions
from .models import Category, Duty

DEMO_REQUESTS = [  # category, description, stage
    ("utilities", "厨房水管漏水，楼下已经渗水", "rated"),
    ("elevator", "2单元电梯经常停在半层，老人不敢坐", "resolved"),
    ("sanitation", "楼道堆放杂物很久没人清理", "accepted"),
    ("parking", "消防通道被私家车长期占用", "dispatched"),
    ("noise", "楼上深夜装修噪音", "submitted"),
    ("safety", "电动车在楼道充电，有火灾隐患", "whistled"),
    ("public_facility", "小区路灯坏了三盏", "resolved"),
    ("neighbour_dispute", "楼上空调外机滴水到我家窗台", "rated"),
    ("utilities", "卫生间下水道堵塞", "submitted"),
    ("service_complaint", "保安夜间不在岗", "dispatched"),
]


def seed_requests(street) -> None:
    """A few requests at every stage (``street``: the demo street's ``DemoStreet``)."""
    rng, compounds, companies, police = street.rng, street.compounds, street.companies, street.departments[0]
    User = get_user_model()
    community = User.objects.get(username="community")
    manager = User.objects.get(username="property")
    for company in companies:
        for position in Position.objects.filter(organisation=company).select_related("person"):
            Duty.objects.get_or_create(organisation=company, person=position.person)
    owners = list(HouseholdMember.objects.filter(place__path__startswith=compounds[0].path, relation=Relation.OWNER,
                                                 person__user__isnull=False).select_related("person__user", "place"))
    resident_user = User.objects.get(username="resident")
    member = HouseholdMember.objects.filter(person__user=resident_user).select_related("place").first()
    assert member is not None, "the demo resident lives in a household"
    home = member.place
    for i, (code, text, stage) in enumerate(DEMO_REQUESTS):
        filer, place = (resident_user, home) if i % 2 == 0 or not owners else (owners[0].person.user,
                                                                               owners[0].place)
        req = actions.file_request(by=filer, category=Category.objects.get(code=code), description=text,
                                   place=place, urgency="urgent" if code == "elevator" else "normal")
        if stage == "submitted":
            continue
        target = actions.route(req.category, req.place) or companies[0]
        req = actions.dispatch_request(req, to=target, by=community)
        if stage == "whistled":
            actions.whistle_request(req, department=police, by=community, note="电动车违规充电需派出所协助劝导")
            continue
        if stage == "dispatched":
            continue
        handler_user = manager if target.kind == OrgKind.PROPERTY_COMPANY else community
        req = actions.accept_request(req, by=handler_user)
        if stage == "accepted":
            continue
        req = actions.resolve_request(req, by=handler_user, result_note="已处理完毕，现场已恢复")
        if stage == "rated":
            actions.rate_request(req, by=filer, rating=rng.choice((4, 5, 5)), comment="处理及时")


