"""The election's candidate picker names each owner with their units and compound (a plain select, which
the page's searchable picker filters), so that two owners of the same name can be told apart."""

import re

from gongzhi.assembly import actions
from gongzhi.core.permissions import SYSTEM

from .conftest import open_vote


def test_each_option_carries_the_units_and_the_compound(client, estate, street_staff):
    vote = open_vote(estate, SYSTEM, kind="election", matter="elect_committee", seats=5)
    owners = estate["owners"]
    actions.nominate_candidate(vote, person=owners["G"].person, nominated_by="self", by=SYSTEM)
    client.force_login(street_staff)
    html = client.get(f"/votes/{vote.pk}/").content.decode()
    select = html.split('name="person"')[1].split("</select>")[0]
    options = dict(re.findall(r'<option value="([^"]*)"\s*>([^<]*)</option>', select))
    assert options.pop("") == "— 请选择业主 —" and "selected" not in select
    a, d = owners["A"].person, owners["D"].person
    assert options[str(a.pk)] == f"{a.name} · 1号楼 101、1号楼 102 · 和平苑"  # two units, one owner
    assert options[str(d.pk)] == f"{d.name} · 1号楼 202 · 和平苑"  # a co-owner may stand too
    assert options[str(owners["B"].person.pk)].startswith(f"{owners['B'].person.name}（党员） · 1号楼 201")
    assert str(owners["G"].person.pk) not in options  # already nominated
    r = client.post(f"/votes/{vote.pk}/nominate/", {"person": "", "nominated_by": "self"})
    assert r.status_code == 400 and "请选择业主" in r.content.decode()
    r = client.post(f"/votes/{vote.pk}/nominate/", {"person": a.pk, "nominated_by": "owners"})
    assert r.status_code == 302 and vote.candidates.filter(person=a).exists()
