"""业主共同决定事项的表决规则 — 民法典 第278条, counted per 建筑物区分所有权纠纷司法解释 第8、9条.

A pure function: no database, no Django, no floats. The caller turns its own records into ``Unit`` and
``Ballot`` values and gets back a ``TallyResult`` that shows every number and every threshold it used.
The choices made where the law leaves room are written down in docs/assembly.md.
"""

from __future__ import annotations

import decimal
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum
from fractions import Fraction
from itertools import compress, repeat
from operator import attrgetter, eq, is_

__all__ = [
    "DEVELOPER", "APPROVAL_MAJORITY", "APPROVAL_SPECIAL", "QUORUM", "SPECIAL_MATTERS",
    "Ballot", "BallotNote", "Choice", "Matter", "TallyResult", "ThresholdCheck", "Unit", "tally", "unit_area",
]


class Matter(StrEnum):
    """民法典 第278条第一款 (1)–(9)."""

    RULES_OF_PROCEDURE = "rules_of_procedure"  # (一) 制定和修改业主大会议事规则
    MANAGEMENT_STATUTE = "management_statute"  # (二) 制定和修改管理规约
    ELECT_COMMITTEE = "elect_committee"  # (三) 选举业主委员会或者更换业主委员会成员
    HIRE_MANAGER = "hire_manager"  # (四) 选聘和解聘物业服务企业或者其他管理人
    USE_MAINTENANCE_FUND = "use_maintenance_fund"  # (五) 使用建筑物及其附属设施的维修资金
    RAISE_MAINTENANCE_FUND = "raise_maintenance_fund"  # (六) 筹集建筑物及其附属设施的维修资金
    REBUILD = "rebuild"  # (七) 改建、重建建筑物及其附属设施
    CHANGE_COMMON_USE = "change_common_use"  # (八) 改变共有部分的用途或者利用共有部分从事经营活动
    OTHER_MAJOR = "other_major"  # (九) 有关共有和共同管理权利的其他重大事项

    @property
    def label(self) -> str:
        return _MATTER_LABELS[self]

    @property
    def is_special(self) -> bool:
        """第六项至第八项: the 3/4 matters."""
        return self in SPECIAL_MATTERS


_MATTER_LABELS = {
    Matter.RULES_OF_PROCEDURE: "制定和修改业主大会议事规则",
    Matter.MANAGEMENT_STATUTE: "制定和修改管理规约",
    Matter.ELECT_COMMITTEE: "选举业主委员会或者更换业主委员会成员",
    Matter.HIRE_MANAGER: "选聘和解聘物业服务企业或者其他管理人",
    Matter.USE_MAINTENANCE_FUND: "使用建筑物及其附属设施的维修资金",
    Matter.RAISE_MAINTENANCE_FUND: "筹集建筑物及其附属设施的维修资金",
    Matter.REBUILD: "改建、重建建筑物及其附属设施",
    Matter.CHANGE_COMMON_USE: "改变共有部分的用途或者利用共有部分从事经营活动",
    Matter.OTHER_MAJOR: "有关共有和共同管理权利的其他重大事项",
}

SPECIAL_MATTERS = frozenset({Matter.RAISE_MAINTENANCE_FUND, Matter.REBUILD, Matter.CHANGE_COMMON_USE})

# 参与表决: 专有部分面积占比三分之二以上 且 人数占比三分之二以上 ("以上" includes the bound)
QUORUM = Fraction(2, 3)
# 第六项至第八项: 参与表决专有部分面积四分之三以上 且 参与表决人数四分之三以上 同意 (inclusive)
APPROVAL_SPECIAL = Fraction(3, 4)
# 其他事项: 参与表决专有部分面积过半数 且 参与表决人数过半数 同意 (strictly more than half)
APPROVAL_MAJORITY = Fraction(1, 2)


class Choice(StrEnum):
    YES = "yes"  # 同意
    NO = "no"  # 反对
    ABSTAIN = "abstain"  # 弃权: participates, never approves


_CHOICE_OF = {c.value: c for c in Choice}  # a StrEnum member hashes and compares as its value


class _Developer(Enum):
    DEVELOPER = "建设单位"

    def __repr__(self) -> str:
        return "DEVELOPER"


# The one owner head of all 建设单位 unsold / undelivered units (司法解释 第9条), whatever owner_id they carry.
# A member of a private one-member Enum: hashable, a singleton, and equal to no id a caller could make up.
DEVELOPER = _Developer.DEVELOPER


@dataclass(frozen=True, slots=True, init=False)
class Unit:
    """One 专有部分. ``owner_id`` is the owner head: for co-owned units, the id of the co-ownership,
    whose representative casts its single ballot. ``area`` is the exclusive area (see ``unit_area``)."""

    unit_id: Hashable
    owner_id: Hashable
    area: Decimal
    developer_unsold: bool = False

    # Written out (not generated) because a roll has 100,000 of them: the generated __init__ of a frozen
    # dataclass goes through object.__setattr__ once per field. The area is checked by tally().
    def __init__(self, unit_id: Hashable, owner_id: Hashable, area: Decimal, developer_unsold: bool = False) -> None:
        _set_unit_id(self, unit_id)
        _set_unit_owner(self, owner_id)
        _set_unit_area(self, area)
        _set_unit_developer(self, developer_unsold)

    @property
    def head(self) -> Hashable:
        """The owner head this unit's area and vote belong to."""
        return DEVELOPER if self.developer_unsold else self.owner_id


@dataclass(frozen=True, slots=True, init=False)
class Ballot:
    """One owner head's vote. ``choice`` may be given as "yes" | "no" | "abstain"; it is stored as a Choice."""

    owner_id: Hashable
    choice: Choice

    def __init__(self, owner_id: Hashable, choice: Choice | str) -> None:
        try:
            value = _CHOICE_OF[choice]  # a dict look-up: Choice(...) costs ~1 µs per ballot
        except (KeyError, TypeError):
            value = Choice(choice)  # raises the usual ValueError
        _set_ballot_owner(self, owner_id)
        _set_ballot_choice(self, value)


# The slots' own setters: they write the field without the frozen dataclass's __setattr__ check.
_set_unit_id = Unit.__dict__["unit_id"].__set__
_set_unit_owner = Unit.__dict__["owner_id"].__set__
_set_unit_area = Unit.__dict__["area"].__set__
_set_unit_developer = Unit.__dict__["developer_unsold"].__set__
_set_ballot_owner = Ballot.__dict__["owner_id"].__set__
_set_ballot_choice = Ballot.__dict__["choice"].__set__


@dataclass(frozen=True)
class BallotNote:
    """A ballot that did not count: ``position`` is its 0-based index in the ballots passed to tally()."""

    position: int
    ballot: Ballot
    reason: str


@dataclass(frozen=True)
class ThresholdCheck:
    """``numerator / denominator`` against ``required`` (``≥`` if inclusive, else ``>``), decided exactly."""

    name: str  # quorum_area | quorum_heads | approval_area | approval_heads
    numerator: Decimal | int
    denominator: Decimal | int
    required: Fraction
    inclusive: bool
    met: bool
    explanation: str


@dataclass(frozen=True)
class TallyResult:
    matter: Matter
    total_area: Decimal
    total_heads: int
    participating_area: Decimal
    participating_heads: int
    yes_area: Decimal
    yes_heads: int
    no_area: Decimal
    no_heads: int
    abstain_area: Decimal
    abstain_heads: int
    quorum_met: bool  # both quorum checks
    approved: bool  # both approval checks, among those participating
    passed: bool  # quorum_met and approved: the decision is made
    quorum_threshold: Fraction
    approval_threshold: Fraction
    approval_inclusive: bool  # True: "以上" (≥ 3/4); False: "过半数" (> 1/2)
    checks: tuple[ThresholdCheck, ...]  # quorum_area, quorum_heads, approval_area, approval_heads
    ignored_ballots: tuple[BallotNote, ...]  # from ids that own no unit
    superseded_ballots: tuple[BallotNote, ...]  # earlier ballots of an owner who voted again
    # 从多 (the compound's own rules, off by default): what was asked, what was there, what was done
    count_non_voters_with_majority: bool
    non_voter_area: Decimal  # owner heads without a counted ballot
    non_voter_heads: int
    non_voters_added_to: Choice | None  # YES / NO when 从多 was applied, else None

    @property
    def non_voters_counted_with_majority(self) -> bool:
        """True when 从多 was applied: the approval checks count the non-voters with the majority side
        (the participating and yes / no / abstain figures stay those of the real ballots)."""
        return self.non_voters_added_to is not None

    def check(self, name: str) -> ThresholdCheck:
        return next(c for c in self.checks if c.name == name)


def unit_area(registered: Decimal | None, surveyed: Decimal | None, contract: Decimal | None) -> Decimal:
    """The exclusive area that counts (司法解释 第8条): 不动产登记簿记载的面积; 尚未登记的, 测绘机构的实测面积;
    尚未实测的, 房屋买卖合同记载的面积. Only ``None`` means "missing"; a zero is returned and rejected by tally()."""
    for value in (registered, surveyed, contract):
        if value is not None:
            return _decimal(value, what="面积")
    raise ValueError("专有部分面积缺失：登记面积、实测面积、合同面积均为空")


# Decimal addition with no rounding: a sum that cannot be represented exactly raises instead.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                         traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow])
_ZERO = Decimal(0)
_unit_id = attrgetter("unit_id")
_owner_id = attrgetter("owner_id")
_choice_of = attrgetter("choice")


def _decimal(value: object, *, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what}必须是 Decimal 或整数（不接受浮点数），得到 {type(value).__name__}：{value!r}")
    return Decimal(value)


def _validated_area(unit: Unit) -> Decimal:
    area = _decimal(unit.area, what=f"专有部分 {unit.unit_id!r} 的面积")
    if not area.is_finite() or area <= 0:
        raise ValueError(f"专有部分 {unit.unit_id!r} 的面积必须大于 0，得到 {area}")
    return area


def _met(numerator: Decimal | int, denominator: Decimal | int, required: Fraction, inclusive: bool) -> bool:
    if denominator == 0:
        return False
    lhs = Fraction(numerator) * required.denominator
    rhs = Fraction(denominator) * required.numerator
    return lhs >= rhs if inclusive else lhs > rhs


def _percent(numerator: Decimal | int, denominator: Decimal | int) -> str:
    """numerator/denominator as a percentage with 2 decimals, rounded half up from the exact fraction."""
    ratio = Fraction(numerator) / Fraction(denominator) * 10000
    hundredths, rest = divmod(ratio.numerator, ratio.denominator)
    if 2 * rest >= ratio.denominator:
        hundredths += 1
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def _show(value: Decimal | int) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _check(name: str, label: str, numerator: Decimal | int, denominator: Decimal | int, required: Fraction,
           inclusive: bool, detail: str) -> ThresholdCheck:
    met = _met(numerator, denominator, required, inclusive)
    op = "≥" if inclusive else ">"
    mark = "✓" if met else "✗"
    if denominator == 0:
        explanation = f"{label}：无人参与表决，需 {op} {required} {mark}"
    else:
        explanation = f"{label} {_percent(numerator, denominator)} {op} {required} {mark}（{detail}）"
    return ThresholdCheck(name=name, numerator=numerator, denominator=denominator, required=required,
                          inclusive=inclusive, met=met, explanation=explanation)


def _areas_by_head(units: tuple) -> dict[Hashable, Decimal]:
    """Owner head -> the sum of its units' areas. Raises for a unit that is not a Unit, an invalid area or
    a repeated unit_id, as described in tally()."""
    # The common case in one tight loop: Unit values with a finite positive Decimal area (as read from a
    # decimal column) and distinct ids. Anything else is counted again below, which raises the right error.
    area_of: dict[Hashable, Decimal] = {}
    get = area_of.get
    add = _EXACT.add
    developer = DEVELOPER
    for unit in units:
        if type(unit) is not Unit:
            break
        area = unit.area
        if type(area) is not Decimal or not area.is_finite() or area <= 0:
            break
        head = developer if unit.developer_unsold else unit.owner_id
        earlier = get(head)
        area_of[head] = area if earlier is None else add(earlier, area)
    else:
        if len(set(map(_unit_id, units))) == len(units):
            return area_of

    area_of = {}
    seen: set[Hashable] = set()
    duplicates: list[Hashable] = []
    for unit in units:
        if not isinstance(unit, Unit):
            raise TypeError(f"units 只能包含 Unit，得到 {type(unit).__name__}")
        area = unit.area
        if type(area) is not Decimal or not area.is_finite() or area <= 0:  # else already a valid area
            area = _validated_area(unit)
        if unit.unit_id in seen:
            if unit.unit_id not in duplicates:
                duplicates.append(unit.unit_id)
            continue
        seen.add(unit.unit_id)
        head = DEVELOPER if unit.developer_unsold else unit.owner_id  # unit.head, without the property call
        area_of[head] = _EXACT.add(area_of.get(head, _ZERO), area)
    if duplicates:
        raise ValueError(f"专有部分编号重复：{'、'.join(repr(u) for u in duplicates)}")
    return area_of


def _ignored(position: int, ballot: Ballot) -> BallotNote:
    return BallotNote(position, ballot, f"{ballot.owner_id!r} 不是本区分所有建筑物的业主，选票不计入")


def _counted_ballots(ballots: tuple, area_of: dict) -> tuple[list[Choice | None], list[BallotNote], list[BallotNote]]:
    """The choice of each owner head's counted (last) ballot, in the order of ``area_of`` (None for a head
    without one); the ignored and the superseded ballots."""
    n = len(ballots)
    # The common case: only Ballot values, no id twice (then nothing is superseded). A dict built from the
    # ballots in order keeps each id's last position.
    if set(map(type, ballots)) <= {Ballot}:
        owners = list(map(_owner_id, ballots))
        last = dict(zip(owners, range(n), strict=True))
        if len(last) == n:
            # Each head looks up its ballot's position (n: none), in the order of the roll, so that the
            # areas are then read in the order they were made. A ballot that no head finds is from an id
            # that owns nothing: it is ignored.
            positions = list(map(last.get, area_of, repeat(n)))
            found = len(positions) - positions.count(n)
            if found < n:
                strangers = sorted(map(last.__getitem__, last.keys() - area_of.keys()))
                ignored = [_ignored(position, ballots[position]) for position in strangers]
            else:
                ignored = []
            choices = list(map(_choice_of, ballots))
            choices.append(None)
            return list(map(choices.__getitem__, positions)), ignored, []

    last = {}
    ignored = []
    superseded = []
    for position, ballot in enumerate(ballots):
        if not isinstance(ballot, Ballot):
            raise TypeError(f"ballots 只能包含 Ballot，得到 {type(ballot).__name__}")
        owner = ballot.owner_id
        if owner not in area_of:
            ignored.append(_ignored(position, ballot))
            continue
        if owner in last:
            earlier = last[owner]
            superseded.append(BallotNote(earlier, ballots[earlier],
                                         f"被同一业主 {owner!r} 的后一张选票（序号 {position}）取代"))
        last[owner] = position
    superseded.sort(key=lambda note: note.position)
    counted = {owner: ballots[position].choice for owner, position in last.items()}
    return [counted.get(owner) for owner in area_of], ignored, superseded


def tally(matter: Matter, units: Iterable[Unit], ballots: Iterable[Ballot], *,
          count_non_voters_with_majority: bool = False) -> TallyResult:
    """Count one vote of the owners (业主共同决定) on ``matter``; see docs/assembly.md for the full semantics.

    ``units`` is the whole roll of 专有部分 of the 建筑物区分所有权 (the denominators come from it).
    ``ballots`` are taken in order: per owner head, the last one counts and the earlier ones are
    reported as superseded; ballots from ids that own no unit are reported as ignored.
    Raises ValueError for an empty roll, a duplicate unit_id or an area ≤ 0, TypeError for a float area.
    """
    matter = Matter(matter)
    units = tuple(units)
    ballots = tuple(ballots)
    if not units:
        raise ValueError("没有任何专有部分（units 为空），无法计票")

    # 司法解释 第8、9条: the area of a head is the sum of its units; one owner of several units is one head;
    # all of the 建设单位's unsold / undelivered units are one head (DEVELOPER).
    area_of = _areas_by_head(units)
    choice_of_head, ignored, superseded = _counted_ballots(ballots, area_of)

    areas = list(area_of.values())
    with decimal.localcontext(_EXACT):  # every sum below is exact (or raises): no rounding
        area_for = {}
        heads_for = {}
        for choice in Choice:
            area_for[choice] = sum(compress(areas, map(eq, choice_of_head, repeat(choice))), _ZERO)
            heads_for[choice] = choice_of_head.count(choice)
        total_area = sum(areas, _ZERO)
        total_heads = len(area_of)
        non_voter_heads = total_heads - sum(heads_for.values())
        non_voter_area = (sum(compress(areas, map(is_, choice_of_head, repeat(None))), _ZERO)
                          if non_voter_heads else _ZERO)

    participating_area = _ZERO
    for area in area_for.values():
        participating_area = _EXACT.add(participating_area, area)
    participating_heads = sum(heads_for.values())
    yes_area, yes_heads = area_for[Choice.YES], heads_for[Choice.YES]

    # 从多 (only if the compound's rules say so): non-voters join the side with more participating area,
    # for the approval step only. The quorum (第278条第二款 "参与表决") is always the owners who actually
    # took part: counting non-voters there would make every vote quorate by construction.
    added_to: Choice | None = None
    if count_non_voters_with_majority and non_voter_heads:
        if area_for[Choice.YES] > area_for[Choice.NO]:
            added_to = Choice.YES
        elif area_for[Choice.NO] > area_for[Choice.YES]:
            added_to = Choice.NO
    approval_yes_area, approval_yes_heads = yes_area, yes_heads
    approval_base_area, approval_base_heads = participating_area, participating_heads
    area_detail = f"同意 {_show(yes_area)} ㎡ / 参与表决 {_show(participating_area)} ㎡"
    heads_detail = f"同意 {yes_heads} 人 / 参与表决 {participating_heads} 人"
    if added_to is not None:
        approval_base_area = _EXACT.add(participating_area, non_voter_area)
        approval_base_heads = participating_heads + non_voter_heads
        if added_to is Choice.YES:
            approval_yes_area = _EXACT.add(yes_area, non_voter_area)
            approval_yes_heads = yes_heads + non_voter_heads
        side = "同意" if added_to is Choice.YES else "反对"
        area_detail = (f"同意 {_show(approval_yes_area)} ㎡ / 参与表决 {_show(participating_area)} ㎡"
                       f" + 未表决 {_show(non_voter_area)} ㎡，含按从多规则计入{side}的未表决业主")
        heads_detail = (f"同意 {approval_yes_heads} 人 / 参与表决 {participating_heads} 人"
                        f" + 未表决 {non_voter_heads} 人，含按从多规则计入{side}的未表决业主")

    approval = APPROVAL_SPECIAL if matter.is_special else APPROVAL_MAJORITY
    inclusive = matter.is_special
    checks = (
        _check("quorum_area", "参与表决面积", participating_area, total_area, QUORUM, True,
               f"参与表决 {_show(participating_area)} ㎡ / 总面积 {_show(total_area)} ㎡"),
        _check("quorum_heads", "参与表决人数", participating_heads, total_heads, QUORUM, True,
               f"参与表决 {participating_heads} 人 / 总人数 {total_heads} 人"),
        _check("approval_area", "同意面积", approval_yes_area, approval_base_area, approval, inclusive,
               area_detail),
        _check("approval_heads", "同意人数", approval_yes_heads, approval_base_heads, approval, inclusive,
               heads_detail),
    )
    quorum_met = checks[0].met and checks[1].met
    approved = checks[2].met and checks[3].met

    return TallyResult(
        matter=matter,
        total_area=total_area,
        total_heads=total_heads,
        participating_area=participating_area,
        participating_heads=participating_heads,
        yes_area=yes_area,
        yes_heads=yes_heads,
        no_area=area_for[Choice.NO],
        no_heads=heads_for[Choice.NO],
        abstain_area=area_for[Choice.ABSTAIN],
        abstain_heads=heads_for[Choice.ABSTAIN],
        quorum_met=quorum_met,
        approved=approved,
        passed=quorum_met and approved,
        quorum_threshold=QUORUM,
        approval_threshold=approval,
        approval_inclusive=inclusive,
        checks=checks,
        ignored_ballots=tuple(ignored),
        superseded_ballots=tuple(superseded),
        count_non_voters_with_majority=count_non_voters_with_majority,
        non_voter_area=non_voter_area,
        non_voter_heads=non_voter_heads,
        non_voters_added_to=added_to,
    )
