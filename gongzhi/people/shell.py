"""What people add to the shell (see :mod:`gongzhi.core.registry`): their menus, the home page's posts,
scopes and homes, the residents figure under every place, the members of a household's page, and the
household search by a member's name."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry
from gongzhi.core.permissions import is_staff
from gongzhi.core.roles import MANAGING_ROLES, Role
from gongzhi.core.scope import covers, in_scopes, user_scopes
from gongzhi.places.models import Kind
from gongzhi.places.queries import HOUSEHOLD_SEARCHES, counts_of, scope_roots

from . import imports  # noqa: F401  (registers the households importer)
from .models import REGISTER_ROLES, HouseholdMember, Person


def residents(root_path: str, width: int | None):
    """居民: distinct persons with a current home under ``root_path`` (per child prefix with ``width``)."""
    members = HouseholdMember.objects.current().filter(place__path__startswith=root_path)
    if width is None:
        return members.values("person").distinct().count()
    rows = (members.annotate(prefix=Substr("place__path", 1, width)).values("prefix")
            .annotate(n=Count("person", distinct=True)))
    return {row["prefix"]: row["n"] for row in rows}


def household_members(request, place):
    if place.kind != Kind.HOUSEHOLD:
        return None
    user = request.user
    if not (user.is_superuser or covers(user, place.path, REGISTER_ROLES)):
        return None  # not the household register's reader (a department's liaison)
    return {"place": place, "members": HouseholdMember.objects.current().filter(place=place).select_related("person"),
            "can_manage": user.is_superuser or covers(user, place.path, MANAGING_ROLES)}


def positions_card(request):
    person = getattr(request.user, "person", None)
    if person is None:
        return None
    positions = list(person.positions.active().select_related("organisation", "place"))
    return {"positions": positions} if positions else None


def scopes_card(request):
    user = request.user
    scopes = user_scopes(user)
    cards = []
    for root in scope_roots(user):
        roles = sorted({str(Role(s.role).label) for s in scopes if s.path == root.path})
        cards.append({"place": root, "counts": counts_of(root), "roles": roles})
    return {"cards": cards} if cards else None


def homes_card(request):
    user = request.user
    if not any(s.role == Role.RESIDENT for s in user_scopes(user)):
        return None
    homes = []
    for m in HouseholdMember.objects.visible_to(user).current().filter(person__user=user).select_related("place"):
        housemates = HouseholdMember.objects.current().filter(place=m.place).select_related("person")
        homes.append({"household": m.place, "relation": m.get_relation_display(), "members": housemates,
                      "full_name": m.place.full_name()})
    return {"homes": homes} if homes else None


def names_of(user_ids) -> dict[int, str]:
    """账号 → 姓名: the person behind each account (the audit log shows names, not usernames)."""
    return dict(Person.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "name"))


def accounts_named(text: str):
    return Person.objects.filter(name__icontains=text, user__isnull=False).values("user_id")


def register() -> None:
    registry.account_names(names_of=names_of, matching=accounts_named)
    registry.subtree_figure("residents", label=_("居民"), count=residents)
    registry.place_panel("household_members", template="people/_household_members.html", context=household_members)
    if _by_member_name not in HOUSEHOLD_SEARCHES:
        HOUSEHOLD_SEARCHES.append(_by_member_name)
    registry.home_card("positions", template="people/card_positions.html", context=positions_card, order=10)
    registry.home_card("scopes", template="people/card_scopes.html", context=scopes_card, order=20)
    registry.home_card("homes", template="people/card_homes.html", context=homes_card, order=90)
    registry.menu("people", group="data", label=_("人员"), url_name="people:list", order=30, visible=is_staff,
                  active_prefixes=("/people/",))
    registry.menu("organisations", group="data", label=_("组织"), url_name="people:organisations", order=40,
                  visible=is_staff, active_prefixes=("/people/organisations/",))
    registry.menu("api_tokens", group="settings", label=_("API 令牌"), url_name="api_tokens", order=80,
                  visible=is_staff)


def _by_member_name(q: str, user) -> Q:
    """A household whose member is named ``q`` — among the households whose register ``user`` reads
    (:data:`~gongzhi.people.models.REGISTER_ROLES`: not a department's liaison)."""
    members = HouseholdMember.objects.filter(person__name=q)
    if not user.is_superuser:
        members = members.filter(in_scopes(user, "place", REGISTER_ROLES))
    return Q(pk__in=members.values("place_id"))
