"""Scope: an account sees the subtrees of its active positions, a resident their household."""

import datetime

import pytest

from gongzhi.core.roles import Role
from gongzhi.core.scope import user_roles
from gongzhi.people.models import Person, Position
from gongzhi.places.models import Kind, Place


def test_grid_worker_sees_one_grid(tree, grid_worker):
    visible = Place.objects.visible_to(grid_worker)
    assert set(visible.values_list("code", flat=True)) == {
        "G1", "C1", "C1-1", "C1-1-1", "C1-1-1-101", "C1-1-1-102"}


def test_resident_sees_only_their_household(tree, resident):
    assert list(Place.objects.visible_to(resident).values_list("code", flat=True)) == ["C1-1-1-101"]


def test_cross_appointment_gives_both_roles_once(community_staff):
    assert user_roles(community_staff) == {Role.COMMUNITY_STAFF}
    assert Position.objects.filter(person__user=community_staff).count() == 2


def test_ended_position_grants_nothing(tree, grid_worker):
    Position.objects.filter(person__user=grid_worker).update(end_date=datetime.date(2024, 6, 30))
    grid_worker = type(grid_worker).objects.get(pk=grid_worker.pk)  # fresh user: no cached scopes
    assert Place.objects.visible_to(grid_worker).count() == 0
    assert user_roles(grid_worker) == set()


def test_outsider_sees_none_of_the_first_community(tree, outsider, resident):
    visible = set(Place.objects.visible_to(outsider).values_list("pk", flat=True))
    assert tree["community"].pk not in visible
    assert tree["household"].pk not in visible
    assert tree["other_household"].pk in visible
    assert not Person.objects.visible_to(outsider).filter(pk=resident.person.pk).exists()


@pytest.mark.parametrize("role", ["street_staff", "community_staff", "grid_worker"])
def test_staff_see_the_resident_record(request, role, resident):
    user = request.getfixturevalue(role)
    assert Person.objects.visible_to(user).filter(pk=resident.person.pk).exists()


def test_anonymous_sees_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert Place.objects.visible_to(AnonymousUser()).count() == 0
    assert Place.objects.filter(kind=Kind.HOUSEHOLD).count() == 3
