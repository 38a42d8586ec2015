import datetime
from decimal import Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.api_pagination import LimitOffsetPagination
from gongzhi.core.params import Day, Id
from gongzhi.places.models import Kind, Place

from . import actions
from .models import HouseholdMember, Organisation, OrgKind, Person, Position, Relation
from .roles import Title

router = Router(tags=["people 人员与组织"])


class OrganisationOut(Schema):
    id: int
    kind: OrgKind
    name: str
    place_id: int
    parent_id: int | None
    uscc: str
    alliance_id: int | None


class OrganisationIn(Schema):
    kind: OrgKind
    name: str = Field(..., min_length=1, max_length=120)
    place: Id
    parent: Id | None = None
    uscc: str = Field("", max_length=18)
    alliance: Id | None = None
    phone: str = Field("", max_length=20)


class PositionOut(Schema):
    id: int
    person_id: int
    organisation_id: int
    title: Title
    place_id: int
    start_date: datetime.date
    end_date: datetime.date | None


class PositionIn(Schema):
    person: Id
    organisation: Id
    title: Title
    place: Id
    start_date: Day | None = None
    end_date: Day | None = None


class HomeOut(Schema):
    place_id: int
    relation: Relation


class PersonOut(Schema):
    id: int
    name: str
    id_number: str = Field(..., alias="id_number_masked", description="脱敏显示")
    phone: str = Field(..., alias="phone_masked", description="脱敏显示")
    place_id: int
    is_party_member: bool
    party_organisation_id: int | None
    skills: list[str] = Field(..., alias="skill_list")


class PersonDetail(PersonOut):
    positions: list[PositionOut]
    homes: list[HomeOut]

    @staticmethod
    def resolve_positions(obj):
        return list(obj.positions.all())

    @staticmethod
    def resolve_homes(obj):
        return list(obj.homes.all())


class PersonIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    place: Id
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)
    is_party_member: bool = False
    skills: str = Field("", max_length=200)


class OrganisationFilter(FilterSchema):
    kind: OrgKind | None = None
    q: Annotated[str | None, FilterLookup("name__icontains")] = None


class PersonFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    is_party_member: bool | None = None


class PositionFilter(FilterSchema):
    person: Annotated[Id | None, FilterLookup("person_id")] = None
    organisation: Annotated[Id | None, FilterLookup("organisation_id")] = None
    title: Title | None = None


def _place(request, pk: Id) -> Place:
    return get_object_or_404(Place.objects.visible_to(request.user), pk=pk)


@router.get("organisations", response=list[OrganisationOut], summary="组织列表")
@paginate(LimitOffsetPagination)
def list_organisations(request, filters: Query[OrganisationFilter]):
    return filters.filter(Organisation.objects.visible_to(request.user)).order_by("pk")


@router.get("organisations/{int:pk}", response=OrganisationOut, summary="组织详情")
def get_organisation(request, pk: Id):
    return get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)


@router.post("organisations", response={201: OrganisationOut}, summary="新建组织")
def create_organisation(request, payload: OrganisationIn):
    visible = Organisation.objects.visible_to(request.user)
    data = payload.dict()
    data["place"] = _place(request, payload.place)
    data["parent"] = get_object_or_404(visible, pk=payload.parent) if payload.parent else None
    data["alliance"] = get_object_or_404(visible, pk=payload.alliance) if payload.alliance else None
    return Status(201, actions.create_organisation(by=request.user, **data))


@router.get("persons", response=list[PersonOut], summary="人员列表（脱敏）")
@paginate(LimitOffsetPagination)
def list_persons(request, filters: Query[PersonFilter]):
    return filters.filter(Person.objects.visible_to(request.user)).order_by("pk")


@router.get("persons/{int:pk}", response=PersonDetail, summary="人员详情（含全部任职）")
def get_person(request, pk: Id):
    return get_object_or_404(Person.objects.visible_to(request.user).prefetch_related("positions", "homes"), pk=pk)


@router.post("persons", response={201: PersonOut}, summary="登记人员")
def create_person(request, payload: PersonIn):
    data = payload.dict()
    data["place"] = _place(request, payload.place)
    return Status(201, actions.create_person(by=request.user, **data))


@router.get("positions", response=list[PositionOut], summary="任职列表")
@paginate(LimitOffsetPagination)
def list_positions(request, filters: Query[PositionFilter], active: bool = False):
    qs = Position.objects.visible_to(request.user)
    if active:
        qs = qs.active()
    return filters.filter(qs).order_by("pk")


@router.post("positions", response={201: PositionOut}, summary="任职（交叉任职即多条任职）")
def appoint_position(request, payload: PositionIn):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=payload.person)
    org = get_object_or_404(Organisation.objects.visible_to(request.user), pk=payload.organisation)
    return Status(201, actions.appoint_position(person, organisation=org, title=payload.title,
                                         place=_place(request, payload.place), by=request.user,
                                         start_date=payload.start_date, end_date=payload.end_date))


@router.post("positions/{int:pk}/end", response=PositionOut, summary="离任")
def end_position(request, pk: Id, end_date: datetime.date | None = None):
    position = get_object_or_404(Position.objects.visible_to(request.user), pk=pk)
    return actions.end_position(position, by=request.user, end_date=end_date)


# ---------------------------------------------------------------- household members (户成员): the pages' actions


class MemberOut(Schema):
    id: int
    place_id: int
    person_id: int
    relation: Relation
    share: Decimal
    is_representative: bool
    start_date: datetime.date
    end_date: datetime.date | None


class MemberIn(Schema):
    """An already registered person (``person``), or a new one (``name``, ``id_number``, ``phone``: found by ID
    number when registered, as the import does). The rules are the import's (``actions.clean_member_fields``)."""

    person: Id | None = None
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)
    relation: Relation
    share: Decimal | None = None
    registered_area: Decimal | None = Field(None, description="本户登记面积（㎡）；省略则不修改")
    is_representative: bool = False


class MemberPatch(Schema):
    relation: Relation | None = None
    share: Decimal | None = None
    registered_area: Decimal | None = None
    is_representative: bool | None = None


@router.post("households/{int:pk}/members", response={201: MemberOut}, summary="登记户成员")
def add_household_member(request, pk: Id, payload: MemberIn):
    household = get_object_or_404(Place.objects.visible_to(request.user), pk=pk, kind=Kind.HOUSEHOLD)
    member = payload.dict(include={"relation", "share", "is_representative"})
    if "registered_area" in payload.model_fields_set:
        member["registered_area"] = payload.registered_area
    if payload.person is not None:
        person = get_object_or_404(Person.objects.visible_to(request.user), pk=payload.person)
        return Status(201, actions.add_household_member(household, person, by=request.user, **member))
    return Status(201, actions.register_household_member(
        household, by=request.user, person_fields=payload.dict(include={"name", "id_number", "phone"}),
        member_fields=member))


@router.patch("household-members/{int:pk}", response=MemberOut, summary="修改户成员")
def update_household_member(request, pk: Id, payload: MemberPatch):
    member = get_object_or_404(HouseholdMember.objects.visible_to(request.user), pk=pk)
    fields = {k: getattr(payload, k) for k in payload.model_fields_set}
    fields = {k: v for k, v in fields.items() if v is not None or k == "registered_area"}  # null area: none
    return actions.update_household_member(member, by=request.user, **fields)


@router.post("household-members/{int:pk}/end", response=MemberOut, summary="结束户成员登记")
def end_household_member(request, pk: Id, end_date: datetime.date | None = None):
    member = get_object_or_404(HouseholdMember.objects.visible_to(request.user), pk=pk)
    return actions.end_household_member(member, by=request.user, end_date=end_date)
