"""Roles an account can hold. Rights come from active Positions (role × place subtree)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STREET_STAFF = "street_staff", _("街道工作人员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    GRID_WORKER = "grid_worker", _("网格员")
    BUILDING_HEAD = "building_head", _("楼栋长")
    PROPERTY_STAFF = "property_staff", _("物业企业员工")
    COMMITTEE_MEMBER = "committee_member", _("业委会成员")
    DEPARTMENT_LIAISON = "department_liaison", _("部门联络员")
    RESIDENT = "resident", _("居民/业主")
    VOLUNTEER = "volunteer", _("志愿者")


# Roles that manage the region tree and people records within their scope.
MANAGING_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF})
# Roles whose work needs a full ID number or phone (each reveal is audited).
PII_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_WORKER})
# Roles that see the region tree (everyone but residents and volunteers).
STAFF_ROLES = frozenset(set(Role) - {Role.RESIDENT, Role.VOLUNTEER})
# Roles whose scope grants reads of place-owned records. A volunteer's scope says where they serve,
# not what they may read.
DATA_ROLES = frozenset(set(Role) - {Role.VOLUNTEER})
