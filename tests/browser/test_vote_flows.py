"""业主表决 end to end in a real Chromium: an owner votes on a phone and checks the receipt on the public
公示 page; two community workers enter paper ballots twice; the community counts a 业委会 election that
fills seven seats, and the elected take office.

Every page visited goes through ``check()`` from the request flows: ``Browse.check()`` (static assets
applied, no serious or critical axe violation), unique ids, and on a phone no sideways scrolling at
360 px and no text below 18 px in large-text mode.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from gongzhi.assembly import actions
from gongzhi.assembly.models import Ballot, Channel, PaperEntry, VoteStatus
from gongzhi.core.permissions import SYSTEM
from gongzhi.people.models import OrgKind, Position
from gongzhi.people.roles import Title
from gongzhi.places import actions as place_actions
from gongzhi.places.models import Kind
from tests.assembly import conftest as vote_fixtures
from tests.assembly.conftest import make_closed, make_open, open_vote
from tests.conftest import make_account

from .conftest import DESKTOP, PHONE, Browse
from .test_request_flows import check, login, toggle_large_text

pytestmark = pytest.mark.browser

# the vote fixtures: 和平苑 with owners A..G, and two community workers over it
estate = vote_fixtures.estate
compound_staff = vote_fixtures.compound_staff
second_staff = vote_fixtures.second_staff


@pytest.fixture
def browse(new_context, live_server, axe_source):
    """A further browser (its own context, so its own session and cookies)."""
    def make(options=DESKTOP) -> Browse:
        return Browse(new_context(**options, locale="zh-CN").new_page(), live_server.url, axe_source)
    return make


def announced(estate, by, **kwargs):
    vote = open_vote(estate, by, **kwargs)
    actions.announce_vote(vote, by=by)
    return make_open(vote)


def submit(b: Browse, test_id: str) -> None:
    with b.page.expect_navigation():
        b.page.get_by_test_id(test_id).click()


# ---------------------------------------------------------------- an owner on a phone


def test_owner_votes_on_a_phone_and_checks_the_receipt_on_the_public_page(phone, browse, estate, compound_staff):
    vote = announced(estate, compound_staff)
    owners = estate["owners"]

    b = phone
    page = b.page
    login(b, "owner_b", phone=True)
    b.goto("/votes/")
    check(b, phone=True)
    page.get_by_role("link", name=re.compile("续聘物业")).click()
    page.wait_for_url(b.url(f"/votes/{vote.pk}/"))
    check(b, phone=True)
    assert "是否续聘万科物业？" in b.text()
    assert page.get_by_test_id("receipt").count() == 0
    toggle_large_text(b, on=True)  # 适老化: the ballot in large text
    assert page.url == b.url(f"/votes/{vote.pk}/")
    check(b, phone=True)

    choice = page.get_by_role("radiogroup", name="您的意见")
    choice.get_by_text("同意", exact=True).click()  # the label: the radio itself is visually hidden
    assert choice.get_by_role("radio", name="同意", exact=True).is_checked()
    box = page.get_by_test_id("cast").bounding_box()
    assert box and box["height"] >= 44 and box["x"] + box["width"] <= 360, box
    submit(b, "cast")
    assert page.url == b.url(f"/votes/{vote.pk}/")
    check(b, phone=True)
    ballot = Ballot.objects.get(vote=vote)
    assert (ballot.owner_key, ballot.choice, ballot.channel) == (actions.heads_of(owners["B"], vote)[0], "yes",
                                                                 Channel.ONLINE)
    assert ballot.receipt in page.get_by_role("status").inner_text()
    receipt = page.get_by_test_id("receipt").locator(".font-monospace").inner_text().strip()
    assert receipt == ballot.receipt
    assert page.get_by_test_id("cast").inner_text().strip() == "修改投票"
    assert choice.get_by_role("radio", name="同意", exact=True).is_checked()

    # the other owners vote (G against, the developer's unit not at all) and the community counts
    for key in "ACEF":
        actions.cast_ballot(vote, by=owners[key], choice="yes")
    actions.cast_ballot(vote, by=owners["G"], choice="no")
    make_closed(vote)
    actions.tally_vote(vote, by=compound_staff)
    vote.refresh_from_db()
    assert vote.status == VoteStatus.CLOSED and vote.result["question"]["passed"] is True

    # anyone, logged out, on a phone: the 公示 page with the result and each threshold explained
    pub = browse(PHONE)
    page = pub.page
    pub.goto(f"/public/votes/{vote.pk}/")
    check(pub, phone=True)
    assert page.get_by_test_id("vote-result").inner_text().strip() == "表决通过"
    thresholds = [re.sub(r"\s+", " ", t) for t in page.get_by_test_id("threshold").all_inner_texts()]
    assert len(thresholds) == len(vote.result["question"]["checks"]) >= 4, thresholds
    assert all(t.count("✓") == 1 and "✗" not in t for t in thresholds), thresholds  # one mark each
    assert any("参与表决面积" in t for t in thresholds), thresholds

    # B's receipt (as typed, in lower case) is found; how B voted is not shown (large text here too)
    toggle_large_text(pub, on=True)
    assert page.url == pub.url(f"/public/votes/{vote.pk}/")
    page.locator("#receipt").fill(receipt.lower())
    with page.expect_navigation():
        page.get_by_role("button", name="核验").click()
    check(pub, phone=True)
    assert page.get_by_test_id("receipt-ok").is_visible()
    assert page.get_by_test_id("receipt-missing").count() == 0
    assert "同意" not in page.locator("section", has=page.locator("#receipt")).inner_text()

    page.locator("#receipt").fill("000000000000")
    with page.expect_navigation():
        page.get_by_role("button", name="核验").click()
    assert page.get_by_test_id("receipt-missing").is_visible()
    assert page.get_by_test_id("receipt-ok").count() == 0


# ---------------------------------------------------------------- paper ballots, entered twice


def enter_paper(b: Browse, serial: str, unit, choice: str) -> None:
    page = b.page
    page.get_by_label("选票编号").fill(serial)
    page.get_by_label("户（专有部分）").select_option(str(unit.pk))
    page.get_by_label("选票意见").select_option(label=choice)
    submit(b, "enter-paper")


def test_paper_ballots_are_entered_twice_by_two_workers(desktop, browse, estate, compound_staff, second_staff):
    vote = announced(estate, compound_staff)
    units = estate["units"]
    key_of = dict(vote.roll.values_list("unit_id", "owner_key"))
    paper_url = f"/votes/{vote.pk}/paper/"

    first = desktop
    page = first.page
    login(first, "hp_staff")
    first.goto(f"/votes/{vote.pk}/")
    check(first)
    page.get_by_role("link", name="录入纸质选票").click()
    page.wait_for_url(first.url(paper_url))
    check(first)

    enter_paper(first, "P-1", units["401"], "反对")
    assert page.url == first.url(paper_url)
    assert "已录入，等待另一名工作人员复核录入" in page.get_by_role("status").inner_text()
    check(first)
    assert not Ballot.objects.exists()

    # the same worker cannot confirm their own entry
    enter_paper(first, "P-1", units["401"], "反对")
    assert page.get_by_label("选票编号").get_attribute("aria-invalid") == "true"
    assert "复核录入须由另一名工作人员完成" in page.locator("#id_serial-error").inner_text()
    check(first)
    assert PaperEntry.objects.filter(vote=vote, serial="P-1").count() == 1

    # a second worker, in their own browser, enters the same: confirmed and counted
    second = browse()
    login(second, "hp_staff2")
    second.goto(paper_url)
    check(second)
    enter_paper(second, "P-1", units["401"], "反对")
    assert "两次录入一致" in second.page.get_by_role("status").inner_text()
    check(second)
    ballot = Ballot.objects.get(vote=vote)
    assert (ballot.owner_key, ballot.choice, ballot.channel, ballot.serial) == (key_of[units["401"].pk], "no",
                                                                               Channel.PAPER, "P-1")

    # another paper ballot, typed differently by the two: held, nothing counted for that unit
    first.goto(paper_url)
    enter_paper(first, "P-2", units["301"], "同意")
    enter_paper(second, "P-2", units["301"], "反对")
    warning = second.page.get_by_role("status").locator(".alert-warning")
    assert "两次录入不一致" in warning.inner_text()
    check(second)
    states = second.page.get_by_test_id("paper-entry").filter(has_text="P-2").all_inner_texts()
    assert len(states) == 2 and all("两次录入不一致" in s for s in states), states
    assert not Ballot.objects.filter(vote=vote, owner_key=key_of[units["301"].pk]).exists()
    assert set(PaperEntry.objects.filter(vote=vote, serial="P-2").values_list("state", flat=True)) == {
        PaperEntry.State.CONFLICT}

    # the vote page warns the organisers that a paper ballot is held
    second.page.get_by_role("link", name="返回表决").click()
    second.page.wait_for_url(second.url(f"/votes/{vote.pk}/"))
    check(second)
    assert "已收到选票 1 张" in second.text()
    assert second.page.locator("p.text-danger").inner_text() == "1 张纸质选票待复核录入或两次录入不一致。"


# ---------------------------------------------------------------- a committee election, counted on the page


EXTRA = ["501", "502", "503", "504", "505", "506"]  # owners H..M
CANDIDATES = "ABCEFGHIJ"
TOP7 = "ABCEFGH"
# each voter picks 7 of the 9: A gets all 12 heads, H the fewest of the seven (9), I and J 5 each (not > 6)
SWAPS = {"A": "", "B": "", "C": "B>I", "E": "C>J", "F": "E>I", "G": "F>J",
         "H": "F>I", "I": "G>J", "J": "G>I", "K": "H>J", "L": "H>I", "M": "H>J"}


def test_community_counts_an_election_that_fills_seven_seats(desktop, estate, compound_staff):
    owners = dict(estate["owners"])
    building = estate["units"]["401"].parent
    for letter, name in zip("HIJKLM", EXTRA, strict=True):
        unit = place_actions.create_place(parent=building, kind=Kind.HOUSEHOLD, name=name, code=f"HP-{name}",
                                          registered_area=Decimal("75"), by=SYSTEM)
        owners[letter] = make_account(f"owner_{letter.lower()}", place=unit, home=unit)

    vote = open_vote(estate, compound_staff, matter="elect_committee", kind="election", seats=7)
    ids = {}
    for letter in CANDIDATES:
        c = actions.nominate_candidate(vote, person=owners[letter].person, nominated_by="self", by=compound_staff)
        actions.vet_candidate(c, approved=True, reason="", by=compound_staff)
        ids[letter] = c.pk
    actions.announce_vote(vote, by=compound_staff)
    make_open(vote)
    for voter, swap in SWAPS.items():
        chosen = TOP7
        if swap:
            out, into = swap.split(">")
            chosen = chosen.replace(out, "") + into
        assert len(chosen) == 7
        actions.cast_ballot(vote, by=owners[voter], candidates=[ids[k] for k in chosen])
    make_closed(vote)

    b = desktop
    page = b.page
    login(b, "hp_staff")
    b.goto(f"/votes/{vote.pk}/")
    check(b)
    assert "已收到选票 12 张" in b.text()
    submit(b, "tally")
    assert page.url == b.url(f"/votes/{vote.pk}/")
    assert "计票完成" in page.get_by_role("status").inner_text()
    check(b)

    table = page.get_by_test_id("election-result")
    rows = table.locator(":scope > li")  # one <details> per candidate: the phone opens the one it wants
    assert rows.count() == 9
    elected = [r.locator("summary strong").first.inner_text().strip()
               for r in rows.filter(has=page.locator("strong", has_text=re.compile(r"^当选$"))).all()]
    assert sorted(elected) == sorted(f"测试owner_{k.lower()}" for k in TOP7), elected
    assert "应选 7 人，当选 7 人" in b.text()
    vote.refresh_from_db()
    assert vote.status == VoteStatus.CLOSED
    tally = {r["name"]: r for r in vote.result["candidates"]}
    assert tally["测试owner_a"]["yes_heads"] == 12 and tally["测试owner_h"]["yes_heads"] == 9
    assert tally["测试owner_i"]["yes_heads"] == 5 and not tally["测试owner_i"]["qualified"]

    posts = Position.objects.filter(organisation__kind=OrgKind.OWNERS_COMMITTEE, place=estate["compound"])
    assert posts.count() == 7
    assert {p.person_id for p in posts} == {owners[k].person.pk for k in TOP7}
    director = posts.get(title=Title.COMMITTEE_DIRECTOR)
    assert director.person == owners["A"].person
    assert posts.filter(title=Title.COMMITTEE_MEMBER).count() == 6

    b.goto(f"/people/{director.person_id}/")
    check(b)
    row = page.get_by_role("row").filter(has_text="业委会主任")
    assert row.count() == 1
    assert "和平苑业主委员会" in row.inner_text() and "在任" in row.inner_text()
