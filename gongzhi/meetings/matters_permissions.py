"""Who takes which step of 支部先议 and who runs a 民主听证 (rules permissions named after the actions).

Each step belongs to one body, found from active Positions (``core.scope.user_scopes`` carries the organisation
of every post): the compound's 业委会/物管会 proposes, revises and resolves; the compound's party branch reviews;
the property company managing the compound executes. Street and community staff over the compound oversee —
they see every step but take none of them. Hearings are run by the community (staff over the compound) or the
compound's committee; owners answer the poll for their own households."""

from __future__ import annotations

import rules
from django.db.models import Q
from django.utils import timezone

from gongzhi.core.roles import MANAGING_ROLES
from gongzhi.core.scope import covers, user_scopes
from gongzhi.people.models import ManagementAssignment, Organisation, OrgKind
from gongzhi.places.models import STEP, Kind, Place

from .permissions import lives_in

COMMITTEE_KINDS = (OrgKind.OWNERS_COMMITTEE, OrgKind.PROPERTY_MANAGEMENT_COMMITTEE)
# a compound's party branch: the 小区党支部 anchored at the compound, else the 网格党支部 of its grid (a company's
# own branch, anchored at the street, is not the compound's)
BRANCH_PLACE_KINDS = (Kind.COMPOUND, Kind.GRID)


def committee_of(compound: Place) -> Organisation | None:
    """The compound's 业主委员会 (or 物业管理委员会)."""
    return Organisation.objects.filter(kind__in=COMMITTEE_KINDS, place=compound).order_by("pk").first()


def branch_of(compound: Place) -> Organisation | None:
    """The compound's party branch: the nearest one anchored at the compound or at a grid above it."""
    prefixes = [compound.path[:i] for i in range(STEP, len(compound.path) + 1, STEP)]
    branches = Organisation.objects.filter(kind=OrgKind.PARTY_BRANCH, place__path__in=prefixes,
                                           place__kind__in=BRANCH_PLACE_KINDS).select_related("place")
    return max(branches, key=lambda o: (len(o.place.path), -o.pk), default=None)


def company_of(compound: Place, on=None) -> Organisation | None:
    """The property company managing the compound today (its current 物业服务合同)."""
    on = on or timezone.localdate()
    assignment = (ManagementAssignment.objects.filter(place=compound, start_date__lte=on)
                  .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
                  .select_related("company").order_by("-start_date", "-pk").first())
    return assignment.company if assignment is not None else None


def _compound(obj) -> Place | None:
    if obj is None:
        return None
    if isinstance(obj, Place):
        return obj
    return getattr(obj, "compound", None)


def holds_post_in(user, org_id: int | None) -> bool:
    return org_id is not None and any(s.organisation_id == org_id for s in user_scopes(user))


@rules.predicate
def sits_on_committee(user, obj) -> bool:
    """An active post in the compound's owners' committee (the matter's committee, once proposed)."""
    committee_id = getattr(obj, "committee_id", None)
    if committee_id is None:
        compound = _compound(obj)
        committee = committee_of(compound) if compound is not None else None
        committee_id = committee.pk if committee is not None else None
    return holds_post_in(user, committee_id)


@rules.predicate
def in_reviewing_branch(user, matter) -> bool:
    return matter is not None and holds_post_in(user, getattr(matter, "branch_id", None))


@rules.predicate
def in_managing_company(user, matter) -> bool:
    compound = _compound(matter)
    company = company_of(compound) if compound is not None else None
    return company is not None and holds_post_in(user, company.pk)


@rules.predicate
def manages_compound(user, obj) -> bool:
    compound = _compound(obj)
    return compound is not None and covers(user, compound.path, MANAGING_ROLES)


@rules.predicate
def lives_in_compound(user, obj) -> bool:
    """A resident of the matter's or hearing's compound: the joint meetings' own rule (``permissions.lives_in``)."""
    return lives_in(user, _compound(obj))


su = rules.is_superuser
# 支部先议: each step its own body
rules.add_perm("meetings.propose_matter", su | sits_on_committee)
rules.add_perm("meetings.revise_matter", su | sits_on_committee)
rules.add_perm("meetings.approve_matter", su | in_reviewing_branch)
rules.add_perm("meetings.return_matter", su | in_reviewing_branch)
rules.add_perm("meetings.resolve_matter", su | sits_on_committee)
rules.add_perm("meetings.execute_matter", su | in_managing_company)
rules.add_perm("meetings.link_matter_vote", su | sits_on_committee | manages_compound)
# 民主听证
HEARING_ORGANISERS = su | manages_compound | sits_on_committee
rules.add_perm("meetings.create_hearing", HEARING_ORGANISERS)
rules.add_perm("meetings.add_hearing_member", HEARING_ORGANISERS)
rules.add_perm("meetings.submit_bid", HEARING_ORGANISERS)
rules.add_perm("meetings.open_bids", HEARING_ORGANISERS)
rules.add_perm("meetings.link_hearing_vote", HEARING_ORGANISERS)
rules.add_perm("meetings.decide_hearing", HEARING_ORGANISERS)
# an owner for their own household; organisers enter paper answers for any household of the compound
rules.add_perm("meetings.submit_opinion", HEARING_ORGANISERS | lives_in_compound)
