"""rules.tally against a straightforward count, on 20,000 random small votes (seeded, no database).

rules.tally counts a roll of 100,000 units with fast paths (one look-up per ballot, the sums in bulk) and
falls back to the unit-by-unit and ballot-by-ballot count for anything unusual. The reference here is that
plain count, written once, simply: every figure, its Decimal form (the explanations show it), every note
and every error (type and message) must be the same, whichever path the input takes.
"""

from __future__ import annotations

import decimal
import random
from decimal import Decimal

import pytest

from gongzhi.assembly.rules import DEVELOPER, Ballot, Choice, Matter, Unit, tally

CASES = 20_000
EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                        traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow])


class OddUnit(Unit):
    """A subclass is still a Unit (the fast path takes exact types only)."""


class OddBallot(Ballot):
    pass


def reference(units, ballots, majority):
    """The count as the law reads (司法解释 第8、9条, last ballot wins), one item at a time."""
    units, ballots = list(units), list(ballots)
    if not units:
        raise ValueError("没有任何专有部分（units 为空），无法计票")
    area_of, seen, duplicates = {}, set(), []
    for unit in units:
        if not isinstance(unit, Unit):
            raise TypeError(f"units 只能包含 Unit，得到 {type(unit).__name__}")
        area = unit.area
        if isinstance(area, bool) or not isinstance(area, Decimal | int):
            raise TypeError(f"专有部分 {unit.unit_id!r} 的面积必须是 Decimal 或整数（不接受浮点数），"
                            f"得到 {type(area).__name__}：{area!r}")
        area = Decimal(area)
        if not area.is_finite() or area <= 0:
            raise ValueError(f"专有部分 {unit.unit_id!r} 的面积必须大于 0，得到 {area}")
        if unit.unit_id in seen:
            duplicates += [] if unit.unit_id in duplicates else [unit.unit_id]
            continue
        seen.add(unit.unit_id)
        head = DEVELOPER if unit.developer_unsold else unit.owner_id
        area_of[head] = EXACT.add(area_of.get(head, Decimal(0)), area)
    if duplicates:
        raise ValueError(f"专有部分编号重复：{'、'.join(repr(u) for u in duplicates)}")

    counted, ignored, superseded = {}, [], []
    for position, ballot in enumerate(ballots):
        if not isinstance(ballot, Ballot):
            raise TypeError(f"ballots 只能包含 Ballot，得到 {type(ballot).__name__}")
        owner = ballot.owner_id
        if owner not in area_of:
            ignored.append((position, ballot, f"{owner!r} 不是本区分所有建筑物的业主，选票不计入"))
            continue
        if owner in counted:
            superseded.append((counted[owner], ballots[counted[owner]],
                               f"被同一业主 {owner!r} 的后一张选票（序号 {position}）取代"))
        counted[owner] = position
    superseded.sort(key=lambda note: note[0])

    area_for = {c: Decimal(0) for c in Choice}
    heads_for = {c: 0 for c in Choice}
    for owner, position in counted.items():
        choice = ballots[position].choice
        area_for[choice] = EXACT.add(area_for[choice], area_of[owner])
        heads_for[choice] += 1
    total = Decimal(0)
    absent_area, absent_heads = Decimal(0), 0
    for owner, area in area_of.items():
        total = EXACT.add(total, area)
        if owner not in counted:
            absent_area, absent_heads = EXACT.add(absent_area, area), absent_heads + 1
    added = None  # 从多 touches the approval checks only, never these figures
    if majority and absent_heads and area_for[Choice.YES] != area_for[Choice.NO]:
        added = Choice.YES if area_for[Choice.YES] > area_for[Choice.NO] else Choice.NO
    return {
        "total_area": total, "total_heads": len(area_of),
        "yes_area": area_for[Choice.YES], "no_area": area_for[Choice.NO], "abstain_area": area_for[Choice.ABSTAIN],
        "yes_heads": heads_for[Choice.YES], "no_heads": heads_for[Choice.NO],
        "abstain_heads": heads_for[Choice.ABSTAIN],
        "non_voter_area": absent_area, "non_voter_heads": absent_heads, "non_voters_added_to": added,
        "ignored_ballots": ignored, "superseded_ballots": superseded,
    }


AREAS = [Decimal("1"), Decimal("2.5"), Decimal("1E+1"), Decimal("0.01"), Decimal("3.10"), Decimal("89.50"),
         Decimal("120.00"), Decimal("7E-3"), 4, 12]
BAD_AREAS = [Decimal(0), Decimal("-1.5"), Decimal("NaN"), Decimal("Infinity"), Decimal("-0"), 0, 1.5, True, "9"]
OWNERS = [0, 1, 2, "0", "li", "wang", "p1+p2", DEVELOPER]
STRANGERS = ["stranger", 99, "3", "developer"]


def random_vote(rng: random.Random):
    units = []
    for i in range(rng.randint(0 if rng.random() < 0.01 else 1, 10)):
        uid = rng.choice(["u0", "u1", 0]) if rng.random() < 0.03 else f"u{i + 2}"
        area = rng.choice(BAD_AREAS) if rng.random() < 0.02 else rng.choice(AREAS)
        cls = OddUnit if rng.random() < 0.03 else Unit
        units.append(cls(uid, rng.choice(OWNERS), area, rng.random() < 0.15))
    if units and rng.random() < 0.01:
        units.insert(rng.randrange(len(units)), ("u9", "li", Decimal(1), False))
    ballots = []
    for _i in range(rng.randint(0, 12)):
        owner = rng.choice(STRANGERS) if rng.random() < 0.1 else rng.choice(OWNERS)
        choice = rng.choice(list(Choice) + ["yes", "no", "abstain"])
        ballots.append((OddBallot if rng.random() < 0.03 else Ballot)(owner, choice))
    if ballots and rng.random() < 0.01:
        ballots.append(("li", "yes"))
    if rng.random() < 0.3:  # most real votes: one ballot per head
        ballots = list({b.owner_id if isinstance(b, Ballot) else b: b for b in ballots}.values())
    return units, ballots, rng.random() < 0.3


def outcome(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        return (type(exc), str(exc))


@pytest.mark.parametrize("seed", range(4))
def test_tally_equals_the_straightforward_count(seed):
    rng = random.Random(278_000 + seed)
    kinds = {"counted": 0, "error": 0, "ignored": 0, "superseded": 0}
    for _case in range(CASES // 4):
        units, ballots, majority = random_vote(rng)
        matter = rng.choice(list(Matter))
        want = outcome(reference, units, ballots, majority)
        got = outcome(tally, matter, iter(units), iter(ballots), count_non_voters_with_majority=majority)
        if isinstance(want, tuple):
            assert got == want, (units, ballots)
            kinds["error"] += 1
            continue
        kinds["counted"] += 1
        for name, value in want.items():
            mine = getattr(got, name)
            if name.endswith("_ballots"):
                kinds[name.split("_")[0]] += bool(value)
                assert [(n.position, n.reason) for n in mine] == [(p, r) for p, _b, r in value], name
                assert all(n.ballot is b for n, (_p, b, _r) in zip(mine, value, strict=True)), name
            elif isinstance(value, Decimal):
                assert (mine, str(mine)) == (value, str(value)), name  # the same figure, shown the same way
            else:
                assert mine == value, name
        assert got.participating_heads == want["yes_heads"] + want["no_heads"] + want["abstain_heads"]
        assert str(got.participating_area) == str(EXACT.add(EXACT.add(want["yes_area"], want["no_area"]),
                                                            want["abstain_area"]))
    assert min(kinds.values()) > 50, kinds  # every path was taken many times
