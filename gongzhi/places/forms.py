from django import forms
from django.utils.translation import gettext_lazy as _

from .geo import BOUNDARY_MAX_CHARS, parse_boundary, parse_latitude, parse_longitude
from .models import ImportKind, Kind, ManagementMode, Place

AREA_ERRORS = {"invalid": _("面积必须是数字"), "max_decimal_places": _("面积最多保留两位小数"),
               "max_digits": _("面积过大"), "max_whole_digits": _("面积过大")}


def _location_field(parse, value):
    try:
        return parse(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


def _positive(value):
    if value is not None and value <= 0:
        raise forms.ValidationError(_("面积必须大于0"))
    return value


class PlaceForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=100, error_messages={"required": _("名称不能为空")})
    code = forms.CharField(label=_("编码"), max_length=40, required=False)
    management_mode = forms.ChoiceField(label=_("管理模式"), choices=[("", "—"), *ManagementMode.choices],
                                        required=False)
    registered_area = forms.DecimalField(label=_("登记面积(㎡)"), max_digits=10, decimal_places=2, required=False,
                                         min_value=0, error_messages={"min_value": _("面积不能为负数"),
                                                                      "invalid": _("面积必须是数字")})
    surveyed_area = forms.DecimalField(
        label=_("实测面积(㎡)"), max_digits=10, decimal_places=2, required=False,
        help_text=_("未登记时以测绘机构的实测面积计算"), error_messages=AREA_ERRORS)
    contract_area = forms.DecimalField(
        label=_("合同面积(㎡)"), max_digits=10, decimal_places=2, required=False,
        help_text=_("未登记也未实测时以房屋买卖合同记载的面积计算"), error_messages=AREA_ERRORS)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    developer_held = forms.BooleanField(
        label=_("建设单位未售出或未交付"), required=False,
        help_text=_("建设单位尚未出售或已出售但尚未交付的专有部分，在业主表决中合计为一人（司法解释第九条）"))

    latitude = forms.CharField(label=_("纬度"), max_length=40, required=False,
                               help_text=_("WGS-84 十进制度数，-90～90，如 34.2712（手机定位、Open311 使用的坐标）"))
    longitude = forms.CharField(label=_("经度"), max_length=40, required=False,
                                help_text=_("WGS-84 十进制度数，-180～180，如 108.9398"))
    boundary = forms.CharField(
        label=_("边界（GeoJSON）"), required=False, max_length=BOUNDARY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("可选：GeoJSON 的 Polygon 或 MultiPolygon，坐标为 [经度, 纬度]；Open311 按位置上报时，落在边界内的归入本小区"))

    def clean_latitude(self):
        return _location_field(parse_latitude, self.cleaned_data.get("latitude"))

    def clean_longitude(self):
        return _location_field(parse_longitude, self.cleaned_data.get("longitude"))

    def clean_boundary(self):
        return _location_field(parse_boundary, self.cleaned_data.get("boundary"))

    def clean_surveyed_area(self):
        return _positive(self.cleaned_data.get("surveyed_area"))

    def clean_contract_area(self):
        return _positive(self.cleaned_data.get("contract_area"))

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, Kind(k).label) for k in kinds]
            if len(kinds) == 1:
                self.fields["kind"].initial = kinds[0]
            if Kind.HOUSEHOLD not in kinds:
                del self.fields["developer_held"]
            if not set(kinds) - {Kind.HOUSEHOLD, Kind.UNIT}:
                for name in ("latitude", "longitude", "boundary"):
                    del self.fields[name]


class PlaceEditForm(PlaceForm):
    def __init__(self, *args, place_kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        if place_kind is not None and place_kind != Kind.HOUSEHOLD:
            del self.fields["developer_held"]
        if place_kind in (Kind.HOUSEHOLD, Kind.UNIT):  # units and homes carry no location
            for name in ("latitude", "longitude", "boundary"):
                del self.fields[name]


class MoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(label=_("新的上级"), queryset=Place.objects.none(),
                                        error_messages={"required": _("请选择新的上级"),
                                                        "invalid_choice": _("所选上级不存在或不在您的范围内")})

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if queryset is not None:
            self.fields["new_parent"].queryset = queryset
        self.fields["new_parent"].label_from_instance = lambda p: f"{p.get_kind_display()} · {p.full_name()}"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=ImportKind.choices)
    file = forms.FileField(label=_("Excel 文件 (.xlsx)"), error_messages={"required": _("请选择要上传的文件")})


class DivisionsForm(forms.Form):
    area = forms.RegexField(label=_("区县行政区划代码"), regex=r"^\d{6}$", max_length=6,
                            help_text=_("6位数字，如 610104（西安市莲湖区）"),
                            error_messages={"required": _("请填写区县代码"), "invalid": _("区县代码应为6位数字")})
