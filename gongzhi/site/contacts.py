"""一键呼叫 on a resident's home page: the grid worker of the grid their home lies in and the community
office (居委会) of its community, each with a tel: link. Derived from the tree: the household's ancestors
give the grid and the community; the grid's active 网格员 (else 网格长) post gives the worker, whose
work phone is what residents are given on the grid's notice; the community's office organisation gives
the office phone. Nothing without a phone is offered."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import Role
from gongzhi.core.scope import user_scopes
from gongzhi.people.models import Organisation, OrgKind, Position
from gongzhi.people.roles import Title
from gongzhi.places.models import STEP, Kind, Place

GRID_TITLES = (Title.GRID_WORKER, Title.GRID_LEADER)  # in this order of preference


@dataclass(frozen=True)
class Contact:
    label: str  # 网格员 / 社区居委会
    name: str   # 张网格 / 朝阳社区居委会
    phone: str

    @property
    def tel(self) -> str:
        """The number as a tel: URI wants it: digits and a leading +, separators dropped."""
        return re.sub(r"[^\d+]", "", self.phone)


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def resident_contacts(user) -> list[Contact]:
    """The grid workers and community offices of the user's homes, one entry per phone number."""
    homes = [s.path for s in user_scopes(user) if s.role == Role.RESIDENT]
    if not homes:
        return []
    prefixes = sorted({p for path in homes for p in _prefixes(path)})
    around = list(Place.objects.filter(path__in=prefixes, kind__in=(Kind.GRID, Kind.COMMUNITY)).order_by("path"))
    grids = [p for p in around if p.kind == Kind.GRID]
    communities = [p for p in around if p.kind == Kind.COMMUNITY]
    contacts: list[Contact] = []
    seen: set[str] = set()

    def add(contact: Contact) -> None:
        if contact.tel and contact.tel not in seen:
            seen.add(contact.tel)
            contacts.append(contact)

    posts = (Position.objects.active().filter(place__in=grids, title__in=GRID_TITLES).exclude(person__phone="")
             .select_related("person", "place"))
    for post in sorted(posts, key=lambda p: (p.place.path, GRID_TITLES.index(p.title), p.person.name)):
        label = _("网格员") if post.title == Title.GRID_WORKER else _("网格长")
        add(Contact(label=str(label), name=post.person.name, phone=post.person.phone))
    for office in Organisation.objects.filter(place__in=communities, kind=OrgKind.OFFICE).exclude(phone="") \
            .order_by("place__path", "pk"):
        add(Contact(label=str(_("社区居委会")), name=office.name, phone=office.phone))
    return contacts
