"""Every audited verb: the action writes exactly one Event with that verb (actor, target, place) and tells
exactly the expected accounts. Complete by construction: every registered verb has a case or a reason."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.assembly import actions as assembly_actions
from gongzhi.core.events import verb_choices
from gongzhi.core.permissions import SYSTEM
from gongzhi.meetings import actions as meetings_actions
from gongzhi.meetings import jobs as meetings_jobs
from gongzhi.meetings import matters_actions as matters
from gongzhi.notices import actions as notices_actions
from gongzhi.people import accounts
from gongzhi.people import actions as people_actions
from gongzhi.places import actions as place_actions
from gongzhi.places.models import Kind
from gongzhi.workorders import actions, jobs

from .assembly.conftest import compound_staff, estate, make_closed, make_open, open_vote  # noqa: F401
from .capture import SENT
from .conftest import ROLES
from .matters.conftest import (  # noqa: F401
    all_for,
    at,
    catalogue,
    company,
    hearing,
    members,
    passed_vote,
    proposed,
    steps,
    with_bids,
    world,
)
from .meetings.conftest import meeting, quorate, series, spawn_resolution, topic  # noqa: F401
from .workorders.conftest import (  # noqa: F401
    company_staff,
    dispatched,
    filed,
    managed,
    resolved,
    unlocated_request,
    utilities,
)

LATER = datetime.timedelta(days=90)


def later():
    return timezone.now() + LATER


# Each case: verb → (who acts: a fixture name, or None for the platform; what to do: w → a thunk run inside
# the capture; the usernames told). Setup happens outside the capture, through actions.
def _whistle(w):
    return actions.whistle_request(w.dispatched, department=w.orgs["police"], by=w.community_staff, note="违建")


def _vote(w):
    return open_vote(w.estate, w.compound_staff)


def _announced(w):
    return assembly_actions.announce_vote(_vote(w), by=w.compound_staff)


def _cast(w, choice="yes"):
    vote = make_open(_announced(w))
    return vote, (lambda: assembly_actions.cast_ballot(vote, by=w.estate["owners"]["B"], choice=choice))


def _change(w):
    vote, cast = _cast(w)
    cast()
    return lambda: assembly_actions.cast_ballot(vote, by=w.estate["owners"]["B"], choice="no")


def _paper(w, second=None):
    vote = make_open(_announced(w))
    unit = w.estate["units"]["301"]
    assembly_actions.enter_paper_ballot(vote, serial="P-1", unit=unit, by=w.compound_staff, choice="yes")
    return lambda: assembly_actions.enter_paper_ballot(vote, serial="P-1", unit=unit, by=w.second_staff,
                                                       choice=second)


def _conflicted(w):
    vote = make_open(_announced(w))
    unit = w.estate["units"]["301"]
    assembly_actions.enter_paper_ballot(vote, serial="P-1", unit=unit, by=w.compound_staff, choice="yes")
    assembly_actions.enter_paper_ballot(vote, serial="P-1", unit=unit, by=w.second_staff, choice="no")
    return lambda: assembly_actions.resolve_paper_ballot(vote, serial="P-1", unit=unit, by=w.street_staff,
                                                         choice="no")  # a third person


def _two_ballots(w):
    """E voted online; then both clerks enter (having seen it) a paper ballot for 301: held, not replacing."""
    vote = make_open(_announced(w))
    unit = w.estate["units"]["301"]
    assembly_actions.cast_ballot(vote, by=w.estate["owners"]["E"], choice="yes")
    assembly_actions.enter_paper_ballot(vote, serial="P-1", unit=unit, by=w.compound_staff, choice="no",
                                        acknowledge_conflict=True)
    return vote, (lambda: assembly_actions.enter_paper_ballot(vote, serial="P-1", unit=unit, by=w.second_staff,
                                                              choice="no", acknowledge_conflict=True))


def _settle(w):
    vote, second_entry = _two_ballots(w)
    held = second_entry().held
    return lambda: assembly_actions.resolve_ballot_conflict(vote, conflict=held.pk, by=w.street_staff,
                                                            reason="业主确认线上投票为本人所投")


def _tally(w):
    vote, cast = _cast(w)
    cast()
    make_closed(vote)
    return lambda: assembly_actions.tally_vote(vote, by=w.compound_staff)


def _duty(w):
    return actions.add_duty(w.orgs["community_office"], person=w.grid_worker.person, by=w.community_staff)


def _notice(w):
    return notices_actions.notify([w.resident], verb="workorders.dispatch_request", text="您的诉求已派单",
                                  link="/requests/")[0]


def _newcomer(w):
    return people_actions.register_household_member(
        w.tree["household2"], by=SYSTEM, person_fields={"name": "钱七", "phone": "13700001111"},
        member_fields={"relation": "tenant"}).person


def _sent_code(w, send):
    """Run ``send`` with its on-commit work, and read the verification code the channels were handed."""
    SENT.clear()
    with w.django_capture_on_commit_callbacks(execute=True):
        send()
    return re.search(r"验证码：(\d{6})", SENT[-1]["text"]).group(1)


def _activation(w):
    person = _newcomer(w)
    code = _sent_code(w, lambda: accounts.create_account(person, by=w.community_staff, username="qianqi"))
    return lambda: accounts.activate_account(username="qianqi", code=code, password="Lianhu-2026-xin")


def _password_reset(w):
    code = _sent_code(w, lambda: accounts.request_password_reset(phone=w.resident.person.phone))
    return lambda: accounts.reset_password(phone=w.resident.person.phone, code=code, password="Lianhu-2026-xin")


def _wrong_code(w):
    code = _sent_code(w, lambda: accounts.request_password_reset(phone=w.resident.person.phone))
    wrong = "000000" if code != "000000" else "111111"

    def attempt():
        with pytest.raises(ValidationError):
            accounts.reset_password(phone=w.resident.person.phone, code=wrong, password="Lianhu-2026-xin")
    return attempt


def _rule(w):
    return actions.create_routing_rule(category=w.utilities, place=w.tree["compound"], organisation=w.managed,
                                       by=w.community_staff)


def _proposal(w):
    return meetings_actions.propose_topic(by=w.resident, place=w.tree["compound"], kind="major", title="增设座椅")


def _held(w):
    meetings_actions.hold_meeting(w.meeting, by=w.community_staff)
    meetings_actions.edit_minutes(w.meeting, by=w.community_staff, host="王书记", recorder="李干事")
    return w.meeting


def _final(w):
    held = _held(w)
    meetings_actions.finalise_minutes(held, by=w.community_staff)
    return held


def _carry(w):
    resolution = spawn_resolution(w.quorate, w.community_staff, w.orgs["company"], w.utilities)
    meetings_actions.schedule_meeting(w.series, by=w.community_staff, starts_at=later(), location="议事厅")
    return lambda: meetings_jobs.carry_over_overdue(today=resolution.due_date + datetime.timedelta(days=1))


def _overdue(w):
    jobs.mark_resolution_overdue(now=later())
    return lambda: jobs.escalate_to_street(now=later())


CASES = {
    # places
    "places.create_place": ("community_staff", lambda w: lambda: place_actions.create_place(
        parent=w.tree["compound"], kind=Kind.BUILDING, name="9号楼", by=w.community_staff), set()),
    "places.update_place": ("community_staff", lambda w: lambda: place_actions.update_place(
        w.tree["compound"], name="尚书新苑", by=w.community_staff), set()),
    "places.move_place": ("community_staff", lambda w: lambda: place_actions.move_place(
        w.tree["compound"], new_parent=w.tree["grid2"], by=w.community_staff), set()),
    # people
    "people.create_person": ("community_staff", lambda w: lambda: people_actions.create_person(
        by=w.community_staff, name="新居民", place=w.tree["household"]), set()),
    "people.update_person": ("community_staff", lambda w: lambda: people_actions.update_person(
        w.resident.person, by=w.community_staff, phone="13900009999"), set()),
    "core.reveal_pii": ("community_staff", lambda w: lambda: people_actions.reveal_pii(
        w.resident.person, field="id_number", by=w.community_staff), set()),
    "people.create_organisation": ("community_staff", lambda w: lambda: people_actions.create_organisation(
        kind="social_organisation", name="睦邻会", place=w.tree["compound"], by=w.community_staff), set()),
    "people.update_organisation": ("community_staff", lambda w: lambda: people_actions.update_organisation(
        w.orgs["volunteers"], name="志愿者协会", by=w.community_staff), set()),
    "people.appoint_position": ("community_staff", lambda w: lambda: people_actions.appoint_position(
        w.resident.person, organisation=w.orgs["volunteers"], title="volunteer", place=w.tree["community"],
        by=w.community_staff), set()),
    "people.end_position": ("community_staff", lambda w: lambda: people_actions.end_position(
        w.grid_worker.person.positions.first(), by=w.community_staff), set()),
    "people.add_household_member": ("community_staff", lambda w: lambda: people_actions.add_household_member(
        w.tree["household2"], w.resident.person, relation="tenant", by=w.community_staff), set()),
    "people.update_household_member": ("community_staff", lambda w: lambda: people_actions.update_household_member(
        w.resident.person.homes.get(), share="0.5", by=w.community_staff), set()),
    "people.end_household_member": ("community_staff", lambda w: lambda: people_actions.end_household_member(
        w.resident.person.homes.get(), by=w.community_staff), set()),
    "people.create_account": ("community_staff", lambda w: (lambda p: lambda: accounts.create_account(
        p, by=w.community_staff, username="qianqi"))(_newcomer(w)), set()),
    "people.reset_account": ("community_staff", lambda w: lambda: accounts.reset_account(
        w.resident.person, by=w.community_staff), set()),
    "people.deactivate_account": ("community_staff", lambda w: lambda: accounts.deactivate_account(
        w.resident.person, by=w.community_staff), set()),
    "people.reactivate_account": ("community_staff", lambda w: (accounts.deactivate_account(
        w.resident.person, by=w.community_staff), lambda: accounts.reactivate_account(
        w.resident.person, by=w.community_staff))[1], set()),
    "people.activate_account": ("qianqi", _activation, set()),
    "people.request_password_reset": (None, lambda w: lambda: accounts.request_password_reset(
        phone=w.resident.person.phone), set()),
    "people.reset_password": ("resident", _password_reset, set()),
    "people.reject_code": (None, _wrong_code, set()),
    "people.send_phone_code": (None, lambda w: lambda: accounts.send_phone_code(phone="13912345678"), set()),
    "people.issue_api_token": ("community_staff", lambda w: lambda: people_actions.issue_api_token(
        w.community_staff, name="对接", by=w.community_staff), set()),
    "people.revoke_api_token": ("community_staff", lambda w: (lambda t: lambda: people_actions.revoke_api_token(
        t, by=w.community_staff))(people_actions.issue_api_token(w.community_staff, name="对接",
                                                                 by=w.community_staff)[0]), set()),
    "workorders.print_qr_sheets": ("community_staff", lambda w: lambda: actions.print_qr_sheets(
        w.tree["compound"], by=w.community_staff), set()),
    # requests: the lifecycle
    "workorders.file_request": ("resident", lambda w: (w.managed, lambda: actions.file_request(
        by=w.resident, category=w.utilities, description="漏水", place=w.tree["household"]))[1], {"community"}),
    "workorders.dispatch_request": ("community_staff", lambda w: lambda: actions.dispatch_request(
        w.filed, to=w.managed, by=w.community_staff), {"property", "resident"}),
    "workorders.grab_request": ("property_staff", lambda w: (lambda r: lambda: actions.grab_request(
        r, by=w.company_staff))(actions.dispatch_request(w.filed, to=w.managed, mode="pool",
                                                         by=w.community_staff)), set()),
    "workorders.accept_request": ("property_staff", lambda w: lambda: actions.accept_request(
        w.dispatched, by=w.company_staff), {"resident"}),
    "workorders.start_request": ("property_staff", lambda w: (actions.accept_request(
        w.dispatched, by=w.company_staff), lambda: actions.start_request(w.dispatched, by=w.company_staff))[1],
        set()),
    "workorders.resolve_request": ("property_staff", lambda w: (actions.accept_request(
        w.dispatched, by=w.company_staff), lambda: actions.resolve_request(
        w.dispatched, by=w.company_staff, result_note="已修"))[1], {"resident"}),
    "workorders.return_request": ("property_staff", lambda w: lambda: actions.return_request(
        w.dispatched, by=w.company_staff, reason="不归物业管"), {"community"}),
    "workorders.reject_request": ("community_staff", lambda w: lambda: actions.reject_request(
        w.filed, by=w.community_staff, reason="重复"), {"resident"}),
    "workorders.merge_request": ("community_staff", lambda w: (lambda other: lambda: actions.merge_request(
        other, into=w.filed, by=w.community_staff))(actions.file_request(
        by=w.resident, category=w.utilities, description="又漏", place=w.tree["household"])), {"resident"}),
    "workorders.rate_request": ("resident", lambda w: lambda: actions.rate_request(
        w.resolved, by=w.resident, rating=5), {"property"}),
    "workorders.reopen_request": ("resident", lambda w: lambda: actions.reopen_request(
        w.resolved, by=w.resident, reason="又漏了"), {"community", "property"}),
    "workorders.reveal_contact_phone": ("community_staff", lambda w: lambda: actions.reveal_contact_phone(
        w.dispatched, by=w.community_staff), set()),
    "workorders.set_request_public": ("resident", lambda w: lambda: actions.set_request_public(
        w.dispatched, not w.dispatched.public, by=w.resident), set()),
    "workorders.assign_place": ("community_staff", lambda w: lambda: actions.assign_place(
        w.unlocated_request, w.tree["compound"], by=w.community_staff), set()),
    "workorders.follow_up_request": ("community_staff", lambda w: lambda: actions.follow_up_request(
        w.resolved, by=w.community_staff, note="已回访"), set()),
    # the tick, through the job steps, with the clock moved so rows are due
    "workorders.close_request": (None, lambda w: (w.resolved, lambda: jobs.close_finished(now=later()))[1], set()),
    "workorders.mark_overdue": (None, lambda w: (w.dispatched, lambda: jobs.mark_resolution_overdue(
        now=later()))[1], {"community"}),
    "workorders.escalate_request": (None, lambda w: (w.dispatched, _overdue(w))[1], {"street"}),
    "workorders.expire_pool": (None, lambda w: (actions.dispatch_request(
        w.filed, to=w.managed, mode="pool", by=w.community_staff), lambda: jobs.expire_grab_pool(now=later()))[1],
        {"community"}),
    "workorders.whistle_overdue": (None, lambda w: (_whistle(w), lambda: jobs.mark_whistles_overdue(
        now=later()))[1], {"street"}),
    # whistles
    "workorders.whistle_request": ("community_staff", lambda w: lambda: _whistle(w), {"department"}),
    "workorders.acknowledge_whistle": ("department_liaison", lambda w: (lambda wh: lambda: (
        actions.acknowledge_whistle(wh, by=w.department_liaison)))(_whistle(w)), {"community"}),
    "workorders.report_whistle": ("department_liaison", lambda w: (lambda wh: lambda: actions.report_whistle(
        wh, by=w.department_liaison, report="已到场"))(_whistle(w)), {"community"}),
    # catalogue, settings, calendar, routing, duty
    "workorders.update_catalogue": ("street_staff", lambda w: lambda: actions.update_service_level(
        w.utilities.levels.get(urgency="normal"), by=w.street_staff, response_value=3, response_unit="hours",
        resolution_value=3, resolution_unit="hours"), set()),
    "workorders.create_category": ("street_staff", lambda w: (w.utilities, lambda: actions.create_category(
        code="greening", name="绿化养护", handler_kind=w.utilities.handler_kind, by=w.street_staff))[1], set()),
    "workorders.update_category": ("street_staff", lambda w: lambda: actions.update_category(
        w.utilities, by=w.street_staff, name="水电", handler_kind=w.utilities.handler_kind), set()),
    "workorders.deactivate_category": ("street_staff", lambda w: lambda: actions.set_category_active(
        w.utilities, active=False, by=w.street_staff), set()),
    "workorders.activate_category": ("street_staff", lambda w: (actions.set_category_active(
        w.utilities, active=False, by=w.street_staff), lambda: actions.set_category_active(
        w.utilities, active=True, by=w.street_staff))[1], set()),
    "workorders.update_service_settings": ("street_staff", lambda w: (w.utilities, lambda: (
        actions.update_service_settings(by=w.street_staff, reopen_days=5)))[1], set()),
    "workorders.update_calendar": ("street_staff", lambda w: (w.utilities, lambda: actions.set_holiday(
        date=datetime.date(2031, 1, 2), kind="off", name="测试", by=w.street_staff))[1], set()),
    "workorders.create_routing_rule": ("community_staff", lambda w: (w.utilities, lambda: _rule(w))[1], set()),
    "workorders.update_routing_rule": ("community_staff", lambda w: (lambda r: lambda: (
        actions.update_routing_rule(r, by=w.community_staff, place=w.tree["grid"])))(_rule(w)), set()),
    "workorders.delete_routing_rule": ("community_staff", lambda w: (lambda r: lambda: (
        actions.delete_routing_rule(r, by=w.community_staff)))(_rule(w)), set()),
    "workorders.add_duty": ("community_staff", lambda w: lambda: _duty(w), set()),
    "workorders.set_duty": ("community_staff", lambda w: (lambda d: lambda: actions.set_duty(
        d, on_duty=False, by=w.community_staff))(_duty(w)), set()),
    "workorders.remove_duty": ("community_staff", lambda w: (lambda d: lambda: actions.remove_duty(
        d, by=w.community_staff))(_duty(w)), set()),
    # notices: the reader's own moves
    "notices.read_notice": ("resident", lambda w: (lambda n: lambda: notices_actions.read_notice(
        n, by=w.resident))(_notice(w)), set()),
    "notices.read_all_notices": ("resident", lambda w: (_notice(w), lambda: notices_actions.read_all_notices(
        by=w.resident))[1], set()),
    # owners' votes
    # joint meetings
    "meetings.create_series": ("community_staff", lambda w: lambda: meetings_actions.create_series(
        by=w.community_staff, place=w.tree["compound"], name="尚书苑议事会", members=[w.orgs["committee"]]), set()),
    "meetings.set_delegates": ("community_staff", lambda w: lambda: meetings_actions.set_delegates(
        w.series.members.get(organisation=w.orgs["company"]), by=w.community_staff,
        positions=list(w.orgs["company"].positions.all())), set()),
    "meetings.generate_meetings": (None, lambda w: lambda: meetings_actions.generate_meetings(w.series, by=SYSTEM),
                                   set()),
    "meetings.schedule_meeting": ("community_staff", lambda w: lambda: meetings_actions.schedule_meeting(
        w.series, by=w.community_staff, starts_at=later()), set()),
    "meetings.invite_organisation": ("community_staff", lambda w: lambda: meetings_actions.invite_organisation(
        w.meeting, organisation=w.orgs["police"], by=w.community_staff), set()),
    "meetings.add_topic": ("community_staff", lambda w: lambda: meetings_actions.add_topic(
        w.meeting, by=w.community_staff, kind="urgent", title="楼道照明损坏"), set()),
    "meetings.propose_topic": ("resident", lambda w: lambda: _proposal(w), {"community"}),
    "meetings.flag_request": ("grid_worker", lambda w: lambda: meetings_actions.flag_request(
        w.dispatched, by=w.grid_worker, reason="多次反映未解决，需要联席会商量"), {"community"}),
    "meetings.accept_proposal": ("community_staff", lambda w: (lambda t: lambda: meetings_actions.accept_proposal(
        t, meeting=w.meeting, by=w.community_staff))(_proposal(w)), {"resident"}),
    "meetings.decline_proposal": ("community_staff", lambda w: (lambda t: lambda: meetings_actions.decline_proposal(
        t, reason="已列入小区改造计划", by=w.community_staff))(_proposal(w)), {"resident"}),
    "meetings.publish_agenda": ("community_staff", lambda w: (w.topic, lambda: meetings_actions.publish_agenda(
        w.meeting, by=w.community_staff))[1], {"community", "property", "committee"}),
    "meetings.sign_in": ("property_staff", lambda w: lambda: meetings_actions.sign_in(
        w.meeting, by=w.property_staff, code=w.meeting.signin_code), set()),
    "meetings.note_topic": ("community_staff", lambda w: lambda: meetings_actions.note_topic(
        w.topic, notes="物业说明情况", by=w.community_staff), set()),
    "meetings.record_resolution": ("community_staff", lambda w: lambda: spawn_resolution(
        w.quorate, w.community_staff, w.orgs["company"], w.utilities), {"community", "property"}),
    "meetings.link_request": ("community_staff", lambda w: (lambda r: lambda: meetings_actions.link_request(
        r.items.get(), request=w.dispatched, by=w.community_staff))(meetings_actions.record_resolution(
        w.quorate, by=w.community_staff, text="疏通排水沟", owner=w.orgs["company"],
        due_date=datetime.date.today() + LATER)), set()),
    "meetings.carry_over_item": (None, _carry, set()),
    "meetings.cancel_meeting": ("community_staff", lambda w: (w.topic, meetings_actions.publish_agenda(
        w.meeting, by=w.community_staff), lambda: meetings_actions.cancel_meeting(
        w.meeting, by=w.community_staff, reason="与区里会议冲突，改期"))[2], {"community", "property", "committee"}),
    "meetings.hold_meeting": ("community_staff", lambda w: lambda: meetings_actions.hold_meeting(
        w.meeting, by=w.community_staff), set()),
    "meetings.edit_minutes": ("community_staff", lambda w: lambda: meetings_actions.edit_minutes(
        w.meeting, by=w.community_staff, host="王书记", recorder="李干事", summary="研究车库积水"), set()),
    "meetings.finalise_minutes": ("community_staff", lambda w: (lambda m: lambda: meetings_actions.finalise_minutes(
        m, by=w.community_staff))(_held(w)), set()),
    "meetings.correct_minutes": ("community_staff", lambda w: (lambda m: lambda: meetings_actions.correct_minutes(
        m, by=w.community_staff, reason="记录人姓名有误"))(_final(w)), set()),
    "assembly.create_vote": ("compound_staff", lambda w: lambda: _vote(w), set()),
    "assembly.announce_vote": ("compound_staff", lambda w: (lambda v: lambda: assembly_actions.announce_vote(
        v, by=w.compound_staff))(_vote(w)), {"owner_a", "owner_b", "owner_c", "owner_d", "owner_e", "owner_f", "owner_g"}),
    "assembly.cancel_vote": ("compound_staff", lambda w: (lambda v: lambda: assembly_actions.cancel_vote(
        v, by=w.compound_staff, reason="合同已续签"))(_announced(w)), set()),
    "assembly.correct_roll": ("compound_staff", lambda w: (lambda v: lambda: assembly_actions.correct_roll(
        v, unit=w.estate["units"]["301"], area=Decimal("81"), reason="测绘更正", by=w.compound_staff))(
        _announced(w)), set()),
    "assembly.cast_ballot": ("owner_b", lambda w: _cast(w)[1], set()),
    "assembly.change_ballot": ("owner_b", _change, set()),
    "assembly.enter_paper_ballot": ("hp_staff", lambda w: (lambda v: lambda: assembly_actions.enter_paper_ballot(
        v, serial="P-1", unit=w.estate["units"]["301"], by=w.compound_staff, choice="yes"))(
        make_open(_announced(w))), set()),
    "assembly.paper_ballot_conflict": ("hp_staff2", lambda w: _paper(w, second="no"), set()),
    "assembly.resolve_paper_ballot": ("street_staff", _conflicted, {"owner_e"}),  # recorded by staff: told
    "assembly.ballot_conflict": ("hp_staff2", lambda w: _two_ballots(w)[1], {"owner_e"}),
    "assembly.resolve_ballot_conflict": ("street_staff", _settle, {"owner_e"}),
    "assembly.tally_vote": ("hp_staff", _tally, {"owner_a", "owner_b", "owner_c", "owner_d", "owner_e", "owner_f", "owner_g"}),
    "assembly.flag_person": ("hp_staff", lambda w: lambda: assembly_actions.flag_person(
        w.estate["owners"]["B"].person, text="欠缴物业费", by=w.compound_staff), set()),
}

COMMITTEE = {"committee", "member0", "member1", "member2", "member3"}  # 尚书苑业委会 (tests/matters/conftest.py)


def _at(w, status):
    return at(w.steps, status)


CASES.update({
    # 支部先议: each step by its own body (tests/meetings)
    "meetings.propose_matter": ("committee_member", lambda w: lambda: proposed(w.steps), {"grid"}),
    "meetings.revise_matter": ("committee_member", lambda w: (lambda m: lambda: matters.revise_matter(
        m, by=w.committee_member, title="燃气管道改造", description="已补充方案"))(_at(w, "returned")), {"grid"}),
    "meetings.approve_matter": ("grid_worker", lambda w: (lambda m: lambda: matters.approve_matter(
        m, by=w.grid_worker))(_at(w, "proposed")), COMMITTEE),
    "meetings.return_matter": ("grid_worker", lambda w: (lambda m: lambda: matters.return_matter(
        m, by=w.grid_worker, opinion="请补充方案"))(_at(w, "proposed")), COMMITTEE),
    "meetings.resolve_matter": ("committee_member", lambda w: (lambda m: lambda: matters.resolve_matter(
        m, by=w.committee_member, ballots=all_for(w.steps["members"], 3)))(_at(w, "approved")), {"property"}),
    "meetings.execute_matter": ("property_staff", lambda w: (lambda m: lambda: matters.execute_matter(
        m, by=w.property_staff))(_at(w, "resolved")), {"community", "property"} | COMMITTEE),
    "meetings.link_matter_vote": ("committee_member", lambda w: (lambda m: lambda: matters.link_matter_vote(
        m, vote=passed_vote(w.tree["compound"]), by=w.committee_member))(_at(w, "proposed")), set()),
    # 民主听证
    "meetings.create_hearing": ("community_staff", lambda w: (w.steps, lambda: matters.create_hearing(
        w.tree["compound"], by=w.community_staff, subject="电梯更换听证", held_at=timezone.now()))[1], set()),
    "meetings.add_hearing_member": ("community_staff", lambda w: lambda: matters.add_hearing_member(
        w.hearing, person=w.resident.person, group="owner_rep", by=w.community_staff), set()),
    "meetings.submit_bid": ("community_staff", lambda w: lambda: matters.submit_bid(
        w.hearing, supplier="甲电梯公司", price="298000", by=w.community_staff), set()),
    "meetings.open_bids": ("community_staff", lambda w: (with_bids(w.hearing, w.community_staff, open_=False),
                                                         lambda: matters.open_bids(w.hearing, by=w.community_staff))[1],
                           set()),
    "meetings.submit_opinion": ("resident", lambda w: lambda: matters.submit_opinion(
        w.hearing, household=w.tree["household"], choice="agree", by=w.resident), set()),
    "meetings.link_hearing_vote": ("community_staff", lambda w: lambda: matters.link_hearing_vote(
        w.hearing, vote=passed_vote(w.tree["compound"]), by=w.community_staff), set()),
    "meetings.decide_hearing": ("community_staff", lambda w: (lambda h: lambda: matters.decide_hearing(
        h, bid=h.bids.first(), decision="选定甲", record="听证记录", by=w.community_staff))(
        with_bids(w.hearing, w.community_staff)), COMMITTEE),
})

# verification codes go to the account's phone through the channels, with no inbox row: verb → that account
SENT_DIRECTLY = {"people.create_account": "qianqi", "people.reset_account": "resident",
                 "people.request_password_reset": "resident"}

# where one action rightly writes more than its own verb, the whole sequence (its own verb still once)
SEQUENCE = {
    "assembly.resolve_paper_ballot": ["assembly.cast_ballot", "assembly.resolve_paper_ballot"],  # the ballot counts
    "workorders.mark_overdue": ["workorders.mark_overdue", "workorders.escalate_request"],  # 90 days late: escalated
    # a resolution's action item files its work order and dispatches it to the owner (the requests' own verbs)
    "meetings.record_resolution": ["workorders.file_request", "workorders.dispatch_request",
                                   "meetings.record_resolution"],
    # the matter's work order: filed and dispatched by the platform, accepted by the company (meetings)
    "meetings.execute_matter": ["workorders.file_request", "workorders.dispatch_request", "workorders.accept_request",
                                "meetings.execute_matter"],
}

EXEMPT = {
    "core.login": "recorded by the sign-in signal, not an action (tests/test_accounts.py)",
    "core.login_failed": "recorded by the sign-in signal, not an action (tests/test_accounts.py)",
    "core.logout": "recorded by the sign-out signal, not an action (tests/test_accounts.py)",
    "core.change_password": "recorded by the password view (tests/test_accounts.py)",
    "core.export_audit": "recorded by the audit export view (tests/test_audit.py)",
    "core.backup": "recorded by manage.py backup, the operator's (tests/test_backup_restore.py)",
    "core.restore": "recorded by manage.py restore into the restored log (tests/test_backup_restore.py)",
    "places.export_places": "recorded by the export view (tests/test_import.py)",
    "places.export_households": "recorded by the export view (tests/test_import.py)",
    "places.import_places": "recorded by the import job runner (tests/test_import.py)",
    "places.import_households": "recorded by the import job runner (tests/test_import.py)",
    "places.load_divisions": "recorded by the divisions loader (tests/test_divisions.py)",
    "workorders.export_requests": "recorded by the export view (tests/workorders/test_exports.py)",
    "workorders.export_rankings": "recorded by the export view (tests/workorders/test_exports.py)",
}

NO_CASE_YET = {
    "assembly.nominate_candidate": "an election vote with candidates: not yet in this table",
    "assembly.vet_candidate": "an election vote with candidates: not yet in this table",
}


def test_every_registered_verb_has_a_case_or_a_reason():
    verbs = {v for v, _label in verb_choices()}
    known = set(CASES) | set(EXEMPT) | set(NO_CASE_YET)
    assert sorted(verbs - known) == [], "verbs with no event case and no reason"
    assert sorted(known - verbs) == [], "cases or reasons for verbs that are no longer registered"
    assert not set(CASES) & (set(EXEMPT) | set(NO_CASE_YET))


FIXTURES = {"resident", "community_staff", "street_staff", "grid_worker", "department_liaison", "company_staff",
            "managed", "utilities", "filed", "dispatched", "resolved", "unlocated_request", "estate", "compound_staff",
            "second_staff", "series", "meeting", "quorate", "topic", "steps", "hearing", "committee_member",
            "property_staff"}


def _names(code, seen=None):
    """Every name a case's code (and the helpers it calls) reads: the fixtures it needs are built up front."""
    seen = set() if seen is None else seen
    for name in code.co_names:
        if name not in seen:
            seen.add(name)
            helper = globals().get(name)
            if callable(helper) and hasattr(helper, "__code__"):
                _names(helper.__code__, seen)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            _names(const, seen)
    return seen


class W:
    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


@pytest.fixture
def second_staff(tree, orgs, estate):  # noqa: F811
    from .conftest import make_account

    return make_account("hp_staff2", place=tree["community"], posts=[
        (orgs["community_office"], "community_worker", tree["community"])])


@pytest.mark.parametrize("verb", sorted(CASES))
def test_action_writes_one_event_and_tells_the_right_people(request, tree, orgs, captured_events,
                                                           captured_notifications, verb):
    actor_name, setup, told_expected = CASES[verb]
    w = W(request)
    for name in ROLES:  # the whole cast exists, so "told nobody else" means something
        request.getfixturevalue(name)
    for name in sorted(_names(setup.__code__) & FIXTURES):  # built before the capture, not inside it
        request.getfixturevalue(name)
    thunk = setup(w)
    with captured_events() as events, captured_notifications() as told:
        thunk()
    assert [e.verb for e in events] == SEQUENCE.get(verb, [verb])
    event = next(e for e in events if e.verb == verb)
    if actor_name is None:
        assert event.actor is None  # the platform (SYSTEM)
    else:
        assert event.actor.username == {"owner_b": "owner_b", "hp_staff": "hp_staff", "hp_staff2": "hp_staff2",
                                        "property_staff": "property", "community_staff": "community",
                                        "street_staff": "street", "resident": "resident",
                                        "department_liaison": "department", "compound_staff": "hp_staff",
                                        "qianqi": "qianqi", "committee_member": "committee",
                                        "grid_worker": "grid"}[actor_name]
    assert told.users == told_expected
    direct = {u.pk for u in get_user_model().objects.filter(username=SENT_DIRECTLY[verb])} if (
        verb in SENT_DIRECTLY) else set()
    assert direct or verb not in SENT_DIRECTLY
    # every inbox row went out after commit, and codes only to their account
    assert told.sent_to == {n.user_id for n in told.notifications} | direct
