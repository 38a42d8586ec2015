from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.events import register


@register
class Verb(models.TextChoices):
    FILE_REQUEST = "workorders.file_request", _("下单")
    DISPATCH_REQUEST = "workorders.dispatch_request", _("派单")
    GRAB_REQUEST = "workorders.grab_request", _("抢单")
    ACCEPT_REQUEST = "workorders.accept_request", _("接单")
    START_REQUEST = "workorders.start_request", _("开始处理")
    RESOLVE_REQUEST = "workorders.resolve_request", _("办结")
    RETURN_REQUEST = "workorders.return_request", _("退回")
    REJECT_REQUEST = "workorders.reject_request", _("驳回")
    MERGE_REQUEST = "workorders.merge_request", _("合并")
    RATE_REQUEST = "workorders.rate_request", _("评单")
    REOPEN_REQUEST = "workorders.reopen_request", _("重办")
    FOLLOW_UP_REQUEST = "workorders.follow_up_request", _("回访")
    CLOSE_REQUEST = "workorders.close_request", _("关闭")
    MARK_OVERDUE = "workorders.mark_overdue", _("超时")
    ESCALATE_REQUEST = "workorders.escalate_request", _("督办升级")
    EXPIRE_POOL = "workorders.expire_pool", _("抢单超时")
    WHISTLE_REQUEST = "workorders.whistle_request", _("吹哨")
    ACKNOWLEDGE_WHISTLE = "workorders.acknowledge_whistle", _("报到")
    REPORT_WHISTLE = "workorders.report_whistle", _("反馈处置")
    WHISTLE_OVERDUE = "workorders.whistle_overdue", _("报到超时")
    UPDATE_CATALOGUE = "workorders.update_catalogue", _("修改服务目录")
    CREATE_CATEGORY = "workorders.create_category", _("新建服务类别")
    UPDATE_CATEGORY = "workorders.update_category", _("修改服务类别")
    DEACTIVATE_CATEGORY = "workorders.deactivate_category", _("停用服务类别")
    ACTIVATE_CATEGORY = "workorders.activate_category", _("启用服务类别")
    UPDATE_SERVICE_SETTINGS = "workorders.update_service_settings", _("修改诉求参数")
    REVEAL_CONTACT_PHONE = "workorders.reveal_contact_phone", _("查看诉求联系电话")
    EXPORT_REQUESTS = "workorders.export_requests", _("导出诉求")
    EXPORT_RANKINGS = "workorders.export_rankings", _("导出三率排名")
    UPDATE_CALENDAR = "workorders.update_calendar", _("修改节假日")
    CREATE_ROUTING_RULE = "workorders.create_routing_rule", _("新建派单规则")
    UPDATE_ROUTING_RULE = "workorders.update_routing_rule", _("修改派单规则")
    DELETE_ROUTING_RULE = "workorders.delete_routing_rule", _("删除派单规则")
    ADD_DUTY = "workorders.add_duty", _("加入值班")
    SET_DUTY = "workorders.set_duty", _("调整在岗")
    REMOVE_DUTY = "workorders.remove_duty", _("移出值班")
