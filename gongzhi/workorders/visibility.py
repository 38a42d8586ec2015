"""Who sees what of a request (docs/privacy.md): the one policy every page, export, API answer, timeline,
notification and the Open311 feed asks.

:func:`shown` returns, for a request and a viewer, a small frozen :class:`Shown`: whether the reporter's
identity is shown (诉求人/联系人 names, the reporter as the actor of timeline steps), the contact phone
(full, masked, hidden; whether it may be revealed, an audited action), the location's precision, whether
the description and which photos are shown, and whether the viewer is the reporter being told that the
property company does not see them. The helpers below render a request through it, so no caller decides on
its own.

Which rows a user sees at all is ``Request.objects.visible_to`` (models.py); this decides what of a
visible row is shown. 对物业匿名 is checked against the viewer's posts (``user_scopes``: every active post,
with its organisation), not against the role they happen to act in: whoever holds a post in the company
concerned (the handler, or the company managing the compound) sees no reporter, whatever other posts they
hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from gongzhi.core.events import verb_label
from gongzhi.core.masking import mask_phone
from gongzhi.core.models import Event
from gongzhi.core.roles import PII_ROLES, Role
from gongzhi.core.scope import covers, scope_organisations, user_scopes
from gongzhi.people.models import ManagementAssignment, Organisation, OrgKind, Person
from gongzhi.places.labels import PlaceLabel, label_of
from gongzhi.places.models import STEP, Kind, Place

from .models import COMMON_PART_KINDS, Attachment, Request, is_common_part, verified_phone_index


class Phone:
    FULL = "full"
    MASKED = "masked"
    HIDDEN = "hidden"


class Precision:
    FULL = "full"  # the place and the 详细地址
    PLACE = "place"  # the place, without the free-text address
    UNIT = "unit"  # a household is shown as its unit (or building); no free-text address
    COMPOUND = "compound"  # the compound at most; no building, unit or room


@dataclass(frozen=True)
class Shown:
    """What one viewer is shown of one request."""

    audience: str  # the row of the policy that applied (docs/privacy.md)
    reporter: bool  # names of the reporter and contact; the reporter as a timeline actor
    phone: str  # Phone.FULL / MASKED / HIDDEN
    can_reveal_phone: bool  # may see the full number through the audited reveal
    location: str  # Precision
    description: bool
    intake_photos: bool  # 现场照片 (may show the inside of a home)
    result_photos: bool  # 办结照片
    hidden_note: bool = False  # the reporter is told the company does not see who filed


def _shown(audience, reporter, phone, reveal, location, *, description=True, intake=True, result=True, note=False):
    return Shown(audience, reporter, phone, reveal, location, description, intake, result, note)


# the policy, one row per audience (docs/privacy.md has the same table in words)
SUPERUSER = _shown("superuser", True, Phone.MASKED, True, Precision.FULL)
COMPANY_ANONYMOUS = _shown("company_anonymous", False, Phone.HIDDEN, False, Precision.UNIT, intake=False)
HANDLER = _shown("handler", True, Phone.FULL, False, Precision.FULL)
HANDLING_ORGANISATION = _shown("handling_organisation", True, Phone.MASKED, True, Precision.FULL)
DISPATCHER = _shown("dispatcher", True, Phone.MASKED, True, Precision.FULL)
BUILDING_HEAD = _shown("building_head", True, Phone.MASKED, False, Precision.FULL)
DEPARTMENT = _shown("department", True, Phone.MASKED, False, Precision.FULL)
COMMITTEE = _shown("committee", False, Phone.HIDDEN, False, Precision.PLACE)
COMMITTEE_NAMED = _shown("committee_named", True, Phone.MASKED, False, Precision.PLACE)
PUBLIC = _shown("public", False, Phone.HIDDEN, False, Precision.COMPOUND, intake=False, result=False)
NOT_PUBLIC = _shown("not_public", False, Phone.HIDDEN, False, Precision.COMPOUND, description=False, intake=False,
                    result=False)


def reporter_shown(anonymous: bool) -> Shown:
    return _shown("reporter", True, Phone.FULL, False, Precision.FULL, note=anonymous)


def company_ids(req: Request) -> set[int]:
    """The property companies a request concerns: its handler when that is a company, and the companies
    managing the place's compound (or the place itself and above)."""
    ids = set()
    if req.handler_id is not None and req.handler is not None and req.handler.kind == OrgKind.PROPERTY_COMPANY:
        ids.add(req.handler_id)
    path = req.place.path
    ancestors = [path[:i] for i in range(STEP, len(path) + 1, STEP)]
    ids |= set(ManagementAssignment.objects.filter(place__path__in=ancestors, end_date__isnull=True)
               .values_list("company_id", flat=True))
    return ids


def company_posts(user) -> frozenset[int]:
    """The property companies ``user`` holds an active post in (one query per user, kept on it)."""
    if not hasattr(user, "_company_posts"):
        orgs = scope_organisations(user)
        user._company_posts = frozenset(Organisation.objects.filter(pk__in=orgs, kind=OrgKind.PROPERTY_COMPANY)
                                        .values_list("pk", flat=True)) if orgs else frozenset()
    return user._company_posts


def in_company_concerned(req: Request, user) -> bool:
    """Does ``user`` hold a post in a company ``req`` concerns (its handler, or a company managing the place)?"""
    posts = company_posts(user)
    if not posts:
        return False
    if req.handler_id in posts:
        return True
    return bool(posts & company_ids(req))


def holds_post_in(user, org_ids) -> bool:
    """Does ``user`` hold any active post in one of the organisations (whatever its role)?"""
    return bool(org_ids) and any(s.organisation_id in org_ids for s in user_scopes(user))


def person_pk(user) -> int | None:
    """The pk of the user's Person (selected with the user by the sign-in backend; else one query, kept)."""
    if not hasattr(user, "_person_pk"):
        selected = user._state.fields_cache.get("person") if hasattr(user, "_state") else None
        if selected is not None:
            user._person_pk = selected.pk
        else:
            user._person_pk = Person.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    return user._person_pk


def is_reporter(req: Request, user) -> bool:
    if req.filed_by_id is not None and req.filed_by_id == user.pk:
        return True
    if req.phone_index and req.phone_index == verified_phone_index(user):  # filed from the user's proven phone
        return True
    return req.reporter_id is not None and req.reporter_id == person_pk(user)


def is_assigned_handler(req: Request, user) -> bool:
    """承办人: the person named as assignee; with nobody named, anyone holding a post in the handler."""
    if req.handler_id is None:
        return False
    if req.assignee_id is not None:
        return req.assignee_id == person_pk(user)
    return holds_post_in(user, {req.handler_id})


def shown(req: Request, user) -> Shown:
    """What ``user`` (None or anonymous: the public) is shown of ``req`` — a request they can see."""
    if user is None or not user.is_authenticated:
        return PUBLIC if req.public else NOT_PUBLIC
    if user.is_superuser:
        return SUPERUSER
    if is_reporter(req, user):
        return reporter_shown(req.anonymous)
    if req.anonymous and in_company_concerned(req, user):
        return COMPANY_ANONYMOUS
    if is_assigned_handler(req, user):
        return HANDLER
    path = req.place.path
    if covers(user, path, PII_ROLES):
        return DISPATCHER
    if req.handler_id is not None and holds_post_in(user, {req.handler_id}):
        return HANDLING_ORGANISATION
    if covers(user, path, {Role.BUILDING_HEAD}):
        return BUILDING_HEAD
    if req.whistles.filter(department_id__in=scope_organisations(user)).exists():
        return DEPARTMENT
    if covers(user, path, {Role.COMMITTEE_MEMBER}) and is_common_part(req.category, req.place):
        return COMMITTEE_NAMED if req.named_to_committee else COMMITTEE
    return NOT_PUBLIC


# ---------------------------------------------------------------- rendering a request through the policy


def reporter_name(req: Request, view: Shown) -> str | None:
    if not view.reporter or req.reporter_id is None or req.reporter is None:
        return None
    return req.reporter.name


def contact_name(req: Request, view: Shown) -> str | None:
    return req.contact_name if view.reporter else None


def contact_phone(req: Request, view: Shown) -> str | None:
    """The callback phone as this viewer sees it: in full, masked (138****5678), or None."""
    if view.phone == Phone.FULL:
        return req.contact_phone
    if view.phone == Phone.MASKED:
        return mask_phone(req.contact_phone)
    return None


def _ancestor_chain(place: Place) -> list[Place]:
    return [*place.ancestors(), place]


def shown_place(place: Place, precision: str) -> Place:
    """The place published at ``precision``: a household as its unit (UNIT), anything below a compound as
    the compound (COMPOUND)."""
    if precision == Precision.COMPOUND:
        chain = _ancestor_chain(place)
        compound = next((p for p in chain if p.kind == Kind.COMPOUND), None)
        if compound is not None:
            return compound
        # no compound above it: the place itself unless it is a part of a building
        return next((p for p in reversed(chain) if p.kind not in COMMON_PART_KINDS | {Kind.HOUSEHOLD}), place)
    if precision == Precision.UNIT and place.kind == Kind.HOUSEHOLD and place.parent is not None:
        return place.parent
    return place


def location(req: Request, view: Shown, *, full: bool = True) -> str:
    """The location text: the place's full name (``full``) or its own name, plus the 详细地址 when shown."""
    place = shown_place(req.place, view.location)
    text = place.full_name() if full else place.name
    if view.location == Precision.FULL and req.address:
        text += f"，{req.address}"
    return text


def location_name(req: Request, view: Shown) -> str:
    """The place in context ("尚书苑 2号楼 1单元 101", ``places.labels``) at the viewer's precision (lists,
    exports): a household as its unit, or only the compound. Label a page's places first
    (``places.labels.attach_labels`` / ``labelled``) so this reads nothing."""
    label = label_of(req.place)
    kinds = [kind for kind, _name in label.chain]
    if view.location == Precision.COMPOUND:
        if Kind.COMPOUND in kinds:
            return label.upto(Kind.COMPOUND)
        return shown_place(req.place, view.location).name
    if view.location == Precision.UNIT and req.place.kind == Kind.HOUSEHOLD and len(label.chain) > 1:
        return PlaceLabel(label.chain[:-1]).short
    return label.short


def address(req: Request, view: Shown) -> str:
    return req.address if view.location == Precision.FULL else ""


def photos(req: Request, view: Shown) -> list[Attachment]:
    stages = [s for s, ok in ((Attachment.Stage.INTAKE, view.intake_photos), (Attachment.Stage.RESULT,
                                                                             view.result_photos)) if ok]
    return list(req.photos.filter(stage__in=stages))


def timeline(req: Request, view: Shown) -> list[dict]:
    """The public steps of a request, oldest first; the reporter as actor only where the reporter is shown."""
    reporter_users = {req.filed_by_id, req.reporter.user_id if req.reporter is not None else None} - {None}
    events = (Event.objects.filter(target_type=ContentType.objects.get_for_model(Request), target_id=str(req.pk),
                                   public=True)
              .select_related("actor").order_by("at", "pk"))
    names = dict(Person.objects.filter(user_id__in=[e.actor_id for e in events if e.actor_id is not None])
                 .values_list("user_id", "name"))  # people by their names, not their accounts
    items = []
    for e in events:
        actor = (names.get(e.actor_id) or e.actor.get_username()) if e.actor_id and e.actor else None
        if not view.reporter and e.actor_id in reporter_users:
            actor = None
        items.append({"at": e.at, "verb": e.verb, "label": verb_label(e.verb), "summary": e.summary, "actor": actor})
    return items


# ---------------------------------------------------------------- notifications


def subject(req: Request, limit: int = 20) -> str:
    """How a notice names a request: its words, quoted and cut short (“楼道灯不亮”), never who filed it."""
    text = " ".join((req.description or "").split())
    if len(text) > limit:
        text = text[:limit] + "…"
    return _("“%(t)s”") % {"t": text}


def where(req: Request) -> str:
    """The compound (or the community) a notice names: never the building, unit or room."""
    return shown_place(req.place, Precision.COMPOUND).name


def told(req: Request, users) -> list:
    """The recipients a notice about ``req`` may go to: those who hold a post in a company it concerns are
    left out when it is anonymous towards the company (they learn of it as its handler, without the reporter)."""
    users = [u for u in users if u is not None]
    if not req.anonymous:
        return users
    return [u for u in users if not in_company_concerned(req, u)]
