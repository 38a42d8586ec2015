"""The benchmark generator at tiny scale: exact counts, a consistent tree, a grid worker scoped to one grid."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from gongzhi.core.roles import Role
from gongzhi.core.scope import user_roles
from gongzhi.people.generate import SCALES, generate
from gongzhi.places.models import STEP, Kind, Place
from gongzhi.places.queries import households_in

pytestmark = pytest.mark.django_db

TINY = SCALES["tiny"]


def test_tiny_counts_are_exact():
    result = generate("tiny")
    assert result.created
    under = Place.objects.filter(path__startswith=result.root_path)
    assert under.filter(kind=Kind.HOUSEHOLD).count() == 384 == TINY.households
    assert under.filter(kind=Kind.GRID).count() == 4
    assert under.filter(kind=Kind.COMPOUND).count() == 8
    assert under.count() == TINY.places == 1 + 1 + 2 + 4 + 8 + 24 + 48 + 384


def test_tree_is_consistent():
    result = generate("tiny")
    places = {p.pk: p for p in Place.objects.filter(path__startswith=result.root_path)}
    depth = {k: i for i, k in enumerate(Kind.values)}
    for p in places.values():
        assert p.depth == len(p.path) // STEP - 1 == depth[p.kind]
        if p.parent_id is None:
            assert p.kind == Kind.DISTRICT
        else:
            assert places[p.parent_id].path == p.path[:-STEP]
    # a new place still gets a fresh id after the explicit ones (sequence reset)
    extra = Place.objects.create(kind=Kind.DISTRICT, name="另一个区", path="ZZZZ", depth=0)
    assert extra.pk > max(places)


def test_grid_worker_sees_exactly_their_grid():
    result = generate("tiny")
    user = get_user_model().objects.get(username=result.username)
    assert user_roles(user) == {Role.GRID_WORKER}
    grid = Place.objects.get(pk=result.grid_id)
    assert grid.kind == Kind.GRID
    in_grid = set(Place.objects.filter(kind=Kind.HOUSEHOLD, path__startswith=grid.path).values_list("pk", flat=True))
    assert len(in_grid) == TINY.households_per_grid == 96
    visible = Place.objects.visible_to(user)
    assert set(visible.filter(kind=Kind.HOUSEHOLD).values_list("pk", flat=True)) == in_grid
    # the grid itself and its subtree, nothing above or beside it
    assert visible.count() == 1 + 2 + 6 + 12 + 96
    assert not visible.filter(kind__in=[Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY]).exists()
    by_path = Place.objects.filter(pk__in=in_grid).order_by("path").values_list("pk", flat=True)
    assert list(households_in(user).values_list("pk", flat=True)) == list(by_path)


def test_street_officer_sees_their_street():
    result = generate("tiny")
    user = get_user_model().objects.get(username=result.street_username)
    assert user_roles(user) == {Role.STREET_STAFF}
    street = Place.objects.get(path=result.street_path)
    assert street.kind == Kind.STREET
    assert households_in(user).count() == TINY.households // TINY.streets == 384


def test_command_is_idempotent():
    out = StringIO()
    call_command("generate", "--scale", "tiny", stdout=out)
    assert "384 households" in out.getvalue()
    call_command("generate", "--scale", "tiny", stdout=out)
    assert "already present" in out.getvalue()
    assert Place.objects.filter(kind=Kind.HOUSEHOLD).count() == 384
    assert get_user_model().objects.filter(username__in=[TINY.username, TINY.street_username]).count() == 2
