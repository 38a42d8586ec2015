"""A member organisation's delegates are the ones called (told when the agenda is published); without any, all its
post holders are. A delegate must hold an active post in that organisation."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.models import Event
from gongzhi.meetings import actions
from gongzhi.people.models import Position
from gongzhi.people.roles import Title

from ..conftest import make_account


def test_only_the_named_delegate_is_told(tree, orgs, series, meeting, topic, community_staff, property_staff,
                                         captured_notifications):
    second = make_account("property2", place=tree["compound"],
                          posts=[(orgs["company"], Title.COMPANY_STAFF, tree["compound"])])
    member = series.members.get(organisation=orgs["company"])
    actions.set_delegates(member, positions=[Position.objects.get(person__user=property_staff)], by=community_staff)
    with captured_notifications() as told:
        actions.publish_agenda(meeting, by=community_staff)
    assert told.users == {"community", "property", "committee"}
    assert second.username not in told.users


def test_a_delegate_holds_a_post_in_the_member(series, orgs, community_staff, grid_worker):
    member = series.members.get(organisation=orgs["company"])
    events = Event.objects.count()
    with pytest.raises(ValidationError) as exc:
        actions.set_delegates(member, positions=[Position.objects.filter(person__user=grid_worker).first()],
                              by=community_staff)
    assert "positions" in exc.value.message_dict
    assert member.delegates.count() == 0 and Event.objects.count() == events


def test_the_series_page_sets_them(client, series, orgs, community_staff, property_staff):
    member = series.members.get(organisation=orgs["company"])
    post = Position.objects.get(person__user=property_staff)
    client.force_login(community_staff)
    r = client.post(f"/meetings/series/{series.pk}/members/{member.pk}/delegates/", {"positions": [post.pk]})
    assert r.status_code == 302
    assert list(member.delegates.all()) == [post]
    assert "测试property" in client.get(f"/meetings/series/{series.pk}/").content.decode()
