"""Position titles (职务) and the role each one grants."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import Role


class Title(models.TextChoices):
    STREET_SECRETARY = "street_secretary", _("街道党工委书记")
    STREET_OFFICER = "street_officer", _("街道干部")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    COMMUNITY_DIRECTOR = "community_director", _("社区主任")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    COMPOUND_WARDEN = "compound_warden", _("小区院长")
    PARTY_INSTRUCTOR = "party_instructor", _("党建指导员")
    BRANCH_SECRETARY = "branch_secretary", _("党支部书记")
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_INFORMANT = "grid_informant", _("网格信息员")
    BUILDING_HEAD = "building_head", _("楼栋长")
    PARTY_HOUSEHOLD_HEAD = "party_household_head", _("党员中心户")
    COMMITTEE_DIRECTOR = "committee_director", _("业委会主任")
    COMMITTEE_DEPUTY = "committee_deputy", _("业委会副主任")
    COMMITTEE_MEMBER = "committee_member", _("业委会委员")
    PMC_MEMBER = "pmc_member", _("物管会成员")
    PROJECT_MANAGER = "project_manager", _("物业项目经理")
    COMPANY_STAFF = "company_staff", _("物业员工")
    DEPARTMENT_LIAISON = "department_liaison", _("部门联络员")
    VOLUNTEER = "volunteer", _("志愿者")


TITLE_ROLES: dict[str, str] = {
    Title.STREET_SECRETARY: Role.STREET_STAFF,
    Title.STREET_OFFICER: Role.STREET_STAFF,
    Title.COMMUNITY_SECRETARY: Role.COMMUNITY_STAFF,
    Title.COMMUNITY_DIRECTOR: Role.COMMUNITY_STAFF,
    Title.COMMUNITY_WORKER: Role.COMMUNITY_STAFF,
    Title.COMPOUND_WARDEN: Role.COMMUNITY_STAFF,
    Title.PARTY_INSTRUCTOR: Role.COMMUNITY_STAFF,
    Title.BRANCH_SECRETARY: Role.GRID_WORKER,
    Title.GRID_LEADER: Role.GRID_WORKER,
    Title.GRID_WORKER: Role.GRID_WORKER,
    Title.GRID_INFORMANT: Role.GRID_WORKER,
    Title.BUILDING_HEAD: Role.BUILDING_HEAD,
    Title.PARTY_HOUSEHOLD_HEAD: Role.BUILDING_HEAD,
    Title.COMMITTEE_DIRECTOR: Role.COMMITTEE_MEMBER,
    Title.COMMITTEE_DEPUTY: Role.COMMITTEE_MEMBER,
    Title.COMMITTEE_MEMBER: Role.COMMITTEE_MEMBER,
    Title.PMC_MEMBER: Role.COMMITTEE_MEMBER,
    Title.PROJECT_MANAGER: Role.PROPERTY_STAFF,
    Title.COMPANY_STAFF: Role.PROPERTY_STAFF,
    Title.DEPARTMENT_LIAISON: Role.DEPARTMENT_LIAISON,
    Title.VOLUNTEER: Role.VOLUNTEER,
}


def role_of_title(title: str) -> str:
    return TITLE_ROLES[title]
