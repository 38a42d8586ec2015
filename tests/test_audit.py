"""The audit trail: append-only, PII reveals recorded, an audit page for street staff."""

import pytest

from gongzhi.core.models import AppendOnlyError, Event
from gongzhi.people import actions


def test_events_cannot_be_changed_or_deleted(tree):
    event = Event.objects.first()
    event.summary = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.all().update(summary="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()


def test_reveal_records_who_saw_what_from_where(client, tree, grid_worker, resident):
    client.force_login(grid_worker)
    response = client.post(f"/people/{resident.person.pk}/reveal/phone/", REMOTE_ADDR="10.1.2.3")
    assert resident.person.phone in response.content.decode()
    event = Event.objects.get(verb="core.reveal_pii")
    assert (event.actor, event.target_id, event.after, event.ip) == (
        grid_worker, str(resident.person.pk), {"field": "phone"}, "10.1.2.3")
    assert resident.person.phone not in str(event.after) + event.summary


def test_person_edits_are_audited_with_pii_masked(tree, community_staff, resident):
    actions.update_person(resident.person, by=community_staff, phone="13912345678")
    event = Event.objects.get(verb="people.update_person")
    assert event.after == {"phone": "139****5678"}
    assert "13912345678" not in str(event.before) + str(event.after)


def test_audit_page_filters(client, tree, street_staff, community_staff, resident):
    actions.update_person(resident.person, by=community_staff, name="改名后")
    client.force_login(street_staff)
    html = client.get("/audit/?verb=people.update_person").content.decode()
    assert "改名后" in html and "修改人员" in html
    html = client.get("/audit/?actor=nobody").content.decode()
    assert "暂无数据" in html


def test_outsiders_audit_page_is_scoped(client, tree, orgs, resident, community_staff):
    from gongzhi.people.models import Position
    from gongzhi.people.roles import Title

    from .conftest import make_account

    other_street_staff = make_account("other_street", place=tree["other_community"])
    Position.objects.create(person=other_street_staff.person, organisation=orgs["other_office"],
                            title=Title.STREET_OFFICER, place=tree["other_community"], start_date="2024-01-01")
    actions.update_person(resident.person, by=community_staff, name="只在第一社区")
    client.force_login(other_street_staff)
    assert "只在第一社区" not in client.get("/audit/").content.decode()
