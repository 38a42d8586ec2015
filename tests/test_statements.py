"""Compiled statements (core.statements) and the household page that runs on one: the same rows as the
ORM's queryset for every role and page, compiled once per shape, never reused where it would be wrong."""

from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.db.models import F, Value
from django.db.models.functions import Concat

from gongzhi.core.pagination import TOTAL
from gongzhi.core.permissions import SYSTEM
from gongzhi.core.scope import user_scopes
from gongzhi.core.statements import Statement
from gongzhi.places import actions as place_actions
from gongzhi.places.models import Kind, Place
from gongzhi.places.queries import _HOUSEHOLD_PAGE, household_page, households_in

ROLES = ["street_staff", "community_staff", "grid_worker", "building_head", "property_staff", "committee_member",
         "department_liaison", "resident", "volunteer", "outsider", "other_resident", "superuser"]


@pytest.fixture
def more_households(tree):
    for n in range(103, 110):
        place_actions.create_place(parent=tree["unit"], kind=Kind.HOUSEHOLD, name=str(n), code=f"C1-1-1-{n}",
                                   registered_area=Decimal("60.25"), by=SYSTEM)
    return tree


@pytest.mark.parametrize("role", ROLES)
def test_household_pages_are_the_visible_households(request, more_households, role,
                                                    django_assert_max_num_queries):
    user = request.getfixturevalue(role)
    expected = list(households_in(user))
    assert [r["id"] for r in expected] == list(
        Place.objects.visible_to(user).households().order_by("path").values_list("pk", flat=True))
    django = Paginator(expected, 4)
    user_scopes(user)  # as on every request but the first of the day: from the session
    for number in range(1, django.num_pages + 2):
        want = django.get_page(number)
        # past the end: the empty page, the count, the last page — as Paginator.get_page
        with django_assert_max_num_queries(1 if number <= django.num_pages else 3):
            page = household_page(user, number, per_page=4)
        assert (page.number, list(page.object_list)) == (want.number, list(want.object_list)), number
        assert page.paginator.count == len(expected)


def test_one_compile_per_shape(more_households, grid_worker, building_head, monkeypatch):
    calls = []
    build = _HOUSEHOLD_PAGE.build
    monkeypatch.setattr(_HOUSEHOLD_PAGE, "build", lambda *a, **k: calls.append(a) or build(*a, **k))
    monkeypatch.setattr(_HOUSEHOLD_PAGE, "_compiled", {})
    first = household_page(grid_worker, 1, per_page=5)
    again = household_page(grid_worker, 1, per_page=5)
    other = household_page(building_head, 1, per_page=5)  # one scope root too: the same shape
    assert len(calls) == 1 and all("\x00" in v for values in calls[0] for v in values)
    assert list(first.object_list) == list(again.object_list) == list(households_in(grid_worker)[:5])
    assert list(other.object_list) == list(households_in(building_head)[:5])
    household_page(grid_worker, 2, per_page=5)  # another LIMIT/OFFSET: another shape
    assert len(calls) == 2


def test_transformed_values_are_never_reused(tree):
    """``__startswith`` compiles ``v`` to ``v%``: the placeholder is not found, so every call runs the ORM."""
    stmt = Statement(lambda roots: Place.objects.filter(path__startswith=roots[0]).order_by("path").values("id"))
    for place in (tree["unit"], tree["other_building"]):
        want = list(Place.objects.filter(path__startswith=place.path).order_by("path").values("id"))
        assert stmt.rows([place.path]) == want
    assert len(stmt._compiled) == 1 and next(iter(stmt._compiled.values())) is not None
    assert not isinstance(next(iter(stmt._compiled.values())), tuple)  # marked: not reusable


def test_converters_are_applied_as_the_orm_does(more_households):
    def build(codes):
        return (Place.objects.filter(code__in=codes).order_by("code")
                .annotate(label=Concat(F("name"), Value("室")), area=F("registered_area"))
                .values("id", "registered_area", "created_at", "label", "area"))

    stmt = Statement(build)
    codes = ["C1-1-1-101", "C1-1-1-105"]
    want = list(build(codes))
    assert isinstance(want[0]["registered_area"], Decimal)
    assert stmt.rows(codes) == want
    assert stmt.rows(codes) == want and isinstance(next(iter(stmt._compiled.values())), tuple)


def test_search_and_superusers_take_the_queryset(more_households, grid_worker, superuser):
    page = household_page(grid_worker, 1, q="105")
    assert [r["name"] for r in page.object_list] == ["105"]
    assert household_page(superuser, 1).paginator.count == Place.objects.filter(kind=Kind.HOUSEHOLD).count()
    assert TOTAL not in page.object_list[0]


def test_statements_are_enabled_only_on_the_verified_django():
    """The reuse depends on compiler internals: on another Django feature release it must fall back."""
    import django

    from gongzhi.core import statements

    assert statements.ENABLED == (tuple(django.VERSION[:2]) == statements.VERIFIED_DJANGO)
    assert statements.ENABLED, "parity tests ran on a Django the statements were not verified on: re-verify"
