"""A second ballot for a unit that voted online, in a real Chromium: the owner votes 同意 on a phone; two
community workers enter a paper 反对 for the same unit — each is shown that it voted online and confirms; the
owner's ballot stays 同意 and the owner is told; the street settles it by the vote's rule; the receipt check
shows the history. Every page passes the shared checks (assets, axe, phone layout)."""

from __future__ import annotations

import pytest

from gongzhi.assembly.models import Ballot, BallotConflict
from gongzhi.notices.models import Notification
from tests.assembly import conftest as vote_fixtures

from .test_request_flows import check, login
from .test_vote_flows import PHONE, announced, browse, enter_paper, submit  # noqa: F401

pytestmark = pytest.mark.browser

estate = vote_fixtures.estate
compound_staff = vote_fixtures.compound_staff
second_staff = vote_fixtures.second_staff


def test_a_paper_ballot_for_a_unit_that_voted_online(browse, estate, compound_staff, second_staff,  # noqa: F811
                                                     street_staff):
    vote = announced(estate, compound_staff)
    unit = estate["units"]["301"]

    owner = browse(PHONE)
    login(owner, "owner_e")
    owner.goto(f"/votes/{vote.pk}/")
    check(owner)
    owner.page.get_by_text("同意", exact=True).click()
    submit(owner, "cast")
    receipt = Ballot.objects.get(vote=vote).receipt
    assert receipt in owner.text()

    paper_url = f"/votes/{vote.pk}/paper/"
    for username in ("hp_staff", "hp_staff2"):
        clerk = browse()
        login(clerk, username)
        clerk.goto(paper_url)
        check(clerk)
        assert clerk.page.get_by_label("户（专有部分）").input_value() == ""  # no default unit
        enter_paper(clerk, "Z-1", unit, "反对")
        error = clerk.page.locator("#id_acknowledge_conflict-error").inner_text()
        assert "通过线上投票" in error
        check(clerk)
        clerk.page.get_by_label("已知晓该户已投票", exact=False).check()
        submit(clerk, "enter-paper")
        check(clerk)
    assert "另一张选票记录，暂不计入" in clerk.page.get_by_role("status").inner_text()
    assert Ballot.objects.get(vote=vote).choice == "yes"
    assert Notification.objects.filter(user=estate["owners"]["E"], verb="assembly.ballot_conflict").exists()

    owner.goto(f"/votes/{vote.pk}/")
    assert owner.page.get_by_test_id("ballot-held").is_visible()
    check(owner)

    street = browse()
    login(street, "street")
    street.goto(f"/votes/{vote.pk}/")
    check(street)
    street.page.get_by_placeholder("处理理由（核对情况）").fill("业主确认线上选票为本人所投")
    submit(street, "resolve-conflict")
    check(street)
    assert BallotConflict.objects.get(vote=vote).state == "kept"

    owner.goto(f"/public/votes/{vote.pk}/?receipt={receipt}")
    check(owner)
    history = owner.page.get_by_test_id("ballot-log").inner_text()
    assert "收到同一业主的另一张选票" in history and "原选票有效" in history
