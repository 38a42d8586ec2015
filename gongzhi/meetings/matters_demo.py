"""Demo records of 支部先议 and 民主听证 (``seed_demo``), shaped like seed 004 (东湖街道 太平洋花园): in 尚书苑 one
full four-step trail (燃气管道改造更新: returned once with the branch's opinion, revised, approved, resolved by
the committee, executed by 万科物业 through a work order that is done), the nine-elevator matter that needs the
owners' vote (维修资金) with its 民主听证 — a hearing group, three suppliers bidding on the spot, an owners' poll
(one answer per household) and the decision linked to the owners' vote — and a few more matters over the year
at every stage. Everything goes through the actions; only the dates of older matters are set back afterwards."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.assembly import actions as votes
from gongzhi.assembly.rules import Matter as LawMatter
from gongzhi.core.permissions import SYSTEM
from gongzhi.people.models import HouseholdMember, Person, Relation
from gongzhi.places.models import Kind, Place
from gongzhi.workorders import actions as workorders

from . import matters_actions as actions
from .models.matter import Matter


def _backdate(matter: Matter, days: int) -> None:
    """Demo history: the matter was proposed ``days`` ago, each later step a few days after the one before."""
    now = timezone.now()
    fields = {"proposed_at": now - datetime.timedelta(days=days)}
    if matter.resolved_at:
        fields["resolved_at"] = now - datetime.timedelta(days=max(days - 12, 0))
    if matter.execution_started_at:
        fields["execution_started_at"] = now - datetime.timedelta(days=max(days - 15, 0))
    Matter.objects.filter(pk=matter.pk).update(**fields)


def _ballots(committee_id: int, *, present: int, against: int = 0, abstain: int = 0) -> dict[int, str]:
    members = actions.sitting_members(committee_id)[:present]
    out = {}
    for i, p in enumerate(members):
        out[p.pk] = "against" if i >= present - against else ("abstain" if i >= present - against - abstain
                                                                else "for")
    return out


def seed_matters(street) -> None:
    """``street``: the demo street's ``DemoStreet``."""
    rng, compounds = street.rng, street.compounds
    User = get_user_model()
    committee, grid, company, community = (User.objects.get(username=n)
                                           for n in ("committee", "grid", "property", "community"))
    shangshu = compounds[0]

    # --- the full trail (seed 004: 燃气管道改造更新)
    gas = actions.propose_matter(shangshu, by=committee, kind="renovation", title="燃气管道改造更新",
                                 description="小区建成二十余年，1—8号楼燃气立管锈蚀。拟由物业公司组织有资质单位分批更换立管和阀门，"
                                             "费用从公共收益中列支。", estimated_cost="186000")
    actions.return_matter(gas, by=grid, opinion="请先找准问题诱因：逐栋排查锈蚀情况，补充施工期间的临时供气和安全方案，"
                                               "再提交审议。")
    actions.revise_matter(gas, by=committee, title="燃气管道改造更新",
                          description="已逐栋排查：1—5号楼立管锈蚀严重，6—8号楼局部更换。分两批施工，每批停气不超过8小时，"
                                      "施工期间物业安排专人值守并提前三天张贴通知。费用从公共收益中列支。",
                          estimated_cost="168000")
    actions.approve_matter(gas, by=grid, opinion="方案可行，请党员委员在业委会上做好解释说明。")
    actions.resolve_matter(gas, by=committee, ballots=_ballots(gas.committee_id, present=6, abstain=1),
                           note="同意按修改后的方案实施，分两批施工。")
    gas = actions.execute_matter(gas, by=company, note="已联系燃气公司和施工单位")
    assert gas.request is not None
    workorders.start_request(gas.request, by=company)
    workorders.resolve_request(gas.request, by=company, result_note="1—8号楼燃气立管和阀门已全部更换，燃气公司验收合格。")
    _backdate(gas, 150)

    # --- the nine elevators: a matter for the owners (维修资金), with its 民主听证
    elevators = actions.propose_matter(shangshu, by=committee, kind="major_spending", title="更换9部老旧高危电梯",
                                       description="1—8号楼9部电梯使用超过20年，多次困人。拟使用专项维修资金整体更换，"
                                                   "供应商经民主听证现场竞标产生。", estimated_cost="2700000",
                                       needs_owners_vote=True)
    actions.approve_matter(elevators, by=grid, opinion="涉及维修资金使用，须召开民主听证并提请业主大会表决。")
    actions.resolve_matter(elevators, by=committee, ballots=_ballots(elevators.committee_id, present=7))
    now = timezone.now()
    fund_vote = votes.create_vote(compound=shangshu, kind="question", matter=LawMatter.USE_MAINTENANCE_FUND,
                                  title="关于使用专项维修资金更换9部电梯的表决",
                                  question="是否同意使用专项维修资金约270万元，按民主听证确定的供应商更换1—8号楼9部电梯？",
                                  opens_at=now + datetime.timedelta(days=20), closes_at=now + datetime.timedelta(days=40),
                                  by=community)
    actions.link_matter_vote(elevators, vote=fund_vote, by=committee)
    hearing = actions.create_hearing(shangshu, by=community, subject="9部老旧电梯更换民主听证会", matter=elevators,
                                     held_at=now - datetime.timedelta(days=6), venue="邻里中心红色议事厅",
                                     description="居民代表、业委会、党员代表、物业负责人和技术专家组成听证小组，三家电梯供应商现场竞标。",
                                     needs_owners_vote=True)
    owners = list(HouseholdMember.objects.current().filter(place__path__startswith=shangshu.path,
                                                           relation=Relation.OWNER, is_representative=True)
                  .select_related("person", "place").order_by("pk"))
    sitting = actions.sitting_members(elevators.committee_id)
    party = [m.person for m in owners if m.person.is_party_member and m.person not in sitting][:1]
    group = ([(m.person, "owner_rep") for m in owners[20:23]] + [(p, "committee") for p in sitting[:2]]
             + [(p, "party_member") for p in party] + [(Person.objects.get(user=company), "company")])
    expert = Person.objects.filter(skills__contains="电梯维保").order_by("pk").first()
    if expert is not None:
        group.append((expert, "expert"))
    group = list({person.pk: (person, role) for person, role in reversed(group)}.values())[::-1]  # each once
    for person, role in group:
        actions.add_hearing_member(hearing, person=person, group=role, by=community)
    for supplier, price, terms in (
            ("西安奥的斯电梯有限公司", "298000", "每部含拆除、安装；质保5年，免费维保2年；工期每部25天"),
            ("陕西通力电梯工程有限公司", "285000", "每部含拆除、安装；质保3年，免费维保3年；工期每部30天"),
            ("西安三菱电梯销售服务有限公司", "306000", "每部含拆除、安装；质保5年，免费维保1年；工期每部20天")):
        actions.submit_bid(hearing, supplier=supplier, price=Decimal(price), terms=terms, by=community)
    actions.open_bids(hearing, by=community)
    resident_home = Place.objects.filter(members__person__user__username="resident").values_list("pk", flat=True)
    households = list(Place.objects.filter(kind=Kind.HOUSEHOLD, path__startswith=shangshu.path)
                      .exclude(pk__in=resident_home).order_by("path"))
    for h in households:
        if rng.random() < 0.68:
            choice = rng.choices(["agree", "disagree", "abstain"], weights=[86, 8, 6])[0]
            actions.submit_opinion(hearing, household=h, choice=choice, by=SYSTEM)  # 书面征询意见表, entered
    actions.link_hearing_vote(hearing, vote=fund_vote, by=community)
    chosen = hearing.bids.get(supplier="陕西通力电梯工程有限公司")
    result = actions.poll_result(hearing)
    actions.decide_hearing(
        hearing, bid=chosen, by=community,
        decision="听证小组综合报价、质保和维保年限，推荐陕西通力电梯工程有限公司（每部28.5万元），先更换高危的4部，其余5部分批推进；"
                 "最终以业主大会表决结果为准。",
        record=(f"听证会于{timezone.localtime(hearing.held_at):%Y年%m月%d日}在邻里中心红色议事厅召开，听证小组{len(group)}人出席。"
                f"三家供应商现场报价并答疑，技术专家逐项比对了设备参数。业主意见征询共收回{result['answered']}户，"
                f"参与率{result['turnout']}%。"))

    # --- more matters over the year, at every stage
    playground = actions.propose_matter(shangshu, by=committee, kind="renovation", title="户外活动设施提升（儿童乐园）",
                                        description="儿童乐园滑梯破损、地垫老化，拟整体更新并加装围栏。", estimated_cost="42000")
    actions.approve_matter(playground, by=grid)
    actions.resolve_matter(playground, by=committee, ballots=_ballots(playground.committee_id, present=5))
    playground = actions.execute_matter(playground, by=company)
    assert playground.request is not None
    workorders.resolve_request(playground.request, by=company, result_note="儿童乐园已焕然一新，已验收。")
    _backdate(playground, 300)

    facade = actions.propose_matter(shangshu, by=committee, kind="major_affair", title="外墙脱落修缮",
                                    description="3号楼、5号楼外墙瓷砖脱落，存在高空坠物隐患，拟搭设防护并修缮。", estimated_cost="95000")
    _backdate(facade, 4)  # waiting for the branch (the grid account's 待办)

    garage = actions.propose_matter(shangshu, by=committee, kind="renovation", title="地库照明改造",
                                    description="地下车库照明昏暗，拟更换为LED声控灯。", estimated_cost="36000")
    actions.return_matter(garage, by=grid, opinion="请与路灯昏暗问题一并考虑，补充三家比价。")
    _backdate(garage, 20)  # returned: waiting for the committee

    for compound, title, cost, passes, days in ((compounds[1], "小区路灯更换", "28000", True, 60),
                                                (compounds[2], "增设电动车充电桩", "60000", False, 90)):
        m = actions.propose_matter(compound, by=SYSTEM, kind="renovation", title=title,
                                   description=f"{compound.name}业委会提议：{title}。", estimated_cost=cost)
        actions.approve_matter(m, by=SYSTEM)
        present = len(actions.sitting_members(m.committee_id))
        against = 0 if passes else present - present // 2
        actions.resolve_matter(m, by=SYSTEM, ballots=_ballots(m.committee_id, present=present, against=against))
        if passes:
            actions.execute_matter(m, by=SYSTEM)
        _backdate(m, days)
