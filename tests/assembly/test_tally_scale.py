"""The tally of a vote of 2,000 exclusive units, through the database, against two independent counts.

One compound (``gongzhi.people.generate`` with its own shape: 4 buildings × 2 units × 25 floors × 10
doors = 2,000 households) with a plan of who owns what: the developer's unsold units (no owner), owners
of two units, co-owned units, tenants and former owners (who must not count). The roll is taken by
``actions.announce_vote``; ballots are written as rows (as the app stores them: one per owner key), with
non-voters and a ballot under a key that is on no roll. Then ``actions.tally_vote`` must give the sums
that (1) the plan gives, counted in plain Python, and (2) one SQL aggregate over the roll and ballot
tables gives — the statement of ``bench/assembly_bench.py``, written portably (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from gongzhi.assembly import actions
from gongzhi.assembly.models import Ballot, RollEntry, Vote, VoteStatus
from gongzhi.core.permissions import SYSTEM
from gongzhi.people.generate import SCALES, Shape, generate
from gongzhi.people.models import HouseholdMember, Person, Relation
from gongzhi.places.models import STEP, Kind, Place

from .conftest import make_closed, make_open, open_vote

pytestmark = pytest.mark.django_db

SHAPE = Shape("tally2k", streets=1, communities=1, grids=1, compounds=1, buildings=4, units=2, floors=25, doors=10)
DEVELOPER = "developer-head"  # the plan's name for the one head of all unsold units
SUMS = ("total_area", "total_heads", "participating_area", "participating_heads", "yes_area", "yes_heads",
        "no_area", "no_heads", "abstain_area", "abstain_heads")

# One head per owner key, all of the developer's units one head; a ballot counts when its key is a head's.
# Areas are summed as whole cents (SQLite keeps a decimal column as a float: cents are exact).
SQL = """
SELECT sum(h.cents), count(*),
       sum(CASE WHEN b.choice IN ('yes', 'no', 'abstain') THEN h.cents ELSE 0 END),
       sum(CASE WHEN b.choice IN ('yes', 'no', 'abstain') THEN 1 ELSE 0 END),
       sum(CASE WHEN b.choice = 'yes' THEN h.cents ELSE 0 END), sum(CASE WHEN b.choice = 'yes' THEN 1 ELSE 0 END),
       sum(CASE WHEN b.choice = 'no' THEN h.cents ELSE 0 END), sum(CASE WHEN b.choice = 'no' THEN 1 ELSE 0 END),
       sum(CASE WHEN b.choice = 'abstain' THEN h.cents ELSE 0 END),
       sum(CASE WHEN b.choice = 'abstain' THEN 1 ELSE 0 END)
  FROM (SELECT CASE WHEN r.developer_unsold OR r.owner_key = %s THEN %s ELSE r.owner_key END AS head,
               sum(round(r.area * 100)) AS cents
          FROM assembly_rollentry r
         WHERE r.vote_id = %s
         GROUP BY CASE WHEN r.developer_unsold OR r.owner_key = %s THEN %s ELSE r.owner_key END) h
  LEFT JOIN assembly_ballot b ON b.vote_id = %s AND b.owner_key = h.head
"""


def sql_sums(vote: Vote) -> dict:
    dev = actions.DEVELOPER_KEY
    with connection.cursor() as cursor:
        cursor.execute(SQL, [dev, dev, vote.pk, dev, dev, vote.pk])
        row = cursor.fetchone()
    return {k: Decimal(int(v)) / 100 if k.endswith("_area") else int(v) for k, v in zip(SUMS, row, strict=True)}


@pytest.fixture
def city(monkeypatch):
    """2,000 households with owners as planned; the vote (hire_manager) announced and open."""
    monkeypatch.setitem(SCALES, SHAPE.name, SHAPE)
    data = generate(SHAPE.name)
    compound = Place.objects.get(path__startswith=data.root_path, kind=Kind.COMPOUND)
    homes = list(Place.objects.filter(path__startswith=compound.path, kind=Kind.HOUSEHOLD).order_by("path"))
    assert len(homes) == 2000
    n = len(homes)

    # the plan: household index -> head (DEVELOPER or the index of the head's first unit)
    developer = {i for i in range(n) if i % 50 == 49}  # 40 unsold units: one head
    rest = [i for i in range(n) if i not in developer]
    second_of = {rest[60 * k + 31]: rest[60 * k] for k in range(30)}  # 30 owners of two units
    singles = [i for i in rest if i not in second_of and i not in second_of.values()]
    co_owned = set(singles[::7])
    head_of = {i: DEVELOPER if i in developer else second_of.get(i, i) for i in range(n)}

    people: list[Person] = []
    owners_of: dict[int, list[int]] = {}  # first unit -> indexes into people
    extra: list[tuple[int, int, str, datetime.date | None]] = []  # (home, person index, relation, end_date)
    for i in rest:
        if i in second_of:
            continue
        owners_of[i] = []
        for _k in range(2 if i in co_owned else 1):
            owners_of[i].append(len(people))
            people.append(Person(name=f"业主{i}", place=homes[i]))
        if i % 11 == 3:  # a tenant: not an owner
            extra.append((i, len(people), Relation.TENANT, None))
            people.append(Person(name=f"租户{i}", place=homes[i]))
        if i % 13 == 5:  # a former owner, ownership ended: not on the roll
            extra.append((i, len(people), Relation.OWNER, datetime.date(2024, 6, 30)))
            people.append(Person(name=f"原业主{i}", place=homes[i]))
    people = Person.objects.bulk_create(people)
    members = []
    for i in rest:
        owners = owners_of[second_of.get(i, i)]
        for k, p in enumerate(owners):
            members.append(HouseholdMember(place=homes[i], person=people[p], relation=Relation.OWNER,
                                           share=Decimal(1) / len(owners), is_representative=k == 0,
                                           start_date=datetime.date(2024, 1, 1)))
    for i, p, relation, end in extra:
        members.append(HouseholdMember(place=homes[i], person=people[p], relation=relation,
                                       start_date=datetime.date(2020, 1, 1), end_date=end))
    HouseholdMember.objects.bulk_create(members)
    Place.objects.filter(pk__in=[homes[i].pk for i in developer]).update(developer_held=True)

    vote = open_vote({"compound": compound}, SYSTEM)  # no permission check (not the subject here)
    actions.announce_vote(vote, by=SYSTEM)
    return {"vote": make_open(vote), "homes": homes, "head_of": head_of, "compound": compound}


def cast(city, seed: int) -> dict:
    """Ballot rows for ~90% of the heads, mixed; one from a key on no roll. Returns head -> choice."""
    rng = random.Random(seed)
    vote, homes, head_of = city["vote"], city["homes"], city["head_of"]
    key_of_unit = dict(RollEntry.objects.filter(vote=vote).values_list("unit_id", "owner_key"))
    key_of_head = {}
    for i, head in head_of.items():
        key = key_of_unit[homes[i].pk]
        assert key_of_head.setdefault(head, key) == key  # the roll gives each planned head one key
    assert len(set(key_of_head.values())) == len(key_of_head)  # and different heads different keys
    chosen = {}
    rows = []
    for head, key in key_of_head.items():
        if head == DEVELOPER or rng.random() < 0.1:  # non-voters (the developer: see the test below)
            continue
        chosen[head] = rng.choices(["yes", "no", "abstain"], [60, 28, 12])[0]
        rows.append(Ballot(vote=vote, owner_key=key, choice=chosen[head], receipt=f"T{len(rows):011d}"))
    rows.append(Ballot(vote=vote, owner_key="p0", choice="yes", receipt="TSTRAY"))  # on no roll: ignored
    rng.shuffle(rows)
    Ballot.objects.bulk_create(rows)
    return chosen


def plan_sums(city, chosen: dict) -> dict:
    """The sums from the plan and the households' areas alone (plain Python, no roll, no rules.tally)."""
    area_of: dict = {}
    for i, head in city["head_of"].items():
        area_of[head] = area_of.get(head, Decimal(0)) + city["homes"][i].registered_area
    sums = {"total_area": sum(area_of.values()), "total_heads": len(area_of)}
    voted = [h for h in area_of if h in chosen]
    sums["participating_area"] = sum(area_of[h] for h in voted)
    sums["participating_heads"] = len(voted)
    for c in ("yes", "no", "abstain"):
        sums[f"{c}_area"] = sum((area_of[h] for h in voted if chosen[h] == c), Decimal(0))
        sums[f"{c}_heads"] = sum(1 for h in voted if chosen[h] == c)
    return sums


@pytest.mark.parametrize("matter", ["hire_manager", "rebuild"])
def test_tally_of_2000_units_equals_the_plan_and_one_sql_aggregate(city, matter):
    vote = city["vote"]
    Vote.objects.filter(pk=vote.pk).update(matter=matter)
    chosen = cast(city, seed=278)
    make_closed(vote)
    actions.tally_vote(vote, by=SYSTEM)
    vote.refresh_from_db()
    assert vote.status == VoteStatus.CLOSED
    q = vote.result["question"]
    tallied = {k: Decimal(q[k]) if k.endswith("_area") else q[k] for k in SUMS}

    expected = plan_sums(city, chosen)
    assert expected["total_heads"] == 2000 - 40 + 1 - 30  # unsold units one head; two-unit owners one head
    assert tallied == expected
    assert sql_sums(vote) == expected
    assert q["ignored_ballots"] == 1  # the key on no roll

    # the decision, from the sums by the thresholds of 第278条 (exact integer arithmetic)
    quorum = (3 * expected["participating_area"] >= 2 * expected["total_area"]
              and 3 * expected["participating_heads"] >= 2 * expected["total_heads"])
    yes_a, yes_h = expected["yes_area"], expected["yes_heads"]
    part_a, part_h = expected["participating_area"], expected["participating_heads"]
    if matter == "rebuild":  # (七): ≥ 3/4 of those taking part
        approved = 4 * yes_a >= 3 * part_a and 4 * yes_h >= 3 * part_h
    else:  # > 1/2
        approved = 2 * yes_a > part_a and 2 * yes_h > part_h
    assert (q["quorum_met"], q["approved"], q["passed"]) == (quorum, approved, quorum and approved)
    assert q["quorum_met"] and q["passed"] == (matter == "hire_manager")  # ~60% yes: > 1/2, < 3/4

    # by building: every unit counted once, in its building, with its head's choice
    width = 6 * STEP
    rows: dict[str, Counter] = {}
    areas: dict[str, Decimal] = {}
    for i, home in enumerate(city["homes"]):
        building = home.path[:width]
        rows.setdefault(building, Counter())[chosen.get(city["head_of"][i], "none")] += 1
        areas[building] = areas.get(building, Decimal(0)) + home.registered_area
    names = dict(Place.objects.filter(path__in=rows).values_list("path", "name"))
    got = {b["building"]: b for b in vote.result["buildings"]}
    assert sorted(got) == sorted(names.values()) and len(got) == 4
    for path, counts in rows.items():
        b = got[names[path]]
        assert b["units"] == 500 and Decimal(b["area"]) == areas[path]
        assert {c: b[c] for c in ("yes", "no", "abstain", "none")} == {
            c: counts[c] for c in ("yes", "no", "abstain", "none")}


def test_the_developers_ballot_counts_for_the_developer_head(estate, compound_staff, second_staff):
    """402 is the developer's unsold unit: its paper ballot, entered twice, is the developer head's vote."""
    vote = open_vote(estate, compound_staff)
    actions.announce_vote(vote, by=compound_staff)
    vote = make_open(vote)
    unit = estate["units"]["402"]
    for staff in (compound_staff, second_staff):
        actions.enter_paper_ballot(vote, serial="P-402", unit=unit, choice="no", by=staff)
    assert Ballot.objects.get(vote=vote).owner_key == actions.DEVELOPER_KEY
    make_closed(vote)
    actions.tally_vote(vote, by=compound_staff)
    vote.refresh_from_db()
    q = vote.result["question"]
    assert sql_sums(vote)["participating_heads"] == 1
    assert (q["ignored_ballots"], q["participating_heads"], q["no_heads"], q["no_area"]) == (0, 1, 1, "130.00")
