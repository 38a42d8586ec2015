from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.events import register


@register
class Verb(models.TextChoices):
    CREATE_PLACE = "places.create_place", _("新建区域")
    UPDATE_PLACE = "places.update_place", _("修改区域")
    MOVE_PLACE = "places.move_place", _("移动区域")
    IMPORT_PLACES = "places.import_places", _("导入区域")
    IMPORT_HOUSEHOLDS = "places.import_households", _("导入住户")
    LOAD_DIVISIONS = "places.load_divisions", _("导入行政区划")
    EXPORT_PLACES = "places.export_places", _("导出区域")
    EXPORT_HOUSEHOLDS = "places.export_households", _("导出住户")
