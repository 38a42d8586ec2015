"""The demo street's 支部先议 and 民主听证 (meetings/matters_demo.py), shaped like seed 004."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from gongzhi.meetings.matters_queries import waiting_count
from gongzhi.meetings.models import Hearing, Matter
from gongzhi.site import demo


def test_the_demo_matters_and_hearing(db, client):
    from gongzhi.workorders.catalogue import seed_catalogue
    from gongzhi.workorders.models import Category, ServiceLevel

    seed_catalogue(Category, ServiceLevel)
    demo.seed_demo()
    gas = Matter.objects.get(title="燃气管道改造更新")
    assert (gas.status, gas.round, gas.is_executed) == ("executing", 2, True)
    assert list(gas.reviews.values_list("approved", flat=True)) == [False, True]
    assert (gas.sitting_members, gas.present_members, gas.votes_for, gas.votes_abstain) == (7, 6, 5, 1)
    assert set(Matter.objects.values_list("status", flat=True)) == {
        "executing", "resolved", "proposed", "returned", "not_passed"}
    hearing = Hearing.objects.get()
    assert (hearing.status, hearing.bids.count(), hearing.members.count() >= 6) == ("decided", 3, True)
    assert hearing.owners_vote is not None and hearing.matter.needs_owners_vote is True
    households = hearing.compound.path
    assert hearing.opinions.filter(household__path__startswith=households).count() == hearing.opinions.count() > 100
    User = get_user_model()
    assert waiting_count(User.objects.get(username="grid")) == 1       # 外墙脱落修缮 waits for the branch
    assert waiting_count(User.objects.get(username="committee")) == 1  # 地库照明改造 was returned
    # the public board: the decided hearing and the executed matters, no personal names
    html = client.get(f"/public/{hearing.compound.pk}/").content.decode()
    assert "9部老旧电梯更换民主听证会" in html and "燃气管道改造更新" in html and "户外活动设施提升" in html
    for name in hearing.members.values_list("person__name", flat=True):
        assert name not in html
