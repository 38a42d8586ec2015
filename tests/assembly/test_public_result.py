"""The 公示 page: each threshold explained once; buildings where fewer than three units voted keep their
votes to themselves; a receipt says received / counted / cancelled; an election shows its quorum and each
candidate's thresholds, on the page and in the spreadsheet."""

import io

import pytest
from openpyxl import load_workbook

from gongzhi.assembly import actions
from gongzhi.assembly.models import Ballot, Vote

from .conftest import make_closed, make_open, open_vote


@pytest.fixture
def vote(estate, compound_staff):
    v = open_vote(estate, compound_staff)
    actions.announce_vote(v, by=compound_staff)
    return make_open(v)


def _count(vote, estate, staff, voters):
    for key, choice in voters.items():
        actions.cast_ballot(vote, by=estate["owners"][key], choice=choice)
    make_closed(vote)
    actions.tally_vote(vote, by=staff)
    return Vote.objects.get(pk=vote.pk)


def test_each_threshold_shows_its_mark_once(client, vote, estate, compound_staff):
    vote = _count(vote, estate, compound_staff, {k: "yes" for k in "ABCEFG"})
    html = client.get(f"/public/votes/{vote.pk}/").content.decode()
    lines = [line for line in html.split("<li") if 'data-testid="threshold"' in line]
    assert len(lines) == 4 and all(line.count("✓") == 1 and "✗" not in line for line in lines)


def test_a_building_with_two_voters_is_withheld(client, vote, estate, compound_staff):
    # 1号楼 (101 102 201 202): A (two units) B C vote; 2号楼 (301 302 401 402): only E and G
    vote = _count(vote, estate, compound_staff, {"A": "yes", "B": "no", "C": "yes", "E": "yes", "G": "no"})
    rows = {r["building"]: r for r in vote.result["buildings"]}
    assert (rows["2号楼"]["yes"], rows["2号楼"]["no"]) == (1, 1)  # stored in full for the record
    html = client.get(f"/public/votes/{vote.pk}/").content.decode()
    table = html.split('data-testid="by-building"')[1].split("</table>")[0]
    first, second = table.split("1号楼")[1].split("</tr>")[0], table.split("2号楼")[1].split("</tr>")[0]
    assert 'data-testid="withheld"' in second and "—" in second
    assert 'data-testid="withheld"' not in first and "<td>3</td>" in first  # 101 102 202 said yes
    sheet = load_workbook(io.BytesIO(client.get(f"/public/votes/{vote.pk}/result.xlsx").content))["分楼栋"]
    cells = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert cells["2号楼"][3:] == ("—", "—", "—", "—")
    assert cells["1号楼"][3:] == (3, 1, 0, 0)


def test_a_receipt_before_the_count_is_received(client, vote, estate, compound_staff):
    ballot = actions.cast_ballot(vote, by=estate["owners"]["B"], choice="yes")
    html = client.get(f"/public/votes/{vote.pk}/?receipt={ballot.receipt}").content.decode()
    assert 'data-testid="receipt-received"' in html and 'data-testid="receipt-ok"' not in html
    make_closed(vote)
    actions.tally_vote(vote, by=compound_staff)
    html = client.get(f"/public/votes/{vote.pk}/?receipt={ballot.receipt}").content.decode()
    assert 'data-testid="receipt-ok"' in html and "已计入" in html


def test_a_receipt_of_a_cancelled_vote_says_it_is_not_counted(client, vote, estate, compound_staff):
    ballot = actions.cast_ballot(vote, by=estate["owners"]["B"], choice="yes")
    actions.cancel_vote(vote, by=compound_staff, reason="方案撤回")
    html = client.get(f"/public/votes/{vote.pk}/?receipt={ballot.receipt}").content.decode()
    assert 'data-testid="receipt-cancelled"' in html and "已取消" in html
    assert 'data-testid="receipt-ok"' not in html and Ballot.objects.count() == 1


def test_an_election_explains_its_quorum_and_each_candidate(client, estate, compound_staff):
    o = estate["owners"]
    vote = open_vote(estate, compound_staff, matter="elect_committee", kind="election", seats=5)
    ids = {}
    for key in "ABCEFG":
        c = actions.nominate_candidate(vote, person=o[key].person, nominated_by="self", by=compound_staff)
        actions.vet_candidate(c, approved=True, reason="", by=compound_staff)
        ids[key] = c.pk
    actions.announce_vote(vote, by=compound_staff)
    make_open(vote)
    for voter in "ABCEFG":
        actions.cast_ballot(vote, by=o[voter], candidates=[ids[k] for k in "ABEFG"])
    make_closed(vote)
    actions.tally_vote(vote, by=compound_staff)
    vote = Vote.objects.get(pk=vote.pk)
    html = client.get(f"/public/votes/{vote.pk}/").content.decode()
    quorum = html.split('data-testid="election-quorum"')[1].split("</div>")[0]
    assert "参与表决面积 82.89% ≥ 2/3 ✓" in quorum  # 630 of 760 ㎡
    assert "参与表决人数 85.71% ≥ 2/3 ✓" in quorum  # 6 of 7 heads
    assert html.count("<details>") == 6
    assert html.count('data-testid="candidate-check"') == 12  # area and heads for each of six
    assert "同意人数 100.00% &gt; 1/2 ✓" in html or "同意人数 100.00% > 1/2 ✓" in html
    sheet = load_workbook(io.BytesIO(client.get(f"/public/votes/{vote.pk}/result.xlsx").content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(c.startswith("参与表决面积 82.89% ≥ 2/3 ✓") for c in cells)
    assert sum(c.startswith("同意面积 ") for c in cells) == 6 and sum(c.startswith("同意人数 ") for c in cells) == 6


def test_vetting_with_a_non_numeric_candidate_is_not_found(client, estate, compound_staff):
    vote = open_vote(estate, compound_staff, matter="elect_committee", kind="election", seats=5)
    client.force_login(compound_staff)
    for bad in ("abc", "", "1.5", "-1", "１"):
        assert client.post(f"/votes/{vote.pk}/vet/", {"candidate": bad, "approved": "1"}).status_code == 404
