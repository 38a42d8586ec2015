from decimal import Decimal, InvalidOperation
from typing import Annotated

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from gongzhi.core.api_pagination import LimitOffsetPagination
from gongzhi.core.params import Id

from . import actions
from .geo import parse_boundary, parse_latitude, parse_longitude
from .models import Kind, ManagementMode, Place
from .queries import counts_by_child

router = Router(tags=["places 区域"])


def positive_area(value):
    """实测面积 / 合同面积 over the API: empty, or a number > 0 with at most 2 decimal places (Chinese
    messages, at the field)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(_("面积必须是数字"))
    try:
        area = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(_("面积必须是数字")) from None
    if not area.is_finite():
        raise ValueError(_("面积必须是数字"))
    if area <= 0:
        raise ValueError(_("面积必须大于0"))
    if area >= Decimal("100000000"):  # before quantize, which cannot hold 1e308 to two places
        raise ValueError(_("面积过大"))
    if area != area.quantize(Decimal("0.01")):
        raise ValueError(_("面积最多保留两位小数"))
    return area


def _location(parse, value):
    """纬度 / 经度 / 边界 over the API: the checks of the form and the import (``places.geo``), at the field."""
    if value is None:
        return None
    return parse(value)


class PlaceOut(Schema):
    id: int
    kind: Kind
    name: str
    code: str
    parent_id: int | None
    depth: int
    management_mode: str
    registered_area: Decimal | None
    surveyed_area: Decimal | None
    contract_area: Decimal | None
    address: str
    developer_held: bool
    latitude: Decimal | None
    longitude: Decimal | None
    boundary: str = Field(..., description="GeoJSON Polygon / MultiPolygon 文本（[经度, 纬度]），无则为空")


class PlaceCounts(PlaceOut):
    households: int
    residents: int  # a figure people register (core.registry.subtree_figure)
    compounds: int
    grids: int


class _PlaceFields(Schema):
    """What a place's create and change share: the areas and the location, checked the same way."""

    surveyed_area: Decimal | None = Field(None, description="实测面积（㎡，大于0，最多两位小数）")
    contract_area: Decimal | None = Field(None, description="合同面积（㎡，大于0，最多两位小数）")
    latitude: Decimal | str | None = Field(None, description="纬度（WGS-84，-90～90，保留6位小数）")
    longitude: Decimal | str | None = Field(None, description="经度（WGS-84，-180～180，保留6位小数）")
    boundary: str | dict | None = Field(None, description="边界：GeoJSON Polygon / MultiPolygon（文本或对象），空为无")

    @field_validator("latitude", mode="before")
    @classmethod
    def check_latitude(cls, value):
        return _location(parse_latitude, value)

    @field_validator("longitude", mode="before")
    @classmethod
    def check_longitude(cls, value):
        return _location(parse_longitude, value)

    @field_validator("boundary", mode="before")
    @classmethod
    def check_boundary(cls, value):
        return _location(parse_boundary, value)

    @field_validator("surveyed_area", "contract_area", mode="before")
    @classmethod
    def check_areas(cls, value):
        return positive_area(value)


class PlaceIn(_PlaceFields):
    parent: Id = Field(..., description="上级区域 id")
    kind: Kind
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field("", max_length=40)
    management_mode: ManagementMode | None = None
    registered_area: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    address: str = Field("", max_length=200)
    developer_held: bool = Field(False, description="建设单位未售出或未交付（仅户；业主表决中合计为一人，司法解释第九条）")


class PlacePatch(_PlaceFields):
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, max_length=40)
    management_mode: ManagementMode | None = None
    registered_area: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    address: str | None = Field(None, max_length=200)
    developer_held: bool = Field(False, description="建设单位未售出或未交付（仅户）")


class MoveIn(Schema):
    parent: Id


class PlaceFilter(FilterSchema):
    kind: Kind | None = None
    parent: Annotated[Id | None, FilterLookup("parent_id")] = None
    q: Annotated[str | None, FilterLookup(["name__icontains", "code__icontains"])] = None


@router.get("", response=list[PlaceOut], summary="区域列表（按范围）")
@paginate(LimitOffsetPagination)
def list_places(request, filters: Query[PlaceFilter], under: Id | None = None):
    qs = Place.objects.visible_to(request.user)
    if under is not None:
        root = get_object_or_404(qs, pk=under)
        qs = qs.filter(path__startswith=root.path)
    return filters.filter(qs).order_by("path")


@router.get("/{int:pk}", response=PlaceOut, summary="区域详情")
def get_place(request, pk: Id):
    return get_object_or_404(Place.objects.visible_to(request.user), pk=pk)


@router.get("/{int:pk}/children", response=list[PlaceCounts], summary="下级区域及统计")
@paginate(LimitOffsetPagination)
def place_children(request, pk: Id):
    place = get_object_or_404(Place.objects.visible_to(request.user), pk=pk)
    children = list(Place.objects.visible_to(request.user).filter(parent=place).order_by("path"))
    counts = counts_by_child(place, children)
    return [{**PlaceOut.from_orm(c).dict(), **counts[c.pk].as_dict()} for c in children]


@router.post("", response={201: PlaceOut}, summary="新建区域")
def create_place(request, payload: PlaceIn):
    parent = get_object_or_404(Place.objects.visible_to(request.user), pk=payload.parent)
    data = payload.dict(exclude={"parent", "kind"})
    data["management_mode"] = data["management_mode"] or ""
    data["boundary"] = data["boundary"] or ""
    return Status(201, actions.create_place(parent=parent, kind=payload.kind, by=request.user, **data))


@router.patch("/{int:pk}", response=PlaceOut, summary="修改区域")
def update_place(request, pk: Id, payload: PlacePatch):
    place = get_object_or_404(Place.objects.visible_to(request.user), pk=pk)
    data = payload.dict(exclude_unset=True)
    if "management_mode" in data and data["management_mode"] is None:
        data["management_mode"] = ""  # null clears it, as omitting it does on create
    nulls: dict[str, str] = {f: _("不能为 null（不修改请省略此字段）") for f in ("name", "code", "address") if f in data and data[f] is None}
    if nulls:
        raise ValidationError(nulls)
    if "boundary" in data:
        data["boundary"] = data["boundary"] or ""  # null clears it
    return actions.update_place(place, by=request.user, **data)


@router.post("/{int:pk}/move", response=PlaceOut, summary="移动区域")
def move_place(request, pk: Id, payload: MoveIn):
    qs = Place.objects.visible_to(request.user)
    place = get_object_or_404(qs, pk=pk)
    new_parent = get_object_or_404(qs, pk=payload.parent)
    return actions.move_place(place, new_parent=new_parent, by=request.user)
